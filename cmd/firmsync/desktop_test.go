package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/ui/trayhost"
	"github.com/firmsync/firmsync/ui/trayhost/traytest"
)

// TestMain lets a test start this very binary as the real program.
func TestMain(m *testing.M) {
	if os.Getenv("FIRMSYNC_TEST_AS_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// program runs the firmsync program (this test binary) with args.
func program(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FIRMSYNC_TEST_AS_MAIN=1")
	return cmd
}

func TestDesktopStartsHiddenInTrayAndComesForward(t *testing.T) {
	if os.Getenv("FIRMSYNC_DESKTOP_TEST") == "" || os.Getenv("DISPLAY") == "" {
		t.Skip("opens real windows: make test runs it under Xvfb (FIRMSYNC_DESKTOP_TEST=1)")
	}
	traytest.PrivateBus(t)
	host, err := trayhost.Serve("") // stands in for the desktop's panel
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()

	data := t.TempDir()
	var out lockedBuffer
	app := program("--sandbox", "--hidden", "--data", data)
	app.Stdout, app.Stderr = &out, &out
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	defer func() { _ = app.Process.Kill() }()

	// The tray icon registers and the control endpoint answers.
	deadline := time.Now().Add(60 * time.Second)
	for len(host.Items()) == 0 || !running(data) {
		select {
		case err := <-exited:
			t.Fatalf("the app exited early: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no tray icon (%q) or control endpoint after 60 s\n%s", host.Items(), out.String())
		}
	}

	// A second launch brings the running window forward and exits.
	second, err := program("--sandbox", "--data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(second), "brought forward") {
		t.Fatalf("second launch: %v: %s", err, second)
	}

	// SIGTERM stops it cleanly, window shown or hidden.
	if err := app.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGTERM\n%s", out.String())
	}
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running reports whether a Firmsync answers on data's control socket.
func running(data string) bool {
	r, err := core.Dial(data)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = r.Status(ctx)
	return err == nil
}

// TestDesktopStopsCleanlyMidSync sends SIGTERM while the first sync of a
// fresh sandbox is still running: Fyne quits on the signal by itself and
// closes the tray's D-Bus connection while the stopping jobs still report
// to the window and tray. Each start is a new race, so it runs a few.
func TestDesktopStopsCleanlyMidSync(t *testing.T) {
	if os.Getenv("FIRMSYNC_DESKTOP_TEST") == "" || os.Getenv("DISPLAY") == "" {
		t.Skip("opens real windows: make test runs it under Xvfb (FIRMSYNC_DESKTOP_TEST=1)")
	}
	traytest.PrivateBus(t)
	host, err := trayhost.Serve("")
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	for i := range 3 {
		data := t.TempDir()
		var out lockedBuffer
		app := program("--sandbox", "--data", data)
		app.Stdout, app.Stderr = &out, &out
		if err := app.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- app.Wait() }()
		deadline := time.Now().Add(60 * time.Second)
		for !running(data) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(i) * 150 * time.Millisecond) // a different moment of the sync each time
		if err := app.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			if err != nil || strings.Contains(out.String(), "should have been called in fyne.Do") {
				t.Fatalf("start %d: exit after SIGTERM mid-sync: %v\n%s", i, err, out.String())
			}
		case <-time.After(30 * time.Second):
			_ = app.Process.Kill()
			t.Fatalf("start %d: still running 30 s after SIGTERM\n%s", i, out.String())
		}
	}
}
