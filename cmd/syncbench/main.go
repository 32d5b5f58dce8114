// Command syncbench measures Firmsync against the seed's design (the
// baseline) on the sandbox and prints a Markdown table (or JSON):
//
//	go run ./cmd/syncbench [--pms clio|mycase|smokeball] [--scale K] [--repeat N] [--json] [--rate-window D] [--skip LIST]
//
// Scenarios: the initial sync of the whole firm, a quiet-day and a
// busy-day sync, event → effect latency through the webhook receiver,
// and memory and CPU (a large document moved, `firmsync serve` idle, the
// CLI on a large log). See the notes under the table for what each
// number means. --pms chooses the firm's practice-management system (the
// sandbox holds the same demo firm in each); the baseline runs the seed's
// strategy against the same system.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/pms"
)

func main() {
	if isChild() {
		os.Exit(childMain())
	}
	os.Exit(realMain(os.Args[1:]))
}

func realMain(args []string) int {
	cfg, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "syncbench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "syncbench:", err)
		return 1
	}
	if cfg.json {
		if err := r.writeJSON(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "syncbench:", err)
			return 1
		}
	} else {
		r.markdown(os.Stdout)
	}
	if len(r.Errors) > 0 {
		return 1
	}
	return 0
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("syncbench", flag.ContinueOnError)
	cfg := &config{progress: os.Stderr}
	fs.StringVar(&cfg.pms, "pms", sandbox.Clio, "the firm's practice-management system: "+strings.Join(pms.Kinds, ", "))
	fs.Float64Var(&cfg.scale, "scale", 1, "firm size: 5,000 contacts, 1,000 matters, 500 recordings, 5,000 documents, 200 prospects, times K")
	fs.IntVar(&cfg.repeat, "repeat", 3, "runs per timed scenario (medians are reported)")
	fs.BoolVar(&cfg.json, "json", false, "print JSON instead of Markdown")
	fs.DurationVar(&cfg.window, "rate-window", 950*time.Millisecond,
		"sandbox rate-limit window (0: the real ones); the default keeps a full-scale sync to a few minutes and ends before the next whole second (Clio's reset header is whole seconds), see the notes")
	skip := fs.String("skip", "", "scenarios to skip, comma-separated: "+strings.Join(scenarioNames, ", "))
	fs.DurationVar(&cfg.idle, "idle", 60*time.Second, "how long `firmsync serve` is watched idle")
	fs.IntVar(&cfg.events, "events", 20, "events of each kind for the latency scenario")
	bigDoc := fs.String("bigdoc", "1GiB", "size of the document moved from the practice-management system to Box (e.g. 1GiB, 256MiB)")
	fs.IntVar(&cfg.logRecords, "log-records", 200_000, "log records for the status/log latency")
	fs.Int64Var(&cfg.seed, "seed", 1, "demo firm seed")
	fs.StringVar(&cfg.firmsync, "firmsync", "", "a built firmsync binary (default: go build ./cmd/firmsync)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the working directory (data directories, serve log)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if cfg.scale <= 0 || cfg.repeat < 1 || cfg.events < 1 || cfg.logRecords < 1 || cfg.window < 0 {
		return nil, fmt.Errorf("--scale, --repeat, --events and --log-records must be positive, --rate-window not negative")
	}
	if !pms.Valid(cfg.pms) {
		return nil, fmt.Errorf("--pms: %q is not one of %s", cfg.pms, strings.Join(pms.Kinds, ", "))
	}
	var err error
	if cfg.skip, err = parseSkip(*skip); err != nil {
		return nil, err
	}
	if cfg.bigDoc, err = parseBytes(*bigDoc); err != nil {
		return nil, fmt.Errorf("--bigdoc: %w", err)
	}
	cfg.command = "go run ./cmd/syncbench"
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"") {
			a = strconv.Quote(a)
		}
		cfg.command += " " + a
	}
	return cfg, nil
}

// parseBytes reads "1GiB", "256MiB", "64KiB" or a plain number of bytes.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 1GiB", s)
	}
	return n * mult, nil
}
