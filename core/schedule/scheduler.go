package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Options configures New.
type Options struct {
	Location *time.Location // the firm's time zone; nil means Local
	// Trigger starts a job (the engine coalesces, so it may be called
	// while the job runs).
	Trigger func(ctx context.Context, job string)
	// LastRun reports when a job last ran, for catch-up.
	LastRun func(job string) (time.Time, bool)
	Logger  *slog.Logger
	Now     func() time.Time
	// WakeCheck is how often the scheduler looks for a clock jump (the PC
	// slept); 0 means 30 s.
	WakeCheck time.Duration
}

// Scheduler runs jobs on their schedules.
type Scheduler struct {
	o Options

	mu     sync.Mutex // guards the fields below
	specs  map[string]Spec
	gs     gocron.Scheduler
	jobs   map[string]gocron.Job
	paused bool
	ctx    context.Context
}

// New returns a stopped scheduler.
func New(o Options) *Scheduler {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.WakeCheck == 0 {
		o.WakeCheck = 30 * time.Second
	}
	return &Scheduler{o: o, specs: map[string]Spec{}}
}

// ParseAll validates a job → schedule map, naming the job in any error.
func ParseAll(raw map[string]string) (map[string]Spec, error) {
	specs := make(map[string]Spec, len(raw))
	names := make([]string, 0, len(raw))
	for j := range raw {
		names = append(names, j)
	}
	sort.Strings(names)
	for _, j := range names {
		sp, err := Parse(raw[j])
		if err != nil {
			return nil, fmt.Errorf("%s schedule: %w", j, err)
		}
		specs[j] = sp
	}
	return specs, nil
}

// Start begins scheduling specs until ctx ends; it first runs, once, every
// job whose due time passed while Firmsync was not running.
func (s *Scheduler) Start(ctx context.Context, specs map[string]Spec) error {
	s.mu.Lock()
	s.ctx = ctx
	s.specs = specs
	err := s.rebuildLocked()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.CatchUp()
	go s.watchWake(ctx)
	go func() {
		<-ctx.Done()
		s.Stop()
	}()
	return nil
}

// Apply replaces the schedules (after a settings change).
func (s *Scheduler) Apply(specs map[string]Spec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.specs = specs
	return s.rebuildLocked()
}

// Stop ends scheduling.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gs != nil {
		_ = s.gs.Shutdown()
		s.gs, s.jobs = nil, nil
	}
}

// Pause stops every schedule until Resume; manual and webhook runs still work.
func (s *Scheduler) Pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = true
	if s.gs != nil {
		_ = s.gs.StopJobs()
	}
}

// Resume restarts the schedules and catches up on anything missed.
func (s *Scheduler) Resume() {
	s.mu.Lock()
	s.paused = false
	if s.gs != nil {
		s.gs.Start()
	}
	s.mu.Unlock()
	s.CatchUp()
}

// Paused reports whether schedules are paused.
func (s *Scheduler) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

// NextRun is a job's next scheduled run (zero when paused or unscheduled).
func (s *Scheduler) NextRun(job string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused {
		return time.Time{}
	}
	if j, ok := s.jobs[job]; ok {
		if t, err := j.NextRun(); err == nil {
			return t
		}
	}
	if sp, ok := s.specs[job]; ok {
		return sp.Next(s.o.Now(), s.o.Location)
	}
	return time.Time{}
}

// Missed reports whether job's schedule came due since its last run.
func (s *Scheduler) Missed(job string, sp Spec, now time.Time) bool {
	last, ok := s.o.LastRun(job)
	if !ok {
		return true // never ran: the first sync happens at start
	}
	next := sp.Next(last, s.o.Location)
	return !next.IsZero() && !next.After(now)
}

// CatchUp triggers, once each, the jobs whose due time passed without a
// run (the PC was off or asleep), rather than once per missed slot.
func (s *Scheduler) CatchUp() {
	s.mu.Lock()
	if s.paused || s.ctx == nil {
		s.mu.Unlock()
		return
	}
	ctx := s.ctx
	var due []string
	now := s.o.Now()
	for job, sp := range s.specs {
		if s.Missed(job, sp, now) {
			due = append(due, job)
		}
	}
	s.mu.Unlock()
	sort.Strings(due)
	for _, job := range due {
		s.o.Logger.Info("catching up a missed scheduled run", "job", job)
		s.o.Trigger(ctx, job)
	}
}

func (s *Scheduler) rebuildLocked() error {
	if s.gs != nil {
		_ = s.gs.Shutdown()
	}
	gs, err := gocron.NewScheduler(gocron.WithLocation(s.o.Location))
	if err != nil {
		return fmt.Errorf("starting the scheduler: %w", err)
	}
	jobs := map[string]gocron.Job{}
	for name, sp := range s.specs {
		var def gocron.JobDefinition
		if sp.Cron != "" {
			def = gocron.CronJob(sp.Cron, false)
		} else {
			def = gocron.DurationJob(sp.Every)
		}
		job := name
		ctx := s.ctx
		j, err := gs.NewJob(def, gocron.NewTask(func() { s.o.Trigger(ctx, job) }),
			gocron.WithName(job), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		if err != nil {
			_ = gs.Shutdown()
			return fmt.Errorf("%s schedule %s: %w", job, sp, err)
		}
		jobs[job] = j
	}
	s.gs, s.jobs = gs, jobs
	if !s.paused {
		gs.Start()
	}
	return nil
}

// watchWake notices the PC waking from sleep: Go timers run on the
// monotonic clock, which stops during suspend, so wall time jumping ahead
// of it means due times may have passed unseen. Then it catches up and
// rebuilds the timers.
func (s *Scheduler) watchWake(ctx context.Context) {
	t := time.NewTicker(s.o.WakeCheck)
	defer t.Stop()
	lastWall, lastMono := time.Now().Round(0), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		nowWall, nowMono := time.Now().Round(0), time.Now()
		if jump := nowWall.Sub(lastWall) - nowMono.Sub(lastMono); jump > time.Minute || jump < -time.Minute {
			s.o.Logger.Info("clock jumped (sleep or time change); catching up", "jump", jump.String())
			s.mu.Lock()
			err := s.rebuildLocked()
			s.mu.Unlock()
			if err != nil {
				s.o.Logger.Error("rebuilding schedules", "err", err)
			}
			s.CatchUp()
		}
		lastWall, lastMono = nowWall, nowMono
	}
}
