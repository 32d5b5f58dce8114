package core_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/engine"
)

// TestQuitEndsARunInProgress: a lawyer quits while a sync waits on a slow
// Clio (here: a minute per matters listing) that the CLI started through
// the control channel, on a context Firmsync does not own. Quitting must
// end that run, not wait for it: the background services stop before the
// slow answer would have come, and the run is recorded as cancelled.
func TestQuitEndsARunInProgress(t *testing.T) {
	app, quit := runSettled(t)
	ctx := context.Background()

	const slow = 60 * time.Second
	f := sandbox.Fault{Platform: "clio", PathPrefix: "/api/v4/matters", Method: http.MethodGet, DelayMS: int(slow / time.Millisecond), Count: 100}
	if err := sandbox.Admin(ctx, app.SandboxInstance().AdminURL(), http.MethodPost, "/faults", f, nil); err != nil {
		t.Fatal(err)
	}
	res := make(chan core.SyncResult, 1)
	go func() { res <- app.Sync(context.Background(), []string{core.JobFolders}, false) }()
	// Its run, or the follow-up behind a run already slowed, waits on Clio.
	time.Sleep(time.Second)

	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- quit() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(slow - 5*time.Second):
		t.Fatal("quitting waited for the slow run")
	}
	t.Logf("quit took %v with a run in progress", time.Since(start))
	var r core.SyncResult
	select {
	case r = <-res:
	case <-time.After(slow):
		t.Fatal("the sync in progress at quit never returned")
	}
	if len(r.Jobs) != 1 || (r.Jobs[0].Status != "cancelled" && !strings.Contains(r.Jobs[0].Error, engine.ErrInterrupted.Error())) {
		t.Errorf("the run in progress at quit: %+v", r.Jobs)
	}
}
