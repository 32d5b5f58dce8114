package main

import (
	"context"
	"fmt"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// cmdDisconnectIfConnected answers `firmsync disconnect` for a platform
// that is not connected without touching the keychain: there is nothing to
// revoke, and deleting would fail on a machine without a keychain (each
// secret name reporting the same keychain error) or remove the firm's
// developer app, which is configuration, not a connection.
//
// It exits 0: disconnecting is asked for a state, and that state holds, so
// a script that makes sure a platform is disconnected must not fail.
func cmdDisconnectIfConnected(ctx context.Context, e env, o *opts) error {
	platform := o.args[0]
	connected := true
	err := withInstance(ctx, e, o,
		func(app *core.App) error {
			c, err := app.Store().Connection(platform)
			if err != nil {
				return fmt.Errorf("reading the %s connection: %w", platform, err)
			}
			connected = c.Status != "" && c.Status != store.ConnDisconnected
			return nil
		},
		func(r *core.Remote) error {
			st, err := r.Status(ctx)
			if err != nil {
				return err
			}
			for _, c := range st.Connections {
				if c.Platform == platform {
					connected = c.Connected
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	if !connected {
		fmt.Fprintf(e.stdout, "%s is not connected; nothing to disconnect.\n", platform)
		return nil
	}
	return cmdDisconnect(ctx, e, o)
}
