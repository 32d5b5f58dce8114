// Package trayhost finds out whether the desktop shows tray icons. On
// Linux a tray icon is a StatusNotifierItem, shown only when a panel runs
// the org.kde.StatusNotifierWatcher service on the session bus (KDE, XFCE,
// most panels; GNOME only with an extension). Without one, hiding the
// window to the tray would leave the user with no way back to Firmsync.
package trayhost

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// WatcherName is the bus name a tray host owns.
const WatcherName = "org.kde.StatusNotifierWatcher"

// watcherPath and watcherIface are where a tray host answers.
const (
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
)

// Present reports whether a tray host runs on the session bus, waiting up
// to wait for one to appear: at login Firmsync can start before the panel.
func Present(ctx context.Context, wait time.Duration) bool {
	conn, err := connect("")
	if err != nil {
		return false
	}
	defer conn.Close()
	deadline := time.Now().Add(wait)
	for {
		var has bool
		err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, WatcherName).Store(&has)
		if err == nil && has {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// connect opens a private connection to the bus at address ("" is the
// session bus): private, so closing it never closes a connection fyne's
// tray shares.
func connect(address string) (*dbus.Conn, error) {
	var conn *dbus.Conn
	var err error
	if address == "" {
		conn, err = dbus.SessionBusPrivate()
	} else {
		conn, err = dbus.Dial(address)
	}
	if err != nil {
		return nil, fmt.Errorf("connecting to the session bus: %w", err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("authenticating on the session bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting the session bus: %w", err)
	}
	return conn, nil
}

// Watcher is a minimal tray host: it owns the watcher name and accepts
// registrations, but draws nothing. It stands in for a desktop panel on
// headless machines (Xvfb), so tests and the benchmark can run Firmsync
// hidden in the tray as on a real desktop.
type Watcher struct {
	conn *dbus.Conn

	mu    sync.Mutex
	items []string
}

// Serve claims the watcher name on the bus at address ("" is the session
// bus of the environment).
func Serve(address string) (*Watcher, error) {
	conn, err := connect(address)
	if err != nil {
		return nil, err
	}
	w := &Watcher{conn: conn}
	if err := conn.ExportMethodTable(map[string]any{
		"RegisterStatusNotifierItem": w.register,
		"RegisterStatusNotifierHost": func(string) *dbus.Error { return nil },
	}, watcherPath, watcherIface); err != nil {
		conn.Close()
		return nil, fmt.Errorf("exporting the tray watcher: %w", err)
	}
	reply, err := conn.RequestName(WatcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("claiming %s: reply %v: %v", WatcherName, reply, err)
	}
	return w, nil
}

// register records a tray icon, named by its sender and object path.
func (w *Watcher) register(sender dbus.Sender, service string) *dbus.Error {
	w.mu.Lock()
	w.items = append(w.items, string(sender)+service)
	w.mu.Unlock()
	return nil
}

// Items are the tray icons registered so far.
func (w *Watcher) Items() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.items...)
}

// Close gives the name up.
func (w *Watcher) Close() error { return w.conn.Close() }

// StartBus starts a private D-Bus session daemon (for a headless machine,
// or a test that must not touch the user's session) and returns its
// address and a function that stops it.
func StartBus(ctx context.Context) (string, func(), error) {
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return "", nil, errors.New("no dbus-daemon (apt-get install dbus)")
	}
	cmd := exec.CommandContext(ctx, bin, "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting dbus-daemon: %w", err)
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case addr := <-got:
		if addr == "" {
			stop()
			return "", nil, errors.New("dbus-daemon gave no address")
		}
		return addr, stop, nil
	case <-time.After(15 * time.Second):
		stop()
		return "", nil, errors.New("dbus-daemon gave no address within 15 s")
	}
}
