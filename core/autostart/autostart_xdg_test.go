//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnableWritesAHiddenXDGEntryAndDisableRemovesIt(t *testing.T) {
	e := &Entry{Dir: filepath.Join(t.TempDir(), "autostart")}
	if on, err := e.Enabled(); err != nil || on {
		t.Fatalf("Enabled before Enable = %v, %v; want false, nil", on, err)
	}
	if err := e.Enable("/opt/Firm Sync/firmsync", true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(e.Dir, "firmsync.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	for _, want := range []string{"[Desktop Entry]", "Type=Application", "Name=Firmsync", `Exec="/opt/Firm Sync/firmsync" --hidden`} {
		if !strings.Contains(body, want) {
			t.Errorf("entry lacks %q:\n%s", want, body)
		}
	}
	if on, err := e.Enabled(); err != nil || !on {
		t.Fatalf("Enabled after Enable = %v, %v; want true, nil", on, err)
	}
	if err := e.Disable(); err != nil {
		t.Fatal(err)
	}
	if on, _ := e.Enabled(); on {
		t.Fatal("still enabled after Disable")
	}
	if err := e.Disable(); err != nil {
		t.Fatalf("second Disable: %v", err)
	}
}

func TestEnableWithoutHiddenHasNoFlag(t *testing.T) {
	e := &Entry{Dir: t.TempDir()}
	if err := e.Enable("/usr/bin/firmsync", false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(e.Dir, "firmsync.desktop"))
	if !strings.Contains(string(b), "Exec=/usr/bin/firmsync\n") {
		t.Fatalf("Exec line wrong:\n%s", b)
	}
}

func TestDefaultFollowsXDGConfigHome(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	if err := Enable("/usr/bin/firmsync", true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "autostart", "firmsync.desktop")); err != nil {
		t.Fatal(err)
	}
	if on, _ := Enabled(); !on {
		t.Fatal("Enabled() = false after Enable")
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
}

// TestEnableCarriesTheDataDirectory: a firm whose data lives elsewhere
// must start at login on that data, not on the default directory.
func TestEnableCarriesTheDataDirectory(t *testing.T) {
	e := &Entry{Dir: t.TempDir(), Args: []string{"--data", "/srv/firm data"}}
	if err := e.Enable("/usr/bin/firmsync", true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(e.Dir, "firmsync.desktop"))
	if !strings.Contains(string(b), `Exec=/usr/bin/firmsync --data "/srv/firm data" --hidden`+"\n") {
		t.Fatalf("Exec line wrong:\n%s", b)
	}
}
