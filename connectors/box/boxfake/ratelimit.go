package boxfake

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// rateState is a fixed window per user (the fake has one user). Uploads count
// against both the request limit and the upload limit.
type rateState struct {
	windowStart time.Time
	requests    int
	uploads     int
}

// api wraps an API-host handler: bearer auth, then the request rate limit.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc { return s.guard(h, false) }

// upload wraps an upload-host handler: also counts against the upload limit.
func (s *Server) upload(h http.HandlerFunc) http.HandlerFunc { return s.guard(h, true) }

func (s *Server) guard(h http.HandlerFunc, isUpload bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if !s.authorizedLocked(r) {
			s.mu.Unlock()
			unauthorized(w)
			return
		}
		retry, limited := s.rateLimitLocked(isUpload)
		s.mu.Unlock()
		if limited {
			w.Header().Set("retry-after", strconv.Itoa(retry))
			writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Request rate limit exceeded, please try again later", nil)
			return
		}
		h(w, r)
	}
}

// rateLimitLocked counts one request and reports whether it is over the limit
// and, if so, how many whole seconds until the window resets (at least 1).
// The caller holds s.mu.
func (s *Server) rateLimitLocked(isUpload bool) (int, bool) {
	now := s.now()
	rs := &s.rate
	if rs.windowStart.IsZero() || now.Sub(rs.windowStart) >= s.opts.RateWindow || now.Before(rs.windowStart) {
		*rs = rateState{windowStart: now}
	}
	over := rs.requests >= s.opts.RateLimit || (isUpload && rs.uploads >= s.opts.UploadRateLimit)
	if over {
		left := rs.windowStart.Add(s.opts.RateWindow).Sub(now)
		return max(1, int(math.Ceil(left.Seconds()))), true
	}
	rs.requests++
	if isUpload {
		rs.uploads++
	}
	return 0, false
}
