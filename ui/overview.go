package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// overviewTab shows each job's state, last activity and next run, with
// Sync Now. Everything on it says what is true now: a job that cannot run
// says what it waits for, paused schedules have a banner of their own
// with Resume, and with nothing connected the main button is Connect….
type overviewTab struct {
	g       *gui
	content fyne.CanvasObject

	banner       *widget.Label
	bannerAction *widget.Button
	bannerBox    *fyne.Container
	bannerTab    string // the tab the banner's button opens
	paused       *widget.Label
	resume       *widget.Button
	pausedBox    *fyne.Container
	summary      *widget.Label
	syncAll      *widget.Button // Sync All Now, or Connect… when nothing is connected
	connectFirst bool           // syncAll says Connect…
	rows         map[string]*jobRow
	list         *container.Scroll // the jobs
	rowsBox      *fyne.Container   // the rows in list
	syncing      map[string]bool   // jobs started from this tab and not yet finished
}

// jobRow is one job's line.
type jobRow struct {
	job      string
	name     *widget.RichText // the job's name and one-line hint
	state    *widget.Label
	progress *widget.ProgressBar
	spinner  *widget.ProgressBarInfinite
	last     *widget.Label
	next     *widget.Label
	button   *widget.Button
	waiting  bool // a platform it needs is not connected: it cannot run
}

func newOverviewTab(g *gui) *overviewTab {
	t := &overviewTab{g: g, rows: map[string]*jobRow{}, syncing: map[string]bool{}}
	t.banner = widget.NewLabel("")
	t.banner.Wrapping = fyne.TextWrapWord
	t.banner.Importance = widget.WarningImportance
	t.bannerAction = widget.NewButton("", t.onBannerAction)
	t.bannerBox = container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), t.bannerAction, t.banner)
	t.bannerBox.Hide()
	t.paused = widget.NewLabel(pausedBannerText)
	t.paused.Wrapping = fyne.TextWrapWord
	t.paused.Importance = widget.WarningImportance
	t.resume = &widget.Button{Text: "Resume schedules", Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: t.onResume}
	t.pausedBox = container.NewBorder(nil, nil, widget.NewIcon(theme.MediaPauseIcon()), container.NewCenter(t.resume), t.paused)
	t.pausedBox.Hide()
	t.summary = widget.NewLabel("")
	t.summary.Wrapping = fyne.TextWrapWord
	t.syncAll = &widget.Button{Text: "Sync All Now", Icon: theme.ViewRefreshIcon(), Importance: widget.HighImportance, OnTapped: t.onMainButton}

	header := container.New(rowColumns(),
		boldLabel("Job"), boldLabel("State"), boldLabel("Last activity"), boldLabel("Next run"))
	list := container.New(rowsLayout{}, container.NewBorder(nil, nil, nil, fixedWidth(widget.NewLabel(""), rowButtonWidth), header), widget.NewSeparator())
	for _, j := range core.Jobs() {
		r := t.newRow(j)
		t.rows[j] = r
		list.Add(t.rowObject(r))
		list.Add(widget.NewSeparator())
	}
	top := container.NewVBox(t.pausedBox, t.bannerBox, container.NewBorder(nil, nil, nil, container.NewCenter(t.syncAll), t.summary))
	t.rowsBox = list
	t.list = container.NewVScroll(list)
	t.content = container.NewBorder(top, nil, nil, nil, t.list)
	return t
}

// pausedBannerText says what pausing stops and what it does not (see
// core.App.PauseSchedules: only the schedules stop).
const pausedBannerText = "Schedules are paused, also after a restart. Reported changes, retries and Sync Now still run."

// rowButtonWidth is the width of the Sync Now column.
const rowButtonWidth = 120

// rowColumns shares a row's width: the last activity, two lines of it
// when a change hides behind an empty run, gets the most.
func rowColumns() columnsLayout { return columnsLayout{weights: []float32{26, 22, 34, 18}} }

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
	// The job's name is the row's title and its one-line hint the tooltip
	// a caption gives: both in one label, so a row is as tall as its
	// tallest cell and five rows fit at 1000×700.
	r.name = widget.NewRichText(jobNameSegments(t.g.words(), r.job)...)
	r.name.Wrapping = fyne.TextWrapWord
	state := container.NewVBox(r.state, r.progress, r.spinner)
	cells := container.New(rowColumns(), r.name, state, r.last, r.next)
	return container.NewBorder(nil, nil, nil, fixedWidth(container.NewVBox(r.button), rowButtonWidth), cells)
}

// jobNameSegments are a row's name in bold over its hint in a caption.
func jobNameSegments(w wording, job string) []widget.RichTextSegment {
	return []widget.RichTextSegment{
		&widget.TextSegment{Text: w.jobLabel(job), Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}, Inline: false}},
		&widget.TextSegment{Text: w.jobHint(job), Style: widget.RichTextStyle{SizeName: theme.SizeNameCaptionText, ColorName: theme.ColorNamePlaceHolder}},
	}
}

// relabel names the jobs in the words of the firm's practice-management
// system after it changed.
func (t *overviewTab) relabel() {
	for _, r := range t.rows {
		r.name.Segments = jobNameSegments(t.g.words(), r.job)
		r.name.Refresh()
	}
	t.relayout()
}

// connectAllText names every platform of the firm: "Clio, Lawmatics, Zoom
// and Box".
func (t *overviewTab) connectAllText() string {
	var names []string
	for _, p := range t.g.app.Platforms() {
		names = append(names, platformName(p))
	}
	return joinAnd(names)
}

// refresh reloads every row, the summary and the banners from the App.
func (t *overviewTab) refresh() {
	a := t.g.app
	st, err := a.Status(t.g.ctx)
	if err != nil {
		t.summary.SetText("Could not read the status: " + plainError(err))
		return
	}
	now := time.Now()
	paused := a.Settings().SchedulesPaused
	t.g.settleRunning()
	for _, js := range st.Jobs {
		r := t.rows[js.Job]
		if r == nil {
			continue
		}
		r.waiting = js.Waiting != ""
		if d, ok := t.g.running[js.Job]; ok {
			t.showRun(d, true)
		} else {
			t.showIdle(r, js)
		}
		r.last.SetText(lastActivityText(js, t.g.words(), now))
		switch {
		case r.waiting:
			r.next.SetText("Not until connected")
		case paused:
			r.next.SetText("Paused")
		case js.NextRun != nil:
			r.next.SetText(untilText(*js.NextRun, now))
		default:
			r.next.SetText("Not scheduled yet")
		}
		if t.syncing[js.Job] || r.waiting {
			r.button.Disable()
		} else {
			r.button.Enable()
		}
	}
	t.connectFirst = connectedCount(st) == 0 && !a.Sandbox()
	if t.connectFirst {
		t.syncAll.SetText("Connect…")
		t.syncAll.SetIcon(theme.LoginIcon())
	} else {
		t.syncAll.SetText("Sync All Now")
		t.syncAll.SetIcon(theme.ViewRefreshIcon())
	}
	if len(t.syncing) > 0 && !t.connectFirst {
		t.syncAll.Disable()
	} else {
		t.syncAll.Enable()
	}
	if paused {
		t.pausedBox.Show()
	} else {
		t.pausedBox.Hide()
	}
	t.summary.SetText(t.summaryText(st, paused))
	t.refreshBanner(st)
	t.relayout()
}

// relayout sizes the rows to their new texts: a label's new text does not
// lay out the rows around it, and a text that wraps to more lines would
// overlap the next row.
func (t *overviewTab) relayout() {
	t.rowsBox.Refresh()
	t.list.Refresh()
}

func connectedCount(st core.Status) int {
	n := 0
	for _, c := range st.Connections {
		if c.Connected {
			n++
		}
	}
	return n
}

// showIdle shows a job that is not running: what it waits for, what went
// wrong, or that it is up to date.
func (t *overviewTab) showIdle(r *jobRow, js core.JobStatus) {
	r.progress.Hide()
	r.spinner.Stop()
	r.spinner.Hide()
	open, _ := t.g.app.NeedsAttentionOf(js.Job)
	switch {
	case js.Waiting != "":
		// Not green: nothing was looked at, so nothing is known to be in step.
		msg := capitalize(js.Waiting)
		if open > 0 {
			msg += fmt.Sprintf(" · %s", attentionText(open))
		}
		r.state.SetText(msg)
		r.state.Importance = widget.WarningImportance
	case js.LastStatus == store.RunFailed:
		msg := "Failed"
		if js.LastError != "" {
			msg += ": " + firstLine(js.LastError)
		}
		r.state.SetText(msg)
		r.state.Importance = widget.DangerImportance
	case open > 0:
		r.state.SetText(capitalize(attentionText(open)) + " — see Activity")
		r.state.Importance = widget.WarningImportance
	case js.LastRun == nil:
		r.state.SetText("Not run yet")
		r.state.Importance = widget.MediumImportance
	case js.LastStatus == store.RunPartial:
		r.state.SetText("Some items failed; Firmsync retries them")
		r.state.Importance = widget.WarningImportance
	case js.LastStatus == runSkipped:
		msg := "Did not run"
		if js.LastError != "" {
			msg += ": " + firstLine(js.LastError)
		}
		r.state.SetText(msg)
		r.state.Importance = widget.MediumImportance
	case js.LastStatus == store.RunCancelled:
		r.state.SetText("Stopped before the end; the next run picks up")
		r.state.Importance = widget.MediumImportance
	case js.LastStatus == store.RunRunning:
		r.state.SetText("Running")
		r.state.Importance = widget.HighImportance
	default:
		r.state.SetText("Up to date")
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
	t.relayout()
}

// summaryText is the line above the jobs: what is connected, when
// Firmsync last did something, and what makes it run, as it is now.
func (t *overviewTab) summaryText(st core.Status, paused bool) string {
	connected := connectedCount(st)
	if connected == 0 && !t.g.app.Sandbox() {
		return "No account is connected yet, so nothing syncs. Connect " + t.connectAllText() + " to start."
	}
	var last time.Time
	waiting := 0
	for _, j := range st.Jobs {
		if j.LastRun != nil && j.LastRun.After(last) {
			last = *j.LastRun
		}
		if j.Waiting != "" {
			waiting++
		}
	}
	s := fmt.Sprintf("%d of %d accounts connected", connected, len(st.Connections))
	if waiting > 0 {
		s += fmt.Sprintf("; %d job%s cannot run until more are", waiting, plural(waiting))
	}
	s += ". "
	if last.IsZero() {
		s += "Nothing has been synced yet. "
	} else {
		s += "Last activity " + agoText(last, time.Now()) + ". "
	}
	reporting := reportingPlatforms(st)
	reports := "report"
	if len(reporting) == 1 {
		reports = "reports"
	}
	switch {
	case paused && len(reporting) > 0:
		s += "Schedules are paused: only reported changes, retries and Sync Now run."
	case paused:
		s += "Schedules are paused: only retries and Sync Now run."
	case len(reporting) > 0:
		s += "Firmsync syncs on its schedule and when " + joinAnd(reporting) + " " + reports + " a change."
	default:
		s += "Firmsync syncs on its schedule."
	}
	return s
}

// reportingPlatforms names the connected platforms with a working webhook
// registration: only those tell Firmsync about changes as they happen.
func reportingPlatforms(st core.Status) []string {
	var out []string
	for _, c := range st.Connections {
		if !c.Connected {
			continue
		}
		for _, w := range c.Webhooks {
			if w.Error == "" && w.Status != "" && w.Status != "not registered" {
				out = append(out, platformName(c.Platform))
				break
			}
		}
	}
	return out
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(w []string) string {
	if len(w) <= 1 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}

// refreshBanner shows the most urgent thing the user should do, if any.
// The paused banner is apart: it is shown with any of these.
func (t *overviewTab) refreshBanner(st core.Status) {
	var reconnect []string
	for _, c := range st.Connections {
		if c.Status == store.ConnReconnectNeeded {
			reconnect = append(reconnect, platformName(c.Platform))
		}
	}
	open, _ := t.g.app.NeedsAttention()
	switch {
	case len(reconnect) > 0:
		t.bannerTab = "Connections"
		t.bannerAction.SetText("Go to Connections")
		t.setBanner(joinAnd(reconnect)+" "+needWord(len(reconnect))+" reconnecting: Firmsync cannot reach "+map[bool]string{true: "it", false: "them"}[len(reconnect) == 1]+" until someone signs in again. Go to Connections and click Connect.", true)
	case open > 0:
		t.bannerTab = "Activity"
		t.bannerAction.SetText("Open Activity")
		t.setBanner(capitalize(attentionText(open))+": Firmsync cannot finish "+map[bool]string{true: "it", false: "them"}[open == 1]+" without you. Open Activity to see what each needs (a missing contact, a sign-in, a correction), then Retry, Attach or Dismiss.", true)
	case connectedCount(st) == 0 && !t.g.app.Sandbox():
		t.bannerTab = "Connections"
		t.bannerAction.SetText("Go to Connections")
		t.setBanner("Start here: connect "+t.connectAllText()+" so Firmsync can keep them in step.", true)
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
	if t.bannerTab == "Activity" {
		t.g.openAttention()
		return
	}
	t.g.selectTab(t.bannerTab)
}

// onMainButton is Sync All Now, or Connect… when nothing is connected:
// syncing then would only report that every job waits.
func (t *overviewTab) onMainButton() {
	if t.connectFirst {
		t.g.selectTab("Connections")
		return
	}
	t.onSyncAll()
}

// onResume resumes the schedules from the paused banner.
func (t *overviewTab) onResume() {
	if err := t.g.app.PauseSchedules(false); err != nil {
		t.g.showError("Could not resume the schedules", err)
		return
	}
	t.refresh()
	t.g.tray.refresh()
	t.g.settings.load()
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
