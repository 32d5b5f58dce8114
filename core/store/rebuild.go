package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Suffixes of a state file moved aside by RebuildFile: a damaged file, or a
// healthy one the user asked to start over from.
const (
	DamagedSuffix = ".damaged-"
	OldSuffix     = ".old-"
)

// Rebuilt says what RebuildFile did.
type Rebuilt struct {
	// MovedTo is where the previous file now is ("" when there was none).
	MovedTo string
	// Damage is why the previous file was judged damaged (nil: it was not).
	Damage error
	// Salvaged counts the records copied from the previous file, per bucket.
	Salvaged map[string]int
	// Lost lists the buckets that could not be read from the previous file.
	Lost []string
}

// salvageBuckets are the records worth carrying into a fresh file: the
// platform connections (without them every platform would need signing in
// again; the tokens are in the keychain) and the settings. Everything else
// (ledger, watermarks, log, runs, webhook events) is rebuilt from the
// platforms by the next sync or is history that cannot be trusted from a
// damaged file.
var salvageBuckets = [][]byte{bucketConnections, bucketSettings}

// RebuildFile moves the state file at path aside, never deleting it, to
// path + DamagedSuffix (or OldSuffix for a healthy file) + the UTC time,
// creates a fresh file at path, and copies into it the connections and
// settings the old file still lets it read. It refuses while another
// process holds the file.
func RebuildFile(path string, now time.Time, opts Options) (Rebuilt, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	var res Rebuilt
	if _, err := os.Stat(path); err == nil {
		// checkFile fails with ErrLocked while another process has the file
		// open (bbolt locks before it reads anything); the lock taken
		// afterwards closes the gap until the rename. (Not both at once:
		// flock locks of one process on two descriptors conflict.)
		err := checkFile(path, opts.LockTimeout)
		if err != nil && !errors.Is(err, ErrDamaged) {
			return res, err
		}
		res.Damage = err
		suffix := OldSuffix
		if err != nil {
			suffix = DamagedSuffix
		}
		unlock, err := lockFile(path, opts.LockTimeout)
		if err != nil {
			return res, err
		}
		res.MovedTo, err = moveAside(path, suffix, now)
		unlock()
		if err != nil {
			return res, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("store: rebuilding %s: %w", path, err)
	}
	s, err := Open(path, opts)
	if err != nil {
		return res, fmt.Errorf("store: starting a fresh %s: %w", path, err)
	}
	defer s.Close()
	if res.MovedTo != "" {
		res.Salvaged, res.Lost = s.salvage(res.MovedTo, opts.LockTimeout)
	}
	return res, nil
}

// moveAside renames path to path+suffix+time without replacing anything
// already there: two rebuilds in one second get "-2", "-3".
func moveAside(path, suffix string, now time.Time) (string, error) {
	base := path + suffix + now.UTC().Format("20060102T150405Z")
	for i := 1; i < 100; i++ {
		to := base
		if i > 1 {
			to = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(to); err == nil {
			continue
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("store: moving %s aside: %w", path, err)
		}
		if err := os.Rename(path, to); err != nil {
			return "", fmt.Errorf("store: moving %s aside to %s: %w", path, to, err)
		}
		return to, nil
	}
	return "", fmt.Errorf("store: moving %s aside: %s and 98 others exist already", path, base)
}

// salvage copies the salvageBuckets from the file at from into s, each
// bucket on its own so a damaged one loses only itself. Values that are not
// JSON are left behind: they cannot be what Firmsync wrote.
func (s *Store) salvage(from string, lockTimeout time.Duration) (map[string]int, []string) {
	counts := map[string]int{}
	var lost []string
	var old *bolt.DB
	err := guard(from, func() (err error) {
		old, err = bolt.Open(from, fileMode, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
		return err
	})
	if err != nil {
		for _, b := range salvageBuckets {
			lost = append(lost, string(b))
		}
		return counts, lost
	}
	oldDB := newGuardedDB(old, from)
	defer oldDB.Close()
	for _, name := range salvageBuckets {
		var kvs [][2][]byte
		// guard, not oldDB.View: one unreadable bucket must not stop the
		// next from being tried.
		err := guard(from, func() error {
			return old.View(func(tx *bolt.Tx) error {
				b := tx.Bucket(name)
				if b == nil {
					return nil
				}
				return b.ForEach(func(k, v []byte) error {
					if v != nil && json.Valid(v) {
						kvs = append(kvs, [2][]byte{append([]byte(nil), k...), append([]byte(nil), v...)})
					}
					return nil
				})
			})
		})
		var de *DamagedError
		if errors.As(err, &de) {
			oldDB.broken.CompareAndSwap(nil, de) // Close must not wait on it
		}
		if err != nil {
			lost = append(lost, string(name))
			continue
		}
		err = s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(name)
			for _, kv := range kvs {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			lost = append(lost, string(name))
			continue
		}
		counts[string(name)] = len(kvs)
	}
	return counts, lost
}
