package main

// Request accounting: per-platform request counts from the sandbox's
// stats, which requests count against each platform's rate limit, and the
// budget a client can know for each platform.

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
)

// platformsOf lists the platforms of a firm on the practice-management
// system kind (sandbox.Clio, sandbox.MyCase or sandbox.Smokeball): the
// ones a run's counts cover.
func platformsOf(kind string) []string {
	if kind == "" {
		kind = sandbox.Clio
	}
	return []string{kind, sandbox.Lawmatics, sandbox.Zoom, sandbox.Box}
}

// PlatformCount is what one side sent one platform during one span.
type PlatformCount struct {
	Requests int `json:"requests"` // every request, file transfers and OAuth included
	Limited  int `json:"limited"`  // requests that count against the rate limit
	Writes   int `json:"writes"`
	Got429   int `json:"got_429"`
	// Zoom: limited requests per rate label (Light, Medium, Phone Light);
	// Smokeball: per endpoint (its token buckets are per endpoint).
	Labels map[string]int `json:"labels,omitempty"`
}

// Counts is PlatformCount per platform.
type Counts map[string]PlatformCount

// Total is the sum of every platform's requests.
func (c Counts) Total() int {
	n := 0
	for _, p := range c {
		n += p.Requests
	}
	return n
}

// Total429 is the sum of every platform's 429 answers.
func (c Counts) Total429() int {
	n := 0
	for _, p := range c {
		n += p.Got429
	}
	return n
}

// Add returns c + d (every platform either counts).
func (c Counts) Add(d Counts) Counts {
	out := Counts{}
	keys := map[string]bool{}
	for p := range c {
		keys[p] = true
	}
	for p := range d {
		keys[p] = true
	}
	for p := range keys {
		a, b := c[p], d[p]
		s := PlatformCount{Requests: a.Requests + b.Requests, Limited: a.Limited + b.Limited, Writes: a.Writes + b.Writes, Got429: a.Got429 + b.Got429}
		for k, v := range a.Labels {
			if s.Labels == nil {
				s.Labels = map[string]int{}
			}
			s.Labels[k] += v
		}
		for k, v := range b.Labels {
			if s.Labels == nil {
				s.Labels = map[string]int{}
			}
			s.Labels[k] += v
		}
		out[p] = s
	}
	return out
}

// statsDelta is what happened between two snapshots of the sandbox's
// stats, on the platforms of a firm on the practice-management system kind.
func statsDelta(kind string, before, after sandbox.Stats) Counts {
	out := Counts{}
	for _, p := range platformsOf(kind) {
		a, b := after.Platforms[p], before.Platforms[p]
		pc := PlatformCount{Writes: a.Writes - b.Writes, Got429: a.RateLimited - b.RateLimited}
		for ep, n := range a.Endpoints {
			d := n - b.Endpoints[ep]
			if d <= 0 {
				continue
			}
			pc.Requests += d
			method, path, _ := strings.Cut(ep, " ")
			if !rateLimited(p, path) {
				continue
			}
			pc.Limited += d
			switch p {
			case sandbox.Zoom:
				if pc.Labels == nil {
					pc.Labels = map[string]int{}
				}
				pc.Labels[zoomLabel(method, path)] += d
			case sandbox.Smokeball:
				if pc.Labels == nil {
					pc.Labels = map[string]int{}
				}
				pc.Labels[ep] += d
			}
		}
		out[p] = pc
	}
	return out
}

// rateLimited says whether a request path counts against the platform's
// rate limit (API calls do; OAuth, pre-signed file URLs and recording
// downloads do not).
func rateLimited(platform, path string) bool {
	switch platform {
	case sandbox.Clio:
		return strings.HasPrefix(path, "/api/v4/")
	case sandbox.Zoom:
		return strings.HasPrefix(path, "/v2/")
	case sandbox.Box:
		return strings.HasPrefix(path, "/2.0/") || strings.HasPrefix(path, "/api/2.0/")
	case sandbox.Lawmatics, sandbox.MyCase:
		return strings.HasPrefix(path, "/v1/")
	case sandbox.Smokeball:
		// Every API path; not OAuth's nor the pre-signed storage URLs.
		return !strings.HasPrefix(path, "/oauth2/") && !strings.HasPrefix(path, "/_s3/")
	}
	return false
}

// zoomLabel is the fake Zoom's rate label of an endpoint (see zoomfake).
func zoomLabel(method, path string) string {
	switch {
	case strings.HasPrefix(path, "/v2/phone/"):
		return "Phone Light"
	case strings.HasSuffix(path, "/recordings") && strings.HasPrefix(path, "/v2/users/"),
		strings.HasSuffix(path, "/participants"):
		return "Medium"
	}
	return "Light"
}

// Budgets are the platforms' request budgets in a sandbox whose rate
// windows are scaled to window (0: real windows). Every client follows
// the scale: Clio's from its X-RateLimit-Reset header; Zoom's, Box's and
// Lawmatics' (whose platforms send no reset time) from the window the
// sandbox announces (sandbox.Info.RateWindowMS), as core and the baseline
// build them.
//
//   - Clio: 50 per window per token (fixed window from the first request).
//   - Zoom: 30 (Light) or 20 (Medium, Phone) per window/60, at least 10 ms.
//   - Box: 1000, Lawmatics: 50, per window (rolling, kept client-side).
//   - MyCase: 25 per window/60 per app (fixed window from the first
//     request, as the fake keeps it).
//   - Smokeball: a token bucket of 5 per window/60, burst 5, per client
//     and endpoint.
type Budgets struct {
	Window         time.Duration // the sandbox's scaled window (0 = real)
	ClioPer        time.Duration
	ZoomPer        time.Duration
	BoxPer         time.Duration
	LMPer          time.Duration
	MyCasePer      time.Duration
	SmokeballPer   time.Duration
	ClioLimit      int
	ZoomLimits     map[string]int
	BoxLimit       int
	LMLimit        int
	MyCaseLimit    int
	SmokeballLimit int
}

func budgetsFor(window time.Duration) Budgets {
	per := func(d time.Duration) time.Duration { return sandbox.Scaled(window, d) }
	return Budgets{Window: window, ClioPer: per(time.Minute), ZoomPer: per(time.Second),
		BoxPer: per(time.Minute), LMPer: per(time.Minute), MyCasePer: per(time.Second), SmokeballPer: per(time.Second),
		ClioLimit: 50, ZoomLimits: map[string]int{"Light": 30, "Medium": 20, "Phone Light": 20}, BoxLimit: 1000, LMLimit: 50,
		MyCaseLimit: 25, SmokeballLimit: 5}
}

// describe names a platform's budget for the report.
func (b Budgets) describe(platform string) string {
	switch platform {
	case sandbox.Clio:
		return fmt.Sprintf("%d per %s", b.ClioLimit, b.ClioPer)
	case sandbox.Zoom:
		return fmt.Sprintf("20–30 per %s per label", b.ZoomPer)
	case sandbox.Box:
		return fmt.Sprintf("%d per %s", b.BoxLimit, b.BoxPer)
	case sandbox.Lawmatics:
		return fmt.Sprintf("%d per %s", b.LMLimit, b.LMPer)
	case sandbox.MyCase:
		return fmt.Sprintf("%d per %s", b.MyCaseLimit, b.MyCasePer)
	case sandbox.Smokeball:
		return fmt.Sprintf("%d per %s per endpoint, burst %d", b.SmokeballLimit, b.SmokeballPer, b.SmokeballLimit)
	}
	return ""
}

// Pacing compares a run with the fastest its budgets allow.
type Pacing struct {
	Job      string  `json:"job,omitempty"`
	Platform string  `json:"platform"` // the platform whose budget the fastest schedule waits for last
	NeedSec  float64 `json:"need_sec"` // the least time the budgets allow for the requests made
	WallSec  float64 `json:"wall_sec"` // the time the run took
	Ratio    float64 `json:"ratio"`    // achieved ÷ allowed rate = need ÷ wall
	Budget   string  `json:"budget,omitempty"`
	Requests int     `json:"requests"` // the bottleneck's rate-limited requests
}

// Bound reports whether any budget bound the run at all.
func (p Pacing) Bound() bool { return p.NeedSec > 0 }

// budgetSim admits requests as early as each platform's budget allows,
// with no time spent on anything else: what is left is the least time
// the budgets allow. Budgets carry over from one job to the next, as
// they do in a real run (a job can start with a window half spent).
type budgetSim struct {
	b      Budgets
	clio   *fixedWindow
	zoom   map[string]*fixedWindow
	box    *rollingWindow
	lm     *rollingWindow
	mycase *fixedWindow
	sb     map[string]*tokenBucket // Smokeball, per endpoint
	now    time.Duration
}

func (b Budgets) sim() *budgetSim {
	return &budgetSim{b: b, clio: &fixedWindow{limit: b.ClioLimit, per: b.ClioPer}, zoom: map[string]*fixedWindow{},
		box: &rollingWindow{limit: b.BoxLimit, per: b.BoxPer}, lm: &rollingWindow{limit: b.LMLimit, per: b.LMPer},
		mycase: &fixedWindow{limit: b.MyCaseLimit, per: b.MyCasePer}, sb: map[string]*tokenBucket{}}
}

// job admits one job's requests, starting when the previous job ended,
// and returns how long the job needs and which platform it waited for.
func (s *budgetSim) job(c Counts) (need time.Duration, platform string, requests int) {
	start, end := s.now, s.now
	bump := func(t time.Duration, p string, n int) {
		if t > end || platform == "" {
			end, platform, requests = max(end, t), p, n
		}
	}
	if n := c[sandbox.Clio].Limited; n > 0 {
		bump(s.clio.admit(start, n), sandbox.Clio, n)
	}
	for label, n := range c[sandbox.Zoom].Labels {
		w := s.zoom[label]
		if w == nil {
			w = &fixedWindow{limit: max(1, s.b.ZoomLimits[label]), per: s.b.ZoomPer}
			s.zoom[label] = w
		}
		bump(w.admit(start, n), sandbox.Zoom, c[sandbox.Zoom].Limited)
	}
	if n := c[sandbox.Box].Limited; n > 0 {
		bump(s.box.admit(start, n), sandbox.Box, n)
	}
	if n := c[sandbox.Lawmatics].Limited; n > 0 {
		bump(s.lm.admit(start, n), sandbox.Lawmatics, n)
	}
	if n := c[sandbox.MyCase].Limited; n > 0 {
		bump(s.mycase.admit(start, n), sandbox.MyCase, n)
	}
	for ep, n := range c[sandbox.Smokeball].Labels {
		w := s.sb[ep]
		if w == nil {
			w = &tokenBucket{limit: max(1, s.b.SmokeballLimit), per: s.b.SmokeballPer}
			s.sb[ep] = w
		}
		bump(w.admit(start, n), sandbox.Smokeball, c[sandbox.Smokeball].Limited)
	}
	s.now = end
	return end - start, platform, requests
}

// fixedWindow is a budget of limit requests per window that starts with
// the first request after the previous window ended (Clio per token;
// Zoom per label, as its client keeps it).
type fixedWindow struct {
	limit   int
	per     time.Duration
	start   time.Duration
	count   int
	started bool
}

// admit admits n requests from at on and returns the last one's time.
func (w *fixedWindow) admit(at time.Duration, n int) time.Duration {
	t := at
	for n > 0 {
		if !w.started || t >= w.start+w.per {
			w.start, w.count, w.started = t, 0, true
		}
		if w.count >= w.limit {
			t = w.start + w.per
			continue
		}
		k := min(w.limit-w.count, n)
		w.count += k
		n -= k
	}
	return t
}

// rollingWindow is a budget of limit requests in any window of per
// (Box's and Lawmatics' clients keep theirs so).
type rollingWindow struct {
	limit int
	per   time.Duration
	times []time.Duration
}

func (w *rollingWindow) admit(at time.Duration, n int) time.Duration {
	t := at
	for i := 0; i < n; i++ {
		if k := len(w.times); k >= w.limit {
			t = max(t, w.times[k-w.limit]+w.per)
		}
		w.times = append(w.times, t)
	}
	return t
}

// tokenBucket is a budget of limit tokens refilled at limit per per, full
// at first (Smokeball's, per endpoint).
type tokenBucket struct {
	limit   int
	per     time.Duration
	tokens  float64
	last    time.Duration
	started bool
}

func (b *tokenBucket) admit(at time.Duration, n int) time.Duration {
	rate := float64(b.limit) / float64(b.per) // tokens per nanosecond
	if !b.started {
		b.tokens, b.last, b.started = float64(b.limit), at, true
	}
	t := max(at, b.last)
	for i := 0; i < n; i++ {
		b.tokens = min(float64(b.limit), b.tokens+float64(t-b.last)*rate)
		b.last = t
		if b.tokens < 1 {
			wait := time.Duration(math.Ceil((1 - b.tokens) / rate))
			t += wait
			b.tokens = min(float64(b.limit), b.tokens+float64(wait)*rate)
			b.last = t
		}
		b.tokens--
	}
	return t
}
