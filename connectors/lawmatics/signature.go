package lawmatics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Sign computes the X-Lawmatics-Signature value of an outbound webhook
// delivery: hex(HMAC-SHA256(secret, ts + "." + body)), where ts is the
// X-Lawmatics-Timestamp header (unix seconds) and body the raw request body.
//
// [U] Lawmatics does not document the algorithm. This is the one place that
// choice lives: the webhook receiver and the fake both call Sign, so it can
// be swapped when a real signed sample is available.
func Sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether sig is Sign(secret, ts, body), in constant time.
func VerifySignature(secret, ts string, body []byte, sig string) bool {
	want := Sign(secret, ts, body)
	return hmac.Equal([]byte(want), []byte(sig))
}
