// Package datadir finds and prepares Firmsync's data directory: the bbolt
// file, the logs and the sandbox state all live in it, readable only by the
// user who runs Firmsync.
//
// Firmsync never changes the mode of a directory it did not create. --data
// may name a shared directory (a 1777 scratch directory, a synced folder):
// tightening it would lock other users out of their own files, and filling
// it would mix Firmsync's state with theirs. So Prepare
//
//   - creates a missing directory with mode 0700 and writes a marker file
//     saying Firmsync created it;
//   - adopts an existing empty directory as is (its mode is the user's
//     choice; a directory other users can read or write gets a warning);
//   - accepts an existing Firmsync data directory (it holds the marker or
//     firmsync.db) and tightens its mode only when the marker says
//     Firmsync created it, warning otherwise;
//   - refuses any other non-empty directory, naming it and saying what to do.
package datadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvVar overrides the default location when --data is not given.
const EnvVar = "FIRMSYNC_DATA"

// MarkerName is the file that marks a directory as a Firmsync data
// directory. Its first line says whether Firmsync created the directory
// (MarkerCreated) or adopted an existing one (MarkerAdopted).
const MarkerName = ".firmsync-data"

// Marker contents.
const (
	MarkerCreated = "created"
	MarkerAdopted = "adopted"
)

// dbName is the state database's file name; its presence marks a data
// directory written by a Firmsync older than the marker file.
const dbName = "firmsync.db"

// ErrNotDataDir is wrapped by Prepare's error for a non-empty directory that
// is not a Firmsync data directory.
var ErrNotDataDir = errors.New("not a Firmsync data directory")

// osLitter are files an operating system drops into any directory it shows;
// a directory holding only these still counts as empty.
var osLitter = map[string]bool{".DS_Store": true, "Thumbs.db": true, "desktop.ini": true}

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

// Result says what Setup found and did.
type Result struct {
	// Created is true when Setup made the directory.
	Created bool
	// Adopted is true when Setup took over an existing empty directory.
	Adopted bool
	// Warnings are problems worth logging that do not stop Firmsync, such
	// as a data directory other users can read.
	Warnings []string
}

// Prepare is Setup without the warnings, for callers with nowhere to log
// them yet.
func Prepare(dir string) error {
	_, err := Setup(dir)
	return err
}

// Setup makes dir usable as Firmsync's data directory (see the package
// comment for the rules) and creates its logs subdirectory.
func Setup(dir string) (Result, error) {
	var res Result
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := create(dir); err != nil {
			return res, err
		}
		res.Created = true
	case err != nil:
		return res, fmt.Errorf("checking data directory %s: %w", dir, err)
	case !fi.IsDir():
		return res, fmt.Errorf("data directory %s is a file, not a directory: give --data (or $%s) a directory", dir, EnvVar)
	default:
		kind, err := inspect(dir)
		if err != nil {
			return res, err
		}
		switch kind {
		case kindForeign:
			return res, fmt.Errorf("data directory %s: %w: it holds other files and no %s; "+
				"give --data (or $%s) a new or empty directory, or the directory Firmsync used before", dir, ErrNotDataDir, dbName, EnvVar)
		case kindEmpty:
			if err := writeMarker(dir, MarkerAdopted); err != nil {
				return res, err
			}
			res.Adopted = true
		case kindLegacy:
			// A directory from a Firmsync older than the marker: it may be
			// ours or a shared one an older build tightened; record that it
			// was found, not made, so it is never chmodded.
			if err := writeMarker(dir, MarkerAdopted); err != nil {
				return res, err
			}
		}
		if err := checkMode(dir, kind == kindCreated, &res); err != nil {
			return res, err
		}
	}
	logs := LogDir(dir)
	if err := os.Mkdir(logs, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return res, fmt.Errorf("creating log directory %s: %w", logs, err)
	}
	return res, nil
}

// dirKind classifies an existing directory.
type dirKind int

const (
	kindForeign dirKind = iota // non-empty, not Firmsync's
	kindEmpty                  // nothing in it (but OS litter)
	kindCreated                // marker says Firmsync created it
	kindAdopted                // marker says Firmsync adopted it
	kindLegacy                 // firmsync.db but no marker
)

// inspect classifies dir by its marker, its database and its other entries.
func inspect(dir string) (dirKind, error) {
	data, err := os.ReadFile(filepath.Join(dir, MarkerName))
	switch {
	case err == nil:
		if strings.TrimSpace(firstLine(string(data))) == MarkerCreated {
			return kindCreated, nil
		}
		return kindAdopted, nil
	case !errors.Is(err, fs.ErrNotExist):
		return kindForeign, fmt.Errorf("reading %s in data directory %s: %w", MarkerName, dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return kindForeign, fmt.Errorf("listing data directory %s: %w", dir, err)
	}
	empty := true
	for _, e := range entries {
		if e.Name() == dbName && e.Type().IsRegular() {
			return kindLegacy, nil
		}
		if !osLitter[e.Name()] {
			empty = false
		}
	}
	if empty {
		return kindEmpty, nil
	}
	return kindForeign, nil
}

// create makes a missing dir with mode 0700 and marks it as Firmsync's.
// Missing parents are made 0700 too: nothing else asked for them.
func create(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("creating the parent of data directory %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("creating data directory %s: %w", dir, err)
	}
	// The umask can only have removed bits; a umask that removed the
	// owner's own would leave a directory Firmsync cannot use. It is ours:
	// set it exactly.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("securing data directory %s: %w", dir, err)
	}
	return writeMarker(dir, MarkerCreated)
}

// writeMarker records how Firmsync came to own dir.
func writeMarker(dir, how string) error {
	path := filepath.Join(dir, MarkerName)
	text := how + "\nThis directory holds Firmsync's state (firmsync.db, logs). Do not put other files here.\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("marking data directory %s: %w", dir, err)
	}
	return nil
}

// checkMode tightens a looser directory Firmsync created and warns about
// one it did not create, which it leaves alone.
func checkMode(dir string, ours bool, res *Result) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("checking data directory %s: %w", dir, err)
	}
	perm := fi.Mode().Perm()
	// Windows reports 0777 for every directory; its ACLs are not modes.
	if perm&0o077 == 0 || runtime.GOOS == "windows" {
		return nil
	}
	if ours {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("securing data directory %s: %w", dir, err)
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("data directory %s had mode %04o; Firmsync created it and set it back to 0700", dir, perm))
		return nil
	}
	res.Warnings = append(res.Warnings, fmt.Sprintf(
		"data directory %s has mode %04o, so other users can reach Firmsync's state; Firmsync did not create it and leaves its mode alone: "+
			"run `chmod 700 %s` if it is yours alone, or use a directory of your own", dir, perm, dir))
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// DBPath is the state database inside dir.
func DBPath(dir string) string { return filepath.Join(dir, dbName) }

// LogDir is the operational log directory inside dir.
func LogDir(dir string) string { return filepath.Join(dir, "logs") }

// SandboxDir is where --sandbox mode keeps the fake platforms' state.
func SandboxDir(dir string) string { return filepath.Join(dir, "sandbox") }
