package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// TestZoomEventsDuringAConsoleRepasteAreDelivered reproduces the lost
// "Zoom meeting ended" sample of the latency scenario. Firmsync, in sandbox
// mode, pastes its (unchanged) webhook URL into the Zoom console again at
// each webhook upkeep, e.g. right after it reconnects Zoom during the first
// meeting's run. A meeting that ends while Zoom re-validates that URL must
// still reach the endpoint: the subscription is saved and validated, and
// Zoom disables one only after 6 failed revalidations (apis/zoom.md §6).
// The validation answer is held back with a channel, so the meeting ends
// exactly inside the re-validation, whatever the machine's load.
func TestZoomEventsDuringAConsoleRepasteAreDelivered(t *testing.T) {
	fake := zoomfake.New(zoomfake.Options{AllowInsecureWebhooks: true})
	defer fake.Close()
	var (
		mu          sync.Mutex
		validations int
		events      []string
	)
	revalidating := make(chan struct{})
	answer := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev zoom.WebhookEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		if ev.Event != zoom.EventURLValidation {
			mu.Lock()
			events = append(events, ev.Event)
			mu.Unlock()
			return
		}
		mu.Lock()
		validations++
		n := validations
		mu.Unlock()
		if n == 2 { // the re-paste: hold the answer until the meeting has ended
			close(revalidating)
			<-answer
		}
		var p zoom.URLValidationPayload
		_ = json.Unmarshal(ev.Payload, &p)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(zoom.NewURLValidationResponse(fake.SecretToken(), p.PlainToken))
	}))
	defer srv.Close()
	url := srv.URL + "/webhooks/zoom"
	if err := fake.SetWebhookEndpoint(url); err != nil {
		t.Fatal(err)
	}

	repasted := make(chan error, 1)
	go func() { repasted <- fake.SetWebhookEndpoint(url) }()
	select {
	case <-revalidating:
	case <-time.After(30 * time.Second):
		t.Fatal("the re-paste sent no validation request")
	}
	_, err := fake.EndMeeting(zoomfake.MeetingInput{Topic: "Latency call", HostEmail: "owner@sandbox.zoom.test", Duration: 20,
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Client", Text: "Hello."}}})
	close(answer)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-repasted; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.AwaitDeliveries(ctx, 2); err != nil {
		t.Fatalf("events fired while Zoom re-validated an unchanged, validated endpoint were dropped: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[0] != zoom.EventRecordingCompleted || events[1] != zoom.EventTranscriptCompleted {
		t.Fatalf("delivered %v", events)
	}
}
