package ui

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// fakeLoop stands in for Fyne's main loop: one goroutine running queued
// tasks in order, counting the turns it takes.
type fakeLoop struct {
	tasks chan func()
	turns atomic.Int64
}

func newFakeLoop(t *testing.T) *fakeLoop {
	l := &fakeLoop{tasks: make(chan func(), 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range l.tasks {
			l.turns.Add(1)
			f()
		}
	}()
	t.Cleanup(func() { close(l.tasks); <-done })
	return l
}

func (l *fakeLoop) post(f func()) { l.tasks <- f }

// runSoon queues f and waits until the loop has run it.
func (l *fakeLoop) runSoon(t *testing.T, f func()) time.Duration {
	t.Helper()
	ran := make(chan struct{})
	start := time.Now()
	l.post(func() { f(); close(ran) })
	select {
	case <-ran:
		return time.Since(start)
	case <-time.After(5 * time.Second):
		t.Fatal("the loop never ran the task")
		return 0
	}
}

func TestIdlerHoldsTheLoopOnlyWhileHidden(t *testing.T) {
	const period = 40 * time.Millisecond
	loop := newFakeLoop(t)
	stop := make(chan struct{})
	i := newIdler(loop.post, period, stop)
	waits := make(chan struct{}, 100)
	i.waiting = func() { waits <- struct{}{} }

	// Visible: tasks run at once and nothing waits.
	if d := loop.runSoon(t, func() {}); d > period/2 {
		t.Errorf("visible: a task waited %v", d)
	}

	// Hidden: the loop turns about once a period, and queued work still
	// runs within one period.
	i.hide()
	i.hide() // a second hide must not start a second chain
	<-waits
	time.Sleep(5 * period)
	if n := len(waits); n < 2 || n > 7 {
		t.Errorf("hidden for 5 periods: %d waits, want about 5 (one chain)", n)
	}
	if d := loop.runSoon(t, func() {}); d > 3*period {
		t.Errorf("hidden: a queued task waited %v, want under %v", d, 3*period)
	}

	// Showing cuts the wait short and stops the chain.
	i.show()
	if d := loop.runSoon(t, func() {}); d > period/2 {
		t.Errorf("after show: a task waited %v", d)
	}
	for len(waits) > 0 {
		<-waits
	}
	time.Sleep(3 * period)
	if n := len(waits); n != 0 {
		t.Errorf("shown: %d more waits", n)
	}

	// Hidden again, then quitting: the chain ends and never waits again.
	i.hide()
	<-waits
	close(stop)
	if d := loop.runSoon(t, func() {}); d > period/2 {
		t.Errorf("after stop: a task waited %v", d)
	}
	time.Sleep(2 * period)
	if n := len(waits); n != 0 {
		t.Errorf("after stop: %d more waits", n)
	}
}

func TestHideAndShowDriveTheIdler(t *testing.T) {
	h := newHarness(t)
	loop := newFakeLoop(t)
	stop := make(chan struct{})
	defer close(stop)
	idle := newIdler(loop.post, time.Hour, stop)
	h.ui(func() { h.g.idle = idle })

	h.ui(h.g.hide)
	if !isHidden(idle) {
		t.Fatal("closing the window to the tray did not slow the loop")
	}
	h.ui(h.g.show)
	if d := loop.runSoon(t, func() {}); d > time.Second {
		t.Errorf("showing the window left the loop waiting %v", d)
	}
	if isHidden(idle) {
		t.Error("showing the window did not end the slow loop")
	}
}

func isHidden(i *idler) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.hidden
}

func TestTrayAvailable(t *testing.T) {
	noBus := func(string) string { return "" }
	for _, tc := range []struct {
		goos   string
		getenv func(string) string
		want   bool
	}{
		{"darwin", noBus, true},
		{"windows", noBus, true},
		{"linux", noBus, false},   // no session bus: Fyne's tray would panic on quit
		{"freebsd", noBus, false}, // the same
	} {
		if got := TrayAvailable(context.Background(), tc.goos, tc.getenv, 0); got != tc.want {
			t.Errorf("%s: TrayAvailable = %v, want %v", tc.goos, got, tc.want)
		}
	}
}
