package engine_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core/engine"
)

// seenRun is what a job saw of one run.
type seenRun struct {
	Kind    string
	Objects []string
	DryRun  bool
}

// gatedJob is a job whose first run blocks until release is closed, so
// triggers can arrive while it is in progress. Every run is recorded in
// order, and started gets one value per run.
type gatedJob struct {
	name    string
	release chan struct{}
	started chan seenRun

	mu   sync.Mutex
	runs []seenRun
}

func newGatedJob(name string) *gatedJob {
	return &gatedJob{name: name, release: make(chan struct{}), started: make(chan seenRun, 16)}
}

func (j *gatedJob) Name() string { return j.name }

func (j *gatedJob) Run(ctx context.Context, r *engine.Run) error {
	s := seenRun{Kind: r.Trigger.Kind, Objects: slices.Clone(r.Trigger.ObjectIDs), DryRun: r.DryRun}
	j.mu.Lock()
	first := len(j.runs) == 0
	j.runs = append(j.runs, s)
	j.mu.Unlock()
	j.started <- s
	if first {
		select {
		case <-j.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, key := range s.Objects {
		r.Done(engine.Item{Key: key, Change: engine.Unchanged})
	}
	return nil
}

func (j *gatedJob) seen() []seenRun {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.runs)
}

// within fails the test if ch yields nothing in a generous time: a lost
// wake-up shows as a hang, and a hang must fail, not stall the suite.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// queuedSignal makes the engine report each trigger that joins a follow-up.
func queuedSignal(e *engine.Engine) <-chan engine.Trigger {
	ch := make(chan engine.Trigger, 16)
	engine.OnQueued(e, func(_ string, t engine.Trigger) { ch <- t })
	return ch
}

// TestWebhookDuringARunForAnotherObjectRunsAfterIt is the webhook path of
// the bench's "Zoom meeting ended" latency: the receiver's worker calls Run
// for meeting B while a run for meeting A of the same job is in progress.
// B must get its own run once A's ends, and B's caller must get that run's
// result.
func TestWebhookDuringARunForAnotherObjectRunsAfterIt(t *testing.T) {
	e, _, _, _ := setup(t)
	job := newGatedJob("recordings")
	e.Register(job)
	queued := queuedSignal(e)
	ctx := context.Background()
	hook := func(key string) engine.Trigger {
		return engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{key}}
	}

	resA := make(chan engine.Result, 1)
	go func() { resA <- e.Run(ctx, "recordings", hook("meeting:A"), engine.RunOptions{}) }()
	if got := within(t, job.started, "the run for A"); !slices.Equal(got.Objects, []string{"meeting:A"}) {
		t.Fatalf("first run %+v", got)
	}
	resB := make(chan engine.Result, 1)
	go func() { resB <- e.Run(ctx, "recordings", hook("meeting:B"), engine.RunOptions{}) }()
	within(t, queued, "B to wait behind A")
	close(job.release)

	if r := within(t, resA, "A's result"); r.Err != nil || !slices.Equal(r.Run.ObjectIDs, []string{"meeting:A"}) {
		t.Fatalf("A's result %+v", r)
	}
	if got := within(t, job.started, "the run for B"); !slices.Equal(got.Objects, []string{"meeting:B"}) || got.Kind != engine.TriggerWebhook {
		t.Fatalf("follow-up run %+v", got)
	}
	if r := within(t, resB, "B's result"); r.Err != nil || r.Run.Status != "succeeded" || !slices.Equal(r.Run.ObjectIDs, []string{"meeting:B"}) {
		t.Fatalf("B's result %+v", r)
	}
	e.Wait()
	if n := len(job.seen()); n != 2 {
		t.Fatalf("%d runs, want 2: %+v", n, job.seen())
	}
}

// TestTargetedTriggerIsNotLostInAFullFollowUp: while a run is in progress,
// a webhook names an object and a schedule asks for the whole job. Folding
// both into one full run loses the webhook's object: a full run does not
// look at it (a Box folder renamed by a person is no Clio matter a full
// folders run lists) or holds it until its retry is due. The object must
// get a targeted run of its own, and each caller the run it asked for.
func TestTargetedTriggerIsNotLostInAFullFollowUp(t *testing.T) {
	e, _, _, _ := setup(t)
	job := newGatedJob("folders")
	e.Register(job)
	queued := queuedSignal(e)
	ctx := context.Background()

	if err := e.Trigger(ctx, "folders", engine.Trigger{Kind: engine.TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	within(t, job.started, "the scheduled run")
	hooked := make(chan engine.Result, 1)
	go func() {
		hooked <- e.Run(ctx, "folders", engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"boxfolder:9"}}, engine.RunOptions{})
	}()
	within(t, queued, "the webhook to wait behind the scheduled run")
	manual := make(chan engine.Result, 1)
	go func() {
		manual <- e.Run(ctx, "folders", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	}()
	within(t, queued, "the manual run to wait behind the scheduled run")
	close(job.release)

	r := within(t, hooked, "the webhook's result")
	if r.Err != nil || !slices.Equal(r.Run.ObjectIDs, []string{"boxfolder:9"}) {
		t.Fatalf("the webhook's run covered %v (err %v), want [boxfolder:9]", r.Run.ObjectIDs, r.Err)
	}
	if r := within(t, manual, "the manual result"); r.Err != nil || len(r.Run.ObjectIDs) != 0 {
		t.Fatalf("the manual run covered %v (err %v), want the whole job", r.Run.ObjectIDs, r.Err)
	}
	e.Wait()
	want := []seenRun{
		{Kind: engine.TriggerSchedule},
		{Kind: engine.TriggerWebhook, Objects: []string{"boxfolder:9"}}, // queued first, runs first
		{Kind: engine.TriggerManual},
	}
	got := job.seen()
	if len(got) != len(want) {
		t.Fatalf("runs %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || !slices.Equal(got[i].Objects, want[i].Objects) || got[i].DryRun {
			t.Errorf("run %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestDryRunCallerNeverJoinsARealFollowUp: `firmsync sync --dry-run` while
// a run is in progress must get a dry run even if a real trigger arrives
// too, and the real trigger a real run.
func TestDryRunCallerNeverJoinsARealFollowUp(t *testing.T) {
	e, _, _, _ := setup(t)
	job := newGatedJob("contacts")
	e.Register(job)
	queued := queuedSignal(e)
	ctx := context.Background()

	if err := e.Trigger(ctx, "contacts", engine.Trigger{Kind: engine.TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	within(t, job.started, "the scheduled run")
	dry := make(chan engine.Result, 1)
	go func() {
		dry <- e.Run(ctx, "contacts", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	}()
	within(t, queued, "the dry run to wait")
	if err := e.Trigger(ctx, "contacts", engine.Trigger{Kind: engine.TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	within(t, queued, "the real run to wait")
	close(job.release)

	if r := within(t, dry, "the dry result"); r.Err != nil || r.Run.ID != 0 {
		t.Fatalf("the dry-run caller got a recorded (real) run: %+v", r.Run)
	}
	e.Wait()
	got := job.seen()
	if len(got) != 3 || got[0].DryRun || !got[1].DryRun || got[2].DryRun {
		t.Fatalf("runs %+v, want real, dry, real", got)
	}
}
