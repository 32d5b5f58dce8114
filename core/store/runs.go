package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run statuses.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunPartial   = "partial" // finished, but some items failed
	RunCancelled = "cancelled"
)

// Run is the record of one job run.
type Run struct {
	ID        uint64    `json:"id"`      // assigned by StartRun; increases with start time
	Job       string    `json:"job"`     // job name
	Trigger   string    `json:"trigger"` // what started it, e.g. "schedule", "manual", "webhook"
	Start     time.Time `json:"start,omitzero"`
	End       time.Time `json:"end,omitzero"`
	Status    string    `json:"status"` // one of the Run... constants
	Counts    Counts    `json:"counts"`
	Error     string    `json:"error,omitempty"`
	ObjectIDs []string  `json:"object_ids,omitempty"` // source objects the run was limited to, if any
}

// Counts tallies what a run did to items.
type Counts struct {
	Created   int `json:"created,omitempty"`
	Updated   int `json:"updated,omitempty"`
	Unchanged int `json:"unchanged,omitempty"`
	Skipped   int `json:"skipped,omitempty"`
	Failed    int `json:"failed,omitempty"`
	Deleted   int `json:"deleted,omitempty"`
	APICalls  int `json:"api_calls,omitempty"`
}

// StartRun stores r as a new run and returns its ID. Start defaults to now
// and Status to RunRunning; r.ID is ignored.
func (s *Store) StartRun(r Run) (uint64, error) {
	if r.Job == "" {
		return 0, fmt.Errorf("store: starting run: empty job")
	}
	if r.Start.IsZero() {
		r.Start = time.Now()
	}
	if r.Status == "" {
		r.Status = RunRunning
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		id, err := tx.Bucket(bucketRuns).NextSequence()
		if err != nil {
			return err
		}
		r.ID = id
		return putRun(tx, r)
	})
	if err != nil {
		return 0, fmt.Errorf("store: starting %s run: %w", r.Job, err)
	}
	return r.ID, nil
}

// FinishRun replaces the run r.ID with r. End defaults to now. It fails
// with ErrNotFound when no run has that ID (it may have been pruned).
func (s *Store) FinishRun(r Run) error {
	if r.End.IsZero() {
		r.End = time.Now()
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		var old Run
		found, err := getJSON(tx.Bucket(bucketRuns), itob(r.ID), &old)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if old.Job != r.Job {
			if err := tx.Bucket(bucketRunsByJob).Delete(idKey(old.Job, r.ID)); err != nil {
				return err
			}
		}
		return putRun(tx, r)
	})
	if err != nil {
		return fmt.Errorf("store: finishing run %d: %w", r.ID, err)
	}
	return nil
}

// Runs returns up to limit runs of job, newest first. An empty job means
// every job; limit <= 0 means no limit.
func (s *Store) Runs(job string, limit int) ([]Run, error) {
	var out []Run
	err := s.db.View(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bucketRuns)
		add := func(id []byte, v []byte) error {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decoding run %d: %w", btoi(id), err)
			}
			out = append(out, r)
			return nil
		}
		if job == "" {
			c := runs.Cursor()
			for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
				if err := add(k, v); err != nil {
					return err
				}
			}
			return nil
		}
		prefix := compositeKey(job, "")
		c := tx.Bucket(bucketRunsByJob).Cursor()
		for k := lastWithPrefix(c, prefix); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Prev() {
			if !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
				break
			}
			id := k[len(prefix):]
			if err := add(id, runs.Get(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing %q runs: %w", job, err)
	}
	return out, nil
}

// LastRun returns the newest run of job; ok is false when it never ran.
func (s *Store) LastRun(job string) (r Run, ok bool, err error) {
	runs, err := s.Runs(job, 1)
	if err != nil || len(runs) == 0 {
		return Run{}, false, err
	}
	return runs[0], true, nil
}

// putRun writes r and its job index entry.
func putRun(tx *bolt.Tx, r Run) error {
	if err := putJSON(tx.Bucket(bucketRuns), itob(r.ID), r); err != nil {
		return err
	}
	return tx.Bucket(bucketRunsByJob).Put(idKey(r.Job, r.ID), nil)
}

// deleteRun removes run id, whose stored record is r, and its index entry.
func deleteRun(tx *bolt.Tx, id uint64, r *Run) error {
	if err := tx.Bucket(bucketRuns).Delete(itob(id)); err != nil {
		return err
	}
	return tx.Bucket(bucketRunsByJob).Delete(idKey(r.Job, id))
}

// lastWithPrefix positions c on the last key that starts with prefix and
// returns it, or nil when there is none.
func lastWithPrefix(c *bolt.Cursor, prefix []byte) []byte {
	return lastBelow(c, prefix, append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
}

// lastBelow positions c on the last key that is below limit and starts with
// prefix and returns it, or nil when there is none.
func lastBelow(c *bolt.Cursor, prefix, limit []byte) []byte {
	k, _ := c.Seek(limit)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil
	}
	return k
}
