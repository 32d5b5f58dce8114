package smokeball_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

func TestHostsNameEachRegion(t *testing.T) {
	for _, tt := range []struct{ region, api, auth string }{
		{"us", "https://api.smokeball.com", "https://auth.smokeball.com"},
		{"", "https://api.smokeball.com", "https://auth.smokeball.com"},
		{"AU", "https://api.smokeball.com.au", "https://auth.smokeball.com.au"},
		{"uk", "https://api.smokeball.co.uk", "https://auth.smokeball.co.uk"},
	} {
		api, auth, err := smokeball.Hosts(tt.region)
		if err != nil || api != tt.api || auth != tt.auth {
			t.Errorf("Hosts(%q) = %q, %q, %v; want %q, %q", tt.region, api, auth, err, tt.api, tt.auth)
		}
	}
	if _, _, err := smokeball.Hosts("eu"); err == nil {
		t.Error("Hosts(eu): no error")
	}
}

func TestEndpointsDescribeCognito(t *testing.T) {
	got := smokeball.Endpoints("https://auth.smokeball.com.au/")
	if got.AuthURL != "https://auth.smokeball.com.au/oauth2/authorize" || got.TokenURL != "https://auth.smokeball.com.au/oauth2/token" ||
		!got.PKCE || !got.BasicAuth || got.Refresh != "reusable" {
		t.Fatalf("Endpoints = %+v", got)
	}
	if d := smokeball.Endpoints(""); d.AuthURL != "https://auth.smokeball.com/oauth2/authorize" {
		t.Fatalf("default AuthURL %q", d.AuthURL)
	}
}

func TestTicksRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		t     time.Time
		ticks int64
	}{
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 621355968000000000},
		{time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), 10_000_000},
		{time.Time{}, 0},
	} {
		if got := smokeball.Ticks(tt.t); got != tt.ticks {
			t.Errorf("Ticks(%v) = %d, want %d", tt.t, got, tt.ticks)
		}
		if got := smokeball.FromTicks(tt.ticks); !got.Equal(tt.t) {
			t.Errorf("FromTicks(%d) = %v, want %v", tt.ticks, got, tt.t)
		}
	}
	// unix_ms·10⁴ + epoch, the facts' formula, agrees at millisecond precision.
	now := time.Now().Truncate(time.Millisecond)
	if smokeball.Ticks(now) != now.UnixMilli()*10_000+621355968000000000 {
		t.Error("Ticks disagrees with unix_ms·10⁴ + 621355968000000000")
	}
}

func TestMeReturnsTheFirm(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	id, name := e.fake.Firm()
	got, err := e.c.Me(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id || got.Name != name || id == "" {
		t.Fatalf("Me = %+v, want %s %q", got, id, name)
	}
	r := e.requests("/firm")
	if len(r) != 1 || r[0].Header.Get("x-api-key") != e.fake.APIKey() || r[0].Header.Get("Authorization") != "Bearer "+e.tok.Access {
		t.Fatalf("GET /firm headers %+v", r)
	}
}

func TestEveryCallNeedsKeyAndToken(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{APIKey: "wrong-key-secret"})
	_, err := e.c.Me(t.Context())
	if httpx.StatusOf(err) != http.StatusForbidden || httpx.KindOf(err) != httpx.KindForbidden {
		t.Fatalf("wrong key: %v, want 403", err)
	}
	if strings.Contains(err.Error(), "wrong-key-secret") {
		t.Fatalf("the error leaks the API key: %v", err)
	}
	for _, tt := range []struct {
		name   string
		hdr    http.Header
		status int
	}{
		{"no key", http.Header{"X-Api-Key": {""}}, http.StatusForbidden},
		{"no token", http.Header{"Authorization": {""}}, http.StatusUnauthorized},
		{"bad token", http.Header{"Authorization": {"Bearer nope"}}, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := e.raw("GET", "/contacts", nil, tt.hdr)
			if status != tt.status || !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") || !strings.Contains(string(body), `"status":`) {
				t.Fatalf("%d %s %s", status, h.Get("Content-Type"), body)
			}
		})
	}
}

func TestAccountPrefixIsServed(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	id, _ := e.fake.Firm()
	if status, _, body := e.raw("GET", "/"+id+"/contacts", nil, nil); status != 200 {
		t.Fatalf("own account: %d %s", status, body)
	}
	if status, _, _ := e.raw("GET", "/00000000-0000-4000-8000-000000000000/contacts", nil, nil); status != 403 {
		t.Fatalf("other account: %d, want 403", status)
	}
}

func TestMissingRecordsAreErrNotFound(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	ctx := t.Context()
	const missing = "5b0c59a8-0000-4000-8000-000000000000"
	_, errM := e.c.Matter(ctx, missing)
	_, errC := e.c.Contact(ctx, missing)
	errW := e.c.DeleteWebhook(ctx, missing)
	_, _, errD := e.c.Download(ctx, missing, missing)
	for _, err := range []error{errM, errC, errW, errD} {
		if !errors.Is(err, smokeball.ErrNotFound) || httpx.KindOf(err) != httpx.KindNotFound {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	}
}

// tokenAuth refreshes through the fake's token endpoint as core/auth
// would: Basic client auth, form body, the old refresh token kept when the
// reply has none.
type tokenAuth struct {
	mu                    sync.Mutex
	tokenURL              string
	clientID, secret      string
	access, refresh       string
	refreshes             int
	repliedRefreshPresent bool
}

func (a *tokenAuth) Token(context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.access, nil
}

func (a *tokenAuth) Refresh(ctx context.Context, _ string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {a.clientID}, "refresh_token": {a.refresh}}
	req, _ := http.NewRequestWithContext(ctx, "POST", a.tokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(a.clientID, a.secret)
	var tr smokeball.TokenResponse
	hc := httpx.New(httpx.Options{Platform: "smokeball"})
	if err := hc.DoJSON(ctx, &httpx.Request{Method: "POST", URL: a.tokenURL, Header: req.Header, Body: []byte(form.Encode())}, &tr); err != nil {
		return "", err
	}
	a.refreshes++
	a.repliedRefreshPresent = tr.RefreshToken != ""
	a.access = tr.AccessToken
	if tr.RefreshToken != "" {
		a.refresh = tr.RefreshToken
	}
	return a.access, nil
}

func TestExpiredTokenIsRefreshedAndTheRefreshTokenKept(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{ClientID: "app", ClientSecret: "shh"}, smokeball.Options{})
	auth := &tokenAuth{tokenURL: smokeball.Endpoints(e.srv.URL).TokenURL, clientID: "app", secret: "shh", access: e.tok.Access, refresh: e.tok.Refresh}
	c := smokeball.New(smokeball.Options{APIBase: e.srv.URL, APIKey: e.fake.APIKey(), HTTPClient: e.srv.Client(), Auth: auth, Pacer: &httpx.Pacer{}})
	e.fake.ExpireTokens()
	if _, err := c.Me(t.Context()); err != nil {
		t.Fatal(err)
	}
	if auth.refreshes != 1 || auth.repliedRefreshPresent || auth.refresh != e.tok.Refresh || auth.access == e.tok.Access {
		t.Fatalf("refreshes %d, reply carried refresh token %v, kept %v", auth.refreshes, auth.repliedRefreshPresent, auth.refresh == e.tok.Refresh)
	}
	e.fake.ExpireTokens()
	if _, err := c.Me(t.Context()); err != nil || auth.refreshes != 2 {
		t.Fatalf("second refresh with the same refresh token: %v (%d refreshes)", err, auth.refreshes)
	}
	e.fake.ExpireRefreshTokens()
	e.fake.ExpireTokens()
	if _, err := c.Me(t.Context()); err == nil {
		t.Fatal("an expired refresh token still worked")
	}
}

// TestRateLimitRetryAfterIsHonoured: the fake's bucket (5, refilled 5 a
// second) runs dry; the client waits out Retry-After on the shared virtual
// clock and finishes.
func TestRateLimitRetryAfterIsHonoured(t *testing.T) {
	clk := newClock()
	e := newEnv(t, smokeballfake.Options{Now: clk.Now, RateLimit: 5, RateWindow: time.Second},
		smokeball.Options{Sleep: clk.Sleep, Pacer: &httpx.Pacer{Now: clk.Now, Sleep: clk.Sleep}})
	for range 5 { // another client of the same app spends the burst
		if status, _, body := e.raw("GET", "/firm", nil, nil); status != 200 {
			t.Fatalf("burn: %d %s", status, body)
		}
	}
	status, h, body := e.raw("GET", "/firm", nil, nil)
	if status != 429 || h.Get("Retry-After") != "1" || !strings.Contains(string(body), `"status":429`) {
		t.Fatalf("6th request: %d Retry-After %q %s", status, h.Get("Retry-After"), body)
	}
	start := clk.Now()
	if _, err := e.c.Me(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e.c.HTTP().RateLimited() != 1 || clk.Now().Sub(start) < time.Second {
		t.Fatalf("%d 429s, waited %v", e.c.HTTP().RateLimited(), clk.Now().Sub(start))
	}
}

func TestDefaultPacerKeepsFivePerSecond(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{RateLimit: 5, RateWindow: time.Second}, smokeball.Options{})
	c := smokeball.New(smokeball.Options{APIBase: e.srv.URL, APIKey: e.fake.APIKey(), HTTPClient: e.srv.Client(), Auth: staticAuth(e.tok.Access)})
	for range 9 {
		if _, err := c.Me(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if c.HTTP().RateLimited() != 0 {
		t.Fatalf("%d 429s with the default pacer", c.HTTP().RateLimited())
	}
}

// TestPagingNeverLeavesTheAPIHost: a next link elsewhere would get the
// bearer token and API key; the client refuses it.
func TestPagingNeverLeavesTheAPIHost(t *testing.T) {
	var leaked atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked.Add(1) }))
	t.Cleanup(evil.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"offset":0,"limit":1,"size":2,"value":[{"id":"a"}],"next":{"href":%q}}`, evil.URL+"/contacts?offset=1")
	}))
	t.Cleanup(api.Close)
	c := smokeball.New(smokeball.Options{APIBase: api.URL, APIKey: "k", HTTPClient: api.Client(), Auth: staticAuth("tok"), Pacer: &httpx.Pacer{}})
	n := 0
	err := c.Contacts(t.Context(), smokeball.ContactQuery{}, func(smokeball.Contact) error { n++; return nil })
	if err == nil || n != 1 || leaked.Load() != 0 {
		t.Fatalf("err %v after %d contacts, %d requests to the other host", err, n, leaked.Load())
	}
}

func TestDecodeErrorReadsEveryShape(t *testing.T) {
	for _, tt := range []struct{ name, body, code, msg string }{
		{"problem", `{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"detail":"See the errors field for details.","errors":{"status":["The status is required."]}}`,
			"https://tools.ietf.org/html/rfc7231#section-6.5.1", "One or more validation errors occurred. See the errors field for details. (status: The status is required.)"},
		{"gateway", `{"message":"Forbidden"}`, "", "Forbidden"},
		{"oauth", `{"error":"invalid_grant"}`, "invalid_grant", ""},
		{"not json", `<html/>`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := smokeball.DecodeError(400, nil, []byte(tt.body))
			if code != tt.code || msg != tt.msg {
				t.Fatalf("DecodeError = %q, %q; want %q, %q", code, msg, tt.code, tt.msg)
			}
		})
	}
}
