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
	loop := newFakeLoop(t)
	stop := make(chan struct{})
	i := newIdler(loop.post, time.Hour, stop) // a wait only ends early
	waits := make(chan struct{}, 100)
	i.waiting = func() { waits <- struct{}{} }
	ran := func(f func()) chan struct{} {
		done := make(chan struct{})
		loop.post(func() { f(); close(done) })
		return done
	}
	within := func(c chan struct{}, d time.Duration) bool {
		select {
		case <-c:
			return true
		case <-time.After(d):
			return false
		}
	}

	// Visible: nothing holds the loop.
	if !within(ran(func() {}), 5*time.Second) {
		t.Fatal("visible: a task did not run")
	}

	// Hidden: the loop is held; showing releases it at once.
	i.hide()
	i.hide() // a second hide must not start a second chain
	<-waits
	task := ran(func() {})
	if within(task, 100*time.Millisecond) {
		t.Fatal("hidden: a queued task ran while the loop should be held")
	}
	i.show()
	if !within(task, 5*time.Second) {
		t.Fatal("after show: the held task did not run")
	}
	if !within(ran(func() {}), 5*time.Second) || len(waits) != 0 {
		t.Fatalf("shown: %d more waits", len(waits))
	}

	// Quitting ends a wait and the chain.
	i.hide()
	<-waits
	close(stop)
	if !within(ran(func() {}), 5*time.Second) {
		t.Fatal("after stop: a task did not run")
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(waits); n != 0 {
		t.Errorf("after stop: %d more waits", n)
	}
}

func TestIdlerTurnsTheLoopEveryPeriod(t *testing.T) {
	loop := newFakeLoop(t)
	stop := make(chan struct{})
	defer close(stop)
	i := newIdler(loop.post, 20*time.Millisecond, stop)
	var waits atomic.Int64
	i.waiting = func() { waits.Add(1) }
	i.hide()
	time.Sleep(300 * time.Millisecond)
	if n := waits.Load(); n < 3 {
		t.Errorf("hidden for 15 periods: %d turns, want several", n)
	}
	done := make(chan struct{})
	loop.post(func() { close(done) })
	select {
	case <-done: // queued work runs between waits
	case <-time.After(5 * time.Second):
		t.Fatal("hidden: a queued task never ran")
	}
	i.show()
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
