package ui

import (
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

func TestConnectTestAndDisconnectFromTheCard(t *testing.T) {
	h := newHarness(t, smallFirm())
	c := h.g.connections.cards[core.Zoom]
	if got := h.text(func() string { return c.status.Text }); !strings.Contains(got, "Not connected") {
		t.Fatalf("fresh card status = %q", got)
	}
	if h.text(func() string { return boolText(c.disconnect.Disabled()) }) != "true" {
		t.Error("Disconnect enabled on a card that is not connected")
	}

	h.tap(c.connect)
	h.waitFor("the card to show the connection", func() bool {
		return !c.busy && strings.Contains(c.status.Text, "Connected") && strings.HasPrefix(c.message.Text, "Connected as")
	})
	if got := h.text(func() string { return c.account.Text }); got == "Account: none yet" {
		t.Errorf("account not shown after connect: %q", got)
	}
	conn, _ := h.app.Store().Connection(core.Zoom)
	if conn.Status != store.ConnConnected {
		t.Fatalf("store says %q after Connect", conn.Status)
	}
	// The first successful connect turns on start at login.
	h.waitFor("start at login to be ticked", func() bool { return h.g.settings.startAtLogin.Checked })
	if on, err := h.start.Enabled(); err != nil || !on {
		t.Errorf("start-at-login entry not registered after the first connect: %v %v", on, err)
	}
	if s := h.app.Settings(); s.StartAtLogin == nil || !*s.StartAtLogin {
		t.Error("StartAtLogin not saved as true")
	}

	h.tap(c.test)
	h.waitFor("the test result", func() bool { return !c.busy && strings.HasPrefix(c.message.Text, "Works: Zoom answered as") })

	h.tap(c.disconnect)
	h.waitFor("the card to show the disconnection", func() bool {
		return !c.busy && strings.Contains(c.status.Text, "Not connected") && strings.HasPrefix(c.message.Text, "Disconnected")
	})
	if conn, _ := h.app.Store().Connection(core.Zoom); conn.Status != store.ConnDisconnected {
		t.Errorf("store says %q after Disconnect", conn.Status)
	}
}

func TestReconnectNeededShowsOnTheCardAndTray(t *testing.T) {
	h := newHarness(t)
	err := h.app.Store().UpdateConnection(core.Box, func(c *store.Connection) error {
		c.Status = store.ConnReconnectNeeded
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.ui(h.g.refreshAll)
	c := h.g.connections.cards[core.Box]
	if got := h.text(func() string { return c.status.Text }); !strings.Contains(got, "Click Connect and sign in again") {
		t.Errorf("card status = %q", got)
	}
	if s := h.text(h.g.trayState); s != "reconnect" {
		t.Errorf("tray state = %q, want reconnect", s)
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
