package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var logBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// genLogs makes n records in time order, two per second, with one in
// failedEvery failed.
func genLogs(n, failedEvery int) []LogRecord {
	rng := rand.New(rand.NewPCG(1, 2))
	jobs := []string{"matters", "contacts", "recordings", "documents", "leads"}
	platforms := []string{"clio", "lawmatics", "zoom", "box"}
	others := []string{LogSuccess, LogSuccess, LogSuccess, LogSkipped, LogPending, LogNeedsAttention}
	objects := []string{"Smith & Jones", "<b>Estate</b> of Doe", "Müller GmbH", "Acme Corp", "O'Brien v. State"}
	recs := make([]LogRecord, n)
	for i := range recs {
		status := others[rng.IntN(len(others))]
		if i%failedEvery == 0 {
			status = LogFailed
		}
		r := LogRecord{
			Time:     logBase.Add(time.Duration(i/2) * time.Second),
			RunID:    uint64(i/50 + 1),
			Job:      jobs[rng.IntN(len(jobs))],
			Platform: platforms[rng.IntN(len(platforms))],
			Action:   "update",
			Status:   status,
			Object:   fmt.Sprintf("%s #%d", objects[rng.IntN(len(objects))], i),
			SourceID: fmt.Sprintf("matter:%d", rng.IntN(5000)),
			ItemKey:  fmt.Sprintf("item-%d", i),
		}
		if status == LogFailed {
			r.Error = "HTTP 422: Display number already taken"
		}
		recs[i] = r
	}
	return recs
}

// fillLog appends recs in batches and sets their IDs.
func fillLog(t testing.TB, s *Store, recs []LogRecord) {
	t.Helper()
	for start := 0; start < len(recs); start += 5000 {
		end := min(start+5000, len(recs))
		ids, err := s.AppendLog(recs[start:end]...)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			recs[start+i].ID = id
		}
	}
}

// bruteMatch is LogQuery's meaning, spelled out slowly.
func bruteMatch(q LogQuery, r *LogRecord) bool {
	return (q.Job == "" || r.Job == q.Job) &&
		(q.Platform == "" || r.Platform == q.Platform) &&
		(q.Status == "" || r.Status == q.Status) &&
		(q.Text == "" || matchText(r, strings.ToLower(q.Text))) &&
		(q.Since.IsZero() || !r.Time.Before(q.Since)) &&
		(q.Until.IsZero() || !r.Time.After(q.Until)) &&
		(q.BeforeID == 0 || r.ID < q.BeforeID)
}

func bruteQuery(all []LogRecord, q LogQuery) (ids []uint64, total int) {
	for i := len(all) - 1; i >= 0; i-- {
		if bruteMatch(q, &all[i]) {
			total++
			if q.Limit <= 0 || len(ids) < q.Limit {
				ids = append(ids, all[i].ID)
			}
		}
	}
	return ids, total
}

func recIDs(recs []LogRecord) []uint64 {
	var ids []uint64
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestQueryLogMatchesBruteForce(t *testing.T) {
	s := openTest(t)
	all := genLogs(3000, 37)
	fillLog(t, s, all)
	checkLogIndexes(t, s)

	at := func(sec int) time.Time { return logBase.Add(time.Duration(sec) * time.Second) }
	tests := []struct {
		name string
		q    LogQuery
	}{
		{"everything", LogQuery{}},
		{"latest 100", LogQuery{Limit: 100}},
		{"failed", LogQuery{Status: LogFailed, Limit: 100}},
		{"failed all", LogQuery{Status: LogFailed}},
		{"job", LogQuery{Job: "matters", Limit: 50}},
		{"platform", LogQuery{Platform: "box"}},
		{"job and status", LogQuery{Job: "contacts", Status: LogSuccess, Limit: 30}},
		{"job platform status", LogQuery{Job: "leads", Platform: "zoom", Status: LogSkipped}},
		{"unknown status", LogQuery{Status: "exploded"}},
		{"job name prefix is not a match", LogQuery{Job: "matter"}},
		{"text ascii any case", LogQuery{Text: "ACME", Limit: 20}},
		{"text with JSON-escaped chars", LogQuery{Text: "smith & jones"}},
		{"text with html", LogQuery{Text: "<b>estate"}},
		{"text non-ascii", LogQuery{Text: "MÜLLER"}},
		{"text in error", LogQuery{Text: "already taken", Job: "matters"}},
		{"text in source id", LogQuery{Text: "matter:42"}},
		{"text no match", LogQuery{Text: "zzzz"}},
		{"since", LogQuery{Since: at(1200)}},
		{"until", LogQuery{Until: at(100), Limit: 10}},
		{"since and until with status", LogQuery{Since: at(200), Until: at(900), Status: LogFailed}},
		{"window between records", LogQuery{Since: at(300).Add(time.Millisecond), Until: at(301).Add(-time.Millisecond)}},
		{"since after everything", LogQuery{Since: at(5000)}},
		{"until before everything", LogQuery{Until: at(-1)}},
		{"before id", LogQuery{BeforeID: 1500, Limit: 25}},
		{"before id with job", LogQuery{BeforeID: 1500, Job: "documents", Limit: 25}},
		{"before id 1", LogQuery{BeforeID: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.QueryLog(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			wantIDs, wantTotal := bruteQuery(all, tt.q)
			if gotIDs := recIDs(got); !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("QueryLog IDs = %v\nwant %v", gotIDs, wantIDs)
			}
			n, err := s.CountLog(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if n != wantTotal {
				t.Errorf("CountLog = %d, want %d", n, wantTotal)
			}
		})
	}
}

func TestQueryLogPagesWithBeforeID(t *testing.T) {
	s := openTest(t)
	all := genLogs(2000, 11)
	fillLog(t, s, all)
	want, _ := bruteQuery(all, LogQuery{Status: LogFailed, Job: "matters"})

	var got []uint64
	q := LogQuery{Status: LogFailed, Job: "matters", Limit: 7}
	for {
		page, err := s.QueryLog(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, recIDs(page)...)
		q.BeforeID = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged IDs = %v\nwant %v", got, want)
	}
}

func TestAppendLogAssignsMonotonicIDsAndTime(t *testing.T) {
	s := openTest(t)
	before := time.Now()
	ids, err := s.AppendLog(LogRecord{Job: "a"}, LogRecord{Job: "b", ID: 999})
	if err != nil {
		t.Fatal(err)
	}
	more, err := s.AppendLog(LogRecord{Job: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(append(ids, more...), []uint64{1, 2, 3}) {
		t.Errorf("IDs = %v %v; want 1 2 3", ids, more)
	}
	rec, err := s.LogRecordByID(2)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != 2 || rec.Job != "b" || rec.Time.Before(before) {
		t.Errorf("record 2 = %+v", rec)
	}
	if _, err := s.LogRecordByID(42); !errors.Is(err, ErrNotFound) {
		t.Errorf("LogRecordByID(42) = %v; want ErrNotFound", err)
	}
}

func TestUpdateLogMovesIndexes(t *testing.T) {
	s := openTest(t)
	ids, err := s.AppendLog(
		LogRecord{Job: "matters", Platform: "box", Status: LogPending, ItemKey: "matter:1"},
		LogRecord{Job: "matters", Platform: "box", Status: LogPending, ItemKey: "matter:2"},
	)
	if err != nil {
		t.Fatal(err)
	}
	err = s.UpdateLog(ids[0], func(r *LogRecord) {
		r.Status = LogFailed
		r.Error = "quota exceeded"
		r.Platform = ""
		r.ID = 77 // ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	checkLogIndexes(t, s)
	tests := []struct {
		q    LogQuery
		want int
	}{
		{LogQuery{Status: LogPending}, 1},
		{LogQuery{Status: LogFailed}, 1},
		{LogQuery{Platform: "box"}, 1},
		{LogQuery{Job: "matters"}, 2},
		{LogQuery{Text: "QUOTA"}, 1},
	}
	for _, tt := range tests {
		if n, err := s.CountLog(tt.q); err != nil || n != tt.want {
			t.Errorf("CountLog(%+v) = %d, %v; want %d", tt.q, n, err, tt.want)
		}
	}
	if err := s.UpdateLog(999, func(*LogRecord) {}); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateLog(999) = %v; want ErrNotFound", err)
	}
}

// BenchmarkQueryLog measures the common log views over 200,000 records, 1%
// of them failed.
func BenchmarkQueryLog(b *testing.B) {
	s := openTest(b)
	all := genLogs(200_000, 100)
	fillLog(b, s, all)
	cases := []struct {
		name string
		q    LogQuery
	}{
		{"latest100", LogQuery{Limit: 100}},
		{"failed100", LogQuery{Status: LogFailed, Limit: 100}},
		{"job100", LogQuery{Job: "matters", Limit: 100}},
		{"failedJob100", LogQuery{Status: LogFailed, Job: "matters", Limit: 100}},
		{"failedPage", LogQuery{Status: LogFailed, Limit: 100, BeforeID: 100_000}},
		{"lastHour100", LogQuery{Since: all[len(all)-1].Time.Add(-time.Hour), Limit: 100}},
		{"text100", LogQuery{Text: "acme", Limit: 100}},
		{"textRare", LogQuery{Text: "matter:4242", Limit: 100}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.QueryLog(c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	counts := []struct {
		name string
		q    LogQuery
	}{
		{"countAll", LogQuery{}},
		{"countFailed", LogQuery{Status: LogFailed}},
		{"countFailedJob", LogQuery{Status: LogFailed, Job: "matters"}},
		{"countSinceDay", LogQuery{Since: all[len(all)-1].Time.Add(-24 * time.Hour)}},
	}
	for _, c := range counts {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountLog(c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
