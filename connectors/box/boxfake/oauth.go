package boxfake

import (
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
)

type accessToken struct {
	Refresh   string    `json:"refresh"` // its pair
	ExpiresAt time.Time `json:"expires_at"`
}

type refreshToken struct {
	Access    string    `json:"access"` // its pair
	ExpiresAt time.Time `json:"expires_at"`
}

type authCode struct {
	redirectURI string
	expiresAt   time.Time
}

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html><head><title>Box | Grant access</title></head>
<body>
<h1>Grant access to Box</h1>
<p>The application <b>{{.ClientID}}</b> would like to access files and folders in your Box account ({{.Login}}).</p>
<form method="POST" action="/api/oauth2/authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="scope" value="{{.Scope}}">
<button type="submit" name="decision" value="allow" id="consent_accept_button">Grant access to Box</button>
<button type="submit" name="decision" value="deny" id="consent_reject_button">Deny</button>
</form>
</body></html>
`))

// authorizeParams validates an authorize request (query or form). It returns
// the redirect URI to use, or writes an error page: Box never redirects to an
// unverified URI.
func (s *Server) authorizeParams(w http.ResponseWriter, v url.Values) (string, bool) {
	if v.Get("client_id") != s.opts.ClientID {
		authorizeErrorPage(w, "invalid_client", "The client ID is invalid.")
		return "", false
	}
	redirect := v.Get("redirect_uri")
	if redirect == "" {
		switch len(s.opts.RedirectURIs) {
		case 0:
			authorizeErrorPage(w, "redirect_uri_missing", "A redirect_uri is required.")
			return "", false
		case 1:
			redirect = s.opts.RedirectURIs[0]
		default:
			authorizeErrorPage(w, "redirect_uri_missing", "Several redirect URIs are configured; redirect_uri is required.")
			return "", false
		}
	}
	if !s.redirectAllowed(redirect) {
		authorizeErrorPage(w, "redirect_uri_mismatch", "The redirect URI does not match a configured one.")
		return "", false
	}
	if v.Get("response_type") != "code" {
		authorizeErrorPage(w, "unsupported_response_type", "response_type must be code.")
		return "", false
	}
	return redirect, true
}

// redirectAllowed: exact match against a configured URI; http only for a
// loopback host, whose port may be anything.
func (s *Server) redirectAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" {
		return false
	}
	loopback := isLoopback(u.Hostname())
	if u.Scheme != "https" && (u.Scheme != "http" || !loopback) {
		return false
	}
	if s.opts.RedirectURIs == nil {
		return loopback
	}
	for _, c := range s.opts.RedirectURIs {
		if c == raw {
			return true
		}
		cu, err := url.Parse(c)
		if err != nil || !loopback || !isLoopback(cu.Hostname()) {
			continue
		}
		// Loopback: any port, the rest exact.
		if cu.Scheme == u.Scheme && cu.Hostname() == u.Hostname() && cu.Path == u.Path && cu.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func authorizeErrorPage(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte("<!DOCTYPE html><html><body><h1>Box: " + template.HTMLEscapeString(code) +
		"</h1><p>" + template.HTMLEscapeString(desc) + "</p></body></html>"))
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, ok := s.authorizeParams(w, q)
	if !ok {
		return
	}
	s.mu.Lock()
	login := s.st.User.Login
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentPage.Execute(w, map[string]string{
		"ClientID": q.Get("client_id"), "RedirectURI": redirect, "State": q.Get("state"),
		"Scope": q.Get("scope"), "Login": login,
	})
}

func (s *Server) handleAuthorizeDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		authorizeErrorPage(w, "invalid_request", "Bad form.")
		return
	}
	redirect, ok := s.authorizeParams(w, r.PostForm)
	if !ok {
		return
	}
	u, _ := url.Parse(redirect)
	q := u.Query()
	if st := r.PostForm.Get("state"); st != "" {
		q.Set("state", st)
	}
	if r.PostForm.Get("decision") != "allow" {
		// [U] Box's Deny button redirects with error=access_denied (the RFC 6749
		// shape); the demanding reading also keeps state so clients must check it.
		q.Set("error", "access_denied")
		q.Set("error_description", "The user denied access to your application")
	} else {
		code := randomString(32)
		s.mu.Lock()
		s.codes[code] = &authCode{redirectURI: redirect, expiresAt: s.now().Add(authCodeLifetime)}
		s.mu.Unlock()
		q.Set("code", code)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, box.OAuthError{ErrorCode: code, ErrorDescription: desc})
}

func (s *Server) clientOK(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid form body")
		return false
	}
	if r.PostForm.Get("client_id") != s.opts.ClientID || r.PostForm.Get("client_secret") != s.opts.ClientSecret {
		oauthError(w, http.StatusBadRequest, "invalid_client", "The client credentials are invalid")
		return false
	}
	return true
}

// handleToken serves POST /oauth2/token. PKCE is not supported (code_verifier
// is ignored) and client_secret is always required.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if !s.clientOK(w, r) {
		return
	}
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	switch f.Get("grant_type") {
	case "authorization_code":
		c, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // single use, even when it fails below
		if !ok || now.After(c.expiresAt) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Auth code doesn't exist or is invalid for the client")
			return
		}
		if ru := f.Get("redirect_uri"); ru != "" && ru != c.redirectURI {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "The redirect_uri does not match")
			return
		}
	case "refresh_token":
		old := f.Get("refresh_token")
		rt, ok := s.st.Refresh[old]
		if !ok || now.After(rt.ExpiresAt) {
			delete(s.st.Refresh, old)
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Invalid refresh token")
			return
		}
		// Single use: the old refresh token dies. [U] The demanding reading also
		// kills the access token it was paired with.
		delete(s.st.Refresh, old)
		delete(s.st.Access, rt.Access)
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "The grant_type parameter is missing")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Grant type is not supported")
		return
	}
	t := s.issueLocked()
	writeJSON(w, http.StatusOK, box.AccessToken{AccessToken: t.Access, ExpiresIn: t.ExpiresIn,
		TokenType: "bearer", RefreshToken: t.Refresh, RestrictedTo: []box.FileScope{}})
}

// issueLocked mints a fresh pair. The caller holds s.mu.
func (s *Server) issueLocked() Token {
	now := s.now()
	a, rf := randomString(32), randomString(64)
	s.st.Access[a] = &accessToken{Refresh: rf, ExpiresAt: now.Add(accessTokenLifetime)}
	s.st.Refresh[rf] = &refreshToken{Access: a, ExpiresAt: now.Add(refreshTokenLifetime)}
	return Token{Access: a, Refresh: rf, ExpiresIn: int(accessTokenLifetime / time.Second)}
}

// handleRevoke serves POST /oauth2/revoke: either token of a pair kills both.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if !s.clientOK(w, r) {
		return
	}
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	if a, ok := s.st.Access[tok]; ok {
		delete(s.st.Refresh, a.Refresh)
		delete(s.st.Access, tok)
	}
	if rt, ok := s.st.Refresh[tok]; ok {
		delete(s.st.Access, rt.Access)
		delete(s.st.Refresh, tok)
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// authorized checks the bearer token; on failure it writes Box's 401.
func (s *Server) authorizedLocked(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return false
	}
	a, ok := s.st.Access[strings.TrimSpace(tok)]
	return ok && !s.now().After(a.ExpiresAt)
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`)
	w.WriteHeader(http.StatusUnauthorized)
}
