package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
)

// GUI is the window and tray of one running App.
type GUI struct {
	Window fyne.Window
	fyne   fyne.App
	app    *core.App
	tray   bool

	overview *overviewTab
}

// New builds the window (not yet shown) and, where possible, the tray.
func New(fa fyne.App, app *core.App, o Options) *GUI {
	g := &GUI{fyne: fa, app: app}
	title := "Firmsync"
	if app.Sandbox() {
		title += " — Sandbox"
	}
	g.Window = fa.NewWindow(title)
	g.Window.SetIcon(assets.AppIcon())
	g.overview = newOverviewTab(app)
	tabs := container.NewAppTabs(
		container.NewTabItem("Overview", g.overview.content),
	)
	g.Window.SetContent(tabs)
	g.Window.Resize(fyne.NewSize(900, 600))
	if dt, ok := fa.(desktop.App); ok && o.SessionBus {
		g.tray = true
		dt.SetSystemTrayIcon(assets.TrayIcon("ok"))
		dt.SetSystemTrayMenu(fyne.NewMenu("Firmsync",
			fyne.NewMenuItem("Open Firmsync", func() { g.Window.Show(); g.Window.RequestFocus() }),
		))
		// Closing the window keeps Firmsync running in the tray.
		g.Window.SetCloseIntercept(g.Window.Hide)
	}
	g.overview.refresh(context.Background())
	return g
}

// overviewTab shows connections and jobs at a glance.
type overviewTab struct {
	app     *core.App
	content fyne.CanvasObject
	summary *widget.Label
}

func newOverviewTab(app *core.App) *overviewTab {
	t := &overviewTab{app: app, summary: widget.NewLabel("")}
	t.summary.Wrapping = fyne.TextWrapWord
	t.content = container.NewVBox(widget.NewLabelWithStyle("Firmsync", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), t.summary)
	return t
}

func (t *overviewTab) refresh(ctx context.Context) {
	st, err := t.app.Status(ctx)
	if err != nil {
		t.summary.SetText("Could not read status: " + err.Error())
		return
	}
	text := ""
	for _, c := range st.Connections {
		text += fmt.Sprintf("%s: %s\n", c.Platform, c.Status)
	}
	t.summary.SetText(text)
}
