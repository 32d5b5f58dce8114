package cliofake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	fake  *cliofake.Server
	srv   *httptest.Server
	tok   cliofake.Token
	clock *clock
	hc    *http.Client
}

// newEnv starts the fake on loopback with a test clock and a high rate
// limit unless opts say otherwise.
func newEnv(t *testing.T, opts cliofake.Options) *env {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 100000
	}
	f := cliofake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(func() {
		srv.Close()
		f.Close()
	})
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &env{t: t, fake: f, srv: srv, tok: f.IssueToken(), clock: c, hc: hc}
}

// do sends a request to path (relative to the server, or absolute) with the
// env's bearer token; body is JSON-encoded unless it is a string or []byte.
// hdr is pairs of header name and value.
func (e *env) do(method, path string, body any, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	if !strings.HasPrefix(path, "http") {
		path = e.srv.URL + path
	}
	req, err := http.NewRequest(method, path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.tok.Access)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, out
}

// expect sends a request and fails unless the status matches; it decodes
// the JSON reply into a generic value.
func (e *env) expect(status int, method, path string, body any, hdr ...string) map[string]any {
	e.t.Helper()
	resp, out := e.do(method, path, body, hdr...)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, status, out)
	}
	var v map[string]any
	if len(out) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(out, &v); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, out, err)
		}
	}
	return v
}

func data(v map[string]any) map[string]any { m, _ := v["data"].(map[string]any); return m }

func list(v map[string]any) []map[string]any {
	var out []map[string]any
	items, _ := v["data"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return strings.Join(ks, ",")
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func id(v map[string]any) int64 { return int64(v["id"].(float64)) }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func newBenchServer(b *testing.B, f *cliofake.Server) string {
	srv := httptest.NewServer(f)
	b.Cleanup(func() {
		srv.Close()
		f.Close()
	})
	return srv.URL
}
