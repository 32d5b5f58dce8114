package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// TestStatusKeepsTheLastChangeOfAnyTrigger pins item 3 of "Tell the truth
// at a glance": a webhook's run that made a Box folder, followed by runs
// that found nothing to change, must still show as the job's last change.
func TestStatusKeepsTheLastChangeOfAnyTrigger(t *testing.T) {
	app, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	st := app.Store()
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	run := func(job, trigger string, at time.Time, status string, c store.Counts, errText string) {
		t.Helper()
		id, err := st.StartRun(store.Run{Job: job, Trigger: trigger, Start: at})
		if err != nil {
			t.Fatal(err)
		}
		if status == store.RunRunning {
			return
		}
		if err := st.FinishRun(store.Run{ID: id, Job: job, Trigger: trigger, Start: at, End: at.Add(time.Second), Status: status, Counts: c, Error: errText}); err != nil {
			t.Fatal(err)
		}
	}
	// folders: a scheduled run, the webhook's run that made a folder, then
	// a duplicate delivery and Sync Now that found nothing.
	run(core.JobFolders, "schedule", base, store.RunSucceeded, store.Counts{Created: 3}, "")
	run(core.JobFolders, "webhook", base.Add(2*time.Minute), store.RunSucceeded, store.Counts{Created: 1}, "")
	run(core.JobFolders, "webhook", base.Add(3*time.Minute), store.RunSucceeded, store.Counts{Unchanged: 1}, "")
	run(core.JobFolders, "manual", base.Add(4*time.Minute), store.RunSucceeded, store.Counts{Unchanged: 9}, "")
	// recordings: the newest run changed something itself.
	run(core.JobRecordings, "retry", base.Add(time.Minute), store.RunPartial, store.Counts{Updated: 2, Deleted: 1, Failed: 1}, "1 item failed")
	// documents: a changing run, then one still running (its counts are
	// not in: it is the last run but not the last change).
	run(core.JobDocuments, "schedule", base, store.RunSucceeded, store.Counts{Created: 4}, "")
	run(core.JobDocuments, "webhook", base.Add(5*time.Minute), store.RunRunning, store.Counts{}, "")
	// contacts: skipped, nothing ever changed.
	run(core.JobContacts, "schedule", base, "skipped", store.Counts{Skipped: 1}, "zoom is not connected")

	s, err := app.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[string]core.JobStatus{}
	for _, j := range s.Jobs {
		jobs[j.Job] = j
	}
	tests := []struct {
		job         string
		lastTrigger string
		lastStatus  string
		lastErr     string
		change      *core.JobActivity // nil: no change on record
	}{
		{core.JobFolders, "manual", store.RunSucceeded, "", &core.JobActivity{At: base.Add(2 * time.Minute), Trigger: "webhook", Status: store.RunSucceeded, Created: 1}},
		{core.JobRecordings, "retry", store.RunPartial, "1 item failed", &core.JobActivity{At: base.Add(time.Minute), Trigger: "retry", Status: store.RunPartial, Updated: 2, Deleted: 1, Failed: 1}},
		{core.JobDocuments, "webhook", store.RunRunning, "", &core.JobActivity{At: base, Trigger: "schedule", Status: store.RunSucceeded, Created: 4}},
		{core.JobContacts, "schedule", "skipped", "zoom is not connected", nil},
		{core.JobIntake, "", "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.job, func(t *testing.T) {
			js := jobs[tc.job]
			if js.LastTrigger != tc.lastTrigger || js.LastStatus != tc.lastStatus || js.LastError != tc.lastErr {
				t.Errorf("last run: trigger %q status %q error %q; want %q %q %q", js.LastTrigger, js.LastStatus, js.LastError, tc.lastTrigger, tc.lastStatus, tc.lastErr)
			}
			switch {
			case tc.change == nil && js.LastChange != nil:
				t.Errorf("last change = %+v, want none", *js.LastChange)
			case tc.change != nil && js.LastChange == nil:
				t.Errorf("no last change, want %+v", *tc.change)
			case tc.change != nil:
				got := *js.LastChange
				if !got.At.Equal(tc.change.At) {
					t.Errorf("last change at %v, want %v", got.At, tc.change.At)
				}
				got.At = tc.change.At
				if got != *tc.change {
					t.Errorf("last change = %+v, want %+v", got, *tc.change)
				}
			}
		})
	}
	if f := jobs[core.JobFolders]; f.LastRun == nil || !f.LastRun.Equal(base.Add(4*time.Minute)) || f.Created != 0 {
		t.Errorf("folders last run = %v, created %d; want the Sync Now run with nothing created", f.LastRun, f.Created)
	}
}
