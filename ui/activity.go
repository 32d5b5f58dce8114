package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"sort"
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

// Activity table columns.
var activityColumns = []struct {
	title string
	width float32
}{
	{"Time", 125}, {"Job", 185}, {"Platform", 80}, {"Action", 95}, {"Object", 200}, {"Status", 145}, {"Message", 480},
}

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
	jobs := []string{allJobs}
	for _, j := range core.Jobs() {
		jobs = append(jobs, jobLabel(j))
	}
	plats := []string{allPlatforms}
	for _, p := range core.Platforms() {
		plats = append(plats, platformName(p))
	}
	stats := []string{allStatuses}
	for _, s := range core.LogStatuses() {
		stats = append(stats, logStatusLabel(s))
	}
	t.job = widget.NewSelect(jobs, t.onFilter)
	t.job.SetSelected(allJobs)
	t.platform = widget.NewSelect(plats, t.onFilter)
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
	for i, c := range activityColumns {
		t.table.SetColumnWidth(i, c.width)
	}

	t.details = widget.NewLabel("Select a row to see everything about it: the full error, the ids on each platform and what to do next.")
	t.details.Wrapping = fyne.TextWrapWord
	t.details.Selectable = true
	t.retry = &widget.Button{Text: "Retry", Icon: theme.ViewRefreshIcon(), Importance: widget.HighImportance, OnTapped: t.onRetry}
	t.retry.Disable()
	t.open = &widget.Button{Text: "Open", Icon: theme.ComputerIcon(), OnTapped: t.onOpen}
	t.open.Hide()
	t.export = &widget.Button{Text: "Export CSV…", Icon: theme.DocumentSaveIcon(), OnTapped: t.onExport}
	clear := &widget.Button{Text: "Clear filters", Icon: theme.ContentClearIcon(), OnTapped: t.onClear}

	filters := container.NewVBox(
		container.NewGridWithColumns(5, t.job, t.platform, t.status, t.from, t.to),
		container.NewBorder(nil, nil, nil, container.NewHBox(clear, t.export), t.search),
	)
	detailPane := container.NewBorder(nil, nil, nil, container.NewVBox(t.retry, t.open), container.NewVScroll(t.details))
	split := container.NewVSplit(container.NewStack(t.table, container.NewCenter(fixedWidth(t.empty, 420))), detailPane)
	split.Offset = 0.68
	t.content = container.NewBorder(filters, t.count, nil, nil, split)
	t.apply()
	return t
}

// query builds the store query from the filters; it names a bad date.
func (t *activityTab) query() (store.LogQuery, error) {
	var q store.LogQuery
	for _, j := range core.Jobs() {
		if jobLabel(j) == t.job.Selected {
			q.Job = j
		}
	}
	for _, p := range core.Platforms() {
		if platformName(p) == t.platform.Selected {
			q.Platform = p
		}
	}
	for _, s := range core.LogStatuses() {
		if logStatusLabel(s) == t.status.Selected {
			q.Status = s
		}
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
	t.pager = newLogPager(t.g.app.Store(), q)
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

func (t *activityTab) length() (int, int) { return t.rows(), len(activityColumns) }

func (t *activityTab) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (t *activityTab) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	if id.Col >= 0 && id.Col < len(activityColumns) {
		o.(*widget.Label).SetText(activityColumns[id.Col].title)
	}
}

func (t *activityTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	rec, ok := t.pager.row(id.Row)
	if !ok {
		l.SetText("")
		return
	}
	imp := widget.MediumImportance
	var text string
	switch id.Col {
	case 0:
		text = rec.Time.Local().Format("Jan 02 15:04:05")
	case 1:
		text = jobLabel(rec.Job)
	case 2:
		text = platformName(rec.Platform)
	case 3:
		text = rec.Action
	case 4:
		text = rec.Object
	case 5:
		text = logStatusLabel(rec.Status)
		switch rec.Status {
		case store.LogNeedsAttention:
			imp = widget.WarningImportance
		case store.LogFailed:
			imp = widget.DangerImportance
		}
	case 6:
		text = firstLine(rec.Message)
		if text == "" {
			text = firstLine(rec.Error)
		}
	}
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
	t.selected = rec.ID
	if t.notice != "" {
		t.setNotice("")
	}
	t.showDetails(rec)
}

// restoreSelection re-reads the selected record after a refresh.
func (t *activityTab) restoreSelection() {
	if t.selected == 0 {
		return
	}
	rec, err := t.g.app.Store().LogRecordByID(t.selected)
	if err != nil {
		t.selected = 0
		t.details.SetText("")
		t.retry.Disable()
		return
	}
	t.showDetails(rec)
}

func (t *activityTab) showDetails(rec store.LogRecord) {
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	line("What", rec.Object)
	line("Status", logStatusLabel(rec.Status))
	line("When", rec.Time.Local().Format("Mon Jan 2 2006, 15:04:05"))
	line("Job", jobLabel(rec.Job))
	line("Platform", platformName(rec.Platform))
	line("Action", rec.Action)
	line("Message", rec.Message)
	line("Error", rec.Error)
	line("Source id", rec.SourceID)
	line("Id on "+cmpOr(platformName(rec.Platform), "the platform"), rec.ExternalID)
	line("Item key", rec.ItemKey)
	line("Record", strconv.FormatUint(rec.ID, 10))
	if rec.RunID != 0 {
		line("Run", strconv.FormatUint(rec.RunID, 10))
	}
	keys := make([]string, 0, len(rec.Details))
	for k := range rec.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line(k, rec.Details[k])
	}
	switch rec.Status {
	case store.LogNeedsAttention:
		b.WriteString("\nWhat to do: read the error above, fix the cause on the platform (or reconnect it), then press Retry.")
		t.retry.Enable()
	case store.LogFailed:
		b.WriteString("\nFirmsync retries this on its own. Press Retry to try again now.")
		t.retry.Enable()
	default:
		t.retry.Disable()
	}
	t.details.SetText(b.String())
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

// onRetry retries the selected record's item now.
func (t *activityTab) onRetry() {
	id := t.selected
	if id == 0 {
		return
	}
	t.retry.Disable()
	t.setNotice("Retrying…")
	t.g.background(func(ctx context.Context) {
		res, err := t.g.app.Retry(ctx, "", []uint64{id})
		t.g.deps.do(func() {
			t.refresh()
			t.g.overview.refresh()
			t.g.tray.refresh()
			switch {
			case err != nil:
				t.setNotice("Retry failed: " + plainError(err) + ".")
			case res.Failed > 0:
				t.setNotice("Retried, but it failed again: see the newest row for why.")
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
		go func() {
			err := exportCSV(p, w)
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
	return exportCSV(newLogPager(t.g.app.Store(), t.pager.q), w)
}

func exportCSV(p *logPager, w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"time", "job", "platform", "action", "object", "status", "message", "error", "source_id", "external_id", "item_key", "record_id"})
	err := p.each(func(r store.LogRecord) error {
		return cw.Write([]string{r.Time.Format(time.RFC3339), r.Job, r.Platform, r.Action, r.Object, r.Status,
			r.Message, r.Error, r.SourceID, r.ExternalID, r.ItemKey, strconv.FormatUint(r.ID, 10)})
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}
