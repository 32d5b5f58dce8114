package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/datadir"
)

func TestSettingsRejectABadCronNamingTheField(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	h.ui(func() { s.schedules[core.JobDocuments].raw.SetText("0 25 * * *") })
	if got := h.text(func() string { return s.schedules[core.JobDocuments].echo.Text }); !strings.Contains(got, "hour") {
		t.Errorf("the field's own message = %q, want it to name the hour field", got)
	}
	h.tap(s.save)
	msg := h.text(func() string { return s.message.Text })
	if !strings.HasPrefix(msg, "Not saved.") || !strings.Contains(msg, wordsFor(core.Clio).jobLabel(core.JobDocuments)) || !strings.Contains(msg, "hour") {
		t.Errorf("save message = %q", msg)
	}
	if got := h.app.Settings().Schedules[core.JobDocuments]; got == "0 25 * * *" {
		t.Error("the bad schedule was saved")
	}
}

func TestSettingsRejectABadTunnelURL(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	h.ui(func() { s.tunnel.SetText("http://firm.example.com") })
	h.tap(s.save)
	if msg := h.text(func() string { return s.message.Text }); !strings.Contains(msg, "https://") {
		t.Errorf("save message = %q, want it to ask for https://", msg)
	}
	if h.app.Settings().TunnelURL != "" {
		t.Error("the bad tunnel URL was saved")
	}
}

func TestSettingsSaveAppliesValidChanges(t *testing.T) {
	h := newHarness(t, noSandbox())
	s := h.g.settings
	h.ui(func() {
		s.schedules[core.JobFolders].raw.SetText("every 30m")
		s.tunnel.SetText("https://firm.example.com/")
		s.mapping.add("adoption", "Family Law")
		s.attempts[core.JobContacts].SetText("4")
		s.delays[core.JobContacts].SetText("30s, 2m")
		s.startAtLogin.SetChecked(true)
	})
	h.tap(s.save)
	if msg := h.text(func() string { return s.message.Text }); !strings.HasPrefix(msg, "Saved.") {
		t.Fatalf("save message = %q", msg)
	}
	got := h.app.Settings()
	if got.Schedules[core.JobFolders] != "every 30m" || got.TunnelURL != "https://firm.example.com" ||
		got.Jobs.CaseTypeMapping["adoption"] != "Family Law" || got.Retry[core.JobContacts].Attempts != 4 ||
		len(got.Retry[core.JobContacts].Delays) != 2 {
		t.Errorf("saved settings = %+v", got)
	}
	if on, _ := h.start.Enabled(); !on {
		t.Error("start at login ticked and saved, but not registered")
	}
	if u := h.text(func() string { return s.hookURLs[core.Clio].Text }); u != "https://firm.example.com/webhooks/clio" {
		t.Errorf("Clio webhook URL shown = %q", u)
	}
	// Unticking removes the registration.
	h.ui(func() { s.startAtLogin.SetChecked(false) })
	h.tap(s.save)
	if on, _ := h.start.Enabled(); on {
		t.Error("start at login still registered after unticking")
	}
}

func TestSettingsNameABadRetryWait(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	h.ui(func() { s.delays[core.JobIntake].SetText("5 minutes") })
	h.tap(s.save)
	if msg := h.text(func() string { return s.message.Text }); !strings.Contains(msg, wordsFor(core.Clio).jobLabel(core.JobIntake)) || !strings.Contains(msg, "minutes") {
		t.Errorf("save message = %q", msg)
	}
}

// noSandbox makes the harness a real firm's Firmsync on an empty data
// directory with no accounts (memory keychain; nothing is contacted).
func noSandbox() harnessOption {
	return func(_ *harness, o *core.Options) { o.Sandbox = false }
}

// runBackground runs the App's background services (the webhook
// receiver) until the test ends.
func runBackground(h *harness) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = h.app.Run(ctx); close(done) }()
	h.t.Cleanup(func() { cancel(); <-done })
	select {
	case <-h.app.Ready():
	case <-time.After(30 * time.Second):
		h.t.Fatal("the background services never became ready")
	}
}

func TestSettingsStartAtLoginIsOffInTheSandbox(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	if h.text(func() string { return boolText(s.startAtLogin.Disabled()) }) != "true" {
		t.Error("start at login can be ticked in the sandbox")
	}
	h.ui(func() { s.startAtLogin.SetChecked(true) })
	h.tap(s.save)
	if on, _ := h.start.Enabled(); on {
		t.Error("saving the sandbox's settings registered start at login")
	}
}

func TestSchedulesAreChosenInWords(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	p := s.schedules[core.JobDocuments] // saved as "0 6 * * *"
	if got := h.text(func() string { return p.kind.Selected + " " + p.at.Text + " · " + p.echo.Text }); got != "Daily at 06:00 · Runs daily at 06:00." {
		t.Errorf("documents schedule shows %q", got)
	}
	h.ui(func() { p.at.SetText("18:30") })
	if got := h.text(func() string { return p.raw.Text + " · " + p.echo.Text }); got != "30 18 * * * · Runs daily at 18:30." {
		t.Errorf("after choosing 18:30: %q", got)
	}
	h.ui(func() { p.at.SetText("6pm") })
	if got := h.text(func() string { return p.echo.Text }); !strings.Contains(got, "24-hour") {
		t.Errorf("a bad time says %q", got)
	}
	h.ui(func() { p.kind.SetSelected("Every 15 minutes") })
	if got := h.text(func() string { return p.raw.Text + " · " + p.echo.Text }); got != "every 15m · Runs every 15 minutes." {
		t.Errorf("after choosing every 15 minutes: %q", got)
	}
	// A cron line typed under Advanced shows as Custom, echoed in words.
	h.ui(func() { p.raw.SetText("0 7 * * 1-5") })
	if got := h.text(func() string { return p.kind.Selected + " · " + p.echo.Text }); got != choiceCustom+" · Runs weekdays at 07:00." {
		t.Errorf("after a weekday cron line: %q", got)
	}
	// An interval not in the list is offered as itself.
	h.ui(func() { s.schedules[core.JobIntake].set("every 45m") })
	if got := h.text(func() string { return s.schedules[core.JobIntake].kind.Selected }); got != "Every 45 minutes" {
		t.Errorf("every 45m shows as %q", got)
	}
	h.tap(s.save)
	if msg := h.text(func() string { return s.message.Text }); !strings.HasPrefix(msg, "Saved.") {
		t.Fatalf("save message = %q", msg)
	}
	got := h.app.Settings().Schedules
	if got[core.JobDocuments] != "0 7 * * 1-5" || got[core.JobIntake] != "every 45m" {
		t.Errorf("saved schedules = %v", got)
	}
}

func TestSettingsScrollOverFields(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	var before, after float32
	h.ui(func() {
		h.g.Window.Resize(fyne.NewSize(800, 600))
		for _, it := range h.g.tabs.Items {
			if it.Text == "Settings" {
				h.g.tabs.Select(it)
			}
		}
		c := h.g.Window.Canvas()
		d := fyne.CurrentApp().Driver()
		for _, e := range []*widget.Entry{s.timeZone, s.tunnel, s.subfolders, s.delays[core.JobIntake], s.signInPort} {
			// Bring the field into view, then turn the wheel over it.
			s.scroll.ScrollToTop()
			s.scroll.Offset.Y = d.AbsolutePositionForObject(e).Y - d.AbsolutePositionForObject(s.scroll).Y - 100
			s.scroll.Refresh()
			pos := d.AbsolutePositionForObject(e).Add(fyne.NewPos(5, 5))
			before = s.scroll.Offset.Y
			dy := float32(-120) // down, or up when the page is scrolled already
			if before > 150 {
				dy = 120
			}
			test.Scroll(c, pos, 0, dy)
			after = s.scroll.Offset.Y
			if after == before {
				t.Errorf("the wheel over a field did not scroll the page (offset %v → %v)", before, after)
			}
		}
	})
}

func TestTunnelTestGoesThroughTheTypedURLAndClears(t *testing.T) {
	h := newHarness(t)
	runBackground(h)
	s := h.g.settings
	const madeUp = "https://made-up-firmsync-tunnel.invalid"
	h.ui(func() { s.tunnel.SetText(madeUp) })
	h.ui(func() { s.onTestTunnel() })
	h.waitFor("the tunnel test to fail", func() bool { return strings.HasPrefix(s.tunnelResult.Text, "Tunnel test failed") })
	if got := h.text(func() string { return s.tunnelResult.Text }); !strings.Contains(got, "made-up-firmsync-tunnel.invalid") {
		t.Errorf("result = %q, want it to name the address", got)
	}
	h.ui(func() { s.tunnel.SetText(madeUp + "x") })
	if got := h.text(func() string { return s.tunnelResult.Text }); got != "" {
		t.Errorf("the result stayed after the URL changed: %q", got)
	}
	// Nothing typed: the sandbox needs no tunnel, and says so.
	h.ui(func() { s.tunnel.SetText(""); s.onTestTunnel() })
	h.waitFor("the sandbox's answer", func() bool { return strings.HasPrefix(s.tunnelResult.Text, "No tunnel is needed in the sandbox") })
}

func TestBoxFolderPickerChoosesFromTheDemoFirmsFolders(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	f := s.boxRoot
	root := h.app.Settings().Jobs.BoxRootFolderID
	h.tap(f.choose)
	h.waitFor("the chosen folder's listing", func() bool { return !f.loading && f.at.Folder.ID == root })
	h.tap(f.up)
	h.waitFor("All Files", func() bool { return !f.loading && f.at.Folder.ID == "0" })
	if h.text(func() string { return boolText(f.pick.Disabled()) }) != "true" {
		t.Error("All Files can be chosen, but Box allows no webhook there")
	}
	idx := -1
	h.ui(func() {
		for i, sf := range f.at.Subfolders {
			if sf.ID == root {
				idx = i
			}
		}
	})
	if idx < 0 {
		t.Fatalf("the matters folder %s is not listed in All Files", root)
	}
	h.ui(func() { f.list.Select(idx) })
	h.waitFor("the matters folder", func() bool { return !f.loading && f.at.Folder.ID == root })
	h.tap(f.pick)
	if got := h.text(func() string { return f.id.Text + " · " + f.chosen.Text }); !strings.HasPrefix(got, root+" · All Files › ") {
		t.Errorf("after choosing: %q", got)
	}
	h.tap(s.save)
	if got := h.app.Settings().Jobs.BoxRootFolderID; got != root {
		t.Errorf("saved Box folder = %q, want %q", got, root)
	}
}

// TestStartAtLoginNamesANonDefaultDataDirectory: at login there is no
// --data flag or FIRMSYNC_DATA from a terminal, so the registration names
// the directory unless it is the default.
func TestStartAtLoginNamesANonDefaultDataDirectory(t *testing.T) {
	def, err := datadir.Resolve("", func(string) string { return "" }, os.UserConfigDir)
	if err != nil {
		t.Skip("no default data directory here:", err)
	}
	if got := autostartEntry(def).Args; len(got) != 0 {
		t.Errorf("the default directory registers %q", got)
	}
	other := filepath.Join(t.TempDir(), "firm data")
	if got := autostartEntry(other).Args; !slices.Equal(got, []string{"--data", other}) {
		t.Errorf("a firm's own directory registers %q", got)
	}
}
