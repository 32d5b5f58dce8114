package zoomfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// webhookState is the Marketplace app's event subscription.
type webhookState struct {
	URL       string `json:"url"`
	Secret    string `json:"secret"`    // the app's secret token
	Validated bool   `json:"validated"` // the URL passed endpoint.url_validation
	// FailedRevalidations counts consecutive failed revalidations of the
	// validated URL; at maxFailedRevalidations the subscription is disabled.
	FailedRevalidations int `json:"failed_revalidations,omitempty"`
}

// maxFailedRevalidations consecutive failed revalidations disable a
// subscription (apis/zoom.md); until then it keeps receiving events.
const maxFailedRevalidations = 6

// retryDelays are Zoom's retry delays after a ≥500 or network failure, each
// counted from the previous attempt (the facts' "+5, +20, +60 min" read as
// successive waits), scaled by Options.RetryScale.
var retryDelays = [...]time.Duration{5 * time.Minute, 20 * time.Minute, 60 * time.Minute}

// responseTimeout is how long Zoom waits for an endpoint's answer.
const responseTimeout = 3 * time.Second

// Delivery records one webhook delivery attempt.
type Delivery struct {
	Event     string    // e.g. "recording.completed"
	RequestID string    // x-zm-request-id, the same for every attempt of one event
	Attempt   int       // 1 for the first try, 2..4 for retries
	Status    int       // HTTP status of the answer; 0 on a network error
	Err       string    // network error, if any
	Body      []byte    // the signed JSON body
	At        time.Time // when the attempt was made (Options.Now)
}

// delivery is a queued webhook attempt.
type delivery struct {
	event     string
	requestID string
	body      []byte
	attempt   int
}

// SecretToken returns the app's webhook secret token.
func (s *Server) SecretToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Webhook.Secret
}

// WebhookValidated reports whether the endpoint passed URL validation.
// Events reach only a validated endpoint, as the console will not save an
// unvalidated subscription.
func (s *Server) WebhookValidated() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Webhook.URL != "" && s.st.Webhook.Validated
}

// SetWebhookEndpoint sets the event notification endpoint as an admin would
// in the Marketplace console, then runs the endpoint.url_validation
// handshake. It refuses non-https URLs unless Options.AllowInsecureWebhooks,
// and returns an error if validation fails (a new endpoint stays set but
// unvalidated, and receives no events; the validated endpoint it already
// had is a revalidation, disabled only after maxFailedRevalidations
// failures in a row). An empty URL removes the endpoint.
func (s *Server) SetWebhookEndpoint(endpoint string) error {
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" {
			return fmt.Errorf("zoomfake: webhook endpoint %q: invalid URL", endpoint)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && s.opts.AllowInsecureWebhooks) {
			return fmt.Errorf("zoomfake: webhook endpoint %q: URL must use https", endpoint)
		}
	}
	s.mu.Lock()
	secret := s.st.Webhook.Secret
	// Saving the URL a validated subscription already has is a
	// revalidation: Zoom keeps delivering meanwhile, so events fired during
	// the handshake are not lost.
	same := endpoint != "" && s.st.Webhook.URL == endpoint && s.st.Webhook.Validated
	if !same {
		s.st.Webhook.URL = endpoint
		s.st.Webhook.Validated = false
		s.st.Webhook.FailedRevalidations = 0
	}
	s.mu.Unlock()
	if endpoint == "" {
		return nil
	}
	err := s.validateEndpoint(endpoint, secret)
	s.mu.Lock()
	switch {
	case s.st.Webhook.URL != endpoint:
		// Changed again meanwhile: that save's outcome stands.
	case !same:
		s.st.Webhook.Validated = err == nil
	case err == nil:
		s.st.Webhook.FailedRevalidations = 0
	default:
		s.st.Webhook.FailedRevalidations++
		if s.st.Webhook.FailedRevalidations >= maxFailedRevalidations {
			s.st.Webhook.Validated = false
		}
	}
	s.mu.Unlock()
	return err
}

// RevalidateWebhook reruns URL validation, as Zoom does every 72 hours.
func (s *Server) RevalidateWebhook() error {
	s.mu.Lock()
	endpoint := s.st.Webhook.URL
	s.mu.Unlock()
	if endpoint == "" {
		return errors.New("zoomfake: revalidate webhook: no endpoint set")
	}
	return s.SetWebhookEndpoint(endpoint)
}

func sign(secret, msg string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(msg))
	return hex.EncodeToString(h.Sum(nil))
}

// post sends one signed webhook request. It never holds s.mu.
func (s *Server) post(endpoint, secret, requestID string, body []byte) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), responseTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build webhook request: %w", err)
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Zoom Marketplace/1.0a")
	req.Header.Set(zoom.HeaderRequestTimestamp, ts)
	req.Header.Set(zoom.HeaderSignature, "v0="+sign(secret, "v0:"+ts+":"+string(body)))
	req.Header.Set(zoom.HeaderRequestID, requestID)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("read webhook answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// validateEndpoint runs the endpoint.url_validation handshake.
func (s *Server) validateEndpoint(endpoint, secret string) error {
	plain := randomID(22)
	payload, err := json.Marshal(zoom.URLValidationPayload{PlainToken: plain})
	if err != nil {
		return fmt.Errorf("zoomfake: validate webhook: %w", err)
	}
	body, err := json.Marshal(zoom.WebhookEvent{Event: zoom.EventURLValidation, EventTS: s.now().UnixMilli(), Payload: payload})
	if err != nil {
		return fmt.Errorf("zoomfake: validate webhook: %w", err)
	}
	resp, err := s.post(endpoint, secret, newFileID(), body)
	if err != nil {
		return fmt.Errorf("zoomfake: validate webhook: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("zoomfake: validate webhook: endpoint answered %d, want 200", resp.StatusCode)
	}
	var got zoom.URLValidationResponse
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		return fmt.Errorf("zoomfake: validate webhook: decode answer: %w", err)
	}
	if got.PlainToken != plain || !hmac.Equal([]byte(got.EncryptedToken), []byte(sign(secret, plain))) {
		return errors.New("zoomfake: validate webhook: wrong plainToken or encryptedToken")
	}
	return nil
}

// fireLocked queues an event for the validated endpoint; without one the
// event is dropped. The caller holds s.mu.
func (s *Server) fireLocked(event, downloadToken string, payload any) {
	if s.closed || s.st.Webhook.URL == "" || !s.st.Webhook.Validated {
		return
	}
	p, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("zoomfake: encode %s payload: %v", event, err))
	}
	body, err := json.Marshal(zoom.WebhookEvent{Event: event, EventTS: s.now().UnixMilli(), DownloadToken: downloadToken, Payload: p})
	if err != nil {
		panic(fmt.Sprintf("zoomfake: encode %s: %v", event, err))
	}
	s.enqueueLocked(&delivery{event: event, requestID: newFileID(), body: body, attempt: 1})
}

// enqueueLocked adds d to the FIFO and starts the drainer. One drainer
// delivers in order, so recording.completed precedes transcript_completed.
// The caller holds s.mu.
func (s *Server) enqueueLocked(d *delivery) {
	s.queue = append(s.queue, d)
	if !s.draining {
		s.draining = true
		s.wg.Add(1)
		go s.drain()
	}
}

func (s *Server) drain() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			s.draining = false
			s.mu.Unlock()
			return
		}
		d := s.queue[0]
		s.queue = s.queue[1:]
		endpoint, secret := s.st.Webhook.URL, s.st.Webhook.Secret
		s.mu.Unlock()
		s.attempt(d, endpoint, secret)
	}
}

// attempt makes one delivery attempt and schedules a retry on ≥500 or a
// network error; 3xx/4xx are never retried.
func (s *Server) attempt(d *delivery, endpoint, secret string) {
	rec := Delivery{Event: d.event, RequestID: d.requestID, Attempt: d.attempt, Body: d.body, At: s.now()}
	resp, err := s.post(endpoint, secret, d.requestID, d.body)
	if err != nil {
		rec.Err = err.Error()
	} else {
		rec.Status = resp.StatusCode
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts = append(s.attempts, rec)
	close(s.attemptsCh)
	s.attemptsCh = make(chan struct{})
	if (err == nil && resp.StatusCode < 500) || d.attempt > len(retryDelays) || s.closed {
		return
	}
	wait := time.Duration(float64(retryDelays[d.attempt-1]) * s.opts.RetryScale)
	next := &delivery{event: d.event, requestID: d.requestID, body: d.body, attempt: d.attempt + 1}
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.timers, t)
		if !s.closed {
			s.enqueueLocked(next)
		}
	})
	s.timers[t] = struct{}{}
}

// Deliveries returns every webhook delivery attempt so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.attempts...)
}

// AwaitDeliveries waits until at least n delivery attempts have completed.
func (s *Server) AwaitDeliveries(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.attempts), s.attemptsCh
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("zoomfake: await %d deliveries (have %d): %w", n, got, ctx.Err())
		case <-ch:
		}
	}
}

// Close stops pending retries and waits for in-flight deliveries. Events
// fired afterwards are dropped.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for t := range s.timers {
		t.Stop()
	}
	clear(s.timers)
	s.mu.Unlock()
	s.wg.Wait()
}
