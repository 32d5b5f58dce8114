package secrets

import (
	"encoding/json"
	"fmt"
	"time"
)

// Token is an OAuth token as kept in the keychain. The JSON uses one-letter
// names and Unix seconds so that a token pair stays far below the Windows
// Credential Manager's 2,560-byte limit.
type Token struct {
	Access  string    `json:"a"`
	Refresh string    `json:"r,omitempty"`
	Type    string    `json:"t,omitempty"`
	Expiry  time.Time `json:"-"`
	ExpUnix int64     `json:"e,omitempty"`
}

// EncodeToken serialises t compactly.
func EncodeToken(t Token) (string, error) {
	if !t.Expiry.IsZero() {
		t.ExpUnix = t.Expiry.Unix()
	}
	if t.Type == "bearer" || t.Type == "Bearer" {
		t.Type = "" // the default; no need to spend bytes on it
	}
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("secrets: encoding token: %w", err)
	}
	if len(b) > MaxValueLen {
		return "", fmt.Errorf("secrets: token is %d bytes, over the %d-byte keychain limit", len(b), MaxValueLen)
	}
	return string(b), nil
}

// DecodeToken parses what EncodeToken produced.
func DecodeToken(s string) (Token, error) {
	var t Token
	if err := json.Unmarshal([]byte(s), &t); err != nil {
		return Token{}, fmt.Errorf("secrets: decoding stored token: %w", err)
	}
	if t.ExpUnix != 0 {
		t.Expiry = time.Unix(t.ExpUnix, 0)
	}
	if t.Type == "" {
		t.Type = "Bearer"
	}
	return t, nil
}
