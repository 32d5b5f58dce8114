package webhook_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// stallHeaders are headers a stranger can copy from any platform's docs:
// they pass every check the headers allow (a signature is present, the
// timestamp is fresh), so only the body's deadline can stop the sender.
func stallHeaders(p string, now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	fake := strings.Repeat("ab", 32)
	switch p {
	case "clio":
		return "X-Hook-Signature: " + fake + "\r\n"
	case "zoom":
		return zoom.HeaderRequestTimestamp + ": " + ts + "\r\n" + zoom.HeaderSignature + ": v0=" + fake + "\r\n"
	case "box":
		return box.HeaderDeliveryTimestamp + ": " + now.Format(time.RFC3339) + "\r\n" + box.HeaderSignaturePrimary + ": " + fake + "\r\n"
	case "lawmatics":
		return lawmatics.HeaderTimestamp + ": " + ts + "\r\n" + lawmatics.HeaderSignature + ": sha256=" + fake + "\r\n"
	}
	return ""
}

// TestWebhookSlowUploadsDoNotBlockRealDeliveries: 64 strangers announce a 1 MiB
// body, send its first bytes and stall. Real signed deliveries arriving
// meanwhile are each stored within a few seconds, and every stalled upload
// is cut off by its read deadline (503, connection closed) instead of
// holding a turn. The receiver runs with its default limits, so this is
// the product's behaviour; before the fix a delivery slot was taken before
// the body was read and held until the sender gave up.
func TestWebhookSlowUploadsDoNotBlockRealDeliveries(t *testing.T) {
	const stalls = 64
	h := newHarness(t, withWorkers(2))
	addr := strings.TrimPrefix(h.srv.URL, "http://")

	type cut struct {
		status int
		after  time.Duration
		err    error
	}
	cuts := make(chan cut, stalls)
	var conns sync.WaitGroup
	for i := range stalls {
		p := platforms[i%len(platforms)]
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		start := time.Now()
		if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n{\"da",
			p.path, addr, webhook.MaxBody, stallHeaders(p.name, h.now())); err != nil {
			t.Fatal(err)
		}
		conns.Go(func() {
			// The stranger now stalls, and waits to see what happens.
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				cuts <- cut{err: err, after: time.Since(start)}
				return
			}
			res.Body.Close()
			cuts <- cut{status: res.StatusCode, after: time.Since(start)}
		})
	}
	waitFor(t, func() bool { return h.r.PeakReading() >= stalls })

	// Real deliveries, all four platforms, while every stranger stalls.
	const real = 40
	var wg sync.WaitGroup
	for n := range real {
		p := platforms[n%len(platforms)]
		wg.Go(func() {
			body := p.event(n)
			start := time.Now()
			res := h.post(t, p.path, body, p.sign(h, body))
			if took := time.Since(start); res.status != http.StatusOK || took > 3*time.Second {
				t.Errorf("%s delivery %d during the stall: status %d after %s, want 200 within 3 s", p.name, n, res.status, took.Round(time.Millisecond))
			}
		})
	}
	wg.Wait()
	if n := h.r.Stored(); n != real {
		t.Errorf("Stored() = %d, want the %d real deliveries", n, real)
	}

	// Each stalled upload is cut off by the deadline: 2 s + 1 MiB at
	// 256 KiB/s = 6 s at the defaults.
	conns.Wait()
	close(cuts)
	for c := range cuts {
		if c.err != nil || c.status != http.StatusServiceUnavailable || c.after > 9*time.Second {
			t.Errorf("stalled upload: status %d, err %v after %s; want 503 within the 6 s deadline", c.status, c.err, c.after.Round(time.Millisecond))
		}
	}
	if peak := h.r.PeakInFlight(); peak > int64(real) {
		t.Errorf("PeakInFlight %d: stalled uploads held verification slots", peak)
	}
}

// TestWebhookHeaderChecksComeBeforeAnyTurn: what the headers alone show to be
// refused is refused at once, even while every reader's turn is taken.
func TestWebhookHeaderChecksComeBeforeAnyTurn(t *testing.T) {
	h := newHarness(t, withOptions(func(o *webhook.Options) { o.MaxReaders, o.SlotWait, o.ReadBase = 1, 10*time.Second, time.Minute }))
	stall, release := net.Pipe()
	defer release.Close()
	go func() {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks/zoom", stall)
		req.Header = zoomHeaders(zoomSecret, h.now(), nil)
		req.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	waitFor(t, func() bool { return h.r.PeakReading() == 1 })
	body := zoomEvent(1)
	tests := []struct {
		name   string
		path   string
		hdr    http.Header
		body   []byte
		status int
	}{
		{"clio unsigned", "/webhooks/clio", http.Header{}, clioEvent(1), http.StatusUnauthorized},
		{"zoom unsigned", "/webhooks/zoom", http.Header{}, body, http.StatusUnauthorized},
		{"zoom stale", "/webhooks/zoom", zoomHeaders(zoomSecret, h.now().Add(-time.Hour), body), body, http.StatusUnauthorized},
		{"box stale", "/webhooks/box", boxHeaders("d", h.now().Add(-time.Hour), boxPrimary, "", boxEvent(1)), boxEvent(1), http.StatusUnauthorized},
		{"lawmatics stale", "/webhooks/lawmatics", lawmaticsHeaders(lawmaticsSecret, h.now().Add(-time.Hour), lawmaticsEvent(1)), lawmaticsEvent(1), http.StatusUnauthorized},
		{"declared over 1 MiB", "/webhooks/zoom", zoomHeaders(zoomSecret, h.now(), body), make([]byte, webhook.MaxBody+1), http.StatusRequestEntityTooLarge},
		{"wrong type", "/webhooks/zoom", http.Header{"Content-Type": {"text/plain"}}, body, http.StatusUnsupportedMediaType},
	}
	for _, tc := range tests {
		start := time.Now()
		res := h.post(t, tc.path, tc.body, tc.hdr)
		if res.status != tc.status || time.Since(start) > 2*time.Second {
			t.Errorf("%s: status %d after %s, want %d at once", tc.name, res.status, time.Since(start).Round(time.Millisecond), tc.status)
		}
	}
	h.wantNothingStored(t)
}

// TestWebhookFloodsCannotGrowTheDatabase: 100 forged 1 MiB deliveries, 100
// replays of a stored one and 30 distinct validly signed ones (a leaked
// secret; the limit is reached after 5) while processing is stuck: the forged are refused, the replays
// acknowledged without storing, and the store stops at its limit, asking
// the platform (503 + Retry-After, which Clio retries) to send the rest
// later. The database file stays within a small multiple of the limit
// (bbolt keeps freed pages for reuse, never for growth).
func TestWebhookFloodsCannotGrowTheDatabase(t *testing.T) {
	const limit = 8 << 20
	path := t.TempDir() + "/firmsync.db"
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	h := newHarnessOn(t, st,
		withOptions(func(o *webhook.Options) { o.Limits = store.WebhookLimits{MaxUnprocessed: 1000, MaxStoredBytes: limit} }),
		withHook(func(ctx context.Context, _ store.WebhookEvent) error {
			select { // a worker that never finishes: nothing is processed
			case <-stuck:
			case <-ctx.Done():
			}
			return nil
		}))
	big := func(n int) []byte {
		head := fmt.Sprintf(`{"data":{"id":%d,"pad":"`, n)
		tail := fmt.Sprintf(`"},"meta":{"event":"updated","webhook_id":%s}}`, clioWebhookID)
		return []byte(head + strings.Repeat("x", webhook.MaxBody-len(head)-len(tail)) + tail)
	}
	count := func(phase string, n int, send func(i int) response) map[int]int {
		statuses := map[int]int{}
		defer func(start time.Time) { t.Logf("%s: %s", phase, time.Since(start)) }(time.Now())
		for i := range n {
			res := send(i)
			statuses[res.status]++
			if res.status == http.StatusServiceUnavailable && (res.header.Get("Retry-After") == "" || !deliveryRetries("clio", res.status)) {
				t.Errorf("%s: 503 without Retry-After", phase)
			}
		}
		return statuses
	}

	forged := count("forged", 100, func(i int) response {
		b := big(i)
		return h.post(t, "/webhooks/clio", b, clioHeaders("planted-secret", b))
	})
	if forged[http.StatusUnauthorized] != 100 {
		t.Errorf("forged deliveries answered %v, want 100 × 401", forged)
	}
	replayed := count("replayed", 101, func(int) response {
		b := big(1000)
		return h.post(t, "/webhooks/clio", b, clioHeaders(clioSecrets[1], b))
	})
	if replayed[http.StatusOK] != 101 || h.r.Stored() != 1 || h.r.Replayed() != 100 {
		t.Errorf("a delivery and 100 replays: answered %v, stored %d, replayed %d; want all 200, 1 stored", replayed, h.r.Stored(), h.r.Replayed())
	}
	flood := count("flood", 30, func(i int) response {
		b := big(2000 + i)
		return h.post(t, "/webhooks/clio", b, clioHeaders(clioSecrets[1], b))
	})
	if flood[http.StatusServiceUnavailable] == 0 || flood[http.StatusOK]+flood[http.StatusServiceUnavailable] != 30 {
		t.Errorf("flood answered %v, want the store to fill and then 503", flood)
	}
	if got := h.r.Refused()["clio: event store full"]; got != int64(flood[http.StatusServiceUnavailable]) {
		t.Errorf("refusals counted as store full: %d", got)
	}
	evs, err := st.WebhookEvents(0)
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	for _, e := range evs {
		stored += int64(len(e.Payload))
	}
	if stored > limit {
		t.Errorf("stored payloads take %d bytes, over the %d limit", stored, limit)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events stored, %d payload bytes, database file %d bytes (limit %d)", len(evs), stored, fi.Size(), limit)
	if fi.Size() > 3*limit {
		t.Errorf("database file grew to %d bytes, over 3 × the %d limit", fi.Size(), limit)
	}
}

// TestWebhookClioHandshakeUncheckableIsRetried: when Keys cannot check a
// handshake with Clio now, the answer is 503 (no echo): nothing is
// confirmed on a guess.
func TestWebhookClioHandshakeUncheckableIsRetried(t *testing.T) {
	h := newHarness(t)
	h.keys.mu.Lock()
	h.keys.handshakeErr = fmt.Errorf("Clio unreachable")
	h.keys.mu.Unlock()
	res := h.post(t, "/webhooks/clio", []byte(`{"data":{"webhook_id":91}}`), http.Header{"X-Hook-Secret": {"hs-1"}})
	if res.header.Get("X-Hook-Secret") != "" || res.header.Get("Retry-After") == "" {
		t.Errorf("echo %q, Retry-After %q; want no echo and a Retry-After", res.header.Get("X-Hook-Secret"), res.header.Get("Retry-After"))
	}
	h.wantRefused(t, res, http.StatusServiceUnavailable, "clio: handshake could not be checked now")
}
