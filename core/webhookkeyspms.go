package core

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/webhook"
)

// The MyCase and Smokeball subscriptions' secrets live in the keychain,
// like Clio's, cached here after the first read (a delivery must not wait
// on a D-Bus round trip): MyCase hands each subscription an hmac_key, kept
// by subscription id; Firmsync chooses the key of its one Smokeball
// subscription, kept under the id "" .

// pmsHookKeysKey is where a platform's subscription keys are kept.
func pmsHookKeysKey(platform string) string { return secrets.Key(platform, "webhook_secret") }

// pmsHookKeys returns a copy of a platform's subscription id → key map.
func (k *webhookKeys) pmsHookKeys(ctx context.Context, platform string) (map[string]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	m, err := k.pmsLoadLocked(ctx, platform)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for id, v := range m {
		out[id] = v
	}
	return out, nil
}

func (k *webhookKeys) pmsLoadLocked(ctx context.Context, platform string) (map[string]string, error) {
	if m, ok := k.pms[platform]; ok {
		return m, nil
	}
	m := map[string]string{}
	s, err := k.a.secrets.Get(ctx, pmsHookKeysKey(platform))
	switch {
	case errors.Is(err, secrets.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if json.Unmarshal([]byte(s), &m) != nil {
			m = map[string]string{} // unreadable: upkeep replaces the subscriptions
		}
	}
	if k.pms == nil {
		k.pms = map[string]map[string]string{}
	}
	k.pms[platform] = m
	return m, nil
}

// setPMSHookKeys replaces a platform's map, in the keychain and the cache.
func (k *webhookKeys) setPMSHookKeys(ctx context.Context, platform string, keys map[string]string) error {
	b, _ := json.Marshal(keys)
	if err := k.a.secrets.Set(ctx, pmsHookKeysKey(platform), string(b)); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pms == nil {
		k.pms = map[string]map[string]string{}
	}
	k.pms[platform] = keys
	return nil
}

// MyCaseKeys implements webhook.PMSKeys.
func (k *webhookKeys) MyCaseKeys(ctx context.Context) []string {
	m, err := k.pmsHookKeys(ctx, MyCase)
	if err != nil {
		k.a.Logger().Error("reading MyCase webhook keys", "err", err)
		return nil
	}
	out := make([]string, 0, len(m))
	for _, v := range m {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// SmokeballKey implements webhook.PMSKeys: the subscription's key and the
// developer app's client id, which Smokeball signs with it.
func (k *webhookKeys) SmokeballKey(ctx context.Context) (string, string) {
	m, err := k.pmsHookKeys(ctx, Smokeball)
	if err != nil {
		k.a.Logger().Error("reading the Smokeball webhook key", "err", err)
		return "", ""
	}
	key := ""
	for _, v := range m {
		key = v
	}
	if key == "" {
		return "", ""
	}
	return key, k.smokeballClient(ctx)
}

// smokeballClient is the client id of the Smokeball developer app, read
// once (a delivery must not wait on the keychain) and forgotten when the
// app is replaced (SaveAppCredentials) or after a disconnect.
func (k *webhookKeys) smokeballClient(ctx context.Context) string {
	k.mu.Lock()
	id := k.sbClientID
	k.mu.Unlock()
	if id != "" {
		return id
	}
	creds, err := k.a.credentials(ctx, Smokeball)
	if err != nil {
		return ""
	}
	k.mu.Lock()
	k.sbClientID = creds.ClientID
	k.mu.Unlock()
	return creds.ClientID
}

// forgetClientIDs drops the cached developer-app client ids.
func (k *webhookKeys) forgetClientIDs() {
	k.mu.Lock()
	k.sbClientID = ""
	k.mu.Unlock()
}

var _ webhook.PMSKeys = (*webhookKeys)(nil)
