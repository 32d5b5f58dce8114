package smokeballfake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// The approval page mimics Cognito's hosted UI reduced to one question. Its
// forms suit connectors/sandbox's Approver: a form action, hidden inputs
// and <button name="decision" value="allow|deny">.
var authorizePage = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html><head><title>Sign in to Smokeball</title></head><body>
<h1>Allow access to Smokeball?</h1>
<p>The application <b>{{.ClientID}}</b> wants to access your firm's Smokeball data.</p>
{{range $d := .Decisions}}<form method="post" action="/oauth2/authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{$.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{$.RedirectURI}}">
<input type="hidden" name="state" value="{{$.State}}">
<input type="hidden" name="scope" value="{{$.Scope}}">
<input type="hidden" name="code_challenge" value="{{$.Challenge}}">
<input type="hidden" name="code_challenge_method" value="{{$.ChallengeMethod}}">
<button type="submit" name="decision" value="{{$d}}">{{if eq $d "allow"}}Allow{{else}}Deny{{end}}</button>
</form>
{{end}}</body></html>`))

// authorizeRequest is the validated query of /oauth2/authorize.
type authorizeRequest struct {
	ClientID, RedirectURI, State, Scope, Challenge, ChallengeMethod string
	Decisions                                                       []string
}

// parseAuthorize validates the request; it answers 400 itself (never a
// redirect to an unverified URI) when it is bad.
func (s *Server) parseAuthorize(w http.ResponseWriter, v url.Values) (*authorizeRequest, bool) {
	ar := &authorizeRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"),
		Scope: v.Get("scope"), Challenge: v.Get("code_challenge"), ChallengeMethod: v.Get("code_challenge_method")}
	switch {
	case v.Get("response_type") != "code":
		http.Error(w, "unsupported_response_type", http.StatusBadRequest)
	case ar.ClientID != s.opts.ClientID:
		http.Error(w, "invalid_request: unknown client_id", http.StatusBadRequest)
	case !s.redirectAllowed(ar.RedirectURI):
		http.Error(w, "redirect_mismatch", http.StatusBadRequest)
	case ar.Challenge != "" && ar.ChallengeMethod != "S256":
		// Smokeball supports only S256 [C AUTH]; a missing method would
		// mean "plain" under RFC 7636.
		http.Error(w, "invalid_request: code_challenge_method must be S256", http.StatusBadRequest)
	case ar.Challenge == "" && s.opts.PublicClient:
		http.Error(w, "invalid_request: public clients must send a code_challenge", http.StatusBadRequest)
	default:
		return ar, true
	}
	return nil, false
}

// redirectAllowed is an exact match (scheme, host, port, path, query) with
// a registered URI; with no RedirectURIs any loopback http URI is allowed.
func (s *Server) redirectAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Fragment != "" || raw == "" {
		return false
	}
	if s.opts.RedirectURIs == nil {
		h := u.Hostname()
		return u.Scheme == "http" && (h == "127.0.0.1" || h == "localhost" || h == "::1")
	}
	for _, reg := range s.opts.RedirectURIs {
		if reg == raw {
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
		http.Redirect(w, r, withQuery(ar.RedirectURI, "error", "access_denied", "state", ar.State), http.StatusFound)
		return
	}
	code := randomHex(20)
	s.mu.Lock()
	s.st.Codes[code] = &authCode{ClientID: ar.ClientID, RedirectURI: ar.RedirectURI, Challenge: ar.Challenge, Scope: ar.Scope, ExpiresAt: s.now().Add(AuthCodeTTL)}
	s.mu.Unlock()
	http.Redirect(w, r, withQuery(ar.RedirectURI, "code", code, "state", ar.State), http.StatusFound)
}

// withQuery adds key/value pairs to raw's query (empty values skipped).
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

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, smokeball.OAuthError{Code: code})
}

// clientAuth checks the token request's client: Basic client_id:secret for
// a confidential app [C AUTH: the secret goes in the header], or a bare
// client_id in the body for a public one.
func (s *Server) clientAuth(r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	if s.opts.PublicClient {
		if basic {
			return id == s.opts.ClientID && secret == ""
		}
		return r.PostForm.Get("client_id") == s.opts.ClientID
	}
	if !basic {
		return false
	}
	if body := r.PostForm.Get("client_id"); body != "" && body != id {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) == 1
}

// serveToken handles the authorization_code, refresh_token and
// client_credentials grants, form-encoded only.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if !s.clientAuth(r) {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	f := r.PostForm
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.Get("grant_type") {
	case "authorization_code":
		code := s.st.Codes[f.Get("code")]
		delete(s.st.Codes, f.Get("code")) // single use: any attempt consumes it
		if code == nil || !now.Before(code.ExpiresAt) || code.RedirectURI != f.Get("redirect_uri") || code.ClientID != s.opts.ClientID {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		if code.Challenge != "" && !pkceMatches(code.Challenge, f.Get("code_verifier")) {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		t := s.issueLocked()
		writeJSON(w, http.StatusOK, smokeball.TokenResponse{AccessToken: t.Access, RefreshToken: t.Refresh, TokenType: "Bearer", ExpiresIn: t.ExpiresIn})
	case "refresh_token":
		rt := s.st.Refresh[f.Get("refresh_token")]
		if rt == nil || !now.Before(rt.ExpiresAt) {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		// No rotation: the reply has no refresh_token and the old one stays
		// valid. Earlier access tokens keep working until they expire (as
		// Cognito's do).
		access := randomHex(24)
		s.st.Access[access] = &accessToken{ClientID: rt.ClientID, Refresh: f.Get("refresh_token"), ExpiresAt: now.Add(AccessTokenTTL)}
		writeJSON(w, http.StatusOK, smokeball.TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds())})
	case "client_credentials":
		if s.opts.PublicClient {
			oauthError(w, http.StatusBadRequest, "unauthorized_client")
			return
		}
		access := randomHex(24)
		s.st.Access[access] = &accessToken{ClientID: s.opts.ClientID, ExpiresAt: now.Add(AccessTokenTTL)}
		writeJSON(w, http.StatusOK, smokeball.TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds())})
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

// pkceMatches checks an S256 code_verifier against its challenge.
func pkceMatches(challenge, verifier string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// issueLocked creates an access/refresh pair; the caller holds mu.
func (s *Server) issueLocked() Token {
	access, refresh := randomHex(24), randomHex(24)
	now := s.now()
	s.st.Access[access] = &accessToken{ClientID: s.opts.ClientID, Refresh: refresh, ExpiresAt: now.Add(AccessTokenTTL)}
	s.st.Refresh[refresh] = &refreshToken{ClientID: s.opts.ClientID, ExpiresAt: now.Add(RefreshTokenTTL)}
	return Token{Access: access, Refresh: refresh, ExpiresIn: int(AccessTokenTTL.Seconds())}
}

// IssueToken returns a live access token and refresh token for the
// registered app, with Smokeball's real lifetimes.
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

// ExpireRefreshTokens ends every refresh token, as 30 days without a
// reconnect do. Since 2025-05-30 Smokeball then deletes the firm's webhook
// subscriptions, so they go too. Access tokens live out their hour.
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Refresh = map[string]*refreshToken{}
	s.st.Webhooks = table[hookRec]{}
}

// RevokeAccess is the firm revoking the app: every token dies and the
// subscriptions are deleted.
func (s *Server) RevokeAccess() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Access = map[string]*accessToken{}
	s.st.Refresh = map[string]*refreshToken{}
	s.st.Webhooks = table[hookRec]{}
}
