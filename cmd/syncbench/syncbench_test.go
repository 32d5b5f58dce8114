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
		if row.Goal != "" && row.Result != "met" && row.Result != "NOT met" && !strings.HasPrefix(row.Result, "not measurable") {
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
