package jobs_test

// Shared test harness for the job tests: an in-process sandbox (the four
// fake platforms over real HTTP on loopback), a real store, the real
// engine, and the real API clients with tokens from the sandbox.

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// staticAuth is a fixed bearer token; a 401 means reconnect.
type staticAuth struct{ token string }

func (a staticAuth) Token(context.Context) (string, error) { return a.token, nil }
func (a staticAuth) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("static token refused: %w", httpx.ErrReconnect)
}

// testPlatforms implements jobs.Platforms over the sandbox.
type testPlatforms struct {
	sb   *sandbox.Sandbox
	info sandbox.Info
	pms  string // the firm's practice-management system; "" = clio
	// disconnected platforms answer ErrNotConnected.
	mu           sync.Mutex
	disconnected map[string]bool
}

func (p *testPlatforms) check(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.disconnected[name] {
		return fmt.Errorf("%s: %w", name, jobs.ErrNotConnected)
	}
	return nil
}

func (p *testPlatforms) Clio(context.Context) (*clio.Client, error) {
	if err := p.check("clio"); err != nil {
		return nil, err
	}
	if p.pms != "" && p.pms != pms.Clio {
		return nil, fmt.Errorf("clio (the firm runs %s): %w", p.pms, jobs.ErrNotConnected)
	}
	i := p.info.Platforms["clio"]
	return clio.New(clio.Options{APIBase: i.APIBase, OAuthBase: i.OAuthBase, Auth: staticAuth{i.Token}}), nil
}

func (p *testPlatforms) Zoom(context.Context) (*zoom.Client, error) {
	if err := p.check("zoom"); err != nil {
		return nil, err
	}
	i := p.info.Platforms["zoom"]
	return zoom.New(zoom.Options{APIBase: i.APIBase, OAuthBase: i.OAuthBase, Auth: staticAuth{i.Token}}), nil
}

func (p *testPlatforms) Box(context.Context) (*box.Client, error) {
	if err := p.check("box"); err != nil {
		return nil, err
	}
	i := p.info.Platforms["box"]
	return box.New(box.Options{APIBase: i.APIBase, UploadBase: i.UploadBase, OAuthBase: i.OAuthBase, Auth: staticAuth{i.Token}}), nil
}

func (p *testPlatforms) Lawmatics(context.Context) (*lawmatics.Client, error) {
	if err := p.check("lawmatics"); err != nil {
		return nil, err
	}
	i := p.info.Platforms["lawmatics"]
	return lawmatics.New(lawmatics.Options{APIBase: i.APIBase, OAuthBase: i.OAuthBase, Auth: staticAuth{i.Token}}), nil
}

// PMS implements jobs.Platforms: the system named by pms, its client
// with the sandbox's token (and Smokeball's API key).
func (p *testPlatforms) PMS(ctx context.Context) (pms.System, error) {
	switch p.pms {
	case "", pms.Clio:
		c, err := p.Clio(ctx)
		if err != nil {
			return nil, err
		}
		return pms.NewClio(c), nil
	case pms.MyCase:
		if err := p.check(pms.MyCase); err != nil {
			return nil, err
		}
		i := p.info.Platforms[pms.MyCase]
		// No client-side budget: the fakes' limits are lifted in job tests.
		return pms.NewMyCase(mycase.New(mycase.Options{APIBase: i.APIBase, OAuthBase: i.OAuthBase, Auth: staticAuth{i.Token},
			Pacer: &httpx.Pacer{}})), nil
	case pms.Smokeball:
		if err := p.check(pms.Smokeball); err != nil {
			return nil, err
		}
		i := p.info.Platforms[pms.Smokeball]
		return pms.NewSmokeball(smokeball.New(smokeball.Options{APIBase: i.APIBase, AuthBase: i.OAuthBase, APIKey: i.APIKey,
			Auth: staticAuth{i.Token}, Pacer: &httpx.Pacer{}})), nil
	}
	return nil, fmt.Errorf("unknown practice-management system %q", p.pms)
}

// env is one test's world.
type env struct {
	t        *testing.T
	sb       *sandbox.Sandbox
	st       *store.Store
	eng      *engine.Engine
	bus      *events.Bus
	plat     *testPlatforms
	mu       sync.Mutex
	settings jobs.Settings
	now      time.Time
}

// envOptions adjusts newEnv.
type envOptions struct {
	Size     sandbox.Size // zero: the demo firm
	Seed     int64
	Settings func(*jobs.Settings)
	// RateWindow shortens the fakes' rate-limit windows (keep the real
	// shape but run faster); zero keeps the real windows.
	RateWindow time.Duration
	// PMS is the firm's practice-management system ("" = clio).
	PMS string
	// RealLimits keeps each platform's real request budget. By default the
	// budgets are lifted: job tests are about behaviour, and pacing has its
	// own tests (connectors/httpx, connectors/clio).
	RealLimits bool
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	var limits map[string]int
	if !o.RealLimits {
		limits = map[string]int{"clio": 1_000_000, "lawmatics": 1_000_000, "box": 1_000_000, "zoom": 1_000_000,
			"mycase": 1_000_000, "smokeball": 1_000_000}
	}
	sb, err := sandbox.Start(sandbox.Options{Size: o.Size, Seed: o.Seed, RateWindow: o.RateWindow, RateLimits: limits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	st, err := store.Open(filepath.Join(t.TempDir(), "firmsync.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, sb: sb, st: st, bus: events.NewBus(), plat: &testPlatforms{sb: sb, info: sb.Info(), pms: o.PMS, disconnected: map[string]bool{}}}
	s := jobs.Defaults()
	if o.PMS != "" {
		s.PracticeManagement = o.PMS
	}
	s.BoxRootFolderID = sb.BoxRoot()
	if o.Settings != nil {
		o.Settings(&s)
	}
	e.settings = s
	e.eng = engine.New(engine.Options{Store: st, Bus: e.bus})
	deps := jobs.Deps{Platforms: e.plat, Settings: e.getSettings}
	for _, j := range jobs.All(deps) {
		e.eng.Register(j)
	}
	return e
}

func (e *env) getSettings() jobs.Settings {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings.Normalize()
}

// setSettings changes settings between runs.
func (e *env) setSettings(fn func(*jobs.Settings)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(&e.settings)
}

// disconnect makes a platform answer ErrNotConnected.
func (e *env) disconnect(p string) {
	e.plat.mu.Lock()
	defer e.plat.mu.Unlock()
	e.plat.disconnected[p] = true
}

// run runs a job in full and fails the test on a run-level error.
func (e *env) run(job string) engine.Result {
	e.t.Helper()
	return e.runWith(job, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
}

// runWith runs a job with a chosen trigger and options.
func (e *env) runWith(job string, t engine.Trigger, o engine.RunOptions) engine.Result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := e.eng.Run(ctx, job, t, o)
	if r.Err != nil {
		e.t.Fatalf("%s run: %v", job, r.Err)
	}
	return r
}

// writes is how many write requests the sandbox has served per platform.
func (e *env) writes() map[string]int {
	st := e.sb.StatsSnapshot()
	out := map[string]int{}
	for p, ps := range st.Platforms {
		out[p] = ps.Writes
	}
	return out
}

// logs returns the log records of a job with a status ("" for all).
func (e *env) logs(job, status string) []store.LogRecord {
	e.t.Helper()
	recs, err := e.st.QueryLog(store.LogQuery{Job: job, Status: status, Limit: 100000})
	if err != nil {
		e.t.Fatal(err)
	}
	return recs
}
