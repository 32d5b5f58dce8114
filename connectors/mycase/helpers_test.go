package mycase_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

// vclock is a virtual clock shared by the fake, the pacer and the client's
// sleeps: waiting advances it at once, so rate tests run instantly.
type vclock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newClock() *vclock {
	// A fractional second, so windows do not line up with whole seconds.
	return &vclock{t: time.Date(2025, 3, 10, 15, 0, 0, 300_000_000, time.UTC)}
}

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// tokenAuth is a minimal Authorizer that refreshes against the fake's
// /tokens, keeping the rotated refresh token, as core/auth does.
type tokenAuth struct {
	base, id, secret string
	hc               *http.Client
	asJSON           bool // send the refresh as JSON (else a form)

	mu        sync.Mutex // guards the fields below
	access    string
	refresh   string
	refreshes int
}

func (a *tokenAuth) Token(context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.access, nil
}

func (a *tokenAuth) Refresh(ctx context.Context, refused string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	tr, status, err := postToken(ctx, a.hc, a.base, a.asJSON, map[string]string{
		"grant_type": "refresh_token", "refresh_token": a.refresh, "client_id": a.id, "client_secret": a.secret,
	})
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("refresh answered %d: %w", status, httpx.ErrReconnect)
	}
	a.access, a.refresh = tr.AccessToken, tr.RefreshToken
	a.refreshes++
	return a.access, nil
}

// postToken sends a /tokens request as JSON or a form.
func postToken(ctx context.Context, hc *http.Client, base string, asJSON bool, params map[string]string) (mycase.TokenResponse, int, error) {
	var body []byte
	ct := "application/x-www-form-urlencoded"
	if asJSON {
		body, _ = json.Marshal(params)
		ct = "application/json"
	} else {
		v := url.Values{}
		for k, x := range params {
			v.Set(k, x)
		}
		body = []byte(v.Encode())
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/tokens", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	resp, err := hc.Do(req)
	if err != nil {
		return mycase.TokenResponse{}, 0, err
	}
	defer resp.Body.Close()
	var tr mycase.TokenResponse
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &tr)
	return tr, resp.StatusCode, nil
}

// seen is one request the fake received.
type seen struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Status int
}

type env struct {
	t    *testing.T
	ctx  context.Context
	fake *mycasefake.Server
	srv  *httptest.Server
	c    *mycase.Client
	clk  *vclock
	auth *tokenAuth

	mu   sync.Mutex // guards reqs
	reqs []seen     // every request, in order
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// newEnv starts the fake on loopback (virtual clock, a high rate limit
// unless fo says otherwise) and a client for it with a refreshing
// Authorizer.
func newEnv(t *testing.T, fo mycasefake.Options, co mycase.Options) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clk: newClock()}
	if fo.Now == nil {
		fo.Now = e.clk.Now
	}
	if fo.RateLimit == 0 {
		fo.RateLimit = 1_000_000
	}
	e.fake = mycasefake.New(fo)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		e.fake.ServeHTTP(rec, r)
		e.mu.Lock()
		e.reqs = append(e.reqs, seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Status: rec.status})
		e.mu.Unlock()
	}))
	t.Cleanup(func() {
		e.srv.Close()
		e.fake.Close()
	})
	tok := e.fake.IssueToken()
	e.auth = &tokenAuth{base: e.srv.URL, id: "sandbox-mycase-client", secret: "sandbox-mycase-secret", hc: e.srv.Client(),
		access: tok.Access, refresh: tok.Refresh}
	co.APIBase = e.srv.URL
	co.OAuthBase = e.srv.URL
	if co.HTTPClient == nil {
		co.HTTPClient = e.srv.Client()
	}
	if co.Auth == nil {
		co.Auth = e.auth
	}
	if co.Pacer == nil {
		co.Pacer = &httpx.Pacer{Now: e.clk.Now, Sleep: e.clk.Sleep}
	}
	if co.Sleep == nil {
		co.Sleep = e.clk.Sleep
	}
	e.c = mycase.New(co)
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

// raw sends a request with the env's current token, bypassing the client.
func (e *env) raw(method, path string, body any) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	tok, _ := e.auth.Token(e.ctx)
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := *e.srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// errorBody decodes MyCase's error body, failing unless it has the shape.
func errorBody(t *testing.T, b []byte) mycase.ErrorBody {
	t.Helper()
	var eb mycase.ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || len(eb.Errors) == 0 || eb.Errors[0].Description == "" {
		t.Fatalf("not a MyCase error body: %s", b)
	}
	return eb
}

// outcome carries a (value, error) pair to a test assertion:
// attempt(f()).must(t).
type outcome[T any] struct {
	v   T
	err error
}

func attempt[T any](v T, err error) outcome[T] { return outcome[T]{v, err} }

// must fails the test on an error and returns the value.
func (o outcome[T]) must(t *testing.T) T {
	t.Helper()
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o.v
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func errorsIsNotFound(err error) bool { return errors.Is(err, mycase.ErrNotFound) }
