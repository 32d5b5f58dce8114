package mycasefake

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/firmsync/firmsync/connectors/mycase"
)

// loginPage stands in for MyCase's sign-in and consent page: one form per
// decision, so connectors/sandbox's Approver can press a button.
var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><head><title>MyCase – Authorize application</title></head><body>
<h1>Allow access to MyCase?</h1>
<p>The application <b>{{.ClientID}}</b> wants to access your firm's MyCase data.</p>
{{range $d := .Decisions}}<form method="post" action="/login_sessions">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{$.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{$.RedirectURI}}">
<input type="hidden" name="state" value="{{$.State}}">
<button type="submit" name="decision" value="{{$d}}">{{if eq $d "allow"}}Allow{{else}}Deny{{end}}</button>
</form>
{{end}}</body></html>`))

// loginRequest is the validated query of /login_sessions/new.
type loginRequest struct {
	ClientID, RedirectURI, State string
	Decisions                    []string
}

// parseLogin validates response_type, client_id and redirect_uri; it
// answers 400 itself (no redirect to an unverified URI) when they are bad.
func (s *Server) parseLogin(w http.ResponseWriter, v url.Values) (*loginRequest, bool) {
	lr := &loginRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state")}
	switch {
	case v.Get("response_type") != "code":
		http.Error(w, "response_type must be code", http.StatusBadRequest)
	case lr.ClientID != s.opts.ClientID:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
	case !s.redirectAllowed(lr.RedirectURI):
		http.Error(w, "redirect_uri is not registered for this application", http.StatusBadRequest)
	default:
		return lr, true
	}
	return nil, false
}

// redirectAllowed is an exact match against the registered URIs (MyCase
// support registers them). [U] Matching rules are undocumented; exact
// scheme, host, port and path is the strict reading. With no RedirectURIs
// any loopback http URI is allowed.
func (s *Server) redirectAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Fragment != "" || u.Host == "" {
		return false
	}
	if s.opts.RedirectURIs == nil {
		h := u.Hostname()
		return u.Scheme == "http" && (h == "127.0.0.1" || h == "localhost" || h == "::1")
	}
	for _, reg := range s.opts.RedirectURIs {
		ru, err := url.Parse(reg)
		if err == nil && ru.Scheme == u.Scheme && ru.Host == u.Host && ru.Path == u.Path && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseLogin(w, r.URL.Query())
	if !ok {
		return
	}
	lr.Decisions = []string{"allow", "deny"}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	loginPage.Execute(w, lr)
}

func (s *Server) serveLoginDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	lr, ok := s.parseLogin(w, r.PostForm)
	if !ok {
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		// [U] MyCase's refusal redirect is undocumented; the OAuth 2.0
		// error redirect is what a client must handle anyway.
		http.Redirect(w, r, withQuery(lr.RedirectURI, "error", "access_denied", "state", lr.State), http.StatusFound)
		return
	}
	code := randomHex(20)
	s.mu.Lock()
	s.st.Codes[code] = &authCode{RedirectURI: lr.RedirectURI, ExpiresAt: s.now().Add(AuthCodeTTL)}
	s.mu.Unlock()
	http.Redirect(w, r, withQuery(lr.RedirectURI, "code", code, "state", lr.State), http.StatusFound)
}

// withQuery adds key/value pairs to raw's query, keeping what it has; an
// empty value is left out (no state=).
func withQuery(raw string, kv ...string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// oauthError answers /tokens failures. [U] The shape is undocumented; the
// OAuth 2.0 {"error","error_description"} is what MyCase's auth server
// (Doorkeeper-style) most likely sends.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// tokenParams reads /tokens parameters from a JSON body (as the docs
// show) or a form body (as some clients send).
func tokenParams(r *http.Request) (url.Values, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			return nil, false
		}
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(b))
		if d.Decode(&m) != nil {
			return nil, false
		}
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			}
		}
		return v, true
	}
	if err := r.ParseForm(); err != nil {
		return nil, false
	}
	return r.PostForm, true
}

// serveToken handles the authorization_code and refresh_token grants.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	f, ok := tokenParams(r)
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	if f.Get("client_id") != s.opts.ClientID || f.Get("client_secret") != s.opts.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
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
		writeJSON(w, http.StatusOK, mycase.TokenResponse{AccessToken: t.Access, TokenType: "Bearer", Scope: Scope,
			RefreshToken: t.Refresh, ExpiresIn: t.ExpiresIn, FirmUUID: t.FirmUUID})
	case "refresh_token":
		old := f.Get("refresh_token")
		rt := s.st.Refresh[old]
		if rt == nil || rt.Used || !now.Before(rt.ExpiresAt) {
			// [U] HS reports "refresh token already used" as a 401.
			oauthError(w, http.StatusUnauthorized, "invalid_grant", "The refresh token is invalid, expired or already used.")
			return
		}
		// [U] The access token issued before this refresh stops working:
		// the more demanding reading for a client.
		delete(s.st.Access, rt.Access)
		t := s.issueLocked()
		if s.opts.ReusableRefresh {
			// The old refresh token lives on and now stands for the new pair.
			rt.Access = t.Access
		} else {
			rt.Used = true
		}
		// A refresh reply has no firm_uuid.
		writeJSON(w, http.StatusOK, mycase.TokenResponse{AccessToken: t.Access, TokenType: "Bearer", Scope: Scope,
			RefreshToken: t.Refresh, ExpiresIn: t.ExpiresIn})
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
	}
}

// issueLocked creates an access/refresh pair; the caller holds mu.
func (s *Server) issueLocked() Token {
	now := s.now()
	access, refresh := randomHex(24), randomHex(24)
	s.st.Access[access] = &accessToken{Refresh: refresh, ExpiresAt: now.Add(AccessTokenTTL)}
	s.st.Refresh[refresh] = &refreshToken{Access: access, ExpiresAt: now.Add(RefreshTokenTTL)}
	return Token{Access: access, Refresh: refresh, ExpiresIn: int(AccessTokenTTL.Seconds()), FirmUUID: s.st.FirmUUID}
}

// IssueToken returns a live access token and refresh token for the
// registered app, with MyCase's real lifetimes.
func (s *Server) IssueToken() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked()
}

// ExpireTokens makes every access token expired now; refresh tokens still
// work.
func (s *Server) ExpireTokens() {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.st.Access {
		at.ExpiresAt = now
	}
}

// RevokeTokens kills every access and refresh token (the firm disconnected
// the app).
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Access = map[string]*accessToken{}
	s.st.Refresh = map[string]*refreshToken{}
}

// authenticate returns the bearer access token when it is live.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "", false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.st.Access[tok]
	return tok, ok && now.Before(at.ExpiresAt)
}
