package mycase

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// SignatureHeader is the header the fake signs webhook deliveries with.
// [U] MyCase documents that deliveries carry an HMAC made with the
// subscription's hmac_key, but not the header, the algorithm, the signed
// bytes or the encoding. Third-party code guesses X-MyCase-Signature with
// lowercase hex HMAC-SHA256 of the raw body; the fake does that.
const SignatureHeader = "X-MyCase-Signature"

// SignatureHeaders are the header names VerifyDelivery looks in [U].
func SignatureHeaders() []string {
	return []string{SignatureHeader, "X-Mycase-Hmac-Sha256", "X-Signature"}
}

// Sign returns the lowercase hex HMAC-SHA256 of body keyed by hmacKey, as
// the fake sends it in SignatureHeader.
func Sign(hmacKey string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(hmacKey))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifyDelivery reports whether a webhook delivery is signed with
// hmacKey: some signature header holds the HMAC-SHA256 of the raw body.
// [U] Because the scheme is undocumented it accepts hex in either case or
// base64 (standard or URL alphabet, padded or not), with or without a
// "sha256=" prefix, in X-MyCase-Signature, X-Mycase-Hmac-Sha256 or
// X-Signature. An unsigned delivery, or an empty key, is rejected.
// Comparisons take constant time. Verify the body exactly as received,
// before any parsing.
func VerifyDelivery(hmacKey string, header http.Header, body []byte) bool {
	if hmacKey == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(hmacKey))
	mac.Write(body)
	want := mac.Sum(nil)
	ok := false
	for _, name := range SignatureHeaders() {
		for _, v := range header.Values(name) {
			for _, sig := range strings.Split(v, ",") {
				for _, got := range decodeSignature(sig) {
					// Every candidate is compared, so the time taken does
					// not depend on which one matches.
					if hmac.Equal(got, want) {
						ok = true
					}
				}
			}
		}
	}
	return ok
}

// decodeSignature returns the byte strings sig may encode.
func decodeSignature(sig string) [][]byte {
	sig = strings.TrimSpace(sig)
	if len(sig) > 7 && strings.EqualFold(sig[:7], "sha256=") {
		sig = sig[7:]
	}
	var out [][]byte
	if b, err := hex.DecodeString(sig); err == nil && len(b) == sha256.Size {
		out = append(out, b)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(sig); err == nil && len(b) == sha256.Size {
			out = append(out, b)
		}
	}
	return out
}
