package datadir_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/firmsync/firmsync/core/datadir"
)

func TestResolveOrder(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	cfg := func() (string, error) { return "/home/u/.config", nil }
	cases := []struct {
		name, flag, env, want string
	}{
		{"flag wins", "/flag", "/env", "/flag"},
		{"env next", "", "/env", "/env"},
		{"default", "", "", "/home/u/.config/firmsync"},
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

func TestPrepareMakesPrivateDirectories(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := datadir.Prepare(dir); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, datadir.LogDir(dir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v, want 0700", d, fi.Mode().Perm())
		}
	}
}
