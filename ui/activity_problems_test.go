package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/store"
)

// connectAll connects every sandbox platform and runs one sync, so the
// firm's own work does not mix with what a test adds.
func connectAll(h *harness) {
	h.t.Helper()
	ctx := context.Background()
	for _, p := range core.Platforms() {
		if _, err := h.app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			h.t.Fatal(err)
		}
	}
	h.app.Sync(ctx, nil, false)
	if _, err := h.app.DismissProblems("", nil); err != nil { // the demo firm's own unknown callers
		h.t.Fatal(err)
	}
}

// strangerCall ends a recorded call with email, whom no Clio contact has,
// syncs the recordings job and returns the call's item key.
func strangerCall(h *harness, topic, email string) string {
	h.t.Helper()
	m, err := h.app.SandboxInstance().Zoom().EndMeeting(zoomfake.MeetingInput{Topic: topic, HostEmail: "owner@sandbox.zoom.test",
		Participants: []string{email}, Duration: 10, Start: time.Now().Add(-30 * time.Minute),
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Caller", Text: "Hello."}}, Summary: &zoomfake.Summary{Overview: "A call."}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.app.Sync(context.Background(), []string{core.JobRecordings}, false)
	return "meeting:" + m.UUID
}

// rowOf returns the row index showing the newest record of the item.
func rowOf(h *harness, key string) int {
	h.t.Helper()
	a := h.g.activity
	row := -1
	h.ui(func() {
		for i := 0; i < a.rows(); i++ {
			if r, _ := a.pager.row(i); r.ItemKey == key {
				row = i
				return
			}
		}
	})
	if row < 0 {
		h.t.Fatalf("no row for %s", key)
	}
	return row
}

// shown checks the table highlights exactly the record the details pane
// describes.
func shown(h *harness) (store.LogRecord, bool) {
	a := h.g.activity
	var rec store.LogRecord
	ok := false
	h.ui(func() {
		if a.selRow < 0 {
			return
		}
		rec, ok = a.pager.row(a.selRow)
		ok = ok && rec.ID == a.selected
	})
	return rec, ok
}

func barText(h *harness) string {
	return h.text(func() string { return h.g.activity.problems.label.Text })
}

// The defects: the count was of rows (each retry added one), it did not
// fall after a successful Retry, the fixed call still read "Needs
// attention" twice, and after Retry the highlighted row and the details
// showed different records.
func TestActivityProblemCountFallsAfterASuccessfulRetry(t *testing.T) {
	h := newHarness(t, smallFirm())
	connectAll(h)
	a := h.g.activity
	one := strangerCall(h, "Call with a stranger", "stranger.one@example.com")
	strangerCall(h, "Call with another stranger", "stranger.two@example.com")
	if _, err := h.app.RetryProblems(context.Background(), "", nil); err != nil { // changes nothing: still 2
		t.Fatal(err)
	}
	h.ui(a.refresh)
	counted(h)
	if got := barText(h); got != "2 items need attention." {
		t.Fatalf("bar says %q after two unmatched calls and a retry", got)
	}
	row := rowOf(h, one)
	h.ui(func() { a.table.Select(tableCell(row)) })
	if d := h.text(func() string { return a.details.Text }); !strings.Contains(d, "No Clio contact has stranger.one@example.com") ||
		!strings.Contains(d, "Attach to a contact") || strings.Contains(d, "read the error") {
		t.Errorf("details for an unmatched call = %q, want the specific next step", d)
	}

	// The contact is added in Clio; Retry posts the note.
	if _, err := h.app.SandboxInstance().Clio().CreateContact(cliofake.ContactInput{FirstName: "Stranger", LastName: "One", Email: "stranger.one@example.com"}); err != nil {
		t.Fatal(err)
	}
	h.tap(a.retry)
	h.waitFor("the retry", func() bool {
		return strings.HasPrefix(a.count.Text, "Retried") || strings.HasPrefix(a.count.Text, "Retry failed")
	})
	counted(h)
	if got := h.text(func() string { return a.count.Text }); !strings.HasPrefix(got, "Retried: done") {
		t.Errorf("after the fix Retry says %q", got)
	}
	if got := barText(h); got != "1 item needs attention." {
		t.Errorf("bar says %q after a successful retry, want 1", got)
	}
	if n, _ := h.app.NeedsAttention(); n != 1 {
		t.Errorf("core says %d need attention", n)
	}
	rec, ok := shown(h)
	if !ok || rec.ItemKey != one || rec.Status != store.LogSuccess {
		t.Errorf("after Retry the highlighted row is %+v (same as the details: %v), want the call's newest, successful row", rec, ok)
	}
	// Every older row of the fixed call now says so.
	h.ui(func() {
		for i := 0; i < a.rows(); i++ {
			r, _ := a.pager.row(i)
			if r.ItemKey != one || r.Status != store.LogNeedsAttention {
				continue
			}
			if s, _ := cellText(a.pager, r, colStatus); s != statusFixedLater {
				t.Errorf("an old row of the fixed call reads %q, want %q", s, statusFixedLater)
			}
		}
	})
}

func TestActivityDismissAndRetryAllInBulk(t *testing.T) {
	h := newHarness(t)
	a := h.g.activity
	var recs []store.LogRecord
	for i := range 3 {
		for range 3 { // each parked three times: duplicate deliveries
			recs = append(recs, store.LogRecord{Job: core.JobFolders, Platform: core.Box, Action: "create folder", Status: store.LogNeedsAttention,
				Object: fmt.Sprintf("Matter %05d", i), ItemKey: fmt.Sprintf("matter:%d", 90000+i), Error: "Box said 403", Message: "needs attention: reconnect with a user who has the missing permission, then press Retry"})
		}
	}
	if _, err := h.app.Store().AppendLog(recs...); err != nil {
		t.Fatal(err)
	}
	h.ui(a.refresh)
	counted(h)
	if got := barText(h); got != "3 items need attention." {
		t.Fatalf("bar says %q for 3 items parked 3 times each", got)
	}
	sameEverywhere(h, 3)
	h.tap(a.problems.show)
	if n := counted(h); n != 3 {
		t.Errorf("Show them lists %d rows, want one per item", n)
	}
	h.ui(func() { a.table.Select(tableCell(0)) })
	if vis := h.text(func() string { return boolText(a.dismissOne.Visible()) }); vis != "true" {
		t.Fatal("no Dismiss for an open problem")
	}
	h.tap(a.dismissOne)
	if got := barText(h); got != "2 items need attention." {
		t.Errorf("bar says %q after dismissing one", got)
	}
	if n := counted(h); n != 2 {
		t.Errorf("%d rows listed after dismissing one, want 2", n)
	}
	h.tap(a.problems.dismissAll)
	h.ui(func() {
		if a.problems.confirm == nil {
			t.Fatal("Dismiss all did not ask first")
		}
		a.problems.confirm.Confirm()
	})
	if got := barText(h); got != "Nothing needs attention." {
		t.Errorf("bar says %q after Dismiss all", got)
	}
	sameEverywhere(h, 0)
	if n, _ := h.app.NeedsAttention(); n != 0 {
		t.Errorf("core counts %d after Dismiss all", n)
	}
	if h.text(func() string { return boolText(a.problems.retryAll.Disabled()) }) != "true" {
		t.Error("Retry all enabled with nothing to retry")
	}
}

func TestActivityAttachAnUnmatchedCall(t *testing.T) {
	h := newHarness(t, smallFirm())
	connectAll(h)
	a := h.g.activity
	key := strangerCall(h, "Call from a new number", "someone.private@example.net")
	chosen, err := h.app.SandboxInstance().Clio().CreateContact(cliofake.ContactInput{FirstName: "Dana", LastName: "Attachwell", Email: "dana.attachwell@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h.ui(a.refresh)
	counted(h)
	// The walkthrough of issue "truth at a glance": the tray says so too.
	h.ui(h.g.tray.refresh)
	if s := h.text(h.g.trayState); s != "error" {
		t.Errorf("with an unmatched call the tray state is %q, want error", s)
	}
	row := rowOf(h, key)
	h.ui(func() { a.table.Select(tableCell(row)) })
	if vis := h.text(func() string { return boolText(a.attach.Visible()) }); vis != "true" {
		t.Fatal("no Attach button for an unmatched call")
	}
	h.tap(a.attach)
	h.ui(func() { a.attachDlg.search.SetText("attachwell") })
	h.waitFor("the contact search", func() bool { return len(a.attachDlg.choices) > 0 })
	h.ui(func() {
		if got := a.attachDlg.choices[0]; got.ID != strconv.FormatInt(chosen.ID, 10) {
			t.Fatalf("search found %+v", got)
		}
		a.attachDlg.list.Select(0)
	})
	h.tap(a.attachDlg.attach)
	h.waitFor("the attach", func() bool {
		return strings.HasPrefix(a.count.Text, "Attached") || strings.HasPrefix(a.count.Text, "Attach failed")
	})
	if got := h.text(func() string { return a.count.Text }); !strings.Contains(got, "Dana Attachwell") {
		t.Errorf("after attaching the line says %q", got)
	}
	marker := jobs.CallNoteMarker(strings.TrimPrefix(key, "meeting:"))
	posted := 0
	for _, n := range h.app.SandboxInstance().Clio().Notes() {
		if strings.Contains(n.Detail, marker) {
			posted++
			if n.Contact == nil || n.Contact.ID != chosen.ID {
				t.Errorf("the note is on %+v, want contact %d", n.Contact, chosen.ID)
			}
		}
	}
	if posted != 1 {
		t.Errorf("%d notes posted for the call, want 1", posted)
	}
	if got := barText(h); got != "Nothing needs attention." {
		t.Errorf("bar says %q after attaching", got)
	}
	// Count 0 everywhere, tray back to normal.
	if st, err := h.app.Status(context.Background()); err != nil || st.NeedsAttention != 0 {
		t.Errorf("status says %d need attention (%v)", st.NeedsAttention, err)
	}
	h.ui(h.g.tray.refresh)
	h.waitFor("the tray back to normal", func() bool { return h.g.trayState() == "ok" })
}

// The defects: at 800 px the Message column was off-screen, the header
// scrolled away and the details pane was tiny.
func TestActivityReadableAt800x600(t *testing.T) {
	h := newHarness(t)
	seedLog(t, h, 120, time.Now())
	a := h.g.activity
	for _, size := range []fyne.Size{{Width: 800, Height: 600}, {Width: 1000, Height: 700}} {
		h.ui(func() {
			h.g.Window.Resize(size)
			for _, it := range h.g.tabs.Items {
				if it.Text == "Activity" {
					h.g.tabs.Select(it)
				}
			}
			a.refresh()
		})
		counted(h)
		h.ui(func() {
			h.g.Window.Content().Refresh()
			h.g.Window.Canvas().Capture() // lays everything out
			d := fyne.CurrentApp().Driver()
			tpos := d.AbsolutePositionForObject(a.table)
			right := tpos.X
			for _, w := range a.fit.widths {
				right += w
			}
			if len(a.fit.widths) != len(activityCols) || right > size.Width || right > tpos.X+a.table.Size().Width {
				t.Errorf("at %v the columns %v end at x=%v, past the table (x %v, width %v)", size, a.fit.widths, right, tpos.X, a.table.Size().Width)
			}
			if len(a.fit.widths) == len(activityCols) && a.fit.widths[colMessage] < 200 {
				t.Errorf("at %v the message column is %v px wide", size, a.fit.widths[colMessage])
			}
			if dh := a.details.Size().Height + a.techBox.Size().Height; a.table.Size().Height < 150 || a.details.Size().Width < size.Width/2 {
				t.Errorf("at %v: table %v high, details %v wide (%v high)", size, a.table.Size().Height, a.details.Size().Width, dh)
			}
			a.table.ScrollToBottom()
			h.g.Window.Canvas().Capture()
			header := findLabel(h.g.Window.Canvas().Content(), "When")
			if header == nil || !header.Visible() {
				t.Fatalf("at %v no header after scrolling to the bottom", size)
			}
			if hy := d.AbsolutePositionForObject(header).Y; hy > tpos.Y+8 {
				t.Errorf("at %v the header is at y=%v after scrolling, the table starts at y=%v", size, hy, tpos.Y)
			}
		})
	}
	// The details pane shows the error and the next step first, ids hidden.
	if _, err := h.app.Store().AppendLog(store.LogRecord{Job: core.JobRecordings, Platform: core.Zoom, Action: "post note",
		Status: store.LogNeedsAttention, Object: "Call with x", ItemKey: "meeting:abc", Details: map[string]string{"emails": "x@y.com"},
		Error: "no match: no Clio contact matches this meeting's participants (emails tried: x@y.com)"}); err != nil {
		t.Fatal(err)
	}
	h.ui(a.refresh)
	counted(h)
	h.ui(func() { a.table.Select(tableCell(0)) })
	d := h.text(func() string { return a.details.Text })
	if !strings.HasPrefix(d, "Needs attention — Call with x") || !strings.Contains(d, "No Clio contact has x@y.com") {
		t.Errorf("details = %q", d)
	}
	for _, id := range []string{"Item key", "Record", "Run", "meeting:abc"} {
		if strings.Contains(d, id) {
			t.Errorf("details show %q outside Technical details: %q", id, d)
		}
	}
	if h.text(func() string { return boolText(a.techBox.Items[0].Open) }) != "false" {
		t.Error("Technical details are open by default")
	}
}

// findLabel finds a visible label with text under o.
func findLabel(o fyne.CanvasObject, text string) *widget.Label {
	for _, c := range test.LaidOutObjects(o) {
		if l, ok := c.(*widget.Label); ok && l.Text == text && l.Visible() {
			return l
		}
	}
	return nil
}

// The defect: the CSV said "recordings" and "needs_attention".
func TestExportCSVUsesTheScreensWords(t *testing.T) {
	h := newHarness(t)
	if _, err := h.app.Store().AppendLog(
		store.LogRecord{Job: core.JobRecordings, Platform: core.Zoom, Action: "post note", Status: store.LogNeedsAttention, Object: "Call", ItemKey: "meeting:a"},
		store.LogRecord{Job: core.JobRecordings, Platform: core.Zoom, Action: "post note", Status: store.LogNeedsAttention, Object: "Call", ItemKey: "meeting:a"},
	); err != nil {
		t.Fatal(err)
	}
	a := h.g.activity
	h.ui(a.refresh)
	counted(h)
	var buf bytes.Buffer
	var err error
	h.ui(func() { err = a.ExportCSV(&buf) })
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte(utf8BOM)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows %q", rows)
	}
	if rows[0][1] != "Job" || rows[0][5] != "Status" {
		t.Errorf("header %q", rows[0])
	}
	if rows[1][1] != wordsFor(core.Clio).jobLabel(core.JobRecordings) || rows[1][2] != "Zoom" || rows[1][5] != statusNeedsAction || rows[2][5] != statusTriedAgain {
		t.Errorf("rows say %q / %q, want the screen's words", rows[1], rows[2])
	}
	for _, r := range rows {
		for _, c := range r {
			if c == "recordings" || c == store.LogNeedsAttention {
				t.Errorf("an internal name in the CSV: %q", r)
			}
		}
	}
}

// sameEverywhere checks the Overview banner, the tray and core (what
// `firmsync status --json` reads) all say n items need attention.
func sameEverywhere(h *harness, n int) {
	h.t.Helper()
	if got, err := h.app.NeedsAttention(); err != nil || got != n {
		h.t.Errorf("core counts %d (%v), want %d", got, err, n)
	}
	h.ui(func() {
		h.g.overview.refresh()
		h.g.tray.refresh()
		banner, line := h.g.overview.banner.Text, h.g.tray.line
		want := attentionText(n)
		if n == 0 {
			if strings.Contains(banner, "attention") || strings.Contains(line, "attention") {
				h.t.Errorf("nothing is open but the banner says %q and the tray %q", banner, line)
			}
			return
		}
		if !strings.Contains(strings.ToLower(banner), want) || !strings.Contains(strings.ToLower(line), want) {
			h.t.Errorf("banner %q, tray %q: want both to say %q", banner, line, want)
		}
	})
}
