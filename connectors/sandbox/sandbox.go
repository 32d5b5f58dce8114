// Package sandbox runs the fake platforms (Clio, MyCase, Smokeball,
// Lawmatics, Zoom, Box) together on loopback, seeded with a demo firm (the
// same firm in each of the three practice-management systems, so Firmsync
// can be tried as a Clio, MyCase or Smokeball firm), with an admin API that
// simulates what people do in the platforms' own UIs, injects faults and
// counts requests. It is both Firmsync's test bed and the demo a new user
// tries with `firmsync --sandbox`.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/box/boxfake"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// Platform names.
const (
	Clio      = "clio"
	MyCase    = "mycase"
	Smokeball = "smokeball"
	Lawmatics = "lawmatics"
	Zoom      = "zoom"
	Box       = "box"
)

// platforms lists every fake platform, in the order they are served.
func platforms() []string { return []string{Clio, MyCase, Smokeball, Lawmatics, Zoom, Box} }

// Options configures Start.
type Options struct {
	// Host is the loopback host to listen on; "" means 127.0.0.1. Each
	// platform gets its own port so its paths are exactly the real ones.
	Host string
	// AdminAddr is the admin API's address; "" means Host with any free port.
	AdminAddr string
	// StateDir keeps the fakes' state across restarts; "" keeps it in memory.
	StateDir string
	Seed     int64 // demo firm seed; 0 means 1
	Size     Size  // demo firm size; zero means DemoSize()
	// RateWindow scales every platform's rate-limit window (benchmarks run
	// the real shape faster); 0 means each platform's real window.
	RateWindow time.Duration
	// RateLimits overrides per-platform request budgets per window.
	RateLimits map[string]int
	Logger     *slog.Logger
	// Wrap, when set, wraps each platform's fake once at Start: every request the fake answers passes through
	// the returned handler, injected faults do not (they are the sandbox's
	// answers, not the fake's). The spec conformance suite validates the
	// fakes' responses this way (connectors/spec.Checker.Wrap).
	Wrap func(platform string, h http.Handler) http.Handler
}

// Sandbox is a running set of fakes.
type Sandbox struct {
	o Options

	mu        sync.Mutex // guards the fakes while reset swaps them
	clio      *cliofake.Server
	mycase    *mycasefake.Server
	smokeball *smokeballfake.Server
	zoom      *zoomfake.Server
	box       *boxfake.Server
	lawmatics *lawmaticsfake.Server
	boxRoot   string // the demo "Matters" folder in Box

	faults *faults
	stats  *stats

	servers []*http.Server
	inner   map[string]http.Handler // platform → its fake, wrapped by Options.Wrap
	addrs   map[string]string       // platform (or "admin") → base URL
	wg      sync.WaitGroup
	stop    chan struct{}
}

// Start listens on loopback, restores or seeds the demo firm and serves
// until Close.
func Start(o Options) (*Sandbox, error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Size == (Size{}) {
		o.Size = DemoSize()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.StateDir != "" {
		if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
			return nil, fmt.Errorf("sandbox: creating state directory: %w", err)
		}
	}
	s := &Sandbox{o: o, faults: &faults{}, stats: newStats(), addrs: map[string]string{}, stop: make(chan struct{}),
		inner: map[string]http.Handler{}}
	for _, p := range platforms() {
		// The fake is looked up per request because Reset swaps the fakes;
		// the wrapper is built once, so it sees every fake in turn.
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.fake(p).ServeHTTP(w, r) })
		if o.Wrap != nil {
			h = o.Wrap(p, h)
		}
		s.inner[p] = h
	}

	// Listen first: the fakes hand out absolute URLs and the seed needs them.
	lns := map[string]net.Listener{}
	for _, p := range append(platforms(), "admin") {
		addr := net.JoinHostPort(o.Host, "0")
		if p == "admin" && o.AdminAddr != "" {
			addr = o.AdminAddr
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("sandbox: listening for %s on %s: %w", p, addr, err)
		}
		lns[p] = ln
		s.addrs[p] = "http://" + ln.Addr().String()
	}
	if err := s.load(); err != nil {
		for _, l := range lns {
			l.Close()
		}
		return nil, err
	}
	for p, ln := range lns {
		var h http.Handler
		if p == "admin" {
			h = s.adminHandler()
		} else {
			h = s.platformHandler(p)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = srv.Serve(ln)
		}()
	}
	if o.StateDir != "" {
		s.wg.Add(1)
		go s.saveLoop()
	}
	return s, nil
}

// newFakes builds fresh fakes with the sandbox's options.
func (s *Sandbox) newFakes() {
	rl := func(p string) int { return s.o.RateLimits[p] }
	s.clio = cliofake.New(cliofake.Options{RateWindow: s.o.RateWindow, RateLimit: rl(Clio), AllowInsecureWebhooks: true})
	zw := s.o.RateWindow // 0: the fake's real window
	if zw != 0 {
		zw = Scaled(s.o.RateWindow, time.Second) // Zoom's window is one second, not a minute
	}
	s.zoom = zoomfake.New(zoomfake.Options{RateWindow: zw, RateLimit: rl(Zoom), AllowInsecureWebhooks: true})
	s.zoom.SetBaseURL(s.addrs[Zoom])
	boxDir := ""
	if s.o.StateDir != "" {
		boxDir = filepath.Join(s.o.StateDir, "box-files")
	}
	s.box = boxfake.New(boxfake.Options{RateWindow: s.o.RateWindow, RateLimit: rl(Box), AllowInsecureWebhooks: true, StorageDir: boxDir})
	s.lawmatics = lawmaticsfake.New(lawmaticsfake.Options{RateWindow: s.o.RateWindow, RateLimit: rl(Lawmatics), AllowInsecureWebhooks: true})
	// MyCase and Smokeball count in one-second windows, like Zoom.
	sw := s.o.RateWindow
	if sw != 0 {
		sw = Scaled(s.o.RateWindow, time.Second)
	}
	s.mycase = mycasefake.New(mycasefake.Options{RateWindow: sw, RateLimit: rl(MyCase), AllowInsecureWebhooks: true})
	s.smokeball = smokeballfake.New(smokeballfake.Options{RateWindow: sw, RateLimit: rl(Smokeball), AllowInsecureWebhooks: true})
}

// load restores saved state or seeds a new demo firm.
func (s *Sandbox) load() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newFakes()
	if s.o.StateDir != "" {
		ok, err := s.restoreLocked()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
	if err := s.seedLocked(s.o.Seed, s.o.Size); err != nil {
		return fmt.Errorf("sandbox: seeding the demo firm: %w", err)
	}
	return s.saveLocked()
}

// Reset replaces the firm with a freshly seeded one.
func (s *Sandbox) Reset(seed int64, size Size) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeFakesLocked()
	if s.o.StateDir != "" {
		_ = os.RemoveAll(filepath.Join(s.o.StateDir, "box-files"))
	}
	s.newFakes()
	s.faults.clear()
	s.stats.reset()
	if seed == 0 {
		seed = s.o.Seed
	}
	if size == (Size{}) {
		size = s.o.Size
	}
	if err := s.seedLocked(seed, size); err != nil {
		return err
	}
	return s.saveLocked()
}

// Close stops serving and saves state.
func (s *Sandbox) Close() error {
	select {
	case <-s.stop:
		return nil
	default:
	}
	close(s.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range s.servers {
		// A connection still busy after the grace period (a client that
		// stopped reading, a request cancelled mid-body) is cut: these are
		// fakes, and a slow goodbye must not fail the caller's Close.
		if err := srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
			_ = srv.Close()
		} else {
			errs = append(errs, err)
		}
	}
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	errs = append(errs, s.saveLocked())
	s.closeFakesLocked()
	return errors.Join(errs...)
}

func (s *Sandbox) closeFakesLocked() {
	s.clio.Close()
	s.mycase.Close()
	s.smokeball.Close()
	s.zoom.Close()
	_ = s.box.Close()
	s.lawmatics.Close()
}

// Clio returns the fake Clio (for tests and the seeding code).
func (s *Sandbox) Clio() *cliofake.Server { s.mu.Lock(); defer s.mu.Unlock(); return s.clio }

// MyCase returns the fake MyCase.
func (s *Sandbox) MyCase() *mycasefake.Server { s.mu.Lock(); defer s.mu.Unlock(); return s.mycase }

// Smokeball returns the fake Smokeball.
func (s *Sandbox) Smokeball() *smokeballfake.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.smokeball
}

// Zoom returns the fake Zoom.
func (s *Sandbox) Zoom() *zoomfake.Server { s.mu.Lock(); defer s.mu.Unlock(); return s.zoom }

// Box returns the fake Box.
func (s *Sandbox) Box() *boxfake.Server { s.mu.Lock(); defer s.mu.Unlock(); return s.box }

// Lawmatics returns the fake Lawmatics.
func (s *Sandbox) Lawmatics() *lawmaticsfake.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lawmatics
}

// BaseURL is a platform's base URL (scheme://host:port), or the admin
// API's when p is "admin" (the admin API lives under /_sandbox there).
func (s *Sandbox) BaseURL(p string) string { return s.addrs[p] }

// AdminURL is the admin API base.
func (s *Sandbox) AdminURL() string { return s.addrs["admin"] + "/_sandbox" }

// BoxRoot is the id of the demo firm's Box folder for matters.
func (s *Sandbox) BoxRoot() string { s.mu.Lock(); defer s.mu.Unlock(); return s.boxRoot }
