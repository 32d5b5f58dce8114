package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/firmsync/firmsync/core"
	"text/tabwriter"

	"github.com/firmsync/firmsync/core/store"
)

func cmdLog(ctx context.Context, e env, o *opts) error {
	var recs []store.LogRecord
	err := withInstance(ctx, e, o,
		func(app *core.App) (err error) {
			recs, err = app.Store().QueryLog(store.LogQuery{Job: o.job, Status: o.status, Limit: o.limit})
			return err
		},
		func(r *core.Remote) (err error) { recs, err = r.Log(ctx, o.job, o.status, o.limit); return err })
	if err != nil {
		return err
	}
	if o.json {
		if recs == nil {
			recs = []store.LogRecord{}
		}
		enc := json.NewEncoder(e.stdout)
		return enc.Encode(recs)
	}
	if len(recs) == 0 {
		fmt.Fprintln(e.stdout, "No log records match.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tJOB\tPLATFORM\tACTION\tOBJECT\tSTATUS\tMESSAGE")
	for _, r := range recs {
		msg := r.Message
		if r.Error != "" {
			msg = r.Error
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Time.Local().Format("2006-01-02 15:04:05"), r.Job, r.Platform, r.Action, dash(r.Object), r.Status, msg)
	}
	return tw.Flush()
}
