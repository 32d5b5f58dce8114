package ui

import (
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
)

func TestSettingsRejectABadCronNamingTheField(t *testing.T) {
	h := newHarness(t)
	s := h.g.settings
	h.ui(func() { s.schedules[core.JobDocuments].SetText("0 25 * * *") })
	if got := h.text(func() string { return s.scheduleErrs[core.JobDocuments].Text }); !strings.Contains(got, "hour") {
		t.Errorf("the field's own message = %q, want it to name the hour field", got)
	}
	h.tap(s.save)
	msg := h.text(func() string { return s.message.Text })
	if !strings.HasPrefix(msg, "Not saved.") || !strings.Contains(msg, jobLabel(core.JobDocuments)) || !strings.Contains(msg, "hour") {
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
	h := newHarness(t)
	s := h.g.settings
	h.ui(func() {
		s.schedules[core.JobFolders].SetText("every 30m")
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
	if msg := h.text(func() string { return s.message.Text }); !strings.Contains(msg, jobLabel(core.JobIntake)) || !strings.Contains(msg, "minutes") {
		t.Errorf("save message = %q", msg)
	}
}
