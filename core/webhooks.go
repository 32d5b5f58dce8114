package core

import "context"

// unregisterWebhooks deletes the webhooks Firmsync registered on a
// platform (on disconnect).
func (a *App) unregisterWebhooks(ctx context.Context, platform string) {
	a.deleteWebhooks(ctx, platform)
}
