package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// TestRunKeepsSchedulesAndWebhooksWhenTheControlEndpointFails: the control
// endpoint only serves the command line, so when it cannot start (here its
// path is taken by a non-empty directory; on Wine and old Windows it was a
// missing AF_UNIX) Run still starts the receiver and the schedules and
// syncs; the endpoint is simply not there for Dial.
func TestRunKeepsSchedulesAndWebhooksWhenTheControlEndpointFails(t *testing.T) {
	dir := t.TempDir()
	app := openFastSandboxApp(t, dir, secrets.NewMemory())
	defer app.Close()
	blocker := core.ControlSocket(dir)
	if err := os.MkdirAll(filepath.Join(blocker, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	select {
	case <-app.Ready():
	case err := <-done:
		t.Fatalf("Run ended because the control endpoint could not start: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("Run never became ready")
	}
	if app.ReceiverURL() == "" {
		t.Fatal("the webhook receiver is not listening")
	}
	res := app.Sync(ctx, []string{"intake"}, false)
	if len(res.Jobs) != 1 || res.Jobs[0].Error != "" {
		t.Fatalf("sync without a control endpoint: %+v", res)
	}
	if _, err := core.Dial(dir); !errors.Is(err, core.ErrNotRunning) {
		t.Fatalf("Dial = %v, want ErrNotRunning", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not stop within 15 s")
	}
}

// TestDialIgnoresAStaleEndpoint: what a crashed instance left behind (a
// socket nobody listens on, an endpoint file naming a dead port) means no
// instance is running, not an error talking to one.
func TestDialIgnoresAStaleEndpoint(t *testing.T) {
	dir := t.TempDir()
	app := openFastSandboxApp(t, dir, secrets.NewMemory())
	stop, err := app.ServeControl()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.Dial(dir); err != nil {
		t.Fatalf("Dial to a serving instance: %v", err)
	}
	// Simulate the crash: the listener goes, the file locating it stays.
	path := core.ControlSocket(dir)
	saved, _ := os.ReadFile(path) // a socket reads as an error: nothing to restore
	stop()
	app.Close()
	if saved != nil {
		if err := os.WriteFile(path, saved, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := core.Dial(dir); !errors.Is(err, core.ErrNotRunning) {
		t.Fatalf("Dial after the instance died = %v, want ErrNotRunning", err)
	}
}
