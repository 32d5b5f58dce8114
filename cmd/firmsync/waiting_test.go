package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
)

// TestSyncWithNothingConnectedFailsNamingThePlatforms is a new firm's
// first `firmsync sync`: it used to exit 0 with five green "skipped" jobs.
func TestSyncWithNothingConnectedFailsNamingThePlatforms(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := runCLI(t, nil, "sync", "--data", data)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, w := range []string{
		"intake: waiting for Lawmatics and Clio to be connected",
		"contacts: waiting for Zoom and Clio to be connected",
		"folders: waiting for Clio and Box to be connected",
		"recordings: waiting for Zoom and Clio to be connected",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "skipped") {
		t.Errorf("a job that did not run reads as skipped:\n%s", out)
	}
	want := "firmsync: 5 job(s) could not run: clio, lawmatics, zoom and box not connected; connect with `firmsync connect PLATFORM`\n"
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}

	code, out, _ = runCLI(t, nil, "sync", "--data", data, "--json", "--job", "documents")
	var res core.SyncResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitFailure {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if len(res.Jobs) != 1 || res.Jobs[0].Status != core.JobWaiting || res.Waiting != 1 || strings.Join(res.NotConnected, ",") != "clio,box" {
		t.Errorf("sync --json --job documents: %+v", res)
	}
}

// TestStatusSaysWhatJobsWaitFor checks the words and that the JSON only
// gained fields: scripts written against the old shape keep working.
func TestStatusSaysWhatJobsWaitFor(t *testing.T) {
	data := t.TempDir()
	code, out, _ := runCLI(t, nil, "status", "--data", data)
	if code != exitOK || !strings.Contains(out, "waiting for Clio and Box to be connected") || !strings.Contains(out, "firmsync connect PLATFORM") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	_, out, _ = runCLI(t, nil, "status", "--data", data, "--json")
	var raw struct {
		DataDir     *string          `json:"data_dir"`
		Connections []map[string]any `json:"connections"`
		Jobs        []map[string]any `json:"jobs"`
		SignInPort  int              `json:"sign_in_port"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || raw.DataDir == nil || len(raw.Connections) != 4 || len(raw.Jobs) != 5 {
		t.Fatalf("%v:\n%s", err, out)
	}
	for _, c := range raw.Connections {
		for _, k := range []string{"platform", "connected", "status"} {
			if _, ok := c[k]; !ok {
				t.Errorf("connection lacks %q: %v", k, c)
			}
		}
	}
	for _, j := range raw.Jobs {
		for _, k := range []string{"job", "created", "updated", "failed", "waiting", "waiting_for"} {
			if _, ok := j[k]; !ok {
				t.Errorf("job lacks %q: %v", k, j)
			}
		}
	}
	if raw.SignInPort != 53682 {
		t.Errorf("sign_in_port %d", raw.SignInPort)
	}
}

func TestRetryOfAMissingItemIsFriendly(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "retry", "999999", "--data", t.TempDir())
	if code != exitFailure || out != "" || errOut != "firmsync: no log item 999999 (see `firmsync log`)\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestDisconnectOfANeverConnectedPlatform(t *testing.T) {
	for _, p := range core.Platforms() {
		code, out, errOut := runCLI(t, nil, "disconnect", p, "--data", t.TempDir())
		if code != exitOK || out != p+" is not connected; nothing to disconnect.\n" || errOut != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", p, code, out, errOut)
		}
	}
}
