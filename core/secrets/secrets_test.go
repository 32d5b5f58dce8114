package secrets_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core/secrets"
	"github.com/zalando/go-keyring"
)

// roundTrip exercises the Store contract on any implementation.
func roundTrip(t *testing.T, s secrets.Store) {
	t.Helper()
	ctx := context.Background()
	key := secrets.Key("clio", "token")
	if _, err := s.Get(ctx, key); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Get before Set: got %v, want ErrNotFound", err)
	}
	tok, err := secrets.EncodeToken(secrets.Token{Access: "acc-123", Refresh: "ref-456", Expiry: time.Unix(1900000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, key, tok); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := s.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	back, err := secrets.DecodeToken(got)
	if err != nil {
		t.Fatal(err)
	}
	if back.Access != "acc-123" || back.Refresh != "ref-456" || back.Expiry.Unix() != 1900000000 {
		t.Fatalf("round trip changed the token: %+v", back)
	}
	if err := s.Set(ctx, secrets.Key("clio", "client_secret"), "cs"); err != nil {
		t.Fatal(err)
	}
	if err := secrets.DeletePlatform(ctx, s, "clio"); err != nil {
		t.Fatalf("DeletePlatform: %v", err)
	}
	for _, n := range []string{"token", "client_secret"} {
		if _, err := s.Get(ctx, secrets.Key("clio", n)); !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("%s still present after DeletePlatform: %v", n, err)
		}
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	if err := s.Set(ctx, "box/token", strings.Repeat("x", secrets.MaxValueLen+1)); err == nil {
		t.Error("Set accepted a value over the keychain limit")
	}
}

func TestMemoryRoundTrip(t *testing.T) { roundTrip(t, secrets.NewMemory()) }

func TestKeychainRoundTripWithMock(t *testing.T) {
	keyring.MockInit()
	roundTrip(t, secrets.NewKeychain("firmsync-test"))
}

// TestRealSecretService talks to a real Secret Service (gnome-keyring under
// dbus-run-session in `make test` and CI). FIRMSYNC_REAL_KEYRING=1 makes it
// mandatory; without it the test skips so a plain `go test ./...` on a
// desktop never writes to the user's keychain.
func TestRealSecretService(t *testing.T) {
	if os.Getenv("FIRMSYNC_REAL_KEYRING") != "1" {
		t.Skip("set FIRMSYNC_REAL_KEYRING=1 (make test does) to use the real Secret Service")
	}
	k := secrets.NewKeychain("firmsync-test-" + time.Now().Format("150405.000000000"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := k.Check(ctx); err != nil {
		t.Fatalf("real keychain not usable: %v", err)
	}
	roundTrip(t, k)
}

func TestTokenEncodingIsCompact(t *testing.T) {
	// Realistic worst case: Box and Zoom issue JWT-like tokens of ~600-900 bytes.
	tok := secrets.Token{Access: strings.Repeat("a", 900), Refresh: strings.Repeat("r", 900), Type: "bearer", Expiry: time.Now()}
	s, err := secrets.EncodeToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) > 1850 {
		t.Fatalf("encoded token is %d bytes; want compact (<1850)", len(s))
	}
	if _, err := secrets.EncodeToken(secrets.Token{Access: strings.Repeat("a", 2100)}); err == nil {
		t.Fatal("EncodeToken accepted a token over the keychain limit")
	}
}

func TestUnavailableErrorSaysHowToFix(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the hint checked here is the Linux one")
	}
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	defer keyring.MockInit()
	err := secrets.NewKeychain("firmsync-test").Set(context.Background(), "clio/token", "x")
	if !errors.Is(err, secrets.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
	for _, want := range []string{"Secret Service", "gnome-keyring", "KeePassXC"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// unreachable is a keychain that cannot be reached at all.
type unreachable struct{ calls int }

func (u *unreachable) Get(context.Context, string) (string, error) { return "", secrets.ErrUnavailable }
func (u *unreachable) Set(context.Context, string, string) error   { return secrets.ErrUnavailable }
func (u *unreachable) Delete(context.Context, string) error {
	u.calls++
	return fmt.Errorf("%w: no session bus", secrets.ErrUnavailable)
}

// TestDeletePlatformStopsAtAnUnreachableKeychain: one reason, said once,
// instead of the same error for every secret name.
func TestDeletePlatformStopsAtAnUnreachableKeychain(t *testing.T) {
	u := &unreachable{}
	err := secrets.DeletePlatform(context.Background(), u, "clio")
	if !errors.Is(err, secrets.ErrUnavailable) || strings.Count(err.Error(), "no session bus") != 1 || u.calls != 1 {
		t.Fatalf("DeletePlatform = %v after %d calls", err, u.calls)
	}
}

// TestKeychainEntriesAsMacOSFilesThem: on macOS go-keyring files an entry
// as a generic password with service "firmsync" and the key as account,
// through one `security -i` command line of at most 4,096 bytes holding
// the value base64-encoded. Checked here by content (no Mac in CI): where
// an entry lands, and that the largest value Set accepts, under the
// longest key Firmsync uses, fits that line.
func TestKeychainEntriesAsMacOSFilesThem(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	k := secrets.NewKeychain("")
	if err := k.Set(ctx, secrets.Key("clio", "token"), "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get("firmsync", "clio/token"); err != nil || v != "v" {
		t.Fatalf(`the entry is not service "firmsync", account "clio/token": %q, %v`, v, err)
	}
	longest := ""
	for _, p := range []string{"clio", "lawmatics", "zoom", "box"} {
		for _, n := range secrets.Names() {
			if k := secrets.Key(p, n); len(k) > len(longest) {
				longest = k
			}
		}
	}
	value := strings.Repeat("x", secrets.MaxValueLen)
	encoded := "go-keyring-base64:" + base64.StdEncoding.EncodeToString([]byte(value))
	line := fmt.Sprintf("add-generic-password -U -s %s -a %s -w '%s'\n", secrets.Service, longest, encoded)
	if len(line) > 4096 {
		t.Fatalf("a %d-byte value under %s makes a %d-byte security command; macOS's limit is 4096", secrets.MaxValueLen, longest, len(line))
	}
}
