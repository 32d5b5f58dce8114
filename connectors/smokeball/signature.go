package smokeball

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Webhook delivery headers.
const (
	SignatureHeader = "Signature" // lower-hex HMAC-SHA256, see Sign
	TimestampHeader = "Timestamp" // .NET ticks
)

// Sign returns the Signature header value for a delivery: lower-hex
// HMAC-SHA256 keyed by the subscription's key over
// "{Timestamp}|{RequestId}|{ClientId}". The body is not signed.
func Sign(key, timestamp, requestID, clientID string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(timestamp + "|" + requestID + "|" + clientID))
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether a delivery's headers carry a valid
// Signature for key and the app's clientID. It is false when key is empty
// or a header is missing; the comparison takes constant time. Since the
// body is not signed, trust only ids from it and read the records back.
func VerifySignature(key, clientID string, header http.Header) bool {
	ts, rid, sig := header.Get(TimestampHeader), header.Get(RequestIDHeader), strings.TrimSpace(header.Get(SignatureHeader))
	if key == "" || ts == "" || rid == "" || sig == "" {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	want, _ := hex.DecodeString(Sign(key, ts, rid, clientID))
	return hmac.Equal(got, want)
}

// Event is a webhook delivery's envelope.
type Event struct {
	AccountID      string
	UserID         string
	SubscriptionID string
	Type           string // e.g. "matter.updated", "error"
	Source         string // e.g. "API"
	Payload        json.RawMessage
	Timestamp      int64  // .NET ticks
	ID             string // the payload's id, if it has one
	MatterID       string // the payload's matterId, if it has one (files.updated, memo events)
}

// ParseEvent decodes a delivery body. The timestamp may come as a number
// or a numeric string; a payload without an id leaves ID empty.
func ParseEvent(body []byte) (Event, error) {
	var w struct {
		AccountID      string          `json:"accountId"`
		UserID         string          `json:"userId"`
		SubscriptionID string          `json:"subscriptionId"`
		Type           string          `json:"type"`
		Source         string          `json:"source"`
		Payload        json.RawMessage `json:"payload"`
		Timestamp      json.RawMessage `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return Event{}, fmt.Errorf("smokeball: decoding a webhook event: %w", err)
	}
	if w.Type == "" {
		return Event{}, fmt.Errorf("smokeball: decoding a webhook event: no type")
	}
	ev := Event{AccountID: w.AccountID, UserID: w.UserID, SubscriptionID: w.SubscriptionID, Type: w.Type, Source: w.Source, Payload: w.Payload}
	if ts := strings.Trim(string(w.Timestamp), `" `); ts != "" && ts != "null" {
		n, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return Event{}, fmt.Errorf("smokeball: decoding a webhook event: timestamp %s is not ticks", w.Timestamp)
		}
		ev.Timestamp = n
	}
	var p struct {
		ID       json.RawMessage `json:"id"`
		MatterID json.RawMessage `json:"matterId"`
	}
	if json.Unmarshal(w.Payload, &p) == nil {
		var s string
		if len(p.ID) > 0 && json.Unmarshal(p.ID, &s) == nil {
			ev.ID = s
		}
		s = ""
		if len(p.MatterID) > 0 && json.Unmarshal(p.MatterID, &s) == nil {
			ev.MatterID = s
		}
	}
	return ev, nil
}
