package oplog_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core/oplog"
)

// TestLogRotatesWhileTheFileIsOpenElsewhere: Windows cannot rename a file
// another handle holds open without FILE_SHARE_DELETE (a support person's
// viewer, an antivirus scan, a second Firmsync process). Rotation must go
// on regardless, and no line may be lost or duplicated.
func TestLogRotatesWhileTheFileIsOpenElsewhere(t *testing.T) {
	dir := t.TempDir()
	l, err := oplog.Open(oplog.Options{Dir: dir, MaxSizeMB: 1, MaxBackups: 10})
	if err != nil {
		t.Fatal(err)
	}
	// os.Open on Windows shares read and write but not delete: the file
	// cannot be renamed while this handle is open.
	viewer, err := os.Open(filepath.Join(dir, oplog.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer viewer.Close()
	const lines = 12000 // ~2.5 MB: two rotations at 1 MB
	pad := strings.Repeat("x", 160)
	for i := range lines {
		l.Info("synced", "seq", i, "pad", pad, "title", "Hired leads → Clio matters")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	seen := make([]int, lines)
	files, _ := filepath.Glob(filepath.Join(dir, "firmsync*.log"))
	if len(files) < 2 {
		t.Fatalf("no rotation happened: %v", files)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 1<<20+4096 {
			t.Errorf("%s is %d bytes: rotation at 1 MB did not happen", filepath.Base(f), fi.Size())
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			var seq int
			if _, err := fmt.Sscanf(line[strings.Index(line, "seq="):], "seq=%d", &seq); err != nil || seq < 0 || seq >= lines {
				t.Fatalf("unexpected line in %s: %q", f, line)
			}
			seen[seq]++
			if !strings.Contains(line, `title="Hired leads → Clio matters"`) {
				t.Fatalf("line %d did not keep its UTF-8 text: %q", seq, line)
			}
		}
		fh.Close()
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("line %d appears %d times across %v", i, n, files)
		}
	}
}
