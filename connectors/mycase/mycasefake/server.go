// Package mycasefake is an in-process fake of the MyCase Open API v1 for
// tests and the Firmsync sandbox. *Server is an http.Handler serving, on
// one host:
//
//	/login_sessions/new, /login_sessions, /tokens   OAuth (auth.mycase.com)
//	/v1/…                                           the API (external-integrations.mycase.com)
//	/_s3/upload/<token>                             pre-signed PUT target (stands in for S3)
//	/_s3/download/<token>                           temporary download URL (302 target)
//
// It answers in the shapes of the vendor's OpenAPI documents: bare arrays,
// Link rel="next" paging with Item-Count, 201/200/204 as documented, and
// {"errors":[{"description","source"}]} errors. Absolute URLs it hands out
// (next links, put_url, download Location) are built from the request
// host, so it works on any port. Routes it does not model answer 501 and
// are recorded (see Unhandled).
package mycasefake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
)

// Options configures a Server. The zero value is usable and behaves like
// the real platform, as far as it is known.
type Options struct {
	Now                   func() time.Time // clock; nil means time.Now
	RateWindow            time.Duration    // rate-limit window; 0 means 1 s. Also scales webhook retry delays.
	RateLimit             int              // requests per window for the app; 0 means 25
	HTTPClient            *http.Client     // delivers webhooks; nil means a client with a 5 s timeout
	AllowInsecureWebhooks bool             // accept http:// subscription URLs ([U] MyCase's rule is undocumented; https only is the strict reading)
	ClientID              string           // registered app id; "" means "sandbox-mycase-client"
	ClientSecret          string           // registered app secret; "" means "sandbox-mycase-secret"
	RedirectURIs          []string         // registered redirect URIs; nil means any loopback http URI
	// ReusableRefresh lets an old refresh token keep working after a
	// refresh. By default a refresh rotates the refresh token and the old
	// one stops working [U: the most defensive reading of MyCase's docs].
	ReusableRefresh bool
}

// Token is a ready-to-use credential pair issued by IssueToken.
type Token struct {
	Access    string // bearer access token
	Refresh   string // refresh token
	ExpiresIn int    // seconds until Access expires
	FirmUUID  string // the firm_uuid of the token reply
}

// Real-platform constants.
const (
	AccessTokenTTL  = 24 * time.Hour      // expires_in 86400
	RefreshTokenTTL = 14 * 24 * time.Hour // refresh tokens last two weeks
	AuthCodeTTL     = 10 * time.Minute    // [U] authorization code lifetime
	PageTokenTTL    = 72 * time.Hour      // next links expire after 3 days
	DownloadURLTTL  = time.Minute         // the 302 Location is valid for a minute
	PutURLTTL       = 15 * time.Minute    // [U] put_url lifetime; short is the demanding reading
	DefaultPageSize = 25
	MaxPageSize     = 1000
	MaxUploadSize   = 64 << 20 // cap on bytes the fake keeps per version
	Scope           = "read write"
)

// Server is a fake MyCase server.
type Server struct {
	opts       Options
	hookClient *http.Client
	mux        *http.ServeMux
	ctx        context.Context // cancelled by Close; stops webhook retries
	cancel     context.CancelFunc
	wg         sync.WaitGroup // in-flight webhook deliveries

	mu         sync.Mutex // guards st, rate, unhandled, deliveries, wake, outbox
	st         *state
	rate       rateWindow
	unhandled  []string
	deliveries []Delivery
	wake       chan struct{}               // closed and replaced when deliveries grows
	outbox     []func(ctx context.Context) // network work queued under mu, run after unlock
}

var _ http.Handler = (*Server)(nil)

// New returns a Server seeded with the connected staff member, the firm,
// practice areas and case stages.
func New(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = "sandbox-mycase-client"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "sandbox-mycase-secret"
	}
	s := &Server{opts: opts, wake: make(chan struct{})}
	s.hookClient = &http.Client{Timeout: 5 * time.Second}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		s.hookClient = &c
	}
	// A delivery is judged by the status it gets; redirects are not followed.
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

// Wait blocks until every queued webhook delivery (with its retries) has
// finished. Call it while no request or admin call is running.
func (s *Server) Wait() { s.wg.Wait() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /login_sessions/new", s.serveLogin)
	m.HandleFunc("POST /login_sessions", s.serveLoginDecision)
	m.HandleFunc("POST /tokens", s.serveToken)
	m.HandleFunc("PUT /_s3/upload/{token}", s.serveS3Put)
	m.HandleFunc("GET /_s3/download/{token}", s.serveS3Get)

	api := func(pattern string, h http.HandlerFunc) { m.HandleFunc(pattern, s.api(h)) }
	api("GET /v1/me", s.serveMe)
	api("GET /v1/firm", s.serveFirm)
	api("GET /v1/clients", s.listClients)
	api("POST /v1/clients", s.createClient)
	api("GET /v1/clients/{id}", s.getClient)
	api("PUT /v1/clients/{id}", s.putClient)
	api("DELETE /v1/clients/{id}", s.deleteClient)
	api("GET /v1/clients/{id}/cases", s.listClientCases)
	api("GET /v1/clients/{id}/notes", s.listNotes("client"))
	api("POST /v1/clients/{id}/notes", s.createNote("client"))
	api("GET /v1/cases", s.listCases)
	api("POST /v1/cases", s.createCase)
	api("GET /v1/cases/{id}", s.getCase)
	api("PUT /v1/cases/{id}", s.putCase)
	api("DELETE /v1/cases/{id}", s.deleteCase)
	api("GET /v1/cases/{id}/notes", s.listNotes("case"))
	api("POST /v1/cases/{id}/notes", s.createNote("case"))
	api("GET /v1/cases/{id}/documents", s.listCaseDocuments)
	api("POST /v1/cases/{id}/documents", s.createCaseDocument)
	api("GET /v1/documents", s.listDocuments)
	api("GET /v1/documents/{id}", s.getDocument)
	api("GET /v1/documents/{id}/data", s.downloadDocument)
	api("GET /v1/documents/{id}/versions", s.listVersions)
	api("POST /v1/documents/{id}/versions", s.createVersion)
	api("GET /v1/practice_areas", s.listPracticeAreas)
	api("GET /v1/custom_fields", s.listCustomFields)
	api("POST /v1/custom_fields", s.createCustomField)
	api("GET /v1/webhooks/subscriptions", s.listSubscriptions)
	api("POST /v1/webhooks/subscriptions", s.createSubscription)
	api("DELETE /v1/webhooks/subscriptions/{id}", s.deleteSubscription)
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
	writeError(w, http.StatusNotImplemented, "mycasefake does not model "+what, nil)
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

// now is the server clock in UTC, to the second.
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
	return time.Second
}

// nextIDLocked returns the next id of kind; the caller holds mu.
func (s *Server) nextIDLocked(kind string) int64 {
	s.st.NextID[kind]++
	return s.st.NextID[kind]
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// stamp renders a timestamp as MyCase does: ISO 8601 with an offset.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

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

// writeError writes MyCase's error body with one error.
func writeError(w http.ResponseWriter, status int, desc string, src *mycase.ErrorSource) {
	writeJSON(w, status, mycase.ErrorBody{Errors: []mycase.ErrorItem{{Description: desc, Source: src}}})
}

// apiErr is an error reply carried out of a locked section.
type apiErr struct {
	status int
	desc   string
	src    *mycase.ErrorSource
}

func (e *apiErr) Error() string { return e.desc }

// invalid is a 422 about the body property at pointer ("/name").
func invalid(pointer, format string, args ...any) *apiErr {
	return &apiErr{status: http.StatusUnprocessableEntity, desc: fmt.Sprintf(format, args...), src: &mycase.ErrorSource{Pointer: pointer}}
}

// badParam is a 400 about query parameter p.
func badParam(p, format string, args ...any) *apiErr {
	return &apiErr{status: http.StatusBadRequest, desc: fmt.Sprintf(format, args...), src: &mycase.ErrorSource{Parameter: p}}
}

func badBody(format string, args ...any) *apiErr {
	return &apiErr{status: http.StatusBadRequest, desc: fmt.Sprintf(format, args...)}
}

func notFoundErr() *apiErr {
	return &apiErr{status: http.StatusNotFound, desc: "The requested resource could not be found."}
}

func writeErr(w http.ResponseWriter, err error) {
	var ae *apiErr
	if errors.As(err, &ae) {
		writeError(w, ae.status, ae.desc, ae.src)
		return
	}
	writeError(w, http.StatusInternalServerError, err.Error(), nil)
}

// decodeBody reads a JSON body into v. Properties the spec's request
// schema does not name are refused (400), as is a body that is not JSON:
// a client sending them would rely on something MyCase does not promise.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return badBody("Content-Type must be application/json")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return badBody("reading body: %v", err)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return badBody("The body format is not correct: %v", err)
	}
	return nil
}

// pathID parses the {id} wildcard.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// blank reports whether a required string is missing.
func blank(p *string) bool { return p == nil || strings.TrimSpace(*p) == "" }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
