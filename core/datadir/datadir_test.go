package datadir_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core/datadir"
)

func TestResolveOrder(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	// Absolute on every OS ("/home/…" is relative to the drive on Windows).
	abs := func(p string) string {
		a, err := filepath.Abs(filepath.FromSlash(p))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cfg := func() (string, error) { return abs("/home/u/.config"), nil }
	cases := []struct {
		name, flag, env, want string
	}{
		{"flag wins", abs("/flag"), abs("/env"), abs("/flag")},
		{"env next", "", abs("/env"), abs("/env")},
		{"default", "", "", abs("/home/u/.config/firmsync")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := datadir.Resolve(c.flag, env(c.env), cfg)
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
	_, err := datadir.Resolve("", env(""), func() (string, error) { return "", errors.New("no HOME") })
	if err == nil {
		t.Fatal("want an error when no directory can be found")
	}
}

func TestPrepareRefusesAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := datadir.Prepare(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Prepare(file) = %v, want an error naming it", err)
	}
}
