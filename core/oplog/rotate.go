package oplog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// rotator is the log file, rotated by size into timestamped backups
// (firmsync-2006-01-02T15-04-05.000.log, UTC, the names lumberjack used, so
// backups from older builds are pruned too).
//
// It replaces lumberjack, which rotates only by renaming the active file.
// Windows refuses that rename while any other handle holds the file open
// without FILE_SHARE_DELETE (a support person's viewer, a virus scan, a
// second Firmsync starting up), and lumberjack then failed every later
// write: the log went silent until the other handle closed. Here a refused
// rename falls back to copying the file into the backup and truncating it
// in place, and if even that fails the line is still written, to the
// oversized file.
type rotator struct {
	mu       sync.Mutex
	path     string
	max      int64
	backups  int
	now      func() time.Time
	rename   func(from, to string) error // os.Rename; tests make it refuse, as Windows does
	copyOver func(from, to string) error // copyThenTruncate; tests make it fail
	f        *os.File
	size     int64
	retryAt  time.Time // after a failed rotation, do not retry before this
	lastFail error
}

const backupTimeFormat = "2006-01-02T15-04-05.000"

func newRotator(path string, maxBytes int64, backups int) (*rotator, error) {
	r := &rotator{path: path, max: maxBytes, backups: backups, now: time.Now, rename: os.Rename, copyOver: copyThenTruncate}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

// open opens (or creates, 0600) the active file for appending.
func (r *rotator) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("oplog: opening %s: %w", r.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("oplog: checking %s: %w", r.path, err)
	}
	r.f, r.size = f, fi.Size()
	return nil
}

// Write appends p, rotating first when p would take the file past max.
func (r *rotator) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	if r.size > 0 && r.size+int64(len(p)) > r.max && !r.now().Before(r.retryAt) {
		if err := r.rotate(); err != nil {
			// Logging on into the big file beats losing the line; try
			// again in a minute rather than copy the file on every line.
			r.lastFail = err
			r.retryAt = r.now().Add(time.Minute)
		}
	}
	if r.f == nil {
		return 0, r.lastFail
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate moves the active file's contents to a new backup and starts an
// empty active file. r.f is open again afterwards unless reopening failed.
func (r *rotator) rotate() error {
	backup := r.backupName()
	if err := r.f.Close(); err != nil {
		r.f = nil
		_ = r.open()
		return fmt.Errorf("oplog: closing %s to rotate it: %w", r.path, err)
	}
	r.f = nil
	if err := r.rename(r.path, backup); err != nil {
		// Windows: the file is open elsewhere. Copy, then truncate in place.
		if cerr := r.copyOver(r.path, backup); cerr != nil {
			_ = os.Remove(backup)
			if oerr := r.open(); oerr != nil {
				return errors.Join(cerr, oerr)
			}
			return fmt.Errorf("oplog: rotating %s (rename: %v): %w", r.path, err, cerr)
		}
	}
	if err := r.open(); err != nil {
		return err
	}
	r.prune()
	return nil
}

// backupName is a backup name no earlier backup has: two rotations in the
// same millisecond must not overwrite one another.
func (r *rotator) backupName() string {
	dir, base := filepath.Split(r.path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	t := r.now().UTC()
	for {
		name := filepath.Join(dir, stem+"-"+t.Format(backupTimeFormat)+ext)
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			return name
		}
		t = t.Add(time.Millisecond)
	}
}

func copyThenTruncate(path, backup string) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(backup, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copying into %s: %w", backup, err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("copying into %s: %w", backup, err)
	}
	t, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("truncating %s: %w", path, err)
	}
	return t.Close()
}

// prune deletes the oldest backups beyond the limit. A backup that cannot
// be deleted now (open elsewhere on Windows) goes at a later rotation.
func (r *rotator) prune() {
	dir, base := filepath.Split(r.path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	entries, err := os.ReadDir(filepath.Clean(dir))
	if err != nil {
		return
	}
	var olds []string
	for _, e := range entries {
		n := e.Name()
		ts, ok := strings.CutPrefix(n, stem+"-")
		if !ok || !strings.HasSuffix(ts, ext) {
			continue
		}
		if _, err := time.Parse(backupTimeFormat, strings.TrimSuffix(ts, ext)); err == nil {
			olds = append(olds, n)
		}
	}
	sort.Strings(olds) // the timestamp format sorts by time
	for len(olds) > r.backups {
		_ = os.Remove(filepath.Join(dir, olds[0]))
		olds = olds[1:]
	}
}

// Close closes the active file.
func (r *rotator) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
