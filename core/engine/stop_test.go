package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/firmsync/firmsync/core/engine"
)

// TestWaitWhileRunsStart is the shutdown of a running app: the app waits
// for its runs while the webhook receiver still starts new ones. Under
// -race this fails if the engine's bookkeeping forbids a start racing a
// wait (as a sync.WaitGroup does).
func TestWaitWhileRunsStart(t *testing.T) {
	e, _, _, _ := setup(t)
	e.Register(funcJob{"folders", func(ctx context.Context, r *engine.Run) error { return nil }})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if r := e.Run(ctx, "folders", engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"matter:1"}}, engine.RunOptions{}); r.Err != nil {
					t.Error(r.Err)
					return
				}
			}
		})
		wg.Go(func() {
			for range 200 {
				e.Wait()
			}
		})
	}
	wg.Wait()
}

// TestStopRefusesLaterRuns: once the app closes its store no run may
// start, and every caller waiting for a follow-up hears why.
func TestStopRefusesLaterRuns(t *testing.T) {
	e, _, _, _ := setup(t)
	job := newGatedJob("folders")
	e.Register(job)
	queued := queuedSignal(e)
	ctx := context.Background()
	if err := e.Trigger(ctx, "folders", engine.Trigger{Kind: engine.TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	within(t, job.started, "the scheduled run")
	follow := make(chan engine.Result, 1)
	go func() {
		follow <- e.Run(ctx, "folders", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	}()
	within(t, queued, "a run to wait behind it")

	stopped := make(chan struct{})
	go func() { e.Stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while a run was in progress")
	default:
	}
	// Stop has (very likely) marked the engine by now; either way the
	// follow-up must not run once the first run ends.
	for e.Trigger(ctx, "folders", engine.Trigger{Kind: engine.TriggerSchedule}) == nil {
		within(t, queued, "a trigger joining before Stop")
	}
	close(job.release)
	within(t, stopped, "Stop to return once the run ended")
	if r := within(t, follow, "the waiting caller"); !errors.Is(r.Err, engine.ErrStopped) {
		t.Errorf("the waiting caller got %+v, want ErrStopped", r)
	}
	if n := len(job.seen()); n != 1 {
		t.Errorf("%d runs after Stop, want only the one in progress", n)
	}
	if err := e.Trigger(ctx, "folders", engine.Trigger{Kind: engine.TriggerSchedule}); !errors.Is(err, engine.ErrStopped) {
		t.Errorf("a trigger after Stop: %v, want ErrStopped", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if r := e.Run(cancelled, "folders", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{}); !errors.Is(r.Err, context.Canceled) {
		t.Errorf("a run asked for with a cancelled context: %+v", r)
	}
}

// TestInterruptEndsRunsWhoeverAskedForThem: quitting must not wait for a
// run a caller outside started on its own context (the CLI through the
// control channel), nor start the follow-up queued behind it; the app
// goes on taking runs afterwards.
func TestInterruptEndsRunsWhoeverAskedForThem(t *testing.T) {
	e, st, _, _ := setup(t)
	started := make(chan struct{}, 4)
	e.Register(funcJob{"documents", func(ctx context.Context, r *engine.Run) error {
		started <- struct{}{}
		if r.Trigger.Kind == engine.TriggerSchedule {
			return nil
		}
		<-ctx.Done() // a slow download, say
		return ctx.Err()
	}})
	queued := queuedSignal(e)
	ctx := context.Background()
	first := make(chan engine.Result, 1)
	go func() {
		first <- e.Run(ctx, "documents", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	}()
	within(t, started, "the first run")
	follow := make(chan engine.Result, 1)
	go func() {
		follow <- e.Run(ctx, "documents", engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"doc:7"}}, engine.RunOptions{})
	}()
	within(t, queued, "the follow-up")

	e.Interrupt()
	r := within(t, first, "the interrupted run")
	if !errors.Is(r.Err, context.Canceled) || r.Run.Status != "cancelled" {
		t.Errorf("the interrupted run: status %q, err %v", r.Run.Status, r.Err)
	}
	if r := within(t, follow, "the dropped follow-up"); !errors.Is(r.Err, engine.ErrInterrupted) {
		t.Errorf("the follow-up's caller got %v, want ErrInterrupted", r.Err)
	}
	e.Wait()
	if runs, _ := st.Runs("documents", 10); len(runs) != 1 {
		t.Errorf("%d runs recorded, want only the interrupted one", len(runs))
	}
	if r := e.Run(ctx, "documents", engine.Trigger{Kind: engine.TriggerSchedule}, engine.RunOptions{}); r.Err != nil || r.Run.Status != "succeeded" {
		t.Errorf("a run after the interrupt: %+v", r)
	}
}
