package mycasefake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
)

func webhookActions() []string { return []string{"created", "updated", "deleted"} }

// Delivery is one POST the fake made to a subscription URL.
type Delivery struct {
	SubscriptionID string    // the subscription
	URL            string    // where it was sent
	Model, Action  string    // "case", "created", …
	Attempt        int       // 1 for the first try, 2.. for retries
	Status         int       // HTTP status received; 0 on a transport error
	Err            string    // transport error, if any
	Body           []byte    // raw body sent
	Signature      string    // mycase.SignatureHeader sent
	At             time.Time // server clock when sent
}

// Deliveries returns every webhook POST made so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// AwaitDeliveries waits until at least n webhook POSTs (attempts) have
// completed and returns them all.
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

// subView is WebhookResponse.
type subView struct {
	ID      string   `json:"id"`
	Model   string   `json:"model"`
	URL     string   `json:"url"`
	Actions []string `json:"actions"`
	HMACKey string   `json:"hmac_key"`
}

func subViewOf(h *subRec) subView {
	return subView{ID: h.ID, Model: h.Model, URL: h.URL, Actions: slices.Clone(h.Actions), HMACKey: h.HMACKey}
}

// subsLocked returns the subscriptions in creation order.
func (s *Server) subsLocked() []*subRec {
	var out []*subRec
	for _, h := range s.st.Subs {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b *subRec) int { return int(a.Seq - b.Seq) })
	return out
}

// Subscriptions returns every subscription, for assertions.
func (s *Server) Subscriptions() []mycase.Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []mycase.Subscription
	for _, h := range s.subsLocked() {
		out = append(out, mycase.Subscription{ID: h.ID, Model: h.Model, URL: h.URL, Actions: slices.Clone(h.Actions), HMACKey: h.HMACKey})
	}
	return out
}

// listSubscriptions answers a bare array without paging, as documented.
func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := []subView{}
	for _, h := range s.subsLocked() {
		out = append(out, subViewOf(h))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// subWrite is WebhookSubscriptionRequest; all three are required.
type subWrite struct {
	Model   *string  `json:"model"`
	URL     *string  `json:"url"`
	Actions []string `json:"actions"`
}

// checkSubscription validates a subscription body.
func (s *Server) checkSubscription(in subWrite) error {
	switch {
	case blank(in.Model):
		return invalid("/model", "model can't be blank")
	case !slices.Contains(mycase.WebhookModels(), *in.Model):
		return invalid("/model", "model must be one of %s", strings.Join(mycase.WebhookModels(), " | "))
	case blank(in.URL):
		return invalid("/url", "url can't be blank")
	case len(in.Actions) == 0:
		return invalid("/actions", "actions can't be blank")
	}
	u, err := url.Parse(*in.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && s.opts.AllowInsecureWebhooks)) {
		return invalid("/url", "url must be a valid https URL")
	}
	for i, a := range in.Actions {
		if !slices.Contains(webhookActions(), a) {
			return invalid(fmt.Sprintf("/actions/%d", i), "actions may be any of created | updated | deleted")
		}
	}
	return nil
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	var in subWrite
	if err := decodeBody(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	if err := s.checkSubscription(in); err != nil {
		writeErr(w, err)
		return
	}
	var actions []string
	for _, a := range in.Actions {
		if !slices.Contains(actions, a) {
			actions = append(actions, a)
		}
	}
	s.mu.Lock()
	h := &subRec{ID: randomUUID(), Model: *in.Model, URL: *in.URL, Actions: actions, HMACKey: randomHex(32), Seq: s.nextIDLocked("subscription")}
	s.st.Subs[h.ID] = h
	v := subViewOf(h)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, found := s.st.Subs[id]
	delete(s.st.Subs, id)
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deliveryBody is the [U] payload: {"resource":"Case","action":"created",
// "resource_body":{…the record as GET renders it…}}.
type deliveryBody struct {
	Resource     string `json:"resource"`
	Action       string `json:"action"`
	ResourceBody any    `json:"resource_body"`
}

// emitLocked queues a delivery of action on a record of model to every
// subscription for it. The caller holds mu and flushes.
func (s *Server) emitLocked(model, action string, view any) {
	body, err := json.Marshal(deliveryBody{Resource: strings.ToUpper(model[:1]) + model[1:], Action: action, ResourceBody: view})
	if err != nil {
		return
	}
	for _, h := range s.subsLocked() {
		if h.Model != model || !slices.Contains(h.Actions, action) {
			continue
		}
		id, target, key := h.ID, h.URL, h.HMACKey
		s.outbox = append(s.outbox, func(ctx context.Context) { s.deliver(ctx, id, target, key, model, action, body) })
	}
}

// retryDelays is the [U] schedule after a failed delivery: 3 retries
// after 1, 5 and 25 s, scaled by RateWindow/1s so a sandbox with a
// shortened window retries proportionally sooner.
func (s *Server) retryDelays() []time.Duration {
	scale := float64(s.rateWindowLen()) / float64(time.Second)
	var out []time.Duration
	for _, d := range []time.Duration{time.Second, 5 * time.Second, 25 * time.Second} {
		out = append(out, time.Duration(float64(d)*scale))
	}
	return out
}

// deliver POSTs one event signed with mycase.SignatureHeader (lowercase
// hex HMAC-SHA256 of the raw body keyed by hmac_key [U]), retrying on a
// transport error or a non-2xx answer while the subscription exists.
func (s *Server) deliver(ctx context.Context, subID, target, key, model, action string, body []byte) {
	sig := mycase.Sign(key, body)
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
			_, live := s.st.Subs[subID]
			s.mu.Unlock()
			if !live {
				return
			}
		}
		d := Delivery{SubscriptionID: subID, URL: target, Model: model, Action: action, Attempt: attempt + 1, Body: body, Signature: sig, At: s.now()}
		status, err := s.post(ctx, target, body, sig)
		if err != nil {
			d.Err = err.Error()
		}
		d.Status = status
		s.logDelivery(d)
		if err == nil && status >= 200 && status < 300 {
			return
		}
	}
}

func (s *Server) post(ctx context.Context, target string, body []byte, sig string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "MyCase-Webhooks (mycasefake)")
	req.Header.Set(mycase.SignatureHeader, sig)
	resp, err := s.hookClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
