// Package events is Firmsync's in-process event bus. Publishing never
// blocks: each subscriber has a bounded buffer, and an event that does not
// fit within a short wait is dropped and counted, so a slow GUI can never
// stall a sync.
package events

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is a bitmask of event kinds; a subscriber passes the kinds it wants.
type Kind uint32

// Event kinds.
const (
	RunStarted        Kind = 1 << iota // a job run began
	RunProgress                        // items done / total changed
	RunFinished                        // a job run ended
	ItemLogged                         // a per-item log record was written
	ConnectionChanged                  // a platform's connection status changed
	WebhookReceived                    // a verified webhook was stored
	SchedulesChanged                   // schedules paused, resumed or edited
	NeedsAttention                     // an item was parked or a reconnect is needed

	AllKinds Kind = 1<<iota - 1
)

func (k Kind) String() string {
	switch k {
	case RunStarted:
		return "RunStarted"
	case RunProgress:
		return "RunProgress"
	case RunFinished:
		return "RunFinished"
	case ItemLogged:
		return "ItemLogged"
	case ConnectionChanged:
		return "ConnectionChanged"
	case WebhookReceived:
		return "WebhookReceived"
	case SchedulesChanged:
		return "SchedulesChanged"
	case NeedsAttention:
		return "NeedsAttention"
	}
	return "Kind(mixed)"
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one published event.
type Event struct {
	Kind Kind
	Time time.Time
	Data any // one of the *Data types below
}

// RunData accompanies RunStarted, RunProgress and RunFinished.
type RunData struct {
	Job                               string
	RunID                             uint64
	Trigger                           string
	Done                              int // items done so far
	Total                             int // items in the run, -1 when not known yet
	Status                            string
	Created, Updated, Failed, Skipped int
	Error                             string
}

// ConnectionData accompanies ConnectionChanged.
type ConnectionData struct {
	Platform string
	Status   string
	Error    string
}

// AttentionData accompanies NeedsAttention.
type AttentionData struct {
	Job      string
	Platform string
	Item     string
	Message  string
	Incident string // a stable key: one notification per incident
}

// BufferSize is each subscriber's channel capacity.
const BufferSize = 64

// sendTimeout is how long Publish waits on a full subscriber before it
// drops the event for that subscriber.
const sendTimeout = 15 * time.Millisecond

// Bus fans events out to subscribers.
type Bus struct {
	mu      sync.RWMutex           // guards subs
	subs    map[*Subscription]bool // live subscriptions
	dropped atomic.Int64
	now     func() time.Time
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*Subscription]bool{}, now: time.Now} }

// Subscription receives the events of the kinds it asked for.
type Subscription struct {
	mask Kind
	ch   chan Event
	bus  *Bus
	once sync.Once
}

// C is the channel events arrive on; it is closed by Unsubscribe.
func (s *Subscription) C() <-chan Event { return s.ch }

// Unsubscribe stops delivery and closes C. Safe to call more than once.
func (s *Subscription) Unsubscribe() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		close(s.ch)
	})
}

// Subscribe returns a subscription to the kinds in mask.
func (b *Bus) Subscribe(mask Kind) *Subscription {
	s := &Subscription{mask: mask, ch: make(chan Event, BufferSize), bus: b}
	b.mu.Lock()
	b.subs[s] = true
	b.mu.Unlock()
	return s
}

// Publish sends an event to every interested subscriber without blocking
// for longer than a few milliseconds per full subscriber. A nil bus drops
// everything, so components can run without one.
func (b *Bus) Publish(kind Kind, data any) {
	if b == nil {
		return
	}
	ev := Event{Kind: kind, Time: b.now(), Data: data}
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs {
		if s.mask&kind == 0 {
			continue
		}
		select {
		case s.ch <- ev:
			continue
		default:
		}
		t := time.NewTimer(sendTimeout)
		select {
		case s.ch <- ev:
		case <-t.C:
			b.dropped.Add(1)
		}
		t.Stop()
	}
}

// Dropped is the number of events dropped for slow subscribers.
func (b *Bus) Dropped() int64 {
	if b == nil {
		return 0
	}
	return b.dropped.Load()
}

// Await waits for the first event of kind that satisfies match, for tests
// and for callers that need to know something happened.
func (b *Bus) Await(ctx context.Context, kind Kind, match func(Event) bool) (Event, error) {
	s := b.Subscribe(kind)
	defer s.Unsubscribe()
	for {
		select {
		case <-ctx.Done():
			return Event{}, ctx.Err()
		case ev := <-s.C():
			if match == nil || match(ev) {
				return ev, nil
			}
		}
	}
}
