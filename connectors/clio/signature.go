package clio

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// SignatureHeader is the header carrying a webhook delivery's signature.
const SignatureHeader = "X-Hook-Signature"

// HookSecretHeader carries the shared secret in the webhook handshake (and
// in ActivateWebhook).
const HookSecretHeader = "X-Hook-Secret"

// VerifySignature reports whether signature (the X-Hook-Signature header)
// is the hex HMAC-SHA256 of the raw request body keyed by the webhook's
// shared secret. Clio sends lowercase hex; uppercase is accepted too. The
// comparison takes constant time. Verify the body exactly as received,
// before any parsing.
func VerifySignature(secret string, body []byte, signature string) bool {
	if secret == "" {
		return false
	}
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}
