package ui

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/auth"
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
	// Trying the sandbox registers nothing outside its data directory:
	// the first connect there does not turn on start at login.
	if on, err := h.start.Enabled(); err != nil || on {
		t.Errorf("connecting in the sandbox registered start at login: %v %v", on, err)
	}
	if s := h.app.Settings(); s.StartAtLogin != nil && *s.StartAtLogin {
		t.Error("the sandbox saved StartAtLogin as true")
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

// freePort finds a loopback port nothing listens on, for the sign-in port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// setSignInPort saves the sign-in port through the Settings tab.
func setSignInPort(h *harness, port int) {
	h.t.Helper()
	s := h.g.settings
	h.ui(func() { s.signInPort.SetText(strconv.Itoa(port)) })
	h.tap(s.save)
	if msg := h.text(func() string { return s.message.Text }); !strings.HasPrefix(msg, "Saved.") {
		h.t.Fatalf("saving sign-in port %d: %q", port, msg)
	}
}

// On an empty data directory Connect once said only "no client id",
// pointing at a Settings card that has gone; the redirect URI to
// register was never shown, and a sign-in with no browser left the card
// disabled for 5 minutes with no way out and no address to copy.
func TestFirstConnectIsGuidedAndCanBeCancelled(t *testing.T) {
	h := newHarness(t, noSandbox())
	port := freePort(t)
	setSignInPort(h, port)
	c := h.g.connections.cards[core.Zoom]
	want := auth.RedirectURI(port, core.Zoom)
	if got := h.text(func() string { return c.appState.Text }); !strings.HasPrefix(got, "Developer app: none yet") {
		t.Errorf("guide says %q", got)
	}
	if got := h.text(func() string { return c.redirect.Text }); got != want {
		t.Errorf("redirect URI shown = %q, want %q", got, want)
	}
	h.tap(c.copyRedirect)
	if got := h.text(func() string { return h.g.fyne.Clipboard().Content() }); got != want {
		t.Errorf("clipboard after Copy = %q", got)
	}

	// Connect with nothing entered says where to enter it; nothing starts.
	h.tap(c.connect)
	if got := h.text(func() string { return c.message.Text }); !strings.Contains(got, "client id and secret") || !strings.Contains(got, "Developer app") {
		t.Errorf("Connect with no app says %q", got)
	}
	if h.text(func() string { return boolText(c.busy) }) == "true" {
		t.Fatal("Connect started with no developer app")
	}

	h.ui(func() {
		c.clientID.SetText("zoom-client-1234")
		c.secret.SetText("zoom-secret-abcdefghijkl")
	})
	h.tap(c.connect)
	h.waitFor("the sign-in address", func() bool { return c.waiting.Visible() && c.authURL.Text != "" })
	u, err := url.Parse(h.text(func() string { return c.authURL.Text }))
	if err != nil || u.Query().Get("client_id") != "zoom-client-1234" || u.Query().Get("redirect_uri") != want {
		t.Fatalf("sign-in address %v (%v)", u, err)
	}
	if h.text(func() string { return boolText(c.cancel.Disabled()) }) == "true" {
		t.Error("Cancel is disabled while waiting")
	}
	h.tap(c.copyAuth)
	if got := h.text(func() string { return h.g.fyne.Clipboard().Content() }); got != u.String() {
		t.Errorf("clipboard after Copy = %q", got)
	}
	ac, err := h.app.AppCredentials(h.g.ctx, core.Zoom)
	if err != nil || ac.Source != core.AppFromKeychain || ac.ClientID != "zoom-client-1234" || ac.SecretHint != "••••ijkl" {
		t.Errorf("developer app in the keychain = %+v, %v", ac, err)
	}

	h.tap(c.cancel)
	h.waitFor("the cancel", func() bool { return !c.busy && strings.Contains(c.message.Text, "cancelled") })
	if h.text(func() string { return boolText(c.waiting.Visible() || c.connect.Disabled()) }) == "true" {
		t.Error("after Cancel the card still waits or Connect is disabled")
	}
	if got := h.text(func() string { return c.appState.Text }); !strings.Contains(got, "zoom-client-1234") || strings.Contains(got, "abcdefghijkl") {
		t.Errorf("guide after saving says %q", got)
	}
	if on, _ := h.start.Enabled(); on {
		t.Error("a cancelled connect turned on start at login")
	}
}

// The port error pointed to a setting that did not exist.
func TestSignInPortIsASettingTheGuideFollows(t *testing.T) {
	h := newHarness(t, noSandbox())
	s := h.g.settings
	h.ui(func() { s.signInPort.SetText("80") })
	h.tap(s.save)
	if msg := h.text(func() string { return s.message.Text }); !strings.HasPrefix(msg, "Not saved.") || !strings.Contains(msg, "Sign-in port 80") {
		t.Errorf("saving port 80 says %q", msg)
	}
	port := freePort(t)
	setSignInPort(h, port)
	if got := h.text(func() string { return h.g.connections.cards[core.Box].redirect.Text }); got != auth.RedirectURI(port, core.Box) {
		t.Errorf("Box redirect URI after the port change = %q", got)
	}
	// A port in use says where to change it, and that place exists.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	setSignInPort(h, busy.Addr().(*net.TCPAddr).Port)
	c := h.g.connections.cards[core.Box]
	h.ui(func() { c.clientID.SetText("box-client"); c.secret.SetText("box-secret") })
	h.tap(c.connect)
	h.waitFor("the port error", func() bool { return !c.busy && strings.HasPrefix(c.message.Text, "Could not connect") })
	if got := h.text(func() string { return c.message.Text }); !strings.Contains(got, "Settings → Signing in") {
		t.Errorf("port error = %q", got)
	}
	if h.text(func() string { return s.signInPort.Text }) == "" {
		t.Error("Settings has no sign-in port field")
	}
}
