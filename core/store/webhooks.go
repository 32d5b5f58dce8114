package store

import (
	"encoding/json"
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
}

// AddWebhookEvent stores e as a new unprocessed event and returns its ID.
// Received defaults to now. When e.DeliveryKey is set and the same platform
// already delivered that key, nothing is stored and the error wraps
// ErrDuplicate.
func (s *Store) AddWebhookEvent(e WebhookEvent) (uint64, error) {
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
		id, err := events.NextSequence()
		if err != nil {
			return err
		}
		e.ID = id
		if err := putJSON(events, itob(id), &e); err != nil {
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
