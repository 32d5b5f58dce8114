package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// TestScreenshots writes a PNG of each tab to $FIRMSYNC_SCREENSHOTS after
// a real sync against the sandbox. Run it with
//
//	FIRMSYNC_SCREENSHOTS=assets/screenshots go test -run TestScreenshots ./ui/
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("FIRMSYNC_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FIRMSYNC_SCREENSHOTS=DIR to write screenshots")
	}
	if !filepath.IsAbs(dir) {
		// go test runs in the package directory; make DIR relative to the
		// module root, where make runs.
		dir = filepath.Join("..", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.ui(func() { h.g.fyne.Settings().SetTheme(theme.LightTheme()) })
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	go func() { _ = h.app.Run(ctx); close(runDone) }()
	t.Cleanup(func() { cancel(); <-runDone })

	res := h.app.Sync(ctx, nil, false)
	for _, j := range res.Jobs {
		t.Logf("%s: %s, %d created, %d failed %s", j.Job, j.Status, j.Created, j.Failed, j.Error)
	}
	h.waitFor("the receiver", func() bool { return h.app.ReceiverURL() != "" })
	h.ui(func() {
		_ = h.app.UpkeepWebhooks(ctx)
		h.g.Window.Resize(fyne.NewSize(1000, 700))
		h.g.refreshAll()
		h.g.settings.load()
	})
	h.g.sandbox.loadChoices()
	h.waitFor("the sandbox pickers", func() bool { return h.g.sandbox.participant.Text != "" })

	shoot := func(name string, prep func()) {
		t.Helper()
		h.ui(func() {
			prep()
			img := h.g.Window.Canvas().Capture()
			f, err := os.Create(filepath.Join(dir, name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
		})
	}
	selectTab := func(name string) {
		for _, it := range h.g.tabs.Items {
			if it.Text == name {
				h.g.tabs.Select(it)
			}
		}
	}
	h.ui(func() { selectTab("Settings"); h.g.Window.Canvas().Capture(); selectTab("Overview") })
	shoot("overview", func() {})
	shoot("connections", func() { selectTab("Connections") })
	h.ui(func() { selectTab("Activity") })
	h.waitFor("the activity count", func() bool { return h.g.activity.pager.total > 0 })
	shoot("activity", func() { h.g.activity.table.Select(tableCell(0)) })
	shoot("settings", func() { selectTab("Settings") })
	t.Logf("screenshots in %s", dir)
}

// TestScreenshotsConnectionsAndSettings writes the Connections tab (the
// first-run guide of a real firm with no accounts, and the sandbox) and
// the Settings tab at 1000×700 and 800×600 to $FIRMSYNC_SCREENSHOTS.
func TestScreenshotsConnectionsAndSettings(t *testing.T) {
	dir := os.Getenv("FIRMSYNC_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FIRMSYNC_SCREENSHOTS=DIR to write screenshots")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(h *harness, tab, name string, w, hgt float32) {
		t.Helper()
		h.ui(func() {
			h.g.fyne.Settings().SetTheme(theme.LightTheme())
			h.g.Window.Resize(fyne.NewSize(w, hgt))
			for _, it := range h.g.tabs.Items {
				if it.Text == tab {
					h.g.tabs.Select(it)
				}
			}
		})
		if tab == "Settings" {
			m := h.g.settings.mapping
			h.waitFor("the mapping options", func() bool { return m.loaded && !m.loading })
		}
		h.ui(func() {
			img := h.g.Window.Canvas().Capture()
			f, err := os.Create(filepath.Join(dir, name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
		})
	}
	firm := newHarness(t, noSandbox())
	demo := newHarness(t)
	for _, size := range []struct {
		name string
		w, h float32
	}{{"1000", 1000, 700}, {"800", 800, 600}} {
		shoot(firm, "Connections", "connections-guide-"+size.name, size.w, size.h)
		shoot(demo, "Connections", "connections-sandbox-"+size.name, size.w, size.h)
		shoot(firm, "Settings", "settings-"+size.name, size.w, size.h)
		shoot(demo, "Settings", "settings-sandbox-"+size.name, size.w, size.h)
	}
	t.Logf("screenshots in %s", dir)
}
