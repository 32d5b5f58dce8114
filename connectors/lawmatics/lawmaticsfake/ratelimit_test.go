package lawmaticsfake_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{RateLimit: 3})
	for range 3 {
		e.json("GET", "/v1/contacts", nil, 200)
	}
	tests := []struct {
		advance    time.Duration
		wantStatus int
		retryAfter string
	}{
		{0, 429, "60"},
		{30*time.Second + 500*time.Millisecond, 429, "30"},
		{29 * time.Second, 429, "1"},
		{time.Second, 200, ""},
	}
	for _, tt := range tests {
		e.clock.Advance(tt.advance)
		resp, b := e.do("GET", "/v1/prospects", nil)
		if resp.StatusCode != tt.wantStatus || resp.Header.Get("Retry-After") != tt.retryAfter {
			t.Fatalf("after +%v: %d Retry-After %q, want %d %q", tt.advance, resp.StatusCode, resp.Header.Get("Retry-After"), tt.wantStatus, tt.retryAfter)
		}
		if tt.wantStatus == 429 {
			if string(b) != `{"errors":[{"status":429,"title":"Too Many Requests","detail":"Rate limit of 3 requests per minute exceeded."}]}` {
				t.Fatalf("429 body %s", b)
			}
			for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "RateLimit-Limit"} {
				if resp.Header.Get(h) != "" {
					t.Fatalf("unexpected header %s", h)
				}
			}
		}
	}
}

func TestRateLimitDefaultIs50PerMinute(t *testing.T) {
	c := newClock()
	f := lawmaticsfake.New(lawmaticsfake.Options{Now: c.Now})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	e := &env{t: t, fake: f, srv: srv, clock: c, token: f.IssueToken().Access}
	for range 50 {
		e.json("GET", "/v1/users/me", nil, 200)
	}
	resp, _ := e.do("GET", "/v1/users/me", nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("51st request: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
