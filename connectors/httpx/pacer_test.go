package httpx_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// clock is a fake time source whose Sleep advances it.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }
func (c *clock) sleep(_ context.Context, d time.Duration) error {
	c.t = c.t.Add(d)
	return nil
}

func TestPacerWaitsForTheResetWhenTheBudgetIsSpent(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	p := &httpx.Pacer{Now: c.now, Sleep: c.sleep}
	reset := c.t.Add(60 * time.Second).Unix()
	h := http.Header{}
	h.Set("X-RateLimit-Remaining", "2")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	p.Observe(&http.Response{StatusCode: 200, Header: h})
	start := c.t
	for range 2 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if c.t != start {
		t.Fatalf("waited %v with budget left", c.t.Sub(start))
	}
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.t.Sub(start); got < 60*time.Second || got > 61*time.Second {
		t.Fatalf("waited %v, want until the window reset (60s)", got)
	}
}

func TestPacerClientSideBudget(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	p := &httpx.Pacer{Limit: 50, Window: time.Minute, Now: c.now, Sleep: c.sleep}
	start := c.t
	for range 150 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// 150 requests at 50/min: the third batch starts after two windows.
	if got := c.t.Sub(start); got < 2*time.Minute || got > 2*time.Minute+time.Second {
		t.Fatalf("150 requests took %v, want ~2m", got)
	}
}

func TestPacerBlocksAfterRetryAfter(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	p := &httpx.Pacer{Now: c.now, Sleep: c.sleep}
	h := http.Header{}
	h.Set("Retry-After", "30")
	p.Observe(&http.Response{StatusCode: 429, Header: h})
	start := c.t
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.t.Sub(start) != 30*time.Second {
		t.Fatalf("waited %v, want 30s", c.t.Sub(start))
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"60":                            time.Minute,
		"1.5":                           1500 * time.Millisecond,
		"Tue, 24 Nov 2026 10:00:10 GMT": 10 * time.Second,
		"2026-11-24T10:00:05Z":          5 * time.Second,
		"soon":                          0,
	}
	for in, want := range cases {
		h := http.Header{}
		if in != "" {
			h.Set("Retry-After", in)
		}
		if got := httpx.RetryAfter(h, now); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
