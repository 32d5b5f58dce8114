package zoomfake

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// Rate labels. Limits are per account, per second, for a Pro account.
const (
	labelLight      = "Light"       // Pro: 30/s
	labelMedium     = "Medium"      // Pro: 20/s
	labelPhoneLight = "Phone Light" // Zoom Phone Pro: Light 20/s
)

const rateLimitMessage = "You have reached the maximum per-second rate limit for this API. Try again later."

// rateBucket counts requests in the current fixed window of one label.
type rateBucket struct {
	start time.Time
	count int
}

// limitFor returns the per-window limit of a label. Options.RateLimit
// replaces the Light count; the other labels keep Pro's ratio to it.
func (s *Server) limitFor(label string) int {
	light := 30
	if s.opts.RateLimit > 0 {
		light = s.opts.RateLimit
	}
	switch label {
	case labelMedium, labelPhoneLight:
		return max(1, light*20/30)
	}
	return light
}

// allow counts one request against label, sets the X-RateLimit-* headers and,
// when over the limit, writes the 429 and returns false.
func (s *Server) allow(w http.ResponseWriter, label string) bool {
	now := s.now()
	limit := s.limitFor(label)
	s.mu.Lock()
	b := s.rate[label]
	if b == nil || !now.Before(b.start.Add(s.opts.RateWindow)) || now.Before(b.start) {
		b = &rateBucket{start: now}
		s.rate[label] = b
	}
	b.count++
	count, reset := b.count, b.start.Add(s.opts.RateWindow)
	s.mu.Unlock()

	category := label
	if label == labelPhoneLight {
		category = labelLight
	}
	h := w.Header()
	h.Set("X-RateLimit-Category", category)
	h.Set("X-RateLimit-Type", "QPS")
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, limit-count)))
	if count <= limit {
		return true
	}
	// Retry-After in whole seconds, at least 1, rounded up.
	wait := int(math.Ceil(reset.Sub(now).Seconds()))
	h.Set("Retry-After", strconv.Itoa(max(1, wait)))
	// [U] the body's code is undocumented; the fake sends 429.
	writeError(w, apiError(http.StatusTooManyRequests, zoom.CodeRateLimited, rateLimitMessage))
	return false
}
