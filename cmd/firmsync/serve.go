package main

import (
	"context"
	"fmt"
)

func cmdServe(ctx context.Context, e env, o *opts) error {
	app, err := openApp(ctx, e, o)
	if err != nil {
		return err
	}
	defer app.Close()
	fmt.Fprintf(e.stderr, "firmsync: serving with data directory %s (Ctrl-C to stop)\n", app.DataDir())
	<-ctx.Done()
	return nil
}
