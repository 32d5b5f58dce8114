// Package webhook is Firmsync's webhook receiver: an HTTP server on
// 127.0.0.1 that a tunnel (cloudflared, ngrok) exposes to the platforms.
// Every delivery is verified on its raw bytes in constant time, stored
// before the 2xx reply, and processed asynchronously; after a crash,
// stored but unprocessed events are processed on start.
//
// Answers follow each platform's retry rules (see the deliveryRule beside
// each verifier in platforms.go): 4xx only for a delivery Firmsync will
// never accept (unsigned, bad signature, stale, malformed after a valid
// signature); 503 with Retry-After for one it cannot take now (platform
// not connected, secret not configured, store error, every slot busy),
// so the platform sends it again; 2xx for a delivery already stored (a
// redelivery or replay), which every platform counts as done.
package webhook

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/core/store"
)

// MaxBody is the largest delivery accepted.
const MaxBody = 1 << 20

// Keys supplies the verification secrets. Implementations cache: the
// receiver asks on every delivery.
type Keys interface {
	// ClioSecrets are the shared secrets of the Clio webhooks Firmsync created.
	ClioSecrets(ctx context.Context) []string
	// ExpectClioHandshake reports whether a Clio webhook creation is in
	// flight and accepts the handshake's secret for it.
	ExpectClioHandshake(ctx context.Context, webhookID, secret string) bool
	ZoomSecret(ctx context.Context) string
	BoxKeys(ctx context.Context) (primary, secondary string)
	LawmaticsSecret(ctx context.Context) string
}

// Accepter is optionally implemented by Keys: the owner of the secrets
// usually also knows which platforms are connected.
type Accepter interface {
	Accepting(ctx context.Context, platform string) error
}

// Options configures New.
type Options struct {
	Store *store.Store
	Keys  Keys
	// Process applies one stored event (triggers the affected job for the
	// affected objects and waits for the effect). An error leaves the
	// event recorded with that error.
	Process func(ctx context.Context, ev store.WebhookEvent) error
	// Deauthorize handles Clio's deauthorization callback; it must check
	// the claim itself (e.g. that Clio now refuses the token). An error
	// wrapping ErrStillAuthorized means the claim is false (403); any
	// other error means it could not be checked now (503, so Clio sends
	// the callback again).
	Deauthorize func(ctx context.Context) error
	// Verified is called after an event is stored (for "a verified event
	// has arrived" in status).
	Verified func(platform string)
	// Accepting reports whether Firmsync can take a platform's events now
	// (for instance: the platform is connected). It is asked only after a
	// delivery verified, so an unsigned request learns nothing from it. An
	// error answers 503 with Retry-After and stores nothing: the platform
	// sends the delivery again, and it is processed once accepted. Nil
	// means Keys' own Accepting method when it has one (see Accepter),
	// else every platform is accepted.
	Accepting func(ctx context.Context, platform string) error
	Logger    *slog.Logger
	Now       func() time.Time
	// Windows: how old a signed timestamp may be. Zero means Zoom 5
	// minutes, Lawmatics lawmatics.MaxWebhookAge (5 minutes). (Box's 10
	// minutes is its documented rule, kept by connectors/box's verifier.)
	ZoomWindow, LawmaticsWindow time.Duration
	// Workers process events concurrently; 0 means 2.
	Workers int
	// QueueSize is how many stored events may wait for a worker; 0 means
	// 4096. Beyond it events wait in the store and are queued again as
	// soon as the queue drains.
	QueueSize int
	// MaxInFlight is how many deliveries are read and verified at once;
	// 0 means 32. It bounds the receiver's memory (MaxInFlight × MaxBody)
	// whatever a sender does; a delivery that waits SlotWait for a turn
	// is answered 503 with Retry-After, which every platform retries (429
	// would not do: Zoom never retries a 4xx).
	MaxInFlight int
	SlotWait    time.Duration // 0 means 5 s
}

// Receiver is the webhook HTTP server.
type Receiver struct {
	o        Options
	mux      *http.ServeMux
	queue    chan store.WebhookEvent
	refused  refusals
	stored   atomic.Int64
	replayed atomic.Int64 // deliveries acknowledged as already stored

	mu     sync.Mutex // guards nonces
	nonces map[string]time.Time

	slots chan struct{} // one per delivery being read and verified
	peak  atomic.Int64  // the most that ever held one at once

	qmu      sync.Mutex      // guards inflight
	inflight map[uint64]bool // stored events queued or being processed
	overflow atomic.Bool     // an event stayed in the store for lack of room

	wg sync.WaitGroup
}

// New builds a receiver; Serve or Handler+Run start it.
func New(o Options) *Receiver {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Accepting == nil {
		if a, ok := o.Keys.(Accepter); ok {
			o.Accepting = a.Accepting
		}
	}
	if o.ZoomWindow == 0 {
		o.ZoomWindow = 5 * time.Minute
	}
	if o.LawmaticsWindow == 0 {
		o.LawmaticsWindow = lawmatics.MaxWebhookAge
	}
	if o.Workers == 0 {
		o.Workers = 2
	}
	if o.QueueSize == 0 {
		o.QueueSize = 4096
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = 32
	}
	if o.SlotWait == 0 {
		o.SlotWait = 5 * time.Second
	}
	r := &Receiver{o: o, queue: make(chan store.WebhookEvent, o.QueueSize), nonces: map[string]time.Time{}, inflight: map[uint64]bool{},
		slots: make(chan struct{}, o.MaxInFlight)}
	r.refused.log = o.Logger
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks/clio", r.post("clio", r.clio))
	mux.HandleFunc("/webhooks/zoom", r.post("zoom", r.zoom))
	mux.HandleFunc("/webhooks/box", r.post("box", r.box))
	mux.HandleFunc("/webhooks/lawmatics", r.post("lawmatics", r.lawmatics))
	mux.HandleFunc("/oauth/clio/deauthorize", r.post("clio", r.deauthorize))
	mux.HandleFunc("/healthz", r.healthz)
	r.mux = mux
	return r
}

// Handler is the receiver's HTTP handler.
func (r *Receiver) Handler() http.Handler { return r.mux }

// Listen binds addr (loopback unless the caller chose otherwise).
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: listening on %s: %w (another program may use the port; change it in Settings)", addr, err)
	}
	return ln, nil
}

// Serve runs the receiver on ln and its workers until ctx ends; first it
// queues every stored event that was never processed (a crash between
// storing and processing).
func (r *Receiver) Serve(ctx context.Context, ln net.Listener) error {
	r.Start(ctx)
	srv := &http.Server{Handler: r.mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	r.wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Start launches the workers and queues unprocessed events (Serve calls it).
func (r *Receiver) Start(ctx context.Context) {
	for range r.o.Workers {
		r.wg.Add(1)
		go r.work(ctx)
	}
	if n := r.requeue(); n > 0 {
		r.o.Logger.Info("processing webhook events stored before a restart", "count", n)
	}
}

// enqueue hands a stored event to the workers without blocking; false
// means the queue is full and the event waits in the store.
func (r *Receiver) enqueue(ev store.WebhookEvent) bool {
	r.qmu.Lock()
	defer r.qmu.Unlock()
	return r.enqueueLocked(ev)
}

func (r *Receiver) enqueueLocked(ev store.WebhookEvent) bool {
	if r.inflight[ev.ID] {
		return true
	}
	select {
	case r.queue <- ev:
		r.inflight[ev.ID] = true
		return true
	default:
		r.overflow.Store(true)
		return false
	}
}

// requeue queues the stored events no worker has (after a restart, or
// once a full queue has drained) and returns how many it queued. It holds
// qmu from reading the store to the last enqueue: a worker marks an event
// processed before it takes qmu to drop it from inflight, so an event this
// read finds unprocessed is either still inflight or truly waiting.
func (r *Receiver) requeue() int {
	r.qmu.Lock()
	defer r.qmu.Unlock()
	r.overflow.Store(false)
	evs, err := r.o.Store.UnprocessedWebhookEvents()
	if err != nil {
		r.o.Logger.Error("reading unprocessed webhook events", "err", err)
		r.overflow.Store(true) // try again at the next drain
		return 0
	}
	n := 0
	for _, ev := range evs {
		if !r.enqueueLocked(ev) {
			break // the rest waits for the next drain
		}
		n++
	}
	return n
}

func (r *Receiver) work(ctx context.Context) {
	defer r.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-r.queue:
			r.process(ctx, ev)
			r.qmu.Lock()
			delete(r.inflight, ev.ID)
			r.qmu.Unlock()
			if len(r.queue) == 0 && r.overflow.Load() && ctx.Err() == nil {
				r.requeue()
			}
		}
	}
}

func (r *Receiver) process(ctx context.Context, ev store.WebhookEvent) {
	id := ev.ID
	perr := r.o.Process(ctx, ev)
	if perr != nil && ctx.Err() != nil {
		return // interrupted by shutdown: leave it unprocessed for the next start
	}
	msg := ""
	if perr != nil {
		msg = perr.Error()
		r.o.Logger.Warn("processing a webhook event failed; the schedule will catch up", "platform", ev.Platform, "type", ev.Type, "err", perr)
	}
	if err := r.o.Store.MarkWebhookProcessed(id, msg); err != nil {
		r.o.Logger.Error("marking webhook event processed", "id", id, "err", err)
	}
}

// Stored is how many verified events were stored since start.
func (r *Receiver) Stored() int64 { return r.stored.Load() }

// Replayed is how many verified deliveries were acknowledged without
// storing because their event was already stored.
func (r *Receiver) Replayed() int64 { return r.replayed.Load() }

// Refused returns refusal counts by platform and reason.
func (r *Receiver) Refused() map[string]int64 { return r.refused.snapshot() }

// handlerFunc verifies one platform's delivery and returns the event to
// store (nil when the request was answered without storing, e.g. a
// validation challenge), or an error with the status to refuse with.
type handlerFunc func(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal)

type refusal struct {
	status     int
	reason     string
	retryAfter string // Retry-After seconds for a 503 or 429; "" sends none
}

func refuse(status int, reason string) *refusal { return &refusal{status: status, reason: reason} }

// notNow refuses a delivery Firmsync cannot take now but will later: 503
// with Retry-After, which every platform's rule retries.
func notNow(reason string, retryAfter time.Duration) *refusal {
	return &refusal{status: http.StatusServiceUnavailable, reason: reason, retryAfter: strconv.Itoa(int(retryAfter.Seconds()))}
}

// post wraps a platform handler with the common rules: POST only, a JSON
// body of at most MaxBody bytes, store before the 2xx, then queue.
func (r *Receiver) post(platform string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			r.deny(w, platform, refuse(http.StatusMethodNotAllowed, "method not allowed"))
			return
		}
		if ct := req.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
				r.deny(w, platform, refuse(http.StatusUnsupportedMediaType, "unsupported content type"))
				return
			}
		}
		if !r.acquire(req.Context()) {
			r.deny(w, platform, notNow("too many deliveries at once", time.Second))
			return
		}
		defer r.release()
		body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				r.deny(w, platform, refuse(http.StatusRequestEntityTooLarge, "body over 1 MiB"))
				return
			}
			r.deny(w, platform, refuse(http.StatusBadRequest, "reading body"))
			return
		}
		ev, rf := h(w, req, body)
		if rf != nil {
			r.deny(w, platform, rf)
			return
		}
		if ev == nil {
			return // answered by the handler
		}
		if r.o.Accepting != nil {
			if err := r.o.Accepting(req.Context(), platform); err != nil {
				r.o.Logger.Info("a verified webhook arrived while Firmsync cannot take it; the platform will send it again", "platform", platform, "err", err)
				r.deny(w, platform, notNow("not accepting events now", time.Minute))
				return
			}
		}
		ev.Platform, ev.Received, ev.Payload = platform, r.o.Now(), body
		id, err := r.o.Store.AddWebhookEvent(*ev)
		if errors.Is(err, store.ErrDuplicate) {
			// Already stored: a redelivery (Lawmatics is at-least-once;
			// Box and Zoom retry a lost 2xx) or a replay. Acknowledge it:
			// anything else makes the platform retry, and Clio counts
			// every non-2xx towards suspending the webhook.
			r.replayed.Add(1)
			w.WriteHeader(http.StatusOK)
			return
		}
		if err != nil {
			r.o.Logger.Error("storing a webhook event", "platform", platform, "err", err)
			r.deny(w, platform, notNow("could not store the event", 5*time.Second))
			return
		}
		r.stored.Add(1)
		if r.o.Verified != nil {
			r.o.Verified(platform)
		}
		w.WriteHeader(http.StatusOK)
		ev.ID = id
		if !r.enqueue(*ev) {
			// Never block the platform's delivery: the event is stored,
			// and queued again as soon as the workers catch up.
			r.o.Logger.Warn("webhook queue full; event stored and queued once the queue drains", "platform", platform, "id", id)
		}
	}
}

// acquire waits up to SlotWait for a delivery slot.
func (r *Receiver) acquire(ctx context.Context) bool {
	t := time.NewTimer(r.o.SlotWait)
	defer t.Stop()
	select {
	case r.slots <- struct{}{}:
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
	n := int64(len(r.slots)) // holders now, this one included
	for {
		p := r.peak.Load()
		if n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return true
}

func (r *Receiver) release() { <-r.slots }

// PeakInFlight is the most deliveries ever read and verified at once.
func (r *Receiver) PeakInFlight() int64 { return r.peak.Load() }

func (r *Receiver) deny(w http.ResponseWriter, platform string, rf *refusal) {
	r.refused.add(platform, rf.reason)
	if rf.retryAfter != "" {
		w.Header().Set("Retry-After", rf.retryAfter)
	}
	http.Error(w, http.StatusText(rf.status), rf.status)
}

// wellFormed checks the body is JSON after verification (before it, a
// parse would be work done for an attacker).
func wellFormed(body []byte) bool { return json.Valid(body) }

// digest is a dedupe key for platforms without a delivery id.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// NewNonce returns a one-time nonce for a tunnel test: GET
// TUNNEL/healthz?nonce=N proves the round trip when it comes back.
func (r *Receiver) NewNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	n := hex.EncodeToString(b)
	now := r.o.Now()
	r.mu.Lock()
	for old, exp := range r.nonces {
		if now.After(exp) {
			delete(r.nonces, old) // a test that never came back
		}
	}
	r.nonces[n] = now.Add(2 * time.Minute)
	r.mu.Unlock()
	return n
}

func (r *Receiver) healthz(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	out := map[string]any{"ok": true, "service": "firmsync"}
	if n := req.URL.Query().Get("nonce"); n != "" {
		r.mu.Lock()
		exp, ok := r.nonces[n]
		delete(r.nonces, n)
		r.mu.Unlock()
		out["nonce_ok"] = ok && r.o.Now().Before(exp)
		if out["nonce_ok"] == true {
			out["nonce"] = n
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

// refusals counts refused deliveries and logs them at most once a minute
// per platform and reason, so an attack cannot flood the log.
type refusals struct {
	log    *slog.Logger
	mu     sync.Mutex // guards the maps
	counts map[string]int64
	logged map[string]time.Time
	since  map[string]int64
}

func (f *refusals) add(platform, reason string) {
	key := platform + ": " + reason
	f.mu.Lock()
	if f.counts == nil {
		f.counts, f.logged, f.since = map[string]int64{}, map[string]time.Time{}, map[string]int64{}
	}
	f.counts[key]++
	f.since[key]++
	now := time.Now()
	var n int64
	if now.Sub(f.logged[key]) >= time.Minute {
		n = f.since[key]
		f.since[key] = 0
		f.logged[key] = now
	}
	f.mu.Unlock()
	if n > 0 {
		f.log.Warn("refused webhook deliveries", "platform", platform, "reason", reason, "count", n)
	}
}

func (f *refusals) snapshot() map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int64, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}
