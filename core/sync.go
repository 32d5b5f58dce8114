package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/store"
)

// JobWaiting is the status of a job that did not run because a platform it
// needs is not connected. It is not a failure of the job, and not an
// all-clear either: nothing was synced.
const JobWaiting = "waiting"

// registerJobs adds the five jobs to the engine.
func (a *App) registerJobs() {
	d := jobs.Deps{Platforms: a.platforms, Settings: func() jobs.Settings { return a.Settings().Jobs }, Logger: a.Logger()}
	for _, j := range jobs.All(d) {
		a.engine.Register(j)
	}
}

// JobResult is one job's outcome in a Sync.
type JobResult struct {
	Job        string           `json:"job"`
	Status     string           `json:"status"`
	Created    int              `json:"created"`
	Updated    int              `json:"updated"`
	Unchanged  int              `json:"unchanged"`
	Skipped    int              `json:"skipped"`
	Deleted    int              `json:"deleted"`
	Failed     int              `json:"failed"`
	APICalls   int              `json:"api_calls"`
	DurationMS int64            `json:"duration_ms"`
	Error      string           `json:"error,omitempty"`
	Planned    []engine.Planned `json:"planned,omitempty"`
	// WaitingFor lists the platforms (by name: "clio") that must be
	// connected before the job can run; with it, Status is JobWaiting and
	// Waiting says so in words ("waiting for Clio to be connected").
	WaitingFor []string `json:"waiting_for,omitempty"`
	Waiting    string   `json:"waiting,omitempty"`
}

// SyncResult is the outcome of Sync.
type SyncResult struct {
	Jobs   []JobResult `json:"jobs"`
	Failed int         `json:"failed"`
	DryRun bool        `json:"dry_run,omitempty"`
	// Waiting counts the jobs that could not run, and NotConnected names
	// the platforms they wait for (in Platforms() order).
	Waiting      int      `json:"waiting,omitempty"`
	NotConnected []string `json:"not_connected,omitempty"`
}

// Sync runs the named jobs once (all when none are named), one after the
// other in the order of Jobs(), and waits for them. With dryRun it reads
// everything and reports what it would do, writing nothing remote.
func (a *App) Sync(ctx context.Context, names []string, dryRun bool) SyncResult {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	res := SyncResult{DryRun: dryRun}
	waits, err := a.jobWaits()
	if err != nil {
		// Without the connections nothing can be said about them: run the
		// jobs, which report a missing platform themselves.
		a.Logger().Error("reading connections before a sync", "err", err)
	}
	missing := map[string]bool{}
	for _, j := range Jobs() {
		if len(want) > 0 && !want[j] {
			continue
		}
		if w, ok := waits[j]; ok {
			// Decided before the run: a job that cannot reach a platform
			// would otherwise end as a green "skipped", which reads as
			// "nothing to change" when nothing was looked at.
			res.Jobs = append(res.Jobs, JobResult{Job: j, Status: JobWaiting, WaitingFor: w.platforms, Waiting: w.text})
			res.Waiting++
			for _, p := range w.platforms {
				missing[p] = true
			}
			continue
		}
		start := time.Now()
		r := a.engine.Run(ctx, j, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: dryRun})
		jr := JobResult{
			Job: j, Status: r.Run.Status, Created: r.Run.Counts.Created, Updated: r.Run.Counts.Updated,
			Unchanged: r.Run.Counts.Unchanged, Skipped: r.Run.Counts.Skipped, Deleted: r.Run.Counts.Deleted,
			Failed: r.Run.Counts.Failed, APICalls: r.Run.Counts.APICalls, DurationMS: time.Since(start).Milliseconds(),
			Planned: r.Planned,
		}
		if r.Err != nil {
			jr.Error = r.Err.Error()
			if jr.Status == "" {
				jr.Status = "failed"
			}
			if jr.Failed == 0 {
				jr.Failed = 1 // a run that could not proceed counts as a failure
			}
		}
		res.Failed += jr.Failed
		res.Jobs = append(res.Jobs, jr)
	}
	for _, p := range a.Platforms() {
		if missing[p] {
			res.NotConnected = append(res.NotConnected, p)
		}
	}
	return res
}

// Retry puts failed or parked items back in line (log record ids, or every
// such item of job, or of all jobs) and runs them now.
func (a *App) Retry(ctx context.Context, job string, logIDs []uint64) (SyncResult, error) {
	for _, id := range logIDs {
		// Checked here so a mistyped id gets an answer a person can act on
		// rather than the store's "reading log record N: not found".
		if _, err := a.store.LogRecordByID(id); errors.Is(err, store.ErrNotFound) {
			return SyncResult{}, &NoLogItemError{ID: id}
		}
	}
	keys, err := a.engine.RetryItems(ctx, job, logIDs)
	if err != nil {
		return SyncResult{}, err
	}
	return a.runRetries(ctx, keys), nil
}

// runRetries runs, job after job, a targeted retry run for each job's
// item keys (Retry, Retry all, Attach).
func (a *App) runRetries(ctx context.Context, byJob map[string][]string) SyncResult {
	var res SyncResult
	for _, j := range Jobs() {
		ks := byJob[j]
		if len(ks) == 0 {
			continue
		}
		start := time.Now()
		r := a.engine.Run(ctx, j, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: ks}, engine.RunOptions{})
		jr := JobResult{Job: j, Status: r.Run.Status, Created: r.Run.Counts.Created, Updated: r.Run.Counts.Updated,
			Failed: r.Run.Counts.Failed, APICalls: r.Run.Counts.APICalls, DurationMS: time.Since(start).Milliseconds()}
		if r.Err != nil {
			jr.Error = r.Err.Error()
			jr.Failed = max(jr.Failed, 1) // a run that could not proceed counts as a failure
		}
		res.Failed += jr.Failed
		res.Jobs = append(res.Jobs, jr)
	}
	return res
}

func schedTrigger() engine.Trigger { return engine.Trigger{Kind: engine.TriggerSchedule} }

// NoLogItemError says a log item named by id does not exist (a typo, or
// pruned from the log). It wraps store.ErrNotFound.
type NoLogItemError struct{ ID uint64 }

func (e *NoLogItemError) Error() string {
	return fmt.Sprintf("no log item %d (see `firmsync log`)", e.ID)
}

func (e *NoLogItemError) Unwrap() error { return store.ErrNotFound }

// jobWait is why a job cannot run now.
type jobWait struct {
	platforms []string // not connected, in App.Platforms() order
	text      string   // "waiting for Clio and Box to be connected"
}

// jobWaits returns, for every job that cannot run because a platform it
// needs is not connected, what it waits for. The sandbox connects its
// fakes on demand, so there nothing ever waits. A platform that needs
// reconnecting is not waited for here: its run fails and says so.
func (a *App) jobWaits() (map[string]jobWait, error) {
	if a.inSandbox() {
		return nil, nil
	}
	connected := map[string]bool{}
	platforms := a.Platforms()
	for _, p := range platforms {
		c, err := a.store.Connection(p)
		if err != nil {
			return nil, fmt.Errorf("reading the %s connection: %w", p, err)
		}
		connected[p] = c.Status != "" && c.Status != store.ConnDisconnected
	}
	s := a.Settings().Jobs.Normalize()
	waits := map[string]jobWait{}
	for _, j := range Jobs() {
		all, anyOf := jobNeeds(j, s)
		var missing, words []string
		for _, p := range all {
			if !connected[p] {
				missing = append(missing, p)
				words = append(words, PlatformTitle(p))
			}
		}
		if len(anyOf) > 0 && !slices.ContainsFunc(anyOf, func(p string) bool { return connected[p] }) {
			var alt []string
			for _, p := range anyOf {
				missing = append(missing, p)
				alt = append(alt, PlatformTitle(p))
			}
			words = append(words, strings.Join(alt, " or "))
		}
		if len(missing) == 0 {
			continue
		}
		slices.SortFunc(missing, func(x, y string) int { return slices.Index(platforms, x) - slices.Index(platforms, y) })
		waits[j] = jobWait{platforms: slices.Compact(missing), text: "waiting for " + joinWords(words) + " to be connected"}
	}
	return waits, nil
}

// jobNeeds says which platforms a job needs under settings s: every one of
// all, and at least one of anyOf. It follows what each job's Run asks its
// Platforms for before it touches an item.
func jobNeeds(job string, s jobs.Settings) (all, anyOf []string) {
	switch job {
	case JobIntake:
		return []string{Lawmatics, s.PracticeManagement}, nil
	case JobContacts:
		// Zoom is where contacts go; the sources are alternatives, and a
		// run with one of them connected syncs that one.
		for _, src := range s.ContactSources {
			if IsPlatform(src) {
				anyOf = append(anyOf, src)
			}
		}
		return []string{Zoom}, anyOf
	case JobFolders, JobDocuments:
		return []string{s.PracticeManagement, Box}, nil
	case JobRecordings:
		all = []string{Zoom}
		for _, t := range s.NoteTargets {
			if IsPlatform(t) {
				all = append(all, t)
			}
		}
		return all, nil
	}
	return nil, nil
}

// PlatformTitle is a platform's name as people write it ("Clio").
func PlatformTitle(p string) string {
	switch p {
	case Clio:
		return "Clio"
	case Lawmatics:
		return "Lawmatics"
	case Zoom:
		return "Zoom"
	case Box:
		return "Box"
	case MyCase:
		return "MyCase"
	case Smokeball:
		return "Smokeball"
	}
	return p
}

// joinWords joins ["a"], ["a","b"], ["a","b","c"] as "a", "a and b",
// "a, b and c".
func joinWords(w []string) string {
	if len(w) <= 1 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
