// Package core is the Firmsync application: one App that owns the state
// store, the secrets, the operational log and, through its subpackages, the
// connections, the jobs, the schedules and the webhook receiver. The CLI and
// the GUI only ever talk to an App.
package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/oplog"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// Options configures Open.
type Options struct {
	DataDir string        // resolved data directory (see datadir.Resolve)
	Sandbox bool          // wire every platform to the built-in sandbox
	Secrets secrets.Store // nil: the OS keychain, or memory in sandbox mode
	LogTo   io.Writer     // optional copy of the operational log (stderr for serve)
	Now     func() time.Time
}

// App is one running Firmsync. Only one App may own a data directory at a
// time; Open fails fast with AlreadyRunningError otherwise.
type App struct {
	opts    Options
	store   *store.Store
	secrets secrets.Store
	log     *oplog.Logger
}

// AlreadyRunningError says another process owns the data directory.
type AlreadyRunningError struct{ Dir string }

func (e *AlreadyRunningError) Error() string {
	return "firmsync is already running with data directory " + e.Dir
}

// Open prepares the data directory and opens the store, the log and the
// secrets. Close releases them.
func Open(ctx context.Context, opts Options) (*App, error) {
	if opts.DataDir == "" {
		return nil, errors.New("core: no data directory given")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := datadir.Prepare(opts.DataDir); err != nil {
		return nil, err
	}
	lg, err := oplog.Open(oplog.Options{Dir: datadir.LogDir(opts.DataDir), Also: opts.LogTo})
	if err != nil {
		return nil, err
	}
	st, err := store.Open(datadir.DBPath(opts.DataDir), store.Options{})
	if err != nil {
		_ = lg.Close()
		if errors.Is(err, store.ErrLocked) {
			return nil, &AlreadyRunningError{Dir: opts.DataDir}
		}
		return nil, fmt.Errorf("opening state in %s: %w", opts.DataDir, err)
	}
	sec := opts.Secrets
	if sec == nil {
		if opts.Sandbox {
			sec = secrets.NewMemory()
		} else {
			sec = secrets.NewKeychain("")
		}
	}
	a := &App{opts: opts, store: st, secrets: sec, log: lg}
	a.Logger().Info("firmsync started", "data", opts.DataDir, "sandbox", opts.Sandbox)
	return a, nil
}

// Close stops everything the App started and releases the data directory.
func (a *App) Close() error {
	a.Logger().Info("firmsync stopping")
	return errors.Join(a.store.Close(), a.log.Close())
}

// DataDir is the directory the App owns.
func (a *App) DataDir() string { return a.opts.DataDir }

// Sandbox reports whether the App is wired to the built-in sandbox.
func (a *App) Sandbox() bool { return a.opts.Sandbox }

// Logger is the operational log.
func (a *App) Logger() *slog.Logger { return a.log.Logger }

// Store is the state store.
func (a *App) Store() *store.Store { return a.store }

// Secrets is where tokens and client secrets live.
func (a *App) Secrets() secrets.Store { return a.secrets }
