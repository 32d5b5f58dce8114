package core

import (
	"context"
	"time"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
)

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
}

// SyncResult is the outcome of Sync.
type SyncResult struct {
	Jobs   []JobResult `json:"jobs"`
	Failed int         `json:"failed"`
	DryRun bool        `json:"dry_run,omitempty"`
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
	for _, j := range Jobs() {
		if len(want) > 0 && !want[j] {
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
	return res
}

// Retry puts failed or parked items back in line (log record ids, or every
// such item of job, or of all jobs) and runs them now.
func (a *App) Retry(ctx context.Context, job string, logIDs []uint64) (SyncResult, error) {
	keys, err := a.engine.RetryItems(ctx, job, logIDs)
	if err != nil {
		return SyncResult{}, err
	}
	var res SyncResult
	for _, j := range Jobs() {
		ks := keys[j]
		if len(ks) == 0 {
			continue
		}
		start := time.Now()
		r := a.engine.Run(ctx, j, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: ks}, engine.RunOptions{})
		jr := JobResult{Job: j, Status: r.Run.Status, Created: r.Run.Counts.Created, Updated: r.Run.Counts.Updated,
			Failed: r.Run.Counts.Failed, APICalls: r.Run.Counts.APICalls, DurationMS: time.Since(start).Milliseconds()}
		if r.Err != nil {
			jr.Error = r.Err.Error()
		}
		res.Failed += jr.Failed
		res.Jobs = append(res.Jobs, jr)
	}
	return res, nil
}

func schedTrigger() engine.Trigger { return engine.Trigger{Kind: engine.TriggerSchedule} }
