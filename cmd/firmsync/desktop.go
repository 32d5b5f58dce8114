package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/ui"
)

// trayWaitAtLogin is how long a hidden start waits for the desktop's tray
// before showing the window instead.
const trayWaitAtLogin = 10 * time.Second

// errNoDisplay is what a desktop launch on a headless Linux box says,
// instead of a GLFW crash.
var errNoDisplay = errors.New(`no display found; for a headless machine use "firmsync serve"`)

// hasDisplay reports whether a GUI can open here. Only X11/Wayland systems
// can lack one; macOS and Windows always have a desktop session.
func hasDisplay(goos string, getenv func(string) string) bool {
	switch goos {
	case "darwin", "windows", "android", "ios":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

func cmdDesktop(ctx context.Context, e env, o *opts) error {
	if !hasDisplay(runtime.GOOS, e.getenv) {
		return errNoDisplay
	}
	app, err := openApp(ctx, e, o)
	var busy *core.AlreadyRunningError
	if errors.As(err, &busy) {
		if r, derr := core.Dial(busy.Dir); derr == nil && r.Show(ctx) == nil {
			fmt.Fprintln(e.stdout, "Firmsync is already running; its window was brought forward.")
			return nil
		}
	}
	if errors.Is(err, store.ErrDamaged) {
		// A damaged state file: say so in a window, not only on a
		// terminal nobody looks at, and offer the rebuild.
		if !ui.AskRebuild(err) {
			return err
		}
		return rebuildAndRestart(e, o)
	}
	if err != nil {
		return err
	}
	defer app.Close()
	if e.getenv(envRebuilt) != "" {
		// Started again after a rebuild: sync at once, so the jobs find
		// their earlier work on the platforms and record it again.
		go func() {
			select {
			case <-app.Ready():
				app.Sync(ctx, nil, false)
			case <-ctx.Done():
			}
		}()
	}
	if o.sandbox || o.sandboxURL != "" {
		if err := keepToolkitFilesIn(app.DataDir(), runtime.GOOS); err != nil {
			return err
		}
	}
	// Started hidden (at login), give the panel a moment to come up.
	wait := time.Duration(0)
	if o.hidden {
		wait = trayWaitAtLogin
	}
	tray := ui.TrayAvailable(ctx, runtime.GOOS, e.getenv, wait)
	return ui.Run(ctx, app, ui.Options{Tray: tray, Hidden: o.hidden})
}

// openApp opens the App for commands that own the data directory.
func openApp(ctx context.Context, e env, o *opts) (*core.App, error) {
	dir, err := resolveData(e, o)
	if err != nil {
		return nil, err
	}
	return openAppAt(ctx, dir, o, nil)
}

// openAppAt opens the App on dir; logTo also receives the operational log.
func openAppAt(ctx context.Context, dir string, o *opts, logTo io.Writer) (*core.App, error) {
	co := core.Options{DataDir: dir, Sandbox: o.sandbox, LogTo: logTo, PMS: o.pms}
	if o.pms != "" && !pms.Valid(o.pms) {
		return nil, usageErr{fmt.Sprintf("unknown --pms %q (valid: %s)", o.pms, strings.Join(pms.Kinds, ", "))}
	}
	if o.pms != "" && !o.sandbox && o.sandboxURL == "" {
		return nil, usageErr{"--pms is for trying the sandbox (with --sandbox); a firm chooses its practice-management system in Settings"}
	}
	if o.sandboxURL != "" {
		info, err := sandbox.FetchInfo(ctx, o.sandboxURL)
		if err != nil {
			return nil, err
		}
		co.ExternalSandbox = &info
	}
	return core.Open(ctx, co)
}

// keepToolkitFilesIn points the per-user config and cache directories of
// this process at dir, so that trying the sandbox writes nothing outside
// its data directory: Fyne keeps its preferences under the user config
// directory and go-text its system-font index under the user cache
// directory. Only for the demo: a real firm's app keeps Fyne's defaults.
// On Linux and the BSDs those directories follow the XDG variables; macOS
// and Windows do not read them (there the two files stay where the
// system puts them).
func keepToolkitFilesIn(dir, goos string) error {
	if goos == "darwin" || goos == "windows" {
		return nil
	}
	for env, sub := range map[string]string{"XDG_CONFIG_HOME": "toolkit/config", "XDG_CACHE_HOME": "toolkit/cache"} {
		p := filepath.Join(dir, filepath.FromSlash(sub))
		if err := os.MkdirAll(p, 0o700); err != nil {
			return fmt.Errorf("preparing the sandbox's toolkit directory: %w", err)
		}
		if err := os.Setenv(env, p); err != nil {
			return err
		}
	}
	return nil
}

// envRebuilt marks the process rebuildAndRestart starts.
const envRebuilt = "FIRMSYNC_REBUILT"

// rebuildAndRestart moves the damaged state aside (core.RebuildState keeps
// it) and starts Firmsync again on the fresh one, with the same arguments:
// Fyne's driver runs once per process, so the main window needs a new one.
func rebuildAndRestart(e env, o *opts) error {
	dir, err := resolveData(e, o)
	if err != nil {
		return err
	}
	res, err := core.RebuildState(dir, time.Now())
	if err != nil {
		return fmt.Errorf("rebuilding the state in %s: %w", dir, err)
	}
	fmt.Fprintf(e.stdout, "The damaged state database was moved to %s; starting Firmsync on a fresh one.\n", res.MovedTo)
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("starting Firmsync again after the rebuild: %w", err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), envRebuilt+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting Firmsync again after the rebuild: %w", err)
	}
	return nil
}
