package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// clioHook is one Clio webhook Firmsync keeps registered.
type clioHook struct {
	model  string
	fields string
}

// clioHooks are the models and fields the jobs need from Clio webhooks.
func clioHooks() []clioHook {
	return []clioHook{
		{"matter", "id,etag,display_number,description,status,updated_at"},
		{"contact", "id,etag,name,updated_at"},
		{"document", "id,etag,name,updated_at,matter{id}"},
	}
}

// Webhook lifetimes: Clio allows at most 31 days; renew when under a week.
const (
	clioHookLifetime = 30 * 24 * time.Hour
	clioRenewWithin  = 7 * 24 * time.Hour
	upkeepInterval   = time.Hour // two list calls: cheap, and a suspended hook is back within the hour
)

// WebhookURL is where a platform delivers, behind the tunnel.
func WebhookURL(tunnel, platform string) string {
	if tunnel == "" {
		return ""
	}
	return strings.TrimSuffix(tunnel, "/") + "/webhooks/" + platform
}

// tunnelURL is the public base the platforms deliver to: the setting, or
// in sandbox mode the receiver's own loopback address.
func (a *App) tunnelURL() string {
	a.bgMu.Lock()
	local := a.receiverURL
	a.bgMu.Unlock()
	if a.inSandbox() && local != "" {
		return local
	}
	return a.Settings().TunnelURL
}

// UpkeepWebhooks registers, renews and re-points Firmsync's webhooks on
// every connected platform whose API allows it (Clio, Box), and in sandbox
// mode stands in for the person who pastes the URL into Zoom's and
// Lawmatics' consoles. MyCase and Smokeball subscriptions are kept the
// same way (upkeeppms.go). Errors are recorded on the connection and
// returned.
func (a *App) UpkeepWebhooks(ctx context.Context) error {
	_, err := a.upkeepWebhooks(ctx)
	return err
}

// upkeepWebhooks is UpkeepWebhooks, and also says which jobs lost events:
// those fed by a webhook it had to create (first connect, a new tunnel, a
// suspended or lapsed hook replaced). A platform sends nothing for what
// changed before its webhook was enabled.
func (a *App) upkeepWebhooks(ctx context.Context) (gaps []string, err error) {
	tunnel := a.tunnelURL()
	if tunnel == "" {
		return nil, nil
	}
	var errs []error
	gap := func(jobs ...string) {
		for _, j := range jobs {
			if !slices.Contains(gaps, j) {
				gaps = append(gaps, j)
			}
		}
	}
	for _, p := range []string{a.PracticeManagement(), Box, Zoom, Lawmatics} {
		conn, err := a.store.Connection(p)
		if err != nil || conn.Status == store.ConnDisconnected || conn.Status == "" || conn.Status == store.ConnReconnectNeeded {
			continue
		}
		var perr error
		switch p {
		case Clio:
			perr = a.upkeepClio(ctx, tunnel, func(model string) { gap(clioHookJobs(model)...) })
		case MyCase:
			perr = a.upkeepMyCase(ctx, tunnel, func(model string) { gap(myCaseHooks()[model]...) })
		case Smokeball:
			perr = a.upkeepSmokeball(ctx, tunnel, func() { gap(JobContacts, JobFolders, JobIntake, JobDocuments) })
		case Box:
			perr = a.upkeepBox(ctx, tunnel, func() { gap(JobFolders) })
		case Zoom, Lawmatics:
			perr = a.upkeepConsole(ctx, p, tunnel)
		}
		if perr != nil {
			errs = append(errs, fmt.Errorf("%s webhooks: %w", p, perr))
			a.Logger().Warn("webhook upkeep failed", "platform", p, "err", perr)
		}
	}
	return gaps, errors.Join(errs...)
}

// clioHookJobs are the jobs a Clio webhook model feeds (see Targets).
func clioHookJobs(model string) []string {
	switch model {
	case "matter":
		return []string{JobFolders, JobIntake, JobDocuments}
	case "contact":
		return []string{JobContacts}
	case "document":
		return []string{JobDocuments}
	}
	return nil
}

// upkeepClio keeps Clio's webhooks; created is told each model whose
// webhook it had to create.
func (a *App) upkeepClio(ctx context.Context, tunnel string, created func(model string)) error {
	c, err := a.platforms.Clio(ctx)
	if err != nil {
		return err
	}
	url := WebhookURL(tunnel, Clio)
	remote, err := c.Webhooks(ctx)
	if err != nil {
		return err
	}
	conn, _ := a.store.Connection(Clio)
	ours := map[string]bool{}
	for _, w := range conn.Webhooks {
		ours[w.ID] = true
	}
	// Only Clio's own list says which webhooks exist: forget any secret
	// recorded for an id it does not list (a deleted webhook, or one
	// planted through a handshake before handshakes were checked).
	listed := map[string]bool{}
	for _, w := range remote {
		listed[strconv.FormatInt(w.ID, 10)] = true
	}
	if err := a.webhookKeys.retainClio(ctx, listed); err != nil {
		return fmt.Errorf("forgetting the secrets of removed Clio webhooks: %w", err)
	}
	now := time.Now()
	var regs []store.WebhookReg
	have := map[string]bool{}
	for _, w := range remote {
		id := strconv.FormatInt(w.ID, 10)
		if w.URL != url {
			// One of ours at an old tunnel URL: remove it.
			if ours[id] || strings.HasSuffix(w.URL, "/webhooks/clio") {
				if err := c.DeleteWebhook(ctx, w.ID); err != nil && !errors.Is(err, clio.ErrNotFound) {
					return err
				}
				_ = a.webhookKeys.setClio(ctx, id, "")
			}
			continue
		}
		if have[w.Model] {
			continue
		}
		if reason := clioHookDead(w, now); reason != "" {
			// A suspended or lapsed hook delivers nothing while it still
			// looks present; Clio offers no way to re-enable a suspended
			// one, so it is replaced (below, with the missing models).
			if err := c.DeleteWebhook(ctx, w.ID); err != nil && !errors.Is(err, clio.ErrNotFound) {
				return fmt.Errorf("removing the %s %s webhook: %w", reason, w.Model, err)
			}
			_ = a.webhookKeys.setClio(ctx, id, "")
			a.Logger().Warn("replacing a Clio webhook", "model", w.Model, "state", reason)
			continue
		}
		if w.Status == "pending" {
			// Never confirmed (the handshake was lost, e.g. the tunnel was
			// down): confirm it with the secret Clio gave us.
			secret := w.SharedSecret
			if secret == "" {
				secret = a.webhookKeys.clioSecret(ctx, id)
			}
			if secret == "" || c.ActivateWebhook(ctx, w.ID, secret) != nil {
				if err := c.DeleteWebhook(ctx, w.ID); err != nil && !errors.Is(err, clio.ErrNotFound) {
					return fmt.Errorf("removing the unconfirmed %s webhook: %w", w.Model, err)
				}
				_ = a.webhookKeys.setClio(ctx, id, "")
				a.Logger().Warn("replacing a Clio webhook that could not be confirmed", "model", w.Model)
				continue
			}
			w.Status = "enabled"
		}
		have[w.Model] = true
		exp := w.ExpiresAt
		if !exp.IsZero() && exp.Sub(now) < clioRenewWithin {
			nw, err := c.ExtendWebhook(ctx, w.ID, now.Add(clioHookLifetime))
			if err != nil {
				return fmt.Errorf("renewing the %s webhook: %w", w.Model, err)
			}
			exp = nw.ExpiresAt
			a.Logger().Info("renewed a Clio webhook", "model", w.Model, "expires", exp)
		}
		if w.SharedSecret != "" {
			_ = a.webhookKeys.setClio(ctx, id, w.SharedSecret)
		} else {
			a.webhookKeys.markOurs(id)
		}
		regs = append(regs, store.WebhookReg{ID: id, Model: w.Model, URL: w.URL, Status: w.Status, ExpiresAt: exp})
	}
	for _, h := range clioHooks() {
		if have[h.model] {
			continue
		}
		// Clio sends the handshake right after creating, possibly before
		// its answer gets here: the handshake waits for the answer, whose
		// id and shared_secret are what it is checked against.
		end := a.webhookKeys.beginCreate()
		w, err := c.CreateWebhook(ctx, clio.WebhookCreate{URL: url, Model: h.model, Fields: h.fields, ExpiresAt: now.Add(clioHookLifetime)})
		if err != nil {
			_ = end(ctx, "", "")
			return fmt.Errorf("registering the %s webhook: %w", h.model, err)
		}
		id := strconv.FormatInt(w.ID, 10)
		if err := end(ctx, id, w.SharedSecret); err != nil {
			return fmt.Errorf("saving the %s webhook's secret: %w", h.model, err)
		}
		status := w.Status
		if status == "pending" {
			// The handshake may have raced the create; confirm explicitly.
			if err := c.ActivateWebhook(ctx, w.ID, w.SharedSecret); err == nil {
				status = "enabled"
			}
		}
		regs = append(regs, store.WebhookReg{ID: id, Model: h.model, URL: url, Status: status, ExpiresAt: w.ExpiresAt})
		a.Logger().Info("registered a Clio webhook", "model", h.model)
		created(h.model)
	}
	return a.store.UpdateConnection(Clio, func(cn *store.Connection) error {
		keep := map[string]store.WebhookReg{}
		for _, old := range cn.Webhooks {
			keep[old.ID] = old
		}
		for i, r := range regs {
			if old, ok := keep[r.ID]; ok {
				regs[i].LastEventAt = old.LastEventAt
			}
		}
		cn.Webhooks = regs
		return nil
	})
}

// clioHookDead says why a Clio webhook can no longer deliver ("suspended",
// "expired"), or "" when it can.
func clioHookDead(w clio.Webhook, now time.Time) string {
	switch {
	case w.Status == "suspended":
		return "suspended"
	case !w.ExpiresAt.IsZero() && !w.ExpiresAt.After(now):
		return "expired"
	}
	return ""
}

// upkeepBox keeps the Box webhook on the root folder; created is called
// when it had to create one.
func (a *App) upkeepBox(ctx context.Context, tunnel string, created func()) error {
	root := a.Settings().Jobs.BoxRootFolderID
	if root == "" || root == "0" {
		return a.store.UpdateConnection(Box, func(cn *store.Connection) error {
			cn.Webhooks = []store.WebhookReg{{Model: "folder", Status: "not registered", LastError: "Box allows no webhook on All Files: choose a Box root folder in Settings"}}
			return nil
		})
	}
	c, err := a.platforms.Box(ctx)
	if err != nil {
		return err
	}
	url := WebhookURL(tunnel, Box)
	hooks, err := c.Webhooks(ctx)
	if err != nil {
		return err
	}
	conn, _ := a.store.Connection(Box)
	known := map[string]string{} // id → the address we registered
	for _, r := range conn.Webhooks {
		known[r.ID] = r.URL
	}
	var reg *store.WebhookReg
	for _, w := range hooks {
		if w.Target.ID != root {
			continue
		}
		addr := w.Address
		if addr == "" {
			addr = known[w.ID] // Box's list omits the address
		}
		if addr != url {
			if _, err := c.UpdateWebhook(ctx, w.ID, url); err != nil {
				return fmt.Errorf("re-pointing the Box webhook: %w", err)
			}
		}
		reg = &store.WebhookReg{ID: w.ID, Model: "folder " + root, URL: url, Status: "enabled"}
		break
	}
	if reg == nil {
		w, err := c.CreateWebhook(ctx, root, url, []string{"FOLDER.TRASHED", "FOLDER.DELETED", "FOLDER.RENAMED", "FOLDER.MOVED"})
		var ce *box.ConflictError
		if errors.As(err, &ce) && ce.ID != "" {
			if _, err := c.UpdateWebhook(ctx, ce.ID, url); err != nil {
				return err
			}
			w.ID = ce.ID
		} else if err != nil {
			return fmt.Errorf("registering the Box webhook: %w", err)
		}
		reg = &store.WebhookReg{ID: w.ID, Model: "folder " + root, URL: url, Status: "enabled"}
		a.Logger().Info("registered a Box webhook", "folder", root)
		created()
	}
	return a.store.UpdateConnection(Box, func(cn *store.Connection) error {
		if len(cn.Webhooks) == 1 && cn.Webhooks[0].ID == reg.ID {
			reg.LastEventAt = cn.Webhooks[0].LastEventAt
		}
		cn.Webhooks = []store.WebhookReg{*reg}
		return nil
	})
}

// upkeepConsole records what the user must paste into a platform's own
// console (Zoom, Lawmatics); in sandbox mode it pastes it itself.
func (a *App) upkeepConsole(ctx context.Context, p, tunnel string) error {
	url := WebhookURL(tunnel, p)
	status := "paste this URL in the " + p + " console"
	if a.inSandbox() {
		if err := sandbox.SetConsoleWebhook(ctx, a.sandboxInfo().Admin, p, url); err != nil {
			return err
		}
		status = "enabled"
	}
	return a.store.UpdateConnection(p, func(cn *store.Connection) error {
		var last time.Time
		if len(cn.Webhooks) == 1 {
			last = cn.Webhooks[0].LastEventAt
		}
		if !last.IsZero() {
			status = "enabled"
		}
		cn.Webhooks = []store.WebhookReg{{Model: "console", URL: url, Status: status, LastEventAt: last}}
		return nil
	})
}

// deleteWebhooks removes Firmsync's webhooks from a platform (disconnect).
func (a *App) deleteWebhooks(ctx context.Context, platform string) {
	conn, err := a.store.Connection(platform)
	if err != nil || len(conn.Webhooks) == 0 {
		return
	}
	switch platform {
	case MyCase, Smokeball:
		a.deletePMSWebhooks(ctx, platform, conn.Webhooks)
	case Clio:
		c, err := a.platforms.Clio(ctx)
		if err != nil {
			return
		}
		for _, w := range conn.Webhooks {
			id, err := strconv.ParseInt(w.ID, 10, 64)
			if err != nil {
				continue
			}
			if err := c.DeleteWebhook(ctx, id); err != nil && !errors.Is(err, clio.ErrNotFound) {
				a.Logger().Warn("deleting a Clio webhook", "id", w.ID, "err", err)
			}
		}
	case Box:
		c, err := a.platforms.Box(ctx)
		if err != nil {
			return
		}
		for _, w := range conn.Webhooks {
			if w.ID == "" {
				continue
			}
			if err := c.DeleteWebhook(ctx, w.ID); err != nil && !errors.Is(err, box.ErrNotFound) {
				a.Logger().Warn("deleting a Box webhook", "id", w.ID, "err", err)
			}
		}
	}
}

// webhookArrived records that a verified event came in from a platform.
func (a *App) webhookArrived(platform string) {
	a.bus.Publish(events.WebhookReceived, events.ConnectionData{Platform: platform})
	_ = a.store.UpdateConnection(platform, func(cn *store.Connection) error {
		for i := range cn.Webhooks {
			cn.Webhooks[i].LastEventAt = time.Now()
			if cn.Webhooks[i].Status != "" && strings.HasPrefix(cn.Webhooks[i].Status, "paste") {
				cn.Webhooks[i].Status = "enabled"
			}
		}
		return nil
	})
}

// clioSecret is the shared secret recorded for one Clio webhook ("" if none).
func (k *webhookKeys) clioSecret(ctx context.Context, id string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked(ctx)
	return k.clio[id]
}
