package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firmsync/firmsync/core"
)

// cmdRebuild starts the state database over and lets a sync rebuild it
// from the platforms: the cure for a damaged firmsync.db, and for a data
// directory that was lost and replaced by an empty one.
func cmdRebuild(ctx context.Context, e env, o *opts) error {
	dir, err := resolveData(e, o)
	if err != nil {
		return err
	}
	res, err := core.RebuildState(dir, time.Now())
	var busy *core.AlreadyRunningError
	if errors.As(err, &busy) {
		return fmt.Errorf("%w; quit it (tray menu → Quit, or stop `firmsync serve`), then run `firmsync rebuild` again", err)
	}
	if err != nil {
		return err
	}
	switch {
	case res.MovedTo == "":
		fmt.Fprintf(e.stdout, "There was no state database in %s; a fresh one was created.\n", dir)
	case res.Damage != nil:
		fmt.Fprintf(e.stdout, "The damaged state database was moved to %s (kept for inspection; delete it when you no longer need it).\n", res.MovedTo)
	default:
		fmt.Fprintf(e.stdout, "The state database was moved to %s and a fresh one was created.\n", res.MovedTo)
	}
	{
		var kept []string
		for b, n := range res.Salvaged {
			if n > 0 {
				kept = append(kept, fmt.Sprintf("%d %s", n, b))
			}
		}
		sort.Strings(kept)
		if len(kept) > 0 {
			fmt.Fprintf(e.stdout, "Carried over from it: %s.\n", strings.Join(kept, ", "))
		}
	}
	if len(res.Lost) > 0 {
		fmt.Fprintf(e.stdout, "Could not read from it: %s. Connect the platforms again (`firmsync connect PLATFORM`) and check the settings.\n", strings.Join(res.Lost, ", "))
	}

	fmt.Fprintln(e.stdout, "Syncing, so the jobs find their earlier work on the platforms and record it again…")
	app, err := openAppAt(ctx, dir, o, nil)
	if err != nil {
		return fmt.Errorf("opening Firmsync on the fresh state: %w", err)
	}
	defer app.Close()
	sr := app.Sync(ctx, nil, false)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSTATUS\tCREATED\tUPDATED\tUNCHANGED\tSKIPPED\tFAILED")
	for _, j := range sr.Jobs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", j.Job, j.Status, j.Created, j.Updated, j.Unchanged, j.Skipped, j.Failed)
	}
	tw.Flush()
	for _, j := range sr.Jobs {
		if j.Error != "" {
			fmt.Fprintf(e.stdout, "%s: %s\n", j.Job, j.Error)
		}
	}
	if len(sr.NotConnected) > 0 {
		fmt.Fprintf(e.stdout, "Not connected: %s. Connect them (`firmsync connect PLATFORM`), then run `firmsync sync` to finish the rebuild.\n", strings.Join(sr.NotConnected, ", "))
	}
	if sr.Failed > 0 {
		fmt.Fprintf(e.stdout, "%d item(s) failed; see `firmsync log --status failed`, then `firmsync retry`.\n", sr.Failed)
		return exitCodeErr{code: exitFailure}
	}
	fmt.Fprintln(e.stdout, "Rebuild finished.")
	return nil
}
