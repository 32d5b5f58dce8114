package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/store"
)

// outcomeJob reports, for each item key a run covers, what outcomes says
// about it now ("park", "fail", "ok", "unchanged").
type outcomeJob struct {
	mu       sync.Mutex
	outcomes map[string]string
}

func (j *outcomeJob) set(key, o string) { j.mu.Lock(); j.outcomes[key] = o; j.mu.Unlock() }

func (j *outcomeJob) job() funcJob {
	return funcJob{"recordings", func(ctx context.Context, r *engine.Run) error {
		j.mu.Lock()
		defer j.mu.Unlock()
		for key, o := range j.outcomes {
			if !r.Wants(key) || r.Hold(key, false) {
				continue
			}
			it := engine.Item{Key: key, Platform: "zoom", Action: "post note", Object: "Call " + key}
			switch o {
			case "park":
				r.Fail(it, errors.Join(engine.ErrNoMatch, errors.New("no Clio contact has x@example.com")), true)
			case "fail":
				r.Fail(it, errors.New("Zoom answered 503"), false)
			case "ok":
				it.Change = engine.Created
				r.Done(it)
			case "unchanged":
				it.Change = engine.Unchanged
				r.Done(it)
			}
		}
		return nil
	}}
}

func openCount(t *testing.T, st *store.Store) int {
	t.Helper()
	n, err := st.CountProblems()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The defect: each retry and each duplicate delivery added a
// needs-attention row, and the count (of rows) went 2 → 3 → 5 and never
// fell when a retry succeeded.
func TestProblemsFollowItemsThroughRetriesAndDuplicates(t *testing.T) {
	ctx := context.Background()
	retry := func(keys ...string) engine.Trigger { return engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: keys} }
	webhook := func(keys ...string) engine.Trigger {
		return engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: keys}
	}
	steps := []struct {
		name    string
		set     map[string]string
		trigger engine.Trigger
		want    int
	}{
		{"two unmatched calls are parked", map[string]string{"meeting:a": "park", "meeting:b": "park"}, engine.Trigger{Kind: engine.TriggerSchedule}, 2},
		{"a retry that fails again", nil, retry("meeting:a"), 2},
		{"a duplicate webhook delivery for both", nil, webhook("meeting:a", "meeting:b"), 2},
		{"and another", nil, webhook("meeting:a", "meeting:b"), 2},
		{"a schedule holds parked items", nil, engine.Trigger{Kind: engine.TriggerSchedule}, 2},
		{"the contact was added: Retry succeeds", map[string]string{"meeting:a": "ok"}, retry("meeting:a"), 1},
		{"a transient failure after Retry keeps it open", map[string]string{"meeting:b": "fail"}, retry("meeting:b"), 1},
		{"posted by an earlier, interrupted attempt: unchanged also closes it", map[string]string{"meeting:b": "unchanged"}, webhook("meeting:b"), 0},
	}
	e, st, _, _ := setup(t)
	j := &outcomeJob{outcomes: map[string]string{}}
	e.Register(j.job())
	for _, s := range steps {
		for k, o := range s.set {
			j.set(k, o)
		}
		if s.trigger.Kind == engine.TriggerRetry {
			if err := e.Requeue(map[string][]string{"recordings": s.trigger.ObjectIDs}); err != nil {
				t.Fatal(err)
			}
		}
		if res := e.Run(ctx, "recordings", s.trigger, engine.RunOptions{}); res.Err != nil {
			t.Fatalf("%s: %v", s.name, res.Err)
		}
		if got := openCount(t, st); got != s.want {
			t.Errorf("%s: %d open problems, want %d", s.name, got, s.want)
		}
	}
	rows, err := st.CountLog(store.LogQuery{Status: store.LogNeedsAttention})
	if err != nil {
		t.Fatal(err)
	}
	if rows < 6 {
		t.Errorf("only %d needs-attention rows: the test did not repeat the parking it is about", rows)
	}
}

func TestDismissClosesAndStopsRetries(t *testing.T) {
	ctx := context.Background()
	e, st, _, c := setup(t)
	j := &outcomeJob{outcomes: map[string]string{"meeting:a": "park", "meeting:b": "park"}}
	e.Register(j.job())
	e.Run(ctx, "recordings", engine.Trigger{Kind: engine.TriggerSchedule}, engine.RunOptions{})
	if n := openCount(t, st); n != 2 {
		t.Fatalf("%d open, want 2", n)
	}
	// Retried once and failing on its own schedule: dismissing parks it.
	j.set("meeting:a", "fail")
	if err := e.Requeue(map[string][]string{"recordings": {"meeting:a"}}); err != nil {
		t.Fatal(err)
	}
	e.Run(ctx, "recordings", engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: []string{"meeting:a"}}, engine.RunOptions{})
	n, err := e.Dismiss("recordings", []string{"meeting:a", "meeting:nope"})
	if err != nil || n != 1 {
		t.Fatalf("Dismiss = %d, %v; want 1", n, err)
	}
	if n := openCount(t, st); n != 1 {
		t.Errorf("%d open after dismissing one, want 1", n)
	}
	c.add(24 * 60 * 60 * 1e9)
	due, _, err := e.DueRetries(c.now())
	if err != nil {
		t.Fatal(err)
	}
	if len(due["recordings"]) != 0 {
		t.Errorf("a dismissed item is still due for retry: %v", due)
	}
	recs, _ := st.QueryLog(store.LogQuery{Job: "recordings", Limit: 1})
	if len(recs) != 1 || recs[0].Action != "dismiss" || recs[0].ItemKey != "meeting:a" {
		t.Errorf("newest log record = %+v, want the dismissal", recs)
	}
	keys, err := e.ProblemKeys("")
	if err != nil || len(keys["recordings"]) != 1 || keys["recordings"][0] != "meeting:b" {
		t.Errorf("ProblemKeys = %v, %v", keys, err)
	}
}
