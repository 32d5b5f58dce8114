package clio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

const webhookFields = "id,etag,url,fields,shared_secret,model,status,events,expires_at,created_at,updated_at"

// WebhookCreate describes a webhook subscription.
type WebhookCreate struct {
	URL    string   // https URL Clio POSTs to
	Model  string   // "matter", "contact", "document", …
	Fields string   // the record fields each delivery carries, e.g. "id,etag,updated_at" (max 1000 chars)
	Events []string // "created", "updated", "deleted", …; nil = all of the model's
	// ExpiresAt is when Clio drops the webhook, at most 31 days ahead;
	// zero = Clio's default (3 days). Renew with ExtendWebhook.
	ExpiresAt time.Time
}

// CreateWebhook subscribes to a model's events. The reply carries the
// shared secret that signs deliveries (keep it; see VerifySignature). The
// webhook stays pending until confirmed: answer Clio's handshake POST with
// 200 and the same X-Hook-Secret header, or call ActivateWebhook.
func (c *Client) CreateWebhook(ctx context.Context, w WebhookCreate) (Webhook, error) {
	in := WebhookWrite{URL: w.URL, Model: w.Model, Fields: w.Fields, Events: w.Events}
	if !w.ExpiresAt.IsZero() {
		t := w.ExpiresAt.UTC().Truncate(time.Second)
		in.ExpiresAt = &t
	}
	var out Webhook
	if err := c.send(ctx, http.MethodPost, "/webhooks.json", url.Values{"fields": {webhookFields}}, in, &out, nil); err != nil {
		return Webhook{}, wrap(fmt.Sprintf("creating a %s webhook", w.Model), err)
	}
	return out, nil
}

// Webhooks returns every webhook of the connected user.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out []Webhook
	err := list(ctx, c, "listing webhooks", "/webhooks.json", url.Values{"fields": {webhookFields}}, func(h Webhook) error {
		out = append(out, h)
		return nil
	})
	return out, err
}

// ExtendWebhook moves a webhook's expiry to expiresAt (at most 31 days
// ahead).
func (c *Client) ExtendWebhook(ctx context.Context, id int64, expiresAt time.Time) (Webhook, error) {
	t := expiresAt.UTC().Truncate(time.Second)
	var out Webhook
	if err := c.send(ctx, http.MethodPatch, fmt.Sprintf("/webhooks/%d.json", id), url.Values{"fields": {webhookFields}},
		WebhookWrite{ExpiresAt: &t}, &out, nil); err != nil {
		return Webhook{}, wrap(fmt.Sprintf("extending webhook %d", id), err)
	}
	return out, nil
}

// DeleteWebhook removes a webhook. ErrNotFound means it is already gone.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	if err := c.send(ctx, http.MethodDelete, fmt.Sprintf("/webhooks/%d.json", id), nil, nil, nil, nil); err != nil {
		return wrap(fmt.Sprintf("deleting webhook %d", id), err)
	}
	return nil
}

// ActivateWebhook confirms a pending webhook with its shared secret (PUT
// /webhooks/{id}/activate with X-Hook-Secret), for when the handshake POST
// could not be answered in time.
func (c *Client) ActivateWebhook(ctx context.Context, id int64, secret string) error {
	if err := c.send(ctx, http.MethodPut, fmt.Sprintf("/webhooks/%d/activate", id), nil, nil, nil,
		http.Header{HookSecretHeader: {secret}}); err != nil {
		return wrap(fmt.Sprintf("activating webhook %d", id), err)
	}
	return nil
}
