package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

func TestTrayStateFollowsTheLastRun(t *testing.T) {
	h := newHarness(t)
	if s := h.text(h.g.trayState); s != "ok" {
		t.Fatalf("fresh tray state = %q", s)
	}
	st := h.app.Store()
	start := time.Now().Add(-time.Minute)
	id, err := st.StartRun(store.Run{Job: core.JobFolders, Trigger: "manual", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(store.Run{ID: id, Job: core.JobFolders, Trigger: "manual", Start: start, End: time.Now(),
		Status: store.RunFailed, Counts: store.Counts{Created: 12, Failed: 1}, Error: "Box is having trouble"}); err != nil {
		t.Fatal(err)
	}
	h.ui(h.g.refreshAll)
	if s := h.text(h.g.trayState); s != "error" {
		t.Errorf("after a failed run the tray state is %q, want error", s)
	}
	line := h.text(func() string { return h.g.tray.status.Label })
	if line != "Box folders failed: Box is having trouble" {
		t.Errorf("status line = %q", line)
	}
	if got := h.text(func() string { return h.g.overview.rows[core.JobFolders].state.Text }); !strings.Contains(got, "Box is having trouble") {
		t.Errorf("overview row state = %q", got)
	}

	// A later successful run clears it.
	id, _ = st.StartRun(store.Run{Job: core.JobFolders, Trigger: "manual", Start: time.Now()})
	_ = st.FinishRun(store.Run{ID: id, Job: core.JobFolders, Trigger: "manual", Start: time.Now(), End: time.Now(), Status: store.RunSucceeded})
	h.ui(h.g.refreshAll)
	if s := h.text(h.g.trayState); s != "ok" {
		t.Errorf("after a good run the tray state is %q, want ok", s)
	}

	// Pause from the tray menu.
	h.ui(h.g.tray.onPause)
	if s := h.text(h.g.trayState); s != "paused" {
		t.Errorf("paused tray state = %q", s)
	}
	if l := h.text(func() string { return h.g.tray.status.Label }); l != "Paused: scheduled syncs are off" {
		t.Errorf("paused status line = %q", l)
	}
	if l := h.text(func() string { return h.g.tray.pause.Label }); l != "Resume schedules" {
		t.Errorf("pause item says %q when paused", l)
	}
	if !h.app.Settings().SchedulesPaused {
		t.Error("schedules not paused")
	}
	h.ui(h.g.tray.onPause)
	if h.app.Settings().SchedulesPaused {
		t.Error("schedules not resumed")
	}
}

// closedTray is a tray whose D-Bus connection is gone: Fyne's systray
// panics on every call then, as it does after Fyne quits on a signal.
type closedTray struct{ calls int }

func (c *closedTray) SetSystemTrayMenu(*fyne.Menu) {
	c.calls++
	panic("dbus: connection closed by user")
}
func (c *closedTray) SetSystemTrayIcon(fyne.Resource) {
	c.calls++
	panic("dbus: connection closed by user")
}
func (c *closedTray) SetSystemTrayWindow(fyne.Window) {}

func TestALostTrayDoesNotStopFirmsync(t *testing.T) {
	h := newHarness(t)
	tray := &closedTray{}
	h.ui(func() { h.g.tray.install(tray) }) // would panic the test without the guard
	if tray.calls != 1 {
		t.Fatalf("tray calls = %d, want 1 (the first failure drops the tray)", tray.calls)
	}
	// Later state changes still update the menu's status line, and leave
	// the dead tray alone.
	st := h.app.Store()
	id, err := st.StartRun(store.Run{Job: core.JobFolders, Trigger: "manual", Start: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.FinishRun(store.Run{ID: id, Job: core.JobFolders, Trigger: "manual", Start: time.Now(), End: time.Now(),
		Status: store.RunFailed, Counts: store.Counts{Failed: 1}, Error: "Box is having trouble"})
	h.ui(h.g.refreshAll)
	if s := h.text(h.g.trayState); s != "error" {
		t.Errorf("tray state = %q, want error", s)
	}
	if tray.calls != 1 {
		t.Errorf("the dead tray was called again: %d calls", tray.calls)
	}
}

func TestTrayStatusSaysTheStateInWords(t *testing.T) {
	now := time.Date(2025, 3, 4, 10, 30, 0, 0, time.Local)
	ran := now.Add(-5 * time.Minute)
	conn := func(status string) core.Status {
		var st core.Status
		for _, p := range core.Platforms() {
			st.Connections = append(st.Connections, core.ConnectionStatus{Platform: p, Connected: status != store.ConnDisconnected, Status: status})
		}
		for _, j := range core.Jobs() {
			st.Jobs = append(st.Jobs, core.JobStatus{Job: j, LastRun: &ran, LastStatus: store.RunSucceeded})
		}
		return st
	}
	with := func(st core.Status, f func(*core.Status)) core.Status { f(&st); return st }
	ok := conn(store.ConnConnected)
	reconnect := with(conn(store.ConnConnected), func(s *core.Status) { s.Connections[0].Status = store.ConnReconnectNeeded })
	failed := with(conn(store.ConnConnected), func(s *core.Status) {
		s.Jobs[2].LastStatus, s.Jobs[2].LastError = store.RunFailed, "Box is down\nmore"
	})
	waiting := with(conn(store.ConnConnected), func(s *core.Status) {
		s.Connections[3].Connected, s.Connections[3].Status = false, store.ConnDisconnected
		for i, j := range s.Jobs {
			if j.Job == core.JobFolders || j.Job == core.JobDocuments {
				s.Jobs[i].Waiting, s.Jobs[i].WaitingFor = "waiting for Box to be connected", []string{core.Box}
			}
		}
	})
	tests := []struct {
		name string
		st   core.Status
		in   trayInputs
		want trayLook
	}{
		{"all well", ok, trayInputs{}, trayLook{"ok", "Up to date · last sync 10:25", "Overview"}},
		{"problems", ok, trayInputs{open: 2}, trayLook{"error", "2 items need attention", "activity"}},
		{"errors outrank paused", ok, trayInputs{open: 1, paused: true}, trayLook{"error", "1 item needs attention · schedules paused", "activity"}},
		{"errors outrank syncing", failed, trayInputs{syncing: true}, trayLook{"error", "Box folders failed: Box is down · syncing now", "Overview"}},
		{"reconnect first", reconnect, trayInputs{open: 3, paused: true}, trayLook{"reconnect", "Clio needs reconnecting · 3 items need attention · schedules paused", "Connections"}},
		{"nothing connected", conn(store.ConnDisconnected), trayInputs{}, trayLook{"connect", "Nothing connected yet: open Firmsync to connect", "Connections"}},
		{"sandbox connects itself", conn(store.ConnDisconnected), trayInputs{sandbox: true}, trayLook{"ok", "Up to date · last sync 10:25", "Overview"}},
		{"syncing", ok, trayInputs{syncing: true}, trayLook{"syncing", "Syncing now…", "Overview"}},
		{"syncing while paused", ok, trayInputs{syncing: true, paused: true}, trayLook{"syncing", "Syncing now… · schedules paused", "Overview"}},
		{"paused", ok, trayInputs{paused: true}, trayLook{"paused", "Paused: scheduled syncs are off", "Overview"}},
		{"waiting", waiting, trayInputs{}, trayLook{"connect", "2 jobs waiting for Box", "Connections"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.now = now
			if got := trayStatus(tc.st, tc.in); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// recordingTray is a working tray that keeps what it was told.
type recordingTray struct {
	icon    fyne.Resource
	tooltip string
	menu    *fyne.Menu
}

func (r *recordingTray) SetSystemTrayMenu(m *fyne.Menu)    { r.menu = m }
func (r *recordingTray) SetSystemTrayIcon(i fyne.Resource) { r.icon = i }
func (r *recordingTray) SetSystemTrayWindow(fyne.Window)   {}
func (r *recordingTray) SetSystemTrayTooltip(text string)  { r.tooltip = text }

// Item 5: the tray says why it is red (icon, tooltip, first line), and the
// first line opens the item a notification was about.
func TestTrayFirstLineOpensTheNotifiedProblem(t *testing.T) {
	h := newHarness(t)
	tray := &recordingTray{}
	h.ui(func() { h.g.tray.install(tray) })
	if tray.tooltip != "Firmsync: Up to date · not synced yet" || tray.icon.Name() != "tray-ok.png" {
		t.Fatalf("fresh tray: tooltip %q icon %s", tray.tooltip, tray.icon.Name())
	}
	st := h.app.Store()
	for _, key := range []string{"matter:11", "matter:12"} {
		if _, err := st.AppendLog(store.LogRecord{Job: core.JobFolders, Platform: core.Box, Status: store.LogNeedsAttention,
			Object: "Matter " + key, ItemKey: key, Message: "Box said 403", Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	// The notification was about the older of the two.
	h.app.Bus().Publish(events.NeedsAttention, events.AttentionData{Job: core.JobFolders, Platform: core.Box, Item: "Matter matter:11", Message: "Box said 403", Incident: core.JobFolders + "/matter:11"})
	h.waitFor("the notification", func() bool { return len(h.notes) == 1 })
	h.ui(func() {
		if tray.icon.Name() != "tray-error.png" || tray.tooltip != "Firmsync: 2 items need attention" {
			t.Errorf("tray icon %s tooltip %q", tray.icon.Name(), tray.tooltip)
		}
		if first := tray.menu.Items[0]; first.Label != "2 items need attention" || first.Disabled || first.Action == nil {
			t.Errorf("first menu line %+v: want the count, clickable", first)
		}
	})
	h.ui(func() { tray.menu.Items[0].Action() })
	h.waitFor("Activity on the notified item", func() bool {
		if h.g.tabs.Selected().Text != "Activity" || h.g.activity.selected == 0 {
			return false
		}
		rec, ok := h.g.activity.selectedRecord()
		return ok && rec.ItemKey == "matter:11"
	})
	if s := h.text(func() string { return h.g.activity.status.Selected }); s != openProblemsStatus {
		t.Errorf("Activity filter %q, want the open problems", s)
	}
}
