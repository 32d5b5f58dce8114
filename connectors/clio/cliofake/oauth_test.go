package cliofake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

const invalidTokenBody = `{"error":"invalid_token","error_description":"The access token provided is expired, revoked, malformed or invalid for other reasons."}`

func (e *env) form(path string, vals url.Values, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// authorize runs the consent page's Allow and returns the Location.
func (e *env) authorize(redirect, decision string, extra ...string) *http.Response {
	e.t.Helper()
	v := url.Values{"response_type": {"code"}, "client_id": {"sandbox-clio-client"}, "redirect_uri": {redirect}, "state": {"st8"}, "decision": {decision}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	resp, _ := e.form("/oauth/authorize", v)
	return resp
}

func (e *env) codeFrom(resp *http.Response) string {
	e.t.Helper()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	u, _ := url.Parse(resp.Header.Get("Location"))
	if u.Query().Get("state") != "st8" || u.Query().Get("code") == "" {
		e.t.Fatalf("authorize redirect %s lacks code/state", u)
	}
	return u.Query().Get("code")
}

func TestOAuthAuthorizationCodeFlow(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	redirect := "http://127.0.0.1:9999/callback"

	resp, page := e.do(http.MethodGet, "/oauth/authorize?"+url.Values{"response_type": {"code"}, "client_id": {"sandbox-clio-client"}, "redirect_uri": {redirect}, "state": {"st8"}}.Encode(), nil)
	if resp.StatusCode != 200 || !strings.Contains(string(page), `value="allow"`) || !strings.Contains(string(page), `value="deny"`) || !strings.Contains(string(page), `action="/oauth/authorize"`) {
		t.Fatalf("authorize page: %d %s", resp.StatusCode, page)
	}
	code := e.codeFrom(e.authorize(redirect, "allow"))

	tokenForm := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"sandbox-clio-client"}, "client_secret": {"sandbox-clio-secret"}, "redirect_uri": {redirect}}
	resp, body := e.form("/oauth/token", tokenForm)
	var tr clio.TokenResponse
	json.Unmarshal(body, &tr)
	if resp.StatusCode != 200 || tr.TokenType != "bearer" || tr.ExpiresIn != 2592000 || tr.AccessToken == "" || tr.RefreshToken == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	// Codes are single-use.
	if resp, body := e.form("/oauth/token", tokenForm); resp.StatusCode != 400 || !strings.Contains(string(body), `"invalid_grant"`) {
		t.Fatalf("code reuse: %d %s", resp.StatusCode, body)
	}
	e.tok.Access = tr.AccessToken
	e.expect(200, "GET", "/api/v4/users/who_am_i.json", nil)

	// Refresh: no new refresh token; the refresh token is reusable.
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "client_id": {"sandbox-clio-client"}, "client_secret": {"sandbox-clio-secret"}}
	for i := 0; i < 2; i++ {
		resp, body = e.form("/oauth/token", refresh)
		var rr map[string]any
		json.Unmarshal(body, &rr)
		if _, has := rr["refresh_token"]; resp.StatusCode != 200 || has || rr["expires_in"] != float64(2592000) {
			t.Fatalf("refresh: %d %s", resp.StatusCode, body)
		}
		e.tok.Access = rr["access_token"].(string)
	}
	e.expect(200, "GET", "/api/v4/users/who_am_i.json", nil)

	// Wrong secret.
	bad := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "client_id": {"sandbox-clio-client"}, "client_secret": {"nope"}}
	if resp, body := e.form("/oauth/token", bad); resp.StatusCode != 401 || !strings.Contains(string(body), "invalid_client") {
		t.Fatalf("bad secret: %d %s", resp.StatusCode, body)
	}

	// Deauthorize kills the access and refresh token.
	resp, body = e.form("/oauth/deauthorize", url.Values{"token": {e.tok.Access}}, "Authorization", "Bearer "+e.tok.Access)
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Fatalf("deauthorize: %d %q", resp.StatusCode, body)
	}
	resp, body = e.do("GET", "/api/v4/users/who_am_i.json", nil)
	if resp.StatusCode != 401 || strings.TrimSpace(string(body)) != invalidTokenBody {
		t.Fatalf("after deauthorize: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.form("/oauth/token", refresh); resp.StatusCode != 400 {
		t.Fatalf("refresh after deauthorize: %d", resp.StatusCode)
	}
}

func TestOAuthDecline(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	redirect := "http://localhost:8080/cb"
	resp := e.authorize(redirect, "deny", "redirect_on_decline", "true")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st8" || loc.Query().Get("code") != "" {
		t.Fatalf("decline redirect: %d %s", resp.StatusCode, loc)
	}
	resp, body := e.form("/oauth/authorize", url.Values{"response_type": {"code"}, "client_id": {"sandbox-clio-client"}, "redirect_uri": {redirect}, "decision": {"deny"}})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "declined") {
		t.Fatalf("decline page: %d %s", resp.StatusCode, body)
	}
}

func TestOAuthRedirectURIs(t *testing.T) {
	e := newEnv(t, cliofake.Options{RedirectURIs: []string{"https://firmsync.example/cb"}})
	tests := []struct {
		uri  string
		want int
	}{
		{"https://firmsync.example/cb", 302},
		{"https://firmsync.example/cb?extra=1", 302},
		{"https://firmsync.example/other", 400},
		{"http://127.0.0.1:1234/cb", 400},
		{cliofake.ApprovalURI, 302},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			if got := e.authorize(tt.uri, "allow").StatusCode; got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
		})
	}
}

func TestOAuthApprovalPage(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	resp := e.authorize(cliofake.ApprovalURI, "allow")
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, e.srv.URL+"/oauth/approval?") {
		t.Fatalf("approval redirect %q", loc)
	}
	code := e.codeFrom(resp)
	r, page := e.do("GET", loc, nil)
	if r.StatusCode != 200 || !strings.Contains(string(page), "<title>Success code="+code+"</title>") {
		t.Fatalf("approval page: %s", page)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"sandbox-clio-client"}, "client_secret": {"sandbox-clio-secret"}, "redirect_uri": {cliofake.ApprovalURI}}
	if r, b := e.form("/oauth/token", form); r.StatusCode != 200 {
		t.Fatalf("token: %d %s", r.StatusCode, b)
	}
}

func TestOAuthCodeExpires(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	redirect := "http://127.0.0.1:9/cb"
	code := e.codeFrom(e.authorize(redirect, "allow"))
	e.clock.Advance(10*time.Minute + time.Second)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"sandbox-clio-client"}, "client_secret": {"sandbox-clio-secret"}, "redirect_uri": {redirect}}
	if r, b := e.form("/oauth/token", form); r.StatusCode != 400 || !strings.Contains(string(b), "invalid_grant") {
		t.Fatalf("expired code: %d %s", r.StatusCode, b)
	}
}

func TestTokenExpiryAndRevocation(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	tests := []struct {
		name  string
		setup func()
	}{
		{"unknown", func() { e.tok.Access = "bogus" }},
		{"expired by admin", func() { e.fake.ExpireTokens() }},
		{"expired after 30 days", func() { e.clock.Advance(30 * 24 * time.Hour) }},
		{"revoked", func() { e.fake.RevokeTokens() }},
		{"missing", func() { e.tok.Access = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.tok = e.fake.IssueToken()
			e.expect(200, "GET", "/api/v4/users/who_am_i.json", nil)
			tt.setup()
			resp, body := e.do("GET", "/api/v4/matters.json", nil)
			if resp.StatusCode != 401 || strings.TrimSpace(string(body)) != invalidTokenBody {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		})
	}
	// Refresh still works after ExpireTokens.
	e.tok = e.fake.IssueToken()
	e.fake.ExpireTokens()
	r, b := e.form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.tok.Refresh}, "client_id": {"sandbox-clio-client"}, "client_secret": {"sandbox-clio-secret"}})
	if r.StatusCode != 200 {
		t.Fatalf("refresh after expiry: %d %s", r.StatusCode, b)
	}
}
