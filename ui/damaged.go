package ui

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/assets"
)

// AskRebuild tells, in a window of its own, that the state database is
// damaged (damage says how and where) and offers to rebuild it from the
// platforms. It returns true when the person chose to rebuild. The caller
// then moves the file aside and starts Firmsync again: Fyne's driver runs
// once per process, so the main window cannot follow in this one.
func AskRebuild(damage error) bool {
	fa := fyneapp.NewWithID(AppID)
	fa.SetIcon(assets.AppIcon())
	fa.Settings().SetTheme(newGlyphTheme(theme.DefaultTheme()))
	w := fa.NewWindow("Firmsync")
	chose := false
	// Quit through the driver: App.Quit closes windows first, and Fyne 2.7
	// can crash on a mouse move over a closing one (see Run).
	w.SetContent(damagedContent(damage, func() { chose = true; fa.Driver().Quit() }, func() { fa.Driver().Quit() }))
	w.Resize(fyne.NewSize(640, 340))
	w.ShowAndRun()
	return chose
}

// damagedContent is AskRebuild's window: what happened, what rebuilding
// does, and the two choices.
func damagedContent(damage error, rebuild, quit func()) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Firmsync's state database is damaged", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what := widget.NewLabel(damage.Error())
	what.Wrapping = fyne.TextWrapWord
	// The practice-management system the firm runs is a setting in the
	// damaged database, so the text names none.
	how := widget.NewLabel("Rebuild from the platforms moves the damaged file aside (it is kept, never deleted), " +
		"starts a fresh one with the connections and settings that can still be read, and syncs: each job finds " +
		"its earlier work in your practice-management system, Lawmatics, Zoom and Box and records it again, without creating anything twice.")
	how.Wrapping = fyne.TextWrapWord
	rb := widget.NewButtonWithIcon("Rebuild from the platforms", theme.ViewRefreshIcon(), rebuild)
	rb.Importance = widget.HighImportance
	q := widget.NewButton("Quit", quit)
	return container.NewBorder(title, container.NewHBox(rb, q), nil, nil, container.NewVScroll(container.NewVBox(what, how)))
}
