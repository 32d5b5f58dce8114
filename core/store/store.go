// Package store keeps Firmsync's local state in one bbolt file: platform
// connections, settings, run records, the per-item sync log, raw webhook
// events, the sync ledger and per-job watermarks.
//
// The file carries a schema version; Open upgrades older files in one
// transaction and refuses files written by a newer Firmsync. Every value is
// JSON, so the file stays readable with bbolt's own tools. Tokens and other
// secrets never belong here: they live in the OS keychain.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultLockTimeout is how long Open waits for another process to release
// the file when Options.LockTimeout is zero.
const DefaultLockTimeout = 500 * time.Millisecond

// fileMode is the permission of the database file: owner read and write only.
const fileMode os.FileMode = 0o600

var (
	// ErrLocked is returned by Open when another process (or another Store in
	// this process) holds the database file.
	ErrLocked = errors.New("database is locked by another process")
	// ErrSchemaTooNew is returned by Open when the file was written by a newer
	// Firmsync whose schema this build does not know.
	ErrSchemaTooNew = errors.New("database schema is newer than this version of Firmsync")
	// ErrNotFound is returned when a record addressed by ID or key does not exist.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate is returned by AddWebhookEvent when the platform already
	// delivered an event with the same delivery key.
	ErrDuplicate = errors.New("duplicate")
)

// Options configures Open.
type Options struct {
	// LockTimeout bounds the wait for the file lock held by another process.
	// Zero means DefaultLockTimeout.
	LockTimeout time.Duration
}

// Store is an open Firmsync state file. Its methods are safe for concurrent
// use; bbolt serialises writers and lets readers run alongside them.
type Store struct {
	db   guardedDB // bolt, with every transaction guarded (integrity.go)
	path string

	// afterPruneBatch, when set by a test, runs after each committed prune
	// batch, outside any transaction.
	afterPruneBatch func()
}

// Open opens or creates the state file at path with mode 0600, creating its
// directory with mode 0700 if needed, and migrates it to SchemaVersion.
// If another process holds the file, Open fails after opts.LockTimeout with an
// error wrapping ErrLocked. A damaged file is refused with a *DamagedError
// (wrapping ErrDamaged) and left as it is; see checkFile for what is checked.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: creating data directory: %w", err)
	}
	if err := checkFileUnless(path, opts.LockTimeout, true); err != nil {
		return nil, err
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, fileMode, &bolt.Options{Timeout: opts.LockTimeout})
		return err
	})
	if err != nil {
		return nil, openError(path, err, opts.LockTimeout)
	}
	// The umask may have widened nothing, but a file created by an older build
	// or copied in by hand might be group- or world-readable.
	if err := os.Chmod(path, fileMode); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: restricting permissions of %s: %w", path, err)
	}
	removeCleanStamp(path) // open for writing: only a clean Close stamps it again
	s := &Store{db: newGuardedDB(db, path), path: path}
	if err := s.db.Update(migrate); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: migrating %s: %w", path, err)
	}
	return s, nil
}

// Close releases the file and its lock. Calls after the first are no-ops.
func (s *Store) Close() error {
	var txid uint64
	if s.db.broken.Load() == nil {
		_ = s.db.View(func(tx *bolt.Tx) error { txid = uint64(tx.ID()); return nil })
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: closing %s: %w", s.path, err)
	}
	if txid != 0 && s.db.broken.Load() == nil {
		return writeCleanStamp(s.path, txid)
	}
	return nil
}

// Path returns the path of the state file.
func (s *Store) Path() string { return s.path }

// Bucket names. Each bucket is created by a migration in migrate.go.
var (
	bucketMeta          = []byte("meta")
	bucketConnections   = []byte("connections")
	bucketSettings      = []byte("settings")
	bucketRuns          = []byte("runs")
	bucketLog           = []byte("log")
	bucketWebhookEvents = []byte("webhook_events")
	bucketWebhookDedupe = []byte("webhook_dedupe")
	bucketLedger        = []byte("ledger")
	bucketWatermarks    = []byte("watermarks")

	// Added in schema 2.
	bucketLogByStatus   = []byte("log_by_status")
	bucketLogByJob      = []byte("log_by_job")
	bucketLogByPlatform = []byte("log_by_platform")
	bucketLogCounts     = []byte("log_counts")

	// Added in schema 3.
	bucketRunsByJob      = []byte("runs_by_job")
	bucketLedgerByState  = []byte("ledger_by_state")
	bucketWebhookPending = []byte("webhook_pending")
)

// sep separates the parts of composite keys. Names, statuses and platform
// keys never contain a NUL byte.
const sep = 0

// itob encodes an ID as 8 big-endian bytes, so byte order is numeric order.
func itob(id uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, id)
	return b
}

// btoi decodes an ID written by itob.
func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// compositeKey joins parts with sep: "a\x00b\x00c".
func compositeKey(parts ...string) []byte {
	n := len(parts)
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			k = append(k, sep)
		}
		k = append(k, p...)
	}
	return k
}

// idKey returns prefix followed by sep and the 8-byte ID.
func idKey(prefix string, id uint64) []byte {
	k := make([]byte, 0, len(prefix)+9)
	k = append(k, prefix...)
	k = append(k, sep)
	return binary.BigEndian.AppendUint64(k, id)
}

// putJSON encodes v and stores it under key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// getJSON decodes the value under key into v and reports whether it existed.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	return true, json.Unmarshal(data, v)
}
