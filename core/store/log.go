package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Log record statuses.
const (
	LogPending        = "pending"
	LogSuccess        = "success"
	LogFailed         = "failed"
	LogSkipped        = "skipped"
	LogNeedsAttention = "needs_attention" // needs a person: a conflict, a missing mapping
)

// LogRecord is one action on one item during a sync.
type LogRecord struct {
	ID         uint64            `json:"id"` // assigned by AppendLog; increases with time
	Time       time.Time         `json:"time"`
	RunID      uint64            `json:"run_id,omitempty"`
	Job        string            `json:"job,omitempty"`
	Platform   string            `json:"platform,omitempty"` // platform acted on
	Action     string            `json:"action,omitempty"`   // e.g. "create", "update", "upload"
	Status     string            `json:"status,omitempty"`   // one of the Log... constants
	Object     string            `json:"object,omitempty"`   // human label, e.g. "Matter 00123 Smith v Jones"
	SourceID   string            `json:"source_id,omitempty"`
	ExternalID string            `json:"external_id,omitempty"`
	Message    string            `json:"message,omitempty"`
	Error      string            `json:"error,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
	ItemKey    string            `json:"item_key,omitempty"` // stable key of the item, for retry
}

// logIndex describes one secondary index of the log: keys are
// value + sep + 8-byte ID with empty values, and log_counts holds
// name + sep + value → number of records.
type logIndex struct {
	name   string
	bucket []byte
	field  func(*LogRecord) string
}

// logIndexes lists the log's indexes. Empty field values are not indexed.
var logIndexes = [...]logIndex{
	{"status", bucketLogByStatus, func(r *LogRecord) string { return r.Status }},
	{"job", bucketLogByJob, func(r *LogRecord) string { return r.Job }},
	{"platform", bucketLogByPlatform, func(r *LogRecord) string { return r.Platform }},
}

// keyLogCountAll is the log_counts key holding the number of log records.
var keyLogCountAll = []byte("all")

// AppendLog stores recs in one transaction and returns their IDs, in order.
// IDs come from the bucket sequence, so they grow with time; a zero Time is
// set to now. Records should be appended in time order: LogQuery's Since
// and Until rely on it.
func (s *Store) AppendLog(recs ...LogRecord) ([]uint64, error) {
	ids := make([]uint64, len(recs))
	now := time.Now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := range recs {
			rec := recs[i]
			if rec.Time.IsZero() {
				rec.Time = now
			}
			id, err := appendLogTx(tx, &rec)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: appending %d log records: %w", len(recs), err)
	}
	return ids, nil
}

// appendLogTx stores rec (whose Time is set) under the next ID, indexes
// it and applies it to its item's problem, all inside tx, so the
// needs-attention count moves with the log. It sets rec.ID.
func appendLogTx(tx *bolt.Tx, rec *LogRecord) (uint64, error) {
	if err := ensureProblemsTx(tx); err != nil {
		return 0, err
	}
	b := tx.Bucket(bucketLog)
	id, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	rec.ID = id
	if err := putJSON(b, itob(id), rec); err != nil {
		return 0, err
	}
	if err := indexLog(tx, id, rec); err != nil {
		return 0, err
	}
	if err := trackProblem(tx, rec); err != nil {
		return 0, err
	}
	return id, nil
}

// UpdateLog passes the record id to fn and stores the result, in one
// transaction; fn cannot change the ID. It fails with ErrNotFound when the
// record does not exist.
func (s *Store) UpdateLog(id uint64, fn func(*LogRecord)) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLog)
		var rec LogRecord
		found, err := getJSON(b, itob(id), &rec)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if err := unindexLog(tx, id, &rec); err != nil {
			return err
		}
		fn(&rec)
		rec.ID = id
		if err := putJSON(b, itob(id), &rec); err != nil {
			return err
		}
		return indexLog(tx, id, &rec)
	})
	if err != nil {
		return fmt.Errorf("store: updating log record %d: %w", id, err)
	}
	return nil
}

// LogRecordByID returns the record id, or an error wrapping ErrNotFound.
func (s *Store) LogRecordByID(id uint64) (LogRecord, error) {
	var rec LogRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bucketLog), itob(id), &rec)
		if err == nil && !found {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return LogRecord{}, fmt.Errorf("store: reading log record %d: %w", id, err)
	}
	return rec, nil
}

// indexLog adds the index entries and counts of record id.
func indexLog(tx *bolt.Tx, id uint64, rec *LogRecord) error {
	counts := tx.Bucket(bucketLogCounts)
	for _, ix := range logIndexes {
		v := ix.field(rec)
		if v == "" {
			continue
		}
		if err := tx.Bucket(ix.bucket).Put(idKey(v, id), nil); err != nil {
			return err
		}
		if err := addCount(counts, compositeKey(ix.name, v), 1); err != nil {
			return err
		}
	}
	return addCount(counts, keyLogCountAll, 1)
}

// unindexLog removes the index entries and counts of record id.
func unindexLog(tx *bolt.Tx, id uint64, rec *LogRecord) error {
	counts := tx.Bucket(bucketLogCounts)
	for _, ix := range logIndexes {
		v := ix.field(rec)
		if v == "" {
			continue
		}
		if err := tx.Bucket(ix.bucket).Delete(idKey(v, id)); err != nil {
			return err
		}
		if err := addCount(counts, compositeKey(ix.name, v), -1); err != nil {
			return err
		}
	}
	return addCount(counts, keyLogCountAll, -1)
}

// deleteLog removes record id, whose stored value is rec, with its index
// entries.
func deleteLog(tx *bolt.Tx, id uint64, rec *LogRecord) error {
	if err := tx.Bucket(bucketLog).Delete(itob(id)); err != nil {
		return err
	}
	return unindexLog(tx, id, rec)
}

// addCount adds delta to the counter at key, deleting it when it reaches 0.
func addCount(b *bolt.Bucket, key []byte, delta int64) error {
	n := int64(count(b, key)) + delta
	if n <= 0 {
		return b.Delete(key)
	}
	return b.Put(key, binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// count reads the counter at key; a missing counter is 0.
func count(b *bolt.Bucket, key []byte) uint64 {
	v := b.Get(key)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// decodeLog decodes a stored log record.
func decodeLog(k, v []byte) (LogRecord, error) {
	var rec LogRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("decoding log record %d: %w", btoi(k), err)
	}
	return rec, nil
}
