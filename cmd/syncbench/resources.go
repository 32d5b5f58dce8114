package main

// Scenario 5: memory and CPU. A large document moved Clio → Box by the
// Firmsync child; the real `firmsync serve --sandbox` left idle; the real
// `firmsync status` and `firmsync log --limit 100` on a data directory
// holding a large log.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/store"
)

// MoveResult is the large-document move.
type MoveResult struct {
	Bytes        int64   `json:"bytes"`
	Source       string  `json:"source"`
	Moved        bool    `json:"moved"` // Box holds a file of that size
	WallSec      float64 `json:"wall_sec"`
	MiBPerSec    float64 `json:"mib_per_sec"`
	RSSBeforeMiB float64 `json:"rss_before_mib"`
	RSSPeakMiB   float64 `json:"rss_peak_mib"`
	GrowthMiB    float64 `json:"growth_mib"`
	PeakHow      string  `json:"peak_how"`
	ProcMaxMiB   float64 `json:"process_max_rss_mib"` // rusage over the child's whole life
	BoxRequests  int     `json:"box_requests"`
}

// IdleResult is `firmsync serve --sandbox` left alone.
type IdleResult struct {
	Seconds    float64 `json:"seconds"`
	RSSMaxMiB  float64 `json:"rss_max_mib"`
	RSSLastMiB float64 `json:"rss_last_mib"`
	// At the RSS maximum: anonymous memory (heap, stacks) and file-backed
	// pages (mostly the binary's own code, mapped from disk and shared).
	AnonMiB   float64 `json:"rss_anon_mib"`
	FileMiB   float64 `json:"rss_file_mib"`
	BinaryMiB float64 `json:"binary_mib"`
	// Plain is `firmsync serve` without --sandbox, for comparison.
	Plain      *IdleResult `json:"plain,omitempty"`
	CPUPercent float64     `json:"cpu_percent"` // of one core
	CPUSec     float64     `json:"cpu_sec"`
	SettleSec  float64     `json:"settle_sec"` // start-up until the first syncs finished
}

// CLIResult is the CLI's latency on a large log.
type CLIResult struct {
	Records   int       `json:"records"`
	StatusMS  []float64 `json:"status_ms"`
	LogMS     []float64 `json:"log_ms"`
	StatusMed float64   `json:"status_median_ms"`
	LogMed    float64   `json:"log_median_ms"`
	LogLines  int       `json:"log_lines"`
}

// move measures the Firmsync child's resident memory while it moves one
// large document from Clio to Box.
func move(ctx context.Context, cfg *config) (*MoveResult, error) {
	size := sandbox.Size{Contacts: 2, Matters: 1, Documents: 1, Recordings: 1, Prospects: 1}
	sb, err := sandbox.Start(sandbox.Options{Size: size, Seed: cfg.seed, RateWindow: cfg.window})
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	proxy, err := newBigDocProxy(sb.BaseURL(sandbox.Clio), cfg.bigDoc)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()
	info := sb.Info()
	ci := info.Platforms[sandbox.Clio]
	ci.APIBase, ci.OAuthBase = proxy.URL()+"/api/v4", proxy.URL()
	info.Platforms[sandbox.Clio] = ci
	data := filepath.Join(cfg.tmp, "move-data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	// First sync: the matter gets its folder, the small document moves.
	if _, err := runChildProcess(ctx, "sync", info, data, nil); err != nil {
		return nil, err
	}
	f := readFirm(sb, size)
	if len(f.matters) == 0 {
		return nil, fmt.Errorf("the move sandbox has no open matter")
	}
	const name = "Large scan.bin"
	doc, err := sb.Clio().AddDocument(f.matters[0], name, []byte("placeholder: the bench streams the real content"))
	if err != nil {
		return nil, err
	}
	proxy.doc.Store(doc.ID)
	before := sb.StatsSnapshot()
	cfg.progressf("moving a %d MiB document Clio → Box…", cfg.bigDoc>>20)
	cr, err := runChildProcess(ctx, "move", info, data, nil)
	if err != nil {
		return nil, err
	}
	r := cr.Result
	res := &MoveResult{Bytes: cfg.bigDoc, Source: "streamed by the bench's proxy in front of the fake Clio (the fake holds at most 64 MiB per document)",
		RSSBeforeMiB: kib(r.RSSBeforeKiB), RSSPeakMiB: kib(r.RSSPeakKiB), PeakHow: r.PeakHow, ProcMaxMiB: kib(cr.MaxRSSKiB),
		BoxRequests: statsDelta(before, sb.StatsSnapshot())[sandbox.Box].Requests}
	res.GrowthMiB = res.RSSPeakMiB - res.RSSBeforeMiB
	for _, j := range r.Jobs {
		if j.Job == core.JobDocuments {
			res.WallSec = float64(j.WallMS) / 1000
		}
	}
	if res.WallSec > 0 {
		res.MiBPerSec = float64(cfg.bigDoc) / (1 << 20) / res.WallSec
	}
	for _, bf := range sb.Box().Files() {
		if bf.Name == name && bf.Size == cfg.bigDoc {
			res.Moved = true
		}
	}
	if !res.Moved {
		return res, fmt.Errorf("the large document did not arrive in Box (proxy sent %d bytes; child said %v)", proxy.served.Load(), r.Jobs)
	}
	return res, nil
}

func kib(n int64) float64 { return float64(n) / 1024 }

// idle starts `firmsync serve --sandbox`, lets its start-up syncs finish,
// and watches its memory and CPU for cfg.idle. For comparison it then
// watches `firmsync serve` without the sandbox (nothing connected) for a
// shorter while.
func idle(ctx context.Context, cfg *config, bin string) (*IdleResult, error) {
	res, err := watchServe(ctx, cfg, bin, "serve-sandbox", true, cfg.idle)
	if err != nil {
		return nil, err
	}
	if plain, err := watchServe(ctx, cfg, bin, "serve-plain", false, min(cfg.idle, 10*time.Second)); err == nil {
		res.Plain = plain
	} else {
		cfg.progressf("firmsync serve without the sandbox (for comparison only): %v", err)
	}
	return res, nil
}

// watchServe runs `firmsync serve` (with or without --sandbox) on a fresh
// data directory until settled, then samples it for d.
func watchServe(ctx context.Context, cfg *config, bin, name string, sandbox bool, d time.Duration) (*IdleResult, error) {
	data := filepath.Join(cfg.tmp, name)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(cfg.tmp, name+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := []string{"serve", "--data", data}
	if sandbox {
		args = append(args, "--sandbox")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	pid := cmd.Process.Pid
	t0 := time.Now()
	// Settle: every job has run once (the start-up catch-up) and the
	// process spent under 2% of a core over the last second.
	deadline := t0.Add(3 * time.Minute)
	for {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("firmsync %s did not settle within 3 minutes (see %s)", strings.Join(args, " "), logf.Name())
		}
		select {
		case err := <-exited:
			exited <- err
			return nil, fmt.Errorf("firmsync %s exited: %v (see %s)", strings.Join(args, " "), err, logf.Name())
		default:
		}
		if allRan(ctx, bin, data) {
			c0, _ := cpuTime(pid)
			time.Sleep(time.Second)
			c1, _ := cpuTime(pid)
			if c1-c0 < 20*time.Millisecond {
				break
			}
			continue
		}
		time.Sleep(500 * time.Millisecond)
	}
	res := &IdleResult{SettleSec: time.Since(t0).Seconds()}
	if fi, err := os.Stat(bin); err == nil {
		res.BinaryMiB = float64(fi.Size()) / (1 << 20)
	}
	cfg.progressf("%s settled after %.1f s; idle for %s…", name, res.SettleSec, d)
	c0, ok := cpuTime(pid)
	if !ok {
		return nil, fmt.Errorf("cannot read /proc/%d/stat", pid)
	}
	start := time.Now()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < d {
		<-tick.C
		if kb, ok := rssKiB(pid); ok {
			res.RSSLastMiB = kib(kb)
			if res.RSSLastMiB >= res.RSSMaxMiB {
				res.RSSMaxMiB = res.RSSLastMiB
				anon, _ := procField(statusPath(pid), "RssAnon")
				file, _ := procField(statusPath(pid), "RssFile")
				res.AnonMiB, res.FileMiB = kib(anon), kib(file)
			}
		}
	}
	c1, _ := cpuTime(pid)
	res.Seconds = time.Since(start).Seconds()
	res.CPUSec = (c1 - c0).Seconds()
	res.CPUPercent = res.CPUSec / res.Seconds * 100
	return res, nil
}

// allRan asks the running instance (through the real CLI) whether every
// job has a last run.
func allRan(ctx context.Context, bin, data string) bool {
	out, err := exec.CommandContext(ctx, bin, "status", "--json", "--data", data).Output()
	if err != nil {
		return false
	}
	var st core.Status
	if json.Unmarshal(out, &st) != nil || len(st.Jobs) == 0 {
		return false
	}
	for _, j := range st.Jobs {
		if j.LastRun == nil {
			return false
		}
	}
	return true
}

// cliLatency fills a data directory with cfg.logRecords log records and
// times the real CLI's status and log commands on it.
func cliLatency(ctx context.Context, cfg *config, bin string) (*CLIResult, error) {
	data := filepath.Join(cfg.tmp, "cli-data")
	if err := fillLog(data, cfg.logRecords); err != nil {
		return nil, err
	}
	res := &CLIResult{Records: cfg.logRecords}
	time1 := func(args ...string) (float64, []byte, error) {
		t := time.Now()
		out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		d := time.Since(t)
		if err != nil {
			return 0, out, fmt.Errorf("firmsync %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return float64(d.Microseconds()) / 1000, out, nil
	}
	// One unmeasured run of each: the first touches a cold page cache.
	for _, args := range [][]string{{"status", "--data", data}, {"log", "--limit", "100", "--data", data}} {
		if _, _, err := time1(args...); err != nil {
			return nil, err
		}
	}
	for i := 0; i < 10; i++ {
		ms, _, err := time1("status", "--data", data)
		if err != nil {
			return nil, err
		}
		res.StatusMS = append(res.StatusMS, ms)
		ms, out, err := time1("log", "--limit", "100", "--data", data)
		if err != nil {
			return nil, err
		}
		res.LogMS = append(res.LogMS, ms)
		res.LogLines = strings.Count(strings.TrimSpace(string(out)), "\n") // header + records
	}
	res.StatusMed, res.LogMed = median(res.StatusMS), median(res.LogMS)
	return res, nil
}

// fillLog writes n log records (and a run per job) as a busy year of
// syncs would leave them, oldest first.
func fillLog(dir string, n int) error {
	if err := datadir.Prepare(dir); err != nil {
		return err
	}
	st, err := store.Open(datadir.DBPath(dir), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	jobs := core.Jobs()
	statuses := []string{store.LogSuccess, store.LogSuccess, store.LogSuccess, store.LogSuccess, store.LogSkipped, store.LogFailed, store.LogNeedsAttention}
	plats := map[string]string{core.JobContacts: "zoom", core.JobRecordings: "clio", core.JobFolders: "box", core.JobDocuments: "box", core.JobIntake: "clio"}
	start := time.Now().Add(-7 * 24 * time.Hour) // within the log's retention
	step := 7 * 24 * time.Hour / time.Duration(max(1, n))
	const batch = 5000
	for i := 0; i < n; i += batch {
		recs := make([]store.LogRecord, 0, batch)
		for k := i; k < min(n, i+batch); k++ {
			job := jobs[k%len(jobs)]
			rec := store.LogRecord{Time: start.Add(time.Duration(k) * step), RunID: uint64(k/500 + 1), Job: job, Platform: plats[job],
				Action: "sync", Status: statuses[k%len(statuses)], Object: fmt.Sprintf("Matter %05d — Garcia — Divorce", k%1000),
				SourceID: fmt.Sprint(k), ExternalID: fmt.Sprint(100000 + k), ItemKey: fmt.Sprintf("matter:%d", k%1000)}
			if rec.Status == store.LogFailed || rec.Status == store.LogNeedsAttention {
				rec.Error = "box: creating folder: 503 Box is having trouble"
			}
			recs = append(recs, rec)
		}
		if _, err := st.AppendLog(recs...); err != nil {
			return err
		}
	}
	for _, j := range jobs {
		id, err := st.StartRun(store.Run{Job: j, Trigger: "schedule", Start: time.Now().Add(-time.Hour)})
		if err != nil {
			return err
		}
		if err := st.FinishRun(store.Run{ID: id, Job: j, Trigger: "schedule", Start: time.Now().Add(-time.Hour), End: time.Now().Add(-59 * time.Minute),
			Status: store.RunSucceeded, Counts: store.Counts{Created: 3, Unchanged: 500}}); err != nil {
			return err
		}
	}
	return nil
}
