// Package cliofake is an in-process fake of the Clio Manage API v4 for tests
// and the Firmsync sandbox. *Server is an http.Handler serving, on one host:
//
//	/oauth/authorize, /oauth/token, /oauth/deauthorize, /oauth/approval   OAuth (app.clio.com)
//	/api/v4/<resource>.json, /api/v4/<resource>/<id>.json                 the REST API
//	/_s3/upload/<uuid>                                                     pre-signed PUT target (stands in for S3)
//	/_s3/download/<uuid>                                                   signed download URL (303 target)
//
// Absolute URLs it hands out (paging next, put_url, download Location) are
// built from the request host, so it works on any port. Routes it does not
// model answer 501 and are recorded (see Unhandled).
package cliofake

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

// Options configures a Server. The zero value is usable and behaves like the
// real platform.
type Options struct {
	Now                   func() time.Time // clock; nil means time.Now
	RateWindow            time.Duration    // rate-limit window; 0 means 60 s. Also scales webhook retry delays.
	RateLimit             int              // requests per window per access token; 0 means 50
	HTTPClient            *http.Client     // delivers webhooks; nil means a client with a 10 s timeout
	AllowInsecureWebhooks bool             // accept http:// webhook URLs (Clio requires https)
	ClientID              string           // registered app id; "" means "sandbox-clio-client"
	ClientSecret          string           // registered app secret; "" means "sandbox-clio-secret"
	RedirectURIs          []string         // registered redirect URIs; nil means any loopback http URI
}

// Token is a ready-to-use credential pair issued by IssueToken.
type Token struct {
	Access    string // bearer access token
	Refresh   string // refresh token (never expires until revoked)
	ExpiresIn int    // seconds until Access expires
}

// Real-platform constants.
const (
	DefaultAPIVersion = "4.0.9"             // X-API-VERSION echoed when the request names none
	AccessTokenTTL    = 30 * 24 * time.Hour // expires_in 2592000
	AuthCodeTTL       = 10 * time.Minute    // [U] authorization code lifetime
	MaxUploadSize     = 64 << 20            // cap on bytes the fake keeps per uploaded version
	ApprovalURI       = "https://app.clio.com/oauth/approval"
)

// Server is a fake Clio Manage API v4 server.
type Server struct {
	opts       Options
	schemas    schemas
	hookClient *http.Client
	mux        *http.ServeMux
	ctx        context.Context // cancelled by Close; stops webhook retries
	cancel     context.CancelFunc
	wg         sync.WaitGroup // in-flight webhook deliveries and handshakes

	mu         sync.Mutex // guards st, rate, unhandled, deliveries, wake, outbox
	st         *state
	rate       map[string]*rateWindow
	unhandled  []string
	deliveries []Delivery
	wake       chan struct{}               // closed and replaced when deliveries grows
	outbox     []func(ctx context.Context) // network work queued under mu, run after unlock
}

var _ http.Handler = (*Server)(nil)

// New returns a Server seeded with the who_am_i attorney and the default
// practice areas.
func New(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = "sandbox-clio-client"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "sandbox-clio-secret"
	}
	s := &Server{opts: opts, rate: map[string]*rateWindow{}, wake: make(chan struct{})}
	s.hookClient = &http.Client{Timeout: 10 * time.Second}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		s.hookClient = &c
	}
	// Clio judges a delivery by the status it gets; redirects are not followed.
	s.hookClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.st = newState()
	s.seedLocked()
	s.mux = s.routes()
	return s
}

// Close stops webhook retries and waits for in-flight deliveries.
func (s *Server) Close() {
	s.cancel()
	s.wg.Wait()
}

// Wait blocks until every queued webhook handshake and delivery (with its
// retries) has finished. Call it while no request or admin call is running.
func (s *Server) Wait() { s.wg.Wait() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /oauth/authorize", s.serveAuthorize)
	m.HandleFunc("POST /oauth/authorize", s.serveAuthorizeDecision)
	m.HandleFunc("GET /oauth/approval", s.serveApproval)
	m.HandleFunc("POST /oauth/token", s.serveToken)
	m.HandleFunc("POST /oauth/deauthorize", s.serveDeauthorize)
	m.HandleFunc("PUT /_s3/upload/{uuid}", s.serveS3Put)
	m.HandleFunc("GET /_s3/download/{uuid}", s.serveS3Get)

	api := func(pattern string, h http.HandlerFunc) { m.HandleFunc(pattern, s.api(h)) }
	api("GET /api/v4/users/who_am_i.json", s.serveWhoAmI)
	api("GET /api/v4/contacts.json", s.listContacts)
	api("POST /api/v4/contacts.json", s.createContact)
	api("GET /api/v4/contacts/{file}", s.getContact)
	api("PATCH /api/v4/contacts/{file}", s.patchContact)
	api("DELETE /api/v4/contacts/{file}", s.deleteContact)
	api("GET /api/v4/matters.json", s.listMatters)
	api("POST /api/v4/matters.json", s.createMatter)
	api("GET /api/v4/matters/{file}", s.getMatter)
	api("PATCH /api/v4/matters/{file}", s.patchMatter)
	api("DELETE /api/v4/matters/{file}", s.deleteMatter)
	api("GET /api/v4/practice_areas.json", s.listPracticeAreas)
	api("POST /api/v4/practice_areas.json", s.createPracticeArea)
	api("GET /api/v4/practice_areas/{file}", s.getPracticeArea)
	api("GET /api/v4/custom_fields.json", s.listCustomFields)
	api("POST /api/v4/custom_fields.json", s.createCustomField)
	api("GET /api/v4/custom_fields/{file}", s.getCustomField)
	api("GET /api/v4/notes.json", s.listNotes)
	api("POST /api/v4/notes.json", s.createNote)
	api("GET /api/v4/notes/{file}", s.getNote)
	api("GET /api/v4/documents.json", s.listDocuments)
	api("POST /api/v4/documents.json", s.createDocument)
	api("GET /api/v4/documents/{file}", s.getDocument)
	api("PATCH /api/v4/documents/{file}", s.patchDocument)
	api("GET /api/v4/documents/{id}/download.json", s.downloadDocument)
	api("GET /api/v4/folders.json", s.listFolders)
	api("POST /api/v4/folders.json", s.createFolder)
	api("GET /api/v4/folders/{file}", s.getFolder)
	api("GET /api/v4/webhooks.json", s.listWebhooks)
	api("POST /api/v4/webhooks.json", s.createWebhook)
	api("GET /api/v4/webhooks/{file}", s.getWebhook)
	api("PATCH /api/v4/webhooks/{file}", s.patchWebhook)
	api("DELETE /api/v4/webhooks/{file}", s.deleteWebhook)
	api("PUT /api/v4/webhooks/{id}/activate", s.activateWebhook)
	m.HandleFunc("/", s.serveUnhandled)
	return m
}

// Unhandled lists "METHOD /path" of every request the fake does not model.
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.unhandled)
}

func (s *Server) serveUnhandled(w http.ResponseWriter, r *http.Request) {
	what := r.Method + " " + r.URL.Path
	s.mu.Lock()
	s.unhandled = append(s.unhandled, what)
	s.mu.Unlock()
	writeError(w, http.StatusNotImplemented, "NotImplemented", "cliofake does not model "+what)
}

// unlockAndFlush releases mu and starts the network work queued under it.
func (s *Server) unlockAndFlush() {
	work := s.outbox
	s.outbox = nil
	s.mu.Unlock()
	for _, f := range work {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			f(s.ctx)
		}()
	}
}

// now is the server clock in UTC, to the second (Clio's timestamp precision).
func (s *Server) now() time.Time { return s.clock().UTC().Truncate(time.Second) }

// clock is the raw server clock.
func (s *Server) clock() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func (s *Server) rateWindowLen() time.Duration {
	if s.opts.RateWindow > 0 {
		return s.opts.RateWindow
	}
	return time.Minute
}

// nextIDLocked returns the next id of kind; the caller holds mu.
func (s *Server) nextIDLocked(kind string) int64 {
	s.st.NextID[kind]++
	return s.st.NextID[kind]
}

// etagLocked returns a fresh quoted etag; the caller holds mu.
func (s *Server) etagLocked() string {
	s.st.EtagSeq++
	sum := sha256.Sum256(fmt.Appendf(nil, "%x:%d", s.st.SignKey, s.st.EtagSeq))
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func dateOf(t time.Time) *string {
	d := t.Format(time.DateOnly)
	return &d
}

// --- reply helpers ---

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// writeError writes Clio's generic error body {"error":{"type","message"}}.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, &clio.Error{Detail: clio.ErrorDetail{Type: typ, Message: msg}})
}

func badRequest(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, "InvalidParameterError", msg)
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "RecordNotFound", "The requested record could not be found")
}

func unprocessable(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusUnprocessableEntity, "ValidationError", msg)
}

// apiErr is a validation result carried out of a locked section.
type apiErr struct {
	status int
	typ    string
	msg    string
}

func (e *apiErr) Error() string { return e.msg }

func errf(status int, typ, format string, args ...any) *apiErr {
	return &apiErr{status: status, typ: typ, msg: fmt.Sprintf(format, args...)}
}

func write422(format string, args ...any) *apiErr {
	return errf(http.StatusUnprocessableEntity, "ValidationError", format, args...)
}

func writeErr(w http.ResponseWriter, err error) {
	var ae *apiErr
	if errors.As(err, &ae) {
		writeError(w, ae.status, ae.typ, ae.msg)
		return
	}
	writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
}

// decodeData reads a {"data":{…}} JSON body into v.
func decodeData(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return errf(http.StatusBadRequest, "InvalidParameterError", "reading body: %v", err)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || len(env.Data) == 0 || string(env.Data) == "null" {
		return errf(http.StatusBadRequest, "InvalidParameterError", "body must be JSON {\"data\":{…}}")
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		return errf(http.StatusBadRequest, "InvalidParameterError", "decoding data: %v", err)
	}
	return nil
}

// pathID parses the {file} wildcard "123.json" (or {id} "123").
func pathID(r *http.Request) (int64, bool) {
	v := r.PathValue("file")
	if v != "" {
		var ok bool
		if v, ok = strings.CutSuffix(v, ".json"); !ok {
			return 0, false
		}
	} else {
		v = r.PathValue("id")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0
}

// fieldsPlan compiles ?fields= for sample's type, answering 400 when bad.
func (s *Server) fieldsPlan(w http.ResponseWriter, r *http.Request, sample any) (plan, bool) {
	p, err := s.compileFields(r.URL.Query().Get("fields"), sample)
	if err != nil {
		badRequest(w, err.Error())
		return nil, false
	}
	return p, true
}

// recordReply is a single record rendered under mu, written after unlock.
type recordReply struct {
	status  int
	etag    string
	updated time.Time
	data    any
}

// writeRecord writes {"data":…} with ETag and Last-Modified, answering 304
// to a matching If-None-Match / If-Modified-Since on GET.
func writeRecord(w http.ResponseWriter, r *http.Request, rep recordReply) {
	h := w.Header()
	h.Set("ETag", rep.etag)
	h.Set("Last-Modified", rep.updated.UTC().Format(http.TimeFormat))
	if r.Method == http.MethodGet {
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			if etagMatches(inm, rep.etag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !rep.updated.After(ims) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	writeJSON(w, cmp.Or(rep.status, http.StatusOK), map[string]any{"data": rep.data})
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// checkIfMatch returns a 412 error when the request's If-Match is stale.
func checkIfMatch(r *http.Request, etag string) error {
	if im := r.Header.Get("If-Match"); im != "" && !etagMatches(im, etag) {
		return errf(http.StatusPreconditionFailed, "PreconditionFailed", "The record has changed since it was read (stale If-Match)")
	}
	return nil
}

func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
