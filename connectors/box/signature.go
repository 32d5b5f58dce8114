package box

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Webhook signature limits.
const (
	// MaxDeliveryAge is how old BOX-DELIVERY-TIMESTAMP may be (Box's SDKs: 10 minutes).
	MaxDeliveryAge = 10 * time.Minute
	// MaxClockSkew is how far in the future BOX-DELIVERY-TIMESTAMP may be.
	MaxClockSkew = 5 * time.Minute
)

// Webhook verification errors.
var (
	// ErrBadSignature: neither signature matches the body.
	ErrBadSignature = errors.New("box: webhook signature does not match")
	// ErrStaleDelivery: BOX-DELIVERY-TIMESTAMP is missing, malformed, too
	// old (a replay) or too far in the future.
	ErrStaleDelivery = errors.New("box: webhook delivery timestamp outside the allowed window")
	// ErrUnsupportedSignature: BOX-SIGNATURE-VERSION is not "1" or
	// BOX-SIGNATURE-ALGORITHM is not "HmacSHA256".
	ErrUnsupportedSignature = errors.New("box: unsupported webhook signature version or algorithm")
)

// Sign returns a Box webhook signature: base64(HMAC-SHA256(key, body ++
// timestamp)), timestamp being the BOX-DELIVERY-TIMESTAMP header verbatim.
func Sign(key string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a webhook delivery against the app's signature
// keys. body must be the raw bytes received (Box escapes non-ASCII, so a
// re-encoded body would not match). The version must be "1", the
// algorithm "HmacSHA256", the timestamp (RFC 3339) at most MaxDeliveryAge
// old and at most MaxClockSkew ahead of now, and BOX-SIGNATURE-PRIMARY
// must match with primaryKey or BOX-SIGNATURE-SECONDARY with secondaryKey
// (compared in constant time; an empty key never matches), so a key can
// be rotated while the other keeps working. It returns
// ErrUnsupportedSignature, ErrStaleDelivery or ErrBadSignature.
func VerifySignature(primaryKey, secondaryKey string, body []byte, h http.Header, now time.Time) error {
	if v := h.Get(HeaderSignatureVersion); v != "1" {
		return fmt.Errorf("%w: version %q", ErrUnsupportedSignature, v)
	}
	if a := h.Get(HeaderSignatureAlgorithm); a != "HmacSHA256" {
		return fmt.Errorf("%w: algorithm %q", ErrUnsupportedSignature, a)
	}
	ts := h.Get(HeaderDeliveryTimestamp)
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return fmt.Errorf("%w: %q is not an RFC 3339 time", ErrStaleDelivery, ts)
	}
	if age := now.Sub(t); age > MaxDeliveryAge || age < -MaxClockSkew {
		return fmt.Errorf("%w: sent %s ago", ErrStaleDelivery, age.Round(time.Second))
	}
	if matches(primaryKey, body, ts, h.Get(HeaderSignaturePrimary)) ||
		matches(secondaryKey, body, ts, h.Get(HeaderSignatureSecondary)) {
		return nil
	}
	return ErrBadSignature
}

func matches(key string, body []byte, ts, sig string) bool {
	if key == "" || sig == "" {
		return false
	}
	return hmac.Equal([]byte(Sign(key, body, ts)), []byte(sig))
}
