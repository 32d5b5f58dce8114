package secrets

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/zalando/go-keyring"
)

// Service is the keychain service name every Firmsync entry is filed under.
const Service = "firmsync"

// Keychain is a Store backed by the operating system's keychain: the Secret
// Service on Linux, Keychain on macOS, Credential Manager on Windows.
type Keychain struct {
	// Service overrides the keychain service name; empty means "firmsync".
	// Tests use a unique name so they never touch a user's real entries.
	Service string
}

// NewKeychain returns a Keychain using the given service name ("" for the
// default).
func NewKeychain(service string) *Keychain { return &Keychain{Service: service} }

func (k *Keychain) service() string {
	if k.Service == "" {
		return Service
	}
	return k.Service
}

// Get implements Store.
func (k *Keychain) Get(ctx context.Context, key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	v, err := call(ctx, func() (string, error) { return keyring.Get(k.service(), key) })
	if err != nil {
		return "", wrap("reading", key, err)
	}
	return v, nil
}

// Set implements Store.
func (k *Keychain) Set(ctx context.Context, key, value string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := checkValue(key, value); err != nil {
		return err
	}
	_, err := call(ctx, func() (string, error) { return "", keyring.Set(k.service(), key, value) })
	if err != nil {
		return wrap("saving", key, err)
	}
	return nil
}

// Delete implements Store.
func (k *Keychain) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := call(ctx, func() (string, error) { return "", keyring.Delete(k.service(), key) })
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return wrap("deleting", key, err)
	}
	return nil
}

// Check proves the keychain works by writing, reading and deleting a probe
// entry. The app calls it at start so a missing Secret Service is reported
// once, plainly, instead of on the first token save.
func (k *Keychain) Check(ctx context.Context) error {
	const probe = "firmsync/probe"
	if err := k.Set(ctx, probe, "ok"); err != nil {
		return err
	}
	if _, err := k.Get(ctx, probe); err != nil {
		return err
	}
	return k.Delete(ctx, probe)
}

// call runs a blocking keyring operation but gives up when ctx ends: a
// Secret Service that never answers (a locked collection waiting on a
// prompt nobody sees) must not hang a sync.
func call(ctx context.Context, fn func() (string, error)) (string, error) {
	if err := checkSession(); err != nil {
		return "", err // the keyring library would start a bus (and daemons) itself
	}
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("%w: no answer: %w", ErrUnavailable, ctx.Err())
	}
}

func wrap(doing, key string, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("secrets: %s %s: %w", doing, key, ErrNotFound)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("secrets: %s %s: value too large for the keychain: %w", doing, key, err)
	case errors.Is(err, ErrUnavailable):
		return fmt.Errorf("secrets: %s %s: %w", doing, key, err)
	}
	return fmt.Errorf("secrets: %s %s: %w: %v. %s", doing, key, ErrUnavailable, err, Hint())
}

// Hint says, for this operating system, what must be present for the
// keychain to work and how to get it.
func Hint() string {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd":
		return "Firmsync keeps tokens in the Secret Service over D-Bus; install and unlock one " +
			"(for example gnome-keyring: `sudo apt-get install gnome-keyring`, or KeePassXC with its " +
			"Secret Service integration on), and make sure a D-Bus session bus is running"
	case "darwin":
		return "Firmsync keeps tokens in the macOS Keychain; unlock the login keychain and allow Firmsync access"
	case "windows":
		return "Firmsync keeps tokens in Windows Credential Manager; make sure the Credential Manager service is running"
	}
	return "Firmsync needs an OS keychain for its tokens"
}

var _ Store = (*Keychain)(nil)
