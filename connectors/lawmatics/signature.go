package lawmatics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignaturePrefix starts every X-Lawmatics-Signature value.
const SignaturePrefix = "sha256="

// SecretPrefix starts every webhook signing secret Lawmatics shows. The
// whole string, prefix included, is the HMAC key.
const SecretPrefix = "whsec_"

// MaxWebhookAge is how old a delivery's X-Lawmatics-Timestamp may be
// before the guide says to reject it.
const MaxWebhookAge = 5 * time.Minute

// Webhook verification errors.
var (
	// ErrBadSignature: X-Lawmatics-Signature is missing, malformed or does
	// not match the timestamp and body.
	ErrBadSignature = errors.New("lawmatics: webhook signature does not match")
	// ErrStaleTimestamp: X-Lawmatics-Timestamp is not epoch seconds or lies
	// outside the allowed window (a replay, or a badly wrong clock).
	ErrStaleTimestamp = errors.New("lawmatics: webhook timestamp outside the allowed window")
)

// Sign returns the X-Lawmatics-Signature value of a webhook delivery, as
// Lawmatics' outbound-webhooks guide defines it:
// "sha256=" + lowercase hex(HMAC-SHA256(secret, ts + "." + body)), where
// secret is the whole signing secret (starting "whsec_"), ts the
// X-Lawmatics-Timestamp header (unix seconds) and body the raw body.
func Sign(secret, ts string, body []byte) string {
	return SignaturePrefix + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a webhook delivery against the guide: signature must be
// "sha256=" + hex of the HMAC (hex in either case, compared in constant
// time on the decoded bytes) and ts must lie within window of now either
// way (the guide rejects older than 5 minutes; a timestamp as far in the
// future is a wrong clock or a forgery). An empty secret verifies nothing.
// It returns nil, ErrBadSignature or ErrStaleTimestamp. The signature is
// checked first so that "stale" is only ever said of a genuine delivery.
func Verify(secret, ts string, body []byte, signature string, now time.Time, window time.Duration) error {
	hexSig, ok := cutPrefixFold(strings.TrimSpace(signature), SignaturePrefix)
	if !ok || secret == "" {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || !hmac.Equal(got, mac(secret, ts, body)) {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not unix seconds", ErrStaleTimestamp, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return fmt.Errorf("%w: %s off", ErrStaleTimestamp, d.Round(time.Second))
	}
	return nil
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case: the prefix names
// the algorithm, and "SHA256=" means the same.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}
