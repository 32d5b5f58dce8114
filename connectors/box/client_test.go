package box_test

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

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
	"github.com/firmsync/firmsync/connectors/httpx"
)

// clock is a settable test clock shared by the fake, the pacer and the
// client's sleeps, so waiting out a rate limit takes no real time.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

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

// staticAuth hands out one token; a refused token means reconnect.
type staticAuth struct{ token string }

func (a staticAuth) Token(context.Context) (string, error) { return a.token, nil }

func (a staticAuth) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("static token refused: %w", httpx.ErrReconnect)
}

type env struct {
	fake  *boxfake.Server
	srv   *httptest.Server
	clock *clock
	token string
	c     *box.Client
}

// newEnv starts a fake on loopback (behind mw, when not nil) and a client
// for it whose pacer, sleeps and the fake all run on one test clock.
func newEnv(t *testing.T, opts boxfake.Options, mw func(http.Handler) http.Handler) *env {
	t.Helper()
	clk := newClock()
	opts.Now = clk.Now
	if opts.StorageDir == "" {
		opts.StorageDir = t.TempDir()
	}
	f := boxfake.New(opts)
	var h http.Handler = f
	if mw != nil {
		h = mw(f)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := f.Close(); err != nil {
			t.Errorf("fake Close: %v", err)
		}
	})
	t.Cleanup(func() {
		if u := f.Unhandled(); len(u) > 0 {
			t.Errorf("client used unmodelled routes: %v", u)
		}
	})
	tok := f.IssueToken().Access
	c := box.New(box.Options{
		APIBase:    srv.URL + "/2.0",
		UploadBase: srv.URL + "/api/2.0",
		OAuthBase:  srv.URL,
		Auth:       staticAuth{tok},
		Pacer:      &httpx.Pacer{Limit: box.RateLimit, Window: box.RateWindow, Now: clk.Now, Sleep: clk.Sleep},
		Sleep:      clk.Sleep,
		TempDir:    t.TempDir(),
	})
	return &env{fake: f, srv: srv, clock: clk, token: tok, c: c}
}

func TestMeReturnsTheConnectedUser(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	e.fake.SetUser(box.User{ID: "42", Name: "Ada Lovelace", Login: "ada@firm.example"})
	id, err := e.c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (box.Identity{ID: "42", Name: "Ada Lovelace", Email: "ada@firm.example"}); id != want {
		t.Fatalf("Me = %+v, want %+v", id, want)
	}
}

func TestRevokeKillsTheToken(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	if err := e.c.Revoke(ctx, "wrong", "creds", e.token); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("revoke with bad client: %v", err)
	}
	if err := e.c.Revoke(ctx, "sandbox-box-client", "sandbox-box-secret", e.token); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.Me(ctx)
	if !httpx.IsReconnect(err) {
		t.Fatalf("Me after revoke: %v, want a reconnect error", err)
	}
}

func TestEndpoints(t *testing.T) {
	real := box.Endpoints("")
	if real.AuthURL != "https://account.box.com/api/oauth2/authorize" ||
		real.TokenURL != "https://api.box.com/oauth2/token" ||
		real.RevokeURL != "https://api.box.com/oauth2/revoke" ||
		real.PKCE || real.BasicAuth || real.Refresh != "rotating" {
		t.Fatalf("real endpoints: %+v", real)
	}
	fake := box.Endpoints("http://127.0.0.1:5555/")
	if fake.AuthURL != "http://127.0.0.1:5555/api/oauth2/authorize" || fake.TokenURL != "http://127.0.0.1:5555/oauth2/token" ||
		fake.RevokeURL != "http://127.0.0.1:5555/oauth2/revoke" {
		t.Fatalf("fake endpoints: %+v", fake)
	}
}

func TestRateLimitIsWaitedOut(t *testing.T) {
	e := newEnv(t, boxfake.Options{RateLimit: 3, RateWindow: 10 * time.Second}, nil)
	ctx := context.Background()
	for i := range 7 {
		if _, err := e.c.Folder(ctx, "0"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if n := e.c.HTTP().RateLimited(); n < 2 {
		t.Fatalf("%d 429s, want at least 2", n)
	}
	var waited time.Duration
	for _, d := range e.clock.Sleeps() {
		waited += d
	}
	if waited < 10*time.Second {
		t.Fatalf("waited %v in total, want at least one 10 s window", waited)
	}
}

func TestDecodeError(t *testing.T) {
	wa := http.Header{"Www-Authenticate": {`Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`}}
	cases := []struct {
		name      string
		status    int
		h         http.Header
		body      string
		code, msg string
	}{
		{"client error", 404, nil, `{"type":"error","status":404,"code":"not_found","message":"Not Found","request_id":"abc"}`, "not_found", "Not Found"},
		{"conflict", 409, nil, `{"type":"error","status":409,"code":"item_name_in_use","message":"Item with the same name already exists","context_info":{"conflicts":[{"type":"folder","id":"1"}]}}`, "item_name_in_use", "Item with the same name already exists"},
		{"oauth", 400, nil, `{"error":"invalid_grant","error_description":"Invalid refresh token"}`, "invalid_grant", "invalid_grant: Invalid refresh token"},
		{"empty 401", 401, wa, ``, "invalid_token", "The access token provided is invalid."},
		{"garbage", 500, nil, `<html>oops</html>`, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := box.DecodeError(tc.status, tc.h, []byte(tc.body))
			if code != tc.code || msg != tc.msg {
				t.Fatalf("got (%q, %q), want (%q, %q)", code, msg, tc.code, tc.msg)
			}
		})
	}
}

func TestForbiddenNamesWhatIsMissing(t *testing.T) {
	cases := map[string]string{
		"insufficient_scope":                     "scope",
		"access_denied_insufficient_permissions": "Editor",
		"storage_limit_exceeded":                 "",
	}
	for code, want := range cases {
		got := box.Permission(nil, []byte(`{"type":"error","status":403,"code":"`+code+`","message":"nope"}`))
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("Permission(%s) = %q, want something with %q", code, got, want)
		}
	}
	h := http.Header{"Www-Authenticate": {`Bearer realm="Service", error="insufficient_scope", scope="manage_webhook"`}}
	if got := box.Permission(h, nil); got != "manage_webhook" {
		t.Errorf("Permission from WWW-Authenticate = %q", got)
	}
	// End to end: httpx puts it in the error.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"type":"error","status":403,"code":"access_denied_insufficient_permissions","message":"Access denied - insufficient permission"}`)
	}))
	defer srv.Close()
	c := box.New(box.Options{APIBase: srv.URL + "/2.0", Auth: staticAuth{"t"}})
	_, err := c.Folder(context.Background(), "7")
	if httpx.KindOf(err) != httpx.KindForbidden || !strings.Contains(err.Error(), "Editor") ||
		!strings.Contains(err.Error(), "insufficient permission") {
		t.Fatalf("got %v", err)
	}
}

func TestErrorsKeepKindThroughWrapping(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	_, err := e.c.File(context.Background(), "999")
	if !errors.Is(err, box.ErrNotFound) || httpx.KindOf(err) != httpx.KindNotFound || !strings.HasPrefix(err.Error(), "box: getting file 999: ") {
		t.Fatalf("got %v", err)
	}
}
