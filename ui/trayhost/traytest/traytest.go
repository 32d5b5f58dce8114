// Package traytest gives tests a D-Bus session bus of their own, so tray
// behaviour can be tested without touching the user's desktop session.
package traytest

import (
	"context"
	"os/exec"
	"testing"

	"github.com/firmsync/firmsync/ui/trayhost"
)

// PrivateBus starts a dbus-daemon for the test and points
// DBUS_SESSION_BUS_ADDRESS at it; the daemon stops when the test ends.
// The test is skipped where dbus-daemon is not installed.
func PrivateBus(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon not installed (make test-deps installs it)")
	}
	addr, stop, err := trayhost.StartBus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}
