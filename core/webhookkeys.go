package core

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"

	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// webhookKeys gives the receiver its verification secrets from the
// keychain (or the sandbox), cached in memory: a delivery must not wait on
// a D-Bus round trip.
//
// Clio signing secrets come only from Clio itself: the shared_secret in
// its answer to Firmsync's own create or list call, or a handshake secret
// Clio accepted when Firmsync asked it (PUT /webhooks/{id}/activate). A
// handshake POST proves nothing (anyone who can reach the URL can send
// one), so nothing from a handshake is stored unless Clio confirmed it.
type webhookKeys struct {
	a *App

	mu       sync.Mutex           // guards the fields below
	clio     map[string]string    // webhook id → shared secret, as Clio gave or confirmed it
	loaded   bool                 // clio was read from the keychain
	ours     map[string]bool      // webhook ids Firmsync created or found at its URL since start
	asked    map[string]time.Time // webhook id → when Clio was last asked about a handshake for it
	creating int                  // Clio webhook creates in flight
	created  chan struct{}        // closed (and replaced) when a create ends

	pms        map[string]map[string]string // MyCase/Smokeball: subscription id → key (webhookkeyspms.go)
	sbClientID string                       // Smokeball's developer-app client id, once read

	handshakeChecks atomic.Int64 // Clio calls made on behalf of handshakes
}

func newWebhookKeys(a *App) *webhookKeys {
	return &webhookKeys{a: a, ours: map[string]bool{}, asked: map[string]time.Time{}, created: make(chan struct{})}
}

const clioSecretsKey = "clio/webhook_secret"

// Handshake limits. A handshake may name a webhook whose create call has
// not returned yet (Clio sends it right after creating), so it waits for
// creates in flight, briefly. A handshake Firmsync cannot confirm from
// Clio's own answers costs at most one Clio call per webhook per minute,
// so handshakes cannot spend the firm's Clio rate limit.
const (
	handshakeCreateWait = 5 * time.Second
	handshakeAskEvery   = time.Minute
	handshakeAskTimeout = 10 * time.Second
)

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

// registered is the set of Clio webhook ids in the connection's
// registrations (written by upkeep from Clio's own answers).
func (k *webhookKeys) registered() map[string]bool {
	out := map[string]bool{}
	c, err := k.a.store.Connection(Clio)
	if err != nil {
		return out
	}
	for _, w := range c.Webhooks {
		if w.ID != "" {
			out[w.ID] = true
		}
	}
	return out
}

// ClioSecrets implements webhook.Keys: the secrets of Firmsync's own
// webhooks only (a secret recorded for any other id, e.g. one planted
// before handshakes were checked, verifies nothing).
func (k *webhookKeys) ClioSecrets(ctx context.Context) []string {
	regs := k.registered()
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked(ctx)
	out := make([]string, 0, len(k.clio))
	for id, s := range k.clio {
		if k.ours[id] || regs[id] {
			out = append(out, s)
		}
	}
	return out
}

// ConfirmClioHandshake implements webhook.Keys. A secret is confirmed
// when it equals (in constant time) the shared secret Clio gave Firmsync
// for that webhook, or when Clio accepts it for the webhook on
// PUT /webhooks/{id}/activate; only then is it stored. A webhook id
// Firmsync did not create is refused without asking Clio.
func (k *webhookKeys) ConfirmClioHandshake(ctx context.Context, id, secret string) error {
	if id == "" || secret == "" {
		return fmt.Errorf("handshake without a webhook id or secret: %w", webhook.ErrHandshakeRefused)
	}
	waitUntil := time.Now().Add(handshakeCreateWait)
	for {
		regs := k.registered()
		k.mu.Lock()
		k.loadLocked(ctx)
		known, haveSecret := k.clio[id]
		ours := k.ours[id] || regs[id]
		if ours && haveSecret && hmac.Equal([]byte(known), []byte(secret)) {
			k.mu.Unlock()
			return nil
		}
		if !ours {
			// Clio may send the handshake before its create answer
			// reached Firmsync: wait for creates in flight, no longer.
			wake, inFlight := k.created, k.creating > 0
			k.mu.Unlock()
			if !inFlight || !time.Now().Before(waitUntil) {
				return fmt.Errorf("webhook %s: %w", id, webhook.ErrHandshakeRefused)
			}
			t := time.NewTimer(time.Until(waitUntil))
			select {
			case <-wake:
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		// One of ours, but not the secret Clio gave us (or Clio gave none):
		// only Clio can say whether it is right.
		if last, ok := k.asked[id]; ok && time.Since(last) < handshakeAskEvery {
			k.mu.Unlock()
			return fmt.Errorf("webhook %s: Clio was asked about a handshake less than a minute ago: %w", id, webhook.ErrHandshakeRefused)
		}
		k.asked[id] = time.Now()
		k.mu.Unlock()
		if err := k.askClio(ctx, id, secret); err != nil {
			return err
		}
		// Clio accepted this secret for this webhook: it signs with it.
		if err := k.setClio(ctx, id, secret); err != nil {
			return fmt.Errorf("saving the Clio webhook secret Clio confirmed: %w", err)
		}
		return nil
	}
}

// askClio asks Clio to activate webhook id with secret, which makes Clio
// check the secret itself. A refusal wraps ErrHandshakeRefused; any other
// failure means it could not be checked now.
func (k *webhookKeys) askClio(ctx context.Context, id, secret string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook id %q: %w", id, webhook.ErrHandshakeRefused)
	}
	c, err := k.a.platforms.Clio(ctx)
	if err != nil {
		return fmt.Errorf("checking a handshake with Clio: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, handshakeAskTimeout)
	defer cancel()
	k.handshakeChecks.Add(1)
	err = c.ActivateWebhook(ctx, n, secret)
	if err == nil {
		return nil
	}
	if st := httpx.StatusOf(err); st >= 400 && st < 500 && st != http.StatusRequestTimeout && st != http.StatusTooManyRequests {
		return fmt.Errorf("Clio refused the handshake secret for webhook %s (status %d): %w", id, st, webhook.ErrHandshakeRefused)
	}
	return fmt.Errorf("checking a handshake with Clio: %w", err)
}

// beginCreate marks a Clio webhook create in flight; end records the
// webhook Clio created (id "" when the create failed) with the shared
// secret from Clio's answer, and wakes handshakes waiting for it.
func (k *webhookKeys) beginCreate() (end func(ctx context.Context, id, secret string) error) {
	k.mu.Lock()
	k.creating++
	k.mu.Unlock()
	return func(ctx context.Context, id, secret string) error {
		var err error
		switch {
		case id != "" && secret != "":
			err = k.setClio(ctx, id, secret)
		case id != "":
			k.markOurs(id) // Clio's answer had no secret: a handshake asks Clio
		}
		k.mu.Lock()
		k.creating--
		close(k.created)
		k.created = make(chan struct{})
		k.mu.Unlock()
		return err
	}
}

// setClio records (or with secret "" forgets) a Clio webhook's secret, as
// Clio gave or confirmed it; a recorded webhook is one of Firmsync's own.
func (k *webhookKeys) setClio(ctx context.Context, id, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked(ctx)
	if secret == "" {
		delete(k.ours, id)
		if _, ok := k.clio[id]; !ok {
			return nil
		}
		delete(k.clio, id)
	} else {
		k.ours[id] = true
		if k.clio[id] == secret {
			return nil
		}
		k.clio[id] = secret
	}
	return k.saveLocked(ctx)
}

// markOurs records a webhook Clio lists at Firmsync's URL as one of its own.
func (k *webhookKeys) markOurs(id string) {
	k.mu.Lock()
	k.ours[id] = true
	k.mu.Unlock()
}

// retainClio forgets the secrets of every webhook Clio no longer lists:
// a deleted webhook's, and any recorded for an id Clio never gave Firmsync.
func (k *webhookKeys) retainClio(ctx context.Context, listed map[string]bool) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked(ctx)
	changed := false
	for id := range k.clio {
		if !listed[id] {
			delete(k.clio, id)
			delete(k.ours, id)
			changed = true
		}
	}
	if !changed {
		return nil
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
	k.clio, k.loaded, k.pms, k.sbClientID = nil, false, nil, ""
	k.ours, k.asked = map[string]bool{}, map[string]time.Time{}
	k.mu.Unlock()
}
