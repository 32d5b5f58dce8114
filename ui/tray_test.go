package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/firmsync/firmsync/core"
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
	if !strings.HasPrefix(line, "Last sync ") || !strings.Contains(line, "12 created · 1 failed") {
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
