package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

func TestSyncNowRunsTheJobAndTheRowShowsTheResult(t *testing.T) {
	h := newHarness(t, smallFirm())
	row := h.g.overview.rows[core.JobFolders]
	if got := h.text(func() string { return row.last.Text }); got != "Never run yet" {
		t.Fatalf("before any run the last-run cell says %q", got)
	}
	h.tap(row.button)
	h.waitFor("the folders run to finish and the row to show it", func() bool {
		return row.button.Disabled() == false && row.last.Text != "Never run yet"
	})
	r, ok, err := h.app.Store().LastRun(core.JobFolders)
	if err != nil || !ok {
		t.Fatalf("no folders run recorded: %v", err)
	}
	state := h.text(func() string { return row.state.Text })
	if r.Status == store.RunSucceeded && state != "Up to date" && !strings.Contains(state, "need") {
		t.Errorf("run %s but the row says %q", r.Status, state)
	}
	want := "(Sync Now) · " + didText(core.JobFolders, wordsFor(core.Clio), r.Counts.Created, r.Counts.Updated, r.Counts.Deleted, r.Counts.Failed)
	if got := h.text(func() string { return row.last.Text }); !strings.Contains(got, want) {
		t.Errorf("last activity cell %q lacks %q (run %+v)", got, want, r.Counts)
	}
	// Other jobs did not run.
	if _, ok, _ := h.app.Store().LastRun(core.JobDocuments); ok {
		t.Error("Sync Now on folders also ran documents")
	}
}

func TestSyncAllNowRunsEveryJob(t *testing.T) {
	h := newHarness(t, smallFirm())
	h.tap(h.g.overview.syncAll)
	h.waitFor("every job to have run", func() bool {
		if h.g.overview.syncAll.Disabled() {
			return false
		}
		for _, j := range core.Jobs() {
			if h.g.overview.rows[j].last.Text == "Never run yet" {
				return false
			}
		}
		return true
	})
	h.waitFor("the tray status line to show the sync", func() bool {
		return strings.HasPrefix(h.g.tray.line, "Up to date · last sync ") || strings.Contains(h.g.tray.line, "attention")
	})
}

func TestProgressEventsFromTheBusUpdateTheRow(t *testing.T) {
	h := newHarness(t)
	row := h.g.overview.rows[core.JobContacts]
	bus := h.app.Bus()
	bus.Publish(events.RunStarted, events.RunData{Job: core.JobContacts, RunID: 7, Total: -1})
	h.waitFor("the row to show a run starting", func() bool {
		return strings.HasPrefix(row.state.Text, "Running") && row.spinner.Visible()
	})
	if s := h.text(func() string { return h.g.trayState() }); s != "syncing" {
		t.Errorf("tray state while running = %q, want syncing", s)
	}
	bus.Publish(events.RunProgress, events.RunData{Job: core.JobContacts, RunID: 7, Done: 3, Total: 10})
	h.waitFor("the progress bar at 3 of 10", func() bool {
		return row.state.Text == "Running — 3 of 10 items" && row.progress.Visible() && row.progress.Value == 3 && row.progress.Max == 10
	})
	bus.Publish(events.RunFinished, events.RunData{Job: core.JobContacts, RunID: 7, Status: store.RunSucceeded, Done: 10, Total: 10})
	h.waitFor("the row to leave the running state", func() bool {
		return !strings.HasPrefix(row.state.Text, "Running") && !row.progress.Visible()
	})
	if s := h.text(func() string { return h.g.trayState() }); s == "syncing" {
		t.Error("tray still syncing after the run finished")
	}
}

func TestBannerSaysWhatToDo(t *testing.T) {
	h := newHarness(t)
	if h.text(func() string {
		if h.g.overview.bannerBox.Visible() {
			return "shown"
		}
		return ""
	}) != "" {
		t.Fatal("banner shown on a fresh sandbox")
	}
	if _, err := h.app.Store().AppendLog(store.LogRecord{Job: core.JobFolders, Platform: core.Box, Status: store.LogNeedsAttention, Object: "Matter 00012", ItemKey: "matter:12", Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	h.ui(h.g.overview.refresh)
	got := h.text(func() string { return h.g.overview.banner.Text })
	if !strings.Contains(got, "1 item needs attention") || !strings.Contains(got, "Retry") {
		t.Errorf("banner = %q", got)
	}
	err := h.app.Store().UpdateConnection(core.Clio, func(c *store.Connection) error { c.Status = store.ConnReconnectNeeded; return nil })
	if err != nil {
		t.Fatal(err)
	}
	h.app.Bus().Publish(events.ConnectionChanged, events.ConnectionData{Platform: core.Clio, Status: store.ConnReconnectNeeded})
	h.waitFor("the reconnect banner", func() bool {
		return strings.Contains(h.g.overview.banner.Text, "Clio needs reconnecting") && h.g.overview.bannerAction.Text == "Go to Connections"
	})
	h.tap(h.g.overview.bannerAction)
	if sel := h.text(func() string { return h.g.tabs.Selected().Text }); sel != "Connections" {
		t.Errorf("banner button opened %q", sel)
	}
}

func TestNeedsAttentionNotifiesOncePerIncident(t *testing.T) {
	h := newHarness(t)
	bus := h.app.Bus()
	for i := 0; i < 3; i++ { // the same incident, retried
		bus.Publish(events.NeedsAttention, events.AttentionData{Job: core.JobFolders, Platform: core.Box, Item: "Matter 00012", Message: "Box said 403", Incident: "folders/matter:12"})
	}
	bus.Publish(events.NeedsAttention, events.AttentionData{Platform: core.Zoom, Message: "Reconnect zoom", Incident: "reconnect/zoom"})
	h.waitFor("two notifications", func() bool { return len(h.notes) >= 2 })
	// Events arrive in order: once the reconnect one is handled, the
	// repeats before it were too.
	var n int
	h.ui(func() { n = len(h.notes) })
	if n != 2 {
		t.Fatalf("sent %d notifications, want 2 (one per incident)", n)
	}
	h.ui(func() {
		if !strings.Contains(h.notes[0].Content, "Matter 00012") || !strings.Contains(h.notes[0].Content, "Retry") {
			t.Errorf("item notification = %+v", h.notes[0])
		}
		if h.notes[1].Title != "Zoom needs reconnecting" {
			t.Errorf("reconnect notification = %+v", h.notes[1])
		}
	})
}
