package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// WebhookEvent is one verified webhook delivery, kept raw until processed.
type WebhookEvent struct {
	ID          uint64    `json:"id"`       // assigned by AddWebhookEvent; increases with time
	Platform    string    `json:"platform"` // sender
	Type        string    `json:"type,omitempty"`
	Resource    string    `json:"resource,omitempty"`     // object the event is about, e.g. "matter:123"
	DeliveryKey string    `json:"delivery_key,omitempty"` // the platform's delivery id, for dedupe
	Received    time.Time `json:"received"`
	Payload     []byte    `json:"payload,omitempty"` // the body as received
	Processed   bool      `json:"processed,omitempty"`
	ProcessedAt time.Time `json:"processed_at,omitzero"`
	Attempts    int       `json:"attempts,omitempty"`
	Error       string    `json:"error,omitempty"` // why the last processing attempt failed
	// PayloadDropped: the event was processed and its payload was removed
	// to make room under WebhookLimits (the record and its dedupe entry stay).
	PayloadDropped bool `json:"payload_dropped,omitempty"`
}

// WebhookLimits bounds what stored webhook events may take in the
// database, whoever sends them: a stranger cannot get an event stored
// without a valid signature, but a leaked secret, a platform's burst or a
// stuck worker must still not fill the disk (bbolt never gives the space
// back to the file system).
type WebhookLimits struct {
	// MaxUnprocessed is how many events may wait to be processed.
	MaxUnprocessed int
	// MaxStoredBytes bounds the encoded size of every stored event
	// together. When a new event would pass it, the payloads of processed
	// events are dropped, oldest first; if that is not enough the event is
	// refused.
	MaxStoredBytes int64
}

// DefaultWebhookLimits: 10,000 waiting events and 32 MiB of stored events.
// A real event is 0.5–10 KiB, so a day's worth of a busy firm's events fits
// many times over, while a flood of 1 MiB bodies stops at 32 MiB.
func DefaultWebhookLimits() WebhookLimits {
	return WebhookLimits{MaxUnprocessed: 10_000, MaxStoredBytes: 32 << 20}
}

// ErrWebhookStoreFull is wrapped when an event is refused by WebhookLimits.
// The sender should be told to retry later: room appears as the workers
// process what is waiting.
var ErrWebhookStoreFull = errors.New("webhook event store is full")

// AddWebhookEvent stores e within DefaultWebhookLimits; see
// AddWebhookEventWithin.
func (s *Store) AddWebhookEvent(e WebhookEvent) (uint64, error) {
	return s.AddWebhookEventWithin(e, DefaultWebhookLimits())
}

// AddWebhookEventWithin stores e as a new unprocessed event and returns its
// ID. Received defaults to now. When e.DeliveryKey is set and the same
// platform already delivered that key, nothing is stored and the error
// wraps ErrDuplicate (a replay is recognised even when the store is full).
// When storing e would pass lim, the payloads of processed events are
// dropped oldest first; if the limits still do not allow e, nothing is
// stored and the error wraps ErrWebhookStoreFull. Zero fields of lim mean
// no limit.
func (s *Store) AddWebhookEventWithin(e WebhookEvent, lim WebhookLimits) (uint64, error) {
	if e.Platform == "" {
		return 0, fmt.Errorf("store: adding webhook event: empty platform")
	}
	if e.Received.IsZero() {
		e.Received = time.Now()
	}
	e.Processed, e.ProcessedAt = false, time.Time{}
	err := s.db.Update(func(tx *bolt.Tx) error {
		dedupe := tx.Bucket(bucketWebhookDedupe)
		if e.DeliveryKey != "" {
			if prev := dedupe.Get(dedupeKey(&e)); prev != nil {
				return fmt.Errorf("delivery %q was event %d: %w", e.DeliveryKey, btoi(prev), ErrDuplicate)
			}
		}
		events := tx.Bucket(bucketWebhookEvents)
		// Taking the ID first costs nothing if the event is refused: the
		// transaction, sequence included, is rolled back.
		id, err := events.NextSequence()
		if err != nil {
			return err
		}
		e.ID = id
		enc, err := json.Marshal(&e)
		if err != nil {
			return err
		}
		if err := makeRoom(tx, int64(len(enc)), lim); err != nil {
			return err
		}
		if err := events.Put(itob(id), enc); err != nil {
			return err
		}
		if e.DeliveryKey != "" {
			if err := dedupe.Put(dedupeKey(&e), itob(id)); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketWebhookPending).Put(itob(id), nil)
	})
	if err != nil {
		return 0, fmt.Errorf("store: adding %s webhook event: %w", e.Platform, err)
	}
	return e.ID, nil
}

// makeRoom checks that one more unprocessed event of size bytes fits lim,
// dropping the payloads of processed events, oldest first, when that makes
// it fit. It wraps ErrWebhookStoreFull when it cannot.
//
// It counts by walking the buckets rather than keeping a running total:
// the walk reads keys and value lengths from the memory map (no copies),
// and a total kept beside the events could drift from them after a crash
// or a repair, where the walk cannot.
func makeRoom(tx *bolt.Tx, size int64, lim WebhookLimits) error {
	pending := tx.Bucket(bucketWebhookPending)
	if lim.MaxUnprocessed > 0 {
		n := 0
		c := pending.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		if n >= lim.MaxUnprocessed {
			return fmt.Errorf("%w: %d events wait to be processed (limit %d)", ErrWebhookStoreFull, n, lim.MaxUnprocessed)
		}
	}
	if lim.MaxStoredBytes <= 0 {
		return nil
	}
	events := tx.Bucket(bucketWebhookEvents)
	total := size
	c := events.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		total += int64(len(v))
	}
	if total <= lim.MaxStoredBytes {
		return nil
	}
	// Collect first, then rewrite: a bucket must not be modified while a
	// cursor walks it.
	pc := pending.Cursor()
	var drop []WebhookEvent
	over := total - lim.MaxStoredBytes
	for k, v := c.First(); k != nil && over > 0; k, v = c.Next() {
		if pk, _ := pc.Seek(k); pk != nil && string(pk) == string(k) {
			continue // not processed yet: its payload is still needed
		}
		e, err := decodeWebhookEvent(k, v)
		if err != nil {
			return err
		}
		if len(e.Payload) == 0 {
			continue
		}
		before := int64(len(v))
		e.Payload, e.PayloadDropped = nil, true
		after, err := json.Marshal(&e)
		if err != nil {
			return err
		}
		over -= before - int64(len(after))
		drop = append(drop, e)
	}
	if over > 0 {
		return fmt.Errorf("%w: stored events would take %d bytes (limit %d)", ErrWebhookStoreFull, lim.MaxStoredBytes+over, lim.MaxStoredBytes)
	}
	for i := range drop {
		if err := putJSON(events, itob(drop[i].ID), &drop[i]); err != nil {
			return err
		}
	}
	return nil
}

// MarkWebhookProcessed records a processing attempt of event id: it counts
// the attempt, stores errMsg (empty on success) and marks the event
// processed, so it leaves UnprocessedWebhookEvents. A failed event is not
// retried from here: the job's next run picks the change up anyway. It
// fails with ErrNotFound when the event does not exist.
func (s *Store) MarkWebhookProcessed(id uint64, errMsg string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketWebhookEvents)
		var e WebhookEvent
		found, err := getJSON(events, itob(id), &e)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		e.Processed, e.ProcessedAt, e.Error = true, time.Now(), errMsg
		e.Attempts++
		if err := putJSON(events, itob(id), &e); err != nil {
			return err
		}
		return tx.Bucket(bucketWebhookPending).Delete(itob(id))
	})
	if err != nil {
		return fmt.Errorf("store: marking webhook event %d processed: %w", id, err)
	}
	return nil
}

// UnprocessedWebhookEvents returns the events not yet processed, oldest
// first, which is the order to process them in.
func (s *Store) UnprocessedWebhookEvents() ([]WebhookEvent, error) {
	var out []WebhookEvent
	err := s.db.View(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketWebhookEvents)
		return tx.Bucket(bucketWebhookPending).ForEach(func(k, _ []byte) error {
			e, err := decodeWebhookEvent(k, events.Get(k))
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing unprocessed webhook events: %w", err)
	}
	return out, nil
}

// WebhookEvents returns up to limit events, newest first; limit <= 0 means
// all.
func (s *Store) WebhookEvents(limit int) ([]WebhookEvent, error) {
	var out []WebhookEvent
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketWebhookEvents).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			e, err := decodeWebhookEvent(k, v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing webhook events: %w", err)
	}
	return out, nil
}

// deleteWebhookEvent removes event e with its dedupe and pending entries.
func deleteWebhookEvent(tx *bolt.Tx, e *WebhookEvent) error {
	if err := tx.Bucket(bucketWebhookEvents).Delete(itob(e.ID)); err != nil {
		return err
	}
	if e.DeliveryKey != "" {
		dedupe := tx.Bucket(bucketWebhookDedupe)
		// Only drop the dedupe entry if it still names this event.
		if prev := dedupe.Get(dedupeKey(e)); prev != nil && btoi(prev) == e.ID {
			if err := dedupe.Delete(dedupeKey(e)); err != nil {
				return err
			}
		}
	}
	return tx.Bucket(bucketWebhookPending).Delete(itob(e.ID))
}

// dedupeKey is the webhook_dedupe key of e: platform + sep + delivery key.
func dedupeKey(e *WebhookEvent) []byte { return compositeKey(e.Platform, e.DeliveryKey) }

// decodeWebhookEvent decodes a stored event.
func decodeWebhookEvent(k, v []byte) (WebhookEvent, error) {
	var e WebhookEvent
	if v == nil {
		return e, fmt.Errorf("webhook event %d is indexed but missing", btoi(k))
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("decoding webhook event %d: %w", btoi(k), err)
	}
	return e, nil
}
