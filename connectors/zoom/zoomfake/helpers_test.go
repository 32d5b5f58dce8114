package zoomfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)} }

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
	fake  *zoomfake.Server
	srv   *httptest.Server
	clock *clock
	tok   zoomfake.Token
}

// newEnv mounts a fake on loopback with a test clock and a generous rate
// limit unless opts says otherwise.
func newEnv(t *testing.T, opts zoomfake.Options) *env {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 1000
	}
	f := zoomfake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(f.Close)
	f.SetBaseURL(srv.URL)
	return &env{fake: f, srv: srv, clock: c, tok: f.IssueToken()}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r reply) apiErr(t *testing.T) zoom.Error {
	t.Helper()
	var e zoom.Error
	r.decode(t, &e)
	return e
}

// noRedirect is a client that does not follow redirects.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// call makes one request; path is appended to the server URL verbatim.
func (e *env) call(t *testing.T, method, path, token string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(t, http.DefaultClient, req)
}

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("x-zm-trackingid") == "" {
		t.Errorf("%s %s: no x-zm-trackingid", req.Method, req.URL)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// get is an authenticated API GET.
func (e *env) get(t *testing.T, path string) reply {
	t.Helper()
	return e.call(t, http.MethodGet, path, e.tok.Access, nil)
}

// form posts an OAuth form with Basic client credentials.
func (e *env) form(t *testing.T, path, id, secret string, v url.Values) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, http.DefaultClient, req)
}

func (e *env) token(t *testing.T, v url.Values) reply {
	t.Helper()
	return e.form(t, "/oauth/token", "sandbox-zoom-client", "sandbox-zoom-secret", v)
}

func wantStatus(t *testing.T, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
}

func wantAPIError(t *testing.T, r reply, status, code int) zoom.Error {
	t.Helper()
	wantStatus(t, r, status)
	e := r.apiErr(t)
	if e.Code != code || e.Message == "" {
		t.Fatalf("error %+v, want code %d with a message", e, code)
	}
	return e
}
