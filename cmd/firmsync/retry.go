package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/firmsync/firmsync/core"
)

func cmdRetry(ctx context.Context, e env, o *opts) error {
	var ids []uint64
	for _, a := range o.args {
		id, _ := strconv.ParseUint(a, 10, 64) // validated before run
		ids = append(ids, id)
	}
	var res core.SyncResult
	err := withInstance(ctx, e, o,
		func(app *core.App) (err error) { res, err = app.Retry(ctx, o.job, ids); return err },
		func(r *core.Remote) (err error) { res, err = r.Retry(ctx, o.job, ids); return err })
	if err != nil {
		return err
	}
	if len(res.Jobs) == 0 {
		fmt.Fprintln(e.stdout, "Nothing to retry.")
		return nil
	}
	for _, j := range res.Jobs {
		fmt.Fprintf(e.stdout, "%s: %s (%d created, %d updated, %d failed)\n", j.Job, j.Status, j.Created, j.Updated, j.Failed)
	}
	if res.Failed > 0 {
		return exitCodeErr{code: exitFailure}
	}
	return nil
}
