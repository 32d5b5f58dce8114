package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// The table's columns are activityCols (activityproblems.go): they are
// sized to the window so the message never runs off-screen.

const (
	allJobs      = "All jobs"
	allPlatforms = "All platforms"
	allStatuses  = "Any status"
	dateLayout   = "2006-01-02"
)

// activityTab is the log: a virtual table over the store, filters, search,
// a details pane with Retry, and CSV export.
type activityTab struct {
	g       *gui
	content fyne.CanvasObject

	job, platform, status *widget.Select
	from, to, search      *widget.Entry
	count                 *widget.Label
	empty                 *widget.Label
	table                 *widget.Table
	details               *widget.Label
	retry                 *widget.Button
	export                *widget.Button

	problems   *problemsBar      // "N items need attention", Retry all, Dismiss all
	openCount  int               // open problems at the last refresh
	tech       *widget.Label     // ids, under Technical details
	techBox    *widget.Accordion // holds tech, closed by default
	dismissOne *widget.Button    // Dismiss the selected item's problem
	attach     *widget.Button    // attach the selected unmatched call to a contact
	attachDlg  *attachDialog     // the open attach picker, if any
	quiet      bool              // a selection made by code, not by the user
	follow     followItem        // select this item's newest row after the next refresh
	selRow     int               // the highlighted row; -1 = none
	fit        *fitColumns       // sizes the columns to the window

	pager    *logPager
	gen      int    // bumps with every new query; stale counts are dropped
	selected uint64 // id of the record in the details pane; 0 = none
	open     *widget.Button
	link     string // web page of the selected record's object; "" = none
	stale    bool   // new records arrived while the tab was hidden
	pending  bool   // a refresh is scheduled
	// notice is the outcome of the last Retry or Export, shown before the
	// record count until the user picks another row: the refreshes that
	// follow a retry must not wipe out what it did.
	notice  string
	counted string // the count line without the notice
}

func newActivityTab(g *gui) *activityTab {
	t := &activityTab{g: g}
	stats := statusChoices()
	t.job = widget.NewSelect(t.jobChoices(), t.onFilter)
	t.job.SetSelected(allJobs)
	t.platform = widget.NewSelect(t.platformChoices(), t.onFilter)
	t.platform.SetSelected(allPlatforms)
	t.status = widget.NewSelect(stats, t.onFilter)
	t.status.SetSelected(allStatuses)
	t.from = &widget.Entry{PlaceHolder: "From (YYYY-MM-DD)", OnChanged: t.onFilter}
	t.to = &widget.Entry{PlaceHolder: "To (YYYY-MM-DD)", OnChanged: t.onFilter}
	t.search = &widget.Entry{PlaceHolder: "Search: a name, matter number, id or error…", OnChanged: t.onFilter}
	t.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	t.count = widget.NewLabel("")
	t.empty = widget.NewLabel("")
	t.empty.Wrapping = fyne.TextWrapWord
	t.empty.Alignment = fyne.TextAlignCenter
	t.empty.Hide()

	t.table = widget.NewTable(t.length, t.createCell, t.updateCell)
	t.table.ShowHeaderRow = true
	t.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.table.UpdateHeader = t.updateHeader
	t.table.OnSelected = t.onSelected
	t.table.OnUnselected = func(widget.TableCellID) { t.selRow = -1 }
	t.selRow = -1
	for i, w := range columnWidths(1000) {
		t.table.SetColumnWidth(i, w)
	}

	t.details = widget.NewLabel(detailsHint)
	t.details.Wrapping = fyne.TextWrapWord
	t.details.Selectable = true
	t.tech = widget.NewLabel("")
	t.tech.Wrapping = fyne.TextWrapBreak
	t.tech.Selectable = true
	t.techBox = widget.NewAccordion(widget.NewAccordionItem("Technical details", t.tech))
	t.techBox.Hide()
	t.dismissOne = &widget.Button{Text: "Dismiss", Icon: theme.CancelIcon(), OnTapped: t.onDismiss}
	t.dismissOne.Hide()
	t.attach = &widget.Button{Text: "Attach to a contact…", Icon: theme.AccountIcon(), OnTapped: t.onAttach}
	t.attach.Hide()
	t.problems = t.newProblemsBar()
	t.retry = &widget.Button{Text: "Retry", Icon: theme.ViewRefreshIcon(), Importance: widget.HighImportance, OnTapped: t.onRetry}
	t.retry.Disable()
	t.open = &widget.Button{Text: "Open", Icon: theme.ComputerIcon(), OnTapped: t.onOpen}
	t.open.Hide()
	t.export = &widget.Button{Text: "Export CSV…", Icon: theme.DocumentSaveIcon(), OnTapped: t.onExport}
	clear := &widget.Button{Text: "Clear filters", Icon: theme.ContentClearIcon(), OnTapped: t.onClear}

	filters := container.NewVBox(
		t.problems.content,
		container.NewGridWithColumns(5, t.job, t.platform, t.status, t.from, t.to),
		container.NewBorder(nil, nil, nil, container.NewHBox(clear, t.export), t.search),
	)
	actions := container.NewVBox(t.retry, t.attach, t.dismissOne, t.open)
	detailPane := container.NewBorder(nil, nil, nil, actions, container.NewVScroll(container.NewVBox(t.details, t.techBox)))
	t.fit = &fitColumns{t: t.table}
	tableArea := container.New(t.fit, t.table, container.NewCenter(fixedWidth(t.empty, 420)))
	split := container.NewVSplit(tableArea, detailPane)
	split.Offset = 0.55 // the details pane must hold the error and the next step at 800×600
	t.content = container.NewBorder(filters, t.count, nil, nil, split)
	t.apply()
	return t
}

// jobChoices are the Job filter's choices, in the firm's words.
func (t *activityTab) jobChoices() []string {
	out := []string{allJobs}
	for _, j := range core.Jobs() {
		out = append(out, t.g.words().jobLabel(j))
	}
	return out
}

// platformChoices are the Platform filter's choices: the firm's own.
func (t *activityTab) platformChoices() []string {
	out := []string{allPlatforms}
	for _, p := range t.g.app.Platforms() {
		out = append(out, platformName(p))
	}
	return out
}

// relabel offers the firm's own platforms and job names after its
// practice-management system changed. A filter on a name that is gone
// goes back to all.
func (t *activityTab) relabel() {
	for _, f := range []struct {
		sel  *widget.Select
		opts []string
		all  string
	}{{t.job, t.jobChoices(), allJobs}, {t.platform, t.platformChoices(), allPlatforms}} {
		picked := f.sel.Selected
		f.sel.SetOptions(f.opts)
		if !slices.Contains(f.opts, picked) {
			f.sel.SetSelected(f.all) // applies the filters again
		}
	}
}

// query builds the store query from the filters; it names a bad date.
func (t *activityTab) query() (store.LogQuery, error) {
	var q store.LogQuery
	w := t.g.words()
	for _, j := range core.Jobs() {
		if w.jobLabel(j) == t.job.Selected {
			q.Job = j
		}
	}
	for _, p := range t.g.app.Platforms() {
		if platformName(p) == t.platform.Selected {
			q.Platform = p
		}
	}
	for _, s := range core.LogStatuses() {
		if logStatusLabel(s) == t.status.Selected {
			q.Status = s
		}
	}
	if t.status.Selected == openProblemsStatus {
		q.Status = openProblemsStatus // not a log status: apply lists the problems instead
	}
	q.Text = strings.TrimSpace(t.search.Text)
	if s := strings.TrimSpace(t.from.Text); s != "" {
		d, err := time.ParseInLocation(dateLayout, s, time.Local)
		if err != nil {
			return q, fmt.Errorf("the From date %q is not a date like 2025-03-31", s)
		}
		q.Since = d
	}
	if s := strings.TrimSpace(t.to.Text); s != "" {
		d, err := time.ParseInLocation(dateLayout, s, time.Local)
		if err != nil {
			return q, fmt.Errorf("the To date %q is not a date like 2025-03-31", s)
		}
		q.Until = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return q, nil
}

func (t *activityTab) onFilter(string) { t.apply() }

func (t *activityTab) onClear() {
	t.job.SetSelected(allJobs)
	t.platform.SetSelected(allPlatforms)
	t.status.SetSelected(allStatuses)
	t.from.SetText("")
	t.to.SetText("")
	t.search.SetText("")
	t.apply()
}

// apply runs the current filters: the first page at once, the total in
// the background.
func (t *activityTab) apply() {
	if t.count == nil || t.table == nil {
		return // still being built
	}
	q, err := t.query()
	if err != nil {
		t.count.SetText(err.Error())
		t.count.Importance = widget.DangerImportance
		t.count.Refresh()
		return
	}
	t.count.Importance = widget.MediumImportance
	t.gen++
	gen := t.gen
	t.refreshProblems()
	if t.status.Selected == openProblemsStatus {
		p, err := newProblemPager(t.g.app.Store())
		if err != nil {
			t.count.SetText("Could not list the items that need attention: " + plainError(err))
			t.count.Importance = widget.DangerImportance
			t.count.Refresh()
			return
		}
		t.pager = p
	} else {
		t.pager = newLogPager(t.g.app.Store(), q)
	}
	t.pager.page(0)
	t.showCount("Counting…")
	t.table.Refresh()
	t.updateEmpty()
	t.restoreSelection()
	p := t.pager
	go func() {
		n, err := p.count()
		t.g.deps.do(func() {
			if gen != t.gen {
				return
			}
			if err != nil {
				t.showCount("Could not count the records: " + plainError(err))
				return
			}
			p.total = n
			t.showCount(countText(n, q))
			t.table.Refresh()
			t.updateEmpty()
		})
	}()
}

// showCount sets the line under the table: the notice, then the count.
func (t *activityTab) showCount(s string) {
	t.counted = s
	if t.notice != "" {
		s = t.notice + " " + s
	}
	t.count.SetText(s)
}

// setNotice shows the outcome of a user action until the next selection.
func (t *activityTab) setNotice(s string) {
	t.notice = s
	t.showCount(t.counted)
}

func countText(n int, q store.LogQuery) string {
	if q.Status == openProblemsStatus {
		return fmt.Sprintf("%d item%s need%s attention: each one's latest attempt is listed", n, plural(n), map[bool]string{true: "s", false: ""}[n == 1])
	}
	filtered := q.Job != "" || q.Platform != "" || q.Status != "" || q.Text != "" || !q.Since.IsZero() || !q.Until.IsZero()
	s := fmt.Sprintf("%s record%s", thousands(n), plural(n))
	if filtered {
		s += " match the filters"
	}
	return s + ", newest first"
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (t *activityTab) updateEmpty() {
	if t.rows() > 0 {
		t.empty.Hide()
		return
	}
	q, _ := t.query()
	if q.Job != "" || q.Platform != "" || q.Status != "" || q.Text != "" || !q.Since.IsZero() || !q.Until.IsZero() {
		t.empty.SetText("Nothing matches these filters. Try fewer words, another date range, or Clear filters.")
	} else {
		t.empty.SetText("No activity yet. Press Sync All Now on the Overview tab: every contact, note, folder and document Firmsync touches will be listed here.")
	}
	t.empty.Show()
}

// refresh re-runs the filters (new records, a retry).
func (t *activityTab) refresh() {
	t.stale = false
	t.apply()
}

// newRecords notes that the log grew; a visible table refreshes at most
// once a second.
func (t *activityTab) newRecords() {
	if sel := t.g.tabs; sel == nil || sel.Selected() == nil || sel.Selected().Text != "Activity" {
		t.stale = true
		return
	}
	if t.pending {
		return
	}
	t.pending = true
	time.AfterFunc(time.Second, func() {
		t.g.deps.do(func() {
			t.pending = false
			t.refresh()
		})
	})
}

func (t *activityTab) rows() int {
	if t.pager == nil {
		return 0
	}
	if t.pager.total >= 0 {
		return t.pager.total
	}
	return t.pager.loaded()
}

func (t *activityTab) length() (int, int) { return t.rows(), len(activityCols) }

func (t *activityTab) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (t *activityTab) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	if id.Col >= 0 && id.Col < len(activityCols) {
		o.(*widget.Label).SetText(activityCols[id.Col].title)
	}
}

func (t *activityTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	rec, ok := t.pager.row(id.Row)
	if !ok {
		l.SetText("")
		return
	}
	text, imp := cellText(t.pager, rec, id.Col)
	if l.Text != text || l.Importance != imp {
		l.Text, l.Importance = text, imp
		l.Refresh()
	}
}

func (t *activityTab) onSelected(id widget.TableCellID) {
	rec, ok := t.pager.row(id.Row)
	if !ok {
		return
	}
	t.selected, t.selRow = rec.ID, id.Row
	if t.notice != "" && !t.quiet {
		t.setNotice("")
	}
	t.showDetails(rec)
}

// restoreSelection re-reads the selected record after a refresh and moves
// the highlight to its row (new rows push it down). After a Retry or an
// Attach it follows the item: its newest row, the outcome, is selected.
func (t *activityTab) restoreSelection() {
	if f := t.follow; f.set() {
		t.follow = followItem{}
		if rec, ok := t.newestOf(f.job, f.key); ok {
			t.selected = rec.ID
		}
	}
	if t.selected == 0 {
		return
	}
	rec, ok := t.selectedRecord()
	if !ok {
		t.selected = 0
		t.quiet = true
		t.table.UnselectAll()
		t.quiet = false
		t.clearDetails()
		return
	}
	t.highlight(rec.ID)
	t.showDetails(rec)
}

func (t *activityTab) showDetails(rec store.LogRecord) {
	t.fillDetails(rec)
	if label, link, ok := t.g.app.ObjectLink(rec); ok {
		t.link = link
		t.open.SetText(label)
		t.open.Show()
	} else {
		t.link = ""
		t.open.Hide()
	}
}

// onOpen opens the selected object's page in the browser.
func (t *activityTab) onOpen() {
	if t.link == "" {
		return
	}
	u, err := url.Parse(t.link)
	if err != nil {
		return
	}
	if err := t.g.fyne.OpenURL(u); err != nil {
		t.details.SetText(t.details.Text + "\nCould not open the browser: " + err.Error() + "\nAddress: " + t.link)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// onRetry retries the selected record's item now; afterwards the item's
// newest row (the retry's outcome) is selected and shown.
func (t *activityTab) onRetry() {
	rec, ok := t.selectedRecord()
	if !ok || rec.ItemKey == "" {
		return
	}
	t.retry.Disable()
	t.setNotice("Retrying…")
	t.g.background(func(ctx context.Context) {
		res, err := t.g.app.RetryProblems(ctx, rec.Job, []string{rec.ItemKey})
		t.g.deps.do(func() {
			t.follow = followItem{job: rec.Job, key: rec.ItemKey}
			t.afterAction()
			p, found, _ := t.g.app.ProblemOf(rec.Job, rec.ItemKey)
			switch {
			case err != nil:
				t.setNotice("Retry failed: " + plainError(err) + ".")
			case res.Failed > 0 || found && p.State == store.ProblemOpen:
				t.setNotice("Retried, but it still needs attention: the details say why.")
			default:
				t.setNotice("Retried: done.")
			}
		})
	})
}

// onExport asks where to save the matching rows as CSV.
func (t *activityTab) onExport() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			t.g.showError("Export failed", err)
			return
		}
		if w == nil {
			return // cancelled
		}
		p := newLogPager(t.g.app.Store(), t.pager.q)
		words := t.g.words() // read here: the export runs off the UI goroutine
		go func() {
			err := exportCSV(p, words, w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			t.g.deps.do(func() {
				if err != nil {
					t.g.showError("Export failed", err)
					return
				}
				t.setNotice("Exported to " + w.URI().Path() + ".")
			})
		}()
	}, t.g.Window)
	d.SetFileName("firmsync-activity-" + time.Now().Format(dateLayout) + ".csv")
	d.Show()
}

// ExportCSV writes the rows matching the current filters as CSV, newest
// first (for the Export button and tests).
func (t *activityTab) ExportCSV(w io.Writer) error {
	return exportCSV(newLogPager(t.g.app.Store(), t.pager.q), t.g.words(), w)
}

// exportCSV writes what Excel opens as intended on every OS: UTF-8 with a
// byte-order mark (without it Excel reads the file in the local ANSI code
// page and "Zoë" or "→" come out garbled), CRLF line ends, and cells that
// would start a formula neutralised (a name like "=HYPERLINK(…)" in a
// client's record must stay text, not run when a colleague opens the file).
func exportCSV(p *logPager, words wording, w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("writing the CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	row := func(cells ...string) error {
		for i, c := range cells {
			cells[i] = excelText(c)
		}
		return cw.Write(cells)
	}
	_ = row(csvHeader()...) // the screen's words, so the file reads like the Activity tab
	err := p.each(func(r store.LogRecord) error {
		return row(csvRow(p, words, r)...)
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// excelText keeps a cell that Excel would read as a formula (starting with
// =, +, -, @, a tab or a carriage return) as text by putting an apostrophe
// before it, the escape Excel itself uses and hides.
func excelText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
