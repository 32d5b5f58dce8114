package mycase

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// WebhookModels returns the models MyCase can send webhooks for, the only
// ones a subscription may name. Documents and notes have none: poll them.
func WebhookModels() []string {
	return []string{"case", "client", "company", "event", "lead", "message"}
}

// Subscriptions returns every webhook subscription of the app.
func (c *Client) Subscriptions(ctx context.Context) ([]Subscription, error) {
	// The spec documents a bare array without paging; following a Link
	// header anyway costs nothing.
	return collect[Subscription](ctx, c, "listing webhook subscriptions", "/v1/webhooks/subscriptions", nil, false)
}

// Subscribe creates a subscription (POST /v1/webhooks/subscriptions →
// 201). model is one of WebhookModels; actions any of created, updated,
// deleted. Keep the reply's HMACKey: it verifies deliveries.
func (c *Client) Subscribe(ctx context.Context, model, url string, actions []string) (Subscription, error) {
	model = strings.ToLower(strings.TrimSpace(model))
	if !slices.Contains(WebhookModels(), model) {
		return Subscription{}, fmt.Errorf("mycase: subscribing: %q is not a webhook model (%s)", model, strings.Join(WebhookModels(), ", "))
	}
	var out Subscription
	in := subscriptionWrite{Model: model, URL: url, Actions: actions}
	if err := c.send(ctx, http.MethodPost, "/v1/webhooks/subscriptions", nil, in, &out); err != nil {
		return Subscription{}, wrap(fmt.Sprintf("subscribing to %s webhooks", model), err)
	}
	return out, nil
}

// Unsubscribe deletes a subscription (204). ErrNotFound means it is
// already gone.
func (c *Client) Unsubscribe(ctx context.Context, id string) error {
	if err := c.send(ctx, http.MethodDelete, "/v1/webhooks/subscriptions/"+url.PathEscape(id), nil, nil, nil); err != nil {
		return wrap("deleting webhook subscription "+id, err)
	}
	return nil
}

// Delivery is what a webhook POST says happened: Model ("case",
// "client", …, lower case), Action ("created", "updated", "deleted") and
// the record's id.
type Delivery struct {
	Model, Action string
	ID            int64
}

// ParseDelivery reads a webhook body. [U] The payload is undocumented; it
// accepts the shape seen in third-party code,
//
//	{"resource":"Case","action":"updated","resource_body":{"id":123,…}}
//
// and flat ones: the model under "resource", "model", "resource_type" or
// "type"; the action under "action", "event" or "event_type" (also as
// "case.updated" or "create"); the id under "id", "resource_id",
// "record_id" or the body ("resource_body", "data", "record"), as a number
// or numeric string.
func ParseDelivery(body []byte) (Delivery, error) {
	var m map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return Delivery{}, fmt.Errorf("mycase: webhook body is not a JSON object: %w", err)
	}
	var out Delivery
	out.Model = firstString(m, "resource", "model", "resource_type", "type", "object")
	out.Action = firstString(m, "action", "event", "event_type", "topic")
	// "case.updated" / "case/updated" carry both.
	if i := strings.IndexAny(out.Action, "./:"); i > 0 {
		if out.Model == "" {
			out.Model = out.Action[:i]
		}
		out.Action = out.Action[i+1:]
	}
	out.Model = normModel(out.Model)
	out.Action = normAction(out.Action)
	for _, k := range []string{"resource_body", "data", "record", "object_data"} {
		if raw, ok := m[k]; ok {
			var inner map[string]json.RawMessage
			if json.Unmarshal(raw, &inner) == nil {
				if id, ok := idOf(inner["id"]); ok {
					out.ID = id
					break
				}
			}
		}
	}
	if out.ID == 0 {
		for _, k := range []string{"id", "resource_id", "record_id", "object_id"} {
			if id, ok := idOf(m[k]); ok {
				out.ID = id
				break
			}
		}
	}
	switch {
	case out.Model == "":
		return out, errors.New("mycase: webhook body names no model")
	case out.Action == "":
		return out, errors.New("mycase: webhook body names no action")
	case out.ID == 0:
		return out, errors.New("mycase: webhook body names no record id")
	}
	return out, nil
}

func firstString(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		var s string
		if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func idOf(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// normModel turns "Case", "MessageThread" or "message_thread" into the
// subscription spelling ("case", "message").
func normModel(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	m := b.String()
	switch m {
	case "message_thread", "messages":
		return "message"
	case "person", "contact", "people", "clients":
		return "client"
	case "matter", "cases":
		return "case"
	}
	return m
}

// normAction turns "create", "Created" or "update" into the subscription
// spelling ("created", "updated", "deleted").
func normAction(s string) string {
	a := strings.ToLower(strings.TrimSpace(s))
	switch a {
	case "create", "new":
		return "created"
	case "update", "change", "changed":
		return "updated"
	case "delete", "destroy", "destroyed", "removed":
		return "deleted"
	}
	return a
}
