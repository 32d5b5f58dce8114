// Package datadir finds and prepares Firmsync's data directory: the bbolt
// file, the logs and the sandbox state all live in it, readable only by the
// user who runs Firmsync.
package datadir

import (
	"fmt"
	"os"
	"path/filepath"
)

// EnvVar overrides the default location when --data is not given.
const EnvVar = "FIRMSYNC_DATA"

// Resolve picks the data directory: the flag value, else $FIRMSYNC_DATA,
// else <user config dir>/firmsync. getenv and userConfigDir are injected so
// tests need not touch the real environment.
func Resolve(flagValue string, getenv func(string) string, userConfigDir func() (string, error)) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = getenv(EnvVar)
	}
	if dir == "" {
		base, err := userConfigDir()
		if err != nil {
			return "", fmt.Errorf("finding the user config directory (set --data or %s): %w", EnvVar, err)
		}
		dir = filepath.Join(base, "firmsync")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolving data directory %q: %w", dir, err)
	}
	return abs, nil
}

// Prepare creates dir (and its logs subdirectory) with mode 0700 and
// tightens an existing one that is looser, so tokens' neighbours (the
// database, logs) are never readable by other users.
func Prepare(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, "logs")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("creating data directory %s: %w", d, err)
		}
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("checking data directory %s: %w", d, err)
		}
		if fi.Mode().Perm() != 0o700 {
			if err := os.Chmod(d, 0o700); err != nil {
				return fmt.Errorf("securing data directory %s: %w", d, err)
			}
		}
	}
	return nil
}

// DBPath is the state database inside dir.
func DBPath(dir string) string { return filepath.Join(dir, "firmsync.db") }

// LogDir is the operational log directory inside dir.
func LogDir(dir string) string { return filepath.Join(dir, "logs") }

// SandboxDir is where --sandbox mode keeps the fake platforms' state.
func SandboxDir(dir string) string { return filepath.Join(dir, "sandbox") }
