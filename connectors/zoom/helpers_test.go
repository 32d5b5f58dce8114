package zoom_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// clock is a settable clock shared by the fake and, where a test wants it,
// the client's pacer and sleeps.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2026, 4, 15, 15, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep advances the clock instead of sleeping and records d.
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// staticAuth hands out one token; a refused token cannot be refreshed.
type staticAuth struct{ token string }

func (a staticAuth) Token(context.Context) (string, error) { return a.token, nil }

func (a staticAuth) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("test token cannot be refreshed: %w", httpx.ErrReconnect)
}

// sent is one request the client put on the wire.
type sent struct {
	Method, Path, RawQuery, Auth string
	Query                        map[string][]string
}

// recorder is a RoundTripper that records every request (redirects included).
type recorder struct {
	mu   sync.Mutex
	reqs []sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, sent{
		Method: req.Method, Path: req.URL.EscapedPath(), RawQuery: req.URL.RawQuery,
		Auth: req.Header.Get("Authorization"), Query: req.URL.Query(),
	})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) Sent() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.reqs...)
}

func (r *recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

type env struct {
	fake   *zoomfake.Server
	srv    *httptest.Server
	clock  *clock
	tok    zoomfake.Token
	rec    *recorder
	client *zoom.Client
}

// newEnv mounts a fake (test clock, generous rate limit unless fo says
// otherwise) and a client with the owner's token. mod may adjust the
// client's options.
func newEnv(t *testing.T, fo zoomfake.Options, mod func(*zoom.Options)) *env {
	t.Helper()
	c := newClock()
	if fo.Now == nil {
		fo.Now = c.Now
	}
	if fo.RateLimit == 0 {
		fo.RateLimit = 1000
	}
	f := zoomfake.New(fo)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(f.Close)
	f.SetBaseURL(srv.URL)
	e := &env{fake: f, srv: srv, clock: c, tok: f.IssueToken(), rec: &recorder{}}
	e.client = e.newClient(e.tok.Access, mod)
	return e
}

// newClient returns a client of the fake acting with token.
func (e *env) newClient(token string, mod func(*zoom.Options)) *zoom.Client {
	o := zoom.Options{
		APIBase:    e.srv.URL + "/v2",
		OAuthBase:  e.srv.URL,
		HTTPClient: &http.Client{Transport: e.rec},
		Auth:       staticAuth{token},
	}
	if mod != nil {
		mod(&o)
	}
	return zoom.New(o)
}

// fakeTime makes the client pace and sleep on the env's clock.
func (e *env) fakeTime(o *zoom.Options) {
	o.Sleep = e.clock.Sleep
	o.Pacer = &httpx.Pacer{DefaultReset: time.Second, Now: e.clock.Now, Sleep: e.clock.Sleep}
}

const owner = "owner@sandbox.zoom.test"

func (e *env) endMeeting(t *testing.T, in zoomfake.MeetingInput) zoom.Meeting {
	t.Helper()
	if in.HostEmail == "" {
		in.HostEmail = owner
	}
	m, err := e.fake.EndMeeting(in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newStub serves one canned answer to every request and returns its URL.
func newStub(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// refreshingAuth always refreshes successfully, as core/auth does while the
// grant is alive.
type refreshingAuth struct{}

func (refreshingAuth) Token(context.Context) (string, error)           { return "t1", nil }
func (refreshingAuth) Refresh(context.Context, string) (string, error) { return "t2", nil }
