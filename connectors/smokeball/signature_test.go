package smokeball_test

import (
	"net/http"
	"testing"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// The facts file's test vector.
const (
	vecKey    = "ei7641529ue420n8b9aa"
	vecTS     = "637558795239278688"
	vecReq    = "38583489-09c4-49ef-b58c-ef1b34208cca"
	vecClient = "lou1qnn0llav95"
	vecSig    = "feb4b838a272884f6d2c2580b2c7ebb0b2f725b90e8baa6f9b5e1a17a9faec2d"
)

func TestSignMatchesTheTestVector(t *testing.T) {
	if got := smokeball.Sign(vecKey, vecTS, vecReq, vecClient); got != vecSig {
		t.Fatalf("Sign = %s, want %s", got, vecSig)
	}
}

func TestVerifySignature(t *testing.T) {
	good := http.Header{"Timestamp": {vecTS}, "Requestid": {vecReq}, "Signature": {vecSig}}
	for _, tt := range []struct {
		name      string
		key       string
		client    string
		h         http.Header
		wantValid bool
	}{
		{"vector", vecKey, vecClient, good, true},
		{"upper-case hex", vecKey, vecClient, http.Header{"Timestamp": {vecTS}, "Requestid": {vecReq}, "Signature": {"FEB4B838A272884F6D2C2580B2C7EBB0B2F725B90E8BAA6F9B5E1A17A9FAEC2D"}}, true},
		{"empty key", "", vecClient, good, false},
		{"wrong key", "nope", vecClient, good, false},
		{"wrong client", vecKey, "other", good, false},
		{"no timestamp", vecKey, vecClient, http.Header{"Requestid": {vecReq}, "Signature": {vecSig}}, false},
		{"no request id", vecKey, vecClient, http.Header{"Timestamp": {vecTS}, "Signature": {vecSig}}, false},
		{"no signature", vecKey, vecClient, http.Header{"Timestamp": {vecTS}, "Requestid": {vecReq}}, false},
		{"tampered timestamp", vecKey, vecClient, http.Header{"Timestamp": {"637558795239278689"}, "Requestid": {vecReq}, "Signature": {vecSig}}, false},
		{"not hex", vecKey, vecClient, http.Header{"Timestamp": {vecTS}, "Requestid": {vecReq}, "Signature": {"zz"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := smokeball.VerifySignature(tt.key, tt.client, tt.h); got != tt.wantValid {
				t.Fatalf("VerifySignature = %v, want %v", got, tt.wantValid)
			}
		})
	}
}

func TestParseEvent(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       smokeball.Event
		ok         bool
	}{
		{"matter.updated", `{"accountId":"a","userId":"u","subscriptionId":"s","type":"matter.updated","source":"API","payload":{"id":"m1","number":"X"},"timestamp":637981232724209300}`,
			smokeball.Event{AccountID: "a", UserID: "u", SubscriptionID: "s", Type: "matter.updated", Source: "API", Timestamp: 637981232724209300, ID: "m1"}, true},
		{"string timestamp, no payload id", `{"type":"files.updated","payload":{"matterId":"m"},"timestamp":"637981232724209300"}`,
			smokeball.Event{Type: "files.updated", Timestamp: 637981232724209300}, true},
		{"no type", `{"payload":{}}`, smokeball.Event{}, false},
		{"not json", `nope`, smokeball.Event{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := smokeball.ParseEvent([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("err %v", err)
			}
			got.Payload = nil
			if got.AccountID != tt.want.AccountID || got.UserID != tt.want.UserID || got.SubscriptionID != tt.want.SubscriptionID ||
				got.Type != tt.want.Type || got.Source != tt.want.Source || got.Timestamp != tt.want.Timestamp || got.ID != tt.want.ID {
				t.Fatalf("ParseEvent = %+v, want %+v", got, tt.want)
			}
		})
	}
}
