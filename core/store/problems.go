package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The log records what happened at each attempt; a person wants to know
// what is wrong now. A problem is one item (job + item key) that needs a
// person: it opens when an attempt parks the item as needs attention, later
// attempts (a retry, a duplicate webhook delivery, a schedule) update the
// same problem instead of adding to a count, and it closes when a later
// attempt for the item succeeds or is skipped on purpose, or when the user
// dismisses it. Problems are written in the same transaction as the log
// record that opens, updates or closes them, so the count can never
// disagree with the log.

// Problem states.
const (
	ProblemOpen      = "open"
	ProblemFixed     = "fixed"     // a later attempt succeeded
	ProblemDismissed = "dismissed" // the user said to leave it
)

// Problem is one item that needs (or needed) a person.
type Problem struct {
	Job   string `json:"job"`
	Key   string `json:"key"`   // the item key, e.g. "meeting:<uuid>"
	State string `json:"state"` // one of the Problem... constants

	// The latest attempt, as its log record said it: the problem keeps its
	// own copy so pruning old log records cannot empty the Activity tab.
	LogID      uint64            `json:"log_id"`
	RunID      uint64            `json:"run_id,omitempty"`
	Platform   string            `json:"platform,omitempty"`
	Action     string            `json:"action,omitempty"`
	Object     string            `json:"object,omitempty"`
	SourceID   string            `json:"source_id,omitempty"`
	ExternalID string            `json:"external_id,omitempty"`
	Status     string            `json:"status,omitempty"` // the latest record's status
	Message    string            `json:"message,omitempty"`
	Error      string            `json:"error,omitempty"`
	Details    map[string]string `json:"details,omitempty"`

	Opened   time.Time `json:"opened"`              // when it was first parked
	Updated  time.Time `json:"updated"`             // the latest attempt
	Closed   time.Time `json:"closed,omitzero"`     // when it was fixed or dismissed
	Attempts int       `json:"attempts"`            // failed attempts logged while open
	ClosedBy uint64    `json:"closed_by,omitempty"` // the log record that closed it, if any
}

// Record is the problem's latest attempt as a log record.
func (p Problem) Record() LogRecord {
	return LogRecord{
		ID: p.LogID, Time: p.Updated, RunID: p.RunID, Job: p.Job, Platform: p.Platform, Action: p.Action,
		Status: p.Status, Object: p.Object, SourceID: p.SourceID, ExternalID: p.ExternalID,
		Message: p.Message, Error: p.Error, Details: p.Details, ItemKey: p.Key,
	}
}

// Problem buckets. They are created, and filled from the log, the first
// time a transaction needs them (see ensureProblems): files written before
// problems existed hold needs-attention rows and no problems.
var (
	bucketProblems     = []byte("problems")      // job + sep + key → Problem
	bucketProblemsOpen = []byte("problems_open") // job + sep + key → nothing, for open problems only
)

// ensureProblems makes sure the problem buckets exist, deriving the open
// problems from the log when it creates them.
func (s *Store) ensureProblems() error {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketProblems) != nil && tx.Bucket(bucketProblemsOpen) != nil
		return nil
	})
	if err != nil || ok {
		return err
	}
	return s.db.Update(ensureProblemsTx)
}

// ensureProblemsTx creates the problem buckets inside tx if they are
// missing and derives the open problems from the latest outcome of each
// item in the log: an item whose newest records, back to its last success
// or skip, include a needs-attention record has an open problem.
func ensureProblemsTx(tx *bolt.Tx) error {
	if tx.Bucket(bucketProblems) != nil && tx.Bucket(bucketProblemsOpen) != nil {
		return nil
	}
	if err := createBuckets(tx, bucketProblems, bucketProblemsOpen); err != nil {
		return err
	}
	log := tx.Bucket(bucketLog)
	if log == nil {
		return nil
	}
	type item struct {
		latest  LogRecord
		decided bool
		open    bool
		opened  time.Time
		tries   int
	}
	items := map[string]*item{}
	c := log.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		rec, err := decodeLog(k, v)
		if err != nil {
			return err
		}
		if rec.Job == "" || rec.ItemKey == "" {
			continue
		}
		id := string(compositeKey(rec.Job, rec.ItemKey))
		it := items[id]
		if it == nil {
			it = &item{latest: rec}
			items[id] = it
		}
		if it.decided {
			continue
		}
		switch rec.Status {
		case LogSuccess, LogSkipped:
			it.decided = true
		case LogNeedsAttention:
			it.open = true
			it.opened = rec.Time
			it.tries++
		case LogFailed:
			it.tries++ // counted only if a parked record comes before the last success
		}
	}
	for _, it := range items {
		if !it.open {
			continue
		}
		p := Problem{Job: it.latest.Job, Key: it.latest.ItemKey, State: ProblemOpen, Opened: it.opened, Attempts: it.tries}
		p.fill(&it.latest)
		if err := putProblem(tx, &p); err != nil {
			return err
		}
	}
	return nil
}

// fill copies the attempt rec into p.
func (p *Problem) fill(rec *LogRecord) {
	p.LogID, p.RunID, p.Platform, p.Action = rec.ID, rec.RunID, rec.Platform, rec.Action
	p.Object, p.SourceID, p.ExternalID, p.Status = rec.Object, rec.SourceID, rec.ExternalID, rec.Status
	p.Message, p.Error, p.Details, p.Updated = rec.Message, rec.Error, rec.Details, rec.Time
}

// putProblem stores p and keeps the open index in step.
func putProblem(tx *bolt.Tx, p *Problem) error {
	key := compositeKey(p.Job, p.Key)
	if err := putJSON(tx.Bucket(bucketProblems), key, p); err != nil {
		return err
	}
	if p.State == ProblemOpen {
		return tx.Bucket(bucketProblemsOpen).Put(key, nil)
	}
	return tx.Bucket(bucketProblemsOpen).Delete(key)
}

// trackProblem applies the log record rec, just stored with its ID, to its
// item's problem. The caller has run ensureProblemsTx in tx.
func trackProblem(tx *bolt.Tx, rec *LogRecord) error {
	if rec.Job == "" || rec.ItemKey == "" {
		return nil
	}
	var p Problem
	found, err := getJSON(tx.Bucket(bucketProblems), compositeKey(rec.Job, rec.ItemKey), &p)
	if err != nil {
		return fmt.Errorf("reading the problem of %s %s: %w", rec.Job, rec.ItemKey, err)
	}
	open := found && p.State == ProblemOpen
	switch rec.Status {
	case LogNeedsAttention:
		if !open {
			p = Problem{Job: rec.Job, Key: rec.ItemKey, State: ProblemOpen, Opened: rec.Time}
		}
	case LogFailed:
		if !open {
			return nil // failed but retried on its own: not a person's problem yet
		}
	case LogSuccess, LogSkipped:
		if !open {
			return nil
		}
		p.State, p.Closed, p.ClosedBy = ProblemFixed, rec.Time, rec.ID
		return putProblem(tx, &p)
	default:
		return nil
	}
	p.fill(rec)
	p.Attempts++
	return putProblem(tx, &p)
}

// CountProblems returns the number of open problems. It reads only keys.
func (s *Store) CountProblems() (int, error) {
	if err := s.ensureProblems(); err != nil {
		return 0, fmt.Errorf("store: counting problems: %w", err)
	}
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketProblemsOpen).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: counting problems: %w", err)
	}
	return n, nil
}

// OpenProblems returns the open problems of job (all jobs when job is ""),
// the most recently attempted first.
func (s *Store) OpenProblems(job string) ([]Problem, error) {
	if err := s.ensureProblems(); err != nil {
		return nil, fmt.Errorf("store: listing problems: %w", err)
	}
	var out []Problem
	err := s.db.View(func(tx *bolt.Tx) error {
		all := tx.Bucket(bucketProblems)
		c := tx.Bucket(bucketProblemsOpen).Cursor()
		var prefix []byte
		k, _ := c.First()
		if job != "" {
			prefix = compositeKey(job, "")
			k, _ = c.Seek(prefix)
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var p Problem
			if err := json.Unmarshal(all.Get(k), &p); err != nil {
				return fmt.Errorf("decoding problem %q: %w", k, err)
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing problems: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LogID > out[j].LogID })
	return out, nil
}

// ProblemOf returns the problem (open or closed) of job's item key.
func (s *Store) ProblemOf(job, key string) (p Problem, found bool, err error) {
	if err := s.ensureProblems(); err != nil {
		return Problem{}, false, fmt.Errorf("store: reading problem %s %s: %w", job, key, err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		found, err = getJSON(tx.Bucket(bucketProblems), compositeKey(job, key), &p)
		return err
	})
	if err != nil {
		return Problem{}, false, fmt.Errorf("store: reading problem %s %s: %w", job, key, err)
	}
	return p, found, nil
}

// CloseProblem closes job's open problem for key as state (ProblemFixed or
// ProblemDismissed) and, when note is not nil, appends note to the log in
// the same transaction (after closing, so note itself never reopens or
// re-closes anything). It reports whether there was an open problem; when
// there was none nothing is written.
func (s *Store) CloseProblem(job, key, state string, note *LogRecord) (bool, error) {
	if state != ProblemFixed && state != ProblemDismissed {
		return false, fmt.Errorf("store: closing problem %s %s: bad state %q", job, key, state)
	}
	if err := s.ensureProblems(); err != nil {
		return false, fmt.Errorf("store: closing problem %s %s: %w", job, key, err)
	}
	var closed bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		var p Problem
		found, err := getJSON(tx.Bucket(bucketProblems), compositeKey(job, key), &p)
		if err != nil || !found || p.State != ProblemOpen {
			return err
		}
		closed = true
		p.State, p.Closed, p.ClosedBy = state, time.Now(), 0
		if note != nil && !note.Time.IsZero() {
			p.Closed = note.Time
		}
		if err := putProblem(tx, &p); err != nil {
			return err
		}
		if note == nil {
			return nil
		}
		rec := *note
		rec.Time = p.Closed
		id, err := appendLogTx(tx, &rec)
		if err != nil {
			return err
		}
		p.ClosedBy = id
		return putProblem(tx, &p)
	})
	if err != nil {
		return false, fmt.Errorf("store: closing problem %s %s: %w", job, key, err)
	}
	return closed, nil
}
