package store

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func problemRec(job, key, status string, at time.Time) LogRecord {
	return LogRecord{Time: at, Job: job, ItemKey: key, Status: status, Platform: "zoom", Object: "Call " + key,
		Error: "no Clio contact matches", Message: status}
}

func countProblems(t *testing.T, s *Store) int {
	t.Helper()
	n, err := s.CountProblems()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The defect: every parked attempt added to the count. An item has at most
// one open problem, whatever number of rows its attempts leave.
func TestProblemsCountItemsNotRows(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		name   string
		recs   []LogRecord
		want   int
		latest string // status of meeting:a's problem record, "" when closed
	}{
		{"two unmatched calls", []LogRecord{
			problemRec("recordings", "meeting:a", LogNeedsAttention, at),
			problemRec("recordings", "meeting:b", LogNeedsAttention, at),
		}, 2, LogNeedsAttention},
		{"a retry parks one again", []LogRecord{problemRec("recordings", "meeting:a", LogNeedsAttention, at.Add(time.Minute))}, 2, LogNeedsAttention},
		{"a duplicate delivery parks both again", []LogRecord{
			problemRec("recordings", "meeting:a", LogNeedsAttention, at.Add(2*time.Minute)),
			problemRec("recordings", "meeting:b", LogNeedsAttention, at.Add(2*time.Minute)),
		}, 2, LogNeedsAttention},
		{"a retry that fails and will retry keeps it open", []LogRecord{problemRec("recordings", "meeting:a", LogFailed, at.Add(3*time.Minute))}, 2, LogFailed},
		{"another job's item with the same key is its own problem", []LogRecord{problemRec("contacts", "meeting:a", LogNeedsAttention, at)}, 3, LogFailed},
		{"a plain failure is not a person's problem", []LogRecord{problemRec("folders", "matter:1", LogFailed, at)}, 3, LogFailed},
		{"success closes it", []LogRecord{problemRec("recordings", "meeting:a", LogSuccess, at.Add(4*time.Minute))}, 2, ""},
		{"a later success of a closed item changes nothing", []LogRecord{problemRec("recordings", "meeting:a", LogSuccess, at.Add(5*time.Minute))}, 2, ""},
		{"an item skipped on purpose is no longer a problem", []LogRecord{problemRec("contacts", "meeting:a", LogSkipped, at.Add(5*time.Minute))}, 1, ""},
	}
	s := openTest(t)
	for _, st := range steps {
		if _, err := s.AppendLog(st.recs...); err != nil {
			t.Fatal(err)
		}
		if got := countProblems(t, s); got != st.want {
			t.Errorf("%s: %d open problems, want %d", st.name, got, st.want)
		}
		p, _, err := s.ProblemOf("recordings", "meeting:a")
		if err != nil {
			t.Fatal(err)
		}
		if st.latest == "" && p.State == ProblemOpen || st.latest != "" && (p.State != ProblemOpen || p.Status != st.latest) {
			t.Errorf("%s: meeting:a problem = %s/%s, want latest %q", st.name, p.State, p.Status, st.latest)
		}
	}
	p, _, _ := s.ProblemOf("recordings", "meeting:a")
	if p.State != ProblemFixed || p.ClosedBy == 0 || p.Attempts != 4 {
		t.Errorf("closed problem = %+v, want fixed by a record after 4 attempts", p)
	}
	open, err := s.OpenProblems("")
	if err != nil || len(open) != 1 || open[0].Key != "meeting:b" || open[0].Record().ID != open[0].LogID {
		t.Errorf("open problems = %+v, %v", open, err)
	}
}

func TestCloseProblemDismissesWithANote(t *testing.T) {
	s := openTest(t)
	at := time.Now()
	if _, err := s.AppendLog(problemRec("recordings", "meeting:a", LogNeedsAttention, at)); err != nil {
		t.Fatal(err)
	}
	note := LogRecord{Job: "recordings", ItemKey: "meeting:a", Status: LogSkipped, Action: "dismiss", Message: "dismissed"}
	ok, err := s.CloseProblem("recordings", "meeting:a", ProblemDismissed, &note)
	if err != nil || !ok {
		t.Fatalf("CloseProblem = %v, %v", ok, err)
	}
	if n := countProblems(t, s); n != 0 {
		t.Errorf("%d open after dismissing", n)
	}
	p, _, _ := s.ProblemOf("recordings", "meeting:a")
	if p.State != ProblemDismissed || p.ClosedBy == 0 {
		t.Errorf("problem = %+v, want dismissed by the note", p)
	}
	if rec, err := s.LogRecordByID(p.ClosedBy); err != nil || rec.Action != "dismiss" {
		t.Errorf("the note = %+v, %v", rec, err)
	}
	if ok, err := s.CloseProblem("recordings", "meeting:a", ProblemDismissed, &note); err != nil || ok {
		t.Errorf("closing again = %v, %v; want nothing to close", ok, err)
	}
	// A later failure is a new problem.
	if _, err := s.AppendLog(problemRec("recordings", "meeting:a", LogNeedsAttention, at.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	if n := countProblems(t, s); n != 1 {
		t.Errorf("%d open after a new failure, want 1", n)
	}
	checkLogIndexes(t, s)
}

// Files written before problems existed hold only log rows: the open
// problems are derived once from each item's latest outcome.
func TestProblemsDerivedFromAnOlderLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmsync.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	recs := []LogRecord{
		problemRec("recordings", "meeting:a", LogNeedsAttention, at),
		problemRec("recordings", "meeting:a", LogNeedsAttention, at.Add(time.Minute)), // a retry
		problemRec("recordings", "meeting:b", LogNeedsAttention, at),
		problemRec("recordings", "meeting:b", LogSuccess, at.Add(2*time.Minute)), // fixed
		problemRec("folders", "matter:1", LogNeedsAttention, at),
		problemRec("folders", "matter:1", LogFailed, at.Add(3*time.Minute)), // retried, failing again
		problemRec("folders", "matter:2", LogFailed, at),
		problemRec("folders", "matter:3", LogSuccess, at),
	}
	if _, err := s.AppendLog(recs...); err != nil {
		t.Fatal(err)
	}
	// Make it the file an older Firmsync left: no problem buckets.
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketProblems); err != nil {
			return err
		}
		return tx.DeleteBucket(bucketProblemsOpen)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	open, err := s.OpenProblems("")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Problem{}
	for _, p := range open {
		got[p.Job+"/"+p.Key] = p
	}
	if len(got) != 2 {
		t.Fatalf("derived problems %v, want recordings/meeting:a and folders/matter:1", got)
	}
	if p := got["recordings/meeting:a"]; p.Attempts != 2 || !p.Updated.Equal(at.Add(time.Minute)) {
		t.Errorf("meeting:a = %+v, want 2 attempts, latest at +1m", p)
	}
	if p := got["folders/matter:1"]; p.Status != LogFailed || p.Attempts != 2 {
		t.Errorf("matter:1 = %+v, want the failed retry as its latest attempt", p)
	}
	if n, _ := s.OpenProblems("folders"); len(n) != 1 {
		t.Errorf("folders problems: %d, want 1", len(n))
	}
	// Derived once: a success now closes, and nothing is derived again.
	if _, err := s.AppendLog(problemRec("folders", "matter:1", LogSuccess, at.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if n := countProblems(t, s); n != 1 {
		t.Errorf("%d open after matter:1 succeeded, want 1", n)
	}
}
