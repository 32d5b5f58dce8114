package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

// TestActivityScreenshots writes the Activity tab at 1000×700 and 800×600
// with an unmatched call open, then after it was fixed, to
// $FIRMSYNC_SCREENSHOTS:
//
//	FIRMSYNC_SCREENSHOTS=assets/screenshots go test -run TestActivityScreenshots ./ui/
func TestActivityScreenshots(t *testing.T) {
	dir := os.Getenv("FIRMSYNC_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FIRMSYNC_SCREENSHOTS=DIR to write screenshots")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // relative to the module root, where make runs
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, smallFirm())
	h.ui(func() { h.g.fyne.Settings().SetTheme(theme.LightTheme()) })
	connectAll(h)
	a := h.g.activity
	key := strangerCall(h, "Call with Jordan Reyes", "jordan.reyes@example.com")
	shoot := func(name string, size fyne.Size) {
		t.Helper()
		h.ui(func() {
			h.g.Window.Resize(size)
			for _, it := range h.g.tabs.Items {
				if it.Text == "Activity" {
					h.g.tabs.Select(it)
				}
			}
		})
		h.ui(a.refresh)
		counted(h)
		h.ui(func() {
			a.highlight(a.selected)
			// Lay out again: the test canvas does not re-lay out the
			// containers whose children Show or Hide changed.
			h.g.Window.Resize(size.AddWidthHeight(1, 1))
			h.g.Window.Resize(size)
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
	h.ui(func() {
		h.g.Window.Resize(fyne.NewSize(1000, 700))
		for _, it := range h.g.tabs.Items {
			if it.Text == "Activity" {
				h.g.tabs.Select(it)
			}
		}
		h.g.Window.Canvas().Capture() // lay the tab out before selecting in it
	})
	h.ui(a.refresh)
	counted(h)
	row := rowOf(h, key)
	h.ui(func() { a.table.Select(tableCell(row)) })
	shoot("activity-open-problem-1000", fyne.NewSize(1000, 700))
	shoot("activity-open-problem-800", fyne.NewSize(800, 600))

	if _, err := h.app.SandboxInstance().Clio().CreateContact(cliofake.ContactInput{FirstName: "Jordan", LastName: "Reyes", Email: "jordan.reyes@example.com"}); err != nil {
		t.Fatal(err)
	}
	h.tap(a.retry)
	h.waitFor("the retry", func() bool { return len(a.count.Text) > 7 && a.count.Text[:7] == "Retried" })
	shoot("activity-fixed-1000", fyne.NewSize(1000, 700))
	shoot("activity-fixed-800", fyne.NewSize(800, 600))
	t.Logf("screenshots in %s", dir)
}
