package httpx

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Pacer spaces requests so a long sync runs close to the platform's allowed
// rate without tripping 429s. It learns the budget from the platform's own
// headers (X-RateLimit-Remaining and X-RateLimit-Reset) and, for platforms
// that send none, keeps a client-side budget of Limit requests per Window.
// A Retry-After answer blocks every caller until it has passed.
type Pacer struct {
	// Limit and Window are the client-side budget used when the platform
	// sends no rate headers (Lawmatics: 50 per minute). Zero Limit: none.
	Limit  int
	Window time.Duration
	// DefaultReset is how long a window lasts when the platform reports
	// Remaining but no Reset (Zoom's per-second limits). Zero: one second.
	DefaultReset time.Duration
	// Now and Sleep are injectable for tests.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	mu           sync.Mutex  // guards the fields below
	remaining    int         // requests left in the platform's current window
	reset        time.Time   // when the platform's window ends
	known        bool        // remaining/reset came from headers
	blockedUntil time.Time   // from Retry-After
	sent         []time.Time // client-side budget: send times within Window
}

func (p *Pacer) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Wait blocks until a request may be sent, then counts it as sent.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		d := p.reserve()
		if d <= 0 {
			return nil
		}
		if err := sleepCtx(ctx, p.Sleep, d); err != nil {
			return err
		}
	}
}

// reserve returns how long to wait, or 0 after reserving a slot.
func (p *Pacer) reserve() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Before(p.blockedUntil) {
		return p.blockedUntil.Sub(now)
	}
	if p.known {
		if !now.Before(p.reset) {
			p.known = false // the window rolled over; the next reply tells us more
		} else if p.remaining <= 0 {
			return p.reset.Sub(now) + time.Millisecond
		}
	}
	if p.Limit > 0 && p.Window > 0 {
		cut := 0
		for cut < len(p.sent) && !p.sent[cut].After(now.Add(-p.Window)) {
			cut++
		}
		p.sent = p.sent[cut:]
		if len(p.sent) >= p.Limit {
			return p.sent[0].Add(p.Window).Sub(now) + time.Millisecond
		}
		p.sent = append(p.sent, now)
	}
	if p.known {
		p.remaining--
	}
	return 0
}

// Observe learns from a response's rate-limit headers.
func (p *Pacer) Observe(resp *http.Response) {
	if resp == nil {
		return
	}
	h := resp.Header
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if ra := RetryAfter(h, now); ra > 0 && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if until := now.Add(ra); until.After(p.blockedUntil) {
			p.blockedUntil = until
		}
	}
	rem, err := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if err != nil {
		return
	}
	reset := now.Add(p.defaultReset())
	if r, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		// Clio sends Unix seconds; some APIs send seconds from now.
		if r > 1_000_000_000 {
			reset = time.Unix(r, 0)
			if !reset.After(now) {
				reset = now.Add(time.Second) // end of the current second, at most
			}
		} else {
			reset = now.Add(time.Duration(r) * time.Second)
		}
	}
	// Replies can arrive out of order; keep the most pessimistic view
	// within one window.
	if p.known && reset.Equal(p.reset) && rem > p.remaining {
		return
	}
	p.remaining, p.reset, p.known = rem, reset, true
}

func (p *Pacer) defaultReset() time.Duration {
	if p.DefaultReset > 0 {
		return p.DefaultReset
	}
	return time.Second
}

// RetryAfter parses a Retry-After header (seconds or an HTTP date).
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.Sub(now)
	}
	return 0
}

func sleepCtx(ctx context.Context, sleep func(context.Context, time.Duration) error, d time.Duration) error {
	if sleep != nil {
		return sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
