package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// TestCLIReachesTheRunningInstance: while an instance runs, the CLI's
// status goes through its control endpoint (the database is locked) on
// every OS: a Unix socket, or on Windows loopback TCP with a token.
func TestCLIReachesTheRunningInstance(t *testing.T) {
	dir := t.TempDir()
	app, err := core.Open(context.Background(), core.Options{DataDir: dir, Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	stop, err := app.ServeControl()
	if err != nil {
		t.Fatalf("control endpoint: %v", err)
	}
	defer stop()
	code, out, errOut := runCLI(t, map[string]string{"FIRMSYNC_DATA": dir}, "status", "--json")
	if code != exitOK || !strings.Contains(out, filepath.Base(dir)) {
		t.Fatalf("status through the running instance: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

// TestCLISaysWhenTheRunningInstanceCannotBeReached: an instance that holds
// the data directory but has no control endpoint (it could not start one)
// gets a plain "cannot be reached" from the CLI, naming the log that says
// why, rather than a bare "already running".
func TestCLISaysWhenTheRunningInstanceCannotBeReached(t *testing.T) {
	dir := t.TempDir()
	app, err := core.Open(context.Background(), core.Options{DataDir: dir, Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	code, _, errOut := runCLI(t, map[string]string{"FIRMSYNC_DATA": dir}, "status")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{"cannot be reached", "control endpoint does not answer", "firmsync.log"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	if _, err := os.Stat(core.ControlSocket(dir)); err == nil {
		t.Error("a control endpoint exists although none was served")
	}
}
