package zoom_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

func TestVerifySignature(t *testing.T) {
	const secret = "s3cret"
	now := time.Unix(1_776_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte(`{"event":"recording.completed","event_ts":1776000000000}`)
	good := zoom.Sign(secret, ts, body)
	tests := []struct {
		name    string
		secret  string
		ts      string
		body    []byte
		sig     string
		now     time.Time
		wantErr error
	}{
		{"valid", secret, ts, body, good, now, nil},
		{"valid within window", secret, ts, body, good, now.Add(4 * time.Minute), nil},
		{"tampered body", secret, ts, []byte(`{"event":"recording.deleted"}`), good, now, zoom.ErrBadSignature},
		{"wrong secret", "other", ts, body, good, now, zoom.ErrBadSignature},
		{"garbage signature", secret, ts, body, "v0=deadbeef", now, zoom.ErrBadSignature},
		{"empty secret", "", ts, body, zoom.Sign("", ts, body), now, zoom.ErrBadSignature},
		{"stale timestamp", secret, ts, body, good, now.Add(6 * time.Minute), zoom.ErrStaleTimestamp},
		{"future timestamp", secret, ts, body, good, now.Add(-6 * time.Minute), zoom.ErrStaleTimestamp},
		{"malformed timestamp", secret, "yesterday", body, good, now, zoom.ErrStaleTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := zoom.VerifySignature(tt.secret, tt.ts, tt.body, tt.sig, tt.now, 5*time.Minute)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestURLValidationToken(t *testing.T) {
	// hex(HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")), the well-known HMAC example value.
	const want = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got := zoom.URLValidationToken("key", "The quick brown fox jumps over the lazy dog"); got != want {
		t.Fatalf("got %s", got)
	}
	r := zoom.NewURLValidationResponse("key", "plain")
	if r.PlainToken != "plain" || r.EncryptedToken != zoom.URLValidationToken("key", "plain") {
		t.Fatalf("%+v", r)
	}
}

// TestWebhookHelpersAgreeWithFake runs the fake's URL validation handshake
// and a signed recording.completed against a receiver built on the helpers.
func TestWebhookHelpersAgreeWithFake(t *testing.T) {
	e := newEnv(t, zoomfake.Options{AllowInsecureWebhooks: true}, nil)
	secret := e.fake.SecretToken()
	var (
		mu     sync.Mutex
		events []string
		bad    []error
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := zoom.VerifySignature(secret, r.Header.Get(zoom.HeaderRequestTimestamp), body,
			r.Header.Get(zoom.HeaderSignature), e.clock.Now(), 5*time.Minute)
		if err != nil {
			mu.Lock()
			bad = append(bad, err)
			mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev zoom.WebhookEvent
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		events = append(events, ev.Event)
		mu.Unlock()
		if ev.Event == zoom.EventURLValidation {
			var p zoom.URLValidationPayload
			_ = json.Unmarshal(ev.Payload, &p)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(zoom.NewURLValidationResponse(secret, p.PlainToken))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	if err := e.fake.SetWebhookEndpoint(recv.URL); err != nil {
		t.Fatalf("URL validation: %v", err)
	}
	e.endMeeting(t, zoomfake.MeetingInput{Topic: "Signed", Start: date(2026, 4, 6, 10, 0)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.fake.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) != 0 || len(events) != 2 || events[1] != zoom.EventRecordingCompleted {
		t.Fatalf("events %v, refusals %v", events, bad)
	}
}
