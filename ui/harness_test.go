package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/autostart"
	"github.com/firmsync/firmsync/core/secrets"
)

// harness is a GUI over a real sandbox-wired core. Fyne's test driver runs
// fyne.Do inline on the calling goroutine, so the harness stands in for
// Fyne's main goroutine: every UI update (from events or finished
// background work) and every test read or tap holds mu, and each update
// signals changed so waits need no sleeps.
type harness struct {
	t       *testing.T
	app     *core.App
	g       *gui
	cancel  context.CancelFunc
	mu      sync.Mutex    // the "UI goroutine"
	changed chan struct{} // a UI update happened
	notes   []*fyne.Notification
	closed  bool // the test ended: late updates are dropped
	start   *autostart.Entry
	// beforeGUI prepares the opened App before the GUI is built on it
	// (options that need an App, such as onPractice).
	beforeGUI []func(*core.App) error
}

type harnessOption func(*harness, *core.Options)

func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	fa := test.NewTempApp(t)
	h := &harness{t: t, changed: make(chan struct{}, 1), start: &autostart.Entry{Dir: t.TempDir()}}
	co := core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory()}
	for _, o := range opts {
		o(h, &co)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	app, err := core.Open(ctx, co)
	if err != nil {
		t.Fatal(err)
	}
	h.app = app
	for _, f := range h.beforeGUI {
		if err := f(app); err != nil {
			cancel()
			_ = app.Close()
			t.Fatal(err)
		}
	}
	h.ui(func() {
		h.g = newGUI(ctx, fa, app, Options{}, deps{
			do: h.do, doWait: h.do,
			notify:    func(n *fyne.Notification) { h.notes = append(h.notes, n) },
			autostart: h.start, exe: "/usr/local/bin/firmsync",
		})
	})
	t.Cleanup(func() {
		// Fyne's caches are global: no update of this GUI may run once
		// the next test starts.
		h.ui(func() { h.closed = true })
		cancel()
		h.g.close()
		app.Engine().Wait()
		if err := app.Close(); err != nil {
			t.Errorf("closing the app: %v", err)
		}
	})
	return h
}

// do runs a UI update as Fyne's main goroutine would: one at a time.
func (h *harness) do(f func()) {
	h.mu.Lock()
	if !h.closed {
		f()
	}
	h.mu.Unlock()
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

// ui runs f on the "UI goroutine" (taps, reads).
func (h *harness) ui(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f()
}

// waitFor waits until cond holds on the UI goroutine, re-checking after
// every UI update.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		ok := false
		h.ui(func() { ok = cond() })
		if ok {
			return
		}
		select {
		case <-h.changed:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// tap taps a button on the UI goroutine.
func (h *harness) tap(b fyne.Tappable) { h.ui(func() { test.Tap(b) }) }

// text reads a widget's text on the UI goroutine.
func (h *harness) text(f func() string) string {
	var s string
	h.ui(func() { s = f() })
	return s
}

// smallFirm seeds a tiny demo firm so a full sync takes seconds.
func smallFirm() harnessOption {
	return func(_ *harness, o *core.Options) {
		o.SandboxOptions.Size = sandbox.Size{Contacts: 4, Matters: 2, Documents: 2, Recordings: 1, Prospects: 2}
	}
}

func tableCell(row int) widget.TableCellID { return widget.TableCellID{Row: row, Col: 0} }
