package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/schedule"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// Run starts everything that keeps Firmsync always on — the webhook
// receiver, the schedules (with catch-up), item retries, webhook upkeep and
// log pruning — and blocks until ctx ends. Running jobs are cancelled and
// checkpoint (their ledger and watermarks only hold what succeeded).
func (a *App) Run(ctx context.Context) error {
	s := a.Settings()
	port := s.WebhookPort
	if a.inSandbox() {
		port = 0 // any free port: the sandbox delivers to wherever we listen
	}
	// The control endpoint only serves the command line: if it cannot start
	// (no AF_UNIX, a path too long for a socket) the schedules and the
	// webhook receiver still must, and the CLI says it cannot reach us.
	if stopControl, err := a.ServeControl(); err != nil {
		a.Logger().Warn("the command line cannot reach this instance: its control endpoint did not start; schedules and webhooks run as usual",
			"err", err)
	} else {
		defer stopControl()
	}
	ln, err := webhook.Listen(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	rcv := webhook.New(webhook.Options{
		Store: a.store, Keys: a.webhookKeys, Process: a.processWebhook,
		Deauthorize: newDeauthGate(a.clioDeauthorized, time.Minute).check, Verified: a.webhookArrived, Logger: a.Logger(),
	})
	a.bgMu.Lock()
	a.receiver = rcv
	a.receiverURL = "http://" + ln.Addr().String()
	a.bgMu.Unlock()
	a.Logger().Info("webhook receiver listening", "addr", ln.Addr().String())

	specs, err := schedule.ParseAll(s.Schedules)
	if err != nil {
		ln.Close()
		return fmt.Errorf("schedules: %w", err)
	}
	sched := schedule.New(schedule.Options{
		Location: s.Location(), Logger: a.Logger(),
		Trigger: func(ctx context.Context, job string) {
			if err := a.engine.Trigger(ctx, job, schedTrigger()); err != nil {
				a.Logger().Error("scheduled run", "job", job, "err", err)
			}
		},
		LastRun: func(job string) (time.Time, bool) {
			r, ok, err := a.store.LastRun(job)
			if err != nil || !ok {
				return time.Time{}, false
			}
			return r.Start, true
		},
	})
	a.bgMu.Lock()
	a.sched = sched
	a.bgMu.Unlock()
	if s.SchedulesPaused {
		sched.Pause()
	}

	done := make(chan error, 1)
	go func() { done <- rcv.Serve(ctx, ln) }()
	if a.inSandbox() {
		// The demo firm needs no clicks: connect everything up front so the
		// webhooks get registered at once.
		for _, p := range a.Platforms() {
			if c, err := a.store.Connection(p); err == nil && c.Status == store.ConnConnected {
				continue
			}
			if _, err := a.Connect(ctx, p, ConnectOptions{}); err != nil {
				a.Logger().Error("connecting to the sandbox", "platform", p, "err", err)
			}
		}
	}
	if err := sched.Start(ctx, specs); err != nil {
		return err
	}
	close(a.ready)
	go a.engine.RetryLoop(ctx, time.Minute)
	go a.upkeepLoop(ctx)
	go a.pruneLoop(ctx)
	<-ctx.Done()
	sched.Stop()
	// Quitting ends the runs in progress, including follow-ups (they run on
	// the App's lifetime) and runs a caller outside asked for.
	a.engine.Interrupt()
	stop := make(chan struct{})
	go func() { a.engine.Wait(); close(stop) }()
	select {
	case <-stop:
	case <-time.After(10 * time.Second):
		a.Logger().Warn("jobs still running after 10 s; stopping anyway (their progress is checkpointed)")
	}
	err = <-done
	return err
}

// Ready is closed once Run's control endpoint, receiver and schedules are up.
func (a *App) Ready() <-chan struct{} { return a.ready }

// ReceiverURL is the receiver's local address (empty until Run listens).
func (a *App) ReceiverURL() string {
	a.bgMu.Lock()
	defer a.bgMu.Unlock()
	return a.receiverURL
}

func (a *App) upkeepLoop(ctx context.Context) {
	t := time.NewTicker(upkeepInterval)
	defer t.Stop()
	for {
		uctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		gaps, _ := a.upkeepWebhooks(uctx)
		cancel()
		// What changed before a new webhook was enabled arrives by no
		// webhook: one full run of each job it feeds finds it now rather
		// than at the next schedule (coalesced with any run in progress).
		for _, job := range gaps {
			if err := a.engine.Trigger(ctx, job, engine.Trigger{Kind: engine.TriggerCatchUp}); err != nil && ctx.Err() == nil {
				a.Logger().Warn("catching up after a new webhook", "job", job, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.upkeepNow:
		}
	}
}

// requestUpkeep asks the upkeep loop to run now (tunnel URL changed, a
// platform connected).
func (a *App) requestUpkeep() {
	select {
	case a.upkeepNow <- struct{}{}:
	default:
	}
}

func (a *App) pruneLoop(ctx context.Context) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		st, err := a.store.Prune(ctx, time.Now(), store.DefaultPrunePolicy())
		if err != nil && !errors.Is(err, context.Canceled) {
			a.Logger().Error("pruning the log", "err", err)
		} else if st.Log+st.Runs > 0 {
			a.Logger().Info("pruned old log records", "log", st.Log, "runs", st.Runs, "webhook_events", st.WebhookEvents)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PauseSchedules pauses or resumes every schedule and remembers it.
func (a *App) PauseSchedules(paused bool) error {
	s := a.Settings()
	s.SchedulesPaused = paused
	if err := a.store.PutSetting(settingsKey, s); err != nil {
		return err
	}
	a.bgMu.Lock()
	sched := a.sched
	a.bgMu.Unlock()
	if sched != nil {
		if paused {
			sched.Pause()
		} else {
			sched.Resume()
		}
	}
	return nil
}
