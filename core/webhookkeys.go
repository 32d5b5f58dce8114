package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// webhookKeys gives the receiver its verification secrets from the
// keychain (or the sandbox), cached in memory: a delivery must not wait on
// a D-Bus round trip.
type webhookKeys struct {
	a *App

	mu        sync.Mutex        // guards the fields below
	clio      map[string]string // webhook id → shared secret
	loaded    bool
	expectTil time.Time // a Clio webhook create is in flight until then
}

func newWebhookKeys(a *App) *webhookKeys { return &webhookKeys{a: a} }

const clioSecretsKey = "clio/webhook_secret"

func (k *webhookKeys) loadLocked(ctx context.Context) {
	if k.loaded {
		return
	}
	k.clio = map[string]string{}
	if s, err := k.a.secrets.Get(ctx, clioSecretsKey); err == nil {
		_ = json.Unmarshal([]byte(s), &k.clio)
	} else if !errors.Is(err, secrets.ErrNotFound) {
		k.a.Logger().Error("reading Clio webhook secrets", "err", err)
		return
	}
	k.loaded = true
}

func (k *webhookKeys) saveLocked(ctx context.Context) error {
	b, _ := json.Marshal(k.clio)
	return k.a.secrets.Set(ctx, clioSecretsKey, string(b))
}

// ClioSecrets implements webhook.Keys.
func (k *webhookKeys) ClioSecrets(ctx context.Context) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked(ctx)
	out := make([]string, 0, len(k.clio))
	for _, s := range k.clio {
		out = append(out, s)
	}
	return out
}

// expectClio opens a short window in which a Clio handshake is accepted:
// Clio may send it before the create call has even returned.
func (k *webhookKeys) expectClio(d time.Duration) {
	k.mu.Lock()
	k.expectTil = time.Now().Add(d)
	k.mu.Unlock()
}

// ExpectClioHandshake implements webhook.Keys.
func (k *webhookKeys) ExpectClioHandshake(ctx context.Context, id, secret string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked(ctx)
	if known, ok := k.clio[id]; ok && known == secret {
		return true
	}
	if time.Now().After(k.expectTil) || id == "" {
		return false
	}
	k.clio[id] = secret
	if err := k.saveLocked(ctx); err != nil {
		k.a.Logger().Error("saving a Clio webhook secret", "err", err)
	}
	return true
}

// setClio records (or with secret "" forgets) a Clio webhook's secret.
func (k *webhookKeys) setClio(ctx context.Context, id, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked(ctx)
	if secret == "" {
		delete(k.clio, id)
	} else {
		k.clio[id] = secret
	}
	return k.saveLocked(ctx)
}

// ClioModel implements the receiver's optional model lookup.
func (k *webhookKeys) ClioModel(id string) string {
	c, err := k.a.store.Connection(Clio)
	if err != nil {
		return ""
	}
	for _, w := range c.Webhooks {
		if w.ID == id {
			return w.Model
		}
	}
	return ""
}

func (k *webhookKeys) secret(ctx context.Context, key string) string {
	v, err := k.a.secrets.Get(ctx, key)
	if err != nil {
		return ""
	}
	return v
}

// ZoomSecret implements webhook.Keys.
func (k *webhookKeys) ZoomSecret(ctx context.Context) string {
	if k.a.inSandbox() {
		return k.a.sandboxInfo().Platforms[Zoom].WebhookSecret
	}
	return k.secret(ctx, secrets.Key(Zoom, "webhook_secret"))
}

// BoxKeys implements webhook.Keys.
func (k *webhookKeys) BoxKeys(ctx context.Context) (string, string) {
	if k.a.inSandbox() {
		p := k.a.sandboxInfo().Platforms[Box]
		return p.WebhookPrimaryKey, p.WebhookSecondaryKey
	}
	return k.secret(ctx, secrets.Key(Box, "webhook_secret")), k.secret(ctx, secrets.Key(Box, "webhook_secret_secondary"))
}

// LawmaticsSecret implements webhook.Keys. The in-process sandbox stands
// in for the person who pastes the secret, so it hands over the current
// one: Lawmatics invalidates the old secret the moment it is regenerated.
func (k *webhookKeys) LawmaticsSecret(ctx context.Context) string {
	if k.a.sandbox != nil {
		return k.a.sandbox.Lawmatics().SigningSecret()
	}
	if k.a.inSandbox() {
		return k.a.sandboxInfo().Platforms[Lawmatics].WebhookSecret
	}
	return k.secret(ctx, secrets.Key(Lawmatics, "webhook_secret"))
}

// Accepting implements webhook.Accepter: Firmsync takes a platform's
// events only while the platform is connected. Otherwise the receiver
// answers 503, so the platform sends the delivery again and it is
// processed once the user has connected (or reconnected): storing it now
// would only record a failed run.
func (k *webhookKeys) Accepting(_ context.Context, platform string) error {
	c, err := k.a.store.Connection(platform)
	if err != nil {
		return fmt.Errorf("reading the %s connection: %w", platform, err)
	}
	switch c.Status {
	case store.ConnConnected:
		return nil
	case store.ConnReconnectNeeded:
		return fmt.Errorf("%s needs reconnecting", platform)
	}
	return fmt.Errorf("%s is not connected", platform)
}

// SetWebhookSecret stores signing material the user copied from a
// platform's console (Zoom secret token, Box keys, Lawmatics secret).
func (a *App) SetWebhookSecret(ctx context.Context, platform, name, value string) error {
	switch platform + "/" + name {
	case "zoom/webhook_secret", "box/webhook_secret", "box/webhook_secret_secondary", "lawmatics/webhook_secret":
	default:
		return errors.New("unknown webhook secret " + platform + "/" + name)
	}
	return a.secrets.Set(ctx, secrets.Key(platform, name), value)
}

var (
	_ webhook.Keys     = (*webhookKeys)(nil)
	_ webhook.Accepter = (*webhookKeys)(nil)
)

// forget drops cached secrets (after a disconnect deleted them).
func (k *webhookKeys) forget() {
	k.mu.Lock()
	k.clio, k.loaded = nil, false
	k.mu.Unlock()
}
