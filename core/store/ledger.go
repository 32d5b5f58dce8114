package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Ledger states.
const (
	LedgerIntent = "intent" // a write to the target is about to happen or happened unconfirmed
	LedgerDone   = "done"   // the target holds the source object as fingerprinted
	LedgerParked = "parked" // failed too often; waits for a person or NextAttempt
)

// LedgerEntry maps one source object to its target object for a job, and
// records an open intent so that a crash between "create" and "remember the
// new ID" cannot create a duplicate.
type LedgerEntry struct {
	Job         string            `json:"job"`
	Key         string            `json:"key"`                 // source object key, e.g. "matter:123"
	TargetID    string            `json:"target_id,omitempty"` // the object on the target platform
	Fingerprint string            `json:"fingerprint,omitempty"`
	State       string            `json:"state"` // one of the Ledger... constants
	IntentAt    time.Time         `json:"intent_at,omitzero"`
	DoneAt      time.Time         `json:"done_at,omitzero"`
	Attempts    int               `json:"attempts,omitempty"`
	NextAttempt time.Time         `json:"next_attempt,omitzero"`
	LastError   string            `json:"last_error,omitempty"`
	Extra       map[string]string `json:"extra,omitempty"`
}

// Ledger returns the entry for key in job; found is false when there is none.
func (s *Store) Ledger(job, key string) (e LedgerEntry, found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		found, err = getJSON(tx.Bucket(bucketLedger), compositeKey(job, key), &e)
		return err
	})
	if err != nil {
		return LedgerEntry{}, false, fmt.Errorf("store: reading ledger %s %s: %w", job, key, err)
	}
	return e, found, nil
}

// PutLedger stores e under e.Job and e.Key, replacing any earlier entry.
func (s *Store) PutLedger(e LedgerEntry) error {
	if e.Job == "" || e.Key == "" {
		return fmt.Errorf("store: saving ledger entry: empty job or key")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		var old LedgerEntry
		found, err := getJSON(tx.Bucket(bucketLedger), compositeKey(e.Job, e.Key), &old)
		if err != nil {
			return err
		}
		return putLedger(tx, &e, &old, found)
	})
	if err != nil {
		return fmt.Errorf("store: saving ledger %s %s: %w", e.Job, e.Key, err)
	}
	return nil
}

// UpdateLedger passes the entry for key in job to fn and stores the result,
// in one transaction. When there is no entry, fn gets one with only Job and
// Key set and found false. fn cannot change Job or Key. If fn returns an
// error nothing is written and the error is returned wrapped.
func (s *Store) UpdateLedger(job, key string, fn func(e *LedgerEntry, found bool) error) error {
	if job == "" || key == "" {
		return fmt.Errorf("store: updating ledger entry: empty job or key")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		var old LedgerEntry
		found, err := getJSON(tx.Bucket(bucketLedger), compositeKey(job, key), &old)
		if err != nil {
			return err
		}
		e := old
		if !found {
			e = LedgerEntry{}
		}
		e.Job, e.Key = job, key
		if err := fn(&e, found); err != nil {
			return err
		}
		e.Job, e.Key = job, key
		return putLedger(tx, &e, &old, found)
	})
	if err != nil {
		return fmt.Errorf("store: updating ledger %s %s: %w", job, key, err)
	}
	return nil
}

// DeleteLedger removes the entry for key in job; a missing entry is not an
// error.
func (s *Store) DeleteLedger(job, key string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLedger)
		var old LedgerEntry
		found, err := getJSON(b, compositeKey(job, key), &old)
		if err != nil || !found {
			return err
		}
		if err := tx.Bucket(bucketLedgerByState).Delete(ledgerStateKey(old.Job, old.State, old.Key)); err != nil {
			return err
		}
		return b.Delete(compositeKey(job, key))
	})
	if err != nil {
		return fmt.Errorf("store: deleting ledger %s %s: %w", job, key, err)
	}
	return nil
}

// LedgerEntries returns the entries of job in state, ordered by key. An
// empty job means every job and an empty state every state. A state filter
// reads only the matching entries, so listing open intents stays cheap.
func (s *Store) LedgerEntries(job, state string) ([]LedgerEntry, error) {
	var out []LedgerEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		ledger := tx.Bucket(bucketLedger)
		add := func(k, v []byte) error {
			var e LedgerEntry
			if v == nil {
				return fmt.Errorf("ledger entry %q is indexed but missing", k)
			}
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decoding ledger entry %q: %w", k, err)
			}
			out = append(out, e)
			return nil
		}
		if state == "" {
			var prefix []byte
			if job != "" {
				prefix = compositeKey(job, "")
			}
			c := ledger.Cursor()
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				if err := add(k, v); err != nil {
					return err
				}
			}
			return nil
		}
		var prefix []byte
		if job != "" {
			prefix = compositeKey(job, state, "")
		}
		c := tx.Bucket(bucketLedgerByState).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			parts := bytes.SplitN(k, []byte{sep}, 3)
			if len(parts) != 3 || string(parts[1]) != state {
				continue
			}
			lk := compositeKey(string(parts[0]), string(parts[2]))
			if err := add(lk, ledger.Get(lk)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing ledger %q %q: %w", job, state, err)
	}
	return out, nil
}

// putLedger writes e and moves its state index entry from old's, if found.
func putLedger(tx *bolt.Tx, e, old *LedgerEntry, found bool) error {
	byState := tx.Bucket(bucketLedgerByState)
	if found {
		if err := byState.Delete(ledgerStateKey(old.Job, old.State, old.Key)); err != nil {
			return err
		}
	}
	if err := putJSON(tx.Bucket(bucketLedger), compositeKey(e.Job, e.Key), e); err != nil {
		return err
	}
	return byState.Put(ledgerStateKey(e.Job, e.State, e.Key), nil)
}

// ledgerStateKey is the ledger_by_state key: job + sep + state + sep + key.
func ledgerStateKey(job, state, key string) []byte { return compositeKey(job, state, key) }
