package auth

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

func TestConnectListenerHoldsAtMostNConnections(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(raw, 2)
	defer ln.Close()
	for range 3 {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ln.Accept(); err != nil {
		t.Fatal(err)
	}
	third := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
		third <- err
	}()
	select {
	case err := <-third:
		t.Fatalf("a third connection was taken while two are open (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	// Closing twice (as http.Server may) frees one slot, not two.
	first.Close()
	first.Close()
	select {
	case err := <-third:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing a connection did not free its slot")
	}
	if got := len(ln.sem); got != 1 {
		t.Fatalf("%d slots in use after closing two of three, want 1", got)
	}
}

func TestConnectListenerCloseUnblocksAWaitingAccept(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(raw, 1)
	c, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	held, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	waiting := make(chan error, 1)
	go func() { _, err := ln.Accept(); waiting <- err }()
	time.Sleep(50 * time.Millisecond)
	ln.Close()
	select {
	case err := <-waiting:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("got %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits after Close")
	}
}

// countingHandler counts records, for the rate limit.
type countingHandler struct {
	n    int
	text strings.Builder
}

func (h *countingHandler) Enabled(_ context.Context, _ slog.Level) bool { return true }
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *countingHandler) WithGroup(string) slog.Handler                { return h }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.n++
	r.Attrs(func(a slog.Attr) bool { h.text.WriteString(a.String() + " "); return true })
	h.text.WriteString("\n")
	return nil
}

func TestConnectStrayLogWritesAtMostOneRecordPerInterval(t *testing.T) {
	h := &countingHandler{}
	now := time.Unix(1_700_000_000, 0)
	s := &strayLog{log: slog.New(h), platform: "clio", now: func() time.Time { return now }}
	for range 1000 {
		s.note("/clio/callback", "no state")
	}
	if h.n != 1 {
		t.Fatalf("%d records for 1000 strays within one interval, want 1", h.n)
	}
	now = now.Add(strayLogEvery)
	s.note("/"+strings.Repeat("x", 5000), "not the callback path")
	if h.n != 2 || !strings.Contains(h.text.String(), "ignored_unlogged_before=999") {
		t.Fatalf("after the interval: %d records:\n%s", h.n, h.text.String())
	}
	if len(h.text.String()) > 1000 {
		t.Fatalf("a long path went into the log whole (%d bytes)", len(h.text.String()))
	}
	if s.ignored() != 1001 {
		t.Fatalf("ignored %d, want 1001", s.ignored())
	}
}
