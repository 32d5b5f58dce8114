// Package ui is Firmsync's Fyne window and tray. It talks to the rest of
// the program only through *core.App and its event bus.
package ui

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/theme"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/autostart"
	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/ui/trayhost"
)

// AppID is the Fyne application id (also in FyneApp.toml).
const AppID = "com.firmsync.desktop"

// Options configures Run.
type Options struct {
	// Tray says the desktop shows tray icons (see TrayAvailable). Without
	// one the window is the app: closing it quits.
	Tray bool
	// Hidden starts with the window hidden in the tray (start at login).
	// Without a tray the window is shown anyway.
	Hidden bool
}

// TrayAvailable reports whether this desktop shows a tray icon. macOS and
// Windows always do. Elsewhere it takes a D-Bus session bus (without one
// Fyne's Linux tray panics on quit) and a tray host on it, waited for up to
// wait since at login Firmsync may start before the panel.
func TrayAvailable(ctx context.Context, goos string, getenv func(string) string, wait time.Duration) bool {
	switch goos {
	case "darwin", "windows":
		return true
	}
	if getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return false
	}
	return trayhost.Present(ctx, wait)
}

// Run starts the App's background services, shows the window (or only the
// tray icon when Hidden) and blocks until the user quits or ctx ends. Quit
// stops the background services and waits for them before returning.
func Run(ctx context.Context, app *core.App, o Options) error {
	fa := fyneapp.NewWithID(AppID)
	fa.SetIcon(assets.AppIcon())
	fa.Settings().SetTheme(newGlyphTheme(theme.DefaultTheme()))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	done := make(chan struct{})
	var bgErr error
	go func() { bgErr = app.Run(ctx); close(done) }()

	exe, _ := os.Executable()
	g := newGUI(ctx, fa, app, o, deps{
		do:           fyne.Do,
		doWait:       fyne.DoAndWait,
		notify:       fa.SendNotification,
		autostart:    autostartEntry(app.DataDir()),
		exe:          exe,
		refreshEvery: 30 * time.Second,
	})
	g.quit = cancel // Quit: stop the background services, then the window
	if g.trayOn {
		g.idle = newIdler(fyne.Do, hiddenTick, ctx.Done())
	}
	// A second launch of the desktop app brings this window forward.
	app.OnShow(func() {
		if g.closing.Load() {
			return // Fyne may be gone: its driver must not be called
		}
		if g.idle != nil {
			g.idle.show() // do not wait for the slowed loop to get to it
		}
		fyne.Do(g.show)
	})
	if g.sandbox != nil {
		g.sandbox.loadChoices()
	}
	// Fyne quits on SIGINT/SIGTERM by itself, closing the tray's D-Bus
	// connection, at the same moment ctx ends (main catches them too). Jobs
	// then stop and report it: those reports must find the GUI closed
	// already, not wait until the background services are done.
	fa.Lifecycle().SetOnStopped(g.close)
	var loopDone atomic.Bool // Fyne's main loop has returned
	go func() {
		select {
		case <-done:
			if ctx.Err() == nil && bgErr != nil {
				// The background services could not start (say, the port
				// is in use): say so and keep the window for the user.
				err := bgErr
				fyne.Do(func() { g.showBackgroundError(err) })
			}
		case <-ctx.Done():
		}
		<-ctx.Done()
		g.close() // before the background services stop, not after
		<-done
		if !loopDone.Load() {
			quitOnce(fa)
		}
	}()
	if o.Hidden && g.trayOn {
		fa.Lifecycle().SetOnStarted(g.idle.hide)
		fa.Run()
	} else {
		g.Window.ShowAndRun()
	}
	// Fyne also ends its loop itself on SIGINT/SIGTERM: from here on its
	// driver must not be called.
	loopDone.Store(true)
	g.close()
	cancel()
	<-done
	if errors.Is(bgErr, context.Canceled) {
		bgErr = nil
	}
	return bgErr
}

// quitOnce asks Fyne to quit. It stops the driver rather than calling
// App.Quit: that closes every window first, and a mouse move over a
// closing window before the loop ends crashes Fyne 2.7's event loop (nil
// GLFW window in processMouseMoved). The driver tears the windows down
// with GLFW itself. If the loop ended in the meantime (a signal raced us),
// the driver panics on the dead GLFW context: that is the one panic to
// swallow here, since quitting is what was wanted anyway.
func quitOnce(fa fyne.App) {
	defer func() { _ = recover() }()
	fyne.Do(fa.Driver().Quit)
}

// autostartEntry is the start-at-login registration for a firm whose data
// lives in dataDir: the command line names the directory unless it is the
// default one (an environment variable set in a terminal is not there at
// login).
func autostartEntry(dataDir string) *autostart.Entry {
	e := autostart.Default()
	def, err := datadir.Resolve("", func(string) string { return "" }, os.UserConfigDir)
	if err != nil || def != dataDir {
		e.Args = []string{"--data", dataDir}
	}
	return e
}
