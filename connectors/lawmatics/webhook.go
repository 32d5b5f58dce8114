package lawmatics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Outbound webhooks, per Lawmatics' outbound-webhooks developer guide
// (help.lawmatics.com/en/articles/15438485, captured in GitHub
// api-evangelist/lawmatics asyncapi/lawmatics-webhooks.yml). HeaderSignature,
// HeaderTimestamp and EventMatterConverted are declared in api.go.
const (
	// HeaderEventID repeats the envelope's event_id. It is not signed:
	// identify a delivery by the signed body's event_id.
	HeaderEventID = "X-Lawmatics-Event-Id"

	// WebhookVersion is the envelope version the guide documents.
	WebhookVersion = "v1"

	// WebhookTimeout is how long Lawmatics waits for a 2xx.
	WebhookTimeout = 10 * time.Second
)

// WebhookAttempts is how many times Lawmatics tries one delivery.
const WebhookAttempts = 7

// WebhookAttemptDelays is Lawmatics' delivery schedule: the wait before
// each of the WebhookAttempts attempts (immediately, ~15 s, ~1 min, ~5 min,
// ~30 min, ~1 h, ~2 h). Any 2xx acknowledges; any 4xx other than 429 is
// permanent and ends the schedule; everything else (429, 5xx, timeouts,
// network errors) moves to the next attempt. Delivery is at least once.
func WebhookAttemptDelays() [WebhookAttempts]time.Duration {
	return [WebhookAttempts]time.Duration{0, 15 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour}
}

// WebhookRetries reports whether Lawmatics sends a delivery again after
// an attempt answered with status (0 for a timeout or network error).
func WebhookRetries(status int) bool {
	switch {
	case status >= 200 && status < 300:
		return false // acknowledged
	case status == 429:
		return true
	case status >= 400 && status < 500:
		return false // permanent: Lawmatics never retries it
	}
	return true
}

// WebhookEnvelope is the body of every outbound webhook delivery:
//
//	{"event_id":"evt_…","firm_id":123,"event_type":"matter.converted",
//	 "version":"v1","timestamp":"2026-06-02T18:30:00.000Z","data":{"matter_id":456}}
//
// data carries ids, not records: fetch the prospect with the API.
type WebhookEnvelope struct {
	EventID   string      `json:"event_id"`   // idempotency key; the same on every attempt and redelivery
	FirmID    int64       `json:"firm_id"`    // the sending firm
	EventType string      `json:"event_type"` // e.g. EventMatterConverted
	Version   string      `json:"version"`    // WebhookVersion
	Timestamp Time        `json:"timestamp"`  // when the event happened, UTC with milliseconds
	Data      WebhookData `json:"data"`       // event-specific ids
}

// WebhookData is the envelope's data for matter events. Other event types
// carry other ids; MatterID is then empty.
type WebhookData struct {
	MatterID WebhookID `json:"matter_id,omitempty"` // the prospect ("matter" in the app) the event is about
}

// WebhookID is an id in a webhook body. The guide shows numbers; a string
// is accepted too, since Lawmatics' API renders ids as strings.
type WebhookID string

// MarshalJSON writes a decimal id as a JSON number, as the guide shows.
func (id WebhookID) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseUint(string(id), 10, 64); err == nil {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}

// UnmarshalJSON accepts a JSON number, a string or null.
func (id *WebhookID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*id = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("lawmatics webhook id: %w", err)
		}
		*id = WebhookID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("lawmatics webhook id %s: %w", b, err)
	}
	if _, err := n.Int64(); err != nil {
		return fmt.Errorf("lawmatics webhook id %s: not an integer", b)
	}
	*id = WebhookID(n.String())
	return nil
}

// ParseWebhookEnvelope decodes a delivery body (after its signature has
// been verified) and checks what every envelope must carry: an event_id
// and an event_type, and for matter.converted a matter_id.
func ParseWebhookEnvelope(body []byte) (WebhookEnvelope, error) {
	var ev WebhookEnvelope
	if err := json.Unmarshal(body, &ev); err != nil {
		return WebhookEnvelope{}, fmt.Errorf("decoding lawmatics webhook envelope: %w", err)
	}
	switch {
	case ev.EventID == "":
		return WebhookEnvelope{}, fmt.Errorf("lawmatics webhook envelope has no event_id")
	case ev.EventType == "":
		return WebhookEnvelope{}, fmt.Errorf("lawmatics webhook envelope %s has no event_type", ev.EventID)
	case ev.EventType == EventMatterConverted && ev.Data.MatterID == "":
		return WebhookEnvelope{}, fmt.Errorf("lawmatics webhook %s (%s) has no data.matter_id", ev.EventID, ev.EventType)
	}
	return ev, nil
}
