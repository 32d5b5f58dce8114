package smokeballfake_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

// loopbackApp is the app's redirect listener: it records the query.
type loopbackApp struct {
	srv *httptest.Server
	mu  sync.Mutex
	got url.Values
}

func newApp(t *testing.T) *loopbackApp {
	a := &loopbackApp{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.got = r.URL.Query()
		a.mu.Unlock()
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *loopbackApp) query() url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.got
}

func newFake(t *testing.T, o smokeballfake.Options) (*smokeballfake.Server, *httptest.Server) {
	f := smokeballfake.New(o)
	srv := httptest.NewServer(f)
	t.Cleanup(func() {
		srv.Close()
		f.Close()
	})
	return f, srv
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier-long-enough"

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize runs the approval page with sandbox.Approver and returns the
// redirect's query.
func authorize(t *testing.T, srv *httptest.Server, app *loopbackApp, decision string, extra url.Values) url.Values {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {app.srv.URL + "/cb"}, "state": {"st8"}}
	for k, v := range extra {
		q[k] = v
	}
	ep := smokeball.Endpoints(srv.URL)
	if err := (sandbox.Approver{Decision: decision}).Open(t.Context(), ep.AuthURL+"?"+q.Encode()); err != nil {
		t.Fatal(err)
	}
	return app.query()
}

// token posts a form to the token endpoint, with Basic auth unless
// secret is "-".
func token(t *testing.T, srv *httptest.Server, secret string, form url.Values) (int, smokeball.TokenResponse, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", smokeball.Endpoints(srv.URL).TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "-" {
		req.SetBasicAuth("app", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var tr smokeball.TokenResponse
	json.Unmarshal(b, &tr)
	return resp.StatusCode, tr, string(b)
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	_, srv := newFake(t, smokeballfake.Options{ClientID: "app", ClientSecret: "shh"})
	app := newApp(t)
	got := authorize(t, srv, app, "allow", url.Values{"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}})
	code := got.Get("code")
	if code == "" || got.Get("state") != "st8" {
		t.Fatalf("redirect query %v", got)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"app"}, "redirect_uri": {app.srv.URL + "/cb"}, "code": {code}, "code_verifier": {verifier}}
	status, tr, body := token(t, srv, "shh", form)
	if status != 200 || tr.AccessToken == "" || tr.RefreshToken == "" || tr.TokenType != "Bearer" || tr.ExpiresIn != 3600 {
		t.Fatalf("exchange: %d %s", status, body)
	}
	// Single use: the same code again is refused with 400.
	if status, _, body := token(t, srv, "shh", form); status != 400 || !strings.Contains(body, "invalid_grant") {
		t.Fatalf("code reuse: %d %s", status, body)
	}
	// Refresh: no new refresh token; the old one keeps working.
	rf := url.Values{"grant_type": {"refresh_token"}, "client_id": {"app"}, "refresh_token": {tr.RefreshToken}}
	for range 2 {
		status, r2, body := token(t, srv, "shh", rf)
		if status != 200 || r2.AccessToken == "" || r2.RefreshToken != "" || r2.ExpiresIn != 3600 || strings.Contains(body, "refresh_token") {
			t.Fatalf("refresh: %d %s", status, body)
		}
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	_, srv := newFake(t, smokeballfake.Options{ClientID: "app", ClientSecret: "shh"})
	app := newApp(t)
	for _, tt := range []struct {
		name      string
		challenge bool
		verifier  string
		secret    string
		redirect  string
		status    int
	}{
		{"PKCE mismatch", true, verifier + "x", "shh", "", 400},
		{"PKCE verifier missing", true, "", "shh", "", 400},
		{"wrong secret", false, "", "nope", "", 401},
		{"no Basic header", false, "", "-", "", 401},
		{"other redirect_uri", false, "", "shh", "http://127.0.0.1:1/other", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			extra := url.Values{}
			if tt.challenge {
				extra = url.Values{"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
			}
			code := authorize(t, srv, app, "allow", extra).Get("code")
			redirect := app.srv.URL + "/cb"
			if tt.redirect != "" {
				redirect = tt.redirect
			}
			form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"app"}, "redirect_uri": {redirect}, "code": {code}}
			if tt.verifier != "" {
				form.Set("code_verifier", tt.verifier)
			}
			if status, _, body := token(t, srv, tt.secret, form); status != tt.status {
				t.Fatalf("%d %s, want %d", status, body, tt.status)
			}
		})
	}
	// A JSON body is not what the token endpoint takes.
	req, _ := http.NewRequest("POST", srv.URL+"/oauth2/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("app", "shh")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("JSON token request: %d", resp.StatusCode)
	}
}

func TestDenyAndBadAuthorizeRequests(t *testing.T) {
	_, srv := newFake(t, smokeballfake.Options{ClientID: "app", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	app := newApp(t)
	fake2, srv2 := newFake(t, smokeballfake.Options{ClientID: "app"})
	_ = fake2
	if got := authorize(t, srv2, app, "deny", nil); got.Get("error") != "access_denied" || got.Get("state") != "st8" || got.Get("code") != "" {
		t.Fatalf("deny redirect %v", got)
	}
	for _, q := range []url.Values{
		{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {app.srv.URL + "/cb"}}, // not registered on srv
		{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "code_challenge": {"x"}, "code_challenge_method": {"plain"}},
		{"response_type": {"token"}, "client_id": {"app"}, "redirect_uri": {"http://127.0.0.1:9/cb"}},
	} {
		resp, err := http.Get(srv.URL + "/oauth2/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%v: %d, want 400", q, resp.StatusCode)
		}
	}
}

func TestPublicClientNeedsPKCEAndNoSecret(t *testing.T) {
	_, srv := newFake(t, smokeballfake.Options{ClientID: "app", PublicClient: true})
	app := newApp(t)
	resp, err := http.Get(srv.URL + "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {app.srv.URL + "/cb"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("public client without PKCE: %d", resp.StatusCode)
	}
	code := authorize(t, srv, app, "allow", url.Values{"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}).Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"app"}, "redirect_uri": {app.srv.URL + "/cb"}, "code": {code}, "code_verifier": {verifier}}
	if status, tr, body := token(t, srv, "-", form); status != 200 || tr.RefreshToken == "" {
		t.Fatalf("public exchange: %d %s", status, body)
	}
}
