// Package secrets keeps tokens, client secrets and webhook secrets out of
// the database: in the OS keychain for real use, in memory for the sandbox
// and tests. Keys look like "clio/token" or "box/client_secret".
package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned by Get when no value is stored under the key.
var ErrNotFound = errors.New("secret not found")

// ErrUnavailable wraps every error that means the keychain itself cannot be
// reached (no Secret Service on Linux, a locked keychain, …).
var ErrUnavailable = errors.New("keychain unavailable")

// MaxValueLen is the largest value Set accepts. Windows Credential Manager
// refuses blobs over 2,560 bytes; staying well under leaves room for the
// UTF-16 encoding overhead of some backends.
const MaxValueLen = 2000

// Store is where secrets live. Implementations are safe for concurrent use.
type Store interface {
	// Get returns the value under key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) (string, error)
	// Set stores value under key, replacing any earlier value.
	Set(ctx context.Context, key, value string) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Key builds the key for one platform's secret, e.g. Key("clio", "token").
func Key(platform, name string) string { return platform + "/" + name }

// Names lists the secret names a platform may hold, so a disconnect can
// delete every one of them.
func Names() []string {
	return []string{"token", "client_id", "client_secret", "api_key", "webhook_secret", "webhook_secret_secondary"}
}

// DeletePlatform removes every secret of one platform.
func DeletePlatform(ctx context.Context, s Store, platform string) error {
	var errs []error
	for _, n := range Names() {
		if err := s.Delete(ctx, Key(platform, n)); err != nil {
			if errors.Is(err, ErrUnavailable) {
				return err // one keychain, one reason: not five copies of it
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func checkKey(key string) error {
	if key == "" || strings.ContainsAny(key, "\x00\n") {
		return fmt.Errorf("secrets: invalid key %q", key)
	}
	return nil
}

func checkValue(key, value string) error {
	if len(value) > MaxValueLen {
		return fmt.Errorf("secrets: value for %s is %d bytes, over the %d-byte keychain limit", key, len(value), MaxValueLen)
	}
	return nil
}
