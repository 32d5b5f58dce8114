package clio_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/clio"
)

func TestVerifySignature(t *testing.T) {
	secret, body := "s3cret", []byte(`{"data":{"id":1},"meta":{"event":"created","webhook_id":7}}`)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	good := hex.EncodeToString(mac.Sum(nil))
	for _, tt := range []struct {
		name   string
		secret string
		body   []byte
		sig    string
		want   bool
	}{
		{"lowercase hex", secret, body, good, true},
		{"uppercase hex", secret, body, strings.ToUpper(good), true},
		{"wrong secret", "other", body, good, false},
		{"tampered body", secret, append([]byte(nil), append(body, ' ')...), good, false},
		{"truncated", secret, body, good[:40], false},
		{"not hex", secret, body, "zz" + good[2:], false},
		{"empty signature", secret, body, "", false},
		{"empty secret", "", body, good, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := clio.VerifySignature(tt.secret, tt.body, tt.sig); got != tt.want {
				t.Fatalf("VerifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}
