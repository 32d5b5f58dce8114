package zoomfake_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		category string
		limit    int
	}{
		{"light", "/v2/users/me", "Light", 30},
		{"medium", "/v2/users/me/recordings", "Medium", 20},
		{"phone light", "/v2/phone/external_contacts", "Light", 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			e := newEnv(t, zoomfake.Options{Now: c.Now, RateLimit: 30})
			for i := 1; i <= tt.limit; i++ {
				r := e.get(t, tt.path)
				wantStatus(t, r, http.StatusOK)
				h := r.header
				if h.Get("X-RateLimit-Category") != tt.category || h.Get("X-RateLimit-Type") != "QPS" ||
					h.Get("X-RateLimit-Limit") != strconv.Itoa(tt.limit) || h.Get("X-RateLimit-Remaining") != strconv.Itoa(tt.limit-i) {
					t.Fatalf("request %d headers %v", i, h)
				}
			}
			r := e.get(t, tt.path)
			wantAPIError(t, r, http.StatusTooManyRequests, 429)
			if r.header.Get("Retry-After") != "1" || r.header.Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("429 headers %v", r.header)
			}
			if got := r.apiErr(t).Message; got != "You have reached the maximum per-second rate limit for this API. Try again later." {
				t.Fatalf("message %q", got)
			}
			c.Advance(time.Second)
			wantStatus(t, e.get(t, tt.path), http.StatusOK)
		})
	}
}

func TestRateLimitOverrideAndWindow(t *testing.T) {
	c := newClock()
	e := newEnv(t, zoomfake.Options{Now: c.Now, RateLimit: 3, RateWindow: 10 * time.Millisecond})
	for range 3 {
		wantStatus(t, e.get(t, "/v2/users/me"), http.StatusOK)
	}
	wantStatus(t, e.get(t, "/v2/users/me"), http.StatusTooManyRequests)
	c.Advance(10 * time.Millisecond)
	wantStatus(t, e.get(t, "/v2/users/me"), http.StatusOK)
}
