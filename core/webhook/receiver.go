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
	"os"
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
	// ConfirmClioHandshake decides a Clio X-Hook-Secret handshake. A
	// handshake proves nothing by itself (anyone who can reach the URL can
	// send one), so nil only when secret is Clio's own for a webhook
	// Firmsync created: the shared_secret Clio returned to Firmsync, or
	// one Clio accepted when asked (PUT /webhooks/{id}/activate). Nothing
	// from a handshake may be stored unless Clio confirmed it. An error
	// wrapping ErrHandshakeRefused refuses the handshake (403); any other
	// error means it could not be checked now (503).
	ConfirmClioHandshake(ctx context.Context, webhookID, secret string) error
	ZoomSecret(ctx context.Context) string
	BoxKeys(ctx context.Context) (primary, secondary string)
	LawmaticsSecret(ctx context.Context) string
}

// ErrHandshakeRefused is wrapped by ConfirmClioHandshake's error for a
// handshake that is not Clio's for a webhook Firmsync created.
var ErrHandshakeRefused = errors.New("not a handshake for a webhook Firmsync created")

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
	// MaxReaders is how many delivery bodies are read (and held) at once;
	// 0 means 128. It bounds the receiver's memory for bodies to
	// MaxReaders × MaxBody (128 MiB at the defaults) whatever senders do.
	// It is larger than MaxInFlight because a reader may be a stranger
	// who stalls: each read has a deadline (ReadBase + size/ReadMinRate),
	// so a stalled reader is cut off and never holds a verification slot.
	MaxReaders int
	// MaxInFlight is how many read deliveries are verified and stored at
	// once; 0 means 32. A delivery that waits SlotWait for a reader's or a
	// verifier's turn is answered 503 with Retry-After, which every
	// platform retries (429 would not do: Zoom never retries a 4xx).
	MaxInFlight int
	SlotWait    time.Duration // 0 means 5 s
	// ReadBase and ReadMinRate set each body's read deadline: ReadBase
	// plus its length (Content-Length, else MaxBody) at ReadMinRate bytes
	// a second. 0 means 2 s and 256 KiB/s: 6 s for a 1 MiB body, 2 s for
	// the few KiB a platform sends.
	ReadBase    time.Duration
	ReadMinRate int
	// Limits bound the stored events (zero: store.DefaultWebhookLimits).
	// An event they refuse is answered 503 with Retry-After.
	Limits store.WebhookLimits
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

	readers  chan struct{} // one per delivery whose body is read or held
	slots    chan struct{} // one per delivery being verified and stored
	peak     atomic.Int64  // the most that ever held a slot at once
	peakRead atomic.Int64  // the most that ever held a reader's turn at once
	fullLog  atomic.Int64  // when the store-full warning was last logged (Unix ns)

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
	if o.MaxReaders == 0 {
		o.MaxReaders = 128
	}
	if o.SlotWait == 0 {
		o.SlotWait = 5 * time.Second
	}
	if o.ReadBase == 0 {
		o.ReadBase = 2 * time.Second
	}
	if o.ReadMinRate == 0 {
		o.ReadMinRate = 256 << 10
	}
	if o.Limits == (store.WebhookLimits{}) {
		o.Limits = store.DefaultWebhookLimits()
	}
	r := &Receiver{o: o, queue: make(chan store.WebhookEvent, o.QueueSize), nonces: map[string]time.Time{}, inflight: map[uint64]bool{},
		readers: make(chan struct{}, o.MaxReaders), slots: make(chan struct{}, o.MaxInFlight)}
	r.refused.log = o.Logger
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks/clio", r.post("clio", clioHeaders, r.clio))
	mux.HandleFunc("/webhooks/zoom", r.post("zoom", r.zoomHeaders, r.zoom))
	mux.HandleFunc("/webhooks/box", r.post("box", r.boxHeaders, r.box))
	mux.HandleFunc("/webhooks/lawmatics", r.post("lawmatics", r.lawmaticsHeaders, r.lawmatics))
	mux.HandleFunc("/webhooks/mycase", r.post("mycase", mycaseHeaders, r.mycase))
	mux.HandleFunc("/webhooks/smokeball", r.post("smokeball", r.smokeballHeaders, r.smokeball))
	// Clio's deauthorization callback is not signed (its checker asks Clio
	// itself, at most once a minute), so it has no header check.
	mux.HandleFunc("/oauth/clio/deauthorize", r.post("clio", nil, r.deauthorize))
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
	// ReadTimeout is only the outer bound: each delivery's body has its own,
	// much shorter deadline (readBody). Headers are small on every
	// platform, so a stranger's oversized ones are cut at 64 KiB.
	srv := &http.Server{Handler: r.mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		MaxHeaderBytes: 64 << 10}
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
	allow      string // Allow header of a 405
}

func refuse(status int, reason string) *refusal { return &refusal{status: status, reason: reason} }

// notNow refuses a delivery Firmsync cannot take now but will later: 503
// with Retry-After, which every platform's rule retries.
func notNow(reason string, retryAfter time.Duration) *refusal {
	return &refusal{status: http.StatusServiceUnavailable, reason: reason, retryAfter: strconv.Itoa(int(retryAfter.Seconds()))}
}

// headerCheck refuses, from the headers alone, a delivery its platform
// never sends (unsigned, stale): before any turn is taken or byte read.
type headerCheck func(req *http.Request) *refusal

// post wraps a platform handler with the common rules: POST only, a JSON
// body of at most MaxBody bytes, store before the 2xx, then queue.
//
// Its order keeps strangers from starving real deliveries: everything the
// headers can tell is checked before any turn is taken; the body is read
// under a reader's turn (MaxReaders) and a deadline, so a stalled upload
// is cut off and never holds a verification slot (MaxInFlight), which is
// taken only once the whole body is in memory.
func (r *Receiver) post(platform string, check headerCheck, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if rf := r.checkHeaders(req, check); rf != nil {
			if req.ContentLength != 0 {
				// Not reading a body we refuse: the connection cannot be
				// reused, and closing it frees it at once.
				w.Header().Set("Connection", "close")
			}
			r.deny(w, platform, rf)
			return
		}
		if !r.acquire(req.Context(), r.readers, &r.peakRead) {
			w.Header().Set("Connection", "close")
			r.deny(w, platform, notNow("too many deliveries at once", time.Second))
			return
		}
		defer func() { <-r.readers }()
		body, rf := r.readBody(w, req)
		if rf != nil {
			r.deny(w, platform, rf)
			return
		}
		if !r.acquire(req.Context(), r.slots, &r.peak) {
			r.deny(w, platform, notNow("too many deliveries at once", time.Second))
			return
		}
		defer r.release()
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
		id, err := r.o.Store.AddWebhookEventWithin(*ev, r.o.Limits)
		if errors.Is(err, store.ErrDuplicate) {
			// Already stored: a redelivery (Lawmatics is at-least-once;
			// Box and Zoom retry a lost 2xx) or a replay. Acknowledge it:
			// anything else makes the platform retry, and Clio counts
			// every non-2xx towards suspending the webhook.
			r.replayed.Add(1)
			w.WriteHeader(http.StatusOK)
			return
		}
		if errors.Is(err, store.ErrWebhookStoreFull) {
			r.logFull(platform, err)
			r.deny(w, platform, notNow("event store full", time.Minute))
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

// checkHeaders applies the rules every route shares and then the
// platform's own header check.
func (r *Receiver) checkHeaders(req *http.Request, check headerCheck) *refusal {
	if req.Method != http.MethodPost {
		return &refusal{status: http.StatusMethodNotAllowed, reason: "method not allowed", allow: http.MethodPost}
	}
	if ct := req.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return refuse(http.StatusUnsupportedMediaType, "unsupported content type")
		}
	}
	if req.ContentLength > MaxBody {
		return refuse(http.StatusRequestEntityTooLarge, "body over 1 MiB")
	}
	if check != nil {
		return check(req)
	}
	return nil
}

// readBody reads the body under a deadline of ReadBase plus its length
// at ReadMinRate: a platform sends its few KiB at once, so only a sender
// that stalls (or trickles) meets it, and it is then cut off instead of
// holding its turn for the server's whole ReadTimeout.
func (r *Receiver) readBody(w http.ResponseWriter, req *http.Request) ([]byte, *refusal) {
	n := req.ContentLength
	if n < 0 || n > MaxBody {
		n = MaxBody
	}
	limit := r.o.ReadBase + time.Duration(float64(n)/float64(r.o.ReadMinRate)*float64(time.Second))
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(limit)); err == nil {
		// Lift it once the body is in: the server's background read of
		// the idle connection must not time out (that would cancel the
		// request's context while the event is being stored).
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	} else if !errors.Is(err, http.ErrNotSupported) {
		r.o.Logger.Debug("could not set a read deadline on a webhook delivery", "err", err)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBody))
	if err == nil {
		return body, nil
	}
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return nil, refuse(http.StatusRequestEntityTooLarge, "body over 1 MiB")
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		// A real platform that was merely slow sends it again after a 503.
		w.Header().Set("Connection", "close")
		return nil, notNow("body not received in time", 5*time.Second)
	}
	return nil, refuse(http.StatusBadRequest, "reading body")
}

// logFull says, at most once a minute, that the event store refused an
// event: the platform is told to retry, so nothing is lost unless the
// workers stay stuck longer than the platform keeps retrying.
func (r *Receiver) logFull(platform string, err error) {
	now := time.Now().UnixNano()
	last := r.fullLog.Load()
	if now-last < int64(time.Minute) || !r.fullLog.CompareAndSwap(last, now) {
		return
	}
	r.o.Logger.Warn("webhook event store is full: refusing deliveries with 503 so the platform sends them again later; "+
		"room returns as stored events are processed", "platform", platform, "err", err)
}

// acquire waits up to SlotWait for a turn in sem, recording the peak.
func (r *Receiver) acquire(ctx context.Context, sem chan struct{}, peak *atomic.Int64) bool {
	t := time.NewTimer(r.o.SlotWait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
	n := int64(len(sem)) // holders now, this one included
	for {
		p := peak.Load()
		if n <= p || peak.CompareAndSwap(p, n) {
			break
		}
	}
	return true
}

func (r *Receiver) release() { <-r.slots }

// PeakInFlight is the most deliveries ever verified and stored at once.
func (r *Receiver) PeakInFlight() int64 { return r.peak.Load() }

// PeakReading is the most delivery bodies ever read or held at once.
func (r *Receiver) PeakReading() int64 { return r.peakRead.Load() }

func (r *Receiver) deny(w http.ResponseWriter, platform string, rf *refusal) {
	r.refused.add(platform, rf.reason)
	if rf.allow != "" {
		w.Header().Set("Allow", rf.allow)
	}
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
