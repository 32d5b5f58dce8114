package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
)

// boxBrowseTimeout bounds one folder listing: Box not answering must not
// leave "Reading…" in the picker for good.
const boxBrowseTimeout = 30 * time.Second

// folderPicker browses the connected Box account's folders to choose the
// one new matter folders go in. The chosen folder's id is also an
// Advanced field, for a folder the picker cannot reach.
type folderPicker struct {
	g      *gui
	id     *widget.Entry // Advanced: the folder's Box id
	chosen *widget.Label // where matter folders go, in words
	choose *widget.Button
	row    fyne.CanvasObject
	// onChosen runs after a folder was chosen in the dialog.
	onChosen func()

	// The open dialog's state (UI goroutine only).
	dlg     dialog.Dialog
	at      core.BoxFolderListing // the folder being shown
	list    *widget.List
	where   *widget.Label
	status  *widget.Label
	up      *widget.Button
	pick    *widget.Button
	gen     int  // numbers the listings asked for: only the latest is shown
	loading bool // a listing is on its way
}

func newFolderPicker(g *gui) *folderPicker {
	f := &folderPicker{g: g, id: plainEntry("Box folder id (0 is All Files)"), chosen: widget.NewLabel("")}
	f.chosen.Wrapping = fyne.TextWrapWord
	f.choose = widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), f.open)
	f.id.OnChanged = func(string) { f.describe(nil) }
	f.row = container.NewBorder(nil, nil, nil, f.choose, f.chosen)
	return f
}

// set shows a saved folder id; its name is read from Box (lookUp).
func (f *folderPicker) set(id string) {
	f.id.SetText(id)
	f.describe(nil)
}

// describe says where matter folders go: the path when known (l), else
// the id.
func (f *folderPicker) describe(l *core.BoxFolderListing) {
	id := strings.TrimSpace(f.id.Text)
	switch {
	case l != nil && l.Folder.ID == id:
		f.chosen.SetText(pathText(*l))
	case id == "" || id == "0":
		f.chosen.SetText("All Files (Box allows no webhook there: choose a folder)")
	default:
		f.chosen.SetText("Box folder " + id)
	}
}

// pathText writes a folder's place: "All Files › Clients › Matters".
func pathText(l core.BoxFolderListing) string {
	var parts []string
	for _, p := range l.Path {
		parts = append(parts, p.Name)
	}
	return strings.Join(append(parts, l.Folder.Name), " › ")
}

// lookUp reads the chosen folder's name from Box, off the UI goroutine.
func (f *folderPicker) lookUp() {
	id := strings.TrimSpace(f.id.Text)
	if id == "" {
		return
	}
	f.g.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, boxBrowseTimeout)
		defer cancel()
		l, err := f.g.app.BoxFolders(ctx, id)
		if err != nil {
			return // the id stays shown; the picker says why when opened
		}
		f.g.deps.do(func() { f.describe(&l) })
	})
}

// open shows the picker, starting in the chosen folder's parent.
func (f *folderPicker) open() {
	f.where = widget.NewLabel("")
	f.where.Wrapping = fyne.TextWrapWord
	f.status = caption("")
	f.list = widget.NewList(
		func() int { return len(f.at.Subfolders) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), nil, widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(f.at.Subfolders) {
				o.(*fyne.Container).Objects[0].(*widget.Label).SetText(f.at.Subfolders[i].Name)
			}
		})
	f.list.OnSelected = func(i widget.ListItemID) {
		f.list.UnselectAll()
		if i < len(f.at.Subfolders) && !f.loading {
			f.browse(f.at.Subfolders[i].ID)
		}
	}
	f.up = widget.NewButtonWithIcon("Up", theme.NavigateBackIcon(), func() {
		if n := len(f.at.Path); n > 0 && !f.loading {
			f.browse(f.at.Path[n-1].ID)
		}
	})
	f.pick = &widget.Button{Text: "Use this folder", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: f.useShown}
	f.up.Disable()
	f.pick.Disable()
	body := container.NewBorder(
		container.NewVBox(caption("Open a folder to look inside it; then press \"Use this folder\". New matter folders are created in it."),
			container.NewBorder(nil, nil, f.up, nil, f.where)),
		container.NewVBox(f.status, container.NewHBox(f.pick)), nil, nil, f.list)
	f.dlg = dialog.NewCustom("Choose the Box folder for matters", "Close", body, f.g.Window)
	f.dlg.Resize(fyne.NewSize(520, 440))
	f.dlg.SetOnClosed(func() { f.gen++; f.dlg = nil })
	f.dlg.Show()
	start := strings.TrimSpace(f.id.Text)
	if start == "" {
		start = "0"
	}
	f.browse(start)
}

// browse lists a folder in the open picker.
func (f *folderPicker) browse(id string) {
	f.gen++
	gen := f.gen
	f.loading = true
	f.status.SetText("Reading the folders in Box…")
	f.status.Importance = widget.MediumImportance
	f.status.Refresh()
	f.g.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, boxBrowseTimeout)
		defer cancel()
		l, err := f.g.app.BoxFolders(ctx, id)
		f.g.deps.do(func() {
			if gen != f.gen {
				return // closed, or another folder was opened since
			}
			f.loading = false
			if err != nil {
				f.status.SetText(browseError(err))
				f.status.Importance = widget.DangerImportance
				f.status.Refresh()
				return
			}
			f.at = l
			f.where.SetText(pathText(l))
			switch {
			case len(l.Subfolders) == 0:
				f.status.SetText("No folders in here.")
			case l.Truncated:
				f.status.SetText("Showing the first " + strconv.Itoa(len(l.Subfolders)) + " folders; for another, type its id under Advanced.")
			default:
				f.status.SetText("")
			}
			f.status.Importance = widget.MediumImportance
			f.status.Refresh()
			f.list.Refresh()
			f.list.ScrollToTop()
			if len(l.Path) > 0 {
				f.up.Enable()
			} else {
				f.up.Disable()
			}
			if l.Folder.ID == "0" {
				f.pick.Disable() // Box allows no webhook on All Files
			} else {
				f.pick.Enable()
			}
		})
	})
}

// browseError says why Box could not be browsed, and the way around.
func browseError(err error) string {
	if errors.Is(err, jobs.ErrNotConnected) {
		return "Box is not connected: connect it on the Connections tab to choose from its folders, or type the folder's id under Advanced."
	}
	return "Could not read the folders: " + plainError(err) + "."
}

// useShown chooses the folder the picker shows.
func (f *folderPicker) useShown() {
	f.id.SetText(f.at.Folder.ID)
	f.describe(&f.at)
	if f.dlg != nil {
		f.dlg.Hide()
	}
	if f.onChosen != nil {
		f.onChosen()
	}
}
