package ui

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// trayMenu is the tray icon and its menu. The state and status line are
// computed even without a tray host, so tests can check them.
//
// The state is said three ways, so that no one has to tell colours apart:
// the icon's shape (assets.TrayIcon), the tooltip, and the first line of
// the menu, which is also the way to the thing that needs the user.
type trayMenu struct {
	g       *gui
	dt      desktop.App // nil without a tray
	menu    *fyne.Menu
	status  *fyne.MenuItem
	pause   *fyne.MenuItem
	state   string // "ok", "syncing", "error", "reconnect", "connect" or "paused"
	line    string // the status line: the menu's first line
	tooltip string // what hovering over the icon says
	target  string // where the first line leads: "activity", a tab name, or "" for the window

	lastJob, lastKey string // the item of the last notification (see gui.noticed)
}

// trayTooltipper is a tray that can show a tooltip. Fyne's desktop.App
// cannot (2.7); the real tray sets it through systray (see setTooltip).
type trayTooltipper interface{ SetSystemTrayTooltip(string) }

func newTrayMenu(g *gui) *trayMenu {
	m := &trayMenu{g: g}
	m.status = fyne.NewMenuItem("Firmsync", m.onStatus)
	m.pause = fyne.NewMenuItem("Pause schedules", m.onPause)
	quit := fyne.NewMenuItem("Quit Firmsync", g.onQuit)
	quit.IsQuit = true
	m.menu = fyne.NewMenu("Firmsync",
		m.status,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Sync Now", m.onSyncNow),
		fyne.NewMenuItem("Open Firmsync", g.show),
		m.pause,
		fyne.NewMenuItemSeparator(),
		quit,
	)
	return m
}

// install puts the icon and menu in the system tray.
func (m *trayMenu) install(dt desktop.App) {
	m.dt = dt
	m.apply(func(dt desktop.App) { dt.SetSystemTrayMenu(m.menu) })
	m.state, m.line = "", "" // the new tray has no icon or tooltip yet
	m.refresh()
}

// apply makes one call into the tray. The tray is a convenience: if its
// D-Bus connection is gone (Fyne closed it while quitting, or the session
// bus went away), Firmsync carries on without it instead of crashing in
// the middle of a sync. It runs on the UI goroutine, like every use of dt.
func (m *trayMenu) apply(call func(desktop.App)) {
	if m.dt == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			m.dt = nil
			m.g.app.Logger().Warn("the tray icon stopped working; Firmsync goes on without it", "err", fmt.Sprint(r))
		}
	}()
	call(m.dt)
}

// setTooltip shows text when the pointer rests on the icon: through the
// tray itself when it can, else through systray, which Fyne's tray runs
// on (it sets the StatusNotifierItem tooltip on Linux, the icon's tip on
// Windows and macOS).
func setTooltip(dt desktop.App, text string) {
	if t, ok := dt.(trayTooltipper); ok {
		t.SetSystemTrayTooltip(text)
		return
	}
	systray.SetTooltip(text)
}

// refresh recomputes the state, icon, tooltip and status line.
func (m *trayMenu) refresh() {
	if m.g.closing.Load() {
		return
	}
	st, err := m.g.app.Status(m.g.ctx)
	if err != nil {
		return
	}
	open, err := m.g.app.NeedsAttention()
	if err != nil {
		m.g.app.Logger().Warn("counting the items that need attention for the tray", "err", err)
	}
	m.g.settleRunning()
	in := trayInputs{
		syncing: len(m.g.running) > 0 || len(m.g.overview.syncing) > 0,
		paused:  m.g.app.Settings().SchedulesPaused,
		open:    open,
		sandbox: m.g.app.Sandbox(),
		now:     time.Now(),
	}
	ts := trayStatus(st, in)
	if in.paused {
		m.pause.Label = "Resume schedules"
	} else {
		m.pause.Label = "Pause schedules"
	}
	changed := ts.state != m.state || ts.line != m.line
	m.state, m.line, m.target = ts.state, ts.line, ts.target
	m.tooltip = "Firmsync: " + ts.line
	m.status.Label = ts.line
	m.apply(func(dt desktop.App) {
		if changed {
			dt.SetSystemTrayIcon(assets.TrayIcon(ts.state))
			setTooltip(dt, m.tooltip)
		}
		m.menu.Refresh()
	})
}

// trayInputs is what the tray's state depends on besides the status.
type trayInputs struct {
	syncing bool // a run is in progress
	paused  bool // the schedules are paused
	open    int  // open problems (core.App.NeedsAttention)
	sandbox bool // the sandbox connects itself: nothing waits for a connection
	now     time.Time
}

// trayLook is the tray's state: icon, first line, and where that line leads.
type trayLook struct{ state, line, target string }

// trayStatus decides what the tray says, most urgent first: a platform to
// reconnect, then items that need attention or a failed job (errors
// outrank paused and syncing: a paused or busy icon must not hide them),
// then nothing connected, syncing, paused, jobs waiting for a connection,
// and last all well. Paused and syncing are added to an error's line, so
// the line never hides them either.
func trayStatus(st core.Status, in trayInputs) trayLook {
	var reconnect []string
	for _, c := range st.Connections {
		if c.Status == store.ConnReconnectNeeded {
			reconnect = append(reconnect, platformName(c.Platform))
		}
	}
	var failed []string
	var lastErr string
	partial := false
	waiting := 0
	var waitFor []string
	for _, j := range st.Jobs {
		switch {
		case j.Waiting != "":
			waiting++
			for _, p := range j.WaitingFor {
				if n := platformName(p); !slices.Contains(waitFor, n) {
					waitFor = append(waitFor, n)
				}
			}
		case j.LastStatus == store.RunFailed:
			failed = append(failed, jobShort(j.Job))
			lastErr = j.LastError
		case j.LastStatus == store.RunPartial:
			partial = true
		}
	}
	also := func(line string) string {
		if in.syncing {
			line += " · syncing now"
		}
		if in.paused {
			line += " · schedules paused"
		}
		return line
	}
	switch {
	case len(reconnect) > 0:
		line := joinAnd(reconnect) + " " + needWord(len(reconnect)) + " reconnecting"
		if in.open > 0 {
			line += " · " + attentionText(in.open)
		}
		return trayLook{"reconnect", also(line), "Connections"}
	case in.open > 0:
		return trayLook{"error", also(capitalize(attentionText(in.open))), "activity"}
	case len(failed) == 1 && lastErr != "":
		return trayLook{"error", also(failed[0] + " failed: " + firstLine(lastErr)), "Overview"}
	case len(failed) > 0:
		return trayLook{"error", also(joinAnd(failed) + " failed"), "Overview"}
	case partial:
		return trayLook{"error", also("Some items failed; Firmsync retries them"), "Activity"}
	case connectedCount(st) == 0 && !in.sandbox:
		return trayLook{"connect", also("Nothing connected yet: open Firmsync to connect"), "Connections"}
	case in.syncing:
		line := "Syncing now…"
		if in.paused {
			line += " · schedules paused"
		}
		return trayLook{"syncing", line, "Overview"}
	case in.paused:
		return trayLook{"paused", "Paused: scheduled syncs are off", "Overview"}
	case waiting > 0:
		return trayLook{"connect", fmt.Sprintf("%d job%s waiting for %s", waiting, plural(waiting), joinAnd(waitFor)), "Connections"}
	}
	return trayLook{"ok", upToDateLine(st, in.now), "Overview"}
}

// upToDateLine is "Up to date · last sync 10:32", from the newest run.
func upToDateLine(st core.Status, now time.Time) string {
	var last time.Time
	for _, j := range st.Jobs {
		if j.LastRun != nil && j.LastRun.After(last) {
			last = *j.LastRun
		}
	}
	if last.IsZero() {
		return "Up to date · not synced yet"
	}
	clock := last.Local().Format("15:04")
	if !sameDay(last, now) {
		clock = last.Local().Format("Jan 2 15:04")
	}
	return "Up to date · last sync " + clock
}

// onStatus opens what the first line is about.
func (m *trayMenu) onStatus() {
	switch m.target {
	case "activity":
		m.g.openAttention()
	case "":
		m.g.show()
	default:
		m.g.show()
		m.g.selectTab(m.target)
	}
}

// trayState is the current tray icon state (for tests).
func (g *gui) trayState() string { return g.tray.state }

func (m *trayMenu) onSyncNow() { m.g.overview.startSync(nil) }

func (m *trayMenu) onPause() {
	paused := !m.g.app.Settings().SchedulesPaused
	if err := m.g.app.PauseSchedules(paused); err != nil {
		m.g.showError("Could not change the schedules", err)
		return
	}
	m.refresh()
	m.g.overview.refresh()
	m.g.settings.load()
}

// applyStartAtLogin registers or removes the start-at-login entry.
func (g *gui) applyStartAtLogin(on bool) error {
	if g.deps.autostart == nil || g.deps.exe == "" {
		return nil
	}
	if on {
		return g.deps.autostart.Enable(g.deps.exe, true)
	}
	return g.deps.autostart.Disable()
}

// afterFirstConnect turns start at login on after the first successful
// connect, unless the user already decided. It runs off the UI goroutine.
func (g *gui) afterFirstConnect() {
	s := g.app.Settings()
	if s.StartAtLogin != nil {
		return
	}
	on := true
	s.StartAtLogin = &on
	if err := g.app.SaveSettings(s); err != nil {
		g.app.Logger().Warn("turning on start at login", "err", err)
		return
	}
	if err := g.applyStartAtLogin(true); err != nil {
		g.app.Logger().Warn("registering start at login", "err", err)
	}
	g.deps.do(func() { g.settings.setStartAtLogin(true) })
}
