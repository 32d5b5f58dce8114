package clio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/httpx"
)

// vclock is a virtual clock shared by the fake, the pacer and the client's
// sleeps: waiting advances it at once, so rate tests run instantly and
// exactly.
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
	fake *cliofake.Server
	srv  *httptest.Server
	c    *clio.Client
	clk  *vclock
	tok  cliofake.Token

	mu     sync.Mutex                  // guards reqs and before
	reqs   []seen                      // every request, in order
	before func(r *http.Request) error // runs before the fake sees a request; an error answers 599
}

// newEnv starts the fake on loopback (virtual clock, a high rate limit
// unless fo says otherwise) and a client for it.
func newEnv(t *testing.T, fo cliofake.Options, co clio.Options) *env {
	t.Helper()
	e := &env{t: t, clk: newClock()}
	if fo.Now == nil {
		fo.Now = e.clk.Now
	}
	if fo.RateLimit == 0 {
		fo.RateLimit = 1_000_000
	}
	e.fake = cliofake.New(fo)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.reqs = append(e.reqs, seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()})
		before := e.before
		e.mu.Unlock()
		if before != nil {
			if err := before(r); err != nil {
				http.Error(w, err.Error(), 599)
				return
			}
		}
		e.fake.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.srv.Close()
		e.fake.Close()
	})
	e.tok = e.fake.IssueToken()
	co.APIBase = e.srv.URL + "/api/v4"
	co.OAuthBase = e.srv.URL
	if co.HTTPClient == nil {
		co.HTTPClient = e.srv.Client()
	}
	if co.Auth == nil {
		co.Auth = staticAuth(e.tok.Access)
	}
	if co.Pacer == nil {
		co.Pacer = &httpx.Pacer{Now: e.clk.Now, Sleep: e.clk.Sleep}
	}
	if co.Sleep == nil {
		co.Sleep = e.clk.Sleep
	}
	e.c = clio.New(co)
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

func (e *env) setBefore(f func(r *http.Request) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.before = f
}

// raw sends a GET with the env's token, bypassing the client.
func (e *env) raw(path string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.tok.Access)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestHostsNameEachRegion(t *testing.T) {
	for _, tt := range []struct {
		region, api, oauth string
	}{
		{"us", "https://app.clio.com/api/v4", "https://app.clio.com"},
		{"", "https://app.clio.com/api/v4", "https://app.clio.com"},
		{"EU", "https://eu.app.clio.com/api/v4", "https://eu.app.clio.com"},
		{"ca", "https://ca.app.clio.com/api/v4", "https://ca.app.clio.com"},
		{"au", "https://au.app.clio.com/api/v4", "https://au.app.clio.com"},
	} {
		api, oauth, err := clio.Hosts(tt.region)
		if err != nil || api != tt.api || oauth != tt.oauth {
			t.Errorf("Hosts(%q) = %q, %q, %v; want %q, %q", tt.region, api, oauth, err, tt.api, tt.oauth)
		}
	}
	if _, _, err := clio.Hosts("uk"); err == nil {
		t.Error("Hosts(uk): no error")
	}
}

func TestEndpointsDescribeClioOAuth(t *testing.T) {
	got := clio.Endpoints("https://eu.app.clio.com/")
	if got.AuthURL != "https://eu.app.clio.com/oauth/authorize" || got.TokenURL != "https://eu.app.clio.com/oauth/token" ||
		got.RevokeURL != "https://eu.app.clio.com/oauth/deauthorize" || got.PKCE || got.BasicAuth || got.Refresh != "reusable" ||
		got.AuthParams["redirect_on_decline"] != "true" {
		t.Fatalf("Endpoints = %+v", got)
	}
	if d := clio.Endpoints(""); d.AuthURL != clio.DefaultOAuthBase+"/oauth/authorize" {
		t.Fatalf("default AuthURL %q", d.AuthURL)
	}
	if u := clio.ApprovalRedirectURI(""); u != "https://app.clio.com/oauth/approval" {
		t.Fatalf("ApprovalRedirectURI = %q", u)
	}
}

func TestParseApprovalCodeReadsTitleURLOrBareCode(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	_, page := e.raw("/oauth/approval?code=abc123def456")
	for _, tt := range []struct {
		name, in, want string
		ok             bool
	}{
		{"fake approval page", string(page), "abc123def456", true},
		{"title", "Success code=Zx9_-.~q", "Zx9_-.~q", true},
		{"url", "https://app.clio.com/oauth/approval?code=c0de1234&state=s", "c0de1234", true},
		{"bare code", "  0123456789abcdef  ", "0123456789abcdef", true},
		{"nothing", "Access declined", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clio.ParseApprovalCode(tt.in)
			if got != tt.want || (err == nil) != tt.ok {
				t.Fatalf("ParseApprovalCode = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestMeReturnsIdentityAndSendsAPIVersion(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	u := e.fake.WhoAmI()
	id, err := e.c.Me(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if id.ID != fmt.Sprint(u.ID) || id.Name != u.Name || id.Email != u.Email || id.Email == "" {
		t.Fatalf("Me = %+v, fake user %+v", id, u)
	}
	r := e.requests("/api/v4/users/who_am_i.json")
	if len(r) != 1 || r[0].Header.Get("X-API-VERSION") != clio.APIVersion || r[0].Query.Get("fields") != "id,name,email" {
		t.Fatalf("who_am_i request %+v", r)
	}
}

func TestRevokeEndsTheGrant(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	if err := e.c.Revoke(t.Context(), e.tok.Access); err != nil {
		t.Fatal(err)
	}
	r := e.requests("/oauth/deauthorize")
	if len(r) != 1 || r[0].Header.Get("Authorization") != "Bearer "+e.tok.Access {
		t.Fatalf("deauthorize request %+v", r)
	}
	if _, err := e.c.Me(t.Context()); !httpx.IsReconnect(err) {
		t.Fatalf("Me after revoke: %v, want a reconnect error", err)
	}
	if err := e.c.Revoke(t.Context(), e.tok.Access); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestDecodeErrorReadsBothShapes(t *testing.T) {
	for _, tt := range []struct {
		name, body, code, msg string
	}{
		{"api", `{"error":{"type":"RecordNotFound","message":"The requested record could not be found"}}`, "RecordNotFound", "The requested record could not be found"},
		{"oauth", `{"error":"invalid_token","error_description":"The access token provided is expired"}`, "invalid_token", "The access token provided is expired"},
		{"not json", `<html>oops</html>`, "", ""},
		{"empty", ``, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := clio.DecodeError(400, nil, []byte(tt.body))
			if code != tt.code || msg != tt.msg {
				t.Fatalf("DecodeError = %q, %q; want %q, %q", code, msg, tt.code, tt.msg)
			}
		})
	}
}

func TestMissingRecordsAreErrNotFound(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	ctx := t.Context()
	_, errM := e.c.Matter(ctx, 999)
	_, errC := e.c.Contact(ctx, 999)
	errW := e.c.DeleteWebhook(ctx, 999)
	for _, err := range []error{errM, errC, errW} {
		if !errors.Is(err, clio.ErrNotFound) || httpx.KindOf(err) != httpx.KindNotFound {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
		if err != nil && !strings.Contains(err.Error(), "could not be found") {
			t.Errorf("err %q lacks Clio's message", err)
		}
	}
}

// TestEveryRequestNamesFields guards against Clio's default-fields trap:
// without `fields` a record is only id and etag.
func TestEveryRequestNamesFields(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	ctx := t.Context()
	e.fake.CreateContact(cliofake.ContactInput{FirstName: "Ana", LastName: "Ruiz", Email: "ana@example.com", Phone: "555-010-2000"})

	// The trap itself.
	_, b := e.raw("/api/v4/contacts.json")
	if !strings.Contains(string(b), `"etag"`) || strings.Contains(string(b), `"name"`) {
		t.Fatalf("fake default projection changed: %s", b)
	}
	e.mu.Lock()
	e.reqs = nil // forget the raw request
	e.mu.Unlock()

	var listed []clio.Contact
	if err := e.c.Contacts(ctx, clio.ContactQuery{}, func(c clio.Contact) error { listed = append(listed, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].Name != "Ana Ruiz" || len(listed[0].EmailAddresses) != 1 || listed[0].PrimaryPhoneNumber == nil || listed[0].UpdatedAt.IsZero() {
		t.Fatalf("listed %+v", listed)
	}
	c, err := e.c.CreateContact(ctx, clio.ContactWrite{FirstName: ptr("Bo"), LastName: ptr("Li")})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.c.CreateMatter(ctx, clio.MatterCreate{Description: "Lease", ClientID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Matter(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Matters(ctx, clio.MatterQuery{}, func(clio.Matter) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.PracticeAreas(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Documents(ctx, m.ID, clio.DocumentQuery{}, func(clio.Document) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Notes(ctx, "Matter", m.ID, func(clio.Note) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.requests("/api/v4/") {
		if r.Header.Get("X-API-VERSION") != clio.APIVersion {
			t.Errorf("%s %s without X-API-VERSION", r.Method, r.Path)
		}
		if r.Header.Get("Authorization") == "Bearer "+e.tok.Access && r.Query.Get("fields") == "" && r.Method != http.MethodDelete {
			t.Errorf("%s %s names no fields", r.Method, r.Path)
		}
	}
}

// TestRateLimitedRequestsAreRetried: a 429 (the budget spent elsewhere on
// the same token) is waited out with Retry-After, not a failure.
func TestRateLimitedRequestsAreRetried(t *testing.T) {
	e := newEnv(t, cliofake.Options{RateLimit: 3, RateWindow: 200 * time.Millisecond}, clio.Options{PageSize: 2})
	for i := range 10 {
		e.fake.CreateContact(cliofake.ContactInput{FirstName: "P", LastName: fmt.Sprint(i)})
	}
	for range 3 { // another client spends the window
		if resp, b := e.raw("/api/v4/users/who_am_i.json"); resp.StatusCode != 200 {
			t.Fatalf("burn: %d %s", resp.StatusCode, b)
		}
	}
	start := e.clk.Now()
	n := 0
	if err := e.c.Contacts(t.Context(), clio.ContactQuery{}, func(clio.Contact) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 10 || e.c.HTTP().RateLimited() < 1 {
		t.Fatalf("got %d contacts, %d 429s; want 10 and at least one 429", n, e.c.HTTP().RateLimited())
	}
	if waited := e.clk.Now().Sub(start); waited < time.Second {
		t.Fatalf("waited %v; Retry-After said 1 s", waited)
	}
}

// TestPacerKeepsCloseToAllowedRate reads 2,000 contacts four per page
// (500 requests, ten windows of 50) on the virtual clock. Rate = requests
// beyond the first window's budget per second elapsed, over the allowed
// limit per window: a perfect client scores 100%.
//
// X-RateLimit-Reset is whole Unix seconds (Clio's and the fake's), so a
// header-driven pacer loses up to a second per window: fine for Clio's
// minute, hopeless for sub-second sandbox windows (the 200 ms row shows
// it and is not asserted).
func TestPacerKeepsCloseToAllowedRate(t *testing.T) {
	for _, tt := range []struct {
		name     string
		window   time.Duration
		minRatio float64 // 0: informational
	}{
		{"clio 50 per minute", time.Minute, 0.90},
		{"sandbox 50 per 15 s", 15 * time.Second, 0.90},
		{"sandbox 50 per 200 ms (whole-second resets)", 200 * time.Millisecond, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const limit, contacts, pageSize = 50, 2000, 4
			e := newEnv(t, cliofake.Options{RateLimit: limit, RateWindow: tt.window}, clio.Options{PageSize: pageSize})
			for i := range contacts {
				if _, err := e.fake.CreateContact(cliofake.ContactInput{FirstName: "P", LastName: fmt.Sprint(i)}); err != nil {
					t.Fatal(err)
				}
			}
			start := e.clk.Now()
			n := 0
			if err := e.c.Contacts(t.Context(), clio.ContactQuery{}, func(clio.Contact) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			elapsed := e.clk.Now().Sub(start)
			reqs, limited := e.c.HTTP().Requests(), e.c.HTTP().RateLimited()
			allowed := float64(limit) / tt.window.Seconds()
			achieved := float64(reqs-limited-limit) / elapsed.Seconds()
			ratio := achieved / allowed
			t.Logf("%d contacts, %d requests, %d×429 (%.2f%%), %v virtual: %.3f req/s of %.3f allowed = %.1f%%",
				n, reqs, limited, 100*float64(limited)/float64(reqs), elapsed, achieved, allowed, 100*ratio)
			if n != contacts {
				t.Fatalf("read %d contacts, want %d", n, contacts)
			}
			if tt.minRatio == 0 {
				return
			}
			if ratio < tt.minRatio {
				t.Errorf("achieved %.1f%% of the allowed rate, want ≥ %.0f%%", 100*ratio, 100*tt.minRatio)
			}
			if limited*100 > reqs {
				t.Errorf("%d of %d requests were 429s, want ≤ 1%%", limited, reqs)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestPagingNeverLeavesTheAPIHost: a meta.paging.next elsewhere would get
// the bearer token; the client refuses it.
func TestPagingNeverLeavesTheAPIHost(t *testing.T) {
	var leaked atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
	}))
	t.Cleanup(evil.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"data":[{"id":1,"name":"A"}],"meta":{"paging":{"next":%q}}}`, evil.URL+"/api/v4/contacts.json?page_token=x")
	}))
	t.Cleanup(api.Close)
	c := clio.New(clio.Options{APIBase: api.URL + "/api/v4", HTTPClient: api.Client(), Auth: staticAuth("tok")})
	n := 0
	err := c.Contacts(t.Context(), clio.ContactQuery{}, func(clio.Contact) error { n++; return nil })
	if err == nil || n != 1 || leaked.Load() != 0 {
		t.Fatalf("err %v after %d contacts, %d requests to the other host", err, n, leaked.Load())
	}
}
