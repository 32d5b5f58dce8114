package box

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// webhooksPageSize is Box's maximum page size for GET /2.0/webhooks
// (limit ≤ 1000, Box's OAS); an app has at most 1000 webhooks per user, so
// one page holds them all.
const webhooksPageSize = 1000

// CreateWebhook watches folder folderID (and, as webhooks cascade, all
// below it) for triggers (e.g. "FILE.UPLOADED"), delivering to address
// (https on port 443). Box allows one webhook per item per app and user:
// a second fails with a *ConflictError whose ID names the existing
// webhook when Box says.
func (c *Client) CreateWebhook(ctx context.Context, folderID, address string, triggers []string) (Webhook, error) {
	r, err := jsonRequest(http.MethodPost, c.api("/webhooks", nil), CreateWebhookRequest{
		Target: WebhookTarget{ID: folderID, Type: "folder"}, Address: address, Triggers: triggers})
	if err != nil {
		return Webhook{}, fmt.Errorf("box: creating a webhook on folder %s: %w", folderID, err)
	}
	var w Webhook
	if err := c.http.DoJSON(ctx, r, &w); err != nil {
		return Webhook{}, wrap("creating a webhook on folder "+folderID, err)
	}
	return w, nil
}

// Webhooks lists the app's webhooks for the connected user. Box lists
// mini webhooks, so only ID, Type and Target are set: Address, Triggers,
// CreatedBy and CreatedAt are empty (GET /2.0/webhooks/{id} has them).
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	q := url.Values{"limit": {strconv.Itoa(webhooksPageSize)}}
	out := []Webhook{}
	for page := 1; ; page++ {
		var l Webhooks
		if err := c.http.JSON(ctx, http.MethodGet, c.api("/webhooks", q), nil, &l); err != nil {
			return nil, wrap(fmt.Sprintf("listing webhooks (page %d)", page), err)
		}
		for _, m := range l.Entries {
			out = append(out, Webhook{ID: m.ID, Type: m.Type, Target: m.Target})
		}
		if l.NextMarker == nil || *l.NextMarker == "" || len(l.Entries) == 0 {
			return out, nil
		}
		q.Set("marker", *l.NextMarker)
	}
}

// UpdateWebhook points webhook id at a new address.
func (c *Client) UpdateWebhook(ctx context.Context, id, address string) (Webhook, error) {
	r, err := jsonRequest(http.MethodPut, c.api("/webhooks/"+pathID(id), nil), UpdateWebhookRequest{Address: address})
	if err != nil {
		return Webhook{}, fmt.Errorf("box: updating webhook %s: %w", id, err)
	}
	var w Webhook
	if err := c.http.DoJSON(ctx, r, &w); err != nil {
		return Webhook{}, wrap("updating webhook "+id, err)
	}
	return w, nil
}

// DeleteWebhook deletes webhook id. A missing webhook fails with
// ErrNotFound (the delete is already done).
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	if err := c.http.JSON(ctx, http.MethodDelete, c.api("/webhooks/"+pathID(id), nil), nil, nil); err != nil {
		return wrap("deleting webhook "+id, err)
	}
	return nil
}
