//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package secrets

import "errors"

// ErrNoSession means no D-Bus session bus can be reached. It only happens
// where the keychain is the Secret Service; elsewhere the OS keychain needs
// no session bus.
var ErrNoSession = errors.New("no desktop session is reachable")

// checkSession has nothing to check where the keychain is not reached
// over D-Bus.
func checkSession() error { return nil }
