package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/firmsync/firmsync/core/store"
)

// TestConnection asks a connected platform who the signed-in account is,
// through the same clients the jobs use (refreshing the token if needed),
// and returns that identity.
func (a *App) TestConnection(ctx context.Context, platform string) (Identity, error) {
	if !IsPlatform(platform) {
		return Identity{}, fmt.Errorf("unknown platform %q", platform)
	}
	conn, err := a.store.Connection(platform)
	if err != nil {
		return Identity{}, err
	}
	switch conn.Status {
	case "", store.ConnDisconnected:
		return Identity{}, errors.New("not connected: click Connect first")
	case store.ConnReconnectNeeded:
		return Identity{}, errors.New("access was refused: click Connect to sign in again")
	}
	src, ep, err := a.platforms.source(ctx, platform)
	if err != nil {
		return Identity{}, err
	}
	return a.whoAmI(ctx, platform, ep, src)
}

// Webhooks returns the webhook registrations Firmsync holds on a platform,
// for the settings screen.
func (a *App) Webhooks(platform string) ([]store.WebhookReg, error) {
	c, err := a.store.Connection(platform)
	if err != nil {
		return nil, err
	}
	return c.Webhooks, nil
}
