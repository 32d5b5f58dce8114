package smokeball_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

// vclock is a virtual clock shared by the fake, the pacer and the client's
// sleeps: waiting advances it at once.
type vclock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *vclock { return &vclock{t: time.Date(2025, 3, 10, 15, 0, 0, 300_000_000, time.UTC)} }

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

// staticAuth is a fixed bearer token.
type staticAuth string

func (a staticAuth) Token(context.Context) (string, error) { return string(a), nil }
func (a staticAuth) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("static token refused: %w", httpx.ErrReconnect)
}

// seen is one request the fake received.
type seen struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
}

type env struct {
	t    *testing.T
	fake *smokeballfake.Server
	srv  *httptest.Server
	c    *smokeball.Client
	tok  smokeballfake.Token

	mu   sync.Mutex
	reqs []seen
}

// newEnv starts the fake on loopback (a high rate limit and a short write
// delay unless fo says otherwise) and a client for it without client-side
// pacing.
func newEnv(t *testing.T, fo smokeballfake.Options, co smokeball.Options) *env {
	t.Helper()
	e := &env{t: t}
	if fo.RateLimit == 0 {
		fo.RateLimit = 1_000_000
	}
	if fo.WriteDelay == 0 {
		fo.WriteDelay = 20 * time.Millisecond
	}
	fo.AllowInsecureWebhooks = true
	e.fake = smokeballfake.New(fo)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.reqs = append(e.reqs, seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()})
		e.mu.Unlock()
		e.fake.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.srv.Close()
		e.fake.Close()
	})
	e.tok = e.fake.IssueToken()
	co.APIBase, co.AuthBase = e.srv.URL, e.srv.URL
	if co.APIKey == "" {
		co.APIKey = e.fake.APIKey()
	}
	if co.HTTPClient == nil {
		co.HTTPClient = e.srv.Client()
	}
	if co.Auth == nil {
		co.Auth = staticAuth(e.tok.Access)
	}
	if co.Pacer == nil {
		co.Pacer = &httpx.Pacer{}
	}
	e.c = smokeball.New(co)
	return e
}

// requests returns the requests whose path starts with prefix.
func (e *env) requests(prefix string) []seen {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []seen
	for _, r := range e.reqs {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// raw sends a request with the env's token and API key, bypassing the
// client, and returns the status, headers and body.
func (e *env) raw(method, path string, body any, hdr http.Header) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+e.tok.Access)
	req.Header.Set("x-api-key", e.fake.APIKey())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// hookSink receives webhook deliveries on loopback.
type hookSink struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []delivery
}

type delivery struct {
	Header http.Header
	Body   []byte
}

func newSink(t *testing.T) *hookSink {
	h := &hookSink{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, delivery{Header: r.Header.Clone(), Body: b})
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookSink) all() []delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]delivery(nil), h.got...)
}

// awaitEvent waits for a delivery of typ and returns it.
func (e *env) awaitEvent(sink *hookSink, typ string) (delivery, smokeball.Event) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range sink.all() {
			ev, err := smokeball.ParseEvent(d.Body)
			if err == nil && ev.Type == typ {
				return d, ev
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatalf("no %s webhook arrived; got %d deliveries", typ, len(sink.all()))
	return delivery{}, smokeball.Event{}
}

func collect[T any](t *testing.T, walk func(func(T) error) error) []T {
	t.Helper()
	var out []T
	if err := walk(func(v T) error { out = append(out, v); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}
