// Package ui is Firmsync's Fyne window and tray. It talks to the rest of
// the program only through *core.App and its event bus.
package ui

import (
	"context"
	"errors"
	"os"
	"sync/atomic"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/autostart"
)

// AppID is the Fyne application id (also in FyneApp.toml).
const AppID = "com.firmsync.desktop"

// Options configures Run.
type Options struct {
	// SessionBus says a D-Bus session bus exists. Without one Fyne's Linux
	// tray panics on quit, so the tray is only set up when this is true.
	SessionBus bool
	// Hidden starts with the window hidden in the tray (start at login).
	// Without a tray the window is shown anyway.
	Hidden bool
}

// Run starts the App's background services, shows the window (or only the
// tray icon when Hidden) and blocks until the user quits or ctx ends. Quit
// stops the background services and waits for them before returning.
func Run(ctx context.Context, app *core.App, o Options) error {
	fa := fyneapp.NewWithID(AppID)
	fa.SetIcon(assets.AppIcon())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	done := make(chan struct{})
	var bgErr error
	go func() { bgErr = app.Run(ctx); close(done) }()

	exe, _ := os.Executable()
	g := newGUI(ctx, fa, app, o, deps{
		do:        fyne.Do,
		doWait:    fyne.DoAndWait,
		notify:    fa.SendNotification,
		autostart: autostart.Default(),
		exe:       exe,
	})
	g.quit = cancel // Quit: stop the background services, then the window
	if g.sandbox != nil {
		g.sandbox.loadChoices()
	}
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
			<-ctx.Done()
		case <-ctx.Done():
			<-done
		}
		g.close()
		if !loopDone.Load() {
			quitOnce(fa)
		}
	}()
	if o.Hidden && g.trayOn {
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

// quitOnce asks Fyne to quit. If its loop ended in the meantime (a signal
// raced us), the driver panics on the dead GLFW context: that is the one
// panic to swallow here, since quitting is what was wanted anyway.
func quitOnce(fa fyne.App) {
	defer func() { _ = recover() }()
	fyne.Do(fa.Quit)
}
