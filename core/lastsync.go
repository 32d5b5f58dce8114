package core

import (
	"fmt"
	"time"

	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// jobPlatforms lists the platforms each job reads or writes.
func jobPlatforms(job string) []string {
	switch job {
	case JobContacts:
		return []string{Clio, Lawmatics, Zoom}
	case JobRecordings:
		return []string{Zoom, Clio, Lawmatics}
	case JobFolders:
		return []string{Clio, Box}
	case JobDocuments:
		return []string{Clio, Box}
	case JobIntake:
		return []string{Lawmatics, Clio}
	}
	return nil
}

// trackLastSync records, per connected platform, when a run that used it
// last finished without a run-level error, until the App closes.
func (a *App) trackLastSync() {
	sub := a.bus.Subscribe(events.RunFinished)
	go func() {
		defer sub.Unsubscribe()
		for {
			select {
			case <-a.life.Done():
				return
			case ev, ok := <-sub.C():
				if !ok {
					return
				}
				d, _ := ev.Data.(events.RunData)
				if d.Status != "succeeded" && d.Status != "partial" {
					continue
				}
				for _, p := range jobPlatforms(d.Job) {
					_ = a.store.UpdateConnection(p, func(c *store.Connection) error {
						if c.Status == store.ConnConnected {
							c.LastSync = time.Now()
						}
						return nil
					})
				}
			}
		}
	}()
}

// JobActivity is what one run of a job did and what started it: enough to
// say "2 min ago (webhook) · 1 folder created".
type JobActivity struct {
	At      time.Time `json:"at"`
	Trigger string    `json:"trigger,omitempty"` // "schedule", "webhook", "manual", "retry", "startup", "catch-up"
	Status  string    `json:"status,omitempty"`
	Created int       `json:"created,omitempty"`
	Updated int       `json:"updated,omitempty"`
	Deleted int       `json:"deleted,omitempty"`
	Failed  int       `json:"failed,omitempty"`
}

// Changed reports whether the run changed anything on a platform.
func (j JobActivity) Changed() bool { return j.Created+j.Updated+j.Deleted > 0 }

// activityLookback bounds how many of a job's newest runs are searched for
// its last change. Webhooks start a small run per event, so a change is
// soon followed by runs that find nothing new (a duplicate delivery, the
// follow-up of a coalesced trigger); a few dozen runs cover hours of that.
const activityLookback = 50

func activityOf(r store.Run) JobActivity {
	return JobActivity{At: r.Start, Trigger: r.Trigger, Status: r.Status,
		Created: r.Counts.Created, Updated: r.Counts.Updated, Deleted: r.Counts.Deleted, Failed: r.Counts.Failed}
}

// fillActivity sets js's last run, whatever started it, and its last
// change: the newest recent run that created, updated or deleted
// something. The newest run alone hides work: a webhook's run that made a
// Box folder is followed within seconds by one that finds nothing to
// change, and "nothing to change" would then be all the Overview says.
func (a *App) fillActivity(js *JobStatus) error {
	runs, err := a.store.Runs(js.Job, activityLookback)
	if err != nil {
		return fmt.Errorf("reading %s runs: %w", js.Job, err)
	}
	if len(runs) == 0 {
		return nil
	}
	last := runs[0]
	js.LastRun = timePtr(last.Start)
	js.LastStatus = last.Status
	js.LastTrigger = last.Trigger
	js.LastError = last.Error
	js.Created, js.Updated, js.Failed = last.Counts.Created, last.Counts.Updated, last.Counts.Failed
	js.Deleted = last.Counts.Deleted
	for _, r := range runs {
		if r.Status == store.RunRunning {
			continue // its counts are not in yet
		}
		if act := activityOf(r); act.Changed() {
			js.LastChange = &act
			break
		}
	}
	return nil
}
