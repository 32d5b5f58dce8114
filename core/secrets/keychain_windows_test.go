package secrets_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/danieljoos/wincred"

	"github.com/firmsync/firmsync/core/secrets"
)

// TestKeychainUsesWindowsCredentialManager stores secrets through the real
// Keychain (go-keyring's wincred backend) and reads them back both through
// it and straight from Credential Manager, so a token really lands where
// Windows keeps credentials. It must run before any test of this binary
// calls keyring.MockInit, which swaps the backend for good; Go runs test
// files in name order, and reading through wincred directly would catch a
// mock anyway.
func TestKeychainUsesWindowsCredentialManager(t *testing.T) {
	service := "firmsync-test-" + time.Now().Format("150405.000000000")
	k := secrets.NewKeychain(service)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := k.Check(ctx); err != nil {
		t.Fatalf("Credential Manager not usable: %v", err)
	}
	key := secrets.Key("clio", "token")
	tok, err := secrets.EncodeToken(secrets.Token{Access: "acc-" + strings.Repeat("a", 800), Refresh: "ref-Zoë→", Type: "bearer", Expiry: time.Unix(1900000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(ctx, key, tok); err != nil {
		t.Fatalf("Set: %v", err)
	}
	t.Cleanup(func() { _ = k.Delete(context.Background(), key) })

	cred, err := wincred.GetGenericCredential(service + ":" + key)
	if err != nil {
		t.Fatalf("the secret is not in Credential Manager under %q: %v", service+":"+key, err)
	}
	if string(cred.CredentialBlob) != tok || cred.UserName != key {
		t.Fatalf("Credential Manager holds user %q, %d bytes; want user %q and the token", cred.UserName, len(cred.CredentialBlob), key)
	}
	got, err := k.Get(ctx, key)
	if err != nil || got != tok {
		t.Fatalf("Get = %d bytes, %v; want the token back", len(got), err)
	}
	back, err := secrets.DecodeToken(got)
	if err != nil || back.Refresh != "ref-Zoë→" {
		t.Fatalf("token after the round trip: %+v, %v", back, err)
	}
	// The largest value Firmsync allows fits Credential Manager's blob.
	big := strings.Repeat("x", secrets.MaxValueLen)
	if err := k.Set(ctx, secrets.Key("box", "token"), big); err != nil {
		t.Fatalf("Set of %d bytes: %v", len(big), err)
	}
	if err := secrets.DeletePlatform(ctx, k, "box"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := wincred.GetGenericCredential(service + ":" + key); err == nil {
		t.Fatal("the credential is still in Credential Manager after Delete")
	}
	if _, err := k.Get(ctx, key); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
}
