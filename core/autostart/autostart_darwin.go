//go:build darwin

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func (e *Entry) path() (string, error) {
	dir := e.Dir
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the LaunchAgents folder: %w", err)
		}
		dir = filepath.Join(home, "Library", "LaunchAgents")
	}
	return filepath.Join(dir, e.id()+".plist"), nil
}

// Enable writes a LaunchAgent that runs exe at login.
func (e *Entry) Enable(exe string, hidden bool) error {
	p, err := e.path()
	if err != nil {
		return err
	}
	body := launchAgent(e.id(), e.args(exe, hidden))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating the LaunchAgents folder: %w", err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		return fmt.Errorf("writing the LaunchAgent: %w", err)
	}
	return nil
}

// Disable removes the LaunchAgent.
func (e *Entry) Disable() error {
	p, err := e.path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the LaunchAgent: %w", err)
	}
	return nil
}

// Enabled reports whether the LaunchAgent exists.
func (e *Entry) Enabled() (bool, error) {
	p, err := e.path()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
