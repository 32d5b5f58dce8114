// Package traytest gives tests a D-Bus session bus of their own, so tray
// behaviour can be tested without touching the user's desktop session.
package traytest

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
)

// PrivateBus starts a dbus-daemon for the test and points
// DBUS_SESSION_BUS_ADDRESS at it; the daemon stops when the test ends.
// The test is skipped where dbus-daemon is not installed.
func PrivateBus(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed (make test-deps installs it)")
	}
	cmd := exec.Command(bin, "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the bus address: %v", err)
	}
	addr = strings.TrimSpace(addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}
