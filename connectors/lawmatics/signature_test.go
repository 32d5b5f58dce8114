package lawmatics_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// Guide vector: the guide's example envelope, signed with a whsec_ secret
// at the envelope's own time. The expected value was computed outside Go
// (openssl dgst -sha256 -hmac SECRET over "TS.BODY"), so Sign is checked
// against the guide's definition, not against itself.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorTS     = "1780425000" // 2026-06-02T18:30:00Z
	vectorBody   = `{"event_id":"evt_550e8400-e29b-41d4-a716-446655440000","firm_id":123,"event_type":"matter.converted","version":"v1","timestamp":"2026-06-02T18:30:00.000Z","data":{"matter_id":456}}`
	vectorSig    = "sha256=4a43589ca30fed8edef09d8bebfa95854d7062e3e380da41595762e25c0b2416"
)

func TestSignMatchesTheGuide(t *testing.T) {
	if got := lawmatics.Sign(vectorSecret, vectorTS, []byte(vectorBody)); got != vectorSig {
		t.Fatalf("Sign = %s, want %s", got, vectorSig)
	}
	// The key is the whole secret: signing with the part after whsec_ differs.
	if got := lawmatics.Sign(strings.TrimPrefix(vectorSecret, lawmatics.SecretPrefix), vectorTS, []byte(vectorBody)); got == vectorSig {
		t.Fatal("the whsec_ prefix is not part of the key")
	}
}

func TestVerify(t *testing.T) {
	body := []byte(vectorBody)
	at, _ := strconv.ParseInt(vectorTS, 10, 64)
	now := time.Unix(at, 0)
	hexPart := strings.TrimPrefix(vectorSig, lawmatics.SignaturePrefix)
	tests := []struct {
		name    string
		secret  string
		ts      string
		body    []byte
		sig     string
		now     time.Time
		wantErr error
	}{
		{"valid", vectorSecret, vectorTS, body, vectorSig, now, nil},
		{"uppercase hex", vectorSecret, vectorTS, body, lawmatics.SignaturePrefix + strings.ToUpper(hexPart), now, nil},
		{"uppercase prefix", vectorSecret, vectorTS, body, "SHA256=" + hexPart, now, nil},
		{"four minutes old", vectorSecret, vectorTS, body, vectorSig, now.Add(4 * time.Minute), nil},
		{"bare hex without prefix", vectorSecret, vectorTS, body, hexPart, now, lawmatics.ErrBadSignature},
		{"other prefix", vectorSecret, vectorTS, body, "v0=" + hexPart, now, lawmatics.ErrBadSignature},
		{"key without whsec_", strings.TrimPrefix(vectorSecret, lawmatics.SecretPrefix), vectorTS, body, vectorSig, now, lawmatics.ErrBadSignature},
		{"tampered body", vectorSecret, vectorTS, []byte(strings.Replace(vectorBody, "456", "457", 1)), vectorSig, now, lawmatics.ErrBadSignature},
		{"timestamp swapped", vectorSecret, "1780425001", body, vectorSig, now, lawmatics.ErrBadSignature},
		{"truncated", vectorSecret, vectorTS, body, vectorSig[:40], now, lawmatics.ErrBadSignature},
		{"not hex", vectorSecret, vectorTS, body, lawmatics.SignaturePrefix + strings.Repeat("zz", 32), now, lawmatics.ErrBadSignature},
		{"empty", vectorSecret, vectorTS, body, "", now, lawmatics.ErrBadSignature},
		{"empty secret", "", vectorTS, body, lawmatics.Sign("", vectorTS, body), now, lawmatics.ErrBadSignature},
		{"stale", vectorSecret, vectorTS, body, vectorSig, now.Add(5*time.Minute + time.Second), lawmatics.ErrStaleTimestamp},
		{"far future", vectorSecret, vectorTS, body, vectorSig, now.Add(-6 * time.Minute), lawmatics.ErrStaleTimestamp},
		{"signed timestamp not seconds", vectorSecret, "2026-06-02T18:30:00Z", body, lawmatics.Sign(vectorSecret, "2026-06-02T18:30:00Z", body), now, lawmatics.ErrStaleTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := lawmatics.Verify(tt.secret, tt.ts, tt.body, tt.sig, tt.now, lawmatics.MaxWebhookAge)
			if (tt.wantErr == nil) != (err == nil) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
