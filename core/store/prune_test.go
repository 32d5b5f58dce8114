package store

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneNow is the "now" of the prune tests: 100 days after the first record.
var pruneNow = logBase.Add(100 * 24 * time.Hour)

// fillDays appends one log record and one run per hour over days days
// before pruneNow, oldest first, and returns how many of each it wrote.
func fillDays(t testing.TB, s *Store, days int) int {
	t.Helper()
	n := days * 24
	recs := make([]LogRecord, n)
	start := pruneNow.Add(-time.Duration(n) * time.Hour)
	for i := range recs {
		recs[i] = LogRecord{
			Time: start.Add(time.Duration(i) * time.Hour), Job: []string{"matters", "contacts"}[i%2],
			Platform: "clio", Status: []string{LogSuccess, LogFailed, LogSkipped}[i%3],
		}
	}
	fillLog(t, s, recs)
	// One transaction for all runs: StartRun's commit per run is slow here.
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := range n {
			id, err := tx.Bucket(bucketRuns).NextSequence()
			if err != nil {
				return err
			}
			r := Run{ID: id, Job: "matters", Start: start.Add(time.Duration(i) * time.Hour), Status: RunSucceeded}
			if err := putRun(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPrune(t *testing.T) {
	tests := []struct {
		name       string
		days       int
		policy     PrunePolicy
		wantLeft   int       // log records and runs left
		wantOldest time.Time // time of the oldest log record left
	}{
		{
			name: "by age", days: 100,
			policy:   PrunePolicy{MaxAge: 30 * 24 * time.Hour, MaxRecords: -1},
			wantLeft: 30 * 24, wantOldest: pruneNow.Add(-30 * 24 * time.Hour),
		},
		{
			name: "by count", days: 100,
			policy:   PrunePolicy{MaxAge: -1, MaxRecords: 500},
			wantLeft: 500, wantOldest: pruneNow.Add(-500 * time.Hour),
		},
		{
			name: "age bites harder than count", days: 100,
			policy:   PrunePolicy{MaxAge: 10 * 24 * time.Hour, MaxRecords: 1000},
			wantLeft: 240, wantOldest: pruneNow.Add(-240 * time.Hour),
		},
		{
			name: "count bites harder than age", days: 100,
			policy:   PrunePolicy{MaxAge: 50 * 24 * time.Hour, MaxRecords: 100},
			wantLeft: 100, wantOldest: pruneNow.Add(-100 * time.Hour),
		},
		{
			name: "defaults keep 90 days", days: 100,
			policy:   PrunePolicy{},
			wantLeft: 90 * 24, wantOldest: pruneNow.Add(-90 * 24 * time.Hour),
		},
		{
			name: "everything old goes, indexes empty", days: 10,
			policy:   PrunePolicy{MaxAge: time.Minute},
			wantLeft: 0,
		},
		{
			name: "nothing to prune", days: 5,
			policy:   DefaultPrunePolicy(),
			wantLeft: 5 * 24, wantOldest: pruneNow.Add(-5 * 24 * time.Hour),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			n := fillDays(t, s, tt.days)
			st, err := s.Prune(context.Background(), pruneNow, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			if st.Log != n-tt.wantLeft || st.Runs != n-tt.wantLeft {
				t.Errorf("stats = %+v; want %d log and runs deleted", st, n-tt.wantLeft)
			}
			if wantBatches := 2 * ((n - tt.wantLeft + pruneBatchSize - 1) / pruneBatchSize); st.Batches != wantBatches {
				t.Errorf("batches = %d, want %d", st.Batches, wantBatches)
			}
			checkLogIndexes(t, s)
			if got, _ := s.CountLog(LogQuery{}); got != tt.wantLeft {
				t.Errorf("log holds %d, want %d", got, tt.wantLeft)
			}
			runs, _ := s.Runs("", 0)
			matterRuns, _ := s.Runs("matters", 0)
			if len(runs) != tt.wantLeft || len(matterRuns) != tt.wantLeft {
				t.Errorf("runs left = %d (by job %d), want %d", len(runs), len(matterRuns), tt.wantLeft)
			}
			if tt.wantLeft == 0 {
				_ = s.db.View(func(tx *bolt.Tx) error {
					for _, name := range [][]byte{bucketLogByStatus, bucketLogByJob, bucketLogByPlatform, bucketLogCounts, bucketRunsByJob} {
						if k, _ := tx.Bucket(name).Cursor().First(); k != nil {
							t.Errorf("bucket %s still holds %q", name, k)
						}
					}
					return nil
				})
				return
			}
			oldest, _ := s.QueryLog(LogQuery{Until: tt.wantOldest})
			if len(oldest) != 1 || !oldest[0].Time.Equal(tt.wantOldest) {
				t.Errorf("records at or before %s: %+v; want exactly the one at it", tt.wantOldest, oldest)
			}
		})
	}
}

func TestPruneWebhookEventsKeepsUnprocessed(t *testing.T) {
	s := openTest(t)
	old, recent := pruneNow.Add(-100*24*time.Hour), pruneNow.Add(-time.Hour)
	add := func(key string, received time.Time, processed bool) uint64 {
		id, err := s.AddWebhookEvent(WebhookEvent{Platform: "clio", DeliveryKey: key, Received: received})
		if err != nil {
			t.Fatal(err)
		}
		if processed {
			if err := s.MarkWebhookProcessed(id, ""); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	add("old-done", old, true)
	oldPending := add("old-pending", old, false)
	recentDone := add("recent-done", recent, true)

	st, err := s.Prune(context.Background(), pruneNow, DefaultPrunePolicy())
	if err != nil {
		t.Fatal(err)
	}
	if st.WebhookEvents != 1 {
		t.Errorf("deleted %d webhook events, want 1", st.WebhookEvents)
	}
	all, _ := s.WebhookEvents(0)
	if len(all) != 2 || all[0].ID != recentDone || all[1].ID != oldPending {
		t.Errorf("events left = %+v", all)
	}
	// The pruned event's dedupe entry went with it; the others remain.
	if _, err := s.AddWebhookEvent(WebhookEvent{Platform: "clio", DeliveryKey: "old-done"}); err != nil {
		t.Errorf("re-adding a pruned delivery key: %v", err)
	}
	if _, err := s.AddWebhookEvent(WebhookEvent{Platform: "clio", DeliveryKey: "old-pending"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("re-adding a kept delivery key: %v; want ErrDuplicate", err)
	}
}

func TestPruneStopsWhenContextCancelled(t *testing.T) {
	s := openTest(t)
	fillDays(t, s, 200) // 4,800 records, all older than a minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.afterPruneBatch = cancel

	st, err := s.Prune(ctx, pruneNow, PrunePolicy{MaxAge: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Prune error = %v; want context.Canceled", err)
	}
	if st.Log != pruneBatchSize || st.Batches != 1 {
		t.Errorf("stats = %+v; want one batch of %d", st, pruneBatchSize)
	}
	if n, _ := s.CountLog(LogQuery{}); n != 4800-pruneBatchSize {
		t.Errorf("log holds %d after cancelled prune", n)
	}
	checkLogIndexes(t, s)
}

// TestPruneLetsAppendsInterleave appends log records from another goroutine
// in the middle of a prune of 200,000 records and requires them to finish
// while the prune still has batches to go.
func TestPruneLetsAppendsInterleave(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	s := openTest(t)
	recs := make([]LogRecord, n)
	for i := range recs {
		recs[i] = LogRecord{Time: logBase.Add(time.Duration(i) * time.Millisecond), Job: "matters", Status: LogSuccess}
	}
	fillLog(t, s, recs)

	appended := make(chan error, 1)
	batches := 0
	var appendedAt int
	s.afterPruneBatch = func() {
		batches++
		switch batches {
		case 1:
			go func() {
				var err error
				for i := 0; i < 10 && err == nil; i++ {
					_, err = s.AppendLog(LogRecord{Time: logBase.Add(400 * 24 * time.Hour), Job: "contacts", Status: LogFailed})
				}
				appended <- err
			}()
		case 2:
			// The prune holds no transaction here, so the appends can run;
			// if Prune held the writer lock throughout, this would hang.
			if err := <-appended; err != nil {
				t.Errorf("AppendLog during prune: %v", err)
			}
			appendedAt = batches
		}
	}
	st, err := s.Prune(context.Background(), logBase.Add(365*24*time.Hour), PrunePolicy{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if appendedAt != 2 || st.Batches != n/pruneBatchSize {
		t.Errorf("appends done after batch %d of %d; want after batch 2 of %d", appendedAt, st.Batches, n/pruneBatchSize)
	}
	// The appended records are new, so they survive.
	if got, _ := s.CountLog(LogQuery{}); got != 10 {
		t.Errorf("log holds %d records, want the 10 appended", got)
	}
	if got, _ := s.CountLog(LogQuery{Job: "contacts", Status: LogFailed}); got != 10 {
		t.Errorf("appended records by index = %d, want 10", got)
	}
}
