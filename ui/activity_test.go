package ui

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// seedLog appends records: job/platform/status cycle so filters can be
// checked, oldest first, one minute apart ending at base.
func seedLog(t *testing.T, h *harness, n int, base time.Time) {
	t.Helper()
	jobs := []string{core.JobContacts, core.JobFolders}
	plats := []string{core.Zoom, core.Box}
	stats := []string{store.LogSuccess, store.LogFailed, store.LogNeedsAttention}
	recs := make([]store.LogRecord, n)
	for i := range recs {
		recs[i] = store.LogRecord{
			Time: base.Add(time.Duration(i-n+1) * time.Minute), Job: jobs[i%2], Platform: plats[i%2],
			Action: "create", Status: stats[i%3], Object: fmt.Sprintf("Item %05d", i), ItemKey: fmt.Sprintf("k:%d", i),
			Message: "message " + fmt.Sprint(i),
		}
	}
	for len(recs) > 0 {
		k := min(len(recs), 5000)
		if _, err := h.app.Store().AppendLog(recs[:k]...); err != nil {
			t.Fatal(err)
		}
		recs = recs[k:]
	}
}

// counted waits for the background count of the current filters.
func counted(h *harness) int {
	h.t.Helper()
	h.waitFor("the count", func() bool { return h.g.activity.pager.total >= 0 })
	var n int
	h.ui(func() { n = h.g.activity.rows() })
	return n
}

func TestActivityFiltersAndSearchReturnTheRightRows(t *testing.T) {
	h := newHarness(t)
	seedLog(t, h, 60, time.Now())
	a := h.g.activity
	h.ui(a.refresh)
	if n := counted(h); n != 60 {
		t.Fatalf("all rows: %d, want 60", n)
	}
	h.ui(func() {
		if r, _ := a.pager.row(0); r.Object != "Item 00059" {
			t.Errorf("first row is %q, want the newest", r.Object)
		}
	})

	h.ui(func() { a.job.SetSelected(wordsFor(core.Clio).jobLabel(core.JobFolders)) })
	if n := counted(h); n != 30 {
		t.Errorf("folders rows: %d, want 30", n)
	}
	h.ui(func() { a.status.SetSelected(logStatusLabel(store.LogNeedsAttention)) })
	if n := counted(h); n != 10 { // odd i with i%3==2
		t.Errorf("folders needing attention: %d, want 10", n)
	}
	h.ui(func() {
		for i := 0; i < a.rows(); i++ {
			r, _ := a.pager.row(i)
			if r.Job != core.JobFolders || r.Status != store.LogNeedsAttention {
				t.Errorf("row %d does not match the filters: %+v", i, r)
			}
		}
	})
	h.ui(a.onClear)
	h.ui(func() { a.search.SetText("item 0004") })
	if n := counted(h); n != 10 {
		t.Errorf("search rows: %d, want 10 (Item 00040-00049)", n)
	}
	h.ui(func() { a.search.SetText("no such thing") })
	if n := counted(h); n != 0 {
		t.Errorf("search for nothing: %d rows", n)
	}
	if h.text(func() string { return a.empty.Text }) == "" || !h.g.activity.empty.Visible() {
		t.Error("no guidance shown for an empty result")
	}
	h.ui(a.onClear)
	h.ui(func() { a.platform.SetSelected("Zoom") })
	if n := counted(h); n != 30 {
		t.Errorf("zoom rows: %d, want 30", n)
	}
}

func TestActivityDateRange(t *testing.T) {
	h := newHarness(t)
	yesterday := time.Now().AddDate(0, 0, -1)
	if _, err := h.app.Store().AppendLog(
		store.LogRecord{Time: yesterday.AddDate(0, 0, -3), Job: core.JobFolders, Status: store.LogSuccess, Object: "old"},
		store.LogRecord{Time: yesterday, Job: core.JobFolders, Status: store.LogSuccess, Object: "yesterday"},
		store.LogRecord{Time: time.Now(), Job: core.JobFolders, Status: store.LogSuccess, Object: "today"},
	); err != nil {
		t.Fatal(err)
	}
	a := h.g.activity
	day := yesterday.Format(dateLayout)
	h.ui(func() { a.from.SetText(day); a.to.SetText(day) })
	if n := counted(h); n != 1 {
		t.Fatalf("rows for %s: %d, want 1", day, n)
	}
	h.ui(func() {
		if r, _ := a.pager.row(0); r.Object != "yesterday" {
			t.Errorf("row = %q", r.Object)
		}
		a.from.SetText("31/12/2024")
	})
	if got := h.text(func() string { return a.count.Text }); !strings.Contains(got, "From date") {
		t.Errorf("a bad date says %q", got)
	}
}

func TestActivityStaysPagedWithManyRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 records")
	}
	h := newHarness(t)
	const n = 100_000
	seedLog(t, h, n, time.Now())
	a := h.g.activity
	h.ui(a.refresh)
	if got := counted(h); got != n {
		t.Fatalf("count = %d", got)
	}
	h.ui(func() {
		start := time.Now()
		r, ok := a.pager.row(n - 1)
		if !ok || r.Object != "Item 00000" {
			t.Errorf("last row = %+v, %v", r, ok)
		}
		t.Logf("jumping to the last of %d rows took %v", n, time.Since(start))
		r, _ = a.pager.row(12345)
		if want := fmt.Sprintf("Item %05d", n-1-12345); r.Object != want {
			t.Errorf("row 12345 = %q, want %q", r.Object, want)
		}
		held := 0
		for _, pg := range a.pager.pages {
			held += len(pg)
		}
		if held > logPagesCached*logPageSize {
			t.Errorf("%d records held in memory", held)
		}
	})
}

func TestRetryOnAFailedRow(t *testing.T) {
	h := newHarness(t, smallFirm())
	ids, err := h.app.Store().AppendLog(store.LogRecord{
		Job: core.JobFolders, Platform: core.Box, Action: "create", Status: store.LogNeedsAttention,
		Object: "Matter 99999", ItemKey: "matter:99999", Error: "Box said 403",
	})
	if err != nil {
		t.Fatal(err)
	}
	a := h.g.activity
	h.ui(a.refresh)
	counted(h)
	h.ui(func() { a.table.Select(tableCell(0)) })
	if h.text(func() string { return boolText(a.retry.Disabled()) }) != "false" {
		t.Fatal("Retry disabled for a row that needs attention")
	}
	if d := h.text(func() string { return a.details.Text }); !strings.Contains(d, "Box said 403") || strings.Contains(d, "matter:99999") {
		t.Errorf("details pane = %q, want the error first and no internal ids", d)
	}
	if d := h.text(func() string { return a.tech.Text }); !strings.Contains(d, "matter:99999") {
		t.Errorf("technical details = %q, want the item key", d)
	}
	h.tap(a.retry)
	h.waitFor("the retry to finish", func() bool {
		return strings.HasPrefix(a.count.Text, "Retried") || strings.HasPrefix(a.count.Text, "Retry failed")
	})
	// The refreshes and recounts that follow keep saying what the retry did.
	h.ui(a.refresh)
	counted(h)
	if got := h.text(func() string { return a.count.Text }); !strings.HasPrefix(got, "Retried") && !strings.HasPrefix(got, "Retry failed") {
		t.Errorf("after a recount the line says %q: the retry's outcome is gone", got)
	}
	runs, err := h.app.Store().Runs(core.JobFolders, 5)
	if err != nil || len(runs) == 0 {
		t.Fatalf("no folders run after Retry: %v", err)
	}
	if runs[0].Trigger != "retry" || len(runs[0].ObjectIDs) != 1 || runs[0].ObjectIDs[0] != "matter:99999" {
		t.Errorf("last run = %+v, want a retry of matter:99999 (log record %d)", runs[0], ids[0])
	}
}

func TestExportCSVWritesTheMatchingRows(t *testing.T) {
	h := newHarness(t)
	seedLog(t, h, 450, time.Now()) // more than two pages
	a := h.g.activity
	h.ui(func() { a.job.SetSelected(wordsFor(core.Clio).jobLabel(core.JobContacts)) })
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
	if len(rows) != 226 { // header + the 225 contacts rows
		t.Fatalf("%d CSV rows, want 226", len(rows))
	}
	if rows[0][0] != "When" || rows[1][1] != wordsFor(core.Clio).jobLabel(core.JobContacts) || rows[1][4] != "Item 00448" {
		t.Errorf("CSV starts %v / %v", rows[0], rows[1])
	}
}

const utf8BOM = "\xef\xbb\xbf"

// TestExportCSVOpensInExcel: the export starts with a UTF-8 byte-order mark
// (Excel otherwise decodes it in the ANSI code page: "ZoÃ«"), ends every
// record with CRLF, keeps non-ASCII text, commas, quotes and line breaks
// intact, and leaves a value that looks like a formula as text.
func TestExportCSVOpensInExcel(t *testing.T) {
	h := newHarness(t)
	recs := []store.LogRecord{
		{Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Job: core.JobIntake, Platform: core.Clio, Action: "create matter",
			Status: store.LogSuccess, Object: "Zoë Müller → Clio matter", Message: "Hired leads → Clio matters, \"Custody only\"\nsecond line", ItemKey: "p:1"},
		{Time: time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC), Job: core.JobContacts, Platform: core.Zoom, Action: "create",
			Status: store.LogFailed, Object: "=HYPERLINK(\"http://x\",\"y\")", Error: "-1 rows", ItemKey: "c:2"},
	}
	if _, err := h.app.Store().AppendLog(recs...); err != nil {
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
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte(utf8BOM)) {
		t.Fatalf("export starts %q, want the UTF-8 byte-order mark", b[:min(len(b), 8)])
	}
	if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) || !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("line ends are not all CRLF:\n%q", b)
	}
	rows, err := csv.NewReader(bytes.NewReader(b[len(utf8BOM):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "When" {
		t.Fatalf("rows %q", rows)
	}
	// Newest first: the contacts row, then the intake row.
	if got := rows[1][4]; got != "'=HYPERLINK(\"http://x\",\"y\")" {
		t.Errorf("formula-like object exported as %q, want it kept as text", got)
	}
	if got := rows[1][7]; got != "'-1 rows" {
		t.Errorf("error cell %q, want it kept as text", got)
	}
	if rows[2][4] != "Zoë Müller → Clio matter" || rows[2][6] != "Hired leads → Clio matters, \"Custody only\"\nsecond line" {
		t.Errorf("text changed on the way: %q / %q", rows[2][4], rows[2][6])
	}
}

func TestDetailsOfferToOpenTheObject(t *testing.T) {
	h := newHarness(t, smallFirm())
	if _, err := h.app.Store().AppendLog(
		store.LogRecord{Job: core.JobFolders, Platform: core.Box, Action: "create folder", Status: store.LogSuccess,
			Object: "Matter 00001 — Garcia", ItemKey: "matter:1", ExternalID: "4242"},
		store.LogRecord{Job: core.JobRecordings, Platform: core.Clio, Action: "post note", Status: store.LogSkipped,
			Object: "Zoom call", ItemKey: "meeting:xyz"},
	); err != nil {
		t.Fatal(err)
	}
	a := h.g.activity
	h.ui(a.refresh)
	counted(h)
	h.ui(func() { a.table.Select(tableCell(1)) }) // older row: the folder
	if vis := h.text(func() string { return boolText(a.open.Visible()) }); vis != "true" {
		t.Fatal("no Open button for a Box folder")
	}
	if got := h.text(func() string { return a.link }); !strings.Contains(got, "/box/folders/4242") {
		t.Errorf("link %q", got)
	}
	h.ui(func() { a.table.Select(tableCell(0)) }) // newest: a note with no page
	if vis := h.text(func() string { return boolText(a.open.Visible()) }); vis != "false" {
		t.Error("an Open button for an object with no page")
	}
}
