package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// errAccessRemoved is what the Clio connection says after Clio confirmed
// that Firmsync's access was removed there.
var errAccessRemoved = errors.New("Firmsync's access was removed in Clio; press Connect to allow it again (the Clio app's client id and secret are kept)")

// deauthGate answers Clio's deauthorization callback at most once per
// interval with a fresh check; in between it repeats the last answer. The
// callback URL is public and unsigned: without the gate every POST would
// cost a Clio request, and a stranger could spend the firm's rate limit.
type deauthGate struct {
	check0   func(context.Context) error
	interval time.Duration

	mu   sync.Mutex // serialises checks and guards the fields below
	at   time.Time  // when the last check ran
	last error      // its outcome
}

func newDeauthGate(check func(context.Context) error, interval time.Duration) *deauthGate {
	return &deauthGate{check0: check, interval: interval}
}

func (g *deauthGate) check(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.at.IsZero() && time.Since(g.at) < g.interval {
		return g.last
	}
	g.last = g.check0(ctx)
	g.at = time.Now()
	return g.last
}

// clioDeauthorized handles Clio's deauthorization callback. The callback's
// signing is undocumented, so the claim is checked with Clio: only when
// Clio refuses the token (now, or already in a run that marked the
// connection for reconnecting) does Firmsync forget the token and ask the
// user to connect again. It never deletes the firm's Clio app credentials:
// those are the firm's own, typed in once, and a forged callback must not
// be able to destroy them. A Clio that cannot be asked right now (down,
// slow) proves nothing either way.
func (a *App) clioDeauthorized(ctx context.Context) error {
	conn, err := a.store.Connection(Clio)
	if err != nil {
		return fmt.Errorf("reading the Clio connection: %w", err)
	}
	switch conn.Status {
	case store.ConnDisconnected, "":
		return nil // nothing left to remove
	case store.ConnConnected:
		if err := a.clioRefusesToken(ctx); err != nil {
			return err
		}
	}
	a.Logger().Warn("Clio access was removed in Clio; the token is forgotten and the connection waits for Connect")
	if err := a.secrets.Delete(ctx, secrets.Key(Clio, "token")); err != nil {
		return fmt.Errorf("forgetting the refused Clio token: %w", err)
	}
	a.markReconnect(Clio, errAccessRemoved)
	return nil
}

// clioRefusesToken returns nil when Clio refuses Firmsync's token (it
// cannot be refreshed either), an error wrapping ErrStillAuthorized when
// Clio accepts it, and any other error when Clio could not be asked.
func (a *App) clioRefusesToken(ctx context.Context) error {
	c, err := a.platforms.Clio(ctx)
	if err == nil {
		_, err = c.Me(ctx)
	}
	switch {
	case err == nil:
		return webhook.ErrStillAuthorized
	case httpx.IsReconnect(err):
		return nil
	}
	return fmt.Errorf("asking Clio whether Firmsync's token still works: %w", err)
}
