package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// openRealApp opens an App wired to the real platforms (none connected)
// with its secrets in memory.
func openRealApp(t *testing.T) *core.App {
	t.Helper()
	app, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}

func TestSyncWithNothingConnectedWaitsAndNamesThePlatforms(t *testing.T) {
	app := openRealApp(t)
	res := app.Sync(context.Background(), nil, false)
	want := map[string]string{
		core.JobIntake:     "waiting for Lawmatics and Clio to be connected",
		core.JobContacts:   "waiting for Zoom and Clio to be connected",
		core.JobFolders:    "waiting for Clio and Box to be connected",
		core.JobDocuments:  "waiting for Clio and Box to be connected",
		core.JobRecordings: "waiting for Zoom and Clio to be connected",
	}
	if len(res.Jobs) != len(want) {
		t.Fatalf("jobs %+v", res.Jobs)
	}
	for _, j := range res.Jobs {
		if j.Status != core.JobWaiting || j.Waiting != want[j.Job] || len(j.WaitingFor) == 0 || j.Skipped != 0 {
			t.Errorf("%s: %+v, want status %q and %q", j.Job, j, core.JobWaiting, want[j.Job])
		}
	}
	if res.Waiting != 5 || !slices.Equal(res.NotConnected, core.Platforms()) || res.Failed != 0 {
		t.Errorf("waiting %d, not connected %v, failed %d", res.Waiting, res.NotConnected, res.Failed)
	}
	// Nothing ran, so no green "skipped" run lands in the history.
	for _, j := range core.Jobs() {
		if _, ok, err := app.Store().LastRun(j); ok || err != nil {
			t.Errorf("%s: a run was recorded (%v)", j, err)
		}
	}
	b, _ := json.Marshal(res)
	for _, w := range []string{`"waiting":5`, `"not_connected":["clio","lawmatics","zoom","box"]`, `"waiting_for":["clio","lawmatics"]`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("JSON %s lacks %s", b, w)
		}
	}

	one := app.Sync(context.Background(), []string{core.JobFolders}, true)
	if len(one.Jobs) != 1 || one.Jobs[0].Job != core.JobFolders || !slices.Equal(one.NotConnected, []string{core.Clio, core.Box}) {
		t.Errorf("sync --job folders --dry-run: %+v", one)
	}
}

// TestStatusSaysWhatEachJobWaitsFor sets connections in the store (no run
// is started, so no token is needed) and reads what status says.
func TestStatusSaysWhatEachJobWaitsFor(t *testing.T) {
	cases := []struct {
		name      string
		status    map[string]string // platform → connection status
		sources   []string          // contact sources ("" default: clio)
		targets   []string          // note targets
		wantWaits map[string]string // job → Waiting; absent: runs
	}{
		{
			name:   "all connected",
			status: map[string]string{core.Clio: store.ConnConnected, core.Lawmatics: store.ConnConnected, core.Zoom: store.ConnConnected, core.Box: store.ConnConnected},
		},
		{
			name:   "only Clio and Box",
			status: map[string]string{core.Clio: store.ConnConnected, core.Box: store.ConnConnected},
			wantWaits: map[string]string{
				core.JobIntake:     "waiting for Lawmatics to be connected",
				core.JobContacts:   "waiting for Zoom to be connected",
				core.JobRecordings: "waiting for Zoom to be connected",
			},
		},
		{
			name:    "one of two contact sources is enough",
			status:  map[string]string{core.Zoom: store.ConnConnected, core.Lawmatics: store.ConnConnected},
			sources: []string{"clio", "lawmatics"},
			targets: []string{"clio", "lawmatics"},
			wantWaits: map[string]string{
				core.JobIntake:     "waiting for Clio to be connected",
				core.JobFolders:    "waiting for Clio and Box to be connected",
				core.JobDocuments:  "waiting for Clio and Box to be connected",
				core.JobRecordings: "waiting for Clio to be connected",
			},
		},
		{
			name:    "neither contact source",
			status:  map[string]string{core.Zoom: store.ConnConnected, core.Box: store.ConnConnected},
			sources: []string{"clio", "lawmatics"},
			wantWaits: map[string]string{
				core.JobIntake:     "waiting for Lawmatics and Clio to be connected",
				core.JobContacts:   "waiting for Clio or Lawmatics to be connected",
				core.JobFolders:    "waiting for Clio to be connected",
				core.JobDocuments:  "waiting for Clio to be connected",
				core.JobRecordings: "waiting for Clio to be connected",
			},
		},
		{
			// A connection needing reconnecting is not "waiting": its runs
			// fail and say "Reconnect clio", which is the truth.
			name:   "Clio needs reconnecting",
			status: map[string]string{core.Clio: store.ConnReconnectNeeded, core.Lawmatics: store.ConnConnected, core.Zoom: store.ConnConnected, core.Box: store.ConnConnected},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := openRealApp(t)
			for p, s := range c.status {
				if err := app.Store().PutConnection(store.Connection{Platform: p, Status: s}); err != nil {
					t.Fatal(err)
				}
			}
			set := app.Settings()
			if c.sources != nil {
				set.Jobs.ContactSources = c.sources
			}
			if c.targets != nil {
				set.Jobs.NoteTargets = c.targets
			}
			if err := app.SaveSettings(set); err != nil {
				t.Fatal(err)
			}
			st, err := app.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range st.Jobs {
				if j.Waiting != c.wantWaits[j.Job] || (len(j.WaitingFor) == 0) != (c.wantWaits[j.Job] == "") {
					t.Errorf("%s: waiting %q for %v, want %q", j.Job, j.Waiting, j.WaitingFor, c.wantWaits[j.Job])
				}
			}
		})
	}
}

func TestStatusInTheSandboxNeverWaits(t *testing.T) {
	app := openSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	st, err := app.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range st.Jobs {
		if j.Waiting != "" {
			t.Errorf("%s waits in the sandbox, which connects on demand: %q", j.Job, j.Waiting)
		}
	}
}

func TestSyncRetryOfAMissingLogItemSaysSo(t *testing.T) {
	app := openRealApp(t)
	_, err := app.Retry(context.Background(), "", []uint64{999999})
	if err == nil || err.Error() != "no log item 999999 (see `firmsync log`)" || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retry 999999: %v", err)
	}
}
