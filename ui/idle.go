package ui

import (
	"sync"
	"time"
)

// hiddenTick is how often Fyne's main loop turns while the window is
// hidden in the tray. Fyne's desktop driver ticks at 60 Hz whether or not a
// window is visible, which alone costs about 1% of a core; five turns a
// second keep the tray menu, clipboard requests and queued UI updates
// answered within a fifth of a second at a twelfth of that cost.
const hiddenTick = 200 * time.Millisecond

// idler slows Fyne's main loop while no window is visible. It does so by
// queueing a task on that loop which waits hiddenTick (or until woken) and
// then queues itself again: the loop runs everything queued meanwhile and
// at most one pending frame tick between two waits. Showing the window
// wakes the wait and stops the chain.
type idler struct {
	post   func(func()) // queues a task on the main loop (fyne.Do)
	period time.Duration
	stop   <-chan struct{} // Firmsync is quitting: never wait again

	mu      sync.Mutex
	hidden  bool
	queued  bool          // a wait task is queued or running
	wake    chan struct{} // buffered 1: cuts a wait short
	waiting func()        // test hook: called when a wait begins
}

func newIdler(post func(func()), period time.Duration, stop <-chan struct{}) *idler {
	return &idler{post: post, period: period, stop: stop, wake: make(chan struct{}, 1)}
}

// hide starts slowing the loop. Any goroutine.
func (i *idler) hide() {
	i.mu.Lock()
	i.hidden = true
	select {
	case <-i.wake: // a show that found nothing waiting: not for this wait
	default:
	}
	start := !i.queued
	i.queued = true
	i.mu.Unlock()
	if start {
		i.post(i.wait)
	}
}

// show stops slowing the loop at once. Any goroutine; call it before
// queueing the task that shows the window, so that task is not delayed.
func (i *idler) show() {
	i.mu.Lock()
	i.hidden = false
	i.mu.Unlock()
	select {
	case i.wake <- struct{}{}:
	default:
	}
}

// wait runs on the main loop: it holds the loop for one period while the
// window stays hidden, then queues itself behind whatever arrived.
func (i *idler) wait() {
	i.mu.Lock()
	if !i.hidden {
		i.queued = false
		i.mu.Unlock()
		return
	}
	hook := i.waiting
	i.mu.Unlock()
	if hook != nil {
		hook()
	}
	t := time.NewTimer(i.period)
	defer t.Stop()
	select {
	case <-t.C:
	case <-i.wake:
	case <-i.stop:
		i.mu.Lock()
		i.queued = false
		i.mu.Unlock()
		return
	}
	i.mu.Lock()
	again := i.hidden
	i.queued = again
	i.mu.Unlock()
	if again {
		i.post(i.wait)
	}
}
