package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// myCaseHooks are the MyCase models Firmsync subscribes to and the jobs
// each feeds (see Targets). MyCase sends nothing for documents or notes:
// the documents job finds those by its schedule.
func myCaseHooks() map[string][]string {
	return map[string][]string{
		"case":   {JobFolders, JobIntake, JobDocuments},
		"client": {JobContacts},
	}
}

// smokeballEvents are the event types of Firmsync's one Smokeball
// subscription (Smokeball asks for one per firm).
func smokeballEvents() []string {
	return []string{"contact.created", "contact.updated", "contact.deleted", "contact.restored",
		"matter.created", "matter.updated", "matter.closed", "files.updated"}
}

// smokeballHookName names Firmsync's subscription in Smokeball's list.
const smokeballHookName = "Firmsync"

// pmsSystem returns the firm's system when it is kind.
func (a *App) pmsSystem(ctx context.Context, kind string) (pms.System, error) {
	if a.PracticeManagement() != kind {
		return nil, fmt.Errorf("the firm runs %s, not %s", pms.Name(a.PracticeManagement()), pms.Name(kind))
	}
	return a.platforms.PMS(ctx)
}

// upkeepMyCase keeps one subscription per model at the tunnel URL, with
// its hmac_key in the keychain. A subscription at an old URL of Firmsync's
// is removed; one whose key Firmsync does not hold (a lost keychain) is
// replaced, since its deliveries could not be verified. created is told
// each model it had to subscribe anew.
func (a *App) upkeepMyCase(ctx context.Context, tunnel string, created func(model string)) error {
	sys, err := a.pmsSystem(ctx, MyCase)
	if err != nil {
		return err
	}
	c := sys.(*pms.MyCaseSystem).Client()
	url := WebhookURL(tunnel, MyCase)
	subs, err := c.Subscriptions(ctx)
	if err != nil {
		return err
	}
	keys, err := a.webhookKeys.pmsHookKeys(ctx, MyCase)
	if err != nil {
		return fmt.Errorf("reading the MyCase webhook keys: %w", err)
	}
	kept := map[string]string{}
	have := map[string]store.WebhookReg{}
	for _, s := range subs {
		ours := strings.HasSuffix(s.URL, "/webhooks/"+MyCase)
		key := s.HMACKey
		if key == "" {
			key = keys[s.ID]
		}
		_, wanted := myCaseHooks()[s.Model]
		if !ours || !wanted {
			continue
		}
		if s.URL != url || key == "" || have[s.Model].ID != "" {
			if err := c.Unsubscribe(ctx, s.ID); err != nil && !errors.Is(err, mycase.ErrNotFound) {
				return fmt.Errorf("removing an old %s subscription: %w", s.Model, err)
			}
			continue
		}
		kept[s.ID] = key
		have[s.Model] = store.WebhookReg{ID: s.ID, Model: s.Model, URL: s.URL, Status: "enabled"}
	}
	for _, model := range slices.Sorted(maps.Keys(myCaseHooks())) {
		if have[model].ID != "" {
			continue
		}
		s, err := c.Subscribe(ctx, model, url, []string{"created", "updated", "deleted"})
		if err != nil {
			return fmt.Errorf("subscribing to MyCase %s webhooks: %w", model, err)
		}
		if s.HMACKey == "" {
			return fmt.Errorf("MyCase answered the %s subscription without an hmac_key: its deliveries could not be verified", model)
		}
		kept[s.ID] = s.HMACKey
		have[model] = store.WebhookReg{ID: s.ID, Model: model, URL: url, Status: "enabled"}
		a.Logger().Info("subscribed to MyCase webhooks", "model", model)
		created(model)
	}
	if err := a.webhookKeys.setPMSHookKeys(ctx, MyCase, kept); err != nil {
		return fmt.Errorf("saving the MyCase webhook keys: %w", err)
	}
	return a.savePMSRegs(MyCase, have)
}

// upkeepSmokeball keeps Firmsync's one subscription at the tunnel URL.
// Smokeball never shows a subscription's key again, so one Firmsync does
// not hold the key of (a lost keychain) is replaced; so is one at an old
// URL. Smokeball deletes subscriptions when the refresh token expires or
// access is revoked: the hourly upkeep makes it again, and the catch-up
// run covers what happened meanwhile.
func (a *App) upkeepSmokeball(ctx context.Context, tunnel string, created func()) error {
	sys, err := a.pmsSystem(ctx, Smokeball)
	if err != nil {
		return err
	}
	c := sys.(*pms.SmokeballSystem).Client()
	url := WebhookURL(tunnel, Smokeball)
	hooks, err := c.Webhooks(ctx)
	if err != nil {
		return err
	}
	keys, err := a.webhookKeys.pmsHookKeys(ctx, Smokeball)
	if err != nil {
		return fmt.Errorf("reading the Smokeball webhook key: %w", err)
	}
	var reg *store.WebhookReg
	key := ""
	for _, h := range hooks {
		if !strings.HasSuffix(h.EventNotificationURL, "/webhooks/"+Smokeball) {
			continue
		}
		if h.EventNotificationURL != url || keys[h.ID] == "" || reg != nil || !slices.Equal(h.EventTypes, smokeballEvents()) {
			if err := c.DeleteWebhook(ctx, h.ID); err != nil && !errors.Is(err, smokeball.ErrNotFound) {
				return fmt.Errorf("removing an old Smokeball subscription: %w", err)
			}
			continue
		}
		key = keys[h.ID]
		reg = &store.WebhookReg{ID: h.ID, Model: "events", URL: url, Status: "enabled"}
	}
	if reg == nil {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		key = hex.EncodeToString(b)
		h, err := c.CreateWebhook(ctx, smokeballHookName, url, key, smokeballEvents())
		if err != nil {
			return fmt.Errorf("subscribing to Smokeball webhooks: %w", err)
		}
		reg = &store.WebhookReg{ID: h.ID, Model: "events", URL: url, Status: "enabled"}
		a.Logger().Info("subscribed to Smokeball webhooks")
		created()
	}
	if err := a.webhookKeys.setPMSHookKeys(ctx, Smokeball, map[string]string{reg.ID: key}); err != nil {
		return fmt.Errorf("saving the Smokeball webhook key: %w", err)
	}
	return a.savePMSRegs(Smokeball, map[string]store.WebhookReg{reg.Model: *reg})
}

// savePMSRegs records a platform's registrations, keeping when each last
// delivered.
func (a *App) savePMSRegs(platform string, regs map[string]store.WebhookReg) error {
	return a.store.UpdateConnection(platform, func(cn *store.Connection) error {
		last := map[string]store.WebhookReg{}
		for _, old := range cn.Webhooks {
			last[old.ID] = old
		}
		out := make([]store.WebhookReg, 0, len(regs))
		for _, m := range slices.Sorted(maps.Keys(regs)) {
			r := regs[m]
			r.LastEventAt = last[r.ID].LastEventAt
			out = append(out, r)
		}
		cn.Webhooks = out
		return nil
	})
}

// deletePMSWebhooks removes Firmsync's MyCase or Smokeball subscriptions
// (disconnect).
func (a *App) deletePMSWebhooks(ctx context.Context, platform string, regs []store.WebhookReg) {
	sys, err := a.pmsSystem(ctx, platform)
	if err != nil {
		return
	}
	for _, w := range regs {
		if w.ID == "" {
			continue
		}
		switch s := sys.(type) {
		case *pms.MyCaseSystem:
			err = s.Client().Unsubscribe(ctx, w.ID)
			if errors.Is(err, mycase.ErrNotFound) {
				err = nil
			}
		case *pms.SmokeballSystem:
			err = s.Client().DeleteWebhook(ctx, w.ID)
			if errors.Is(err, smokeball.ErrNotFound) {
				err = nil
			}
		}
		if err != nil {
			a.Logger().Warn("deleting a webhook subscription", "platform", platform, "id", w.ID, "err", err)
		}
	}
}
