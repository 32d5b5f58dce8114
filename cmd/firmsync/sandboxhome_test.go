package main

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
)

// homeless starts the firmsync program with args and a HOME of its own
// (every XDG base directory defaulting under it), runs it until its
// control endpoint answers and a few seconds of the demo's first sync
// have passed, stops it, and returns that HOME.
func homeless(t *testing.T, args ...string) string {
	t.Helper()
	home := t.TempDir()
	data := t.TempDir()
	c := &child{cmd: program(append(args, "--data", data)...), out: &lockedBuffer{}, exited: make(chan error, 1)}
	c.cmd.Env = append(c.cmd.Env, "HOME="+home, "XDG_CONFIG_HOME=", "XDG_DATA_HOME=", "XDG_CACHE_HOME=", "XDG_STATE_HOME=")
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() { _ = c.cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for !running(data) {
		select {
		case err := <-c.exited:
			t.Fatalf("exited early: %v\n%s", err, c.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no control endpoint after 60 s\n%s", c.out.String())
		}
	}
	// The demo's first sync connects every platform (where a keychain item
	// or a file under $HOME would appear); stop once it is over, so the
	// stop meets an idle app however slow the machine is.
	for !settled(data) && time.Now().Before(deadline.Add(60*time.Second)) {
		time.Sleep(200 * time.Millisecond)
	}
	c.stop(t, strings.Join(args, " "))
	return home
}

// written lists what is under dir.
func written(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The README promises that trying the sandbox never touches a real
// configuration: no start-at-login entry, no keychain item, nothing
// under $HOME at all.
func TestServeSandboxLeavesHomeAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sandbox's first sync")
	}
	home := homeless(t, "serve", "--sandbox")
	if got := written(t, home); len(got) > 0 {
		t.Errorf("serve --sandbox wrote under $HOME: %q", got)
	}
}

func TestDesktopSandboxLeavesHomeAlone(t *testing.T) {
	desktopTray(t)
	home := homeless(t, "--sandbox")
	// Fyne's preferences and go-text's font index included: the demo
	// keeps them in its data directory (keepToolkitFilesIn).
	if got := written(t, home); len(got) > 0 {
		t.Errorf("the desktop sandbox wrote under $HOME: %q", got)
	}
}

// settled reports whether the instance on data has run every job once and
// runs none now.
func settled(data string) bool {
	r, err := core.Dial(data)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	st, err := r.Status(ctx)
	if err != nil || len(st.Jobs) == 0 {
		return false
	}
	for _, j := range st.Jobs {
		if j.LastRun == nil || j.LastStatus == "running" {
			return false
		}
	}
	return true
}
