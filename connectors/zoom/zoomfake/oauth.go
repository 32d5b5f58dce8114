package zoomfake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// scopes is the scope string granted to the registered app: granular
// user-level scopes for recordings, summaries and users, admin scopes for
// Zoom Phone external contacts.
const scopes = "cloud_recording:read:list_user_recordings cloud_recording:read:list_recording_files " +
	"cloud_recording:read:recording meeting:read:summary meeting:read:list_past_participants user:read:user " +
	"phone:read:list_external_contacts:admin phone:read:external_contact:admin " +
	"phone:write:external_contact:admin phone:update:external_contact:admin phone:delete:external_contact:admin"

// authCode is an issued authorization code.
type authCode struct {
	RedirectURI string    `json:"redirect_uri"`
	Challenge   string    `json:"challenge"`
	Method      string    `json:"method"` // S256 or plain
	UserID      string    `json:"user_id"`
	Expires     time.Time `json:"expires"`
	Used        bool      `json:"used"`
}

// accessToken is an issued access token.
type accessToken struct {
	UserID  string    `json:"user_id"`
	Refresh string    `json:"refresh"` // the refresh token issued with it
	Expires time.Time `json:"expires"`
	Revoked bool      `json:"revoked"`
}

// refreshToken is an issued refresh token; Dead once rotated or revoked.
type refreshToken struct {
	UserID  string    `json:"user_id"`
	Expires time.Time `json:"expires"`
	Dead    bool      `json:"dead"`
}

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html><head><title>Zoom - Authorize App</title></head>
<body>
<h1>An app would like to access your Zoom account</h1>
<p>App <b>{{.ClientID}}</b> requests: {{.Scope}}</p>
<form method="POST" action="/oauth/authorize">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<label>Sign in as <select name="user">{{range .Users}}<option value="{{.Email}}">{{.Email}}</option>{{end}}</select></label>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Decline</button>
</form>
</body></html>
`))

func oauthError(w http.ResponseWriter, status int, errCode, reason string) {
	writeJSON(w, status, &zoom.OAuthError{Reason: reason, ErrorCode: errCode})
}

// redirectAllowed reports whether uri may receive codes.
func (s *Server) redirectAllowed(uri string) bool {
	if uri == "" {
		return false
	}
	if s.opts.RedirectURIs != nil {
		for _, u := range s.opts.RedirectURIs {
			if u == uri {
				return true
			}
		}
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	return h == "127.0.0.1" || h == "localhost" || h == "::1"
}

// serveAuthorize shows the consent page (GET) and handles its decision (POST).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		s.serveUnhandled(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	q := r.Form
	redirectURI := q.Get("redirect_uri")
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "Invalid client_id: "+q.Get("client_id")+" (4,700)", http.StatusBadRequest)
		return
	}
	if !s.redirectAllowed(redirectURI) {
		http.Error(w, "Invalid redirect: "+redirectURI+" (4,700)", http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		v := url.Values{"error": {code}, "error_description": {desc}}
		if state != "" {
			v.Set("state", state)
		}
		http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "response_type must be code")
		return
	}
	method := q.Get("code_challenge_method")
	if method == "" {
		method = "plain" // the facts' default
	}
	if method != "S256" && method != "plain" {
		fail("invalid_request", "code_challenge_method must be S256 or plain")
		return
	}
	// PKCE is optional on real Zoom; the fake REQUIRES a code_challenge (the
	// more demanding reading) so a client that forgets PKCE fails here.
	challenge := q.Get("code_challenge")
	if challenge == "" {
		fail("invalid_request", "code_challenge is required")
		return
	}

	if r.Method == http.MethodGet {
		s.mu.Lock()
		users := s.usersLocked()
		s.mu.Unlock()
		hidden := map[string]string{}
		for _, k := range []string{"client_id", "redirect_uri", "state", "response_type", "code_challenge", "code_challenge_method"} {
			if v := q.Get(k); v != "" {
				hidden[k] = v
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = consentPage.Execute(w, map[string]any{"ClientID": s.opts.ClientID, "Scope": scopes, "Hidden": hidden, "Users": users})
		return
	}

	switch q.Get("decision") {
	case "allow":
	case "deny":
		// [U] The facts do not document a declined consent; the fake answers
		// as RFC 6749 §4.1.2.1 says: error=access_denied plus the state.
		v := url.Values{"error": {"access_denied"}}
		if state != "" {
			v.Set("state", state)
		}
		http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
		return
	default:
		http.Error(w, "decision must be allow or deny", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	uid := s.st.OwnerID
	if e := q.Get("user"); e != "" {
		u := s.userByEmailLocked(e)
		if u == nil {
			s.mu.Unlock()
			http.Error(w, "unknown user", http.StatusBadRequest)
			return
		}
		uid = u.ID
	}
	code := randomID(32)
	s.st.Codes[code] = &authCode{
		RedirectURI: redirectURI, Challenge: challenge, Method: method,
		UserID: uid, Expires: s.now().Add(codeLifetime),
	}
	s.mu.Unlock()
	v := url.Values{"code": {code}}
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
}

func withQuery(uri string, v url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + v.Encode()
}

// checkClient verifies Basic client credentials.
func (s *Server) checkClient(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) == 1
}

func (s *Server) parseOAuthForm(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		s.serveUnhandled(w, r)
		return false
	}
	if !s.checkClient(r) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client_id or client_secret")
		return false
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return false
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid request body")
		return false
	}
	return true
}

// serveToken handles POST /oauth/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if !s.parseOAuthForm(w, r) {
		return
	}
	f := r.PostForm
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.Get("grant_type") {
	case "authorization_code":
		code := f.Get("code")
		c := s.st.Codes[code]
		if c == nil || c.Used || now.After(c.Expires) {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid authorization code "+code)
			return
		}
		// A presented code is consumed even if the rest of the request fails.
		c.Used = true
		if f.Get("redirect_uri") != c.RedirectURI {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Redirect URI mismatch.")
			return
		}
		if !pkceMatches(c.Method, c.Challenge, f.Get("code_verifier")) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Invalid code_verifier.")
			return
		}
		writeJSON(w, http.StatusOK, s.tokenResponse(s.issueLocked(c.UserID), requestBase(r)))
	case "refresh_token":
		rt := s.st.Refresh[f.Get("refresh_token")]
		if rt == nil || rt.Dead || now.After(rt.Expires) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Invalid Token!")
			return
		}
		// Rotation: the old refresh token dies; access tokens already issued
		// stay valid until they expire (the facts say nothing else).
		rt.Dead = true
		writeJSON(w, http.StatusOK, s.tokenResponse(s.issueLocked(rt.UserID), requestBase(r)))
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type")
	}
}

func pkceMatches(method, challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func (s *Server) tokenResponse(t Token, base string) zoom.TokenResponse {
	return zoom.TokenResponse{
		AccessToken: t.Access, TokenType: "bearer", RefreshToken: t.Refresh,
		ExpiresIn: t.ExpiresIn, Scope: scopes, APIURL: base,
	}
}

// issueLocked creates an access/refresh pair for userID. The caller holds s.mu.
func (s *Server) issueLocked(userID string) Token {
	now := s.now()
	access := "eyJzdiI6IjAwMDAwMSJ9." + randomID(64) // opaque; shaped like Zoom's JWT-ish tokens
	refresh := "eyJzdiI6IjAwMDAwMSJ9." + randomID(64)
	s.st.Access[access] = &accessToken{UserID: userID, Refresh: refresh, Expires: now.Add(accessLifetime)}
	s.st.Refresh[refresh] = &refreshToken{UserID: userID, Expires: now.Add(refreshLifetime)}
	return Token{Access: access, Refresh: refresh, ExpiresIn: expiresIn}
}

// serveRevoke handles POST /oauth/revoke: the access token and its refresh
// token die.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if !s.parseOAuthForm(w, r) {
		return
	}
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.st.Access[tok]
	if at == nil || at.Revoked {
		// [U] Unknown tokens are not documented; the fake refuses them.
		oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid Token!")
		return
	}
	at.Revoked = true
	if rt := s.st.Refresh[at.Refresh]; rt != nil {
		rt.Dead = true
	}
	writeJSON(w, http.StatusOK, zoom.RevokeResponse{Status: "success"})
}

// bearer returns the Authorization: Bearer token of r.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authLocked returns the user an API request acts as, or nil after writing
// 401 code 124. The caller holds s.mu.
func (s *Server) authLocked(w http.ResponseWriter, r *http.Request) *user {
	at := s.st.Access[bearer(r)]
	if at == nil || at.Revoked || !s.now().Before(at.Expires) {
		writeError(w, apiError(http.StatusUnauthorized, zoom.CodeInvalidToken, "Invalid access token."))
		return nil
	}
	u := s.st.Users[at.UserID]
	if u == nil {
		writeError(w, apiError(http.StatusUnauthorized, zoom.CodeInvalidToken, "Invalid access token."))
	}
	return u
}

// usersLocked lists users by email. The caller holds s.mu.
func (s *Server) usersLocked() []*user {
	out := make([]*user, 0, len(s.st.Users))
	for _, u := range s.st.Users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].ID == s.st.OwnerID) != (out[j].ID == s.st.OwnerID) {
			return out[i].ID == s.st.OwnerID
		}
		return out[i].Email < out[j].Email
	})
	return out
}
