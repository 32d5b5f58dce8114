package lawmaticsfake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
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
	EventID    string          // the envelope's event_id, the same on every attempt
	Event      string          // the envelope's event_type, e.g. lawmatics.EventMatterConverted
	URL        string          // where it was sent
	Body       json.RawMessage // the exact bytes sent (a lawmatics.WebhookEnvelope)
	Timestamp  string          // X-Lawmatics-Timestamp of the last attempt
	Signature  string          // X-Lawmatics-Signature of the last attempt
	Attempts   int             // attempts made so far
	StatusCode int             // status of the last attempt; 0 on a transport error or timeout
	Error      string          // transport error of the last attempt
	Delivered  bool            // a 2xx was received
	Done       bool            // no more attempts will be made
}

// FirmID is the fake account's firm id, sent as the envelope's firm_id.
const FirmID = 1

// webhookDelay is the wait before attempt n (0-based) of Lawmatics'
// documented schedule (lawmatics.WebhookAttemptDelays: immediately, ~15 s,
// ~1 min, ~5 min, ~30 min, ~1 h, ~2 h), scaled by RateWindow/1min so a
// shrunken sandbox clock retries quickly. The 10 s attempt timeout is not
// scaled: a receiver on a shrunken clock is still a real HTTP server.
func (s *Server) webhookDelay(attempt int) time.Duration {
	base := lawmatics.WebhookAttemptDelays()[attempt]
	return time.Duration(float64(base) * float64(s.window) / float64(time.Minute))
}

// newWebhookSecret returns a signing secret in the shape Lawmatics shows:
// "whsec_" and random characters. The whole string is the HMAC key.
func newWebhookSecret() string {
	return lawmatics.SecretPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(24))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
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
	s.st.Webhook.Secret = newWebhookSecret()
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

// fireLocked queues an event about prospect p for the configured
// endpoint. The caller holds s.mu; the network I/O happens in a goroutine
// without it.
//
// The body is the guide's v1 envelope: ids only (data.matter_id), never the
// record, so a receiver must fetch the prospect through the API.
func (s *Server) fireLocked(event string, p lawmatics.Prospect) {
	cfg := s.st.Webhook
	if cfg.URL == "" || !cfg.Active {
		return
	}
	ev := lawmatics.WebhookEnvelope{
		EventID:   "evt_" + newUUID(),
		FirmID:    FirmID,
		EventType: event,
		Version:   lawmatics.WebhookVersion,
		Timestamp: lawmatics.Time{Time: s.now().UTC().Truncate(time.Millisecond)},
		Data:      lawmatics.WebhookData{MatterID: lawmatics.WebhookID(p.ID)},
	}
	body, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("lawmaticsfake: marshal webhook: %v", err))
	}
	i := len(s.st.Deliveries)
	s.st.Deliveries = append(s.st.Deliveries, Delivery{EventID: ev.EventID, Event: event, URL: cfg.URL, Body: body})
	s.notifyLocked()
	s.wg.Add(1)
	go s.deliver(i, ev.EventID, cfg.URL, body)
}

// deliveryLocked returns log entry i if it is still event id (Restore may
// have replaced the log). The caller holds s.mu.
func (s *Server) deliveryLocked(i int, id string) *Delivery {
	if i < len(s.st.Deliveries) && s.st.Deliveries[i].EventID == id {
		return &s.st.Deliveries[i]
	}
	return &Delivery{}
}

// deliver makes the attempts of one event as Lawmatics does: re-signed
// with the current secret and time on every attempt, until a 2xx, a
// permanent answer (any 4xx but 429) or the end of the schedule.
func (s *Server) deliver(i int, id, target string, body []byte) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.deliveryLocked(i, id).Done = true
		s.notifyLocked()
		s.mu.Unlock()
	}()
	for attempt := range lawmatics.WebhookAttempts {
		if d := s.webhookDelay(attempt); d > 0 {
			t := time.NewTimer(d)
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
		status, err := s.post(target, id, ts, sig, body)
		s.mu.Lock()
		d := s.deliveryLocked(i, id)
		d.Attempts, d.Timestamp, d.Signature, d.StatusCode, d.Error = attempt+1, ts, sig, status, ""
		if err != nil {
			d.Error = err.Error()
		}
		d.Delivered = err == nil && status >= 200 && status < 300
		s.notifyLocked()
		s.mu.Unlock()
		if s.ctx.Err() != nil || !lawmatics.WebhookRetries(status) {
			return
		}
	}
}

// post makes one attempt; status is 0 when no answer came within
// lawmatics.WebhookTimeout or the connection failed.
func (s *Server) post(target, eventID, ts, sig string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(s.ctx, lawmatics.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Lawmatics-Webhooks") // [U] the guide names no User-Agent
	req.Header.Set(lawmatics.HeaderSignature, sig)
	req.Header.Set(lawmatics.HeaderTimestamp, ts)
	req.Header.Set(lawmatics.HeaderEventID, eventID)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // the body is ignored
	return resp.StatusCode, nil
}
