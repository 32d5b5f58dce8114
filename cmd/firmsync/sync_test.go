package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
)

// TestSyncSandboxJSON runs `firmsync sync --sandbox --json` on a fresh
// data directory twice: the first run creates the demo firm's objects (and
// exits 1, because the demo has calls with nobody to attach them to, which
// wait in the log as needs attention); the second creates and updates
// nothing and exits 0.
func TestSyncSandboxJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a full demo sync")
	}
	dir := t.TempDir()
	run := func() (int, core.SyncResult) {
		code, out, errOut := runCLI(t, nil, "sync", "--sandbox", "--data", dir, "--json")
		var res core.SyncResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("exit %d, output %q, stderr %q: %v", code, out, errOut, err)
		}
		return code, res
	}
	code, first := run()
	if len(first.Jobs) != len(core.Jobs()) {
		t.Fatalf("jobs %+v", first.Jobs)
	}
	for _, j := range first.Jobs {
		if j.Created == 0 || j.Error != "" || j.APICalls == 0 || j.DurationMS < 0 {
			t.Errorf("first run %s: %+v", j.Job, j)
		}
	}
	if first.Failed == 0 || code != exitFailure {
		t.Errorf("the demo's unmatched calls should count as failed: exit %d, failed %d", code, first.Failed)
	}
	code, second := run()
	for _, j := range second.Jobs {
		if j.Created != 0 || j.Updated != 0 || j.Failed != 0 {
			t.Errorf("second run %s: %+v", j.Job, j)
		}
	}
	if code != exitOK || second.Failed != 0 {
		t.Errorf("second run: exit %d, failed %d", code, second.Failed)
	}
}

// TestSyncAgainstASandboxElsewhere points `firmsync sync` at a sandbox in
// another process (--sandbox-url), as the benchmark and a developer with
// `firmsync sandbox` running do; a wrong URL is a one-line error.
func TestSyncAgainstASandboxElsewhere(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Size: sandbox.Size{Contacts: 4, Matters: 2, Documents: 2, Recordings: 1, Prospects: 2}, RateWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	_, out, errOut := runCLI(t, nil, "sync", "--sandbox-url", sb.AdminURL(), "--data", dir, "--json")
	var res core.SyncResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output %q, stderr %q: %v", out, errOut, err)
	}
	for _, j := range res.Jobs {
		if j.Created == 0 || j.Error != "" {
			t.Errorf("%s: %+v", j.Job, j)
		}
	}
	if n := sb.StatsSnapshot().Platforms["clio"].Requests; n == 0 {
		t.Error("the sandbox elsewhere received no requests")
	}

	for _, bad := range []string{"not a url", "http://127.0.0.1:1/_sandbox"} {
		code, _, errOut := runCLI(t, nil, "sync", "--sandbox-url", bad, "--data", t.TempDir())
		if code == exitOK || strings.Count(strings.TrimSpace(errOut), "\n") > 0 || !strings.Contains(errOut, "sandbox") {
			t.Errorf("--sandbox-url %q: exit %d, stderr %q", bad, code, errOut)
		}
	}
}
