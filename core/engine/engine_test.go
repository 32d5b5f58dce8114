package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// funcJob adapts a function to engine.Job.
type funcJob struct {
	name string
	fn   func(ctx context.Context, r *engine.Run) error
}

func (j funcJob) Name() string                                 { return j.name }
func (j funcJob) Run(ctx context.Context, r *engine.Run) error { return j.fn(ctx, r) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func setup(t *testing.T) (*engine.Engine, *store.Store, *events.Bus, *clock) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "f.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := events.NewBus()
	c := &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	e := engine.New(engine.Options{Store: st, Bus: bus, Now: c.now})
	return e, st, bus, c
}

func TestTriggersDuringARunCoalesceIntoOneFollowUp(t *testing.T) {
	e, _, _, _ := setup(t)
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	var mu sync.Mutex
	var runs [][]string
	e.Register(funcJob{"folders", func(ctx context.Context, r *engine.Run) error {
		mu.Lock()
		runs = append(runs, r.Trigger.ObjectIDs)
		mu.Unlock()
		started <- struct{}{}
		<-release
		return nil
	}})
	ctx := context.Background()
	if err := e.Trigger(ctx, "folders", engine.Trigger{Kind: "schedule"}); err != nil {
		t.Fatal(err)
	}
	<-started
	for _, id := range []string{"matter:1", "matter:2", "matter:1"} {
		if err := e.Trigger(ctx, "folders", engine.Trigger{Kind: "webhook", ObjectIDs: []string{id}}); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	<-started
	e.Wait()
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2 (one follow-up)", len(runs))
	}
	if !slices.Equal(runs[1], []string{"matter:1", "matter:2"}) {
		t.Fatalf("follow-up objects %v", runs[1])
	}
}

func TestFailedItemsRetryThenPark(t *testing.T) {
	e, st, bus, c := setup(t)
	if err := e.SetPolicy("contacts", engine.Policy{Attempts: 3, Delays: []time.Duration{time.Minute, 5 * time.Minute}}); err != nil {
		t.Fatal(err)
	}
	attention := bus.Subscribe(events.NeedsAttention)
	defer attention.Unsubscribe()
	tries := 0
	e.Register(funcJob{"contacts", func(ctx context.Context, r *engine.Run) error {
		if r.Hold("contact:7", false) {
			return nil
		}
		tries++
		r.Fail(engine.Item{Key: "contact:7", Platform: "zoom", Action: "create contact", Object: "Ann Lee"}, errors.New("boom"), false)
		return nil
	}})
	ctx := context.Background()
	res := e.Run(ctx, "contacts", engine.Trigger{Kind: "manual"}, engine.RunOptions{})
	if res.Run.Status != "partial" || res.Run.Counts.Failed != 1 {
		t.Fatalf("run %+v", res.Run)
	}
	// Not due yet: a scheduled run leaves it alone.
	e.Run(ctx, "contacts", engine.Trigger{Kind: "schedule"}, engine.RunOptions{})
	if tries != 1 {
		t.Fatalf("tried %d times before the delay passed", tries)
	}
	c.add(61 * time.Second)
	due, _, err := e.DueRetries(c.now())
	if err != nil || !slices.Equal(due["contacts"], []string{"contact:7"}) {
		t.Fatalf("due %v %v", due, err)
	}
	e.Run(ctx, "contacts", engine.Trigger{Kind: "retry", ObjectIDs: due["contacts"]}, engine.RunOptions{})
	c.add(6 * time.Minute)
	e.Run(ctx, "contacts", engine.Trigger{Kind: "retry", ObjectIDs: []string{"contact:7"}}, engine.RunOptions{})
	if tries != 3 {
		t.Fatalf("tries %d", tries)
	}
	recs, err := st.QueryLog(store.LogQuery{Status: store.LogNeedsAttention})
	if err != nil || len(recs) != 1 || recs[0].ItemKey != "contact:7" || recs[0].Error != "boom" {
		t.Fatalf("needs-attention records %+v %v", recs, err)
	}
	select {
	case ev := <-attention.C():
		if ev.Data.(events.AttentionData).Incident != "contacts/contact:7" {
			t.Fatalf("event %+v", ev)
		}
	default:
		t.Fatal("no NeedsAttention event")
	}
	// Parked: schedules leave it alone, even much later.
	c.add(24 * time.Hour)
	e.Run(ctx, "contacts", engine.Trigger{Kind: "schedule"}, engine.RunOptions{})
	if tries != 3 {
		t.Fatalf("a parked item was retried by a schedule")
	}
	// A person presses Retry.
	keys, err := e.RetryItems(ctx, "", []uint64{recs[0].ID})
	if err != nil || !slices.Equal(keys["contacts"], []string{"contact:7"}) {
		t.Fatalf("RetryItems %v %v", keys, err)
	}
	e.Run(ctx, "contacts", engine.Trigger{Kind: "retry", ObjectIDs: keys["contacts"]}, engine.RunOptions{})
	if tries != 4 {
		t.Fatalf("retry did not run the item (tries %d)", tries)
	}
}

func TestSuccessClearsRetryState(t *testing.T) {
	e, st, _, c := setup(t)
	fail := true
	e.Register(funcJob{"documents", func(ctx context.Context, r *engine.Run) error {
		it := engine.Item{Key: "doc:1", Platform: "box", Action: "upload file", Change: engine.Created}
		if fail {
			r.Fail(it, errors.New("503"), false)
		} else {
			r.Done(it)
		}
		return nil
	}})
	ctx := context.Background()
	e.Run(ctx, "documents", engine.Trigger{Kind: "manual"}, engine.RunOptions{})
	fail = false
	c.add(2 * time.Minute)
	res := e.Run(ctx, "documents", engine.Trigger{Kind: "retry", ObjectIDs: []string{"doc:1"}}, engine.RunOptions{})
	if res.Run.Status != "succeeded" || res.Run.Counts.Created != 1 {
		t.Fatalf("run %+v", res.Run)
	}
	due, next, err := e.DueRetries(c.now().Add(24 * time.Hour))
	if err != nil || len(due) != 0 || !next.IsZero() {
		t.Fatalf("retry state left behind: %v %v %v", due, next, err)
	}
	runs, err := st.Runs("documents", 10)
	if err != nil || len(runs) != 2 || runs[0].Status != "succeeded" || runs[1].Status != "partial" {
		t.Fatalf("runs %+v %v", runs, err)
	}
}

func TestDryRunPlansAndWritesNothing(t *testing.T) {
	e, st, _, _ := setup(t)
	e.Register(funcJob{"folders", func(ctx context.Context, r *engine.Run) error {
		r.Done(engine.Item{Key: "matter:1", Platform: "box", Action: "create folder", Object: "00001 — Smith", Change: engine.Created})
		r.Done(engine.Item{Key: "matter:2", Change: engine.Unchanged})
		return r.SetWatermark("", r.Now())
	}})
	res := e.Run(context.Background(), "folders", engine.Trigger{Kind: "manual"}, engine.RunOptions{DryRun: true})
	if len(res.Planned) != 1 || res.Planned[0].Object != "00001 — Smith" || res.Run.Counts.Created != 1 || res.Run.Counts.Unchanged != 1 {
		t.Fatalf("result %+v", res)
	}
	if runs, _ := st.Runs("", 10); len(runs) != 0 {
		t.Fatalf("dry run recorded runs: %+v", runs)
	}
	if recs, _ := st.QueryLog(store.LogQuery{}); len(recs) != 0 {
		t.Fatalf("dry run wrote log records: %+v", recs)
	}
	if wm, _ := st.Watermark("folders"); wm != "" {
		t.Fatalf("dry run moved the watermark to %q", wm)
	}
}

func TestPanickingJobFailsTheRunNotTheApp(t *testing.T) {
	e, _, _, _ := setup(t)
	e.Register(funcJob{"intake", func(ctx context.Context, r *engine.Run) error { panic("nil map") }})
	res := e.Run(context.Background(), "intake", engine.Trigger{Kind: "manual"}, engine.RunOptions{})
	if res.Err == nil || res.Run.Status != "failed" {
		t.Fatalf("result %+v", res)
	}
}

func TestMarkNeverPassesAHeldItem(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	cases := []struct {
		name string
		ok   []int
		held []int
		want time.Time
	}{
		{"nothing new keeps the mark", nil, nil, at(0)},
		{"all ok advances to the latest", []int{1, 5, 3}, nil, at(5)},
		{"a failure holds at it", []int{1, 5, 9}, []int{4}, at(4)},
		{"earliest failure wins", []int{9}, []int{7, 3}, at(3)},
	}
	for _, c := range cases {
		m := engine.NewMark(at(0))
		for _, v := range c.ok {
			m.OK(at(v))
		}
		for _, v := range c.held {
			m.Hold(at(v))
		}
		if got := m.Value(); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPolicyDefaultsAndValidation(t *testing.T) {
	p := engine.DefaultPolicies()
	if p["folders"].Attempts != 10 || p["folders"].Delay(9) != 600*time.Second || p["contacts"].Delay(1) != time.Minute {
		t.Fatalf("defaults %+v", p)
	}
	if err := (engine.Policy{Attempts: 0}).Validate(); err == nil {
		t.Fatal("zero attempts accepted")
	}
	if err := (engine.Policy{Attempts: 3, Delays: []time.Duration{time.Millisecond}}).Validate(); err == nil {
		t.Fatal("1ms delay accepted")
	}
}
