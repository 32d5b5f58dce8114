package main

// A streaming source for the large-document scenario (Clio here; MyCase
// and Smokeball hand out pre-signed storage URLs on their own host, and
// the proxy streams those downloads once armed). The fake Clio keeps
// every document in memory and refuses more than cliofake.MaxUploadSize
// (64 MiB), so a 1 GiB document cannot live in it. This proxy sits in
// front of the fake Clio: it passes every request through, except the
// download of one chosen document, which it answers as Clio does (303 to
// a signed URL) and then streams the large content itself, generated on
// the fly. Firmsync sees an ordinary Clio whose document is that large.

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

type bigDocProxy struct {
	size    int64
	doc     atomic.Int64 // the document id whose content is large (Clio)
	storage atomic.Bool  // every pre-signed storage download is large (MyCase, Smokeball)
	served  atomic.Int64 // bytes of large content sent
	rp      *httputil.ReverseProxy
	srv     *http.Server
	ln      net.Listener
	block   []byte
}

// newBigDocProxy listens on loopback in front of the fake practice-management
// system (Clio, MyCase or Smokeball) at target.
func newBigDocProxy(target string, size int64) (*bigDocProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &bigDocProxy{size: size, ln: ln, block: make([]byte, 1<<20)}
	// Not zeros: nothing on the way may compress it away.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range p.block {
		p.block[i] = byte(rng.UintN(256))
	}
	p.rp = httputil.NewSingleHostReverseProxy(u) // keeps the Host header, so the fake's absolute URLs point here
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL is the proxy's base URL.
func (p *bigDocProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *bigDocProxy) Close() error { return p.srv.Close() }

func (p *bigDocProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := p.doc.Load()
	switch {
	case id != 0 && r.Method == http.MethodGet && r.URL.Path == fmt.Sprintf("/api/v4/documents/%d/download.json", id):
		w.Header().Set("Location", p.URL()+"/_bench/large/"+strconv.FormatInt(id, 10)+"?X-Amz-Signature=bench")
		w.WriteHeader(http.StatusSeeOther)
	case r.Method == http.MethodGet && (r.URL.Path == "/_bench/large/"+strconv.FormatInt(id, 10) ||
		p.storage.Load() && strings.HasPrefix(r.URL.Path, "/_s3/download/")):
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(p.size, 10))
		w.WriteHeader(http.StatusOK)
		for left := p.size; left > 0; {
			n := min(left, int64(len(p.block)))
			m, err := w.Write(p.block[:n])
			p.served.Add(int64(m))
			if err != nil {
				return
			}
			left -= int64(m)
		}
	default:
		p.rp.ServeHTTP(w, r)
	}
}
