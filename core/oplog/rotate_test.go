package oplog

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRotationKeepsEveryLine: whether the active file can be renamed (Unix,
// or Windows with nobody else holding it) or not (Windows while a viewer
// has it open), rotation leaves every line exactly once across the active
// file and the backups, keeps at most MaxBackups of them, and keeps the
// UTF-8 text as written.
func TestRotationKeepsEveryLine(t *testing.T) {
	for _, c := range []struct {
		name     string
		renameOK bool
	}{{"rename", true}, {"rename refused", false}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			r, err := newRotator(path, 4096, 3)
			if err != nil {
				t.Fatal(err)
			}
			clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			r.now = func() time.Time { clock = clock.Add(2 * time.Minute); return clock }
			if !c.renameOK {
				r.rename = func(string, string) error {
					return errors.New("The process cannot access the file because it is being used by another process.")
				}
			}
			const lines = 300 // ~20 KB: more rotations than backups kept
			for i := range lines {
				if _, err := fmt.Fprintf(r, "seq=%04d title=\"Hired leads → Clio matters\" user=Zoë\n", i); err != nil {
					t.Fatalf("line %d: %v", i, err)
				}
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "firmsync*.log"))
			if len(files) != 4 {
				t.Fatalf("files %v, want the active one and 3 backups", files)
			}
			seen := map[int]int{}
			for _, f := range files {
				if fi, _ := os.Stat(f); fi.Size() > 4096 {
					t.Errorf("%s is %d bytes, over the 4096 limit", filepath.Base(f), fi.Size())
				}
				fh, err := os.Open(f)
				if err != nil {
					t.Fatal(err)
				}
				sc := bufio.NewScanner(fh)
				for sc.Scan() {
					var seq int
					if _, err := fmt.Sscanf(sc.Text(), "seq=%d", &seq); err != nil || !strings.HasSuffix(sc.Text(), "\"Hired leads → Clio matters\" user=Zoë") {
						t.Fatalf("line %q in %s", sc.Text(), f)
					}
					seen[seq]++
				}
				fh.Close()
			}
			// The newest lines are all there, each once, in an unbroken run.
			first := lines - len(seen)
			for i := first; i < lines; i++ {
				if seen[i] != 1 {
					t.Fatalf("line %d seen %d times (kept %d..%d)", i, seen[i], first, lines-1)
				}
			}
		})
	}
}

// TestFailedRotationStillWrites: when neither rename nor copy works the
// line goes to the oversized file instead of being lost.
func TestFailedRotationStillWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	r, err := newRotator(path, 64, 3)
	if err != nil {
		t.Fatal(err)
	}
	r.rename = func(string, string) error { return errors.New("refused") }
	r.copyOver = func(string, string) error { return errors.New("disk full") }
	for i := range 10 {
		if _, err := fmt.Fprintf(r, "line %d of a log that cannot rotate\n", i); err != nil {
			t.Fatalf("line %d lost: %v", i, err)
		}
	}
	r.Close()
	b, _ := os.ReadFile(path)
	if got := strings.Count(string(b), "\n"); got != 10 {
		t.Fatalf("active file has %d lines, want all 10:\n%s", got, b)
	}
}
