package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// overviewTab shows each job's state, last and next run, with Sync Now.
type overviewTab struct {
	g       *gui
	content fyne.CanvasObject

	banner       *widget.Label
	bannerAction *widget.Button
	bannerBox    *fyne.Container
	bannerTab    string // the tab the banner's button opens
	summary      *widget.Label
	syncAll      *widget.Button
	rows         map[string]*jobRow
	syncing      map[string]bool // jobs started from this tab and not yet finished
}

// jobRow is one job's line.
type jobRow struct {
	job      string
	state    *widget.Label
	progress *widget.ProgressBar
	spinner  *widget.ProgressBarInfinite
	last     *widget.Label
	next     *widget.Label
	button   *widget.Button
}

func newOverviewTab(g *gui) *overviewTab {
	t := &overviewTab{g: g, rows: map[string]*jobRow{}, syncing: map[string]bool{}}
	t.banner = widget.NewLabel("")
	t.banner.Wrapping = fyne.TextWrapWord
	t.banner.Importance = widget.WarningImportance
	t.bannerAction = widget.NewButton("", t.onBannerAction)
	t.bannerBox = container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), t.bannerAction, t.banner)
	t.bannerBox.Hide()
	t.summary = widget.NewLabel("")
	t.summary.Wrapping = fyne.TextWrapWord
	t.syncAll = &widget.Button{Text: "Sync All Now", Icon: theme.ViewRefreshIcon(), Importance: widget.HighImportance, OnTapped: t.onSyncAll}

	header := container.New(layout.NewGridLayoutWithColumns(4),
		boldLabel("Job"), boldLabel("State"), boldLabel("Last run"), boldLabel("Next run"))
	list := container.NewVBox(container.NewBorder(nil, nil, nil, fixedWidth(widget.NewLabel(""), 130), header), widget.NewSeparator())
	for _, j := range core.Jobs() {
		r := t.newRow(j)
		t.rows[j] = r
		list.Add(t.rowObject(r))
		list.Add(widget.NewSeparator())
	}
	top := container.NewVBox(t.bannerBox, container.NewBorder(nil, nil, nil, t.syncAll, t.summary))
	t.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(list))
	return t
}

func boldLabel(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (t *overviewTab) newRow(job string) *jobRow {
	r := &jobRow{job: job,
		state: widget.NewLabel(""), last: widget.NewLabel(""), next: widget.NewLabel(""),
		progress: widget.NewProgressBar(), spinner: widget.NewProgressBarInfinite(),
	}
	r.state.Wrapping = fyne.TextWrapWord
	r.last.Wrapping = fyne.TextWrapWord
	r.next.Wrapping = fyne.TextWrapWord
	r.progress.Hide()
	r.spinner.Hide()
	r.spinner.Stop()
	r.button = &widget.Button{Text: "Sync Now", Icon: theme.ViewRefreshIcon(), OnTapped: func() { t.onSyncJob(job) }}
	return r
}

func (t *overviewTab) rowObject(r *jobRow) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(jobLabel(r.job), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(jobHint(r.job))
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	state := container.NewVBox(r.state, r.progress, r.spinner)
	cells := container.New(layout.NewGridLayoutWithColumns(4), container.NewVBox(name, hint), state, r.last, r.next)
	return container.NewBorder(nil, nil, nil, fixedWidth(container.NewVBox(r.button), 130), cells)
}

// refresh reloads every row and the banner from the store.
func (t *overviewTab) refresh() {
	a := t.g.app
	st, err := a.Status(t.g.ctx)
	if err != nil {
		t.summary.SetText("Could not read the status: " + plainError(err))
		return
	}
	now := time.Now()
	paused := a.Settings().SchedulesPaused
	for _, js := range st.Jobs {
		r := t.rows[js.Job]
		if r == nil {
			continue
		}
		if d, ok := t.g.running[js.Job]; ok {
			t.showRun(d, true)
		} else {
			t.showIdle(r, js)
		}
		switch {
		case js.LastRun == nil:
			r.last.SetText("Never run yet")
		case js.LastStatus == store.RunRunning:
			r.last.SetText("Running now (started " + whenText(*js.LastRun, now) + ")")
		default:
			r.last.SetText(whenText(*js.LastRun, now) + "\n" + countsText(js.Created, js.Updated, js.Failed))
		}
		switch {
		case paused:
			r.next.SetText("Paused (resume from the tray menu)")
		case js.NextRun != nil:
			r.next.SetText(untilText(*js.NextRun, now))
		default:
			r.next.SetText("Not scheduled yet")
		}
		if t.syncing[js.Job] {
			r.button.Disable()
		} else {
			r.button.Enable()
		}
	}
	if len(t.syncing) > 0 {
		t.syncAll.Disable()
	} else {
		t.syncAll.Enable()
	}
	t.summary.SetText(t.summaryText(st))
	t.refreshBanner(st)
}

// showIdle shows a job that is not running, from its last run.
func (t *overviewTab) showIdle(r *jobRow, js core.JobStatus) {
	r.progress.Hide()
	r.spinner.Stop()
	r.spinner.Hide()
	parked, _ := t.g.app.Store().CountLog(store.LogQuery{Job: js.Job, Status: store.LogNeedsAttention})
	switch {
	case js.LastRun == nil:
		r.state.SetText("Idle — not run yet")
		r.state.Importance = widget.MediumImportance
	case js.LastStatus == store.RunFailed:
		msg := "Failed"
		if lr, ok, _ := t.g.app.Store().LastRun(js.Job); ok && lr.Error != "" {
			msg += ": " + firstLine(lr.Error)
		}
		r.state.SetText(msg)
		r.state.Importance = widget.DangerImportance
	case parked > 0:
		r.state.SetText(fmt.Sprintf("Needs attention: %d item%s — see Activity", parked, plural(parked)))
		r.state.Importance = widget.WarningImportance
	case js.LastStatus == store.RunPartial:
		r.state.SetText("Some items failed; they will be retried")
		r.state.Importance = widget.WarningImportance
	default:
		r.state.SetText(runStatusLabel(js.LastStatus))
		r.state.Importance = widget.SuccessImportance
	}
	r.state.Refresh()
}

// showRun shows live progress (running) or the end of a run.
func (t *overviewTab) showRun(d events.RunData, running bool) {
	r := t.rows[d.Job]
	if r == nil {
		return
	}
	if !running {
		r.progress.Hide()
		r.spinner.Stop()
		r.spinner.Hide()
		r.state.SetText(runStatusLabel(d.Status))
		return
	}
	r.state.Importance = widget.HighImportance
	if d.Total > 0 {
		r.spinner.Stop()
		r.spinner.Hide()
		r.progress.Max = float64(d.Total)
		r.progress.SetValue(float64(d.Done))
		r.progress.Show()
		r.state.SetText(fmt.Sprintf("Running — %d of %d items", d.Done, d.Total))
	} else {
		r.progress.Hide()
		r.spinner.Show()
		r.spinner.Start()
		if d.Done > 0 {
			r.state.SetText(fmt.Sprintf("Running — %d items so far", d.Done))
		} else {
			r.state.SetText("Running — looking for changes…")
		}
	}
	r.state.Refresh()
}

func (t *overviewTab) summaryText(st core.Status) string {
	connected := 0
	for _, c := range st.Connections {
		if c.Connected {
			connected++
		}
	}
	var last time.Time
	for _, j := range st.Jobs {
		if j.LastRun != nil && j.LastRun.After(last) {
			last = *j.LastRun
		}
	}
	s := fmt.Sprintf("%d of %d accounts connected. ", connected, len(st.Connections))
	if last.IsZero() {
		s += "Nothing has been synced yet: press Sync All Now to start."
	} else {
		s += "Last sync " + whenText(last, time.Now()) + ". Firmsync also syncs on its own schedule and whenever a platform reports a change."
	}
	return s
}

// refreshBanner shows the most urgent thing the user should do, if any.
func (t *overviewTab) refreshBanner(st core.Status) {
	var reconnect []string
	connected := 0
	for _, c := range st.Connections {
		if c.Status == store.ConnReconnectNeeded {
			reconnect = append(reconnect, platformName(c.Platform))
		}
		if c.Connected {
			connected++
		}
	}
	parked, _ := t.g.app.Store().CountLog(store.LogQuery{Status: store.LogNeedsAttention})
	switch {
	case len(reconnect) > 0:
		t.bannerTab = "Connections"
		t.bannerAction.SetText("Go to Connections")
		t.setBanner(strings.Join(reconnect, " and ")+" needs reconnecting: Firmsync cannot reach it until someone signs in again. Go to Connections and click Connect.", true)
	case parked > 0:
		t.bannerTab = "Activity"
		t.bannerAction.SetText("Open Activity")
		t.setBanner(fmt.Sprintf("%d item%s need%s attention: Firmsync tried several times and gave up. Open Activity, read what went wrong, fix it, then press Retry.", parked, plural(parked), map[bool]string{true: "s", false: ""}[parked == 1]), true)
	case connected == 0 && !t.g.app.Sandbox():
		t.bannerTab = "Connections"
		t.bannerAction.SetText("Go to Connections")
		t.setBanner("Start here: connect Clio, Lawmatics, Zoom and Box so Firmsync can keep them in step.", true)
	default:
		t.setBanner("", false)
	}
}

// setBanner shows or hides the banner.
func (t *overviewTab) setBanner(text string, on bool) {
	t.banner.SetText(text)
	if on {
		t.bannerBox.Show()
	} else {
		t.bannerBox.Hide()
	}
}

func (t *overviewTab) onBannerAction() {
	for _, it := range t.g.tabs.Items {
		if it.Text == t.bannerTab {
			t.g.tabs.Select(it)
		}
	}
}

func (t *overviewTab) onSyncJob(job string) { t.startSync([]string{job}) }

func (t *overviewTab) onSyncAll() { t.startSync(nil) }

// startSync runs jobs (all when nil) in the background and shows the
// outcome when they finish.
func (t *overviewTab) startSync(jobs []string) {
	names := jobs
	if names == nil {
		names = core.Jobs()
	}
	for _, j := range names {
		t.syncing[j] = true
		if r := t.rows[j]; r != nil {
			r.button.Disable()
			if _, ok := t.g.running[j]; !ok {
				r.state.SetText("Starting…")
			}
		}
	}
	t.syncAll.Disable()
	t.g.tray.refresh()
	t.g.background(func(ctx context.Context) {
		res := t.g.app.Sync(ctx, jobs, false)
		t.g.deps.do(func() { t.syncDone(names, res) })
	})
}

func (t *overviewTab) syncDone(names []string, res core.SyncResult) {
	for _, j := range names {
		delete(t.syncing, j)
		delete(t.g.running, j) // finished, though its RunFinished event may still be on its way
		if r, ok, err := t.g.app.Store().LastRun(j); err == nil && ok && r.Status != store.RunRunning {
			t.g.finished[j] = max(t.g.finished[j], r.ID)
		}
	}
	t.refresh()
	for _, jr := range res.Jobs {
		if r := t.rows[jr.Job]; r != nil && jr.Error != "" && jr.Status != store.RunFailed {
			// The run did not even start: say why.
			r.state.SetText("Could not run: " + firstLine(jr.Error))
			r.state.Importance = widget.DangerImportance
			r.state.Refresh()
		}
	}
	t.g.tray.refresh()
	t.g.activity.refresh()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
