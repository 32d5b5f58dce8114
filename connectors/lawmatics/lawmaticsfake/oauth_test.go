package lawmaticsfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

const redirect = "http://127.0.0.1:53682/callback"

// authorize runs the consent page with the given decision and returns the redirect.
func authorize(t *testing.T, e *env, decision string) *url.URL {
	t.Helper()
	q := url.Values{"client_id": {"sandbox-lawmatics-client"}, "redirect_uri": {redirect}, "response_type": {"code"}, "state": {"xyz"}}
	resp, b := e.send(must(http.NewRequest("GET", e.srv.URL+"/oauth/authorize?"+q.Encode(), nil)))
	if resp.StatusCode != 200 || !strings.Contains(string(b), `value="allow"`) || !strings.Contains(string(b), `value="deny"`) {
		t.Fatalf("consent page: %d %s", resp.StatusCode, b)
	}
	q.Set("decision", decision)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(e.srv.URL+"/oauth/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("decision: %d", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(u.String(), redirect+"?") {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	return u
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func tokenRequest(t *testing.T, e *env, asJSON bool, in lawmatics.TokenRequest) (int, map[string]any) {
	t.Helper()
	var req *http.Request
	if asJSON {
		b, _ := json.Marshal(in)
		req = must(http.NewRequest("POST", e.srv.URL+"/oauth/token", strings.NewReader(string(b))))
		req.Header.Set("Content-Type", "application/json")
	} else {
		f := url.Values{"client_id": {in.ClientID}, "client_secret": {in.ClientSecret}, "grant_type": {in.GrantType}, "code": {in.Code}, "redirect_uri": {in.RedirectURI}}
		req = must(http.NewRequest("POST", e.srv.URL+"/oauth/token", strings.NewReader(f.Encode())))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, b := e.send(req)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("token body %q: %v", b, err)
	}
	return resp.StatusCode, m
}

func TestOAuthCodeFlow(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		name := map[bool]string{false: "form", true: "json"}[asJSON]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, lawmaticsfake.Options{})
			u := authorize(t, e, "allow")
			code := u.Query().Get("code")
			if len(code) != 64 || u.Query().Get("state") != "xyz" {
				t.Fatalf("callback %s", u)
			}
			in := lawmatics.TokenRequest{ClientID: "sandbox-lawmatics-client", ClientSecret: "sandbox-lawmatics-secret", GrantType: "authorization_code", Code: code, RedirectURI: redirect}
			status, m := tokenRequest(t, e, asJSON, in)
			if status != 200 || !slices.Equal(keys(m), []string{"access_token", "created_at", "token_type"}) || m["token_type"] != "bearer" ||
				m["created_at"] != float64(e.clock.Now().Unix()) {
				t.Fatalf("token: %d %v", status, m)
			}
			// Single use.
			if status, m := tokenRequest(t, e, asJSON, in); status != 400 || m["error"] != "invalid_grant" {
				t.Fatalf("reused code: %d %v", status, m)
			}
			// No refresh grant.
			if status, m := tokenRequest(t, e, asJSON, lawmatics.TokenRequest{ClientID: in.ClientID, ClientSecret: in.ClientSecret, GrantType: "refresh_token"}); status != 400 || m["error"] != "unsupported_grant_type" {
				t.Fatalf("refresh grant: %d %v", status, m)
			}
			e.token = m["access_token"].(string)
			e.json("GET", "/v1/users/me", nil, 200)
			e.clock.Advance(10 * 365 * 24 * time.Hour) // tokens never expire
			e.fake.ExpireTokens()                      // and ExpireTokens is a no-op
			e.json("GET", "/v1/users/me", nil, 200)
			e.fake.RevokeTokens()
			m = e.json("GET", "/v1/users/me", nil, 401)
			if dig(m, "errors", 0, "status") != float64(401) {
				t.Fatalf("401 body %v", m)
			}
		})
	}
}

func TestOAuthRejections(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	u := authorize(t, e, "deny")
	if u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "xyz" || u.Query().Has("code") {
		t.Fatalf("deny redirect %s", u)
	}
	code := authorize(t, e, "allow").Query().Get("code")
	base := lawmatics.TokenRequest{ClientID: "sandbox-lawmatics-client", ClientSecret: "sandbox-lawmatics-secret", GrantType: "authorization_code", Code: code, RedirectURI: redirect}
	bad := base
	bad.ClientSecret = "wrong"
	if status, m := tokenRequest(t, e, false, bad); status != 401 || m["error"] != "invalid_client" {
		t.Fatalf("bad secret: %d %v", status, m)
	}
	e.clock.Advance(11 * time.Minute)
	if status, m := tokenRequest(t, e, false, base); status != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("expired code: %d %v", status, m)
	}
	for _, q := range []url.Values{
		{"client_id": {"sandbox-lawmatics-client"}, "redirect_uri": {"https://evil.example/cb"}, "response_type": {"code"}},
		{"client_id": {"other"}, "redirect_uri": {redirect}, "response_type": {"code"}},
	} {
		resp, _ := e.send(must(http.NewRequest("GET", e.srv.URL+"/oauth/authorize?"+q.Encode(), nil)))
		if resp.StatusCode != 400 {
			t.Errorf("authorize %v: %d, want 400", q, resp.StatusCode)
		}
	}
	e.token = "not-a-token"
	e.json("GET", "/v1/contacts", nil, 401)
}
