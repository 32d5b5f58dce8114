package lawmatics_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

// clock is a settable test clock shared by the fake, the pacer and the
// client's sleeps, so waiting out a rate limit takes no real time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)} }

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

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// staticAuth hands out one token. Lawmatics tokens never expire, so
// Refresh can only say "reconnect".
type staticAuth struct{ token string }

func (a staticAuth) Token(context.Context) (string, error) { return a.token, nil }

func (a staticAuth) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("lawmatics tokens cannot be refreshed: %w", httpx.ErrReconnect)
}

type env struct {
	fake  *lawmaticsfake.Server
	srv   *httptest.Server
	clock *clock
	token string
	c     *lawmatics.Client
}

// newEnv starts a fake on loopback and a client for it whose pacer, sleeps
// and the fake all run on one test clock.
func newEnv(t *testing.T, opts lawmaticsfake.Options) *env {
	t.Helper()
	clk := newClock()
	opts.Now = clk.Now
	f := lawmaticsfake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(f.Close)
	t.Cleanup(func() {
		if u := f.Unhandled(); len(u) > 0 {
			t.Errorf("client used unmodelled routes: %v", u)
		}
	})
	e := &env{fake: f, srv: srv, clock: clk, token: f.IssueToken().Access}
	e.c = e.client(e.token)
	return e
}

// client returns a client for the env's fake that sends token.
func (e *env) client(token string) *lawmatics.Client {
	p := lawmatics.DefaultPacer()
	p.Now, p.Sleep = e.clock.Now, e.clock.Sleep
	return lawmatics.New(lawmatics.Options{
		APIBase:   e.srv.URL + "/v1",
		OAuthBase: e.srv.URL,
		Auth:      staticAuth{token},
		Pacer:     p,
		Sleep:     e.clock.Sleep,
	})
}

func TestEndpoints(t *testing.T) {
	cases := []struct {
		name            string
		got             lawmatics.OAuthEndpoints
		wantAuth, wantT string
	}{
		{"real default", lawmatics.Endpoints(""), "https://app.lawmatics.com/oauth/authorize", "https://api.lawmatics.com/oauth/token"},
		{"real explicit", lawmatics.Endpoints("https://app.lawmatics.com/"), "https://app.lawmatics.com/oauth/authorize", "https://api.lawmatics.com/oauth/token"},
		{"sandbox serves both", lawmatics.Endpoints("http://127.0.0.1:8123"), "http://127.0.0.1:8123/oauth/authorize", "http://127.0.0.1:8123/oauth/token"},
		{"token on the API host", lawmatics.EndpointsFor("http://app.test", "http://api.test:9/v1"), "http://app.test/oauth/authorize", "http://api.test:9/oauth/token"},
		{"EndpointsFor defaults", lawmatics.EndpointsFor("", ""), "https://app.lawmatics.com/oauth/authorize", "https://api.lawmatics.com/oauth/token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.got
			if e.AuthURL != tc.wantAuth || e.TokenURL != tc.wantT {
				t.Fatalf("got %s / %s", e.AuthURL, e.TokenURL)
			}
			if e.PKCE || e.BasicAuth || e.Refresh != "none" || e.RevokeURL != "" || len(e.AuthParams) != 0 {
				t.Fatalf("wrong OAuth facts: %+v", e)
			}
		})
	}
}

func TestRevokeIsUnsupported(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	err := e.c.Revoke(context.Background(), "id", "secret", e.token)
	if !errors.Is(err, lawmatics.ErrRevokeUnsupported) || e.c.HTTP().Requests() != 0 {
		t.Fatalf("err %v after %d requests", err, e.c.HTTP().Requests())
	}
}

func TestMeReturnsTheConnectedUser(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	e.fake.SetUser("Dana Whitfield", "dana@whitfield-law.example")
	id, err := e.c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id != (lawmatics.Identity{ID: "1", Name: "Dana Whitfield", Email: "dana@whitfield-law.example"}) {
		t.Fatalf("identity %+v", id)
	}
}

func TestRateLimitIsWaitedOutNotFailed(t *testing.T) {
	// A firm limit of 3 per minute: other integrations share the real budget,
	// so 429s happen even though the client paces itself to 50.
	e := newEnv(t, lawmaticsfake.Options{RateLimit: 3})
	start := e.clock.Now()
	for i := range 8 {
		if _, err := e.c.Me(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if e.c.HTTP().RateLimited() == 0 {
		t.Fatal("the fake never rate limited; the test proves nothing")
	}
	if waited := e.clock.Now().Sub(start); waited < 2*time.Minute {
		t.Fatalf("8 calls at 3 a minute took only %v: Retry-After not honoured", waited)
	}
}

func TestDefaultBudgetNeverTrips429(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{}) // the real 50 per minute
	for i := range 120 {
		if _, err := e.c.Me(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := e.c.HTTP().RateLimited(); n != 0 {
		t.Fatalf("%d 429s despite the client-side budget", n)
	}
	if p := lawmatics.DefaultPacer(); p.Limit != 50 || p.Window != time.Minute {
		t.Fatalf("default budget %d per %v", p.Limit, p.Window)
	}
}

func TestBadTokenMeansReconnect(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e *env) string
	}{
		{"unknown token", func(*env) string { return "not-a-token" }},
		{"revoked token", func(e *env) string { e.fake.RevokeTokens(); return e.token }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, lawmaticsfake.Options{})
			c := e.client(tc.setup(e))
			_, err := c.Me(context.Background())
			if !httpx.IsReconnect(err) {
				t.Fatalf("want a reconnect error, got %v", err)
			}
			if strings.Contains(err.Error(), e.token) {
				t.Fatalf("error leaks the token: %v", err)
			}
			if c.HTTP().Requests() != 1 {
				t.Fatalf("%d requests; a 401 must not be retried once refresh fails", c.HTTP().Requests())
			}
		})
	}
}

func TestErrorsCarryLawmaticsOwnMessage(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	_, err := e.c.Prospect(context.Background(), "999")
	if httpx.KindOf(err) != httpx.KindNotFound || !strings.Contains(err.Error(), "Not found: Prospect with id 999 was not found.") {
		t.Fatalf("got %v", err)
	}
}

func TestDecodeError(t *testing.T) {
	cases := []struct {
		name, body, code, msg string
	}{
		{"json api", `{"errors":[{"status":404,"title":"Not found","detail":"File with id x was not found."}]}`, "Not found", "Not found: File with id x was not found."},
		{"several", `{"errors":[{"status":422,"title":"Unprocessable Entity","detail":"A"},{"status":422,"title":"Unprocessable Entity","detail":"B"}]}`, "Unprocessable Entity", "Unprocessable Entity: A; Unprocessable Entity: B"},
		{"title only", `{"errors":[{"status":422,"title":"Filter By Parameter Not Available"}]}`, "Filter By Parameter Not Available", "Filter By Parameter Not Available"},
		{"oauth", `{"error":"invalid_grant","error_description":"expired"}`, "invalid_grant", "invalid_grant: expired"},
		{"not json", `<html>oops</html>`, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := lawmatics.DecodeError(400, nil, []byte(tc.body))
			if code != tc.code || msg != tc.msg {
				t.Fatalf("got %q, %q", code, msg)
			}
		})
	}
}

// doRaw sends one authenticated request straight to the fake (a staff
// member or another integration changing data mid-sync).
func (e *env) doRaw(t *testing.T, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
}
