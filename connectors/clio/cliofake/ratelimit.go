package cliofake

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

// rateWindow is one access token's fixed window.
type rateWindow struct {
	end   time.Time
	count int
}

func (s *Server) rateLimit() int {
	if s.opts.RateLimit > 0 {
		return s.opts.RateLimit
	}
	return 50 // Clio's peak-hours default
}

// apiVersionSupported reports whether v is a minor version the SPEC
// documents: 4.0.4 (the oldest in its changelog) to 4.0.10 (the newest).
// Anything else answers 410, as Clio does for an invalid or retired one
// [U: whether 4.0.0–4.0.3 still answer is not published; refusing them is
// the stricter reading].
func apiVersionSupported(v string) bool {
	patch, ok := strings.CutPrefix(v, "4.0.")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(patch)
	return err == nil && strconv.Itoa(n) == patch && n >= 4 && n <= 10
}

// api wraps an /api/v4 handler with, in order: the X-API-VERSION check and
// echo (410 for an invalid one), bearer authentication (401 invalid_token)
// and the per-token rate limit (X-RateLimit-* on every reply, 429 +
// Retry-After when exhausted).
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := r.Header.Get("X-API-VERSION")
		if v == "" {
			v = DefaultAPIVersion
		} else if !apiVersionSupported(v) {
			writeError(w, http.StatusGone, "InvalidApiVersion", "The API version "+strconv.Quote(v)+" is not supported")
			return
		}
		w.Header().Set("X-API-VERSION", v)
		tok, ok := s.authenticate(r)
		if !ok {
			writeInvalidToken(w)
			return
		}
		if !s.admit(w, tok) {
			return
		}
		h(w, r)
	}
}

// admit counts one request against tok's window and sets the rate headers;
// it answers 429 and returns false when the window is exhausted.
func (s *Server) admit(w http.ResponseWriter, tok string) bool {
	now := s.clock() // untruncated: scaled sandboxes use sub-second windows
	limit := s.rateLimit()
	s.mu.Lock()
	win := s.rate[tok]
	if win == nil || !now.Before(win.end) {
		win = &rateWindow{end: now.Add(s.rateWindowLen())}
		s.rate[tok] = win
	}
	allowed := win.count < limit
	if allowed {
		win.count++
	}
	remaining, end := limit-win.count, win.end
	s.mu.Unlock()

	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	resetUnix := end.Unix()
	if end.Nanosecond() > 0 {
		resetUnix++
	}
	h.Set("X-RateLimit-Reset", strconv.FormatInt(resetUnix, 10))
	if allowed {
		return true
	}
	wait := end.Sub(now)
	secs := int64((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	writeError(w, http.StatusTooManyRequests, "RateLimited", "Rate limit exceeded. Retry in "+strconv.FormatInt(secs, 10)+" seconds.")
	return false
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

func writeInvalidToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, &clio.OAuthError{Code: "invalid_token", Description: clio.InvalidTokenDescription})
}
