package datadir_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core/datadir"
)

// TestDefaultIsAppDataRoaming: with no --data and no FIRMSYNC_DATA the data
// directory is %AppData%\firmsync, the per-user roaming folder under the
// user's profile, where Windows' ACLs let only that user (and SYSTEM and
// administrators) in.
func TestDefaultIsAppDataRoaming(t *testing.T) {
	appData := os.Getenv("APPDATA")
	if appData == "" {
		t.Fatal("APPDATA is not set: not a Windows user session")
	}
	got, err := datadir.Resolve("", func(string) string { return "" }, os.UserConfigDir)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(appData, "firmsync"); !strings.EqualFold(got, want) {
		t.Fatalf("default data directory %q, want %q", got, want)
	}
	profile := os.Getenv("USERPROFILE")
	if profile == "" || !strings.HasPrefix(strings.ToLower(got), strings.ToLower(profile)+`\`) {
		t.Fatalf("default data directory %q is not under the user's profile %q", got, profile)
	}
}

// TestNonASCIIProfileWithSpaces: a user named "Zoë Müller" has
// C:\Users\Zoë Müller\AppData\Roaming; the directory is found, created,
// marked and reopened there, and its files are where the names say.
func TestNonASCIIProfileWithSpaces(t *testing.T) {
	roaming := filepath.Join(t.TempDir(), "Users", "Zoë Müller", "AppData", "Roaming")
	got, err := datadir.Resolve("", func(string) string { return "" }, func() (string, error) { return roaming, nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(roaming, "firmsync"); got != want {
		t.Fatalf("Resolve = %q, want %q", got, want)
	}
	if err := datadir.Prepare(got); err != nil {
		t.Fatalf("first start in %q: %v", got, err)
	}
	if err := datadir.Prepare(got); err != nil {
		t.Fatalf("second start in %q: %v", got, err)
	}
	if fi, err := os.Stat(datadir.LogDir(got)); err != nil || !fi.IsDir() {
		t.Fatalf("log directory: %v", err)
	}
	// The names come back from Windows' UTF-16 API exactly as written.
	entries, err := os.ReadDir(filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(roaming)))))
	if err != nil || len(entries) != 1 || entries[0].Name() != "Zoë Müller" {
		t.Fatalf("listing Users: %v, %v", entries, err)
	}
	// --data with the same kind of path is taken as given.
	flag := filepath.Join(roaming, "Firm Data Ærø")
	if got, err := datadir.Resolve(flag, func(string) string { return "" }, nil); err != nil || got != flag {
		t.Fatalf("Resolve(--data %q) = %q, %v", flag, got, err)
	}
}
