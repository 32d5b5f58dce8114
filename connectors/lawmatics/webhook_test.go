package lawmatics_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

func TestParseWebhookEnvelope(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantErr  bool
		matterID lawmatics.WebhookID
		typ      string
	}{
		{"guide example", vectorBody, false, "456", "matter.converted"},
		{"matter_id as string", `{"event_id":"evt_2","firm_id":1,"event_type":"matter.converted","version":"v1","timestamp":"2026-06-02T18:30:00.000Z","data":{"matter_id":"789"}}`, false, "789", "matter.converted"},
		{"event without a matter", `{"event_id":"evt_3","firm_id":1,"event_type":"invoice.paid","version":"v1","timestamp":"2026-06-02T18:30:00Z","data":{"invoice_id":5}}`, false, "", "invoice.paid"},
		{"unknown fields are ignored", `{"event_id":"evt_4","event_type":"matter.updated","data":{"matter_id":1,"changes":["status"]},"extra":true}`, false, "1", "matter.updated"},
		{"no event_id", `{"firm_id":1,"event_type":"matter.converted","data":{"matter_id":456}}`, true, "", ""},
		{"no event_type", `{"event_id":"evt_5","data":{"matter_id":456}}`, true, "", ""},
		{"matter.converted without matter_id", `{"event_id":"evt_6","event_type":"matter.converted","data":{}}`, true, "", ""},
		{"matter.converted with null matter_id", `{"event_id":"evt_7","event_type":"matter.converted","data":{"matter_id":null}}`, true, "", ""},
		{"fractional matter_id", `{"event_id":"evt_8","event_type":"matter.converted","data":{"matter_id":4.5}}`, true, "", ""},
		{"the old {event,id,data} shape", `{"event":"matter.converted","id":"x","created_at":"2026-06-02T18:30:00Z","data":{"id":"456"}}`, true, "", ""},
		{"not JSON", `{"event_id":`, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := lawmatics.ParseWebhookEnvelope([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (ev.Data.MatterID != tt.matterID || ev.EventType != tt.typ) {
				t.Fatalf("got %+v", ev)
			}
		})
	}
	ev, _ := lawmatics.ParseWebhookEnvelope([]byte(vectorBody))
	want := time.Date(2026, 6, 2, 18, 30, 0, 0, time.UTC)
	if ev.EventID != "evt_550e8400-e29b-41d4-a716-446655440000" || ev.FirmID != 123 || ev.Version != lawmatics.WebhookVersion || !ev.Timestamp.Equal(want) {
		t.Fatalf("guide example decoded as %+v", ev)
	}
}

// TestWebhookEnvelopeMarshalsAsTheGuideShows: a number stays a number and
// the timestamp is UTC with milliseconds, byte for byte the guide's example.
func TestWebhookEnvelopeMarshalsAsTheGuideShows(t *testing.T) {
	ev := lawmatics.WebhookEnvelope{
		EventID: "evt_550e8400-e29b-41d4-a716-446655440000", FirmID: 123, EventType: lawmatics.EventMatterConverted,
		Version: lawmatics.WebhookVersion, Timestamp: lawmatics.Time{Time: time.Date(2026, 6, 2, 18, 30, 0, 0, time.UTC)},
		Data: lawmatics.WebhookData{MatterID: "456"},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != vectorBody {
		t.Fatalf("marshalled\n%s\nwant\n%s", b, vectorBody)
	}
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		status int
		retry  bool
	}{
		{200, false}, {202, false}, {204, false},
		{400, false}, {401, false}, {404, false}, {409, false}, {410, false}, {422, false},
		{429, true},
		{500, true}, {502, true}, {503, true},
		{0, true},   // timeout or network error
		{301, true}, // not a 2xx, not a 4xx
	}
	for _, tt := range tests {
		if got := lawmatics.WebhookRetries(tt.status); got != tt.retry {
			t.Errorf("WebhookRetries(%d) = %v, want %v", tt.status, got, tt.retry)
		}
	}
	want := [...]time.Duration{0, 15 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour}
	if got := lawmatics.WebhookAttemptDelays(); got != want {
		t.Fatalf("schedule %v, want the guide's %v", got, want)
	}
}
