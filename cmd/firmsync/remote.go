package main

import (
	"context"
	"errors"

	"github.com/firmsync/firmsync/core"
)

// withInstance runs local against an App this process opens, or, when
// another Firmsync (GUI or serve) owns the data directory, remote against
// that instance's control endpoint.
func withInstance(ctx context.Context, e env, o *opts, local func(*core.App) error, remote func(*core.Remote) error) error {
	dir, err := resolveData(e, o)
	if err != nil {
		return err
	}
	if r, err := core.Dial(dir); err == nil {
		return remote(r)
	}
	app, err := openAppAt(ctx, dir, o, nil)
	var busy *core.AlreadyRunningError
	if errors.As(err, &busy) {
		// It may have been starting up: its endpoint answers a moment later.
		if r, derr := core.Dial(dir); derr == nil {
			return remote(r)
		}
	}
	if err != nil {
		return err
	}
	defer app.Close()
	return local(app)
}
