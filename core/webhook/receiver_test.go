package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// Fixed secrets of the fake Keys.
var (
	clioSecrets = []string{"clio-secret-old", "clio-secret-current", "clio-secret-new"}
)

const (
	zoomSecret      = "zoom-secret-token"
	boxPrimary      = "box-primary-key"
	boxSecondary    = "box-secondary-key"
	lawmaticsSecret = "whsec_lawmatics-signing-secret"

	clioWebhookID = "77"     // a registered Clio webhook watching matters
	clioModel     = "matter" // the model clioWebhookID watches

	// barrierPlatform marks the events flush puts on the worker queue.
	barrierPlatform = "test-barrier"

	// wait bounds every wait on a channel.
	wait = 10 * time.Second
)

// testNow is the receiver's clock unless a test moves it.
var testNow = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// fakeKeys is a webhook.Keys with fixed secrets; tests may rotate them.
type fakeKeys struct {
	mu           sync.Mutex        // guards the fields below
	clio         []string          // Clio shared secrets
	handshakes   map[string]string // Clio webhook id -> secret Clio gave for it
	handshakeErr error             // when set, handshakes cannot be checked now
	models       map[string]string // Clio webhook id -> model it watches
	zoom         string
	boxP, boxS   string
	lawmatics    string
}

func newFakeKeys() *fakeKeys {
	return &fakeKeys{
		clio:       slices.Clone(clioSecrets),
		handshakes: map[string]string{},
		models:     map[string]string{clioWebhookID: clioModel},
		zoom:       zoomSecret,
		boxP:       boxPrimary,
		boxS:       boxSecondary,
		lawmatics:  lawmaticsSecret,
	}
}

func (k *fakeKeys) ClioSecrets(context.Context) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.clio)
}

// ConfirmClioHandshake confirms only the secret Clio gave for a webhook
// Firmsync created (core's real Keys also asks Clio; tested in core).
func (k *fakeKeys) ConfirmClioHandshake(_ context.Context, webhookID, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.handshakeErr != nil {
		return k.handshakeErr
	}
	want, ok := k.handshakes[webhookID]
	if !ok || !hmac.Equal([]byte(want), []byte(secret)) {
		return fmt.Errorf("webhook %q: %w", webhookID, webhook.ErrHandshakeRefused)
	}
	return nil
}

func (k *fakeKeys) ClioModel(webhookID string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.models[webhookID]
}

func (k *fakeKeys) ZoomSecret(context.Context) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.zoom
}

func (k *fakeKeys) BoxKeys(context.Context) (string, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.boxP, k.boxS
}

func (k *fakeKeys) LawmaticsSecret(context.Context) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lawmatics
}

func (k *fakeKeys) expectHandshake(webhookID, secret string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.handshakes[webhookID] = secret
}

func (k *fakeKeys) setBoxKeys(primary, secondary string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.boxP, k.boxS = primary, secondary
}

var _ webhook.Keys = (*fakeKeys)(nil)

// harness is a started receiver on a real store behind a loopback server.
type harness struct {
	st      *store.Store
	r       *webhook.Receiver
	srv     *httptest.Server
	keys    *fakeKeys
	workers int
	cancel  context.CancelFunc

	clock    atomic.Int64 // the receiver's now, in Unix nanoseconds
	delivery atomic.Int64 // last Box delivery id handed out

	// processed receives every event Process is called with (not barriers).
	processed chan store.WebhookEvent
	// hook, when set, runs inside Process after the event is recorded.
	hook func(ctx context.Context, ev store.WebhookEvent) error

	mu    sync.Mutex     // guards calls
	calls map[uint64]int // Process calls by event id

	arrived chan struct{}                 // a barrier reached a worker
	release atomic.Pointer[chan struct{}] // closed when every worker holds a barrier
}

// option configures a harness before its receiver starts.
type option func(h *harness, o *webhook.Options)

func withWorkers(n int) option {
	return func(h *harness, o *webhook.Options) { h.workers, o.Workers = n, n }
}

func withOptions(f func(o *webhook.Options)) option {
	return func(_ *harness, o *webhook.Options) { f(o) }
}

func withHook(f func(ctx context.Context, ev store.WebhookEvent) error) option {
	return func(h *harness, _ *webhook.Options) { h.hook = f }
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir()+"/f.db", store.Options{})
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	return newHarnessOn(t, openStore(t), opts...)
}

// newHarnessOn starts a receiver on st; cleanup closes the server, then
// stops the workers and waits for them.
func newHarnessOn(t *testing.T, st *store.Store, opts ...option) *harness {
	t.Helper()
	h := &harness{
		st:        st,
		keys:      newFakeKeys(),
		workers:   1,
		processed: make(chan store.WebhookEvent, 4096),
		calls:     map[uint64]int{},
		arrived:   make(chan struct{}),
	}
	h.clock.Store(testNow.UnixNano())
	o := webhook.Options{
		Store:   st,
		Keys:    h.keys,
		Process: h.process,
		Now:     h.now,
		Workers: 1,
	}
	for _, opt := range opts {
		opt(h, &o)
	}
	h.r = webhook.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.r.Start(ctx)
	t.Cleanup(h.stop)
	h.srv = httptest.NewServer(h.r.Handler())
	t.Cleanup(h.srv.Close)
	return h
}

// stop ends the receiver's context and waits for its workers.
func (h *harness) stop() {
	h.cancel()
	h.r.WaitForTest()
}

func (h *harness) now() time.Time { return time.Unix(0, h.clock.Load()).UTC() }

func (h *harness) setNow(t time.Time) { h.clock.Store(t.UnixNano()) }

func (h *harness) process(ctx context.Context, ev store.WebhookEvent) error {
	if ev.Platform == barrierPlatform {
		select {
		case h.arrived <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-*h.release.Load():
		case <-ctx.Done():
		}
		return ctx.Err()
	}
	h.mu.Lock()
	h.calls[ev.ID]++
	h.mu.Unlock()
	select {
	case h.processed <- ev:
	default:
		panic("harness: processed channel full")
	}
	if h.hook != nil {
		return h.hook(ctx, ev)
	}
	return nil
}

// flush returns once every event queued before it has been processed and
// marked: it queues one barrier per worker and waits until each worker
// holds one, so each has finished whatever it took before.
func (h *harness) flush(t *testing.T) {
	t.Helper()
	release := make(chan struct{})
	h.release.Store(&release)
	defer close(release)
	go func() {
		for range h.workers {
			h.r.EnqueueForTest(store.WebhookEvent{Platform: barrierPlatform})
		}
	}()
	timeout := time.After(wait)
	for range h.workers {
		select {
		case <-h.arrived:
		case <-timeout:
			t.Fatalf("workers did not drain the queue within %s", wait)
		}
	}
}

// awaitProcessed returns the next event Process was called with.
func (h *harness) awaitProcessed(t *testing.T) store.WebhookEvent {
	t.Helper()
	select {
	case ev := <-h.processed:
		return ev
	case <-time.After(wait):
		t.Fatalf("no event processed within %s", wait)
		return store.WebhookEvent{}
	}
}

// noMoreProcessed fails if Process saw an event not yet received.
func (h *harness) noMoreProcessed(t *testing.T) {
	t.Helper()
	select {
	case ev := <-h.processed:
		t.Errorf("unexpected extra Process call for event %d (%s %s)", ev.ID, ev.Platform, ev.Type)
	default:
	}
}

func (h *harness) callCount(id uint64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[id]
}

// stored returns every stored event, oldest first.
func (h *harness) stored(t *testing.T) []store.WebhookEvent {
	t.Helper()
	evs, err := h.st.WebhookEvents(0)
	if err != nil {
		t.Fatalf("listing stored events: %v", err)
	}
	slices.Reverse(evs)
	return evs
}

func (h *harness) wantNothingStored(t *testing.T) {
	t.Helper()
	if evs := h.stored(t); len(evs) != 0 {
		t.Errorf("store holds %d events, want none: first is %s %q", len(evs), evs[0].Platform, evs[0].Type)
	}
	if n := h.r.Stored(); n != 0 {
		t.Errorf("Stored() = %d, want 0", n)
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// post sends body to path with Content-Type application/json unless hdr
// names another (an empty value sends none).
func (h *harness) post(t *testing.T, path string, body []byte, hdr http.Header) response {
	t.Helper()
	return h.do(t, http.MethodPost, path, body, hdr)
}

func (h *harness) do(t *testing.T, method, path string, body []byte, hdr http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range hdr {
		req.Header.Del(k)
		for _, v := range vs {
			if v != "" {
				req.Header.Add(k, v)
			}
		}
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading reply: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// Signing, as each platform does it.

func clioSignature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func clioHeaders(secret string, body []byte) http.Header {
	return http.Header{"X-Hook-Signature": {clioSignature(secret, body)}}
}

func zoomHeaders(secret string, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set(zoom.HeaderRequestTimestamp, ts)
	h.Set(zoom.HeaderSignature, zoom.Sign(secret, ts, body))
	return h
}

// boxHeaders signs with primaryKey and secondaryKey; an empty key leaves
// its header out.
func boxHeaders(deliveryID string, at time.Time, primaryKey, secondaryKey string, body []byte) http.Header {
	ts := at.Format(time.RFC3339)
	h := http.Header{}
	h.Set(box.HeaderDeliveryID, deliveryID)
	h.Set(box.HeaderDeliveryTimestamp, ts)
	h.Set(box.HeaderSignatureVersion, "1")
	h.Set(box.HeaderSignatureAlgorithm, "HmacSHA256")
	if primaryKey != "" {
		h.Set(box.HeaderSignaturePrimary, box.Sign(primaryKey, body, ts))
	}
	if secondaryKey != "" {
		h.Set(box.HeaderSignatureSecondary, box.Sign(secondaryKey, body, ts))
	}
	return h
}

// lawmaticsHeaders are the three headers of Lawmatics' guide; the event id
// is copied from the body when it has one.
func lawmaticsHeaders(secret string, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set(lawmatics.HeaderTimestamp, ts)
	h.Set(lawmatics.HeaderSignature, lawmatics.Sign(secret, ts, body))
	var ev struct {
		EventID string `json:"event_id"`
	}
	if json.Unmarshal(body, &ev) == nil && ev.EventID != "" {
		h.Set(lawmatics.HeaderEventID, ev.EventID)
	}
	return h
}

// Event bodies, distinct for each n.

func clioEvent(n int) []byte {
	return fmt.Appendf(nil, `{"data":{"id":%d,"etag":"\"%d\""},"meta":{"event":"updated","webhook_id":%s}}`, 1000+n, n, clioWebhookID)
}

func zoomEvent(n int) []byte {
	return fmt.Appendf(nil, `{"event":"recording.completed","event_ts":1741082400000,"payload":{"account_id":"acc","object":{"uuid":"rec-%d==","id":%d}}}`, n, 8800+n)
}

func boxEvent(n int) []byte {
	return fmt.Appendf(nil, `{"type":"webhook_event","id":"evt-%d","trigger":"FILE.UPLOADED","source":{"id":"%d","type":"file"}}`, n, 5000+n)
}

// lawmaticsEvent is the v1 envelope of Lawmatics' guide.
func lawmaticsEvent(n int) []byte {
	return fmt.Appendf(nil, `{"event_id":"evt_%d","firm_id":123,"event_type":"matter.converted","version":"v1","timestamp":"2025-03-04T10:00:00.000Z","data":{"matter_id":%d}}`, n, 700+n)
}

// platform describes one webhook route for the rules every route shares.
type platform struct {
	name     string
	path     string
	event    func(n int) []byte
	sign     func(h *harness, body []byte) http.Header // valid at h.now()
	typ      string
	resource func(n int) string
}

var platforms = []platform{
	{
		name: "clio", path: "/webhooks/clio", event: clioEvent,
		sign:     func(h *harness, body []byte) http.Header { return clioHeaders(clioSecrets[1], body) },
		typ:      clioModel + ".updated",
		resource: func(n int) string { return strconv.Itoa(1000 + n) },
	},
	{
		name: "zoom", path: "/webhooks/zoom", event: zoomEvent,
		sign:     func(h *harness, body []byte) http.Header { return zoomHeaders(zoomSecret, h.now(), body) },
		typ:      "recording.completed",
		resource: func(n int) string { return fmt.Sprintf("rec-%d==", n) },
	},
	{
		name: "box", path: "/webhooks/box", event: boxEvent,
		sign: func(h *harness, body []byte) http.Header {
			return boxHeaders(fmt.Sprintf("delivery-%d", h.delivery.Add(1)), h.now(), boxPrimary, boxSecondary, body)
		},
		typ:      "FILE.UPLOADED",
		resource: func(n int) string { return fmt.Sprintf("file:%d", 5000+n) },
	},
	{
		name: "lawmatics", path: "/webhooks/lawmatics", event: lawmaticsEvent,
		sign:     func(h *harness, body []byte) http.Header { return lawmaticsHeaders(lawmaticsSecret, h.now(), body) },
		typ:      "matter.converted",
		resource: func(n int) string { return strconv.Itoa(700 + n) },
	},
}

// wantOneProcessed checks the store holds exactly one event, as given,
// processed once without error.
func (h *harness) wantOneProcessed(t *testing.T, platform, typ, resource string, body []byte) {
	t.Helper()
	ev := h.awaitProcessed(t)
	h.flush(t)
	h.noMoreProcessed(t)
	evs := h.stored(t)
	if len(evs) != 1 {
		t.Fatalf("store holds %d events, want 1", len(evs))
	}
	got := evs[0]
	if got.ID != ev.ID {
		t.Errorf("processed event %d, stored event %d", ev.ID, got.ID)
	}
	if got.Platform != platform || got.Type != typ || got.Resource != resource {
		t.Errorf("stored (%q, %q, %q), want (%q, %q, %q)", got.Platform, got.Type, got.Resource, platform, typ, resource)
	}
	if !bytes.Equal(got.Payload, body) {
		t.Errorf("stored payload %q, want the body as sent %q", got.Payload, body)
	}
	if !got.Received.Equal(h.now()) {
		t.Errorf("Received = %s, want the receiver's now %s", got.Received, h.now())
	}
	if !got.Processed || got.Attempts != 1 || got.Error != "" {
		t.Errorf("stored event processed=%v attempts=%d error=%q, want processed once without error", got.Processed, got.Attempts, got.Error)
	}
	if n := h.callCount(got.ID); n != 1 {
		t.Errorf("Process called %d times for the event, want 1", n)
	}
	if n := h.r.Stored(); n != 1 {
		t.Errorf("Stored() = %d, want 1", n)
	}
}

func TestRouteRefusesWhatNoPlatformSends(t *testing.T) {
	oversized := append(append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), webhook.MaxBody)...), `"}`...)
	tests := []struct {
		name    string
		method  string
		body    func(p platform) []byte
		headers func(h *harness, p platform, body []byte) http.Header
		want    int
		reason  string
	}{
		{
			name: "GET", method: http.MethodGet,
			body:    func(platform) []byte { return nil },
			headers: func(*harness, platform, []byte) http.Header { return nil },
			want:    http.StatusMethodNotAllowed, reason: "method not allowed",
		},
		{
			name: "body over 1 MiB, signed", method: http.MethodPost,
			body:    func(platform) []byte { return oversized },
			headers: func(h *harness, p platform, body []byte) http.Header { return p.sign(h, body) },
			want:    http.StatusRequestEntityTooLarge, reason: "body over 1 MiB",
		},
		{
			name: "text/plain, signed", method: http.MethodPost,
			body: func(p platform) []byte { return p.event(1) },
			headers: func(h *harness, p platform, body []byte) http.Header {
				hdr := p.sign(h, body)
				hdr.Set("Content-Type", "text/plain")
				return hdr
			},
			want: http.StatusUnsupportedMediaType, reason: "unsupported content type",
		},
		{
			name: "malformed JSON, validly signed", method: http.MethodPost,
			body:    func(platform) []byte { return []byte(`{"event":"recording.completed",`) },
			headers: func(h *harness, p platform, body []byte) http.Header { return p.sign(h, body) },
			want:    http.StatusBadRequest, reason: "malformed JSON",
		},
	}
	for _, p := range platforms {
		for _, tc := range tests {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				h := newHarness(t)
				body := tc.body(p)
				res := h.do(t, tc.method, p.path, body, tc.headers(h, p, body))
				if res.status != tc.want {
					t.Errorf("status %d, want %d (%s)", res.status, tc.want, res.body)
				}
				if tc.want == http.StatusMethodNotAllowed {
					if got := res.header.Get("Allow"); got != http.MethodPost {
						t.Errorf("Allow = %q, want POST", got)
					}
				}
				h.wantNothingStored(t)
				want := map[string]int64{p.name + ": " + tc.reason: 1}
				if got := h.r.Refused(); !maps.Equal(got, want) {
					t.Errorf("Refused() = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestMissingContentTypeIsAccepted(t *testing.T) {
	h := newHarness(t)
	body := zoomEvent(1)
	hdr := zoomHeaders(zoomSecret, h.now(), body)
	hdr["Content-Type"] = []string{""}
	if res := h.post(t, "/webhooks/zoom", body, hdr); res.status != http.StatusOK {
		t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
	}
	h.wantOneProcessed(t, "zoom", "recording.completed", "rec-1==", body)
}

func TestVerifiedEventIsStoredBeforeTheReply(t *testing.T) {
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			gate := make(chan struct{})
			h := newHarness(t, withHook(func(ctx context.Context, ev store.WebhookEvent) error {
				select {
				case <-gate:
				case <-ctx.Done():
				}
				return nil
			}))
			body := p.event(3)
			res := h.post(t, p.path, body, p.sign(h, body))
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
			}
			// Processing is held at the gate: the row must already be there.
			evs := h.stored(t)
			if len(evs) != 1 {
				t.Fatalf("right after the 200 the store holds %d events, want 1", len(evs))
			}
			if evs[0].Processed {
				t.Errorf("event processed before Process returned")
			}
			pending, err := h.st.UnprocessedWebhookEvents()
			if err != nil {
				t.Fatal(err)
			}
			if len(pending) != 1 || pending[0].ID != evs[0].ID {
				t.Errorf("unprocessed events %v, want just event %d", pending, evs[0].ID)
			}
			close(gate)
			h.wantOneProcessed(t, p.name, p.typ, p.resource(3), body)
		})
	}
}

func TestEventStoredBeforeACrashIsProcessedOnceAfterRestart(t *testing.T) {
	st := openStore(t)
	started := make(chan struct{}, 1)
	first := newHarnessOn(t, st, withHook(func(ctx context.Context, ev store.WebhookEvent) error {
		started <- struct{}{}
		<-ctx.Done() // still applying the event when the app goes down
		return ctx.Err()
	}))
	body := zoomEvent(9)
	if res := first.post(t, "/webhooks/zoom", body, zoomHeaders(zoomSecret, first.now(), body)); res.status != http.StatusOK {
		t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
	}
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatal("first receiver never started processing")
	}
	first.stop()

	pending, err := st.UnprocessedWebhookEvents()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 {
		t.Fatalf("after shutdown %d events are unprocessed, want 1", len(pending))
	}

	second := newHarnessOn(t, st)
	ev := second.awaitProcessed(t)
	if ev.ID != pending[0].ID || !bytes.Equal(ev.Payload, body) {
		t.Errorf("restart processed event %d %q, want %d %q", ev.ID, ev.Payload, pending[0].ID, body)
	}
	second.flush(t)
	second.noMoreProcessed(t)
	if n := second.callCount(ev.ID); n != 1 {
		t.Errorf("second receiver called Process %d times, want 1", n)
	}
	evs := second.stored(t)
	if len(evs) != 1 || !evs[0].Processed || evs[0].Attempts != 1 || evs[0].Error != "" {
		t.Fatalf("store after restart: %+v, want one event processed exactly once", evs)
	}
}

func TestProcessErrorIsRecordedOnTheEvent(t *testing.T) {
	h := newHarness(t, withHook(func(context.Context, store.WebhookEvent) error {
		return errors.New("matter 1001 is gone")
	}))
	body := clioEvent(1)
	if res := h.post(t, "/webhooks/clio", body, clioHeaders(clioSecrets[0], body)); res.status != http.StatusOK {
		t.Fatalf("status %d, want 200", res.status)
	}
	h.awaitProcessed(t)
	h.flush(t)
	evs := h.stored(t)
	if len(evs) != 1 || !evs[0].Processed || evs[0].Attempts != 1 || evs[0].Error != "matter 1001 is gone" {
		t.Fatalf("store: %+v, want one event processed once with the error recorded", evs)
	}
}

func TestRefusalsAreCountedByPlatformAndReason(t *testing.T) {
	h := newHarness(t)
	old := h.now().Add(-time.Hour)

	clioBody, zoomBody, boxBody, lawBody := clioEvent(1), zoomEvent(1), boxEvent(1), lawmaticsEvent(1)
	sends := []struct {
		path string
		body []byte
		hdr  http.Header
		want int
	}{
		{"/webhooks/clio", clioBody, nil, 401},
		{"/webhooks/clio", clioBody, http.Header{"X-Hook-Signature": {""}}, 401},
		{"/webhooks/clio", clioBody, clioHeaders("guessed", clioBody), 401},
		{"/webhooks/zoom", zoomBody, zoomHeaders(zoomSecret, old, zoomBody), 401},
		{"/webhooks/zoom", zoomBody, zoomHeaders(zoomSecret, h.now(), zoomBody), 200},
		{"/webhooks/zoom", zoomBody, zoomHeaders(zoomSecret, h.now(), zoomBody), 200}, // a replay is acknowledged, not refused
		{"/webhooks/box", boxBody, boxHeaders("d1", h.now(), "", "", boxBody), 401},
		{"/webhooks/box", boxBody, boxHeaders("d1", old, boxPrimary, "", boxBody), 401},
		{"/webhooks/lawmatics", lawBody, lawmaticsHeaders(lawmaticsSecret, old, lawBody), 401},
		{"/webhooks/lawmatics", lawBody, lawmaticsHeaders("guessed", h.now(), lawBody), 401},
	}
	for i, s := range sends {
		if res := h.post(t, s.path, s.body, s.hdr); res.status != s.want {
			t.Errorf("send %d to %s: status %d, want %d", i, s.path, res.status, s.want)
		}
	}
	// Attacker-chosen methods and content types share one reason each.
	for _, ct := range []string{"text/plain", "text/html; charset=utf-8", "application/x-www-form-urlencoded", "image/png;" + strings.Repeat("a", 500)} {
		if res := h.post(t, "/webhooks/lawmatics", lawBody, http.Header{"Content-Type": {ct}}); res.status != http.StatusUnsupportedMediaType {
			t.Errorf("content type %.40q: status %d, want 415", ct, res.status)
		}
	}
	for _, m := range []string{http.MethodGet, http.MethodPut, "PROPFIND", "XYZZY"} {
		if res := h.do(t, m, "/webhooks/box", nil, nil); res.status != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", m, res.status)
		}
	}

	want := map[string]int64{
		"clio: unsigned":                      2,
		"clio: bad signature":                 1,
		"zoom: stale timestamp":               1,
		"box: unsigned":                       1,
		"box: bad or stale signature":         1,
		"box: method not allowed":             4,
		"lawmatics: stale timestamp":          1,
		"lawmatics: bad signature":            1,
		"lawmatics: unsupported content type": 4,
	}
	if got := h.r.Refused(); !maps.Equal(got, want) {
		t.Errorf("Refused() =\n%v\nwant\n%v", got, want)
	}
	if n := h.r.Replayed(); n != 1 {
		t.Errorf("Replayed() = %d, want 1", n)
	}
}

func TestHealthz(t *testing.T) {
	h := newHarness(t)
	nonce := h.r.NewNonce()
	expiring := h.r.NewNonce()
	tests := []struct {
		name    string
		method  string
		query   string
		advance time.Duration // moves the receiver's clock before the request
		want    int
		wantOut map[string]any
	}{
		{"plain", http.MethodGet, "", 0, 200, map[string]any{"ok": true, "service": "firmsync"}},
		{"fresh nonce", http.MethodGet, "?nonce=" + nonce, 0, 200, map[string]any{"ok": true, "service": "firmsync", "nonce_ok": true, "nonce": nonce}},
		{"reused nonce", http.MethodGet, "?nonce=" + nonce, 0, 200, map[string]any{"ok": true, "service": "firmsync", "nonce_ok": false}},
		{"unknown nonce", http.MethodGet, "?nonce=0123456789abcdef0123456789abcdef", 0, 200, map[string]any{"ok": true, "service": "firmsync", "nonce_ok": false}},
		{"expired nonce", http.MethodGet, "?nonce=" + expiring, 3 * time.Minute, 200, map[string]any{"ok": true, "service": "firmsync", "nonce_ok": false}},
		{"POST", http.MethodPost, "", 0, 405, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.setNow(h.now().Add(tc.advance))
			res := h.do(t, tc.method, "/healthz"+tc.query, nil, nil)
			if res.status != tc.want {
				t.Fatalf("status %d, want %d", res.status, tc.want)
			}
			if tc.wantOut == nil {
				return
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if cc := res.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			var out map[string]any
			if err := json.Unmarshal(res.body, &out); err != nil {
				t.Fatalf("reply %q is not JSON: %v", res.body, err)
			}
			if !maps.Equal(out, tc.wantOut) {
				t.Errorf("reply %v, want %v", out, tc.wantOut)
			}
		})
	}
	h.wantNothingStored(t)
}

func TestConcurrentZoomDeliveriesAreEachStoredAndProcessedOnce(t *testing.T) {
	const senders, deliveries = 50, 1000
	h := newHarness(t, withWorkers(4))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	t.Cleanup(client.CloseIdleConnections)

	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for s := range senders {
		wg.Go(func() {
			for n := s; n < deliveries; n += senders {
				body := zoomEvent(n)
				req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks/zoom", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					failed.Add(1)
					return
				}
				req.Header = zoomHeaders(zoomSecret, h.now(), body)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					t.Errorf("delivery %d: %v", n, err)
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("delivery %d: status %d, want 200", n, res.StatusCode)
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	replied := time.Since(start)
	h.flush(t)
	t.Logf("%d deliveries from %d goroutines: all replies in %s, all processed in %s", deliveries, senders, replied, time.Since(start))
	if failed.Load() > 0 {
		t.Fatalf("%d deliveries failed", failed.Load())
	}

	evs := h.stored(t)
	if len(evs) != deliveries {
		t.Fatalf("store holds %d events, want %d", len(evs), deliveries)
	}
	resources := map[string]bool{}
	for _, ev := range evs {
		if n := h.callCount(ev.ID); n != 1 {
			t.Errorf("event %d processed %d times, want 1", ev.ID, n)
		}
		if !ev.Processed || ev.Attempts != 1 {
			t.Errorf("event %d processed=%v attempts=%d, want processed once", ev.ID, ev.Processed, ev.Attempts)
		}
		resources[ev.Resource] = true
	}
	if len(resources) != deliveries {
		t.Errorf("%d distinct resources stored, want %d", len(resources), deliveries)
	}
	h.mu.Lock()
	calls := len(h.calls)
	h.mu.Unlock()
	if calls != deliveries {
		t.Errorf("Process saw %d distinct events, want %d", calls, deliveries)
	}
	if n := h.r.Stored(); n != deliveries {
		t.Errorf("Stored() = %d, want %d", n, deliveries)
	}
	if got := h.r.Refused(); len(got) != 0 {
		t.Errorf("Refused() = %v, want none", got)
	}
}

// TestEventsBeyondAFullQueueAreQueuedOnceItDrains: a burst larger than the
// queue while the worker is stuck is answered 200, kept in the store, and
// every event is processed exactly once when the worker catches up, with
// no restart needed.
func TestEventsBeyondAFullQueueAreQueuedOnceItDrains(t *testing.T) {
	const deliveries = 12
	stuck := make(chan struct{})
	var first atomic.Bool
	h := newHarness(t, withWorkers(1), withOptions(func(o *webhook.Options) { o.QueueSize = 2 }),
		withHook(func(ctx context.Context, ev store.WebhookEvent) error {
			if first.CompareAndSwap(false, true) {
				select { // the worker is stuck on the first event
				case <-stuck:
				case <-ctx.Done():
				}
			}
			return nil
		}))
	for n := range deliveries {
		body := zoomEvent(n)
		hdr := zoomHeaders(zoomSecret, h.now(), body)
		hdr.Set("Content-Type", "application/json")
		if res := h.post(t, "/webhooks/zoom", body, hdr); res.status != http.StatusOK {
			t.Fatalf("delivery %d: status %d, want 200", n, res.status)
		}
	}
	if n := len(h.stored(t)); n != deliveries {
		t.Fatalf("store holds %d events, want %d", n, deliveries)
	}
	close(stuck)
	for range deliveries {
		h.awaitProcessed(t)
	}
	h.flush(t)
	h.noMoreProcessed(t)
	for _, ev := range h.stored(t) {
		if c := h.callCount(ev.ID); c != 1 || !ev.Processed {
			t.Errorf("event %d: processed %v, %d calls, want once", ev.ID, ev.Processed, c)
		}
	}
}

// TestDeliveriesReadAtOnceAreBounded: however many senders connect, at most
// MaxReaders bodies are read or held at once (so the receiver's memory for
// bodies stays under MaxReaders × MaxBody) and at most MaxInFlight are
// verified and stored at once; the rest wait their turn and all are
// stored, and one that cannot get a turn in time is told to retry.
func TestDeliveriesReadAtOnceAreBounded(t *testing.T) {
	const readers, limit, senders = 8, 4, 40
	// Verifiers wait for each other until limit of them are in (or a
	// while has passed), so the limit is reached however slow the machine.
	var inside atomic.Int64
	full := make(chan struct{})
	var fullOnce sync.Once
	h := newHarness(t, withWorkers(2), withOptions(func(o *webhook.Options) {
		o.MaxReaders, o.MaxInFlight, o.SlotWait = readers, limit, 30*time.Second
		o.Accepting = func(context.Context, string) error {
			if inside.Add(1) >= limit {
				fullOnce.Do(func() { close(full) })
			}
			defer inside.Add(-1)
			select {
			case <-full:
			case <-time.After(10 * time.Second):
			}
			return nil
		}
	}))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	t.Cleanup(client.CloseIdleConnections)

	// Each sender sends half its body and holds the rest until the test
	// has seen every reader busy, so deliveries overlap for certain.
	release := make(chan struct{})
	send := func(n int) (int, string) {
		body := zoomEvent(n)
		pr, pw := io.Pipe()
		go func() {
			half := len(body) / 2
			_, _ = pw.Write(body[:half])
			<-release
			_, _ = pw.Write(body[half:])
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks/zoom", pr)
		req.Header = zoomHeaders(zoomSecret, h.now(), body)
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(body))
		res, err := client.Do(req)
		if err != nil {
			t.Errorf("delivery %d: %v", n, err)
			return 0, ""
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Retry-After")
	}
	var wg sync.WaitGroup
	for n := range senders {
		wg.Go(func() {
			if code, _ := send(n); code != http.StatusOK {
				t.Errorf("delivery %d: status %d, want 200", n, code)
			}
		})
	}
	for deadline := time.Now().Add(20 * time.Second); h.r.PeakReading() < readers && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	wg.Wait()
	h.flush(t)
	if peak := h.r.PeakReading(); peak != readers {
		t.Errorf("at most %d bodies were read at once, want exactly the limit %d", peak, readers)
	}
	if peak := h.r.PeakInFlight(); peak != limit {
		t.Errorf("at most %d deliveries were verified at once, want exactly the limit %d", peak, limit)
	}
	if n := len(h.stored(t)); n != senders {
		t.Errorf("store holds %d events, want %d", n, senders)
	}
}

// TestWebhookNoTurnInTimeIsRetried: a delivery that gets no reader's turn, or no
// verifier's turn, within SlotWait is answered 503 with Retry-After and
// nothing is stored.
func TestWebhookNoTurnInTimeIsRetried(t *testing.T) {
	tests := []struct {
		name string
		opts func(o *webhook.Options, hold chan struct{})
		// occupy starts what holds the only turn and returns once it does.
		occupy func(t *testing.T, h *harness)
	}{
		{
			name: "every reader busy",
			opts: func(o *webhook.Options, _ chan struct{}) {
				o.MaxReaders, o.SlotWait, o.ReadBase = 1, 50*time.Millisecond, time.Minute
			},
			occupy: func(t *testing.T, h *harness) {
				stall, release := io.Pipe()
				t.Cleanup(func() { release.Close() })
				go func() {
					req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks/zoom", stall)
					req.Header = zoomHeaders(zoomSecret, h.now(), nil)
					req.Header.Set("Content-Type", "application/json")
					if res, err := http.DefaultClient.Do(req); err == nil {
						res.Body.Close()
					}
				}()
				waitFor(t, func() bool { return h.r.PeakReading() == 1 })
			},
		},
		{
			name: "every verifier busy",
			opts: func(o *webhook.Options, hold chan struct{}) {
				o.MaxInFlight, o.SlotWait = 1, 50*time.Millisecond
				var first atomic.Bool
				o.Accepting = func(context.Context, string) error {
					if first.CompareAndSwap(false, true) {
						<-hold
						return errors.New("held for the test")
					}
					return nil
				}
			},
			occupy: func(t *testing.T, h *harness) {
				go func() {
					body := zoomEvent(99)
					req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks/zoom", bytes.NewReader(body))
					req.Header = zoomHeaders(zoomSecret, h.now(), body)
					req.Header.Set("Content-Type", "application/json")
					if res, err := http.DefaultClient.Do(req); err == nil {
						res.Body.Close()
					}
				}()
				waitFor(t, func() bool { return h.r.PeakInFlight() == 1 })
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hold := make(chan struct{})
			h := newHarness(t, withOptions(func(o *webhook.Options) { tc.opts(o, hold) }))
			tc.occupy(t, h)
			body := zoomEvent(1)
			res := h.post(t, "/webhooks/zoom", body, zoomHeaders(zoomSecret, h.now(), body))
			close(hold)
			if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" || !deliveryRetries("zoom", res.status) {
				t.Errorf("with every turn taken: status %d, Retry-After %q; want 503 with Retry-After", res.status, res.header.Get("Retry-After"))
			}
			h.wantNothingStored(t)
		})
	}
}

// waitFor polls cond for up to wait.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", wait)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
