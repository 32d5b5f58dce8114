package trayhost_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/firmsync/firmsync/ui/trayhost"
	"github.com/firmsync/firmsync/ui/trayhost/traytest"
)

func TestPresentFollowsTheWatcher(t *testing.T) {
	traytest.PrivateBus(t)
	ctx := context.Background()
	if trayhost.Present(ctx, 0) {
		t.Fatal("a tray host is reported on a bus without one")
	}

	// A panel that starts a moment after Firmsync is waited for.
	started := make(chan *trayhost.Watcher, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		w, err := trayhost.Serve("")
		if err != nil {
			t.Error(err)
		}
		started <- w
	}()
	if !trayhost.Present(ctx, 5*time.Second) {
		t.Fatal("the tray host that appeared was not seen")
	}
	w := <-started
	defer w.Close()

	// A tray icon registers as fyne's systray does.
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatal(err)
	}
	call := conn.Object(trayhost.WatcherName, "/StatusNotifierWatcher").Call(trayhost.WatcherName+".RegisterStatusNotifierItem", 0, "/StatusNotifierItem")
	if call.Err != nil {
		t.Fatalf("registering a tray icon: %v", call.Err)
	}
	if items := w.Items(); len(items) != 1 || !strings.HasSuffix(items[0], "/StatusNotifierItem") {
		t.Errorf("registered items = %q", items)
	}

	// A second host cannot take the name.
	if w2, err := trayhost.Serve(""); err == nil {
		w2.Close()
		t.Error("a second watcher claimed the name")
	}
	w.Close()
	deadline := time.Now().Add(5 * time.Second)
	for trayhost.Present(ctx, 0) {
		if time.Now().After(deadline) {
			t.Fatal("a tray host is still reported after it quit")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
