//go:build linux || freebsd || openbsd || netbsd || dragonfly

package secrets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// init gives the package's tests that mock the keyring backend
// (keyring.MockInit) a session bus address: the Keychain now refuses to
// reach its backend without one, and a mocked backend stands for a desktop
// session. The address leads nowhere, so nothing real is ever dialled, and
// an unset address never reaches the D-Bus library's dbus-launch.
// Tests of the no-session case clear it with t.Setenv.
func init() {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/firmsync-test-no-bus")
	}
}

func TestSessionBusIsFoundWithoutLaunchingOne(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		files []string
		ok    bool
	}{
		{"address set", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}, nil, true},
		{"nothing", nil, nil, false},
		{"autolaunch only", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:"}, nil, false},
		{"systemd user bus", nil, []string{"/run/user/1000/bus"}, true},
		{"dbus-session file", nil, []string{"/run/user/1000/dbus-session"}, true},
		{"another user's bus", nil, []string{"/run/user/1001/bus"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exists := func(p string) bool {
				for _, f := range c.files {
					if f == p {
						return true
					}
				}
				return false
			}
			err := sessionBus(func(k string) string { return c.env[k] }, exists, 1000)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrNoSession) {
				t.Errorf("%v wraps neither ErrUnavailable nor ErrNoSession", err)
			}
			for _, w := range []string{"DBUS_SESSION_BUS_ADDRESS", "desktop session", "dbus-run-session", "gnome-keyring-daemon --unlock"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

// TestKeychainWithoutSessionStartsNoBus puts a dbus-launch on PATH that
// records being run: without a session bus the keyring library used to run
// it, which on a server left a dbus-daemon and a gnome-keyring-daemon
// behind after every command.
func TestKeychainWithoutSessionStartsNoBus(t *testing.T) {
	if sessionBus(func(string) string { return "" }, fileExists, os.Getuid()) == nil {
		t.Skip("this machine has a per-user session bus under /run/user")
	}
	bin := t.TempDir()
	called := filepath.Join(bin, "called")
	stub := "#!/bin/sh\necho \"$@\" >> '" + called + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")

	ctx := context.Background()
	k := NewKeychain("firmsync-test-nosession")
	ops := map[string]func() error{
		"get":    func() error { _, err := k.Get(ctx, "clio/token"); return err },
		"set":    func() error { return k.Set(ctx, "clio/token", "x") },
		"delete": func() error { return k.Delete(ctx, "clio/token") },
		"check":  func() error { return k.Check(ctx) },
	}
	for name, op := range ops {
		err := op()
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrNoSession) {
			t.Errorf("%s: %v, want ErrUnavailable and ErrNoSession", name, err)
			continue
		}
		if strings.Contains(err.Error(), "apt-get install") {
			t.Errorf("%s: %q tells the user to install a keyring; the session is what is missing", name, err)
		}
	}
	if b, err := os.ReadFile(called); err == nil {
		t.Fatalf("dbus-launch was run: %q", b)
	}
}
