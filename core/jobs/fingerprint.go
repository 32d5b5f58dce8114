package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Fingerprint hashes the mapped fields of an object, so a job updates the
// target only when something it maps actually changed.
func Fingerprint(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unmarshalable types (channels, funcs) fail; jobs never pass them.
		panic("jobs: fingerprinting: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
