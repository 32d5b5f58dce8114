//go:build windows

package autostart

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/sys/windows/registry"
)

const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

func (e *Entry) key() string {
	if e.Key == "" {
		return runKey
	}
	return e.Key
}

// Enable writes the Run value that starts exe at login.
func (e *Entry) Enable(exe string, hidden bool) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, e.key(), registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("opening the Run key: %w", err)
	}
	defer k.Close()
	// Windows splits the value back into arguments by its own quoting
	// rules (spaces, and backslashes before quotes), which EscapeArg follows.
	var cmd []string
	for _, a := range e.args(exe, hidden) {
		cmd = append(cmd, syscall.EscapeArg(a))
	}
	if err := k.SetStringValue(e.name(), strings.Join(cmd, " ")); err != nil {
		return fmt.Errorf("writing the Run value: %w", err)
	}
	return nil
}

// Disable deletes the Run value.
func (e *Entry) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, e.key(), registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening the Run key: %w", err)
	}
	defer k.Close()
	if err := k.DeleteValue(e.name()); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("deleting the Run value: %w", err)
	}
	return nil
}

// Enabled reports whether the Run value exists.
func (e *Entry) Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, e.key(), registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer k.Close()
	_, _, err = k.GetStringValue(e.name())
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
