package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core/events"
)

func TestSubscriberGetsOnlyItsKinds(t *testing.T) {
	b := events.NewBus()
	s := b.Subscribe(events.RunFinished | events.NeedsAttention)
	defer s.Unsubscribe()
	b.Publish(events.RunStarted, events.RunData{Job: "contacts"})
	b.Publish(events.RunFinished, events.RunData{Job: "contacts", Status: "succeeded"})
	ev := <-s.C()
	if ev.Kind != events.RunFinished || ev.Data.(events.RunData).Status != "succeeded" {
		t.Fatalf("got %+v", ev)
	}
	select {
	case ev := <-s.C():
		t.Fatalf("unexpected %+v", ev)
	default:
	}
}

func TestBufferOverflowDropsInsteadOfBlocking(t *testing.T) {
	b := events.NewBus()
	s := b.Subscribe(events.AllKinds) // never read
	defer s.Unsubscribe()
	start := time.Now()
	for i := 0; i < events.BufferSize+10; i++ {
		b.Publish(events.RunProgress, events.RunData{Done: i})
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("publishing to a stuck subscriber took %v", took)
	}
	if b.Dropped() != 10 {
		t.Fatalf("dropped %d, want 10", b.Dropped())
	}
}

func TestUnsubscribeClosesAndIsIdempotent(t *testing.T) {
	b := events.NewBus()
	s := b.Subscribe(events.AllKinds)
	s.Unsubscribe()
	s.Unsubscribe()
	if _, ok := <-s.C(); ok {
		t.Fatal("channel still open")
	}
	b.Publish(events.RunStarted, nil) // must not panic on a closed subscriber
}

func TestNilBusIsANoOp(t *testing.T) {
	var b *events.Bus
	b.Publish(events.RunStarted, nil)
	if b.Dropped() != 0 {
		t.Fatal("nil bus counted drops")
	}
}

func TestAwait(t *testing.T) {
	b := events.NewBus()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan events.Event, 1)
	ready := make(chan struct{})
	go func() {
		s := b.Subscribe(events.RunFinished)
		defer s.Unsubscribe()
		close(ready)
		for ev := range s.C() {
			if ev.Data.(events.RunData).Job == "folders" {
				got <- ev
				return
			}
		}
	}()
	<-ready
	b.Publish(events.RunFinished, events.RunData{Job: "contacts"})
	b.Publish(events.RunFinished, events.RunData{Job: "folders"})
	select {
	case <-got:
	case <-ctx.Done():
		t.Fatal("no event")
	}
}

func TestKindString(t *testing.T) {
	if events.RunFinished.String() != "RunFinished" {
		t.Fatal(events.RunFinished.String())
	}
}
