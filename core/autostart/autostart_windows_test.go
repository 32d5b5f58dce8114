package autostart

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// TestRunKeyIsSetReadBackAndRemoved registers start at login in the real
// per-user Run key (under a value name of its own, so a developer's real
// entry is never touched), reads the registry back, and removes it. The
// executable sits under a user name with a space and non-ASCII letters,
// as installed per user.
func TestRunKeyIsSetReadBackAndRemoved(t *testing.T) {
	e := &Entry{Name: fmt.Sprintf("Firmsync test %d", time.Now().UnixNano())}
	exe := `C:\Users\Zoë Müller\AppData\Local\Programs\Firmsync\Firmsync.exe`
	t.Cleanup(func() { _ = e.Disable() })
	for _, hidden := range []bool{true, false} {
		if err := e.Enable(exe, hidden); err != nil {
			t.Fatalf("Enable: %v", err)
		}
		k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
		if err != nil {
			t.Fatalf("opening HKCU\\%s: %v", runKey, err)
		}
		v, typ, err := k.GetStringValue(e.Name)
		k.Close()
		if err != nil || typ != registry.SZ {
			t.Fatalf("Run value %q: type %d, %v", e.Name, typ, err)
		}
		// Windows starts the value as a command line: it must split back
		// into exactly the executable and its flag.
		argv, err := windows.DecomposeCommandLine(v)
		if err != nil {
			t.Fatalf("Run value %q does not parse: %v", v, err)
		}
		want := []string{exe}
		if hidden {
			want = append(want, HiddenFlag)
		}
		if fmt.Sprint(argv) != fmt.Sprint(want) {
			t.Fatalf("Run value %q parses as %q, want %q", v, argv, want)
		}
		if on, err := e.Enabled(); !on || err != nil {
			t.Fatalf("Enabled = %v, %v after Enable", on, err)
		}
	}
	if err := e.Disable(); err != nil {
		t.Fatalf("Disable: %v", err)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, _, err := k.GetStringValue(e.Name); !errors.Is(err, registry.ErrNotExist) {
		t.Fatalf("Run value still there after Disable: %v", err)
	}
	if on, err := e.Enabled(); on || err != nil {
		t.Fatalf("Enabled = %v, %v after Disable", on, err)
	}
	if err := e.Disable(); err != nil {
		t.Fatalf("a second Disable: %v", err)
	}
}
