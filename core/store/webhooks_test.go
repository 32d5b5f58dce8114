package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAddWebhookEventDedupesPerPlatform(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name    string
		e       WebhookEvent
		wantDup bool
	}{
		{"first delivery", WebhookEvent{Platform: "clio", DeliveryKey: "d-1", Type: "matter.update"}, false},
		{"same key same platform", WebhookEvent{Platform: "clio", DeliveryKey: "d-1"}, true},
		{"same key other platform", WebhookEvent{Platform: "zoom", DeliveryKey: "d-1"}, false},
		{"no key is never a duplicate", WebhookEvent{Platform: "box"}, false},
		{"no key again", WebhookEvent{Platform: "box"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := s.AddWebhookEvent(tt.e)
			if tt.wantDup {
				if !errors.Is(err, ErrDuplicate) {
					t.Errorf("AddWebhookEvent = %d, %v; want ErrDuplicate", id, err)
				}
				return
			}
			if err != nil || id == 0 {
				t.Errorf("AddWebhookEvent = %d, %v", id, err)
			}
		})
	}
	all, err := s.WebhookEvents(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[0].ID != 4 || all[3].ID != 1 {
		t.Errorf("WebhookEvents = %+v; want 4 events newest first", all)
	}
	if all[3].Received.IsZero() {
		t.Error("Received not defaulted")
	}
	if got, _ := s.WebhookEvents(2); len(got) != 2 {
		t.Errorf("WebhookEvents(2) returned %d", len(got))
	}
}

func TestMarkWebhookProcessed(t *testing.T) {
	s := openTest(t)
	var ids []uint64
	for _, key := range []string{"a", "b", "c"} {
		id, err := s.AddWebhookEvent(WebhookEvent{Platform: "clio", DeliveryKey: key, Payload: []byte(`{"id":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := s.MarkWebhookProcessed(ids[0], ""); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkWebhookProcessed(ids[2], "matter 1 not found"); err != nil {
		t.Fatal(err)
	}
	pending, err := s.UnprocessedWebhookEvents()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != ids[1] || string(pending[0].Payload) != `{"id":1}` {
		t.Errorf("UnprocessedWebhookEvents = %+v; want only event %d", pending, ids[1])
	}
	all, _ := s.WebhookEvents(0)
	got := map[uint64]WebhookEvent{}
	for _, e := range all {
		got[e.ID] = e
	}
	if e := got[ids[2]]; !e.Processed || e.Error != "matter 1 not found" || e.Attempts != 1 || e.ProcessedAt.IsZero() {
		t.Errorf("failed event = %+v", e)
	}
	if e := got[ids[0]]; !e.Processed || e.Error != "" {
		t.Errorf("processed event = %+v", e)
	}
	if err := s.MarkWebhookProcessed(99, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkWebhookProcessed(99) = %v; want ErrNotFound", err)
	}
}

// TestWebhookLimitsBoundStoredEvents: stored webhook events never take more
// than the limits, whatever arrives; processed payloads make room first,
// oldest first; a refused event stores nothing; a replay is still
// recognised when full.
func TestWebhookLimitsBoundStoredEvents(t *testing.T) {
	payload := func(n int) []byte {
		return []byte(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, n, strings.Repeat("x", 10_000)))
	}
	add := func(s *Store, lim WebhookLimits, n int) (uint64, error) {
		return s.AddWebhookEventWithin(WebhookEvent{Platform: "zoom", DeliveryKey: fmt.Sprint("k", n), Payload: payload(n)}, lim)
	}
	storedBytes := func(t *testing.T, s *Store) (total int64, waiting int) {
		t.Helper()
		evs, err := s.WebhookEvents(0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			b, _ := json.Marshal(&e)
			total += int64(len(b))
			if !e.Processed {
				waiting++
			}
		}
		return total, waiting
	}

	t.Run("bytes", func(t *testing.T) {
		s := openTest(t)
		lim := WebhookLimits{MaxStoredBytes: 100_000} // room for about 7 events
		var ids []uint64
		refused := 0
		for n := range 20 {
			id, err := add(s, lim, n)
			switch {
			case errors.Is(err, ErrWebhookStoreFull):
				refused++
			case err != nil:
				t.Fatalf("event %d: %v", n, err)
			default:
				ids = append(ids, id)
			}
			if total, _ := storedBytes(t, s); total > lim.MaxStoredBytes {
				t.Fatalf("after event %d stored events take %d bytes, limit %d", n, total, lim.MaxStoredBytes)
			}
		}
		if len(ids) < 5 || refused == 0 {
			t.Fatalf("stored %d, refused %d; want the store to fill and then refuse", len(ids), refused)
		}
		if _, err := add(s, lim, 0); !errors.Is(err, ErrDuplicate) {
			t.Errorf("a replay while full: %v, want ErrDuplicate", err)
		}
		// Processing the two oldest makes room: their payloads go, oldest
		// first, and the records (with their dedupe) stay.
		for _, id := range ids[:2] {
			if err := s.MarkWebhookProcessed(id, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := add(s, lim, 100); err != nil {
			t.Fatalf("after processing two events: %v", err)
		}
		evs, _ := s.WebhookEvents(0)
		byID := map[uint64]WebhookEvent{}
		for _, e := range evs {
			byID[e.ID] = e
		}
		if e := byID[ids[0]]; !e.PayloadDropped || e.Payload != nil || !e.Processed {
			t.Errorf("oldest processed event: dropped=%v payload %d bytes, want its payload dropped", e.PayloadDropped, len(e.Payload))
		}
		for _, id := range ids[2:] {
			if e := byID[id]; e.PayloadDropped || len(e.Payload) == 0 {
				t.Errorf("unprocessed event %d lost its payload", id)
			}
		}
		if total, _ := storedBytes(t, s); total > lim.MaxStoredBytes {
			t.Errorf("stored events take %d bytes, limit %d", total, lim.MaxStoredBytes)
		}
		if _, err := add(s, lim, 0); !errors.Is(err, ErrDuplicate) { // event 0 was stored first
			t.Errorf("replay of an event whose payload was dropped: %v, want ErrDuplicate", err)
		}
	})

	t.Run("count", func(t *testing.T) {
		s := openTest(t)
		lim := WebhookLimits{MaxUnprocessed: 3}
		for n := range 3 {
			if _, err := add(s, lim, n); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := add(s, lim, 3); !errors.Is(err, ErrWebhookStoreFull) {
			t.Fatalf("a fourth waiting event: %v, want ErrWebhookStoreFull", err)
		}
		if _, waiting := storedBytes(t, s); waiting != 3 {
			t.Errorf("%d events wait, want 3", waiting)
		}
		pending, _ := s.UnprocessedWebhookEvents()
		if err := s.MarkWebhookProcessed(pending[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := add(s, lim, 3); err != nil {
			t.Errorf("after one was processed: %v", err)
		}
	})
}
