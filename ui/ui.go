// Package ui is Firmsync's Fyne window and tray. It talks to the rest of
// the program only through *core.App.
package ui

import (
	"context"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
)

// AppID is the Fyne application id (also in FyneApp.toml).
const AppID = "com.firmsync.desktop"

// Options configures Run.
type Options struct {
	// SessionBus says a D-Bus session bus exists. Without one Fyne's Linux
	// tray panics on quit, so the tray is only set up when this is true.
	SessionBus bool
}

// Run shows the window and blocks until the user quits or ctx ends.
func Run(ctx context.Context, app *core.App, o Options) error {
	fa := fyneapp.NewWithID(AppID)
	fa.SetIcon(assets.AppIcon())
	g := New(fa, app, o)
	go func() {
		<-ctx.Done()
		fyne.Do(fa.Quit)
	}()
	g.Window.ShowAndRun()
	return nil
}
