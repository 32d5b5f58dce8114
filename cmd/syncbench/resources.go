package main

// Scenario 5: memory and CPU. A large document moved Clio → Box by the
// Firmsync child (from the firm's practice-management system); the real `firmsync status` and `firmsync log --limit 100`
// on a data directory holding a large log. (Idle processes: idle.go.)

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// MoveResult is the large-document move.
type MoveResult struct {
	Bytes        int64   `json:"bytes"`
	From         string  `json:"from,omitempty"` // the system it came from; "" = Clio
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
	kind := cfg.pms
	proxy, err := newBigDocProxy(sb.BaseURL(kind), cfg.bigDoc)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()
	info := sb.Info()
	ci := info.Platforms[kind]
	ci.APIBase, ci.OAuthBase = proxy.URL(), proxy.URL()
	if kind == sandbox.Clio {
		ci.APIBase += "/api/v4"
	}
	info.Platforms[kind] = ci
	data := filepath.Join(cfg.tmp, "move-data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	// First sync: the matter gets its folder, the small document moves.
	if _, err := runChildProcess(ctx, "sync", kind, info, data, nil); err != nil {
		return nil, err
	}
	f := readFirm(sb, kind, size)
	if len(f.matters) == 0 {
		return nil, fmt.Errorf("the move sandbox has no open matter")
	}
	const name = "Large scan.bin"
	placeholder := []byte("placeholder: the bench streams the real content")
	if kind == sandbox.Clio {
		doc, err := sb.Clio().AddDocument(i64(f.matters[0]), name, placeholder)
		if err != nil {
			return nil, err
		}
		proxy.doc.Store(doc.ID)
	} else {
		// MyCase and Smokeball hand out pre-signed storage URLs on the
		// fake's own host (the proxy's, as it keeps the Host header): from
		// now on every storage download is the large content, and the
		// documents job downloads nothing else (the rest is in Box).
		if err := pmsOf(sb, kind).addDocument(f.matters[0], name, placeholder); err != nil {
			return nil, err
		}
		proxy.storage.Store(true)
	}
	before := sb.StatsSnapshot()
	cfg.progressf("moving a %d MiB document %s → Box…", cfg.bigDoc>>20, pms.Name(kind))
	cr, err := runChildProcess(ctx, "move", kind, info, data, nil)
	if err != nil {
		return nil, err
	}
	r := cr.Result
	res := &MoveResult{Bytes: cfg.bigDoc, Source: "streamed by the bench's proxy in front of the fake Clio (the fake holds at most 64 MiB per document)",
		RSSBeforeMiB: kib(r.RSSBeforeKiB), RSSPeakMiB: kib(r.RSSPeakKiB), PeakHow: r.PeakHow, ProcMaxMiB: kib(cr.MaxRSSKiB),
		BoxRequests: statsDelta(kind, before, sb.StatsSnapshot())[sandbox.Box].Requests}
	if kind != sandbox.Clio {
		res.From = pms.Name(kind)
		res.Source = fmt.Sprintf("streamed by the bench's proxy in front of the fake %s, as the content of its pre-signed storage URL (the fake holds at most %d MiB per document)",
			pms.Name(kind), maxFakeUpload(kind)>>20)
	}
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

// maxFakeUpload is the fake's cap on one document's size.
func maxFakeUpload(kind string) int64 {
	if kind == sandbox.MyCase {
		return mycasefake.MaxUploadSize
	}
	return smokeballfake.MaxUploadSize
}

func kib(n int64) float64 { return float64(n) / 1024 }

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
