package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneBatchSize is how many records one prune transaction deletes at most.
// Small batches keep each write transaction short, so a running sync's
// writes slip in between them.
const pruneBatchSize = 1000

// PrunePolicy bounds how much history the store keeps.
type PrunePolicy struct {
	// MaxAge drops log records and runs older than this, and processed
	// webhook events received longer ago. Zero means 90 days; negative means
	// no age limit.
	MaxAge time.Duration
	// MaxRecords caps the log and, separately, the runs; the oldest go
	// first. Zero means 200,000; negative means no cap.
	MaxRecords int
}

// DefaultPrunePolicy keeps 90 days and at most 200,000 records.
func DefaultPrunePolicy() PrunePolicy {
	return PrunePolicy{MaxAge: 90 * 24 * time.Hour, MaxRecords: 200_000}
}

// PruneStats tells what Prune deleted.
type PruneStats struct {
	Log           int // log records deleted
	Runs          int // runs deleted
	WebhookEvents int // webhook events deleted
	Batches       int // write transactions that deleted something
}

// Prune deletes history that p no longer keeps, oldest first, in write
// transactions of at most 1,000 records each, so it never holds the writer
// lock for long. It stops between batches when ctx is done and returns what
// it deleted so far with ctx's error. Index entries go with their records.
func (s *Store) Prune(ctx context.Context, now time.Time, p PrunePolicy) (PruneStats, error) {
	def := DefaultPrunePolicy()
	if p.MaxAge == 0 {
		p.MaxAge = def.MaxAge
	}
	if p.MaxRecords == 0 {
		p.MaxRecords = def.MaxRecords
	}
	var cutoff time.Time // zero: no age limit
	if p.MaxAge > 0 {
		cutoff = now.Add(-p.MaxAge)
	}
	var st PruneStats
	if err := s.pruneBatches(ctx, &st, &st.Log, pruneLogStep(cutoff, p.MaxRecords)); err != nil {
		return st, fmt.Errorf("store: pruning log: %w", err)
	}
	if err := s.pruneBatches(ctx, &st, &st.Runs, pruneRunsStep(cutoff, p.MaxRecords)); err != nil {
		return st, fmt.Errorf("store: pruning runs: %w", err)
	}
	if cutoff.IsZero() {
		return st, nil
	}
	if err := s.pruneBatches(ctx, &st, &st.WebhookEvents, pruneWebhooksStep(cutoff)); err != nil {
		return st, fmt.Errorf("store: pruning webhook events: %w", err)
	}
	return st, nil
}

// pruneStep deletes up to pruneBatchSize records in tx and reports how many
// it deleted and whether more may remain.
type pruneStep func(tx *bolt.Tx) (deleted int, more bool, err error)

// pruneBatches runs step in successive write transactions until it reports
// nothing more or ctx is done, adding its deletions to *deleted.
func (s *Store) pruneBatches(ctx context.Context, st *PruneStats, deleted *int, step pruneStep) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		var more bool
		err := s.db.Update(func(tx *bolt.Tx) error {
			var err error
			n, more, err = step(tx)
			return err
		})
		if err != nil {
			return err
		}
		if n > 0 {
			*deleted += n
			st.Batches++
			if s.afterPruneBatch != nil {
				s.afterPruneBatch()
			}
		}
		if !more {
			return nil
		}
	}
}

// pruneLogStep deletes the oldest log records while they are older than
// cutoff (unless zero) or the log holds more than maxRecords (unless
// negative).
func pruneLogStep(cutoff time.Time, maxRecords int) pruneStep {
	return func(tx *bolt.Tx) (int, bool, error) {
		excess := 0
		if maxRecords >= 0 {
			excess = int(count(tx.Bucket(bucketLogCounts), keyLogCountAll)) - maxRecords
		}
		var victims []LogRecord
		c := tx.Bucket(bucketLog).Cursor()
		for k, v := c.First(); k != nil && len(victims) < pruneBatchSize; k, v = c.Next() {
			rec, err := decodeLog(k, v)
			if err != nil {
				return 0, false, err
			}
			rec.ID = btoi(k)
			if len(victims) >= excess && (cutoff.IsZero() || !rec.Time.Before(cutoff)) {
				break
			}
			victims = append(victims, rec)
		}
		for i := range victims {
			if err := deleteLog(tx, victims[i].ID, &victims[i]); err != nil {
				return 0, false, err
			}
		}
		return len(victims), len(victims) == pruneBatchSize, nil
	}
}

// pruneRunsStep deletes the oldest runs while they started before cutoff
// (unless zero) or there are more than maxRecords (unless negative).
func pruneRunsStep(cutoff time.Time, maxRecords int) pruneStep {
	return func(tx *bolt.Tx) (int, bool, error) {
		runs := tx.Bucket(bucketRuns)
		excess := 0
		if maxRecords >= 0 {
			excess = runs.Stats().KeyN - maxRecords
		}
		var victims []Run
		c := runs.Cursor()
		for k, v := c.First(); k != nil && len(victims) < pruneBatchSize; k, v = c.Next() {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return 0, false, fmt.Errorf("decoding run %d: %w", btoi(k), err)
			}
			r.ID = btoi(k)
			if len(victims) >= excess && (cutoff.IsZero() || !r.Start.Before(cutoff)) {
				break
			}
			victims = append(victims, r)
		}
		for i := range victims {
			if err := deleteRun(tx, victims[i].ID, &victims[i]); err != nil {
				return 0, false, err
			}
		}
		return len(victims), len(victims) == pruneBatchSize, nil
	}
}

// pruneWebhooksStep deletes processed webhook events received before
// cutoff, oldest first. Unprocessed events are kept whatever their age.
func pruneWebhooksStep(cutoff time.Time) pruneStep {
	var resume []byte // first key the next batch looks at
	return func(tx *bolt.Tx) (int, bool, error) {
		var victims []WebhookEvent
		c := tx.Bucket(bucketWebhookEvents).Cursor()
		k, v := c.Seek(resume)
		for ; k != nil && len(victims) < pruneBatchSize; k, v = c.Next() {
			e, err := decodeWebhookEvent(k, v)
			if err != nil {
				return 0, false, err
			}
			if !e.Received.Before(cutoff) {
				k = nil
				break
			}
			if e.Processed {
				e.ID = btoi(k)
				victims = append(victims, e)
			}
		}
		resume = bytes.Clone(k)
		for i := range victims {
			if err := deleteWebhookEvent(tx, &victims[i]); err != nil {
				return 0, false, err
			}
		}
		return len(victims), k != nil, nil
	}
}
