package zoomfake_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

func hmacHex(secret, msg string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(msg))
	return hex.EncodeToString(h.Sum(nil))
}

// receiver is a webhook endpoint that answers URL validation with secret,
// verifies signatures and answers events with the queued statuses (then 200).
type receiver struct {
	t        *testing.T
	secret   func() string
	mu       sync.Mutex
	statuses []int
	events   []zoom.WebhookEvent
	badSigs  int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ts := r.Header.Get("x-zm-request-timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || r.Header.Get("x-zm-request-id") == "" {
		rc.t.Errorf("headers %v", r.Header)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r.Header.Get("x-zm-signature") != "v0="+hmacHex(rc.secret(), "v0:"+ts+":"+string(body)) {
		rc.badSigs++
	}
	var ev zoom.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.t.Errorf("decode event: %v", err)
	}
	if ev.Event == zoom.EventURLValidation {
		var p zoom.URLValidationPayload
		_ = json.Unmarshal(ev.Payload, &p)
		_ = json.NewEncoder(w).Encode(zoom.URLValidationResponse{PlainToken: p.PlainToken, EncryptedToken: hmacHex(rc.secret(), p.PlainToken)})
		return
	}
	rc.events = append(rc.events, ev)
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
}

func newReceiver(t *testing.T, e *env, secret func() string, statuses ...int) (*receiver, string) {
	rc := &receiver{t: t, secret: secret, statuses: statuses}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

func await(t *testing.T, f *zoomfake.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.AwaitDeliveries(ctx, n); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookValidation(t *testing.T) {
	e := newEnv(t, zoomfake.Options{AllowInsecureWebhooks: true})
	_, good := newReceiver(t, e, e.fake.SecretToken)
	_, bad := newReceiver(t, e, func() string { return "wrong secret" })

	if err := e.fake.SetWebhookEndpoint(bad); err == nil || e.fake.WebhookValidated() {
		t.Fatalf("wrong encryptedToken accepted: %v", err)
	}
	// An unvalidated endpoint gets no events.
	e.endMeeting(t, zoomfake.MeetingInput{Topic: "dropped"})
	if got := e.fake.Deliveries(); len(got) != 0 {
		t.Fatalf("delivered to unvalidated endpoint: %+v", got)
	}
	if err := e.fake.SetWebhookEndpoint(good); err != nil || !e.fake.WebhookValidated() {
		t.Fatalf("validation failed: %v", err)
	}

	strict := newEnv(t, zoomfake.Options{})
	if err := strict.fake.SetWebhookEndpoint(good); err == nil {
		t.Fatal("http:// endpoint accepted without AllowInsecureWebhooks")
	}
}

// TestWebhookRevalidationKeepsDelivering: saving the URL a validated
// subscription already has (Firmsync's sandbox upkeep does; Zoom revalidates
// every 72 h) must not drop events meanwhile, and only six failed
// revalidations in a row disable the subscription.
func TestWebhookRevalidationKeepsDelivering(t *testing.T) {
	e := newEnv(t, zoomfake.Options{AllowInsecureWebhooks: true})
	secret := e.fake.SecretToken()
	var mu sync.Mutex
	answer := func() string { mu.Lock(); defer mu.Unlock(); return secret }
	_, u := newReceiver(t, e, answer)
	if err := e.fake.SetWebhookEndpoint(u); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.SetWebhookEndpoint(u); err != nil || !e.fake.WebhookValidated() {
		t.Fatalf("re-saving the same URL: %v, validated %v", err, e.fake.WebhookValidated())
	}
	mu.Lock()
	secret = "wrong secret" // the endpoint now fails validation
	mu.Unlock()
	for i := 1; i <= 6; i++ {
		if err := e.fake.RevalidateWebhook(); err == nil {
			t.Fatalf("revalidation %d passed with a wrong answer", i)
		}
		if got, want := e.fake.WebhookValidated(), i < 6; got != want {
			t.Fatalf("after %d failed revalidations validated = %v, want %v", i, got, want)
		}
	}
}

func TestWebhookEventsAndSignature(t *testing.T) {
	e := newEnv(t, zoomfake.Options{AllowInsecureWebhooks: true})
	rc, u := newReceiver(t, e, e.fake.SecretToken)
	if err := e.fake.SetWebhookEndpoint(u); err != nil {
		t.Fatal(err)
	}
	m := e.endMeeting(t, zoomfake.MeetingInput{
		Topic: "Smith intake", TranscriptLines: lines, TranscriptPending: true,
		Summary:       &zoomfake.Summary{Overview: "o", NextSteps: []string{"n"}},
		EditedSummary: &zoomfake.EditedSummary{Text: "host's edit"},
	})
	await(t, e.fake, 2) // recording.completed, meeting.summary_completed
	if err := e.fake.CompleteTranscript(m.UUID); err != nil {
		t.Fatal(err)
	}
	await(t, e.fake, 3)

	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.badSigs != 0 {
		t.Fatalf("%d bad signatures", rc.badSigs)
	}
	var names []string
	for _, ev := range rc.events {
		names = append(names, ev.Event)
	}
	want := []string{"recording.completed", "meeting.summary_completed", "recording.transcript_completed"}
	if len(names) != 3 || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Fatalf("events %v, want %v", names, want)
	}
	rec := rc.events[0]
	var rp zoom.RecordingPayload
	if err := json.Unmarshal(rec.Payload, &rp); err != nil {
		t.Fatal(err)
	}
	o := rp.Object
	if rec.DownloadToken == "" || o.UUID != m.UUID || o.ID != m.ID || o.HostEmail != "owner@sandbox.zoom.test" || o.Topic != "Smith intake" ||
		o.Duration != 30 || len(o.RecordingFiles) != 2 || o.RecordingFiles[0].FileName == "" || rp.AccountID == "" {
		t.Fatalf("recording.completed %+v", rp)
	}
	// The download_token downloads this meeting's files.
	req := mustReq(t, http.MethodGet, o.RecordingFiles[0].DownloadURL)
	req.Header.Set("Authorization", "Bearer "+rec.DownloadToken)
	wantStatus(t, do(t, http.DefaultClient, req), http.StatusOK)

	var sp zoom.SummaryPayload
	if err := json.Unmarshal(rc.events[1].Payload, &sp); err != nil {
		t.Fatal(err)
	}
	// Zoom's meeting.summary_completed type has no edited_summary: the
	// event reports what AI Companion wrote, whatever the host did since.
	if sp.Object.MeetingUUID != m.UUID || sp.Object.SummaryOverview != "o" || bytes.Contains(rc.events[1].Payload, []byte("edited_summary")) {
		t.Fatalf("summary_completed %+v", sp)
	}
	if err := json.Unmarshal(rc.events[2].Payload, &rp); err != nil {
		t.Fatal(err)
	}
	if len(rp.Object.RecordingFiles) != 4 { // MP4, M4A, SUMMARY, TRANSCRIPT
		t.Fatalf("transcript_completed files %+v", rp.Object.RecordingFiles)
	}
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		attempts int
	}{
		{"500 retried until success", []int{500, 503}, 3},
		{"500 retried three times", []int{500, 500, 500, 500}, 4},
		{"4xx never retried", []int{400}, 1},
		{"3xx never retried", []int{302}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, zoomfake.Options{AllowInsecureWebhooks: true, RetryScale: 1e-5}) // 5 min → 3 ms
			_, u := newReceiver(t, e, e.fake.SecretToken, tt.statuses...)
			if err := e.fake.SetWebhookEndpoint(u); err != nil {
				t.Fatal(err)
			}
			e.endMeeting(t, zoomfake.MeetingInput{Topic: "r"})
			await(t, e.fake, tt.attempts)
			e.fake.Close() // no further retries
			got := e.fake.Deliveries()
			if len(got) != tt.attempts {
				t.Fatalf("%d attempts, want %d: %+v", len(got), tt.attempts, got)
			}
			for i, d := range got {
				if d.Attempt != i+1 || d.RequestID != got[0].RequestID || d.Event != "recording.completed" {
					t.Fatalf("attempt %d: %+v", i, d)
				}
			}
		})
	}
}

func TestSnapshotRestore(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	m := e.endMeeting(t, zoomfake.MeetingInput{Topic: "kept", TranscriptLines: lines})
	wantStatus(t, e.call(t, http.MethodPost, "/v2/phone/external_contacts", e.tok.Access,
		zoom.CreateExternalContactRequest{Name: "J", PhoneNumbers: []string{"+14155550123"}}), http.StatusCreated)
	snap, err := e.fake.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, zoomfake.Options{})
	if err := e2.fake.Restore(snap); err != nil {
		t.Fatal(err)
	}
	e2.tok = e.tok // tokens survive
	r := e2.get(t, "/v2/meetings/"+strconv.FormatInt(m.ID, 10)+"/recordings")
	wantStatus(t, r, http.StatusOK)
	if got := e2.fake.ExternalContacts(); len(got) != 1 {
		t.Fatalf("contacts %+v", got)
	}
	if e2.fake.SecretToken() != e.fake.SecretToken() {
		t.Fatal("secret token not restored")
	}
}
