package main

// The Firmsync child process. Syncs whose memory, CPU and wall time matter
// run in a separate process: the bench re-executes its own binary with
// SYNCBENCH_CHILD set, and that process opens a core.App wired to the
// bench's sandbox (core.Options.ExternalSandbox), runs the jobs one after
// the other, and prints one JSON line with what each job did and what
// the sandbox saw it send.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// Environment of the child process.
const (
	envChild   = "SYNCBENCH_CHILD"   // "sync" or "move"
	envSandbox = "SYNCBENCH_SANDBOX" // the sandbox's Info as JSON
	envData    = "SYNCBENCH_DATA"    // the data directory
	envJobs    = "SYNCBENCH_JOBS"    // jobs to run, comma-separated; "" = all
	envPMS     = "SYNCBENCH_PMS"     // the firm's practice-management system
)

// ChildJob is one job's run in the child.
type ChildJob struct {
	core.JobResult
	WallMS int64  `json:"wall_ms"`
	Counts Counts `json:"counts"`
}

// ChildResult is what the child prints.
type ChildResult struct {
	Jobs []ChildJob `json:"jobs"`
	// Items parked as "needs attention" by this sync, split into those
	// with no matching record (the demo firm has such meetings on
	// purpose) and the rest; Retrying failed and will be tried again.
	NoMatch  int      `json:"no_match"`
	Parked   int      `json:"parked"`
	Retrying int      `json:"retrying"`
	Samples  []string `json:"samples,omitempty"` // a few failure messages
	// The move child: resident memory before and at the peak of the
	// measured job, and how the peak was read.
	RSSBeforeKiB int64  `json:"rss_before_kib,omitempty"`
	RSSPeakKiB   int64  `json:"rss_peak_kib,omitempty"`
	PeakHow      string `json:"peak_how,omitempty"`
	Error        string `json:"error,omitempty"`
}

// Wall is the sum of the jobs' wall times.
func (r ChildResult) Wall() time.Duration {
	var d time.Duration
	for _, j := range r.Jobs {
		d += time.Duration(j.WallMS) * time.Millisecond
	}
	return d
}

// Counts sums the jobs' request counts.
func (r ChildResult) Counts() Counts {
	c := Counts{}
	for _, j := range r.Jobs {
		c = c.Add(j.Counts)
	}
	return c
}

// isChild reports whether this process was started as the child.
func isChild() bool { return os.Getenv(envChild) != "" }

// childMain runs the child and returns its exit code.
func childMain() int {
	res, err := runChild(context.Background(), os.Getenv(envChild))
	if err != nil {
		res.Error = err.Error()
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	if err != nil {
		return 1
	}
	return 0
}

func runChild(ctx context.Context, mode string) (ChildResult, error) {
	var res ChildResult
	var info sandbox.Info
	if err := json.Unmarshal([]byte(os.Getenv(envSandbox)), &info); err != nil {
		return res, fmt.Errorf("reading %s: %w", envSandbox, err)
	}
	kind := os.Getenv(envPMS)
	app, err := core.Open(ctx, core.Options{DataDir: os.Getenv(envData), ExternalSandbox: &info, Secrets: secrets.NewMemory(), PMS: kind})
	if err != nil {
		return res, err
	}
	defer app.Close()
	// Tokens live in memory, so every process connects afresh; do it
	// before measuring, as the baseline starts with its tokens too.
	for _, p := range core.PlatformsFor(kind) {
		if _, err := app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			return res, fmt.Errorf("connecting %s to the sandbox: %w", p, err)
		}
	}
	jobs := core.Jobs()
	if s := os.Getenv(envJobs); s != "" {
		jobs = strings.Split(s, ",")
	}
	start := time.Now()
	run := func(job string) error {
		before, err := remoteStats(ctx, info.Admin)
		if err != nil {
			return err
		}
		t := time.Now()
		sr := app.Sync(ctx, []string{job}, false)
		wall := time.Since(t)
		after, err := remoteStats(ctx, info.Admin)
		if err != nil {
			return err
		}
		for _, jr := range sr.Jobs {
			res.Jobs = append(res.Jobs, ChildJob{JobResult: jr, WallMS: wall.Milliseconds(), Counts: statsDelta(kind, before, after)})
		}
		return nil
	}
	if mode == "move" {
		// Warm up with every other job, then measure the documents job.
		for _, j := range core.Jobs() {
			if j != core.JobDocuments {
				if err := run(j); err != nil {
					return res, err
				}
			}
		}
		stop := make(chan struct{})
		var sampled atomic.Int64
		go func() {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if kb, ok := rssKiB(0); ok && kb > sampled.Load() {
						sampled.Store(kb)
					}
				}
			}
		}()
		res.RSSBeforeKiB, _ = rssKiB(0)
		reset := resetPeakRSS()
		err := run(core.JobDocuments)
		close(stop)
		hwm, ok := hwmKiB(0)
		switch {
		case reset && ok:
			res.RSSPeakKiB, res.PeakHow = hwm, "VmHWM after clear_refs"
		default:
			res.RSSPeakKiB, res.PeakHow = sampled.Load(), "VmRSS sampled every 5 ms"
		}
		if err != nil {
			return res, err
		}
	} else {
		for _, j := range jobs {
			if err := run(j); err != nil {
				return res, err
			}
		}
	}
	classifyFailures(app.Store(), start, &res)
	return res, nil
}

// classifyFailures reads this sync's failed and parked items from the log.
func classifyFailures(st *store.Store, since time.Time, res *ChildResult) {
	parked, _ := st.QueryLog(store.LogQuery{Status: store.LogNeedsAttention, Since: since})
	for _, r := range parked {
		if strings.Contains(r.Error, "no match") {
			res.NoMatch++
			continue
		}
		res.Parked++
		if len(res.Samples) < 5 {
			res.Samples = append(res.Samples, r.Job+": "+r.Object+": "+r.Error)
		}
	}
	failed, _ := st.QueryLog(store.LogQuery{Status: store.LogFailed, Since: since})
	res.Retrying = len(failed)
	for _, r := range failed {
		if len(res.Samples) < 5 {
			res.Samples = append(res.Samples, r.Job+": "+r.Object+": "+r.Error)
		}
	}
}

func remoteStats(ctx context.Context, admin string) (sandbox.Stats, error) {
	var s sandbox.Stats
	err := sandbox.Admin(ctx, admin, "GET", "/stats", nil, &s)
	return s, err
}

// childRun is one finished child process, seen from the bench.
type childRun struct {
	Result    ChildResult
	Wall      time.Duration // process start to exit
	CPU       time.Duration // user+system (rusage)
	MaxRSSKiB int64         // peak resident memory over its life (rusage)
}

// runChildProcess starts the child on the bench's sandbox and waits for it.
func runChildProcess(ctx context.Context, mode, kind string, info sandbox.Info, dataDir string, jobs []string) (childRun, error) {
	var cr childRun
	self, err := os.Executable()
	if err != nil {
		return cr, err
	}
	ib, err := json.Marshal(info)
	if err != nil {
		return cr, err
	}
	cmd := exec.CommandContext(ctx, self, childArgs()...)
	cmd.Env = append(os.Environ(), envChild+"="+mode, envSandbox+"="+string(ib), envData+"="+dataDir, envJobs+"="+strings.Join(jobs, ","), envPMS+"="+kind)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &limitedBuffer{buf: &errb, max: 64 << 10}
	start := time.Now()
	runErr := cmd.Run()
	cr.Wall = time.Since(start)
	cr.CPU, cr.MaxRSSKiB = childRusage(cmd.ProcessState)
	line := lastLine(out.Bytes())
	if err := json.Unmarshal(line, &cr.Result); err != nil {
		return cr, fmt.Errorf("the Firmsync child printed no result (%v): %s %s", runErr, bytes.TrimSpace(out.Bytes()), bytes.TrimSpace(errb.Bytes()))
	}
	if cr.Result.Error != "" {
		return cr, errors.New("the Firmsync child failed: " + cr.Result.Error)
	}
	return cr, nil
}

// childArgs are the arguments that make a re-executed binary behave as
// the child: none for the syncbench binary; the test binary must run no
// tests (its TestMain sees the environment first).
var childArgs = func() []string { return nil }

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

var _ io.Writer = (*limitedBuffer)(nil)
