package store

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestRunsLifecycle(t *testing.T) {
	s := openTest(t)
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	var ids []uint64
	for i, job := range []string{"matters", "contacts", "matters", "recordings"} {
		id, err := s.StartRun(Run{Job: job, Trigger: "schedule", Start: base.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if ids[0] != 1 || ids[3] != 4 {
		t.Errorf("run IDs = %v; want 1..4", ids)
	}
	last, ok, err := s.LastRun("matters")
	if err != nil || !ok || last.ID != 3 || last.Status != RunRunning {
		t.Errorf("LastRun(matters) = %+v, %v, %v; want run 3 running", last, ok, err)
	}

	last.Status = RunPartial
	last.Counts = Counts{Created: 2, Failed: 1, APICalls: 9}
	last.Error = "1 item failed"
	if err := s.FinishRun(last); err != nil {
		t.Fatal(err)
	}
	got, _, _ := s.LastRun("matters")
	if got.Status != RunPartial || got.Counts.APICalls != 9 || got.End.IsZero() {
		t.Errorf("finished run = %+v", got)
	}
	if err := s.FinishRun(Run{ID: 99, Job: "matters"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun(unknown) = %v; want ErrNotFound", err)
	}
	if _, err := s.StartRun(Run{}); err == nil {
		t.Error("StartRun without job succeeded")
	}

	tests := []struct {
		job   string
		limit int
		want  []uint64
	}{
		{"", 0, []uint64{4, 3, 2, 1}},
		{"", 2, []uint64{4, 3}},
		{"matters", 0, []uint64{3, 1}},
		{"matters", 1, []uint64{3}},
		{"contacts", 5, []uint64{2}},
		{"nothing", 5, nil},
		{"matter", 5, nil}, // a prefix of a job name is not that job
	}
	for _, tt := range tests {
		runs, err := s.Runs(tt.job, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []uint64
		for _, r := range runs {
			gotIDs = append(gotIDs, r.ID)
		}
		if !slices.Equal(gotIDs, tt.want) {
			t.Errorf("Runs(%q, %d) = %v; want %v", tt.job, tt.limit, gotIDs, tt.want)
		}
	}
	if _, ok, err := s.LastRun("nothing"); ok || err != nil {
		t.Errorf("LastRun(nothing) = %v, %v", ok, err)
	}
}

func TestFinishRunMovesJobIndex(t *testing.T) {
	s := openTest(t)
	id, err := s.StartRun(Run{Job: "matters"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(Run{ID: id, Job: "contacts", Status: RunSucceeded}); err != nil {
		t.Fatal(err)
	}
	if runs, _ := s.Runs("matters", 0); len(runs) != 0 {
		t.Errorf("Runs(matters) = %+v after job changed", runs)
	}
	if runs, _ := s.Runs("contacts", 0); len(runs) != 1 {
		t.Errorf("Runs(contacts) = %+v", runs)
	}
}
