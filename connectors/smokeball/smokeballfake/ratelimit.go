package smokeballfake

import (
	"crypto/subtle"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// bucket is one client's token bucket for one endpoint.
type bucket struct {
	tokens float64
	last   time.Time
}

func (s *Server) rateLimit() int {
	if s.opts.RateLimit > 0 {
		return s.opts.RateLimit
	}
	return 5
}

func (s *Server) rateWindow() time.Duration {
	if s.opts.RateWindow > 0 {
		return s.opts.RateWindow
	}
	return time.Second
}

// api wraps an API handler with, in order: bearer authentication (401),
// the API key check (403), the rate limit (429 + Retry-After) and the
// RequestId echo.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		client, ok := s.authenticate(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeProblem(w, r, http.StatusUnauthorized, "Unauthorized", "The access token is missing, expired or invalid.")
			return
		}
		if key := r.Header.Get("x-api-key"); key == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey)) != 1 {
			writeProblem(w, r, http.StatusForbidden, "Forbidden", "A valid x-api-key header is required.")
			return
		}
		if !s.admit(w, r, client+" "+r.Pattern) {
			return
		}
		if id := r.Header.Get("RequestId"); id != "" {
			w.Header().Set("RequestId", id)
		}
		s.mu.Lock()
		s.lastBase = requestBase(r)
		s.mu.Unlock()
		h(w, r)
	}
}

// authenticate returns the client id of a live bearer token.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "", false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.st.Access[tok]
	if !ok || !now.Before(at.ExpiresAt) {
		return "", false
	}
	return at.ClientID, true
}

// admit takes a token from key's bucket (RateLimit tokens, refilled at
// RateLimit per RateWindow: Smokeball's 5 a second, burst 5, per client
// and endpoint). An empty bucket answers 429 with Retry-After in whole
// seconds until a token is back [U: Smokeball documents no header or
// body for its 429].
func (s *Server) admit(w http.ResponseWriter, r *http.Request, key string) bool {
	now := s.now()
	limit := float64(s.rateLimit())
	rate := limit / s.rateWindow().Seconds() // tokens per second
	s.mu.Lock()
	b := s.rate[key]
	if b == nil {
		b = &bucket{tokens: limit, last: now}
		s.rate[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(limit, b.tokens+el*rate)
		b.last = now
	}
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	missing := 1 - b.tokens
	s.mu.Unlock()
	if ok {
		return true
	}
	secs := int64(math.Ceil(missing / rate))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	writeProblem(w, r, http.StatusTooManyRequests, "Too Many Requests", "Rate limit exceeded.")
	return false
}
