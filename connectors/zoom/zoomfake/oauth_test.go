package zoomfake_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

const redirectURI = "http://127.0.0.1:53682/callback"

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// consent loads the consent page and submits decision; it returns the
// redirect's query.
func (e *env) consent(t *testing.T, q url.Values, decision string) url.Values {
	t.Helper()
	page := e.call(t, http.MethodGet, "/oauth/authorize?"+q.Encode(), "", nil)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(string(page.body), `value="allow"`) || !strings.Contains(string(page.body), `value="deny"`) {
		t.Fatalf("consent page lacks Allow/Deny: %s", page.body)
	}
	f := url.Values{}
	for k, v := range q {
		f[k] = v
	}
	f.Set("decision", decision)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth/authorize", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := do(t, noRedirect, req)
	wantStatus(t, r, http.StatusFound)
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Fatalf("redirected to %s, want %s", got, redirectURI)
	}
	return loc.Query()
}

func authQuery(challenge, method string) url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {"sandbox-zoom-client"}, "redirect_uri": {redirectURI}, "state": {"st-42"}}
	if challenge != "" {
		q.Set("code_challenge", challenge)
	}
	if method != "" {
		q.Set("code_challenge_method", method)
	}
	return q
}

func TestAuthorizationCodePKCE(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	tests := []struct {
		name      string
		challenge string
		method    string
		verifier  string
		wantOK    bool
	}{
		{"S256 success", s256(verifier), "S256", verifier, true},
		{"S256 mismatch", s256(verifier), "S256", verifier + "x", false},
		{"S256 missing verifier", s256(verifier), "S256", "", false},
		{"plain by default", verifier, "", verifier, true},
		{"plain sent as S256 hash fails", verifier, "", s256(verifier), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, zoomfake.Options{})
			q := e.consent(t, authQuery(tt.challenge, tt.method), "allow")
			if q.Get("state") != "st-42" || q.Get("code") == "" {
				t.Fatalf("redirect query %v", q)
			}
			r := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirectURI}, "code_verifier": {tt.verifier}})
			if !tt.wantOK {
				wantStatus(t, r, http.StatusBadRequest)
				var oe zoom.OAuthError
				r.decode(t, &oe)
				if oe.ErrorCode != "invalid_grant" {
					t.Fatalf("error %+v, want invalid_grant", oe)
				}
				return
			}
			wantStatus(t, r, http.StatusOK)
			var tr zoom.TokenResponse
			r.decode(t, &tr)
			if tr.AccessToken == "" || tr.RefreshToken == "" || tr.TokenType != "bearer" || tr.ExpiresIn != 3599 || !strings.Contains(tr.Scope, "cloud_recording:read:list_user_recordings") {
				t.Fatalf("token response %+v", tr)
			}
			me := e.call(t, http.MethodGet, "/v2/users/me", tr.AccessToken, nil)
			wantStatus(t, me, http.StatusOK)

			// The code is single-use.
			again := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirectURI}, "code_verifier": {tt.verifier}})
			wantStatus(t, again, http.StatusBadRequest)
			var oe zoom.OAuthError
			again.decode(t, &oe)
			if oe.ErrorCode != "invalid_request" || !strings.HasPrefix(oe.Reason, "Invalid authorization code") {
				t.Fatalf("reused code: %+v", oe)
			}
		})
	}
}

func TestAuthorizeRequiresChallenge(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	r := do(t, noRedirect, mustReq(t, http.MethodGet, e.srv.URL+"/oauth/authorize?"+authQuery("", "").Encode()))
	wantStatus(t, r, http.StatusFound)
	loc, _ := url.Parse(r.header.Get("Location"))
	if loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "st-42" {
		t.Fatalf("location %s", loc)
	}
}

func TestAuthorizeRejectsUnregisteredRedirect(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	q := authQuery("c", "plain")
	q.Set("redirect_uri", "https://evil.example/cb")
	r := do(t, noRedirect, mustReq(t, http.MethodGet, e.srv.URL+"/oauth/authorize?"+q.Encode()))
	wantStatus(t, r, http.StatusBadRequest)
}

func mustReq(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestAuthorizeDeny(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	q := e.consent(t, authQuery("abc", "plain"), "deny")
	if q.Get("error") != "access_denied" || q.Get("state") != "st-42" || q.Get("code") != "" {
		t.Fatalf("deny redirect %v", q)
	}
}

func TestCodeExpiresAfterFiveMinutes(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	q := e.consent(t, authQuery("v", "plain"), "allow")
	e.clock.Advance(5*time.Minute + time.Second)
	r := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirectURI}, "code_verifier": {"v"}})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestTokenBadClient(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	r := e.form(t, "/oauth/token", "sandbox-zoom-client", "wrong", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.tok.Refresh}})
	wantStatus(t, r, http.StatusUnauthorized)
	var oe zoom.OAuthError
	r.decode(t, &oe)
	if oe.ErrorCode != "invalid_client" {
		t.Fatalf("%+v", oe)
	}
}

func TestRefreshRotation(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	first := e.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.tok.Refresh}})
	wantStatus(t, first, http.StatusOK)
	var tr zoom.TokenResponse
	first.decode(t, &tr)
	if tr.RefreshToken == "" || tr.RefreshToken == e.tok.Refresh || tr.AccessToken == e.tok.Access {
		t.Fatalf("not rotated: %+v", tr)
	}
	old := e.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.tok.Refresh}})
	wantStatus(t, old, http.StatusBadRequest)
	var oe zoom.OAuthError
	old.decode(t, &oe)
	if oe != (zoom.OAuthError{Reason: "Invalid Token!", ErrorCode: "invalid_grant"}) {
		t.Fatalf("old refresh token: %+v", oe)
	}
	next := e.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}})
	wantStatus(t, next, http.StatusOK)
}

func TestAccessTokenLifetime(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	wantStatus(t, e.get(t, "/v2/users/me"), http.StatusOK)
	e.clock.Advance(time.Hour)
	r := e.get(t, "/v2/users/me")
	if got := wantAPIError(t, r, http.StatusUnauthorized, 124); got.Message != "Invalid access token." {
		t.Fatalf("message %q", got.Message)
	}
	// ExpireTokens keeps refresh tokens working.
	e2 := newEnv(t, zoomfake.Options{})
	e2.fake.ExpireTokens()
	wantAPIError(t, e2.get(t, "/v2/users/me"), http.StatusUnauthorized, 124)
	wantStatus(t, e2.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e2.tok.Refresh}}), http.StatusOK)
}

func TestRevoke(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	r := e.form(t, "/oauth/revoke", "sandbox-zoom-client", "sandbox-zoom-secret", url.Values{"token": {e.tok.Access}})
	wantStatus(t, r, http.StatusOK)
	var rr zoom.RevokeResponse
	r.decode(t, &rr)
	if rr.Status != "success" {
		t.Fatalf("%+v", rr)
	}
	wantAPIError(t, e.get(t, "/v2/users/me"), http.StatusUnauthorized, 124)
	wantStatus(t, e.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.tok.Refresh}}), http.StatusBadRequest)

	bad := e.form(t, "/oauth/revoke", "x", "y", url.Values{"token": {e.tok.Access}})
	wantStatus(t, bad, http.StatusUnauthorized)
}

func TestRevokeTokensAdmin(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	e.fake.RevokeTokens()
	wantAPIError(t, e.get(t, "/v2/users/me"), http.StatusUnauthorized, 124)
	wantStatus(t, e.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.tok.Refresh}}), http.StatusBadRequest)
}

func TestUsersMe(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	r := e.get(t, "/v2/users/me")
	wantStatus(t, r, http.StatusOK)
	var u zoom.User
	r.decode(t, &u)
	if u.ID == "" || u.Email != "owner@sandbox.zoom.test" || u.FirstName != "Sandbox" || u.LastName != "Owner" || u.AccountID == "" || u.Type != 2 {
		t.Fatalf("user %+v", u)
	}
	wantAPIError(t, e.get(t, "/v2/users/"+u.ID), http.StatusBadRequest, 300)
	wantAPIError(t, e.call(t, http.MethodGet, "/v2/users/me", "", nil), http.StatusUnauthorized, 124)
}
