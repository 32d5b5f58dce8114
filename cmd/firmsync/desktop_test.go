package main

import (
	"bytes"
	"context"
	"fmt"
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

// desktopTray skips unless the test may open real windows, then gives the
// app a private session bus with a stand-in tray host on it.
func desktopTray(t *testing.T) *trayhost.Watcher {
	t.Helper()
	if os.Getenv("FIRMSYNC_DESKTOP_TEST") == "" || os.Getenv("DISPLAY") == "" {
		t.Skip("opens real windows: make test runs it under Xvfb (FIRMSYNC_DESKTOP_TEST=1)")
	}
	traytest.PrivateBus(t)
	host, err := trayhost.Serve("") // stands in for the desktop's panel
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	return host
}

// child is a running firmsync program and its output.
type child struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan error
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{cmd: program(args...), out: &lockedBuffer{}, exited: make(chan error, 1)}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() { _ = c.cmd.Process.Kill() })
	return c
}

// stop sends SIGTERM and fails the test unless the program then exits
// cleanly within 30 s, without Fyne complaining of calls off its thread.
func (c *child) stop(t *testing.T, what string) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.exited:
		if err != nil || strings.Contains(c.out.String(), "should have been called in fyne.Do") {
			t.Fatalf("%s: exit after SIGTERM: %v\n%s", what, err, c.out.String())
		}
	case <-time.After(30 * time.Second):
		// Ask the Go runtime for every goroutine's stack: what it waits
		// for is the finding.
		_ = c.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-c.exited:
		case <-time.After(5 * time.Second):
		}
		t.Fatalf("%s: still running 30 s after SIGTERM\n%s", what, c.out.String())
	}
}

func TestDesktopStartsHiddenInTrayAndComesForward(t *testing.T) {
	host := desktopTray(t)
	data := t.TempDir()
	app := startChild(t, "--sandbox", "--hidden", "--data", data)

	// The tray icon registers and the control endpoint answers.
	deadline := time.Now().Add(60 * time.Second)
	for len(host.Items()) == 0 || !running(data) {
		select {
		case err := <-app.exited:
			t.Fatalf("the app exited early: %v\n%s", err, app.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no tray icon (%q) or control endpoint after 60 s\n%s", host.Items(), app.out.String())
		}
	}

	// A second launch brings the running window forward and exits.
	second, err := program("--sandbox", "--data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(second), "brought forward") {
		t.Fatalf("second launch: %v: %s", err, second)
	}

	// SIGTERM stops it cleanly, window shown or hidden.
	app.stop(t, "brought forward")
}

// TestDesktopStopsCleanlyMidSync sends SIGTERM while the first sync of a
// fresh sandbox is still running: Fyne quits on the signal by itself and
// closes the tray's D-Bus connection while the stopping jobs still report
// to the window and tray. Each start is a new race, so it runs a few.
func TestDesktopStopsCleanlyMidSync(t *testing.T) {
	desktopTray(t)
	for i := range 3 {
		data := t.TempDir()
		app := startChild(t, "--sandbox", "--data", data)
		deadline := time.Now().Add(60 * time.Second)
		for !running(data) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(i) * 150 * time.Millisecond) // a different moment of the sync each time
		app.stop(t, fmt.Sprintf("start %d, mid-sync", i))
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
