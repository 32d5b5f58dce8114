package cliofake

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/firmsync/firmsync/connectors/clio"
)

var authorizePage = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html><head><title>Authorize application</title></head><body>
<h1>Allow access to Clio?</h1>
<p>The application <b>{{.ClientID}}</b> wants to access your Clio account.</p>
{{range $d := .Decisions}}<form method="post" action="/oauth/authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{$.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{$.RedirectURI}}">
<input type="hidden" name="state" value="{{$.State}}">
<input type="hidden" name="redirect_on_decline" value="{{$.RedirectOnDecline}}">
<button type="submit" name="decision" value="{{$d}}">{{if eq $d "allow"}}Allow{{else}}Deny{{end}}</button>
</form>
{{end}}</body></html>`))

var approvalPage = template.Must(template.New("approval").Parse(`<!DOCTYPE html>
<html><head><title>Success code={{.}}</title></head><body>
<p>Copy this code into your application:</p><pre id="code">{{.}}</pre>
</body></html>`))

const declinedPage = `<!DOCTYPE html>
<html><head><title>Access declined</title></head><body><p>You declined access to your Clio account.</p></body></html>`

// authorizeRequest is the validated query of /oauth/authorize.
type authorizeRequest struct {
	ClientID, RedirectURI, State, RedirectOnDecline string
	Decisions                                       []string
}

// parseAuthorize validates response_type, client_id and redirect_uri; it
// answers 400 itself (no redirect to an unverified URI) when they are bad.
func (s *Server) parseAuthorize(w http.ResponseWriter, v url.Values) (*authorizeRequest, bool) {
	ar := &authorizeRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"), RedirectOnDecline: v.Get("redirect_on_decline")}
	switch {
	case v.Get("response_type") != "code":
		http.Error(w, "response_type must be code", http.StatusBadRequest)
	case ar.ClientID != s.opts.ClientID:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
	case !s.redirectAllowed(ar.RedirectURI):
		http.Error(w, "redirect_uri is not registered for this application", http.StatusBadRequest)
	default:
		return ar, true
	}
	return nil, false
}

// redirectAllowed is an exact allow-list match, where the requested URI may
// add query parameters to a registered one. Clio's approval page is always
// allowed; with no RedirectURIs any loopback http URI is.
func (s *Server) redirectAllowed(raw string) bool {
	if raw == ApprovalURI {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil || u.Fragment != "" {
		return false
	}
	if s.opts.RedirectURIs == nil {
		h := u.Hostname()
		return u.Scheme == "http" && (h == "127.0.0.1" || h == "localhost" || h == "::1")
	}
	for _, reg := range s.opts.RedirectURIs {
		ru, err := url.Parse(reg)
		if err != nil || ru.Scheme != u.Scheme || ru.Host != u.Host || ru.Path != u.Path {
			continue
		}
		q, ok := u.Query(), true
		for k, vs := range ru.Query() {
			if strings.Join(q[k], ",") != strings.Join(vs, ",") {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	ar, ok := s.parseAuthorize(w, r.URL.Query())
	if !ok {
		return
	}
	ar.Decisions = []string{"allow", "deny"}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	authorizePage.Execute(w, ar)
}

func (s *Server) serveAuthorizeDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	ar, ok := s.parseAuthorize(w, r.PostForm)
	if !ok {
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		if ar.RedirectOnDecline == "true" {
			http.Redirect(w, r, withQuery(ar.RedirectURI, "error", "access_denied", "state", ar.State), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(declinedPage))
		return
	}
	code := randomHex(20)
	s.mu.Lock()
	s.st.Codes[code] = &authCode{RedirectURI: ar.RedirectURI, ExpiresAt: s.now().Add(AuthCodeTTL)}
	s.mu.Unlock()
	target := ar.RedirectURI
	if target == ApprovalURI {
		target = requestBase(r) + "/oauth/approval" // the fake's stand-in for app.clio.com
	}
	http.Redirect(w, r, withQuery(target, "code", code, "state", ar.State), http.StatusFound)
}

// withQuery adds key/value pairs to raw's query, keeping what it has.
func withQuery(raw string, kv ...string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// serveApproval is the page no-web-server apps read the code from (title).
func (s *Server) serveApproval(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	approvalPage.Execute(w, r.URL.Query().Get("code"))
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, &clio.OAuthError{Code: code, Description: desc})
}

// serveToken handles the authorization_code and refresh_token grants.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	f := r.PostForm
	if f.Get("client_id") != s.opts.ClientID || f.Get("client_secret") != s.opts.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.Get("grant_type") {
	case "authorization_code":
		code := s.st.Codes[f.Get("code")]
		// Codes are single use: any attempt consumes it.
		delete(s.st.Codes, f.Get("code"))
		if code == nil || !now.Before(code.ExpiresAt) || code.RedirectURI != f.Get("redirect_uri") {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
			return
		}
		t := s.issueLocked()
		writeJSON(w, http.StatusOK, &clio.TokenResponse{TokenType: "bearer", AccessToken: t.Access, ExpiresIn: t.ExpiresIn, RefreshToken: t.Refresh})
	case "refresh_token":
		rt := s.st.Refresh[f.Get("refresh_token")]
		if rt == nil {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
			return
		}
		// [U] the access token issued before this refresh stops working, the
		// more demanding reading for a client.
		delete(s.st.Access, rt.Access)
		access := randomHex(24)
		s.st.Access[access] = &accessToken{Refresh: f.Get("refresh_token"), ExpiresAt: now.Add(AccessTokenTTL)}
		rt.Access = access
		writeJSON(w, http.StatusOK, &clio.TokenResponse{TokenType: "bearer", AccessToken: access, ExpiresIn: int(AccessTokenTTL / 1e9)})
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
	}
}

// issueLocked creates an access/refresh pair; the caller holds mu.
func (s *Server) issueLocked() Token {
	access, refresh := randomHex(24), randomHex(24)
	s.st.Access[access] = &accessToken{Refresh: refresh, ExpiresAt: s.now().Add(AccessTokenTTL)}
	s.st.Refresh[refresh] = &refreshToken{Access: access}
	return Token{Access: access, Refresh: refresh, ExpiresIn: int(AccessTokenTTL.Seconds())}
}

// serveDeauthorize revokes the bearer token and its refresh token.
func (s *Server) serveDeauthorize(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.authenticate(r)
	if !ok {
		writeInvalidToken(w)
		return
	}
	r.ParseForm()
	if t := r.PostForm.Get("token"); t != "" && t != tok {
		oauthError(w, http.StatusBadRequest, "invalid_request", "token does not match the bearer token")
		return
	}
	s.mu.Lock()
	if at := s.st.Access[tok]; at != nil {
		delete(s.st.Refresh, at.Refresh)
	}
	delete(s.st.Access, tok)
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK) // [U] status; empty body
}

// IssueToken returns a live access token and refresh token for the
// registered app, with Clio's real lifetime.
func (s *Server) IssueToken() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked()
}

// RevokeTokens kills every access and refresh token (the user disconnected
// the app).
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Access = map[string]*accessToken{}
	s.st.Refresh = map[string]*refreshToken{}
}

// ExpireTokens makes every access token expired now; refresh tokens still work.
func (s *Server) ExpireTokens() {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.st.Access {
		at.ExpiresAt = now
	}
}
