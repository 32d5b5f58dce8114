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
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/oplog"
	"github.com/firmsync/firmsync/core/schedule"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// Options configures Open.
type Options struct {
	DataDir string        // resolved data directory (see datadir.Resolve)
	Sandbox bool          // wire every platform to the built-in sandbox
	Secrets secrets.Store // nil: the OS keychain, or memory in sandbox mode
	LogTo   io.Writer     // optional copy of the operational log (stderr for serve)
	Now     func() time.Time
	// SandboxOptions tune the in-process sandbox (tests scale its rate
	// windows); StateDir defaults to DATA/sandbox.
	SandboxOptions sandbox.Options
	// ExternalSandbox wires the App to a sandbox running elsewhere (another
	// process: crash tests and the benchmark kill Firmsync, not the fakes)
	// instead of starting one in-process. Implies Sandbox.
	ExternalSandbox *sandbox.Info
	// PMS, when set, is the practice-management system the firm runs
	// ("clio", "mycase", "smokeball"): the sandbox's --pms. It is saved in
	// the settings; a data directory that has synced with another system
	// refuses it (ErrSwitchRefused), as Settings does.
	PMS string
}

// App is one running Firmsync. Only one App may own a data directory at a
// time; Open fails fast with AlreadyRunningError otherwise.
type App struct {
	opts      Options
	store     *store.Store
	secrets   secrets.Store
	log       *oplog.Logger
	bus       *events.Bus
	engine    *engine.Engine
	platforms *platforms
	sched     *schedule.Scheduler // nil until StartBackground

	sandbox     *sandbox.Sandbox // the in-process sandbox, if any
	external    *sandbox.Info    // an external sandbox, if any
	sandboxInfo func() sandbox.Info

	connectMu sync.Mutex // serialises Connect and Disconnect

	life     context.Context // the App's lifetime; ends in Close
	stopLife context.CancelFunc

	webhookKeys *webhookKeys

	bgMu        sync.Mutex // guards the fields below
	receiver    *webhook.Receiver
	receiverURL string        // http://127.0.0.1:PORT once the receiver listens
	upkeepNow   chan struct{} // asks the upkeep loop to run now
	control     *control      // the CLI's endpoint, once served
	onShow      func()        // brings the GUI window forward
	ready       chan struct{} // closed once Run's listeners are up
}

// DemoRateWindow is the rate-limit window of the in-app sandbox (the
// platforms' real windows are a minute; Zoom's a second, scaled alike).
const DemoRateWindow = 6 * time.Second

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
	dd, err := datadir.Setup(opts.DataDir)
	if err != nil {
		return nil, err
	}
	lg, err := oplog.Open(oplog.Options{Dir: datadir.LogDir(opts.DataDir), Also: opts.LogTo})
	if err != nil {
		return nil, err
	}
	for _, w := range dd.Warnings {
		lg.Warn("data directory", "dir", opts.DataDir, "warning", w)
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
		if opts.Sandbox || opts.ExternalSandbox != nil {
			sec = secrets.NewMemory()
		} else {
			sec = secrets.NewKeychain("")
		}
	}
	a := &App{opts: opts, store: st, secrets: sec, log: lg, bus: events.NewBus()}
	a.platforms = newPlatforms(a)
	a.webhookKeys = newWebhookKeys(a)
	a.upkeepNow = make(chan struct{}, 1)
	a.ready = make(chan struct{})
	if opts.ExternalSandbox != nil {
		info := *opts.ExternalSandbox
		a.external = &info
		a.sandboxInfo = func() sandbox.Info { return info }
	} else if opts.Sandbox {
		so := opts.SandboxOptions
		if so.StateDir == "" {
			so.StateDir = datadir.SandboxDir(opts.DataDir)
		}
		if so.RateWindow == 0 {
			// The demo keeps each platform's rate-limit shape but runs it
			// ten times faster, so a first sync of the demo firm takes
			// seconds, not minutes. (`firmsync sandbox` keeps real windows.)
			so.RateWindow = DemoRateWindow
		}
		so.Logger = lg.Logger
		sb, err := sandbox.Start(so)
		if err != nil {
			_ = st.Close()
			_ = lg.Close()
			return nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		a.sandbox = sb
		a.sandboxInfo = sync.OnceValue(sb.Info)
	}
	a.life, a.stopLife = context.WithCancel(context.Background())
	a.engine = engine.New(engine.Options{Store: st, Bus: a.bus, Logger: lg.Logger, Now: opts.Now, Policies: a.Settings().Retry, Base: a.life})
	a.registerJobs()
	if opts.PMS != "" && opts.PMS != a.PracticeManagement() {
		s := a.Settings()
		s.Jobs.PracticeManagement = opts.PMS
		if err := a.SaveSettings(s); err != nil {
			a.engine.Stop()
			a.stopLife()
			if a.sandbox != nil {
				_ = a.sandbox.Close()
			}
			_ = st.Close()
			_ = lg.Close()
			return nil, fmt.Errorf("choosing %s: %w", opts.PMS, err)
		}
	}
	a.trackLastSync()
	a.Logger().Info("firmsync started", "data", opts.DataDir, "sandbox", opts.Sandbox)
	return a, nil
}

// Close stops everything the App started and releases the data directory.
func (a *App) Close() error {
	a.Logger().Info("firmsync stopping")
	if a.sched != nil {
		a.sched.Stop()
	}
	a.stopLife()
	a.engine.Stop()
	var sbErr error
	if a.sandbox != nil {
		sbErr = a.sandbox.Close()
	}
	return errors.Join(sbErr, a.store.Close(), a.log.Close())
}

// Bus is the event bus the GUI subscribes to.
func (a *App) Bus() *events.Bus { return a.bus }

// Engine runs the jobs.
func (a *App) Engine() *engine.Engine { return a.engine }

// SandboxInstance is the in-process sandbox (nil outside sandbox mode).
func (a *App) SandboxInstance() *sandbox.Sandbox { return a.sandbox }

// DataDir is the directory the App owns.
func (a *App) DataDir() string { return a.opts.DataDir }

// Sandbox reports whether the App is wired to the built-in sandbox.
func (a *App) Sandbox() bool { return a.opts.Sandbox || a.external != nil }

// inSandbox reports whether the platforms are fakes (in-process or not).
func (a *App) inSandbox() bool { return a.sandbox != nil || a.external != nil }

// Logger is the operational log.
func (a *App) Logger() *slog.Logger { return a.log.Logger }

// Store is the state store.
func (a *App) Store() *store.Store { return a.store }

// Secrets is where tokens and client secrets live.
func (a *App) Secrets() secrets.Store { return a.secrets }
