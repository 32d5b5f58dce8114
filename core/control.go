package core

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/core/store"
)

// The running instance (GUI or serve) owns the database, which bbolt locks
// so no other process can even read it. It therefore answers the CLI on a
// control endpoint that only the user who runs Firmsync can reach: a Unix
// socket of mode 0600 in the data directory on Linux and macOS
// (control_unix.go); on Windows a loopback TCP port whose address and
// random token sit in a file in the data directory, which lives under the
// user's profile (control_windows.go). Windows gets TCP because Wine and
// Windows builds before 10 1803 have no AF_UNIX, and a named pipe would need
// an extra dependency and a hand-written security descriptor to keep other
// users out, where the token file inherits the profile's protection.
//
// The endpoint is a convenience for the command line: Run starts the
// schedules and the webhook receiver even when it cannot be served.

// controlHello is what the endpoint's /hello answers, so Dial can tell a
// running Firmsync from whatever else took a port a crashed one left in the
// endpoint file.
const controlHello = "firmsync-control"

// control serves the CLI's requests for a running App.
type control struct {
	a   *App
	ep  *controlEndpoint
	srv *http.Server
}

// controlEndpoint is a listening control endpoint.
type controlEndpoint struct {
	ln net.Listener
	// token, when set, must come as "Authorization: Bearer <token>" on
	// every request (loopback TCP: any local user can connect).
	token string
	// remove deletes what locates the endpoint (socket or endpoint file).
	remove func()
}

// controlClient is how Dial reaches an endpoint.
type controlClient struct {
	dial  func(ctx context.Context) (net.Conn, error)
	token string
}

// ServeControl starts the control endpoint. It returns a stop function.
func (a *App) ServeControl() (func(), error) {
	ep, err := listenControl(a.opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("control endpoint: %w", err)
	}
	c := &control{a: a, ep: ep}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", c.hello)
	mux.HandleFunc("GET /status", c.status)
	mux.HandleFunc("GET /log", c.log)
	mux.HandleFunc("POST /sync", c.sync)
	mux.HandleFunc("POST /retry", c.retry)
	mux.HandleFunc("POST /connect", c.connect)
	mux.HandleFunc("POST /disconnect", c.disconnect)
	mux.HandleFunc("POST /show", c.show)
	c.srv = &http.Server{Handler: c.authorize(mux), ReadHeaderTimeout: 5 * time.Second}
	a.bgMu.Lock()
	a.control = c
	a.bgMu.Unlock()
	go func() { _ = c.srv.Serve(ep.ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = c.srv.Shutdown(ctx)
		ep.remove()
	}, nil
}

// authorize refuses requests without the endpoint's token (when it has
// one). The comparison takes the same time whatever the guess.
func (c *control) authorize(next http.Handler) http.Handler {
	if c.ep.token == "" {
		return next
	}
	want := []byte("Bearer " + c.ep.token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not authorized: this endpoint answers only the user running Firmsync"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (c *control) hello(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, 200, map[string]string{"service": controlHello})
}

// OnShow sets what a second launch of the GUI does (bring the window forward).
func (a *App) OnShow(fn func()) {
	a.bgMu.Lock()
	a.onShow = fn
	a.bgMu.Unlock()
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
}

func (c *control) status(w http.ResponseWriter, r *http.Request) {
	st, err := c.a.Status(r.Context())
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, 200, st)
}

func (c *control) log(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lim, _ := strconv.Atoi(q.Get("limit"))
	recs, err := c.a.store.QueryLog(store.LogQuery{Job: q.Get("job"), Status: q.Get("status"), Limit: lim})
	if err != nil {
		writeErr(w, err)
		return
	}
	if recs == nil {
		recs = []store.LogRecord{}
	}
	writeJSON(w, 200, recs)
}

// SyncRequest is the control endpoint's sync body.
type SyncRequest struct {
	Jobs   []string `json:"jobs"`
	DryRun bool     `json:"dry_run"`
}

func (c *control) sync(w http.ResponseWriter, r *http.Request) {
	var in SyncRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, 200, c.a.Sync(r.Context(), in.Jobs, in.DryRun))
}

// RetryRequest is the control endpoint's retry body.
type RetryRequest struct {
	Job string   `json:"job"`
	IDs []uint64 `json:"ids"`
}

func (c *control) retry(w http.ResponseWriter, r *http.Request) {
	var in RetryRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	res, err := c.a.Retry(r.Context(), in.Job, in.IDs)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, 200, res)
}

// ConnectRequest is the control endpoint's connect/disconnect body.
type ConnectRequest struct {
	Platform string `json:"platform"`
	Region   string `json:"region"`
}

func (c *control) connect(w http.ResponseWriter, r *http.Request) {
	var in ConnectRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	// The running instance opens the browser itself (the GUI's session).
	id, err := c.a.Connect(r.Context(), in.Platform, ConnectOptions{Region: in.Region})
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, 200, id)
}

func (c *control) disconnect(w http.ResponseWriter, r *http.Request) {
	var in ConnectRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	if err := c.a.Disconnect(r.Context(), in.Platform); err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, 200, map[string]bool{"ok": true})
}

func (c *control) show(w http.ResponseWriter, r *http.Request) {
	c.a.bgMu.Lock()
	fn := c.a.onShow
	c.a.bgMu.Unlock()
	if fn == nil {
		writeJSON(w, 409, map[string]string{"error": "the running Firmsync has no window (it is `firmsync serve`)"})
		return
	}
	fn()
	writeJSON(w, 200, map[string]bool{"ok": true})
}

// Remote is a client of a running instance's control endpoint.
type Remote struct {
	hc    *http.Client
	token string
}

// ErrNotRunning means no instance answers on the data directory's control
// endpoint.
var ErrNotRunning = errors.New("no running firmsync")

// Dial connects to the running instance of dataDir, or returns an error
// wrapping ErrNotRunning.
func Dial(dataDir string) (*Remote, error) {
	cc, err := controlDialer(dataDir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return cc.dial(ctx) }}
	r := &Remote{hc: &http.Client{Transport: tr}, token: cc.token}
	// Ask who answers: a socket or port a crashed instance left behind may
	// now be nobody's, or someone else's.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var hi map[string]string
	if err := r.call(ctx, http.MethodGet, "/hello", nil, &hi); err != nil || hi["service"] != controlHello {
		tr.CloseIdleConnections()
		return nil, fmt.Errorf("%w: the control endpoint of %s does not answer as Firmsync (%v)", ErrNotRunning, dataDir, err)
	}
	return r, nil
}

func (r *Remote) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://firmsync"+path, body)
	if err != nil {
		return err
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return fmt.Errorf("talking to the running firmsync: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		if e.Error == "" {
			e.Error = resp.Status
		}
		return errors.New(e.Error)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Status asks the running instance for its status.
func (r *Remote) Status(ctx context.Context) (Status, error) {
	var st Status
	return st, r.call(ctx, http.MethodGet, "/status", nil, &st)
}

// Log asks the running instance for log records.
func (r *Remote) Log(ctx context.Context, job, status string, limit int) ([]store.LogRecord, error) {
	var recs []store.LogRecord
	q := url.Values{"job": {job}, "status": {status}, "limit": {strconv.Itoa(limit)}}
	return recs, r.call(ctx, http.MethodGet, "/log?"+q.Encode(), nil, &recs)
}

// Sync asks the running instance to sync and waits for the result.
func (r *Remote) Sync(ctx context.Context, jobs []string, dryRun bool) (SyncResult, error) {
	var res SyncResult
	return res, r.call(ctx, http.MethodPost, "/sync", SyncRequest{Jobs: jobs, DryRun: dryRun}, &res)
}

// Retry asks the running instance to retry items.
func (r *Remote) Retry(ctx context.Context, job string, ids []uint64) (SyncResult, error) {
	var res SyncResult
	return res, r.call(ctx, http.MethodPost, "/retry", RetryRequest{Job: job, IDs: ids}, &res)
}

// Connect asks the running instance to connect a platform.
func (r *Remote) Connect(ctx context.Context, platform, region string) (Identity, error) {
	var id Identity
	return id, r.call(ctx, http.MethodPost, "/connect", ConnectRequest{Platform: platform, Region: region}, &id)
}

// Disconnect asks the running instance to disconnect a platform.
func (r *Remote) Disconnect(ctx context.Context, platform string) error {
	var ok map[string]bool
	return r.call(ctx, http.MethodPost, "/disconnect", ConnectRequest{Platform: platform}, &ok)
}

// Show asks a running GUI to bring its window forward.
func (r *Remote) Show(ctx context.Context) error {
	var ok map[string]bool
	return r.call(ctx, http.MethodPost, "/show", nil, &ok)
}
