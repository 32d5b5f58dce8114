package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/firmsync/firmsync/core"
	"text/tabwriter"
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
		if res.Failed > 0 {
			fmt.Fprintf(e.stdout, "%d item(s) failed; see `firmsync log --status failed`.\n", res.Failed)
		}
	}
	if res.Failed > 0 {
		return exitCodeErr{code: exitFailure}
	}
	return nil
}
