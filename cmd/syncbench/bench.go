package main

// The bench: configuration, and the scenarios run in order into a Report.

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/pms"
)

// Scenario names, as --skip takes them.
var scenarioNames = []string{"initial", "quiet", "busy", "latency", "move", "idle", "cli"}

type config struct {
	pms        string // the firm's practice-management system (sandbox.Clio, …)
	scale      float64
	repeat     int
	json       bool
	window     time.Duration // sandbox RateWindow; 0 = real windows
	skip       map[string]bool
	idle       time.Duration
	events     int
	bigDoc     int64
	logRecords int
	seed       int64
	firmsync   string // a built firmsync binary; "" builds one
	keep       bool   // keep the temporary directory
	command    string // the command line, for the report
	progress   io.Writer
	tmp        string
	started    time.Time
}

func (c *config) size() sandbox.Size { return sandbox.BenchSize(c.scale) }

func (c *config) progressf(format string, a ...any) {
	if c.progress == nil {
		return
	}
	fmt.Fprintf(c.progress, "[%6.0fs] %s\n", time.Since(c.started).Seconds(), fmt.Sprintf(format, a...))
}

// run runs every scenario not skipped. Scenario failures are recorded in
// the report and the rest still run.
func run(ctx context.Context, cfg *config) (*Report, error) {
	cfg.started = time.Now()
	r := &Report{Command: cfg.command, Machine: machine(), Started: cfg.started, Scale: cfg.scale, Size: cfg.size(),
		Repeat: cfg.repeat, RateWindow: "real"}
	if cfg.pms != sandbox.Clio {
		r.PMS = cfg.pms
	}
	if cfg.window > 0 {
		r.RateWindow = cfg.window.String()
	}
	for _, s := range scenarioNames {
		if cfg.skip[s] {
			r.Skipped = append(r.Skipped, s)
		}
	}
	tmp, err := os.MkdirTemp("", "syncbench-*")
	if err != nil {
		return nil, err
	}
	cfg.tmp = tmp
	if cfg.keep {
		cfg.progressf("working directory %s (kept)", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	fail := func(scenario string, err error) {
		r.Errors = append(r.Errors, scenario+": "+err.Error())
		cfg.progressf("%s failed: %v", scenario, err)
	}
	want := func(s string) bool { return !cfg.skip[s] }

	if want("initial") || want("quiet") || want("busy") || want("latency") || want("idle") {
		sz := cfg.size()
		cfg.progressf("seeding two sandboxes (the firm in %s): %d contacts, %d matters, %d recordings, %d documents, %d prospects; rate window %s",
			pms.Name(cfg.pms), sz.Contacts, sz.Matters, sz.Recordings, sz.Documents, sz.Prospects, r.RateWindow)
		sb, err := newSyncBench(cfg)
		if err != nil {
			return nil, err
		}
		defer sb.Close()
		sc, err := sb.initial(ctx, want("initial"))
		if err != nil {
			fail("initial sync", err)
		} else if want("initial") {
			r.Initial = sc
		}
		if sb.synced && want("quiet") {
			if r.Quiet, err = sb.quiet(ctx); err != nil {
				fail("quiet-day sync", err)
			}
		}
		if sb.synced && want("busy") {
			if r.Busy, err = sb.busy(ctx); err != nil {
				fail("busy-day sync", err)
			}
		}
		if sb.synced && want("latency") {
			if r.Latency, err = sb.latency(ctx); err != nil {
				fail("event latency", err)
			}
		}
		if sb.synced && cfg.pms != sandbox.Clio {
			r.Duplicates = &Duplicates{Firmsync: countDuplicates(sb.fs, cfg.pms), Baseline: countDuplicates(sb.bs, cfg.pms)}
		}
		if sb.synced && want("idle") {
			if bin, err := firmsyncBinary(ctx, cfg); err != nil {
				fail("building firmsync", err)
			} else if r.Idle, err = sb.idle(ctx, bin); err != nil {
				fail("idle", err)
			}
		}
	}
	if want("move") {
		if r.Move, err = move(ctx, cfg); err != nil {
			fail("large document", err)
			if r.Move != nil && !r.Move.Moved {
				r.Move = nil
			}
		}
	}
	if want("cli") {
		if bin, err := firmsyncBinary(ctx, cfg); err != nil {
			fail("building firmsync", err)
		} else {
			cfg.progressf("writing %d log records; timing status and log…", cfg.logRecords)
			if r.CLI, err = cliLatency(ctx, cfg, bin); err != nil {
				fail("CLI latency", err)
			}
		}
	}
	r.TookSec = time.Since(cfg.started).Seconds()
	r.build(budgetsFor(cfg.window))
	return r, nil
}

// firmsyncBinary builds the real firmsync binary once (or takes --firmsync).
func firmsyncBinary(ctx context.Context, cfg *config) (string, error) {
	if cfg.firmsync != "" {
		return cfg.firmsync, nil
	}
	bin := filepath.Join(cfg.tmp, "firmsync")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // built for an earlier scenario
	}
	cfg.progressf("building firmsync…")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/firmsync/firmsync/cmd/firmsync")
	// Build inside the module even when the bench runs from elsewhere.
	if _, file, _, ok := runtime.Caller(0); ok {
		if fi, err := os.Stat(filepath.Dir(file)); err == nil && fi.IsDir() {
			cmd.Dir = filepath.Dir(file)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, nil
}

// parseSkip reads --skip.
func parseSkip(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(scenarioNames, name) {
			return nil, fmt.Errorf("--skip: unknown scenario %q (valid: %s)", name, strings.Join(scenarioNames, ", "))
		}
		out[name] = true
	}
	return out, nil
}
