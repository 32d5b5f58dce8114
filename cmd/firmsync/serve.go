package main

import (
	"context"
	"fmt"
	"os"
)

func cmdServe(ctx context.Context, e env, o *opts) error {
	dir, err := resolveData(e, o)
	if err != nil {
		return err
	}
	app, err := openAppAt(ctx, dir, o, os.Stderr)
	if err != nil {
		return err
	}
	defer app.Close()
	fmt.Fprintf(e.stderr, "firmsync: serving with data directory %s (Ctrl-C stops)\n", app.DataDir())
	if err := app.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "firmsync: stopped")
	return nil
}
