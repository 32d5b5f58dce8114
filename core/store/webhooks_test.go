package store

import (
	"errors"
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
