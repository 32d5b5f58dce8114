package mycasefake

import (
	"net/http"
	"strconv"
	"time"
)

// rateWindow is the app's current fixed window.
type rateWindow struct {
	end   time.Time
	count int
}

func (s *Server) rateLimit() int {
	if s.opts.RateLimit > 0 {
		return s.opts.RateLimit
	}
	return 25 // 25 requests per second per client
}

// api wraps a /v1 handler with bearer authentication (401) and the rate
// limit (429 with Retry-After).
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authenticate(r); !ok {
			// [U] The 401 body is undocumented; the documented error shape.
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "The access token is invalid or has expired.", nil)
			return
		}
		if !s.admit(w) {
			return
		}
		h(w, r)
	}
}

// admit counts one request against the window; it answers 429 and returns
// false when the window is exhausted. [U] "Per client" is read as per
// OAuth app: every token of the app shares one budget (the stricter
// reading). No rate-limit headers are sent (none are documented); a 429
// carries Retry-After in whole seconds and the documented error body.
func (s *Server) admit(w http.ResponseWriter) bool {
	now := s.clock() // untruncated: windows are sub-second
	limit := s.rateLimit()
	s.mu.Lock()
	if !now.Before(s.rate.end) {
		s.rate = rateWindow{end: now.Add(s.rateWindowLen())}
	}
	allowed := s.rate.count < limit
	if allowed {
		s.rate.count++
	}
	end := s.rate.end
	s.mu.Unlock()
	if allowed {
		return true
	}
	secs := int64((end.Sub(now) + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	writeError(w, http.StatusTooManyRequests, "Too many requests. Retry in "+strconv.FormatInt(secs, 10)+" seconds.", nil)
	return false
}
