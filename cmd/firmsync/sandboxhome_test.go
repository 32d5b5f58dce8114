package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	time.Sleep(3 * time.Second) // the demo's first sync connects every platform
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
	var firmsync, toolkit []string
	for _, p := range written(t, home) {
		if fyneOwn[p] {
			toolkit = append(toolkit, p)
		} else {
			firmsync = append(firmsync, p)
		}
	}
	if len(firmsync) > 0 {
		t.Errorf("the desktop sandbox wrote under $HOME: %q", firmsync)
	}
	if _, err := os.Stat(filepath.Join(home, ".config", "autostart")); err == nil {
		t.Error("the desktop sandbox registered start at login")
	}
	if len(toolkit) > 0 {
		// Not Firmsync's configuration, but still under $HOME: Fyne's
		// own preferences file and the system-font index it builds.
		t.Logf("known: the Fyne toolkit wrote %q", toolkit)
	}
}

// fyneOwn are the files the Fyne toolkit itself writes under $HOME on
// Linux whatever the app does: its preferences store and the font index
// of go-text's fontscan. They hold no Firmsync setting.
var fyneOwn = map[string]bool{
	".config": true, ".config/fyne": true, ".config/fyne/com.firmsync.desktop": true,
	".config/fyne/com.firmsync.desktop/preferences.json": true,
	".cache": true, ".cache/font_index_v5.cache": true,
}
