package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/core/store"
)

// The running instance (GUI or serve) owns the database, which bbolt locks
// so no other process can even read it. It therefore answers the CLI on a
// Unix socket in the data directory (mode 0600, so only the user who runs
// Firmsync can reach it).

// ControlSocket is the control endpoint's path inside a data directory.
func ControlSocket(dataDir string) string { return filepath.Join(dataDir, "control.sock") }

// control serves the CLI's requests for a running App.
type control struct {
	a   *App
	ln  net.Listener
	srv *http.Server
}

// ServeControl starts the control endpoint. It returns a stop function.
func (a *App) ServeControl() (func(), error) {
	path := ControlSocket(a.opts.DataDir)
	_ = os.Remove(path) // a stale socket from a crash: we hold the DB lock, so it is ours
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control endpoint: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control endpoint: securing %s: %w", path, err)
	}
	c := &control{a: a, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", c.status)
	mux.HandleFunc("GET /log", c.log)
	mux.HandleFunc("POST /sync", c.sync)
	mux.HandleFunc("POST /retry", c.retry)
	mux.HandleFunc("POST /connect", c.connect)
	mux.HandleFunc("POST /disconnect", c.disconnect)
	mux.HandleFunc("POST /show", c.show)
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	a.bgMu.Lock()
	a.control = c
	a.bgMu.Unlock()
	go func() { _ = c.srv.Serve(ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = c.srv.Shutdown(ctx)
		_ = os.Remove(path)
	}, nil
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
	hc *http.Client
}

// ErrNotRunning means no instance answers on the data directory's socket.
var ErrNotRunning = errors.New("no running firmsync")

// Dial connects to the running instance of dataDir, or returns ErrNotRunning.
func Dial(dataDir string) (*Remote, error) {
	path := ControlSocket(dataDir)
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil, ErrNotRunning
	}
	conn.Close()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	return &Remote{hc: &http.Client{Transport: tr}}, nil
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
