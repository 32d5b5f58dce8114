package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/oplog"
)

// errUnreachable means another Firmsync owns the data directory but its
// control endpoint does not answer (it could not start one, or it hangs).
var errUnreachable = errors.New("cannot be reached")

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
		var derr error
		for try := 0; try < 3; try++ {
			var r *core.Remote
			if r, derr = core.Dial(dir); derr == nil {
				return remote(r)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(150 * time.Millisecond):
			}
		}
		// It holds the database, so this process cannot open it either:
		// say plainly that the running instance is there but unreachable.
		return fmt.Errorf("%w, but it %w: its control endpoint does not answer (%v). "+
			"Use its window, or quit it and run this command again; its log %s says why",
			busy, errUnreachable, derr, filepath.Join(datadir.LogDir(dir), oplog.FileName))
	}
	if err != nil {
		return err
	}
	defer app.Close()
	return local(app)
}
