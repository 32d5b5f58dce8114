package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// attachDialog lets a person put an unmatched call's note on a contact of
// the firm's practice-management system they pick: search by name or
// email, pick, Attach.
type attachDialog struct {
	t       *activityTab
	key     string // the call's item key
	search  *widget.Entry
	status  *widget.Label
	list    *widget.List
	attach  *widget.Button
	choices []core.ContactChoice
	system  string // the practice-management system's name ("Clio")
	picked  int    // index into choices; -1 = none
	gen     int    // bumps with each search; stale answers are dropped
	dlg     dialog.Dialog
}

// searchDelay lets a person finish a word before the system is asked.
const searchDelay = 350 * time.Millisecond

// onAttach opens the picker for the selected call.
func (t *activityTab) onAttach() {
	rec, ok := t.selectedRecord()
	if !ok || rec.Job != core.JobRecordings {
		return
	}
	d := &attachDialog{t: t, key: rec.ItemKey, picked: -1, system: core.PlatformTitle(t.g.app.PracticeManagement())}
	d.search = &widget.Entry{PlaceHolder: "Search " + d.system + " contacts by name or email…", OnChanged: d.onSearch}
	d.status = widget.NewLabel("Type at least two letters of the contact's name or email.")
	d.status.Wrapping = fyne.TextWrapWord
	d.list = widget.NewList(func() int { return len(d.choices) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(d.choices[i].Label()) })
	d.list.OnSelected = func(i widget.ListItemID) {
		d.picked = i
		d.attach.Enable()
	}
	d.attach = &widget.Button{Text: "Attach", Importance: widget.HighImportance, OnTapped: d.onAttach}
	d.attach.Disable()
	intro := widget.NewLabel(fmt.Sprintf("Post the note of “%s” on the %s contact you choose.", cmpOr(rec.Object, "this call"), d.system))
	intro.Wrapping = fyne.TextWrapWord
	body := container.NewBorder(container.NewVBox(intro, d.search, d.status), nil, nil, nil, d.list)
	d.dlg = dialog.NewCustomConfirm("Attach this call to a contact", "Attach", "Cancel", body, func(ok bool) {
		if ok {
			d.onAttach()
		}
	}, t.g.Window)
	d.dlg.Resize(fyne.NewSize(520, 420))
	t.attachDlg = d
	d.dlg.Show()
	t.g.Window.Canvas().Focus(d.search)
}

// onSearch asks the system once typing pauses.
func (d *attachDialog) onSearch(q string) {
	d.gen++
	gen := d.gen
	d.picked = -1
	d.attach.Disable()
	if len([]rune(q)) < 2 {
		d.choices = nil
		d.list.Refresh()
		d.status.SetText("Type at least two letters of the contact's name or email.")
		return
	}
	d.status.SetText("Searching " + d.system + "…")
	d.t.g.background(func(ctx context.Context) {
		select {
		case <-time.After(searchDelay):
		case <-ctx.Done():
			return
		}
		var stale bool
		d.t.g.deps.doWait(func() { stale = gen != d.gen })
		if stale {
			return
		}
		cs, err := d.t.g.app.SearchContacts(ctx, q)
		d.t.g.deps.do(func() {
			if gen != d.gen {
				return
			}
			d.choices = cs
			d.list.UnselectAll()
			d.list.Refresh()
			switch {
			case err != nil:
				d.status.SetText("Could not search " + d.system + ": " + plainError(err))
			case len(cs) == 0:
				d.status.SetText(fmt.Sprintf("No %s contact matches “%s”.", d.system, q))
			default:
				d.status.SetText("Pick the contact this call was with:")
			}
		})
	})
}

// onAttach posts the note on the picked contact.
func (d *attachDialog) onAttach() {
	if d.picked < 0 || d.picked >= len(d.choices) {
		d.t.setNotice("Attach: no contact was picked.")
		return
	}
	c := d.choices[d.picked]
	d.dlg.Hide()
	d.t.attachDlg = nil
	t := d.t
	t.setNotice("Posting the call's note on " + c.Name + "…")
	key := d.key
	t.g.background(func(ctx context.Context) {
		err := t.g.app.AttachCall(ctx, key, c.ID)
		t.g.deps.do(func() {
			t.follow = followItem{job: core.JobRecordings, key: key}
			t.afterAction()
			if err != nil {
				t.setNotice("Attach failed: " + plainError(err) + ".")
				return
			}
			t.setNotice("Attached: the note is on " + c.Label() + " in " + d.system + ".")
		})
	})
}

// followItem names an item whose newest row the table should select after
// the next refresh (the outcome of a Retry or an Attach).
type followItem struct{ job, key string }

func (f followItem) set() bool { return f.key != "" }

// follows reports whether rec is about the followed item.
func (f followItem) follows(rec store.LogRecord) bool {
	return rec.Job == f.job && rec.ItemKey == f.key
}
