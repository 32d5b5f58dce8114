package lawmaticsfake

import (
	"encoding/json"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// codeTTL is how long an authorization code lives. The real one is only
// "short lived" [U]; 10 minutes is the common Doorkeeper default.
const codeTTL = 10 * time.Minute

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html><head><title>Authorize application - Lawmatics</title></head>
<body>
<h1>Authorization required</h1>
<p>Authorize <strong>{{.ClientID}}</strong> to use your Lawmatics account?</p>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="response_type" value="code">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>
`))

// redirectAllowed reports whether uri is a registered callback. The real
// product registers exactly one Callback URL per app; with RedirectURIs nil
// any loopback http URI is accepted.
func (s *Server) redirectAllowed(uri string) bool {
	if s.opts.RedirectURIs != nil {
		return slices.Contains(s.opts.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.Fragment != "" {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

type authzRequest struct {
	ClientID, RedirectURI, State, ResponseType string
}

// checkAuthz validates an authorize request. Bad client or redirect URI get
// an error page (never a redirect to an unregistered URI).
func (s *Server) checkAuthz(w http.ResponseWriter, v url.Values) (authzRequest, bool) {
	a := authzRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"), ResponseType: v.Get("response_type")}
	fail := func(msg string) (authzRequest, bool) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		template.Must(template.New("e").Parse(`<!DOCTYPE html><html><body><h1>An error has occurred</h1><p>{{.}}</p></body></html>`)).Execute(w, msg)
		return a, false
	}
	if a.ClientID != s.opts.ClientID {
		return fail("Client authentication failed due to unknown client.")
	}
	if !s.redirectAllowed(a.RedirectURI) {
		return fail("The requested redirect uri is malformed or doesn't match client redirect URI.")
	}
	if a.ResponseType != "code" {
		redirectWith(w, a.RedirectURI, url.Values{"error": {"unsupported_response_type"}, "state": {a.State}})
		return a, false
	}
	return a, true
}

func redirectWith(w http.ResponseWriter, uri string, q url.Values) {
	u, _ := url.Parse(uri)
	qq := u.Query()
	for k, v := range q {
		if len(v) > 0 && v[0] != "" {
			qq[k] = v
		}
	}
	u.RawQuery = qq.Encode()
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

func (s *Server) serveAuthorizePage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.checkAuthz(w, r.URL.Query())
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	consentPage.Execute(w, a)
}

func (s *Server) serveAuthorizeDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	a, ok := s.checkAuthz(w, r.PostForm)
	if !ok {
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		// [U] Deny is undocumented; the standard OAuth reply (RFC 6749 4.1.2.1).
		redirectWith(w, a.RedirectURI, url.Values{"error": {"access_denied"}, "state": {a.State}})
		return
	}
	code := randomHex(32) // 64 hex chars, as in the documented example
	s.mu.Lock()
	s.st.Codes[code] = codeRec{RedirectURI: a.RedirectURI, Expires: s.now().Add(codeTTL).Unix()}
	s.mu.Unlock()
	redirectWith(w, a.RedirectURI, url.Values{"code": {code}, "state": {a.State}})
}

func writeOAuthError(w http.ResponseWriter, r *http.Request, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, status, lawmatics.OAuthError{Code: code, Description: desc})
}

// serveToken serves POST /oauth/token. Credentials travel in the body, form
// or JSON encoded (the encoding is undocumented [U], so both are accepted).
// Only authorization_code exists: no refresh grant, no expiry.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	var in lawmatics.TokenRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeOAuthError(w, r, http.StatusBadRequest, "invalid_request", "The request body is not valid JSON.")
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			writeOAuthError(w, r, http.StatusBadRequest, "invalid_request", "The request body is not a valid form.")
			return
		}
		f := r.PostForm
		in = lawmatics.TokenRequest{ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret"), GrantType: f.Get("grant_type"), Code: f.Get("code"), RedirectURI: f.Get("redirect_uri")}
	}
	if in.GrantType != "authorization_code" {
		writeOAuthError(w, r, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	if in.ClientID != s.opts.ClientID || in.ClientSecret != s.opts.ClientSecret {
		writeOAuthError(w, r, http.StatusUnauthorized, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	s.mu.Lock()
	c, ok := s.st.Codes[in.Code]
	delete(s.st.Codes, in.Code) // single use, even when the redirect URI is wrong
	valid := ok && c.RedirectURI == in.RedirectURI && s.now().Unix() < c.Expires
	var tok lawmatics.TokenResponse
	if valid {
		tok = s.issueTokenLocked()
	}
	s.mu.Unlock()
	if !valid {
		writeOAuthError(w, r, http.StatusBadRequest, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusOK, tok)
}

// issueTokenLocked mints a never-expiring access token. The caller holds s.mu.
func (s *Server) issueTokenLocked() lawmatics.TokenResponse {
	t := lawmatics.TokenResponse{TokenType: "bearer", AccessToken: randomHex(32), CreatedAt: s.now().Unix()}
	s.st.Tokens[t.AccessToken] = t.CreatedAt
	return t
}
