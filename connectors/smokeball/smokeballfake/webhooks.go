package smokeballfake

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// EventTypes are the webhook event types the fake accepts in a
// subscription (the documented ones).
var EventTypes = []string{
	"contact.created", "contact.updated", "contact.deleted", "contact.restored",
	"matter.created", "matter.updated", "matter.closed", "matter.converted",
	"memo.created", "memo.updated", "memo.deleted", "memo.restored",
	"files.updated", "mattertype.updated", "error",
}

// Delivery is one POST the fake made to a notification URL.
type Delivery struct {
	SubscriptionID string      // the subscription
	URL            string      // where it was sent
	Type           string      // event type
	Status         int         // HTTP status received; 0 on a transport error
	Err            string      // transport error, if any
	Body           []byte      // raw body sent
	Header         http.Header // headers sent (Timestamp, RequestId, Signature)
	At             time.Time   // server clock when sent
}

// Deliveries returns every webhook POST made so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// AwaitDeliveries waits until at least n webhook POSTs have completed and
// returns them all.
func (s *Server) AwaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	for {
		s.mu.Lock()
		if len(s.deliveries) >= n {
			out := slices.Clone(s.deliveries)
			s.mu.Unlock()
			return out, nil
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		}
	}
}

func (s *Server) logDelivery(d Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries = append(s.deliveries, d)
	close(s.wake)
	s.wake = make(chan struct{})
}

// Webhooks returns every subscription with its key, for assertions.
func (s *Server) Webhooks() []smokeball.Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []smokeball.Webhook
	for _, h := range s.st.Webhooks.all() {
		out = append(out, smokeball.Webhook{ID: h.ID, Name: h.Name, EventNotificationURL: h.URL, Key: h.Key,
			EventTypes: slices.Clone(h.EventTypes), CreatedDateUtc: h.Created})
	}
	return out
}

// hookView renders a WebhookSubscription; the key is never sent back.
func (s *Server) hookViewLocked(base string, h *hookRec) map[string]any {
	return map[string]any{
		"id": h.ID, "href": base + "/webhooks/" + h.ID,
		"accountId": s.st.AccountID, "name": h.Name, "eventTypes": h.EventTypes, "eventNotificationUrl": h.URL,
		"createdDateUtc": smokeball.FormatTime(h.Created), "updatedDateUtc": smokeball.FormatTime(h.Updated),
		"lastUpdated": h.LastUpdated,
	}
}

var webhookDtoKeys = []string{"key", "name", "eventTypes", "eventNotificationUrl"}

// readHook validates a WebhookSubscriptionDto.
func (s *Server) readHook(w http.ResponseWriter, r *http.Request) (*hookRec, bool) {
	m, ok := readBody(w, r, webhookDtoKeys)
	if !ok {
		return nil, false
	}
	v := validation{}
	h := &hookRec{}
	var err error
	if h.Key, err = str(m, "key"); err != nil {
		v.add("key", err.Error())
	}
	if h.Name, err = str(m, "name"); err != nil {
		v.add("name", err.Error())
	}
	if h.URL, err = str(m, "eventNotificationUrl"); err != nil {
		v.add("eventNotificationUrl", err.Error())
	}
	if raw, ok := m["eventTypes"]; ok && json.Unmarshal(raw, &h.EventTypes) != nil {
		v.add("eventTypes", "eventTypes must be a list of strings")
	}
	if u, err := url.Parse(h.URL); err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && s.opts.AllowInsecureWebhooks) {
		v.add("eventNotificationUrl", "eventNotificationUrl must be an absolute https URL.")
	}
	if len(h.EventTypes) == 0 {
		v.add("eventTypes", "At least one event type is required.")
	}
	for _, t := range h.EventTypes {
		if !slices.Contains(EventTypes, t) {
			v.add("eventTypes", "Unknown event type "+strconv.Quote(t)+".")
		}
	}
	if len(v) > 0 {
		writeValidation(w, r, v)
		return nil, false
	}
	return h, true
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	win, ok := parseWindow(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	var all []map[string]any
	for _, h := range s.st.Webhooks.all() {
		all = append(all, s.hookViewLocked(requestBase(r), h))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page(r, win, all))
}

// createWebhook answers 200 with the subscription: subscriptions are the
// one write Smokeball applies at once.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	h, ok := s.readHook(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	now := s.now()
	h.ID, h.Created, h.Updated, h.LastUpdated = newGUID(), now, now, s.tickLocked()
	s.st.Webhooks.put(h.ID, h)
	view := s.hookViewLocked(requestBase(r), h)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, view)
}

// getWebhook answers 404 for an unknown id [U: the spec lists only 200
// and 400 for this operation; 404 is what its PUT and DELETE use].
func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h, ok := s.st.Webhooks.get(r.PathValue("id"))
	var view map[string]any
	if ok {
		view = s.hookViewLocked(requestBase(r), h)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r, "Webhook subscription")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

func (s *Server) putWebhook(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readHook(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	h, found := s.st.Webhooks.get(r.PathValue("id"))
	var view map[string]any
	if found {
		h.Name, h.Key, h.URL, h.EventTypes = in.Name, in.Key, in.URL, in.EventTypes
		h.Updated, h.LastUpdated = s.now(), s.tickLocked()
		view = s.hookViewLocked(requestBase(r), h)
	}
	s.mu.Unlock()
	if !found {
		notFound(w, r, "Webhook subscription")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// deleteWebhook answers 200 with no body, as the spec shows.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, found := s.st.Webhooks.get(id)
	if found {
		delete(s.st.Webhooks.M, id)
		s.st.Webhooks.IDs = slices.DeleteFunc(s.st.Webhooks.IDs, func(x string) bool { return x == id })
	}
	s.mu.Unlock()
	if !found {
		notFound(w, r, "Webhook subscription")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// envelope of a delivery: {accountId, userId, subscriptionId, type,
// source, payload, timestamp}.
type hookEnvelope struct {
	AccountID      string `json:"accountId"`
	UserID         string `json:"userId"`
	SubscriptionID string `json:"subscriptionId"`
	Type           string `json:"type"`
	Source         string `json:"source"`
	Payload        any    `json:"payload"`
	Timestamp      int64  `json:"timestamp"`
}

// emitLocked queues a delivery of typ to every subscription that asked for
// it. Headers: Timestamp (ticks), RequestId (the causing call's), and
// Signature when the subscription has a key. [U] Each delivery is tried
// once (Smokeball's retry policy is not documented). The caller holds mu
// and flushes.
func (s *Server) emitLocked(typ string, o origin, payload any) {
	for _, h := range s.st.Webhooks.all() {
		if !slices.Contains(h.EventTypes, typ) {
			continue
		}
		ts := s.tickLocked()
		body, _ := json.Marshal(hookEnvelope{AccountID: s.st.AccountID, UserID: s.st.UserID, SubscriptionID: h.ID,
			Type: typ, Source: o.source, Payload: payload, Timestamp: ts})
		hdr := http.Header{
			"Content-Type": {"application/json"},
			"Timestamp":    {strconv.FormatInt(ts, 10)},
			"RequestId":    {o.requestID},
		}
		if h.Key != "" {
			hdr.Set(smokeball.SignatureHeader, smokeball.Sign(h.Key, strconv.FormatInt(ts, 10), o.requestID, s.opts.ClientID))
		}
		id, target := h.ID, h.URL
		s.queueLocked(func(ctx context.Context) { s.deliver(ctx, id, target, typ, body, hdr) })
	}
}

func (s *Server) deliver(ctx context.Context, subID, target, typ string, body []byte, hdr http.Header) {
	d := Delivery{SubscriptionID: subID, URL: target, Type: typ, Body: body, Header: hdr.Clone(), At: s.now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err == nil {
		req.Header = hdr
		req.Header.Set("User-Agent", "Smokeball-Webhooks (smokeballfake)")
		var resp *http.Response
		if resp, err = s.hookClient.Do(req); err == nil {
			resp.Body.Close()
			d.Status = resp.StatusCode
		}
	}
	if err != nil {
		d.Err = err.Error()
	}
	s.logDelivery(d)
}
