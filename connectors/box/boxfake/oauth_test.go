package boxfake_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

const (
	clientID     = "sandbox-box-client"
	clientSecret = "sandbox-box-secret"
)

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func (e *env) postForm(path, body string) resp {
	e.t.Helper()
	tok := e.token
	e.token = ""
	defer func() { e.token = tok }()
	return e.do("POST", path, body, "Content-Type", "application/x-www-form-urlencoded")
}

// authorize runs the consent page and returns the redirect Location.
func (e *env) authorize(redirect, state, decision string) resp {
	e.t.Helper()
	return e.postForm("/api/oauth2/authorize", form("response_type", "code", "client_id", clientID,
		"redirect_uri", redirect, "state", state, "decision", decision))
}

func codeFrom(t *testing.T, r resp, state string) string {
	t.Helper()
	wantStatus(t, r, http.StatusFound)
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("state") != state || u.Query().Get("code") == "" {
		t.Fatalf("redirect %s: want code and state %q", u, state)
	}
	return u.Query().Get("code")
}

func (e *env) exchange(code string) resp {
	return e.postForm("/oauth2/token", form("grant_type", "authorization_code", "code", code,
		"client_id", clientID, "client_secret", clientSecret))
}

func (e *env) refresh(rt string) resp {
	return e.postForm("/oauth2/token", form("grant_type", "refresh_token", "refresh_token", rt,
		"client_id", clientID, "client_secret", clientSecret))
}

func wantOAuthError(t *testing.T, r resp, code, desc string) {
	t.Helper()
	wantStatus(t, r, http.StatusBadRequest)
	var e box.OAuthError
	r.json(t, &e)
	if e.ErrorCode != code || (desc != "" && e.ErrorDescription != desc) {
		t.Fatalf("oauth error = %+v, want %s %q", e, code, desc)
	}
}

func TestAuthorizePage(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	e.token = ""
	r := e.do("GET", "/api/oauth2/authorize?"+form("response_type", "code", "client_id", clientID,
		"redirect_uri", "http://127.0.0.1:5555/cb", "state", "s1"), nil)
	wantStatus(t, r, http.StatusOK)
	body := string(r.Body)
	for _, want := range []string{`method="POST"`, `value="allow"`, `value="deny"`, `value="s1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %s", want)
		}
	}
}

func TestAuthorizeAllowDeny(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	code := codeFrom(t, e.authorize("http://127.0.0.1:49152/callback", "xyz", "allow"), "xyz")
	if !strings.HasPrefix(e.authorize("http://127.0.0.1:49152/callback", "xyz", "allow").Header.Get("Location"), "http://127.0.0.1:49152/callback?") {
		t.Error("redirect does not go to redirect_uri")
	}
	r := e.exchange(code)
	wantStatus(t, r, http.StatusOK)
	var tok map[string]any
	r.json(t, &tok)
	if tok["expires_in"] != float64(3600) || tok["token_type"] != "bearer" || tok["access_token"] == "" ||
		tok["refresh_token"] == "" || tok["restricted_to"] == nil || len(tok["restricted_to"].([]any)) != 0 {
		t.Fatalf("token = %v", tok)
	}
	// Single use.
	wantOAuthError(t, e.exchange(code), "invalid_grant", "")

	r = e.authorize("http://localhost:8080/cb", "st", "deny")
	wantStatus(t, r, http.StatusFound)
	u, _ := url.Parse(r.Header.Get("Location"))
	if q := u.Query(); q.Get("error") != "access_denied" || q.Get("state") != "st" || q.Get("code") != "" {
		t.Fatalf("deny redirect = %s", u)
	}
}

func TestAuthCodeLives30s(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	code := codeFrom(t, e.authorize("http://127.0.0.1:1/cb", "s", "allow"), "s")
	e.clock.Advance(31 * time.Second)
	wantOAuthError(t, e.exchange(code), "invalid_grant", "")
}

func TestRedirectURIRules(t *testing.T) {
	registered := []string{"https://firm.example.com/cb", "http://127.0.0.1:8000/cb"}
	tests := []struct {
		name     string
		opts     boxfake.Options
		redirect string
		ok       bool
	}{
		{"loopback any port by default", boxfake.Options{}, "http://127.0.0.1:61234/cb", true},
		{"localhost by default", boxfake.Options{}, "http://localhost:3000/x", true},
		{"non-loopback http refused", boxfake.Options{}, "http://firm.example.com/cb", false},
		{"exact https match", boxfake.Options{RedirectURIs: registered}, "https://firm.example.com/cb", true},
		{"https path differs", boxfake.Options{RedirectURIs: registered}, "https://firm.example.com/cb2", false},
		{"loopback other port", boxfake.Options{RedirectURIs: registered}, "http://127.0.0.1:9999/cb", true},
		{"loopback other path", boxfake.Options{RedirectURIs: registered}, "http://127.0.0.1:9999/other", false},
		{"missing with several registered", boxfake.Options{RedirectURIs: registered}, "", false},
		{"http for registered non-loopback host", boxfake.Options{RedirectURIs: []string{"http://firm.example.com/cb"}}, "http://firm.example.com/cb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts)
			r := e.authorize(tc.redirect, "s", "allow")
			if tc.ok {
				codeFrom(t, r, "s")
			} else {
				wantStatus(t, r, http.StatusBadRequest)
			}
		})
	}
}

func TestRefreshRotation(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	first := e.fake.IssueToken()
	r := e.refresh(first.Refresh)
	wantStatus(t, r, http.StatusOK)
	var next box.AccessToken
	r.json(t, &next)
	if next.RefreshToken == first.Refresh || next.AccessToken == first.Access || next.ExpiresIn != 3600 {
		t.Fatalf("refresh gave %+v", next)
	}
	// The old refresh token is dead.
	wantOAuthError(t, e.refresh(first.Refresh), "invalid_grant", "Invalid refresh token")
	// The new access token works.
	e.token = next.AccessToken
	wantStatus(t, e.do("GET", "/2.0/users/me", nil), http.StatusOK)
	// Bad client.
	wantOAuthError(t, e.postForm("/oauth2/token", form("grant_type", "refresh_token", "refresh_token", next.RefreshToken,
		"client_id", clientID, "client_secret", "wrong")), "invalid_client", "")
	// Refresh tokens expire after 60 days.
	e.clock.Advance(60*24*time.Hour + time.Second)
	wantOAuthError(t, e.refresh(next.RefreshToken), "invalid_grant", "Invalid refresh token")
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	check := func(r resp) {
		t.Helper()
		wantStatus(t, r, http.StatusUnauthorized)
		if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."` {
			t.Errorf("WWW-Authenticate = %q", got)
		}
		if r.Header.Get("box-request-id") == "" || len(r.Body) != 0 {
			t.Errorf("want box-request-id and an empty body, got %q", r.Body)
		}
	}
	good := e.token
	e.token = "bogus"
	check(e.do("GET", "/2.0/users/me", nil))
	e.token = good
	e.clock.Advance(61 * time.Minute)
	check(e.do("GET", "/2.0/users/me", nil))

	e.clock.Advance(-61 * time.Minute)
	tok := e.fake.IssueToken()
	e.token = tok.Access
	e.fake.ExpireTokens()
	check(e.do("GET", "/2.0/users/me", nil))
	wantStatus(t, e.refresh(tok.Refresh), http.StatusOK)

	tok = e.fake.IssueToken()
	e.fake.RevokeTokens()
	wantOAuthError(t, e.refresh(tok.Refresh), "invalid_grant", "")
}

func TestRevoke(t *testing.T) {
	for _, which := range []string{"access", "refresh"} {
		t.Run(which, func(t *testing.T) {
			e := newEnv(t, boxfake.Options{})
			tok := e.fake.IssueToken()
			arg := tok.Access
			if which == "refresh" {
				arg = tok.Refresh
			}
			r := e.postForm("/oauth2/revoke", form("client_id", clientID, "client_secret", clientSecret, "token", arg))
			wantStatus(t, r, http.StatusOK)
			if len(r.Body) != 0 {
				t.Errorf("body = %q, want empty", r.Body)
			}
			e.token = tok.Access
			wantStatus(t, e.do("GET", "/2.0/users/me", nil), http.StatusUnauthorized)
			wantOAuthError(t, e.refresh(tok.Refresh), "invalid_grant", "")
		})
	}
}

func TestUsersMe(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	e.fake.SetUser(box.User{ID: "42", Name: "Ann Lawyer", Login: "ann@firm.example"})
	var u box.User
	r := e.do("GET", "/2.0/users/me", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &u)
	if u != (box.User{Type: "user", ID: "42", Name: "Ann Lawyer", Login: "ann@firm.example"}) {
		t.Fatalf("me = %+v", u)
	}
}
