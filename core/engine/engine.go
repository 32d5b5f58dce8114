// Package engine runs Firmsync's sync jobs: one run at a time per job,
// later triggers coalesced into follow-up runs (one per kind: full or
// targeted, real or dry), per-item retry with the job's policy, items that
// exhaust it parked as "needs attention", run records and per-item log
// records in the store, progress on the event bus.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// Trigger kinds.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerWebhook  = "webhook"
	TriggerRetry    = "retry"
	TriggerStartup  = "startup"
	// TriggerCatchUp: a full run after a webhook was (re)created, for
	// what changed while no webhook could report it.
	TriggerCatchUp = "catch-up"
)

// Trigger says why a run happens and, for targeted runs, which objects it
// is about (job-specific keys such as "matter:123").
type Trigger struct {
	Kind      string
	ObjectIDs []string
}

// Job is one sync job.
type Job interface {
	Name() string
	// Run does the job's work for one run. It reports items through r and
	// returns an error only when the run as a whole could not proceed
	// (e.g. a platform needs reconnecting).
	Run(ctx context.Context, r *Run) error
}

// Options configures New.
type Options struct {
	Store    *store.Store
	Bus      *events.Bus // nil: no events
	Logger   *slog.Logger
	Now      func() time.Time
	Policies map[string]Policy // nil: DefaultPolicies
	// Base is the engine's lifetime: coalesced follow-up runs use it, and
	// it ends them when the app stops. nil means context.Background().
	Base context.Context
}

// Engine runs jobs.
type Engine struct {
	o    Options
	jobs map[string]Job

	mu      sync.Mutex            // guards the fields below
	running map[string]*flight    // job → the run in progress
	pending map[string][]*pending // job → the follow-up runs waiting for it, in order
	// active counts runs in progress and idle is closed when it drops to
	// zero. Not a sync.WaitGroup: a webhook may start a run at the very
	// moment shutdown waits, and a WaitGroup forbids Add racing Wait.
	active  int
	idle    chan struct{}
	stopped bool // set by Stop: no new run starts

	// queued, when set (tests only, see export_test.go), is called with
	// e.mu held each time a trigger joins a follow-up run: it lets a test
	// release a run exactly once a trigger is waiting behind it.
	queued func(job string, t Trigger)
}

// flight is a run in progress, which waiters can wait on.
type flight struct {
	done   chan struct{}
	result Result
	cancel context.CancelFunc // ends the run's context (Interrupt); set once started
}

// pending is a coalesced follow-up run. Triggers only join a follow-up of
// their own shape: a targeted trigger folded into a full run would lose its
// objects (a full run may hold them until their retry is due, or never
// look at them: a Box folder event names no Clio matter a full run lists),
// and a dry-run caller folded into a real run would get real writes.
type pending struct {
	trigger Trigger // ObjectIDs empty for a full run
	dryRun  bool
	flight  *flight
}

// joins reports whether a trigger with t's shape belongs in p.
func (p *pending) joins(t Trigger, ro RunOptions) bool {
	return p.dryRun == ro.DryRun && (len(p.trigger.ObjectIDs) == 0) == (len(t.ObjectIDs) == 0)
}

// Result is the outcome of one run.
type Result struct {
	Run     store.Run
	Planned []Planned // what a dry run would do
	Err     error
}

// New returns an Engine with no jobs registered.
func New(o Options) *Engine {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Policies == nil {
		o.Policies = DefaultPolicies()
	}
	if o.Base == nil {
		o.Base = context.Background()
	}
	return &Engine{o: o, jobs: map[string]Job{}, running: map[string]*flight{}, pending: map[string][]*pending{}}
}

// Register adds a job.
func (e *Engine) Register(j Job) { e.jobs[j.Name()] = j }

// Jobs lists the registered job names, sorted.
func (e *Engine) Jobs() []string {
	var n []string
	for k := range e.jobs {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// SetPolicy replaces one job's retry policy.
func (e *Engine) SetPolicy(job string, p Policy) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("retry policy for %s: %w", job, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.o.Policies[job] = p
	return nil
}

// Policy returns a job's retry policy.
func (e *Engine) Policy(job string) Policy {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.o.Policies[job]; ok {
		return p
	}
	return Policy{Attempts: 3, Delays: seconds(60, 300, 900)}
}

// RunOptions adjusts one run.
type RunOptions struct {
	DryRun bool // read everything, write nothing remote, move no watermark
}

// Run runs job now and waits for the result. If the job is already
// running, the trigger is coalesced into the waiting follow-up run of the
// same shape (full or targeted, real or dry; a new one queued after the
// others if there is none), and Run waits for that one.
func (e *Engine) Run(ctx context.Context, job string, t Trigger, ro RunOptions) Result {
	f, err := e.enqueue(ctx, job, t, ro)
	if err != nil {
		return Result{Err: err}
	}
	select {
	case <-f.done:
		return f.result
	case <-ctx.Done():
		return Result{Err: ctx.Err()}
	}
}

// Trigger starts job in the background (coalesced like Run) and returns at
// once. Background runs stop when ctx ends.
func (e *Engine) Trigger(ctx context.Context, job string, t Trigger) error {
	_, err := e.enqueue(ctx, job, t, RunOptions{})
	return err
}

// ErrStopped is returned for a run asked for after Stop.
var ErrStopped = errors.New("firmsync is stopping: no new run starts")

// Wait blocks until no run is in progress. Runs may still start after it
// returns; Stop prevents that.
func (e *Engine) Wait() {
	for {
		e.mu.Lock()
		if e.active == 0 {
			e.mu.Unlock()
			return
		}
		idle := e.idle
		e.mu.Unlock()
		<-idle
	}
}

// ErrInterrupted is what a caller waiting for a follow-up run hears when
// Interrupt dropped that run.
var ErrInterrupted = errors.New("the run was called off: Firmsync is quitting")

// Interrupt ends the runs in progress now, whoever asked for them (each is
// checkpointed and resumes next time), and drops the follow-ups waiting
// behind them. Quitting must not wait for a run that started a moment
// before, nor start the ones queued. Later runs start as usual.
func (e *Engine) Interrupt() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range e.running {
		f.cancel()
	}
	for job, queue := range e.pending {
		for _, p := range queue {
			p.flight.result = Result{Err: ErrInterrupted}
			close(p.flight.done)
		}
		delete(e.pending, job)
	}
}

// Stop refuses every later run and follow-up, then waits for the runs in
// progress, so that nothing touches the store once the app closes it.
func (e *Engine) Stop() {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.Wait()
}

func (e *Engine) enqueue(ctx context.Context, job string, t Trigger, ro RunOptions) (*flight, error) {
	j, ok := e.jobs[job]
	if !ok {
		return nil, fmt.Errorf("unknown job %q", job)
	}
	if err := ctx.Err(); err != nil {
		// A caller already gone (a webhook at shutdown) would only leave
		// a run that failed with "context canceled" in the log.
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil, ErrStopped
	}
	if _, busy := e.running[job]; busy {
		var p *pending
		for _, w := range e.pending[job] {
			if w.joins(t, ro) {
				p = w
				break
			}
		}
		if p == nil {
			// At most one follow-up of each shape waits, so the queue
			// stays short however many triggers arrive.
			p = &pending{trigger: Trigger{Kind: t.Kind}, dryRun: ro.DryRun, flight: &flight{done: make(chan struct{})}}
			e.pending[job] = append(e.pending[job], p)
		}
		for _, id := range t.ObjectIDs {
			if !slices.Contains(p.trigger.ObjectIDs, id) {
				p.trigger.ObjectIDs = append(p.trigger.ObjectIDs, id)
			}
		}
		if e.queued != nil {
			e.queued(job, t)
		}
		return p.flight, nil
	}
	f := &flight{done: make(chan struct{})}
	e.startLocked(ctx, j, t, ro, f)
	return f, nil
}

// startLocked launches a run; the caller holds e.mu.
func (e *Engine) startLocked(ctx context.Context, j Job, t Trigger, ro RunOptions, f *flight) {
	ctx, f.cancel = context.WithCancel(ctx)
	e.running[j.Name()] = f
	if e.active == 0 {
		e.idle = make(chan struct{})
	}
	e.active++
	go func() {
		f.result = e.execute(ctx, j, t, ro)
		f.cancel()
		e.mu.Lock()
		defer e.mu.Unlock()
		// Runs before the unlock, and after a follow-up (if any) counted
		// itself in, so Wait never sees zero between the two.
		defer e.leaveLocked()
		// Leave running before waking waiters: a caller who starts the job
		// again right away must start a new run, not join a finished one.
		delete(e.running, j.Name())
		close(f.done)
		queue := e.pending[j.Name()]
		if len(queue) == 0 {
			return
		}
		p := queue[0]
		if len(queue) == 1 {
			delete(e.pending, j.Name())
		} else {
			e.pending[j.Name()] = queue[1:]
		}
		// The follow-up serves many triggers, so it runs on the engine's
		// lifetime, not on the first caller's context.
		base := e.o.Base
		stopErr := base.Err()
		if e.stopped {
			stopErr = ErrStopped
		}
		if stopErr != nil {
			// The app is stopping: no follow-up will run, so every waiter
			// hears why instead of waiting for ever.
			for _, q := range queue {
				q.flight.result = Result{Err: stopErr}
				close(q.flight.done)
			}
			delete(e.pending, j.Name())
			return
		}
		e.startLocked(base, j, p.trigger, RunOptions{DryRun: p.dryRun}, p.flight)
	}()
}

// leaveLocked counts a finished run out; the caller holds e.mu.
func (e *Engine) leaveLocked() {
	e.active--
	if e.active == 0 {
		close(e.idle)
	}
}

// execute performs one run from start to finish.
func (e *Engine) execute(ctx context.Context, j Job, t Trigger, ro RunOptions) Result {
	r := newRun(e, j.Name(), t, ro)
	rec := store.Run{Job: j.Name(), Trigger: t.Kind, Start: e.o.Now(), Status: "running", ObjectIDs: t.ObjectIDs}
	if !ro.DryRun {
		id, err := e.o.Store.StartRun(rec)
		if err != nil {
			return Result{Err: fmt.Errorf("recording the start of %s: %w", j.Name(), err)}
		}
		rec.ID = id
	}
	r.id = rec.ID
	if err := r.loadRetryState(); err != nil {
		return Result{Err: err}
	}
	e.o.Bus.Publish(events.RunStarted, events.RunData{Job: j.Name(), RunID: rec.ID, Trigger: t.Kind, Total: -1})
	e.o.Logger.Info("run started", "job", j.Name(), "run", rec.ID, "trigger", t.Kind, "objects", len(t.ObjectIDs), "dry_run", ro.DryRun)

	var counter httpx.Counter
	rctx := httpx.WithCounter(ctx, &counter)
	runErr := safeRun(rctx, j, r)
	flushErr := r.flush()

	rec.End = e.o.Now()
	rec.Counts = r.countsSnapshot()
	rec.Counts.APICalls = int(counter.Count())
	switch {
	case runErr != nil && errors.Is(runErr, ErrSkipRun):
		rec.Status = "skipped"
		rec.Error = runErr.Error()
		runErr = nil
	case runErr != nil && (errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded)):
		rec.Status = "cancelled"
	case runErr != nil:
		rec.Status = "failed"
	case rec.Counts.Failed > 0:
		rec.Status = "partial"
	default:
		rec.Status = "succeeded"
	}
	if err := errors.Join(runErr, flushErr); err != nil {
		rec.Error = err.Error()
	}
	if rec.Status == "skipped" {
		rec.Counts.Skipped++
	}
	if !ro.DryRun {
		if err := e.o.Store.FinishRun(rec); err != nil {
			e.o.Logger.Error("recording the end of a run", "job", j.Name(), "err", err)
		}
	}
	e.o.Bus.Publish(events.RunFinished, events.RunData{
		Job: j.Name(), RunID: rec.ID, Trigger: t.Kind, Status: rec.Status, Done: r.done, Total: r.total,
		Created: rec.Counts.Created, Updated: rec.Counts.Updated, Failed: rec.Counts.Failed, Skipped: rec.Counts.Skipped, Error: rec.Error,
	})
	e.o.Logger.Info("run finished", "job", j.Name(), "run", rec.ID, "status", rec.Status,
		"created", rec.Counts.Created, "updated", rec.Counts.Updated, "unchanged", rec.Counts.Unchanged,
		"skipped", rec.Counts.Skipped, "failed", rec.Counts.Failed, "api_calls", rec.Counts.APICalls, "err", rec.Error)
	return Result{Run: rec, Planned: r.planned, Err: runErr}
}

// safeRun turns a panicking job into a failed run instead of a dead app.
func safeRun(ctx context.Context, j Job, r *Run) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s crashed: %v", j.Name(), p)
		}
	}()
	return j.Run(ctx, r)
}

// DueRetries returns, per job, the keys of failed items whose next attempt
// is due at now, and the earliest future attempt time (zero if none).
func (e *Engine) DueRetries(now time.Time) (map[string][]string, time.Time, error) {
	due := map[string][]string{}
	var next time.Time
	for name := range e.jobs {
		entries, err := e.o.Store.LedgerEntries(retryJob(name), stateWaiting)
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, en := range entries {
			if !en.NextAttempt.After(now) {
				due[name] = append(due[name], en.Key)
			} else if next.IsZero() || en.NextAttempt.Before(next) {
				next = en.NextAttempt
			}
		}
	}
	return due, next, nil
}

// RetryLoop runs due item retries until ctx ends, waking at the earliest
// next attempt (checked at least every interval).
func (e *Engine) RetryLoop(ctx context.Context, interval time.Duration) {
	for {
		due, next, err := e.DueRetries(e.o.Now())
		if err != nil {
			e.o.Logger.Error("reading due retries", "err", err)
		}
		for job, keys := range due {
			if err := e.Trigger(ctx, job, Trigger{Kind: TriggerRetry, ObjectIDs: keys}); err != nil {
				e.o.Logger.Error("triggering retries", "job", job, "err", err)
			}
		}
		wait := interval
		if !next.IsZero() {
			if d := next.Sub(e.o.Now()); d < wait {
				wait = max(d, time.Second)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// RetryItems puts parked or failed items back in line: their attempts
// start over and they run in one targeted run per job. ids are log record
// ids (as `firmsync log` prints them); empty ids with a job name retry
// every failed or parked item of that job (all jobs when job is "").
func (e *Engine) RetryItems(ctx context.Context, job string, ids []uint64) (map[string][]string, error) {
	keys := map[string][]string{}
	if len(ids) > 0 {
		for _, id := range ids {
			rec, err := e.o.Store.LogRecordByID(id)
			if err != nil {
				return nil, fmt.Errorf("log record %d: %w", id, err)
			}
			if rec.ItemKey == "" || (job != "" && rec.Job != job) {
				return nil, fmt.Errorf("log record %d is not a retryable item of %s", id, orAll(job))
			}
			keys[rec.Job] = append(keys[rec.Job], rec.ItemKey)
		}
	} else {
		for name := range e.jobs {
			if job != "" && name != job {
				continue
			}
			entries, err := e.o.Store.LedgerEntries(retryJob(name), "")
			if err != nil {
				return nil, err
			}
			for _, en := range entries {
				keys[name] = append(keys[name], en.Key)
			}
		}
	}
	if err := e.Requeue(keys); err != nil {
		return nil, err
	}
	return keys, nil
}

func orAll(job string) string {
	if job == "" {
		return "any job"
	}
	return job
}

// retryJob is the ledger namespace holding a job's item retry state, kept
// apart from the job's own source → target entries so neither clobbers
// the other.
func retryJob(job string) string { return job + "#retry" }

// ErrSkipRun, wrapped in a job's returned error, ends the run as
// "skipped" with that reason instead of "failed": e.g. a platform the job
// needs is not connected.
var ErrSkipRun = errors.New("skipped")

// States of an item in the retry namespace.
const (
	stateWaiting = "waiting"          // failed; retried at NextAttempt
	stateParked  = store.LedgerParked // attempts exhausted: needs attention
)
