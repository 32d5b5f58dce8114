package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// TestScreenshotsGlance writes the Overview at 1000×700 and 800×600 (after
// a real sync, paused with an item to look at, and with nothing connected)
// and the tray menu as Fyne draws it, to $FIRMSYNC_SCREENSHOTS. The real
// system tray is drawn by the desktop, out of reach of a capture, so the
// menu is rendered as a Fyne menu widget under its icon and tooltip.
func TestScreenshotsGlance(t *testing.T) {
	dir := screenshotDir(t)

	t.Run("sandbox", func(t *testing.T) {
		h := newHarness(t, smallFirm(), fastSandbox())
		h.ui(func() { h.g.fyne.Settings().SetTheme(theme.LightTheme()) })
		h.runApp()
		h.idle()
		res := h.app.Sync(context.Background(), nil, false)
		for _, j := range res.Jobs {
			t.Logf("%s: %s, %d created, %d failed %s", j.Job, j.Status, j.Created, j.Failed, j.Error)
		}
		h.idle()
		h.ui(h.g.refreshAll)
		h.shootWindow(dir, "overview-1000", fyne.NewSize(1000, 700))
		h.shootWindow(dir, "overview-800", fyne.NewSize(800, 600))
		h.shootTray(dir, "tray-menu")

		// Paused, with an item that needs attention: both banners, and
		// the tray stays red however paused.
		if err := h.app.PauseSchedules(true); err != nil {
			t.Fatal(err)
		}
		if _, err := h.app.Store().AppendLog(store.LogRecord{Job: core.JobFolders, Platform: core.Box, Status: store.LogNeedsAttention,
			Object: "Matter 00012 — Rivera will review", ItemKey: "matter:12", Message: "Box refused the folder name", Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
		h.ui(h.g.refreshAll)
		h.shootWindow(dir, "overview-paused-1000", fyne.NewSize(1000, 700))
		h.shootTray(dir, "tray-menu-attention")
		h.ui(func() { h.g.sandbox.content.(*widget.Accordion).Open(0) })
		h.shootWindow(dir, "overview-sandbox-open-1000", fyne.NewSize(1000, 700))
	})
	t.Run("nothing connected", func(t *testing.T) {
		h := newHarness(t, realAccounts())
		h.ui(func() { h.g.fyne.Settings().SetTheme(theme.LightTheme()) })
		h.ui(h.g.refreshAll)
		h.shootWindow(dir, "overview-nothing-connected-1000", fyne.NewSize(1000, 700))
		h.shootWindow(dir, "overview-nothing-connected-800", fyne.NewSize(800, 600))
		h.shootTray(dir, "tray-menu-nothing-connected")
	})
	t.Logf("screenshots in %s", dir)
}

// screenshotDir is $FIRMSYNC_SCREENSHOTS, relative to the module root; the
// test is skipped without it.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("FIRMSYNC_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FIRMSYNC_SCREENSHOTS=DIR to write screenshots")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // go test runs in ui/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// shootWindow captures the Overview at size.
func (h *harness) shootWindow(dir, name string, size fyne.Size) {
	h.t.Helper()
	h.ui(func() {
		h.g.selectTab("Overview")
		// A size of its own first: the real driver lays out again when a
		// minimum size changes (an accordion opens); the test one only on
		// a resize.
		h.g.Window.Resize(size.Subtract(fyne.NewSize(1, 1)))
		h.g.Window.Resize(size)
		h.g.overview.refresh()
		writePNG(h.t, filepath.Join(dir, name+".png"), h.g.Window.Canvas().Capture())
	})
}

// shootTray renders the tray as the user meets it: the icon with its
// tooltip, and the menu below.
func (h *harness) shootTray(dir, name string) {
	h.t.Helper()
	h.ui(func() {
		m := h.g.tray
		m.refresh()
		icon := canvas.NewImageFromResource(assets.TrayIcon(m.state))
		icon.FillMode = canvas.ImageFillContain
		icon.SetMinSize(fyne.NewSize(24, 24))
		tip := widget.NewLabel(m.tooltip)
		tip.Importance = widget.LowImportance
		menu := widget.NewMenu(m.menu)
		content := container.NewVBox(container.NewHBox(icon, tip), container.NewHBox(menu))
		w := h.g.fyne.NewWindow("tray")
		defer w.Close()
		w.SetContent(container.NewPadded(content))
		w.Resize(content.MinSize().Add(fyne.NewSize(2*theme.Padding(), 2*theme.Padding())))
		writePNG(h.t, filepath.Join(dir, name+".png"), w.Canvas().Capture())
	})
}
