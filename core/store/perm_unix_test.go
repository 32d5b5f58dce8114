//go:build unix

package store

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpenKeepsFilePrivateDespiteUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	dir := t.TempDir()
	tests := []struct {
		name    string
		prepare func(path string) error
	}{
		{"new file", func(string) error { return nil }},
		{"existing world-readable file", func(path string) error {
			return os.WriteFile(path, nil, 0o666)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".db")
			if err := tt.prepare(path); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("file mode = %o, want 600", got)
			}
		})
	}
}
