package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/firmsync/firmsync/core"
)

func cmdStatus(ctx context.Context, e env, o *opts) error {
	var st core.Status
	err := withInstance(ctx, e, o,
		func(app *core.App) (err error) { st, err = app.Status(ctx); return err },
		func(r *core.Remote) (err error) { st, err = r.Status(ctx); return err })
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Data directory:\t%s\n\n", st.DataDir)
	fmt.Fprintln(tw, "PLATFORM\tSTATUS\tACCOUNT\tREGION\tTOKEN EXPIRES")
	for _, c := range st.Connections {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Platform, c.Status, dash(c.Account), dash(c.Region), when(c.TokenExpiry))
	}
	for _, c := range st.Connections {
		for _, w := range c.Webhooks {
			note := w.Status
			if w.Expiring {
				note += " (expiring soon)"
			}
			if w.Error != "" {
				note += ": " + w.Error
			}
			fmt.Fprintf(tw, "  %s webhook %s\t%s\t%s\n", c.Platform, w.Model, dash(w.URL), note)
		}
	}
	fmt.Fprintln(tw, "\nJOB\tLAST RUN\tRESULT\tCREATED\tUPDATED\tFAILED\tNEXT RUN")
	waiting := false
	for _, j := range st.Jobs {
		result := dash(j.LastStatus)
		if j.Waiting != "" {
			// Now outranks the last run: a job that cannot run is not
			// "skipped" or "succeeded", whatever it did before.
			result, waiting = j.Waiting, true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", j.Job, when(j.LastRun), result, j.Created, j.Updated, j.Failed, when(j.NextRun))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if waiting {
		fmt.Fprintln(e.stdout, "\nConnect the missing platforms with `firmsync connect PLATFORM`.")
	}
	switch st.NeedsAttention {
	case 0:
		fmt.Fprintln(e.stdout, "\nNothing needs attention.")
	case 1:
		fmt.Fprintln(e.stdout, "\n1 item needs attention: see `firmsync log --status needs_attention`.")
	default:
		fmt.Fprintf(e.stdout, "\n%d items need attention: see `firmsync log --status needs_attention`.\n", st.NeedsAttention)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
