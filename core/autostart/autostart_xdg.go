//go:build !windows && !darwin

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func (e *Entry) path() (string, error) {
	dir := e.Dir
	if dir == "" {
		base := os.Getenv("XDG_CONFIG_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("finding the autostart folder: %w", err)
			}
			base = filepath.Join(home, ".config")
		}
		dir = filepath.Join(base, "autostart")
	}
	return filepath.Join(dir, strings.ToLower(e.name())+".desktop"), nil
}

// Enable writes an XDG autostart desktop entry.
func (e *Entry) Enable(exe string, hidden bool) error {
	p, err := e.path()
	if err != nil {
		return err
	}
	var cmd []string
	for _, a := range e.args(exe, hidden) {
		cmd = append(cmd, quoteExec(a))
	}
	body := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=" + e.name() + "\n" +
		"Comment=Keeps Clio, Lawmatics, Zoom and Box in step\n" +
		"Exec=" + strings.Join(cmd, " ") + "\n" +
		"Icon=" + e.id() + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating the autostart folder: %w", err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		return fmt.Errorf("writing the autostart entry: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing the autostart entry: %w", err)
	}
	return nil
}

// Disable removes the desktop entry.
func (e *Entry) Disable() error {
	p, err := e.path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the autostart entry: %w", err)
	}
	return nil
}

// Enabled reports whether the desktop entry exists.
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
