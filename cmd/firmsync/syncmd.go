package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/firmsync/firmsync/core"
)

func cmdSync(ctx context.Context, e env, o *opts) error {
	var res core.SyncResult
	err := withInstance(ctx, e, o,
		func(app *core.App) error { res = app.Sync(ctx, o.jobs, o.dryRun); return nil },
		func(r *core.Remote) (err error) { res, err = r.Sync(ctx, o.jobs, o.dryRun); return err })
	if err != nil {
		return err
	}
	if o.json {
		if err := json.NewEncoder(e.stdout).Encode(res); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "JOB\tSTATUS\tCREATED\tUPDATED\tUNCHANGED\tSKIPPED\tDELETED\tFAILED\tAPI CALLS\tTIME")
		for _, j := range res.Jobs {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1fs\n", j.Job, j.Status, j.Created, j.Updated, j.Unchanged, j.Skipped, j.Deleted, j.Failed, j.APICalls, float64(j.DurationMS)/1000)
		}
		tw.Flush()
		for _, j := range res.Jobs {
			if j.Error != "" {
				fmt.Fprintf(e.stdout, "%s: %s\n", j.Job, j.Error)
			}
			for _, p := range j.Planned {
				fmt.Fprintf(e.stdout, "would %s on %s: %s\n", p.Action, p.Platform, p.Object)
			}
		}
		for _, j := range res.Jobs {
			if j.Waiting != "" {
				fmt.Fprintf(e.stdout, "%s: %s\n", j.Job, j.Waiting)
			}
		}
		if res.Failed > 0 {
			fmt.Fprintf(e.stdout, "%d item(s) failed; see `firmsync log --status failed`.\n", res.Failed)
		}
	}
	if res.Waiting > 0 {
		// Non-zero: a sync that could not look at a platform is not a
		// clean sync, whatever the other jobs did.
		return exitCodeErr{code: exitFailure, err: fmt.Errorf("%d job(s) could not run: %s not connected; connect with `firmsync connect PLATFORM`",
			res.Waiting, joinAnd(res.NotConnected))}
	}
	if res.Failed > 0 {
		return exitCodeErr{code: exitFailure}
	}
	return nil
}

// joinAnd joins ["a","b","c"] as "a, b and c".
func joinAnd(w []string) string {
	if len(w) <= 1 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
