package ui

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// The Activity tab's problem side: the "N items need attention" bar with
// Retry all and Dismiss all, the per-item Dismiss and Attach buttons, the
// details pane (the error and the next step first, ids under Technical
// details) and the table's columns sized to the window.

// openProblemsStatus is the Status filter choice that lists the open
// problems, one row per item, instead of log rows.
const openProblemsStatus = "Needs attention now"

// problemsBar is the line over the table that says how many items need a
// person, from the same count as the Overview banner and the tray.
type problemsBar struct {
	label      *widget.Label
	show       *widget.Button
	retryAll   *widget.Button
	dismissAll *widget.Button
	content    fyne.CanvasObject
	confirm    *dialog.ConfirmDialog // the open Dismiss all question, if any
}

func (t *activityTab) newProblemsBar() *problemsBar {
	b := &problemsBar{label: widget.NewLabel("")}
	b.label.Wrapping = fyne.TextWrapWord
	b.show = &widget.Button{Text: "Show them", OnTapped: func() { t.status.SetSelected(openProblemsStatus) }}
	b.retryAll = &widget.Button{Text: "Retry all", Icon: theme.ViewRefreshIcon(), OnTapped: t.onRetryAll}
	b.dismissAll = &widget.Button{Text: "Dismiss all…", Icon: theme.CancelIcon(), OnTapped: t.onDismissAll}
	b.content = container.NewBorder(nil, nil, nil, container.NewHBox(b.show, b.retryAll, b.dismissAll), b.label)
	return b
}

// refreshProblems re-reads the open-problem count.
func (t *activityTab) refreshProblems() {
	b := t.problems
	if b == nil {
		return
	}
	n, err := t.g.app.NeedsAttention()
	switch {
	case err != nil:
		b.label.SetText("Could not count the items that need attention: " + plainError(err))
		b.label.Importance = widget.DangerImportance
	case n == 0:
		b.label.SetText("Nothing needs attention.")
		b.label.Importance = widget.SuccessImportance
	default:
		b.label.SetText(fmt.Sprintf("%d item%s need%s attention.", n, plural(n), map[bool]string{true: "s", false: ""}[n == 1]))
		b.label.Importance = widget.WarningImportance
	}
	b.label.Refresh()
	for _, w := range []*widget.Button{b.show, b.retryAll, b.dismissAll} {
		if n > 0 {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	t.openCount = n
}

// onRetryAll retries every open problem now.
func (t *activityTab) onRetryAll() {
	before := t.openCount
	if before == 0 {
		return
	}
	t.problems.retryAll.Disable()
	t.setNotice(fmt.Sprintf("Retrying %d item%s…", before, plural(before)))
	t.g.background(func(ctx context.Context) {
		_, err := t.g.app.RetryProblems(ctx, "", nil)
		t.g.deps.do(func() {
			t.afterAction()
			if err != nil {
				t.setNotice("Retry all failed: " + plainError(err) + ".")
				return
			}
			t.setNotice(retriedText(before, t.openCount))
		})
	})
}

// retriedText says what a retry of n items did, now that left remain.
func retriedText(n, left int) string {
	fixed := max(n-left, 0)
	switch {
	case left == 0:
		return fmt.Sprintf("Retried %d item%s: all done.", n, plural(n))
	case fixed == 0:
		return fmt.Sprintf("Retried %d item%s: still need%s attention; see each for why.", n, plural(n), map[bool]string{true: "s", false: ""}[n == 1])
	}
	return fmt.Sprintf("Retried %d items: %d done, %d still need%s attention.", n, fixed, left, map[bool]string{true: "s", false: ""}[left == 1])
}

// onDismissAll asks, then dismisses every open problem.
func (t *activityTab) onDismissAll() {
	n := t.openCount
	if n == 0 {
		return
	}
	t.problems.confirm = dialog.NewConfirm("Dismiss all?",
		fmt.Sprintf("Firmsync will stop listing and retrying these %d item%s until they change at their source or someone presses Retry.", n, plural(n)),
		func(ok bool) {
			t.problems.confirm = nil
			if ok {
				t.dismiss("", nil)
			}
		}, t.g.Window)
	t.problems.confirm.SetConfirmText("Dismiss all")
	t.problems.confirm.Show()
}

// onDismiss dismisses the selected record's item.
func (t *activityTab) onDismiss() {
	rec, ok := t.selectedRecord()
	if !ok {
		return
	}
	t.dismiss(rec.Job, []string{rec.ItemKey})
}

func (t *activityTab) dismiss(job string, keys []string) {
	n, err := t.g.app.DismissProblems(job, keys)
	t.afterAction()
	switch {
	case err != nil:
		t.setNotice("Dismiss failed: " + plainError(err) + ".")
	case n == 0:
		t.setNotice("Nothing to dismiss: it no longer needs attention.")
	default:
		t.setNotice(fmt.Sprintf("Dismissed %d item%s.", n, plural(n)))
	}
}

// afterAction refreshes what a retry, dismissal or attach changed here
// and on the other tabs.
func (t *activityTab) afterAction() {
	t.refresh()
	t.g.overview.refresh()
	t.g.tray.refresh()
}

// selectedRecord re-reads the record in the details pane.
func (t *activityTab) selectedRecord() (store.LogRecord, bool) {
	if t.selected == 0 {
		return store.LogRecord{}, false
	}
	if t.pager != nil && t.pager.problems != nil {
		for _, r := range t.pager.problems {
			if r.ID == t.selected {
				return r, true
			}
		}
	}
	rec, err := t.g.app.Store().LogRecordByID(t.selected)
	return rec, err == nil
}

// highlight selects the table row showing record id, or clears the
// selection when no row within the first pages shows it, so the row
// highlighted and the record in the details pane are always the same.
func (t *activityTab) highlight(id uint64) bool {
	limit := min(t.rows(), 2*logPageSize)
	for i := 0; i < limit; i++ {
		if rec, ok := t.pager.row(i); ok && rec.ID == id {
			t.quiet = true
			t.table.Select(widget.TableCellID{Row: i, Col: 0})
			t.quiet = false
			return true
		}
	}
	t.quiet = true
	t.table.UnselectAll()
	t.quiet = false
	return false
}

// newestOf returns the newest row of the item (job, key) in the first page.
func (t *activityTab) newestOf(job, key string) (store.LogRecord, bool) {
	limit := min(t.rows(), logPageSize)
	for i := 0; i < limit; i++ {
		if rec, ok := t.pager.row(i); ok && rec.Job == job && rec.ItemKey == key {
			return rec, true
		}
	}
	return store.LogRecord{}, false
}

// statusOf is the row status the table, the details and the CSV show.
func statusOf(p *logPager, rec store.LogRecord) string {
	pr, found := p.problemOf(rec)
	return rowStatus(rec, pr, found)
}

// statusImportance colours a row status.
func statusImportance(s string) widget.Importance {
	switch s {
	case statusNeedsAction:
		return widget.WarningImportance
	case logStatusLabel(store.LogFailed), "Failed again (will retry)":
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// fillDetails writes the details pane: the headline, the error and the
// next step first; every id under Technical details.
func (t *activityTab) fillDetails(rec store.LogRecord) {
	status := statusOf(t.pager, rec)
	pr, found := t.pager.problemOf(rec)
	open := found && pr.State == store.ProblemOpen
	canAttach := open && t.g.app.CanAttach(pr)

	w := t.g.words()
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n", status, cmpOr(rec.Object, w.jobLabel(rec.Job)))
	when := rec.Time.Local().Format("Mon Jan 2 2006, 15:04:05")
	fmt.Fprintf(&b, "%s · %s", w.jobLabel(rec.Job), when)
	if rec.Platform != "" {
		fmt.Fprintf(&b, " · %s", platformName(rec.Platform))
	}
	b.WriteString("\n")
	if rec.Error != "" {
		fmt.Fprintf(&b, "\nWhat went wrong: %s\n", plainCause(rec.Error))
	}
	if step := nextStep(w, rec, status, canAttach); step != "" {
		fmt.Fprintf(&b, "\nWhat to do: %s\n", step)
	}
	if rec.Message != "" && !strings.HasPrefix(rec.Message, "needs attention: ") {
		fmt.Fprintf(&b, "\n%s\n", rec.Message)
	}
	if open && pr.Attempts > 1 {
		fmt.Fprintf(&b, "\nTried %d times since %s.\n", pr.Attempts, pr.Opened.Local().Format("Jan 2 15:04"))
	}
	t.details.SetText(strings.TrimRight(b.String(), "\n"))

	var tech strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&tech, "%s: %s\n", k, v)
		}
	}
	line("Action", rec.Action)
	line("Source id", rec.SourceID)
	line("Id on "+cmpOr(platformName(rec.Platform), "the platform"), rec.ExternalID)
	keys := make([]string, 0, len(rec.Details))
	for k := range rec.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line(k, rec.Details[k])
	}
	line("Item key", rec.ItemKey)
	line("Record", strconv.FormatUint(rec.ID, 10))
	if rec.RunID != 0 {
		line("Run", strconv.FormatUint(rec.RunID, 10))
	}
	line("Status in the log", rec.Status)
	t.tech.SetText(strings.TrimRight(tech.String(), "\n"))
	t.techBox.Show()

	retryable := open || rec.Status == store.LogNeedsAttention || rec.Status == store.LogFailed || status == statusDismissed
	if retryable && rec.ItemKey != "" {
		t.retry.Enable()
	} else {
		t.retry.Disable()
	}
	if open {
		t.dismissOne.Show()
	} else {
		t.dismissOne.Hide()
	}
	if canAttach {
		t.attach.Show()
	} else {
		t.attach.Hide()
	}
}

// clearDetails empties the details pane.
func (t *activityTab) clearDetails() {
	t.details.SetText(detailsHint)
	t.tech.SetText("")
	t.techBox.Hide()
	t.retry.Disable()
	t.dismissOne.Hide()
	t.attach.Hide()
	t.open.Hide()
}

const detailsHint = "Select a row to see what happened, what went wrong and what to do next."

// Table columns: fixed widths for the short ones; Item and What happened
// share the rest of the window, so nothing runs off-screen at 800 px and
// the full message is in the details pane.
const (
	colWhen = iota
	colJob
	colItem
	colStatus
	colMessage
)

var activityCols = []struct {
	title string
	width float32 // 0: shares the rest
}{
	{"When", 118}, {"Job", 104}, {"Item", 0}, {"Status", 148}, {"What happened", 0},
}

// itemShare is the Item column's part of the shared width.
const itemShare = 0.42

// fitColumns lays its one child out at full size and first sizes the
// table's columns to the width.
type fitColumns struct {
	t      *widget.Table
	width  float32   // the width last fitted
	widths []float32 // the column widths set for it
}

func (f *fitColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (f *fitColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != f.width {
		f.width = size.Width
		f.widths = columnWidths(size.Width - theme.ScrollBarSize() - 2*theme.Padding())
		for i, w := range f.widths {
			f.t.SetColumnWidth(i, w)
		}
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// columnWidths shares width among the columns.
func columnWidths(width float32) []float32 {
	fixed := float32(0)
	for _, c := range activityCols {
		fixed += c.width
	}
	rest := max(width-fixed, 220)
	out := make([]float32, len(activityCols))
	for i, c := range activityCols {
		out[i] = c.width
	}
	out[colItem] = float32(int(rest * itemShare))
	out[colMessage] = rest - out[colItem]
	return out
}

// cellText is what a table cell shows.
func cellText(p *logPager, rec store.LogRecord, col int) (string, widget.Importance) {
	switch col {
	case colWhen:
		return rec.Time.Local().Format("Jan 02 15:04"), widget.MediumImportance // seconds are in the details
	case colJob:
		return jobShort(rec.Job), widget.MediumImportance
	case colItem:
		return rec.Object, widget.MediumImportance
	case colStatus:
		s := statusOf(p, rec)
		return s, statusImportance(s)
	case colMessage:
		text := firstLine(rec.Error)
		if text == "" || rec.Status == store.LogSuccess || rec.Status == store.LogSkipped {
			text = firstLine(rec.Message)
		}
		if text == "" {
			text = firstLine(rec.Message)
		}
		if text == "" {
			text = rec.Action // e.g. "post note": a success needs no more words
		}
		return plainCause(text), widget.MediumImportance
	}
	return "", widget.MediumImportance
}

// csvHeader and csvRow are the CSV export: the screen's words (job
// titles, status words), then the ids.
func csvHeader() []string {
	return []string{"When", "Job", "Platform", "Action", "Item", "Status", "What happened", "Error", "Source id", "Id on the platform", "Item key", "Record"}
}

func csvRow(p *logPager, w wording, r store.LogRecord) []string {
	return []string{r.Time.Local().Format("2006-01-02 15:04:05"), w.jobLabel(r.Job), platformName(r.Platform), r.Action, r.Object,
		statusOf(p, r), r.Message, r.Error, r.SourceID, r.ExternalID, r.ItemKey, strconv.FormatUint(r.ID, 10)}
}

// statusChoices are the Status filter's choices.
func statusChoices() []string {
	out := []string{allStatuses, openProblemsStatus}
	for _, s := range core.LogStatuses() {
		out = append(out, logStatusLabel(s))
	}
	return out
}

// plainCause drops the engine's "no match: " marker from an error: it
// classifies the error for code, and only repeats the sentence after it.
func plainCause(s string) string {
	if rest, ok := strings.CutPrefix(s, "no match: "); ok && rest != "" {
		return strings.ToUpper(rest[:1]) + rest[1:]
	}
	return s
}
