package smokeball

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Webhook is a webhook subscription. Smokeball never sends Key back; it is
// filled from what was sent on create.
type Webhook struct {
	ID                   string
	Name                 string
	EventNotificationURL string
	Key                  string // signs deliveries; write-only at Smokeball
	EventTypes           []string
	CreatedDateUtc       time.Time
}

// UnmarshalJSON implements json.Unmarshaler.
func (h *Webhook) UnmarshalJSON(b []byte) error {
	var w struct {
		ID                   string   `json:"id"`
		Name                 string   `json:"name"`
		EventNotificationURL string   `json:"eventNotificationUrl"`
		Key                  string   `json:"key"`
		EventTypes           []string `json:"eventTypes"`
		CreatedDateUtc       flexTime `json:"createdDateUtc"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*h = Webhook{ID: w.ID, Name: w.Name, EventNotificationURL: w.EventNotificationURL, Key: w.Key, EventTypes: w.EventTypes, CreatedDateUtc: w.CreatedDateUtc.Time}
	return nil
}

// webhookWrite is WebhookSubscriptionDto.
type webhookWrite struct {
	Key                  string   `json:"key,omitempty"`
	Name                 string   `json:"name"`
	EventTypes           []string `json:"eventTypes"`
	EventNotificationURL string   `json:"eventNotificationUrl"`
}

// Webhooks returns every subscription of the firm. Smokeball deletes them
// when the refresh token expires or access is revoked, so check after
// every reconnect.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out []Webhook
	err := list(ctx, c, "listing webhooks", "/webhooks", nil, func(h Webhook) error {
		out = append(out, h)
		return nil
	})
	return out, err
}

// CreateWebhook subscribes url to eventTypes (e.g. "matter.updated",
// "error"). key signs each delivery (see VerifySignature); "" sends them
// unsigned. Unlike other writes this answers 200 with the subscription.
func (c *Client) CreateWebhook(ctx context.Context, name, url, key string, eventTypes []string) (Webhook, error) {
	in := webhookWrite{Key: key, Name: name, EventTypes: eventTypes, EventNotificationURL: url}
	var out Webhook
	if err := c.send(ctx, http.MethodPost, "/webhooks", nil, in, &out); err != nil {
		return Webhook{}, wrap(fmt.Sprintf("creating webhook %q", name), err)
	}
	if out.Key == "" {
		out.Key = key
	}
	return out, nil
}

// DeleteWebhook removes a subscription. ErrNotFound means it is already
// gone.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	if err := c.send(ctx, http.MethodDelete, "/webhooks/"+url.PathEscape(id), nil, nil, nil); err != nil {
		return wrap(fmt.Sprintf("deleting webhook %s", id), err)
	}
	return nil
}
