package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// A damaged bbolt file does not fail politely: bbolt panics on a page it
// cannot make sense of ("invalid freelist page", "Page expected to be"),
// and a page number past the end of a truncated file faults the process.
// Firmsync therefore checks the file before opening it for writing, and
// runs every transaction under guard, which turns a panic or a fault into
// an error wrapping ErrDamaged. A damaged file is never changed or
// deleted: Open refuses it, and RebuildFile (firmsync rebuild) moves it
// aside.

// ErrDamaged is wrapped by the errors of Open and of every read or write
// that found the database file damaged.
var ErrDamaged = errors.New("database file is damaged")

// DamagedError says the state file at Path is damaged, and what to do.
type DamagedError struct {
	Path  string
	Cause error
}

func (e *DamagedError) Error() string {
	dir := filepath.Dir(e.Path)
	return fmt.Sprintf("%s in %s is damaged (%v); Firmsync has not changed it. "+
		"Run `firmsync rebuild --data %s` to move it aside (it is kept, never deleted) and rebuild the state from the platforms, "+
		"or put back a copy from a backup", filepath.Base(e.Path), dir, e.Cause, dir)
}

// Unwrap lets errors.Is find ErrDamaged and the cause.
func (e *DamagedError) Unwrap() []error { return []error{ErrDamaged, e.Cause} }

// guardedDB is the bolt handle every Store method uses. Its View and Update
// shadow bolt's so that the methods in the other files of this package get
// the damage guard without knowing about it.
type guardedDB struct {
	*bolt.DB
	path string
	// broken holds the first damage a transaction met. From then on every
	// transaction fails at once with it: a panic can strike inside bolt's
	// own rollback, leaving its writer lock or its map lock held, and the
	// next transaction would wait for it forever.
	broken *atomic.Pointer[DamagedError]
}

func newGuardedDB(db *bolt.DB, path string) guardedDB {
	return guardedDB{DB: db, path: path, broken: new(atomic.Pointer[DamagedError])}
}

// View runs fn in a read transaction under guard.
func (g guardedDB) View(fn func(*bolt.Tx) error) error {
	return g.run(func() error { return g.DB.View(fn) })
}

// Update runs fn in a write transaction under guard.
func (g guardedDB) Update(fn func(*bolt.Tx) error) error {
	return g.run(func() error { return g.DB.Update(fn) })
}

func (g guardedDB) run(fn func() error) error {
	if de := g.broken.Load(); de != nil {
		return de
	}
	err := guard(g.path, fn)
	var de *DamagedError
	if errors.As(err, &de) {
		g.broken.CompareAndSwap(nil, de)
	}
	return err
}

// closeTimeout bounds Close of a file a transaction found damaged.
const closeTimeout = 2 * time.Second

// Close closes the file. After damage bolt's locks may be held by a
// transaction that panicked, and bolt's Close waits for them: it is then
// given closeTimeout, after which the file stays open (and locked) until
// the process exits, and Close says so instead of hanging.
func (g guardedDB) Close() error {
	de := g.broken.Load()
	if de == nil {
		return g.DB.Close()
	}
	done := make(chan error, 1)
	go func() { done <- guard(g.path, g.DB.Close) }()
	select {
	case err := <-done:
		return err
	case <-time.After(closeTimeout):
		return fmt.Errorf("%s stays open until Firmsync exits: a transaction that met the damage did not finish: %w", g.path, de)
	}
}

// guard runs fn, turning a panic or a memory fault (a page number past the
// end of a truncated, memory-mapped file) into a DamagedError for path.
func guard(path string, fn func() error) (err error) {
	// Faults on the mmap become panics only in this goroutine, and only
	// while fn runs.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = &DamagedError{Path: path, Cause: fmt.Errorf("reading it failed: %v", p)}
		}
	}()
	return fn()
}

// On-disk layout of a bbolt file that the structural check reads directly
// (bbolt keeps it stable across versions; see its internal/common): every
// page starts with a 16-byte header (id uint64, flags uint16, count uint16,
// overflow uint32) and the meta pages 0 and 1 hold, after that header,
// magic, version, page size, flags (uint32 each), the root bucket (root
// pgid, sequence), the freelist pgid, the high-water pgid and the txid, in
// the machine's byte order.
const (
	pageHeaderSize   = 16
	metaMagic        = 0xED0CDAED
	metaFreelistOff  = pageHeaderSize + 32
	metaPgidOff      = pageHeaderSize + 40
	metaTxidOff      = pageHeaderSize + 48
	freelistPageFlag = 0x10
	noFreelist       = ^uint64(0)
)

// checkFile checks the file at path without opening it for writing: bbolt
// loads the freelist when it opens a file for writing and panics on a bad
// one, leaving the file open and locked, so the file is first opened
// read-only (shared lock, no freelist) and checked:
//
//   - the file holds every page up to the high-water mark;
//   - the freelist page is a freelist page and lists only pages that exist,
//     each once;
//   - every key and value of every bucket can be read;
//   - bbolt's tx.Check finds no inconsistency.
//
// On a 200,000-record file this costs about 76 ms in all
// (BenchmarkOpenCheck, 2 shared cores); Open skips the last two steps for
// a file Firmsync closed cleanly and nothing changed since (0.5 ms; see
// cleanclose.go), so a CLI command stays near 17 ms.
//
// A missing or empty file passes (Open creates it). Errors wrap ErrLocked
// when another process holds the file, ErrDamaged when it is damaged.
func checkFile(path string, lockTimeout time.Duration) error {
	return checkFileUnless(path, lockTimeout, false)
}

// checkFileUnless is checkFile, except that with trustStamp a file whose
// clean-close stamp (cleanclose.go) still matches gets only the structural
// check of checkLayout.
func checkFileUnless(path string, lockTimeout time.Duration, trustStamp bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && fi.Size() == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: checking %s: %w", path, err)
	}
	var db *bolt.DB
	err = guard(path, func() (err error) {
		db, err = bolt.Open(path, fileMode, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
		return err
	})
	if err != nil {
		return openError(path, err, lockTimeout)
	}
	g := newGuardedDB(db, path)
	defer g.Close()
	return g.View(func(tx *bolt.Tx) error {
		if err := checkLayout(path, fi.Size(), db.Info().PageSize, tx); err != nil {
			return &DamagedError{Path: path, Cause: err}
		}
		if trustStamp {
			if st, ok := readCleanStamp(path, fi); ok && st.TxID == uint64(tx.ID()) {
				return nil // closed cleanly by Firmsync and untouched since
			}
		}
		if err := walk(tx); err != nil {
			return &DamagedError{Path: path, Cause: err}
		}
		// bbolt's own check finds what reading cannot: a page both in
		// use and free (the next write would overwrite live records),
		// pages lost to no one, keys out of order. It runs in its own
		// goroutine, outside guard's fault handling, which is why walk
		// has touched every page it will read first.
		// Drain the channel: the checker must be done with the mapped
		// file before the transaction ends and the file is closed.
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return &DamagedError{Path: path, Cause: first}
		}
		return nil
	})
}

// openError classifies an error of bolt.Open.
func openError(path string, err error, lockTimeout time.Duration) error {
	var de *DamagedError
	switch {
	case errors.As(err, &de):
		return err
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("store: opening %s: %w (waited %s)", path, ErrLocked, lockTimeout)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum),
		errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrInvalidMapping):
		return &DamagedError{Path: path, Cause: err}
	}
	// A file shorter than two pages gets an unexported error from bbolt's
	// mmap; a file that is there but cannot be mapped is damaged too.
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Size() > 0 && fi.Size() < 2*4096 {
		return &DamagedError{Path: path, Cause: err}
	}
	return fmt.Errorf("store: opening %s: %w", path, err)
}

// checkLayout checks the high-water mark against the file size and the
// freelist, reading the meta page of tx's transaction from the file.
func checkLayout(path string, size int64, pageSize int, tx *bolt.Tx) error {
	if tx.Size() > size {
		return fmt.Errorf("the file is %d bytes but its pages reach %d bytes: it was cut short", size, tx.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading the meta pages: %w", err)
	}
	defer f.Close()
	order := binary.NativeEndian
	hwm := uint64(tx.Size()) / uint64(pageSize)
	var freelist uint64
	found := false
	for i := range 2 {
		buf := make([]byte, metaTxidOff+8)
		if _, err := f.ReadAt(buf, int64(i*pageSize)); err != nil {
			continue
		}
		if order.Uint32(buf[pageHeaderSize:]) != metaMagic || order.Uint64(buf[metaTxidOff:]) != uint64(tx.ID()) ||
			order.Uint64(buf[metaPgidOff:]) != hwm {
			continue
		}
		freelist, found = order.Uint64(buf[metaFreelistOff:]), true
		break
	}
	if !found {
		return errors.New("neither meta page matches the last transaction")
	}
	if freelist == noFreelist {
		return nil
	}
	if freelist < 2 || freelist >= hwm {
		return fmt.Errorf("the freelist is said to be page %d, outside the file's %d pages", freelist, hwm)
	}
	hdr := make([]byte, pageHeaderSize+8)
	if _, err := f.ReadAt(hdr, int64(freelist)*int64(pageSize)); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the freelist page %d: %w", freelist, err)
	}
	if id, flags := order.Uint64(hdr), order.Uint16(hdr[8:]); id != freelist || flags != freelistPageFlag {
		return fmt.Errorf("invalid freelist page %d (it says it is page %d with flags %#x)", freelist, id, flags)
	}
	count, start := uint64(order.Uint16(hdr[10:])), int64(pageHeaderSize)
	if count == 0xFFFF { // the real count is the first element
		count, start = order.Uint64(hdr[pageHeaderSize:]), pageHeaderSize+8
	}
	overflow := uint64(order.Uint32(hdr[12:]))
	if freelist+overflow >= hwm || uint64(start)+count*8 > (overflow+1)*uint64(pageSize) {
		return fmt.Errorf("the freelist page %d lists %d pages, more than it can hold", freelist, count)
	}
	ids := make([]byte, count*8)
	if _, err := f.ReadAt(ids, int64(freelist)*int64(pageSize)+start); err != nil {
		return fmt.Errorf("reading the freelist: %w", err)
	}
	seen := make(map[uint64]bool, count)
	for i := range count {
		id := order.Uint64(ids[i*8:])
		if id < 2 || id >= hwm || seen[id] || id >= freelist && id <= freelist+overflow {
			return fmt.Errorf("the freelist lists page %d, which cannot be free", id)
		}
		seen[id] = true
	}
	return nil
}

// walk reads every key and value of every bucket, nested ones included, so
// that a damaged page is met here and not in the middle of a sync.
func walk(tx *bolt.Tx) error {
	var touched byte
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		if err := walkBucket(b, 0, &touched); err != nil {
			return fmt.Errorf("bucket %q: %w", name, err)
		}
		return nil
	})
	_ = touched
	return err
}

// maxBucketDepth bounds the walk: Firmsync nests no buckets, so a deeper
// chain can only be a damaged page pointing back at its parent.
const maxBucketDepth = 8

// walkBucket reads b. Keys and values are slices of the mapped file that
// bolt hands out without reading them; touching their first and last
// bytes makes a slice that points past the file fault here.
func walkBucket(b *bolt.Bucket, depth int, touched *byte) error {
	if depth > maxBucketDepth {
		return errors.New("buckets nested deeper than Firmsync ever writes")
	}
	return b.ForEach(func(k, v []byte) error {
		if len(k) > 0 {
			*touched ^= k[0] ^ k[len(k)-1]
		}
		if len(v) > 0 {
			*touched ^= v[0] ^ v[len(v)-1]
		}
		if v == nil {
			if child := b.Bucket(k); child != nil {
				return walkBucket(child, depth+1, touched)
			}
		}
		return nil
	})
}
