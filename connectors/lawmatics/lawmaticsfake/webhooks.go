package lawmaticsfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// webhookConfig is the Settings > Webhooks endpoint. Server.mu guards it.
type webhookConfig struct {
	URL    string // "" when none is configured
	Secret string // the signing secret; regenerating replaces it at once
	Active bool   // the endpoint's active toggle
}

// Delivery is one entry of the webhook delivery log: one event and all its attempts.
type Delivery struct {
	EventID    string          // WebhookEvent.ID
	Event      string          // e.g. lawmatics.EventMatterConverted
	URL        string          // where it was sent
	Body       json.RawMessage // the exact bytes sent
	Timestamp  string          // X-Lawmatics-Timestamp of the last attempt
	Signature  string          // X-Lawmatics-Signature of the last attempt
	Attempts   int             // attempts made so far
	StatusCode int             // status of the last attempt; 0 on a transport error
	Error      string          // transport error of the last attempt
	Delivered  bool            // a 2xx was received
	Done       bool            // no more attempts will be made
}

// webhookAttempts and webhookBackoff are the retry policy. [U] Lawmatics
// documents none; the fake makes 3 attempts, waiting 1 and then 5 minutes,
// scaled by RateWindow/1min so a shrunken sandbox clock retries quickly.
const webhookAttempts = 3

func (s *Server) webhookBackoff(retry int) time.Duration {
	base := []time.Duration{time.Minute, 5 * time.Minute}[min(retry, 1)]
	return time.Duration(float64(base) * float64(s.window) / float64(time.Minute))
}

// SetWebhookEndpoint configures the outbound webhook URL as a firm admin
// does in Settings > Webhooks. The real product requires https; http is
// refused unless Options.AllowInsecureWebhooks. "" removes the endpoint.
func (s *Server) SetWebhookEndpoint(rawURL string) error {
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return fmt.Errorf("set webhook endpoint %q: not an absolute URL", rawURL)
		}
		if u.Scheme != "https" && !(s.opts.AllowInsecureWebhooks && u.Scheme == "http") {
			return fmt.Errorf("set webhook endpoint %q: an HTTPS endpoint is required", rawURL)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Webhook.URL = rawURL
	return nil
}

// SetWebhookActive flips the endpoint's active toggle; inactive endpoints get nothing.
func (s *Server) SetWebhookActive(active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Webhook.Active = active
}

// SigningSecret returns the current webhook signing secret.
func (s *Server) SigningSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Webhook.Secret
}

// RegenerateSecret replaces the signing secret; the old one stops at once
// (later attempts of pending deliveries are signed with the new one). It
// returns the new secret, which the real product shows once.
func (s *Server) RegenerateSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Webhook.Secret = randomHex(32)
	return s.st.Webhook.Secret
}

// Deliveries returns a copy of the delivery log, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.st.Deliveries...)
}

// AwaitDeliveries blocks until at least n deliveries are done (delivered or
// out of attempts), or ctx ends.
func (s *Server) AwaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	for {
		s.mu.Lock()
		done := 0
		for _, d := range s.st.Deliveries {
			if d.Done {
				done++
			}
		}
		ch := s.changed
		if done >= n {
			out := append([]Delivery(nil), s.st.Deliveries...)
			s.mu.Unlock()
			return out, nil
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("await %d webhook deliveries (%d done): %w", n, done, ctx.Err())
		}
	}
}

// notifyLocked wakes AwaitDeliveries. The caller holds s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// fireLocked queues an event for the configured endpoint. The caller holds
// s.mu; the network I/O happens in a goroutine without it.
//
// [U] The payload shape is undocumented: {"event","id","created_at","data"}
// with data the prospect as the API renders it with fields=all.
func (s *Server) fireLocked(event string, p lawmatics.Prospect) {
	cfg := s.st.Webhook
	if cfg.URL == "" || !cfg.Active {
		return
	}
	body, err := json.Marshal(lawmatics.WebhookEvent{Event: event, ID: newUUID(), CreatedAt: s.stamp(), Data: p})
	if err != nil {
		panic(fmt.Sprintf("lawmaticsfake: marshal webhook: %v", err))
	}
	var ev lawmatics.WebhookEvent
	json.Unmarshal(body, &ev)
	i := len(s.st.Deliveries)
	s.st.Deliveries = append(s.st.Deliveries, Delivery{EventID: ev.ID, Event: event, URL: cfg.URL, Body: body})
	s.notifyLocked()
	s.wg.Add(1)
	go s.deliver(i, ev.ID, cfg.URL, body)
}

// deliveryLocked returns log entry i if it is still event id (Restore may
// have replaced the log). The caller holds s.mu.
func (s *Server) deliveryLocked(i int, id string) *Delivery {
	if i < len(s.st.Deliveries) && s.st.Deliveries[i].EventID == id {
		return &s.st.Deliveries[i]
	}
	return &Delivery{}
}

func (s *Server) deliver(i int, id, target string, body []byte) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.deliveryLocked(i, id).Done = true
		s.notifyLocked()
		s.mu.Unlock()
	}()
	for attempt := 1; attempt <= webhookAttempts; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(s.webhookBackoff(attempt - 2))
			select {
			case <-t.C:
			case <-s.ctx.Done():
				t.Stop()
				return
			}
		}
		s.mu.Lock()
		secret := s.st.Webhook.Secret
		s.mu.Unlock()
		ts := strconv.FormatInt(s.now().Unix(), 10)
		sig := lawmatics.Sign(secret, ts, body)
		status, err := s.post(target, ts, sig, body)
		s.mu.Lock()
		d := s.deliveryLocked(i, id)
		d.Attempts, d.Timestamp, d.Signature, d.StatusCode, d.Error = attempt, ts, sig, status, ""
		if err != nil {
			d.Error = err.Error()
		}
		d.Delivered = err == nil && status >= 200 && status < 300
		delivered := d.Delivered
		s.notifyLocked()
		s.mu.Unlock()
		if delivered {
			return
		}
	}
}

func (s *Server) post(target, ts, sig string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Lawmatics-Webhooks") // [U]
	req.Header.Set(lawmatics.HeaderTimestamp, ts)
	req.Header.Set(lawmatics.HeaderSignature, sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}
