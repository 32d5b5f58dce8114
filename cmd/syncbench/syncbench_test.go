package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/pms"
)

// TestMain lets the test binary act as the Firmsync child process, as the
// syncbench binary does: the bench re-executes os.Args[0].
func TestMain(m *testing.M) {
	if isChild() {
		os.Exit(childMain())
	}
	childArgs = func() []string { return []string{"-test.run=^$"} }
	os.Exit(m.Run())
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestBenchRunsEveryScenarioAtATinyScale runs the whole bench on a tiny
// firm so that it cannot rot: every scenario must produce its rows.
func TestBenchRunsEveryScenarioAtATinyScale(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes and builds firmsync")
	}
	cfg, err := parseFlags([]string{"--scale", "0.004", "--repeat", "1", "--rate-window", "1s", "--events", "2",
		"--idle", "2s", "--bigdoc", "24MiB", "--log-records", "3000"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.progress = testWriter{t}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	r, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("scenarios failed: %v", r.Errors)
	}
	if r.Initial == nil || r.Quiet == nil || r.Busy == nil || r.Latency == nil || r.Move == nil || r.Idle == nil || r.CLI == nil {
		t.Fatalf("a scenario is missing: %+v", r)
	}
	fi, bi := r.Initial.Firmsync[0], r.Initial.Baseline[0]
	if fi.Calls == 0 || bi.Calls == 0 || fi.Failed != 0 {
		t.Errorf("initial sync: Firmsync %d calls, %d failed; baseline %d calls", fi.Calls, fi.Failed, bi.Calls)
	}
	if fq, bq := r.Quiet.Firmsync[0].Calls, r.Quiet.Baseline[0].Calls; fq >= bq {
		t.Errorf("quiet day: Firmsync made %d calls, the baseline %d", fq, bq)
	}
	if b := r.Busy.Busy[0]; b.NewMatters == 0 || b.NewHires == 0 || b.NewMeetings == 0 {
		t.Errorf("busy day changed too little: %+v", b)
	}
	for _, ev := range []LatencyEvent{r.Latency.Matter, r.Latency.Meeting} {
		if len(ev.Samples) != 2 || ev.TimedOut != 0 {
			t.Errorf("%s: %d samples, %d timed out", ev.Event, len(ev.Samples), ev.TimedOut)
		}
	}
	if !r.Move.Moved || r.Move.RSSPeakMiB <= 0 {
		t.Errorf("large document: %+v", r.Move)
	}
	if r.Idle.Serve == nil || r.Idle.Serve.RSSMaxMiB <= 0 || len(r.CLI.StatusMS) != 10 || len(r.CLI.LogMS) != 10 {
		t.Errorf("idle %+v, CLI %+v", r.Idle, r.CLI)
	}

	var md bytes.Buffer
	r.markdown(&md)
	for _, want := range []string{"```\ngo run ./cmd/syncbench --scale 0.004", "| Scenario | Metric | Firmsync | Baseline | Goal | Result |",
		"1. Initial sync", "2. Quiet-day sync", "3. Busy-day sync", "4. Event → effect", "5. Memory and CPU", "Machine: "} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, row := range r.Rows {
		if !hasVerdict(row) {
			t.Errorf("row %q has a goal but no verdict: %+v", row.Metric, row)
		}
	}
	var js bytes.Buffer
	if err := r.writeJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Rows) != len(r.Rows) {
		t.Fatalf("the JSON does not read back: %v", err)
	}
	t.Logf("\n%s", md.String())
}

// hasVerdict: a row with a goal says whether it was met, or why it cannot
// be measured.
func hasVerdict(row Row) bool {
	return row.Goal == "" || row.Result == "met" || row.Result == "NOT met" ||
		strings.HasPrefix(row.Result, "not measurable") || strings.HasPrefix(row.Result, "no webhook")
}

// TestBenchCoreScenariosOnEverySystem runs the sync, latency and
// large-document scenarios on a tiny firm in each practice-management
// system and checks that the report has every row (no timing asserts).
func TestBenchCoreScenariosOnEverySystem(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	for _, kind := range []string{sandbox.Clio, sandbox.MyCase, sandbox.Smokeball} {
		t.Run(kind, func(t *testing.T) {
			args := []string{"--pms", kind, "--scale", "0.004", "--repeat", "1", "--rate-window", "1s", "--events", "2",
				"--bigdoc", "8MiB", "--skip", "idle,cli"}
			if kind == sandbox.Clio {
				args[len(args)-1] = "idle,cli,move" // the whole-bench test moves Clio's
			}
			cfg, err := parseFlags(args)
			if err != nil {
				t.Fatal(err)
			}
			cfg.progress = testWriter{t}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			r, err := run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) > 0 {
				t.Fatalf("scenarios failed: %v", r.Errors)
			}
			var md bytes.Buffer
			r.markdown(&md)
			defer func() {
				if t.Failed() {
					t.Logf("\n%s", md.String())
				}
			}()
			want := []string{
				"1. Initial sync|wall time", "1. Initial sync|API calls", "1. Initial sync|achieved ÷ allowed request rate on the bottleneck",
				"1. Initial sync|429s received", "1. Initial sync|permanent failures",
				"2. Quiet-day sync|API calls", "2. Quiet-day sync|wall time",
				"3. Busy-day sync (1% changed)|API calls", "3. Busy-day sync (1% changed)|wall time",
			}
			sys := pms.Name(kind)
			events := []string{"new matter in " + sys, "Zoom meeting ended"}
			if kind == sandbox.MyCase {
				events[0] = "new case in MyCase"
			}
			if kind != sandbox.Clio {
				doc := "new document in " + sys
				if kind == sandbox.Smokeball {
					doc = "new file in Smokeball"
				}
				events = append(events, "new contact in "+sys, doc)
				want = append(want, "Duplicates (scenarios 1–4)|objects made twice", "5. Memory and CPU|peak RSS growth moving a 8 MiB document "+sys+" → Box")
			}
			for _, ev := range events {
				want = append(want, "4. Event → effect: "+ev+" → |latency")
			}
			for _, w := range want {
				sc, metric, _ := strings.Cut(w, "|")
				found := false
				for _, row := range r.Rows {
					if strings.HasPrefix(row.Scenario, sc) && strings.HasPrefix(row.Metric, metric) {
						found = true
					}
				}
				if !found {
					t.Errorf("no row %q", w)
				}
			}
			if n := 9 + len(events); kind == sandbox.Clio && len(r.Rows) != n {
				t.Errorf("Clio's table has %d rows, want %d (it must not change)", len(r.Rows), n)
			}
			for _, row := range r.Rows {
				if !hasVerdict(row) {
					t.Errorf("row %q has a goal but no verdict: %+v", row.Metric, row)
				}
				if strings.HasPrefix(row.Scenario, "4. Event") && strings.Contains(row.Scenario, "new document in MyCase") != strings.HasPrefix(row.Result, "no webhook") {
					t.Errorf("row %q: only MyCase's documents come without a webhook: %+v", row.Scenario, row)
				}
			}
			if kind != sandbox.Clio {
				if !strings.Contains(md.String(), "Firm in "+sys+":") {
					t.Errorf("the Markdown does not name %s", sys)
				}
				if r.Move == nil || !r.Move.Moved || r.Move.From != sys {
					t.Errorf("large document: %+v", r.Move)
				}
			}
			if fi := r.Initial.Firmsync[0]; fi.Calls == 0 || fi.Counts[kind].Requests == 0 {
				t.Errorf("initial sync: Firmsync sent %s nothing: %+v", sys, fi.Counts)
			}
			if bi := r.Initial.Baseline[0]; bi.Counts[kind].Requests == 0 || bi.Failed != 0 {
				t.Errorf("initial sync: the baseline sent %s %d requests, %d failed: %v", sys, bi.Counts[kind].Requests, bi.Failed, bi.Samples)
			}
		})
	}
}

func TestBudgetSimAdmitsAsEarlyAsEachBudgetAllows(t *testing.T) {
	tests := []struct {
		name   string
		window time.Duration
		jobs   []Counts
		want   []time.Duration
		plat   string
	}{
		{"nothing", 0, []Counts{{}}, []time.Duration{0}, ""},
		{"one burst", 0, []Counts{{sandbox.Clio: {Limited: 50}}}, []time.Duration{0}, sandbox.Clio},
		{"one more than a burst", 0, []Counts{{sandbox.Clio: {Limited: 51}}}, []time.Duration{time.Minute}, sandbox.Clio},
		{"a scaled window", 2 * time.Second, []Counts{{sandbox.Clio: {Limited: 51}}}, []time.Duration{2 * time.Second}, sandbox.Clio},
		{"Box's rolling window", 0, []Counts{{sandbox.Box: {Limited: 2500}}}, []time.Duration{2 * time.Minute}, sandbox.Box},
		{"the slower platform wins", 0, []Counts{{sandbox.Clio: {Limited: 101}, sandbox.Lawmatics: {Limited: 51}}}, []time.Duration{2 * time.Minute}, sandbox.Clio},
		{"Zoom's slowest label", 0, []Counts{{sandbox.Zoom: {Limited: 90, Labels: map[string]int{"Light": 61, "Phone Light": 29}}}}, []time.Duration{2 * time.Second}, sandbox.Zoom},
		{"Zoom scaled, at least 10 ms", 300 * time.Millisecond, []Counts{{sandbox.Zoom: {Limited: 21, Labels: map[string]int{"Medium": 21}}}}, []time.Duration{10 * time.Millisecond}, sandbox.Zoom},
		{"a budget spent by the previous job", 0, []Counts{{sandbox.Box: {Limited: 1000}}, {sandbox.Box: {Limited: 1}}}, []time.Duration{0, time.Minute}, sandbox.Box},
		{"MyCase's window", 0, []Counts{{sandbox.MyCase: {Limited: 26}}}, []time.Duration{time.Second}, sandbox.MyCase},
		{"Smokeball's burst", 0, []Counts{{sandbox.Smokeball: {Limited: 5, Labels: map[string]int{"GET /contacts": 5}}}}, []time.Duration{0}, sandbox.Smokeball},
		{"Smokeball refills 5 a second", 0, []Counts{{sandbox.Smokeball: {Limited: 7, Labels: map[string]int{"GET /contacts": 7}}}}, []time.Duration{400 * time.Millisecond}, sandbox.Smokeball},
		{"Smokeball's buckets are per endpoint", 0, []Counts{{sandbox.Smokeball: {Limited: 10, Labels: map[string]int{"GET /contacts": 5, "GET /matters": 5}}}}, []time.Duration{0}, sandbox.Smokeball},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := budgetsFor(tt.window).sim()
			for i, c := range tt.jobs {
				need, plat, _ := sim.job(c)
				if need != tt.want[i] {
					t.Errorf("job %d needs %v, want %v", i, need, tt.want[i])
				}
				if i == len(tt.jobs)-1 && plat != tt.plat {
					t.Errorf("bottleneck %q, want %q", plat, tt.plat)
				}
			}
		})
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"1GiB": 1 << 30, "256MiB": 256 << 20, "64KiB": 64 << 10, "1000": 1000, "12B": 12} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GiB", "-1MiB", "1TB"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) accepted", bad)
		}
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if m := median(xs); m != 3 {
		t.Errorf("median = %v", m)
	}
	if q := quantile([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}, 0.95); q != 20 {
		t.Errorf("p95 = %v", q)
	}
	if median(nil) != 0 {
		t.Error("median of nothing")
	}
}

func TestParseFlagsRejectsUnknownScenarios(t *testing.T) {
	if _, err := parseFlags([]string{"--skip", "initial,nonsense"}); err == nil {
		t.Error("--skip nonsense accepted")
	}
	cfg, err := parseFlags([]string{"--skip", "idle, cli", "--scale", "0.1"})
	if err != nil || !cfg.skip["idle"] || !cfg.skip["cli"] || cfg.skip["initial"] {
		t.Errorf("parseFlags: %+v, %v", cfg, err)
	}
	if cfg.command != "go run ./cmd/syncbench --skip \"idle, cli\" --scale 0.1" {
		t.Errorf("command = %q", cfg.command)
	}
}
