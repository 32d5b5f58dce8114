package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/autostart"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// deps are what the GUI needs from its surroundings; tests replace them.
type deps struct {
	do        func(func()) // runs a UI update from another goroutine (fyne.Do)
	doWait    func(func()) // the same, waiting for it (fyne.DoAndWait)
	notify    func(*fyne.Notification)
	autostart *autostart.Entry // where start-at-login is registered
	exe       string           // the program registered for start at login
	// refreshEvery is how often the window and tray re-read the state
	// with no event to prompt them; 0 means never (most tests).
	refreshEvery time.Duration
}

// gui is the window and tray of one running App.
type gui struct {
	Window fyne.Window
	fyne   fyne.App
	app    *core.App
	ctx    context.Context // ends when Firmsync quits
	deps   deps
	quit   func() // stops Firmsync (set by Run; tests leave it nil)
	trayOn bool   // the system tray icon and menu are set up
	idle   *idler // slows Fyne's loop while the window is hidden (set by Run)

	tabs        *container.AppTabs
	overview    *overviewTab
	connections *connectionsTab
	activity    *activityTab
	settings    *settingsTab
	sandbox     *sandboxPanel // nil outside sandbox mode
	tray        *trayMenu
	// kind is the practice-management system the window is laid out for
	// (see followPractice). UI goroutine only.
	kind string

	sub      *events.Subscription
	closing  atomic.Bool               // set before the window quits: no more widget or tray updates
	notified map[string]bool           // incidents already notified; UI goroutine only
	running  map[string]events.RunData // job → its run in progress
	finished map[string]uint64         // job → id of its latest finished run; later progress of it is stale
}

// newGUI builds the window (not yet shown), the tray where possible, and
// starts listening to the App's events.
func newGUI(ctx context.Context, fa fyne.App, app *core.App, o Options, d deps) *gui {
	g := &gui{fyne: fa, app: app, ctx: ctx, deps: d, notified: map[string]bool{},
		running: map[string]events.RunData{}, finished: map[string]uint64{}, kind: app.PracticeManagement()}
	if app.Sandbox() {
		// Trying the demo writes nothing outside its data directory: no
		// start-at-login entry (it would start the build without
		// --sandbox, on the real configuration).
		g.deps.autostart = nil
	}
	title := "Firmsync"
	if app.Sandbox() {
		title += " — Sandbox"
	}
	g.Window = fa.NewWindow(title)
	g.Window.SetIcon(assets.AppIcon())

	g.overview = newOverviewTab(g)
	g.connections = newConnectionsTab(g)
	g.activity = newActivityTab(g)
	g.settings = newSettingsTab(g)
	overview := g.overview.content
	if app.SandboxInstance() != nil {
		// The admin actions drive the in-process sandbox; a sandbox in
		// another process (--sandbox-url) has its own admin API.
		g.sandbox = newSandboxPanel(g)
		overview = container.NewBorder(nil, g.sandbox.content, nil, nil, overview)
	}
	g.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Overview", theme.HomeIcon(), overview),
		container.NewTabItemWithIcon("Connections", theme.LoginIcon(), g.connections.content),
		container.NewTabItemWithIcon("Activity", theme.ListIcon(), g.activity.content),
		container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), g.settings.content),
	)
	g.tabs.OnSelected = g.onTabSelected
	g.Window.SetContent(container.NewBorder(g.header(), nil, nil, nil, g.tabs))
	g.Window.Resize(fyne.NewSize(1000, 700))

	g.tray = newTrayMenu(g)
	if dt, ok := fa.(desktop.App); ok && o.Tray {
		g.trayOn = true
		g.tray.install(dt)
		// Closing the window keeps Firmsync running in the tray.
		g.Window.SetCloseIntercept(g.hide)
	} else {
		g.Window.SetCloseIntercept(g.onQuit)
	}
	g.refreshAll()
	g.sub = app.Bus().Subscribe(events.AllKinds)
	go g.listen(g.sub)
	if d.refreshEvery > 0 {
		go g.tick(d.refreshEvery)
	}
	return g
}

// tick refreshes the Overview and the tray every period until Firmsync
// quits. Events keep them current, but not entirely: "just now" must
// become "5 min ago" on a quiet morning, and a slow machine's window can
// miss events (the bus drops what a slow subscriber cannot take), which
// would leave a finished run shown as running for good.
func (g *gui) tick(period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case <-t.C:
			if g.closing.Load() {
				return
			}
			g.deps.do(func() {
				if g.closing.Load() || g.ctx.Err() != nil {
					return
				}
				g.overview.refresh()
				g.tray.refresh()
			})
		}
	}
}

// settleRunning forgets the runs shown as in progress that the store says
// have finished: their RunFinished event was dropped or is still on its
// way. UI goroutine only.
func (g *gui) settleRunning() {
	for job, d := range g.running {
		r, ok, err := g.app.Store().LastRun(job)
		if err != nil || !ok || r.Status == store.RunRunning || (d.RunID != 0 && r.ID < d.RunID) {
			continue
		}
		g.finished[job] = max(g.finished[job], r.ID)
		delete(g.running, job)
	}
}

// header is the strip above the tabs: the name, and the sandbox badge.
func (g *gui) header() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("Firmsync", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	items := []fyne.CanvasObject{name, layout.NewSpacer()}
	if g.app.Sandbox() {
		items = append(items, sandboxBadge())
	}
	return container.NewHBox(items...)
}

// sandboxBadge says plainly that nothing real is touched.
func sandboxBadge() fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameWarning))
	bg.CornerRadius = 6
	txt := canvas.NewText("  SANDBOX — demo firm, no real accounts  ", theme.Color(theme.ColorNameBackground))
	txt.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewStack(bg, container.NewCenter(txt))
}

// listen forwards bus events to the UI goroutine until the subscription ends.
func (g *gui) listen(sub *events.Subscription) {
	for ev := range sub.C() {
		if g.closing.Load() {
			return
		}
		g.deps.do(func() { g.handle(ev) })
	}
}

// close stops listening to events. After it no widget or tray update
// starts: once Fyne has quit, fyne.Do runs callbacks on the caller's
// goroutine and the tray's D-Bus connection is gone.
func (g *gui) close() {
	g.closing.Store(true)
	if g.sub != nil {
		g.sub.Unsubscribe()
	}
}

// handle applies one event to the widgets; it runs on the UI goroutine.
func (g *gui) handle(ev events.Event) {
	// Once Firmsync is quitting (ctx ends on a signal at the same moment
	// Fyne starts to quit on it), the jobs' "stopped" reports are not
	// shown: Fyne may already be gone.
	if g.closing.Load() || g.ctx.Err() != nil {
		return
	}
	switch ev.Kind {
	case events.RunStarted, events.RunProgress:
		d, _ := ev.Data.(events.RunData)
		if d.RunID != 0 && d.RunID <= g.finished[d.Job] {
			return // a late event of a run already known to be over
		}
		g.running[d.Job] = d
		g.overview.showRun(d, true)
		g.tray.refresh()
	case events.RunFinished:
		d, _ := ev.Data.(events.RunData)
		g.finished[d.Job] = max(g.finished[d.Job], d.RunID)
		delete(g.running, d.Job)
		g.overview.showRun(d, false)
		g.overview.refresh()
		g.connections.refresh()
		g.tray.refresh()
		g.activity.newRecords()
	case events.ItemLogged:
		g.activity.newRecords()
	case events.ConnectionChanged:
		g.connections.refresh()
		g.overview.refresh()
		g.settings.refreshWebhooks()
		g.tray.refresh()
	case events.SchedulesChanged:
		// Every settings save says so: the practice-management system may
		// have changed with it.
		g.followPractice()
		g.overview.refresh()
		g.tray.refresh()
	case events.NeedsAttention:
		d, _ := ev.Data.(events.AttentionData)
		g.notifyAttention(d)
		g.overview.refresh()
		g.tray.refresh()
	case events.WebhookReceived:
		g.settings.refreshWebhooks()
	}
}

// notifyAttention sends one desktop notification per incident.
func (g *gui) notifyAttention(d events.AttentionData) {
	key := d.Incident
	if key == "" {
		key = d.Job + "/" + d.Platform + "/" + d.Item
	}
	if g.notified[key] {
		return
	}
	g.notified[key] = true
	var title, body string
	if strings.HasPrefix(key, "reconnect/") {
		title = platformName(d.Platform) + " needs reconnecting"
		body = "Firmsync can no longer reach " + platformName(d.Platform) + ". Open Firmsync, go to Connections and click Connect."
	} else {
		title = "An item needs your attention"
		what := d.Item
		if what == "" {
			what = "An item"
		}
		body = fmt.Sprintf("%s (%s) could not be synced: %s. The first line of Firmsync's tray menu opens it: see why, then press Retry.", what, g.words().jobLabel(d.Job), firstLine(d.Message))
		g.noticed(d.Job, strings.TrimPrefix(d.Incident, d.Job+"/"))
	}
	if g.deps.notify != nil {
		g.deps.notify(fyne.NewNotification(title, body))
	}
}

func (g *gui) refreshAll() {
	g.overview.refresh()
	g.connections.refresh()
	g.activity.refresh()
	g.settings.refreshWebhooks()
	g.tray.refresh()
}

func (g *gui) onTabSelected(t *container.TabItem) {
	switch t.Text {
	case "Activity":
		g.activity.refresh()
	case "Connections":
		g.connections.refresh()
	case "Overview":
		g.overview.refresh()
	case "Settings":
		g.settings.refreshWebhooks()
	}
}

// show brings the window forward.
func (g *gui) show() {
	if g.idle != nil {
		g.idle.show()
	}
	g.Window.Show()
	g.Window.RequestFocus()
}

// hide closes the window to the tray; Firmsync keeps running.
func (g *gui) hide() {
	g.Window.Hide()
	if g.idle != nil {
		g.idle.hide()
	}
}

// onQuit stops Firmsync cleanly.
func (g *gui) onQuit() {
	if g.quit != nil {
		g.quit()
	}
}

// showBackgroundError tells the user the background services stopped.
func (g *gui) showBackgroundError(err error) {
	g.overview.setBanner("Firmsync's background services stopped: "+err.Error()+". Schedules and webhooks are off until Firmsync is restarted.", true)
	g.show()
}

// background runs fn off the UI goroutine with Firmsync's lifetime.
func (g *gui) background(fn func(ctx context.Context)) {
	go fn(g.ctx)
}

// openURL opens a link in the system browser or file manager.
func (g *gui) openURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	return g.fyne.OpenURL(u)
}

// showError shows err in a dialog in plain words.
func (g *gui) showError(title string, err error) {
	dialog.ShowError(fmt.Errorf("%s: %s", title, plainError(err)), g.Window)
}
