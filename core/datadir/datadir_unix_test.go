//go:build !windows

package datadir_test

// Unix file modes: Windows has none (its data directory is protected by the
// user profile's permissions; see datadir_windows_test.go).

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/firmsync/firmsync/core/datadir"
)

func TestPrepareCreatesAPrivateDirectory(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "a", "data")
	res, err := datadir.Setup(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || len(res.Warnings) != 0 {
		t.Errorf("result %+v, want created without warnings", res)
	}
	for _, d := range []string{dir, datadir.LogDir(dir)} {
		if got := mode(t, d); got != 0o700 {
			t.Errorf("%s mode %04o, want 0700", d, got)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, datadir.MarkerName)); err != nil || !strings.HasPrefix(string(b), datadir.MarkerCreated+"\n") {
		t.Errorf("marker %q, %v; want it to say %q", b, err, datadir.MarkerCreated)
	}
	// Starting again accepts the directory it made.
	if err := datadir.Prepare(dir); err != nil {
		t.Fatalf("second start: %v", err)
	}
}

func TestPrepareRefusesAStrangersDirectory(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shared, "someone-elses.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := datadir.Prepare(shared)
	if !errors.Is(err, datadir.ErrNotDataDir) {
		t.Fatalf("Prepare(shared) = %v, want ErrNotDataDir", err)
	}
	if !strings.Contains(err.Error(), shared) || !strings.Contains(err.Error(), "--data") {
		t.Errorf("error %q does not name the directory and what to do", err)
	}
	fi, err := os.Stat(shared)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&(fs.ModePerm|fs.ModeSticky) != fs.ModePerm|fs.ModeSticky {
		t.Errorf("mode changed to %v, want 1777", fi.Mode())
	}
	entries, _ := os.ReadDir(shared)
	if len(entries) != 1 {
		t.Errorf("Firmsync wrote into the stranger's directory: %v", entries)
	}
}

func TestPrepareAdoptsAnEmptyDirectoryWithoutChangingIt(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	for _, perm := range []os.FileMode{0o755, 0o700, 0o777} {
		t.Run(perm.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, perm); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ".DS_Store"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := datadir.Setup(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Adopted || res.Created {
				t.Errorf("result %+v, want adopted", res)
			}
			if got := mode(t, dir); got != perm {
				t.Errorf("mode %04o, want %04o unchanged", got, perm)
			}
			if wantWarn := perm != 0o700; (len(res.Warnings) > 0) != wantWarn {
				t.Errorf("warnings %q, want some: %v", res.Warnings, wantWarn)
			}
			// Once adopted, it is a data directory: the next start accepts
			// it although it is no longer empty, and still leaves it alone.
			if err := os.WriteFile(datadir.DBPath(dir), []byte("db"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := datadir.Prepare(dir); err != nil {
				t.Fatalf("second start: %v", err)
			}
			if got := mode(t, dir); got != perm {
				t.Errorf("mode after second start %04o, want %04o", got, perm)
			}
		})
	}
}

func TestPrepareRecognisesDataDirectories(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	cases := []struct {
		name      string
		marker    string // "" for none
		db        bool
		wantMode  os.FileMode
		wantWarns bool
	}{
		// A directory from an older Firmsync: it has the database but no
		// marker. It may be a shared directory an older build tightened,
		// so its mode is left alone.
		{"legacy with database", "", true, 0o755, true},
		{"adopted", datadir.MarkerAdopted, false, 0o755, true},
		// Created by Firmsync and loosened since: Firmsync's own, tightened.
		{"created", datadir.MarkerCreated, false, 0o700, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if c.marker != "" {
				if err := os.WriteFile(filepath.Join(dir, datadir.MarkerName), []byte(c.marker+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if c.db {
				if err := os.WriteFile(datadir.DBPath(dir), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := datadir.Setup(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := mode(t, dir); got != c.wantMode {
				t.Errorf("mode %04o, want %04o", got, c.wantMode)
			}
			if (len(res.Warnings) > 0) != c.wantWarns {
				t.Errorf("warnings %q", res.Warnings)
			}
		})
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
