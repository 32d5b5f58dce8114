package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// LogQuery selects log records. Zero fields do not filter.
type LogQuery struct {
	Job      string    // exact job name
	Platform string    // exact platform
	Status   string    // exact status, one of the Log... constants
	Text     string    // case-insensitive substring of Object, Message, Error, SourceID, ExternalID or ItemKey
	Since    time.Time // records at or after this time
	Until    time.Time // records at or before this time
	BeforeID uint64    // paging: only records with a smaller ID
	Limit    int       // most records QueryLog returns; <= 0 means all
}

// QueryLog returns the records matching q, newest first. Job, Platform and
// Status are answered from indexes and Since and Until by binary search over
// the time-ordered IDs, so those cost little however long the log is; Text
// scans the candidates from the newest and stops at q.Limit.
func (s *Store) QueryLog(q LogQuery) ([]LogRecord, error) {
	var out []LogRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := planLog(tx, q)
		if err != nil {
			return err
		}
		return p.walk(true, func(id uint64, raw []byte) (bool, error) {
			rec, err := decodeLog(itob(id), raw)
			if err != nil {
				return false, err
			}
			if p.text != "" && !matchText(&rec, p.text) {
				return true, nil
			}
			out = append(out, rec)
			return q.Limit <= 0 || len(out) < q.Limit, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: querying log: %w", err)
	}
	return out, nil
}

// CountLog returns the exact number of records matching q, ignoring
// q.Limit. Without Text it reads only keys (or a stored counter, when at most
// one of Job, Platform and Status is set and no range is); with Text it
// decodes the candidates.
func (s *Store) CountLog(q LogQuery) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := planLog(tx, q)
		if err != nil {
			return err
		}
		if p.text == "" && p.lo == 0 && p.hi == math.MaxUint64 && len(p.others) == 0 {
			if p.driver == nil {
				n = int(count(tx.Bucket(bucketLogCounts), keyLogCountAll))
			} else {
				n = int(p.driver.n)
			}
			return nil
		}
		return p.walk(p.text != "", func(id uint64, raw []byte) (bool, error) {
			if p.text != "" {
				rec, err := decodeLog(itob(id), raw)
				if err != nil {
					return false, err
				}
				if !matchText(&rec, p.text) {
					return true, nil
				}
			}
			n++
			return true, nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: counting log: %w", err)
	}
	return n, nil
}

// logPlan is how one LogQuery is answered inside one read transaction.
type logPlan struct {
	log     *bolt.Bucket
	lo, hi  uint64         // candidate IDs are in [lo, hi)
	driver  *indexFilter   // the most selective index, walked; nil walks the log itself
	others  []*indexFilter // further indexes each candidate must be in
	text    string         // lower-cased LogQuery.Text
	rawText []byte         // text as it appears inside lower-cased JSON; nil if it may be escaped there
	buf     []byte         // scratch space for lower-casing records
}

// indexFilter is one "field == value" condition answered by an index.
type indexFilter struct {
	b      *bolt.Bucket
	prefix []byte // value + sep
	n      uint64 // records with the value
}

// planLog turns q into a plan.
func planLog(tx *bolt.Tx, q LogQuery) (*logPlan, error) {
	p := &logPlan{log: tx.Bucket(bucketLog), hi: math.MaxUint64}
	if q.BeforeID > 0 {
		p.hi = q.BeforeID
	}
	if !q.Since.IsZero() {
		lo, err := firstLogID(p.log, func(t time.Time) bool { return !t.Before(q.Since) })
		if err != nil {
			return nil, err
		}
		p.lo = lo
	}
	if !q.Until.IsZero() {
		hi, err := firstLogID(p.log, func(t time.Time) bool { return t.After(q.Until) })
		if err != nil {
			return nil, err
		}
		p.hi = min(p.hi, hi)
	}
	counts := tx.Bucket(bucketLogCounts)
	for _, ix := range logIndexes {
		var v string
		switch ix.name {
		case "status":
			v = q.Status
		case "job":
			v = q.Job
		case "platform":
			v = q.Platform
		}
		if v == "" {
			continue
		}
		f := &indexFilter{
			b:      tx.Bucket(ix.bucket),
			prefix: compositeKey(v, ""),
			n:      count(counts, compositeKey(ix.name, v)),
		}
		if p.driver == nil || f.n < p.driver.n {
			if p.driver != nil {
				p.others = append(p.others, p.driver)
			}
			p.driver = f
		} else {
			p.others = append(p.others, f)
		}
	}
	if q.Text != "" {
		p.text = strings.ToLower(q.Text)
		if enc, err := json.Marshal(p.text); err == nil && string(enc) == `"`+p.text+`"` {
			p.rawText = []byte(p.text)
		}
	}
	return p, nil
}

// walk calls fn for each candidate ID, newest first, until fn returns
// false. raw is the stored record when withRaw is set or when walking the
// log bucket; otherwise it is nil. Candidates whose raw JSON cannot contain
// the text are skipped.
func (p *logPlan) walk(withRaw bool, fn func(id uint64, raw []byte) (bool, error)) error {
	if p.lo >= p.hi {
		return nil
	}
	visit := func(id uint64, raw []byte) (bool, error) {
		if p.rawText != nil && raw != nil && !p.mayContainText(raw) {
			return true, nil
		}
		return fn(id, raw)
	}
	if p.driver == nil {
		c := p.log.Cursor()
		for k, v := seekBefore(c, p.hi); k != nil; k, v = c.Prev() {
			id := btoi(k)
			if id < p.lo {
				return nil
			}
			if more, err := visit(id, v); err != nil || !more {
				return err
			}
		}
		return nil
	}
	prefix := p.driver.prefix
	c := p.driver.b.Cursor()
	k := lastBelow(c, prefix, append(bytes.Clone(prefix), itob(p.hi)...))
	idKey := make([]byte, 0, 64)
next:
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if len(k) != len(prefix)+8 {
			continue
		}
		id := btoi(k[len(prefix):])
		if id < p.lo {
			return nil
		}
		for _, o := range p.others {
			idKey = append(append(idKey[:0], o.prefix...), k[len(prefix):]...)
			if o.b.Get(idKey) == nil {
				continue next
			}
		}
		var raw []byte
		if withRaw {
			if raw = p.log.Get(k[len(prefix):]); raw == nil {
				return fmt.Errorf("index %s%d points at a missing record", prefix, id)
			}
		}
		if more, err := visit(id, raw); err != nil || !more {
			return err
		}
	}
	return nil
}

// mayContainText reports whether the lower-cased JSON record raw contains
// p.rawText; false means no field of the record can match. ASCII records,
// the common case, are lower-cased into p.buf without allocating.
func (p *logPlan) mayContainText(raw []byte) bool {
	p.buf = p.buf[:0]
	for _, c := range raw {
		if c >= utf8.RuneSelf {
			return bytes.Contains(bytes.ToLower(raw), p.rawText)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		p.buf = append(p.buf, c)
	}
	return bytes.Contains(p.buf, p.rawText)
}

// seekBefore positions c on the last ID key below hi.
func seekBefore(c *bolt.Cursor, hi uint64) ([]byte, []byte) {
	k, _ := c.Seek(itob(hi))
	if k == nil {
		return c.Last()
	}
	return c.Prev()
}

// firstLogID returns the smallest ID bound such that every record with an ID
// at or above it satisfies pred, assuming pred turns from false to true once
// along the time-ordered IDs. It reads O(log n) records.
func firstLogID(b *bolt.Bucket, pred func(time.Time) bool) (uint64, error) {
	c := b.Cursor()
	first, _ := c.First()
	if first == nil {
		return 0, nil
	}
	last, _ := c.Last()
	lo, hi := btoi(first), btoi(last)+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		k, v := c.Seek(itob(mid)) // not nil: mid <= last
		var rec struct {
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return 0, fmt.Errorf("decoding log record %d: %w", btoi(k), err)
		}
		if pred(rec.Time) {
			hi = mid // no IDs lie between mid and k
		} else {
			lo = btoi(k) + 1
		}
	}
	return lo, nil
}

// matchText reports whether any searchable field of rec contains needle,
// which is lower-case.
func matchText(rec *LogRecord, needle string) bool {
	for _, f := range [...]string{rec.Object, rec.Message, rec.Error, rec.SourceID, rec.ExternalID, rec.ItemKey} {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}
