//go:build linux || freebsd || openbsd || netbsd || dragonfly

package secrets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ErrNoSession means no D-Bus session bus can be reached, so the Secret
// Service cannot be asked. It is always wrapped together with
// ErrUnavailable.
var ErrNoSession = errors.New("no desktop session is reachable")

// NoSessionHint says how to give Firmsync a keychain without a desktop
// session. It is shown with ErrNoSession.
const NoSessionHint = "run Firmsync inside your desktop session, or start a session bus with an unlocked keyring for it, " +
	"e.g. `dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; firmsync serve'` " +
	"(type the keyring password, then press Ctrl-D)"

// checkSession fails, wrapping ErrUnavailable and ErrNoSession, when no
// session bus is reachable. Without this check the D-Bus library starts
// one itself through dbus-launch: every CLI run on a server then leaves a
// dbus-daemon (and the gnome-keyring-daemon it activates) behind, and still
// fails, because that fresh keyring is locked and nobody can unlock it.
func checkSession() error {
	return sessionBus(os.Getenv, fileExists, os.Getuid())
}

// sessionBus mirrors how the D-Bus library finds an existing session bus
// (the environment, then the per-user runtime directory), minus its last
// resort of launching one.
func sessionBus(getenv func(string) string, exists func(string) bool, uid int) error {
	if addr := getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	run := filepath.Join("/run/user", strconv.Itoa(uid))
	for _, f := range []string{"bus", "dbus-session"} {
		if exists(filepath.Join(run, f)) {
			return nil
		}
	}
	return fmt.Errorf("%w: %w (DBUS_SESSION_BUS_ADDRESS is not set); %s", ErrUnavailable, ErrNoSession, NoSessionHint)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
