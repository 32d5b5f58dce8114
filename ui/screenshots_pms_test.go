package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/firmsync/firmsync/core"
)

// TestScreenshotsOtherSystems writes the Overview (after a sync), the
// Settings and the Connections tabs of a MyCase firm and of a Smokeball
// firm, on the sandbox, to $FIRMSYNC_SCREENSHOTS: what a lawyer on those
// systems sees.
func TestScreenshotsOtherSystems(t *testing.T) {
	dir := screenshotDir(t)
	for _, kind := range []string{core.MyCase, core.Smokeball} {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t, smallFirm(), fastSandbox(), func(_ *harness, o *core.Options) { o.PMS = kind })
			h.ui(func() { h.g.fyne.Settings().SetTheme(theme.LightTheme()) })
			h.runApp()
			h.idle()
			res := h.app.Sync(context.Background(), nil, false)
			for _, j := range res.Jobs {
				t.Logf("%s: %s, %d created, %d failed %s", j.Job, j.Status, j.Created, j.Failed, j.Error)
			}
			h.idle()
			h.ui(h.g.refreshAll)
			h.shootWindow(dir, "overview-"+kind+"-1000", fyne.NewSize(1000, 700))
			for _, tab := range []string{"Settings", "Connections"} {
				h.ui(func() {
					h.g.selectTab(tab)
					if tab == "Settings" {
						h.g.settings.load()
					}
					h.g.Window.Resize(fyne.NewSize(999, 699))
					h.g.Window.Resize(fyne.NewSize(1000, 700))
					writePNG(t, filepath.Join(dir, strings.ToLower(tab)+"-"+kind+"-1000.png"), h.g.Window.Canvas().Capture())
				})
			}
		})
	}
}
