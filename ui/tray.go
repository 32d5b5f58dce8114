package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/firmsync/firmsync/assets"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// trayMenu is the tray icon and its menu. The state and status line are
// computed even without a tray host, so tests can check them.
type trayMenu struct {
	g      *gui
	dt     desktop.App // nil without a tray
	menu   *fyne.Menu
	status *fyne.MenuItem
	pause  *fyne.MenuItem
	state  string // "ok", "syncing", "error", "reconnect" or "paused"
	line   string // the status line
}

func newTrayMenu(g *gui) *trayMenu {
	m := &trayMenu{g: g}
	m.status = fyne.NewMenuItem("Firmsync", nil)
	m.status.Disabled = true
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

// refresh recomputes the state, icon and status line.
func (m *trayMenu) refresh() {
	if m.g.closing.Load() {
		return
	}
	st, err := m.g.app.Status(m.g.ctx)
	if err != nil {
		return
	}
	paused := m.g.app.Settings().SchedulesPaused
	parked, _ := m.g.app.Store().CountLog(store.LogQuery{Status: store.LogNeedsAttention})
	syncing := len(m.g.running) > 0 || len(m.g.overview.syncing) > 0
	state := trayStateFor(st, syncing, paused, parked)
	line := statusLine(st, syncing)
	if paused {
		m.pause.Label = "Resume schedules"
	} else {
		m.pause.Label = "Pause schedules"
	}
	changed := state != m.state || line != m.line
	m.state, m.line = state, line
	m.status.Label = line
	m.apply(func(dt desktop.App) {
		if changed {
			dt.SetSystemTrayIcon(assets.TrayIcon(state))
		}
		m.menu.Refresh()
	})
}

// trayStateFor picks the tray icon: a reconnect beats everything, then a
// running sync, then paused, then a failed last run or parked items.
func trayStateFor(st core.Status, syncing, paused bool, parked int) string {
	for _, c := range st.Connections {
		if c.Status == store.ConnReconnectNeeded {
			return "reconnect"
		}
	}
	if syncing {
		return "syncing"
	}
	if paused {
		return "paused"
	}
	if parked > 0 {
		return "error"
	}
	for _, j := range st.Jobs {
		if j.LastStatus == store.RunFailed || j.LastStatus == store.RunPartial {
			return "error"
		}
	}
	return "ok"
}

// statusLine is "Last sync 10:32 · 12 created · 1 failed": the latest run
// time and the counts of each job's last run.
func statusLine(st core.Status, syncing bool) string {
	if syncing {
		return "Syncing now…"
	}
	var last time.Time
	var created, updated, failed int
	for _, j := range st.Jobs {
		if j.LastRun == nil {
			continue
		}
		if j.LastRun.After(last) {
			last = *j.LastRun
		}
		created += j.Created
		updated += j.Updated
		failed += j.Failed
	}
	if last.IsZero() {
		return "Not synced yet"
	}
	clock := last.Local().Format("15:04")
	if !sameDay(last, time.Now()) {
		clock = last.Local().Format("Jan 2 15:04")
	}
	return "Last sync " + clock + " · " + countsText(created, updated, failed)
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
