package zoom

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Webhook verification errors.
var (
	// ErrBadSignature: x-zm-signature does not match the body.
	ErrBadSignature = errors.New("zoom: webhook signature does not match")
	// ErrStaleTimestamp: x-zm-request-timestamp is missing, malformed or
	// outside the allowed window (a replay, or a badly wrong clock).
	ErrStaleTimestamp = errors.New("zoom: webhook timestamp outside the allowed window")
)

// Sign returns the x-zm-signature value of a webhook delivery:
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)), ts being the
// x-zm-request-timestamp header (epoch seconds) and body the raw body.
func Sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a webhook delivery: signature must equal
// Sign(secret, ts, body) (compared in constant time) and ts must lie within
// window of now, either way. It returns ErrStaleTimestamp or ErrBadSignature.
func VerifySignature(secret, ts string, body []byte, signature string, now time.Time, window time.Duration) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not epoch seconds", ErrStaleTimestamp, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return fmt.Errorf("%w: %s off", ErrStaleTimestamp, d.Round(time.Second))
	}
	if secret == "" || !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return ErrBadSignature
	}
	return nil
}

// URLValidationToken answers endpoint.url_validation: the encryptedToken
// hex(HMAC-SHA256(secret, plainToken)).
func URLValidationToken(secret, plainToken string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(plainToken))
	return hex.EncodeToString(m.Sum(nil))
}

// NewURLValidationResponse is the JSON reply to endpoint.url_validation.
func NewURLValidationResponse(secret, plainToken string) URLValidationResponse {
	return URLValidationResponse{PlainToken: plainToken, EncryptedToken: URLValidationToken(secret, plainToken)}
}
