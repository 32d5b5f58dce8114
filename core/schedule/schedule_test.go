package schedule_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core/schedule"
)

func TestParseAcceptsCronAndIntervals(t *testing.T) {
	cases := map[string]schedule.Spec{
		"every 15m":          {Every: 15 * time.Minute},
		"15m":                {Every: 15 * time.Minute},
		"Every 6h":           {Every: 6 * time.Hour},
		"0 7 * * *":          {Cron: "0 7 * * *"},
		" 0  6 * * MON-FRI ": {Cron: "0 6 * * MON-FRI"},
		"*/15 8-18 * * 1-5":  {Cron: "*/15 8-18 * * 1-5"},
		"0 0 1 JAN,JUL *":    {Cron: "0 0 1 JAN,JUL *"},
	}
	for in, want := range cases {
		got, err := schedule.Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
}

func TestParseNamesTheWrongField(t *testing.T) {
	cases := map[string]string{
		"61 7 * * *":     "minute field",
		"0 24 * * *":     "hour field",
		"0 7 0 * *":      "day-of-month field",
		"0 7 * 13 *":     "month field",
		"0 7 * * FUNDAY": "day-of-week field",
		"0 7 * *":        "want 5",
		"0 7 * * * *":    "want 5",
		"*/0 * * * *":    "minute field",
		"0 18-8 * * *":   "runs backwards",
		"every 10s":      "shorter than the minimum",
		"every soon":     "not a duration",
		"":               "empty schedule",
	}
	for in, want := range cases {
		_, err := schedule.Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %v; want it to mention %q", in, err, want)
		}
	}
}

func TestDefaultsParse(t *testing.T) {
	specs, err := schedule.ParseAll(schedule.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if specs["folders"].Every != 15*time.Minute || specs["recordings"].Cron != "0 7 * * *" {
		t.Fatalf("defaults %+v", specs)
	}
	if _, err := schedule.ParseAll(map[string]string{"folders": "bad"}); err == nil || !strings.Contains(err.Error(), "folders schedule") {
		t.Fatalf("error does not name the job: %v", err)
	}
}

// recorder collects triggers.
type recorder struct {
	mu   sync.Mutex
	jobs []string
	ch   chan string
}

func (r *recorder) trigger(_ context.Context, job string) {
	r.mu.Lock()
	r.jobs = append(r.jobs, job)
	r.mu.Unlock()
	r.ch <- job
}

func TestMissedRunsCatchUpOnceAtStart(t *testing.T) {
	loc := time.UTC
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, loc) // 09:30
	last := map[string]time.Time{
		"recordings": now.Add(-72 * time.Hour),                 // off for three days: missed three 07:00 slots
		"documents":  time.Date(2026, 11, 24, 6, 5, 0, 0, loc), // ran after today's 06:00
		"folders":    now.Add(-10 * time.Minute),               // not due for 5 more minutes
		"intake":     now.Add(-16 * time.Minute),               // due a minute ago
	}
	rec := &recorder{ch: make(chan string, 10)}
	s := schedule.New(schedule.Options{
		Location: loc, Now: func() time.Time { return now }, Trigger: rec.trigger,
		LastRun: func(j string) (time.Time, bool) { t, ok := last[j]; return t, ok },
	})
	specs, _ := schedule.ParseAll(map[string]string{
		"recordings": "0 7 * * *", "documents": "0 6 * * *", "folders": "every 15m", "intake": "every 15m", "contacts": "every 6h",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx, specs); err != nil {
		t.Fatal(err)
	}
	// contacts never ran, recordings missed (once, not three times), intake is due.
	want := []string{"contacts", "intake", "recordings"}
	rec.mu.Lock()
	got := append([]string(nil), rec.jobs...)
	rec.mu.Unlock()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("caught up %v, want %v", got, want)
	}
	if nr := s.NextRun("folders"); nr.IsZero() {
		t.Fatal("no next run for folders")
	}
	s.Pause()
	if !s.Paused() || !s.NextRun("folders").IsZero() {
		t.Fatal("pause did not stop schedules")
	}
}

func TestIntervalScheduleFires(t *testing.T) {
	rec := &recorder{ch: make(chan string, 10)}
	s := schedule.New(schedule.Options{Trigger: rec.trigger, LastRun: func(string) (time.Time, bool) { return time.Now(), true }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A cron that fires every minute is the shortest real schedule; use a
	// one-minute interval built directly to keep the test fast enough.
	if err := s.Start(ctx, map[string]schedule.Spec{"folders": {Every: time.Second}}); err != nil {
		t.Fatal(err)
	}
	select {
	case j := <-rec.ch:
		if j != "folders" {
			t.Fatalf("fired %s", j)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("interval schedule never fired")
	}
}
