// Package assets holds Firmsync's original artwork, embedded in the binary:
// the app icon and one tray icon per state.
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
// "reconnect" or "paused". Unknown states get the ok icon.
func TrayIcon(state string) fyne.Resource {
	switch state {
	case "syncing":
		return fyne.NewStaticResource("tray-sync.png", traySync)
	case "error":
		return fyne.NewStaticResource("tray-error.png", trayError)
	case "reconnect":
		return fyne.NewStaticResource("tray-reconnect.png", trayReconnect)
	case "paused":
		return fyne.NewStaticResource("tray-paused.png", trayPaused)
	}
	return fyne.NewStaticResource("tray-ok.png", trayOK)
}
