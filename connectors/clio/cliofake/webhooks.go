package cliofake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

const (
	webhookDefaultTTL = 3 * 24 * time.Hour
	webhookMaxTTL     = 31 * 24 * time.Hour
	maxWebhookFields  = 1000
)

// webhookModels lists Clio's webhook models in the order of their numeric
// ids (SPEC, Webhooks "Supported Models"): a model may be named by its
// string identifier or by its id, 1-based position here. Replies always
// carry the string identifier (the record's model is a string enum).
func webhookModels() []string {
	return []string{"matter", "activity", "bill", "calendar_entry", "communication", "contact", "task", "document", "folder", "clio_payments_payment"}
}

// webhookModel is the model of a webhook write body: a string identifier
// ("matter") or the model's id, as a JSON number (1) or a numeric string
// ("1", as form-encoded bodies carry it).
type webhookModel string

// UnmarshalJSON implements json.Unmarshaler.
func (m *webhookModel) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = webhookModel(s)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("model must be a string identifier or a model id")
	}
	*m = webhookModel(strconv.FormatInt(n, 10))
	return nil
}

// webhookWrite is the fake's reading of POST/PATCH /webhooks data: as
// clio.WebhookWrite, but model may be a number.
type webhookWrite struct {
	URL       string       `json:"url"`
	Model     webhookModel `json:"model"`
	Fields    string       `json:"fields"`
	Events    []string     `json:"events"`
	ExpiresAt *time.Time   `json:"expires_at"`
}

func modelEvents(model string) []string {
	switch model {
	case "matter":
		return []string{"created", "updated", "deleted", "matter_opened", "matter_pended", "matter_closed"}
	case "clio_payments_payment":
		return []string{"created", "updated"}
	}
	return []string{"created", "updated", "deleted"}
}

// modelSample is the wire type whose fields a webhook of model may name;
// nil for models the fake stores no records of (fields are then unchecked).
func modelSample(model string) any {
	switch model {
	case "matter":
		return clio.Matter{}
	case "contact":
		return clio.Contact{}
	case "document":
		return clio.Document{}
	case "folder":
		return clio.Folder{}
	}
	return nil
}

// Delivery is one POST the fake made to a webhook URL: a handshake
// (Event "handshake") or an event delivery attempt.
type Delivery struct {
	WebhookID int64     // the webhook
	URL       string    // where it was sent
	Event     string    // "handshake", "created", "updated", …
	Attempt   int       // 1 for the first try, 2.. for retries
	Status    int       // HTTP status received; 0 on a transport error
	Err       string    // transport error, if any
	Body      []byte    // raw body sent
	Signature string    // X-Hook-Signature sent (empty for handshakes)
	At        time.Time // server clock when sent
}

// Deliveries returns every webhook POST made so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// AwaitDeliveries waits until at least n webhook POSTs (handshakes and
// attempts) have completed and returns them all.
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

// Webhooks returns every webhook record, for assertions.
func (s *Server) Webhooks() []clio.Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []clio.Webhook
	for _, h := range s.st.Webhooks.all() {
		out = append(out, *s.webhookViewLocked(h))
	}
	return out
}

func webhookTimes(h *clio.Webhook) (time.Time, time.Time) { return h.CreatedAt, h.UpdatedAt }

func (s *Server) webhookViewLocked(h *clio.Webhook) *clio.Webhook {
	v := *h
	if u, ok := s.st.Users.get(s.st.WhoAmI); ok {
		cp := *u
		v.User = &cp
	}
	return &v
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.Webhook{})
	if !ok {
		return
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.Webhooks, webhookTimes, nil, func(h *clio.Webhook) any { return s.webhookViewLocked(h) })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Webhook{})
	if !ok {
		return
	}
	s.mu.Lock()
	h, found := s.st.Webhooks.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: h.Etag, updated: h.UpdatedAt, data: p.one(s.webhookViewLocked(h))}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

// checkWebhookLocked validates h after a create or patch.
func (s *Server) checkWebhookLocked(h *clio.Webhook) error {
	u, err := url.Parse(h.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && s.opts.AllowInsecureWebhooks)) {
		return write422("url must be a valid https URL")
	}
	if n, err := strconv.Atoi(h.Model); err == nil {
		if n < 1 || n > len(webhookModels()) {
			return write422("model %d is not a webhook model id (1 to %d)", n, len(webhookModels()))
		}
		h.Model = webhookModels()[n-1]
	}
	if !slices.Contains(webhookModels(), h.Model) {
		return write422("model %q is not a webhook model", h.Model)
	}
	if h.Fields == "" || len(h.Fields) > maxWebhookFields {
		return write422("fields must be 1 to %d characters", maxWebhookFields)
	}
	if sample := modelSample(h.Model); sample != nil {
		if _, err := s.compileFields(h.Fields, sample); err != nil {
			return write422("%s", err.Error())
		}
	}
	if len(h.Events) == 0 {
		h.Events = modelEvents(h.Model) // [U] no events named means all of the model's
	}
	for _, e := range h.Events {
		if !slices.Contains(modelEvents(h.Model), e) {
			return write422("event %q is not valid for model %s", e, h.Model)
		}
	}
	now := s.now()
	if !h.ExpiresAt.After(now) {
		return write422("expires_at must be in the future")
	}
	if h.ExpiresAt.After(now.Add(webhookMaxTTL)) {
		return write422("expires_at can be at most 31 days from now")
	}
	return nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.Webhook{})
	if !ok {
		return
	}
	var in webhookWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	now := s.now()
	h := &clio.Webhook{URL: in.URL, Model: string(in.Model), Fields: in.Fields, Events: in.Events, ExpiresAt: now.Add(webhookDefaultTTL),
		Status: "pending", CreatedAt: now, UpdatedAt: now}
	if in.ExpiresAt != nil {
		h.ExpiresAt = in.ExpiresAt.UTC()
	}
	if err := s.checkWebhookLocked(h); err != nil {
		writeErr(w, err)
		return
	}
	h.ID, h.Etag, h.SharedSecret = s.nextIDLocked("webhook"), s.etagLocked(), randomHex(20)
	s.st.Webhooks.put(h.ID, h)
	s.handshakeLocked(h)
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: h.Etag, updated: h.UpdatedAt, data: p.one(s.webhookViewLocked(h))})
}

func (s *Server) patchWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Webhook{})
	if !ok {
		return
	}
	var in webhookWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	old, found := s.st.Webhooks.get(id)
	if !found {
		notFound(w)
		return
	}
	if err := checkIfMatch(r, old.Etag); err != nil {
		writeErr(w, err)
		return
	}
	h := *old
	if in.URL != "" {
		h.URL = in.URL
	}
	if in.Model != "" {
		h.Model = string(in.Model)
	}
	if in.Fields != "" {
		h.Fields = in.Fields
	}
	if in.Events != nil {
		h.Events = in.Events
	}
	if in.ExpiresAt != nil {
		h.ExpiresAt = in.ExpiresAt.UTC()
	}
	if err := s.checkWebhookLocked(&h); err != nil {
		writeErr(w, err)
		return
	}
	urlChanged := h.URL != old.URL
	if urlChanged {
		h.Status = "pending"
	}
	h.Etag, h.UpdatedAt = s.etagLocked(), s.now()
	s.st.Webhooks.put(id, &h)
	if urlChanged {
		s.handshakeLocked(&h)
	}
	writeRecord(w, r, recordReply{etag: h.Etag, updated: h.UpdatedAt, data: p.one(s.webhookViewLocked(&h))})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	s.mu.Lock()
	_, found := s.st.Webhooks.get(id)
	if found {
		s.st.Webhooks.del(id)
		delete(s.st.HookSeen, id)
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// activateWebhook confirms a pending webhook with its X-Hook-Secret.
func (s *Server) activateWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	s.mu.Lock()
	h, found := s.st.Webhooks.get(id)
	var rep recordReply
	var err error
	switch {
	case !found:
	case !hmac.Equal([]byte(r.Header.Get("X-Hook-Secret")), []byte(h.SharedSecret)):
		// [U] status for a wrong or missing secret.
		err = write422("X-Hook-Secret does not match the webhook's shared secret")
	default:
		h.Status, h.Etag, h.UpdatedAt = "enabled", s.etagLocked(), s.now()
		rep = recordReply{etag: h.Etag, updated: h.UpdatedAt, data: (plan{{name: "id", index: 0}, {name: "etag", index: 1}}).one(h)}
	}
	s.mu.Unlock()
	switch {
	case !found:
		notFound(w)
	case err != nil:
		writeErr(w, err)
	default:
		writeRecord(w, r, rep)
	}
}

// handshakeLocked queues the X-Hook-Secret handshake POST; an answer of 200
// echoing the same X-Hook-Secret enables the webhook. The body
// {"data":{"webhook_id":id}} is [U]. The caller holds mu and flushes.
func (s *Server) handshakeLocked(h *clio.Webhook) {
	id, target, secret := h.ID, h.URL, h.SharedSecret
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"webhook_id": id}})
	s.outbox = append(s.outbox, func(ctx context.Context) {
		d := Delivery{WebhookID: id, URL: target, Event: "handshake", Attempt: 1, Body: body, At: s.now()}
		resp, err := s.post(ctx, target, body, http.Header{"X-Hook-Secret": {secret}})
		if err != nil {
			d.Err = err.Error()
			s.logDelivery(d)
			return
		}
		d.Status = resp.StatusCode
		if resp.StatusCode == http.StatusOK && hmac.Equal([]byte(resp.Header.Get("X-Hook-Secret")), []byte(secret)) {
			s.mu.Lock()
			if cur, ok := s.st.Webhooks.get(id); ok && cur.URL == target && cur.Status == "pending" {
				cur.Status, cur.Etag, cur.UpdatedAt = "enabled", s.etagLocked(), s.now()
			}
			s.mu.Unlock()
		}
		s.logDelivery(d)
	})
}

func (s *Server) post(ctx context.Context, target string, body []byte, h http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Clio-Webhooks (cliofake)")
	resp, err := s.hookClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return resp, nil
}

// emitLocked queues deliveries of event on record id of model to every
// enabled, unexpired webhook subscribed to it. view is the full record; each
// hook gets it projected to its fields. "updated" is only sent when the
// projection differs from the last one that hook was sent for the record
// (the first update of a record is always sent). The caller holds mu and
// flushes.
func (s *Server) emitLocked(model, event string, id int64, view any) {
	now := s.clock()
	for _, h := range s.st.Webhooks.all() {
		if h.Model != model || h.Status != "enabled" || !now.Before(h.ExpiresAt) || !slices.Contains(h.Events, event) {
			continue
		}
		p, err := s.compileFields(h.Fields, view)
		if err != nil {
			continue
		}
		data, _ := json.Marshal(p.one(view))
		seen := s.st.HookSeen[h.ID]
		if seen == nil {
			seen = map[int64]string{}
			s.st.HookSeen[h.ID] = seen
		}
		if event == "updated" {
			if prev, ok := seen[id]; ok && prev == string(data) {
				continue
			}
		}
		if event == "deleted" {
			delete(seen, id)
		} else if event == "created" || event == "updated" {
			seen[id] = string(data)
		}
		body, _ := json.Marshal(clio.WebhookDelivery{Data: data, Meta: clio.WebhookMeta{Event: event, WebhookID: h.ID}})
		hookID, target, secret := h.ID, h.URL, h.SharedSecret
		s.outbox = append(s.outbox, func(ctx context.Context) { s.deliver(ctx, hookID, target, secret, event, body) })
	}
}

// retryDelays is the [U] schedule after a failed delivery: 3 retries at 1,
// 5 and 15 minutes, scaled by RateWindow/60s so a sandbox with a shortened
// window retries proportionally sooner. After the last failure the hook is
// suspended (Clio "may disable"; the demanding reading).
func (s *Server) retryDelays() []time.Duration {
	scale := float64(s.rateWindowLen()) / float64(time.Minute)
	var out []time.Duration
	for _, m := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute} {
		out = append(out, time.Duration(float64(m)*scale))
	}
	return out
}

// deliver POSTs one event with X-Hook-Signature (lowercase hex HMAC-SHA256
// of the raw body keyed by the shared secret), retrying on failure. 2xx, 3xx
// and 410 are success; 410 also suspends the hook.
func (s *Server) deliver(ctx context.Context, hookID int64, target, secret, event string, body []byte) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	sig := hex.EncodeToString(mac.Sum(nil))
	delays := append([]time.Duration{0}, s.retryDelays()...)
	for attempt, wait := range delays {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			s.mu.Lock()
			h, ok := s.st.Webhooks.get(hookID)
			live := ok && h.Status == "enabled" && h.URL == target
			s.mu.Unlock()
			if !live {
				return
			}
		}
		d := Delivery{WebhookID: hookID, URL: target, Event: event, Attempt: attempt + 1, Body: body, Signature: sig, At: s.now()}
		resp, err := s.post(ctx, target, body, http.Header{"X-Hook-Signature": {sig}})
		if err != nil {
			d.Err = err.Error()
		} else {
			d.Status = resp.StatusCode
		}
		ok := err == nil && (resp.StatusCode >= 200 && resp.StatusCode < 400 || resp.StatusCode == http.StatusGone)
		if ok && resp.StatusCode == http.StatusGone {
			s.setHookStatus(hookID, "suspended")
		}
		s.logDelivery(d)
		if ok {
			return
		}
		if ctx.Err() != nil && attempt < len(delays)-1 {
			return // stopping: the retries that remain are not owed
		}
	}
	// Every attempt failed (the last one may have met shutdown after it was
	// made and logged: its outcome still stands).
	s.setHookStatus(hookID, "suspended")
}

func (s *Server) setHookStatus(id int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.st.Webhooks.get(id); ok && h.Status != status {
		h.Status, h.Etag, h.UpdatedAt = status, s.etagLocked(), s.now()
	}
}
