// Package assets holds Firmsync's original artwork, embedded in the binary:
// the app icon and one tray icon per state, each a shape of its own.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

var (
	//go:embed icon.png
	iconPNG []byte
	//go:embed tray-ok.png
	trayOK []byte
	//go:embed tray-sync.png
	traySync []byte
	//go:embed tray-error.png
	trayError []byte
	//go:embed tray-reconnect.png
	trayReconnect []byte
	//go:embed tray-paused.png
	trayPaused []byte
)

// AppIcon is the application icon.
func AppIcon() fyne.Resource { return fyne.NewStaticResource("icon.png", iconPNG) }

// TrayIcon returns the tray icon for a state: "ok", "syncing", "error",
// "reconnect", "connect" or "paused". Unknown states get the ok icon. Each
// differs by shape, not only colour (see trayicons_test.go, which draws
// them); "connect" (nothing connected yet) shares the reconnect art, since
// both ask someone to sign in.
func TrayIcon(state string) fyne.Resource {
	switch state {
	case "syncing":
		return fyne.NewStaticResource("tray-sync.png", traySync)
	case "error":
		return fyne.NewStaticResource("tray-error.png", trayError)
	case "reconnect", "connect":
		return fyne.NewStaticResource("tray-reconnect.png", trayReconnect)
	case "paused":
		return fyne.NewStaticResource("tray-paused.png", trayPaused)
	}
	return fyne.NewStaticResource("tray-ok.png", trayOK)
}
