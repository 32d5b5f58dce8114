package main

// Scenarios 1–3: the initial sync of the whole firm, a quiet-day sync and
// a busy-day sync, each by Firmsync (a child process) and by the baseline
// (in the bench), each on its own sandbox seeded alike with the same rate
// limits.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
)

// Side is one side's measurement of one run of a scenario.
type Side struct {
	WallSec  float64  `json:"wall_sec"` // the jobs' time, process start-up excluded
	Calls    int      `json:"calls"`    // every request the sandbox saw
	Limited  int      `json:"limited"`  // of which counted against a rate limit
	Writes   int      `json:"writes"`
	Got429   int      `json:"got_429"`
	Counts   Counts   `json:"counts"`
	Pacing   Pacing   `json:"pacing"`     // the whole run against its bottleneck
	JobPace  []Pacing `json:"job_pacing"` // each job against its own bottleneck
	JobCount []Counts `json:"job_counts"` // each job's requests per platform
	Jobs     []string `json:"jobs"`       // "job: created/updated/…" lines
	Failed   int      `json:"failed"`     // items that failed for good (Firmsync: parked, not by design; baseline: every failure)
	Retrying int      `json:"retrying"`   // Firmsync: failed items waiting for their retry
	Parked   int      `json:"parked"`     // Firmsync: parked as needs attention, not by design
	NoMatch  int      `json:"no_match"`   // Firmsync: parked for want of a matching record (by design)
	Dropped  int      `json:"dropped"`    // baseline: given up silently (no match, no phone)
	Samples  []string `json:"samples,omitempty"`
	ProcWall float64  `json:"process_wall_sec,omitempty"` // Firmsync: the child process's life
	CPUSec   float64  `json:"cpu_sec,omitempty"`          // Firmsync: the child's CPU time
	MaxRSSMB float64  `json:"max_rss_mib,omitempty"`      // Firmsync: the child's peak RSS
}

// SyncScenario is repeated runs of one sync scenario.
type SyncScenario struct {
	Name     string `json:"name"`
	Firmsync []Side `json:"firmsync"`
	Baseline []Side `json:"baseline"`
	Busy     []Busy `json:"busy_changes,omitempty"`
}

// syncBench holds the two sandboxes and the state carried between the
// sync scenarios.
type syncBench struct {
	cfg    *config
	kind   string // the practice-management system
	size   sandbox.Size
	bud    Budgets
	fs, bs *sandbox.Sandbox // Firmsync's and the baseline's sandboxes
	f, bf  firm             // the seeded firm in each (Smokeball's ids differ)
	data   string           // Firmsync's data directory
	base   *baseline
	synced bool // an initial sync has run on both sides
}

func newSyncBench(cfg *config) (*syncBench, error) {
	sb := &syncBench{cfg: cfg, kind: cfg.pms, size: cfg.size(), bud: budgetsFor(cfg.window)}
	o := sandbox.Options{Size: sb.size, Seed: cfg.seed, RateWindow: cfg.window}
	var err error
	if sb.fs, err = sandbox.Start(o); err != nil {
		return nil, err
	}
	if sb.bs, err = sandbox.Start(o); err != nil {
		sb.fs.Close()
		return nil, err
	}
	sb.f = readFirm(sb.fs, sb.kind, sb.size)
	sb.bf = readFirm(sb.bs, sb.kind, sb.size)
	return sb, nil
}

func (sb *syncBench) Close() {
	sb.fs.Close()
	sb.bs.Close()
}

// firmsyncRun runs one Firmsync sync in a child process.
func (sb *syncBench) firmsyncRun(ctx context.Context) (Side, error) {
	cr, err := runChildProcess(ctx, "sync", sb.kind, sb.fs.Info(), sb.data, nil)
	if err != nil {
		return Side{}, err
	}
	r := cr.Result
	s := Side{WallSec: r.Wall().Seconds(), Counts: r.Counts(), Parked: r.Parked, NoMatch: r.NoMatch, Samples: r.Samples,
		ProcWall: cr.Wall.Seconds(), CPUSec: cr.CPU.Seconds(), MaxRSSMB: float64(cr.MaxRSSKiB) / 1024}
	s.Failed, s.Retrying = r.Parked, r.Retrying
	sim := sb.bud.sim()
	for _, j := range r.Jobs {
		s.Jobs = append(s.Jobs, fmt.Sprintf("%s: %d created, %d updated, %d unchanged, %d skipped, %d failed, %d calls, %.1f s",
			j.Job, j.Created, j.Updated, j.Unchanged, j.Skipped, j.Failed, j.Counts.Total(), float64(j.WallMS)/1000))
		if j.Error != "" {
			s.Samples = append(s.Samples, j.Job+": "+j.Error)
		}
		if j.Status == "failed" {
			s.Failed++ // a run that could not proceed
		}
		s.JobPace = append(s.JobPace, sb.jobPacing(sim, j.Job, j.Counts, time.Duration(j.WallMS)*time.Millisecond))
		s.JobCount = append(s.JobCount, j.Counts)
	}
	sb.finish(&s)
	return s, nil
}

// baselineRun runs the baseline's jobs once, in Firmsync's order.
func (sb *syncBench) baselineRun(ctx context.Context) Side {
	var s Side
	sim := sb.bud.sim()
	for _, job := range core.Jobs() {
		before := sb.bs.StatsSnapshot()
		t := time.Now()
		j := sb.base.run(ctx, job)
		wall := time.Since(t)
		j.WallMS = wall.Milliseconds()
		j.Counts = statsDelta(sb.kind, before, sb.bs.StatsSnapshot())
		s.WallSec += wall.Seconds()
		s.Counts = s.Counts.Add(j.Counts)
		s.Failed += j.Failed
		s.Dropped += j.Dropped
		for _, m := range j.Samples {
			if len(s.Samples) < 5 {
				s.Samples = append(s.Samples, job+": "+m)
			}
		}
		s.Jobs = append(s.Jobs, fmt.Sprintf("%s: %d created, %d updated, %d unchanged, %d dropped, %d failed, %d calls, %.1f s",
			job, j.Created, j.Updated, j.Unchanged, j.Dropped, j.Failed, j.Counts.Total(), wall.Seconds()))
		s.JobPace = append(s.JobPace, sb.jobPacing(sim, job, j.Counts, wall))
		s.JobCount = append(s.JobCount, j.Counts)
	}
	sb.finish(&s)
	return s
}

// finish fills the totals and the whole-run pacing of s.
func (sb *syncBench) finish(s *Side) {
	if s.Counts == nil {
		s.Counts = Counts{}
	}
	for _, pc := range s.Counts {
		s.Calls += pc.Requests
		s.Limited += pc.Limited
		s.Writes += pc.Writes
		s.Got429 += pc.Got429
	}
	// The whole run's pacing: the least time the budgets allow for the
	// requests it made, job after job, against the time it took.
	var need, wall float64
	var bound []string
	for _, jp := range s.JobPace {
		need += jp.NeedSec
		wall += jp.WallSec
		if jp.Bound() && !slices.Contains(bound, jp.Platform) {
			bound = append(bound, jp.Platform)
		}
	}
	s.Pacing = Pacing{Platform: strings.Join(bound, ", "), NeedSec: need, WallSec: wall}
	if wall > 0 {
		s.Pacing.Ratio = need / wall
	}
}

// jobPacing runs one job's requests through the budget simulation.
func (sb *syncBench) jobPacing(sim *budgetSim, job string, c Counts, wall time.Duration) Pacing {
	need, platform, n := sim.job(c)
	p := Pacing{Job: job, Platform: platform, NeedSec: need.Seconds(), WallSec: wall.Seconds(), Requests: n, Budget: sb.bud.describe(platform)}
	if p.WallSec > 0 {
		p.Ratio = p.NeedSec / p.WallSec
	}
	return p
}

// initial runs the initial sync repeat times (fresh sandboxes and data
// each time but the first); with measure false it runs once, unrecorded.
func (sb *syncBench) initial(ctx context.Context, measure bool) (*SyncScenario, error) {
	sc := &SyncScenario{Name: "initial"}
	n := sb.cfg.repeat
	if !measure {
		n = 1
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			if err := sb.fs.Reset(sb.cfg.seed, sb.size); err != nil {
				return nil, err
			}
			if err := sb.bs.Reset(sb.cfg.seed, sb.size); err != nil {
				return nil, err
			}
			sb.f = readFirm(sb.fs, sb.kind, sb.size)
			sb.bf = readFirm(sb.bs, sb.kind, sb.size)
		}
		sb.data = filepath.Join(sb.cfg.tmp, fmt.Sprintf("firmsync-data-%d", i))
		if err := os.MkdirAll(sb.data, 0o700); err != nil {
			return nil, err
		}
		sb.base = newBaseline(sb.kind, sb.bs.Info(), sb.bs.Info)
		sb.cfg.progressf("initial sync %d/%d: Firmsync…", i+1, n)
		fs, err := sb.firmsyncRun(ctx)
		if err != nil {
			return nil, err
		}
		sb.cfg.progressf("initial sync %d/%d: Firmsync %.1f s, %d calls; baseline…", i+1, n, fs.WallSec, fs.Calls)
		bs := sb.baselineRun(ctx)
		sb.cfg.progressf("initial sync %d/%d: baseline %.1f s, %d calls", i+1, n, bs.WallSec, bs.Calls)
		sc.Firmsync = append(sc.Firmsync, fs)
		sc.Baseline = append(sc.Baseline, bs)
	}
	sb.synced = true
	return sc, nil
}

// bothSides runs one Firmsync sync, then one baseline run, and says so.
func (sb *syncBench) bothSides(ctx context.Context, what string, i int) (Side, Side, error) {
	fs, err := sb.firmsyncRun(ctx)
	if err != nil {
		return Side{}, Side{}, err
	}
	bs := sb.baselineRun(ctx)
	sb.cfg.progressf("%s %d/%d: Firmsync %d calls %.1f s; baseline %d calls %.1f s", what, i+1, sb.cfg.repeat, fs.Calls, fs.WallSec, bs.Calls, bs.WallSec)
	return fs, bs, nil
}

// quiet syncs again with nothing changed.
func (sb *syncBench) quiet(ctx context.Context) (*SyncScenario, error) {
	sc := &SyncScenario{Name: "quiet"}
	for i := 0; i < sb.cfg.repeat; i++ {
		fs, bs, err := sb.bothSides(ctx, "quiet day", i)
		if err != nil {
			return nil, err
		}
		sc.Firmsync = append(sc.Firmsync, fs)
		sc.Baseline = append(sc.Baseline, bs)
	}
	return sc, nil
}

// busy changes 1% of everything on both sandboxes, then syncs.
func (sb *syncBench) busy(ctx context.Context) (*SyncScenario, error) {
	sc := &SyncScenario{Name: "busy"}
	for i := 0; i < sb.cfg.repeat; i++ {
		// Meetings start after both sides' last sync: the baseline lists
		// recordings by start time since its last run.
		start := time.Now().Add(2 * time.Second).Truncate(time.Second)
		bf, err := busyDay(sb.fs, sb.kind, sb.f, sb.size, i, start)
		if err != nil {
			return nil, fmt.Errorf("busy day on Firmsync's sandbox: %w", err)
		}
		if _, err := busyDay(sb.bs, sb.kind, sb.bf, sb.size, i, start); err != nil {
			return nil, fmt.Errorf("busy day on the baseline's sandbox: %w", err)
		}
		for time.Now().Before(start) {
			time.Sleep(time.Until(start))
		}
		fs, bs, err := sb.bothSides(ctx, "busy day", i)
		if err != nil {
			return nil, err
		}
		sc.Firmsync = append(sc.Firmsync, fs)
		sc.Baseline = append(sc.Baseline, bs)
		sc.Busy = append(sc.Busy, bf)
	}
	return sc, nil
}
