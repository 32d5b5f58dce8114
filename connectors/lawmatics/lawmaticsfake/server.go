// Package lawmaticsfake is an in-process fake of the Lawmatics API v1 for
// tests and the Firmsync sandbox. A *Server is an http.Handler; mount it with
// httptest.NewServer. It speaks the wire types of package lawmatics.
//
// One handler serves every Lawmatics host under the real path prefixes:
//
//	/oauth/authorize          app.lawmatics.com consent page (GET shows it, POST answers it)
//	/oauth/token              api.lawmatics.com token endpoint (authorization_code only)
//	/v1/...                   api.lawmatics.com REST API (Bearer token, 50 req/min)
//	/s3/lawmatics-documents/  stands in for the pre-signed S3 URLs in file_url
//
// Routes that are not modelled answer 501 with a JSON body naming the method
// and path, and are recorded for Unhandled.
//
// Outbound webhooks cannot be configured through the API (Lawmatics sets them
// up in Settings > Webhooks); tests and the sandbox use SetWebhookEndpoint,
// SigningSecret and RegenerateSecret instead.
package lawmaticsfake

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// Options configures a Server. The zero value is usable and behaves like the
// real platform.
type Options struct {
	Now                   func() time.Time // clock; nil means time.Now
	RateWindow            time.Duration    // rate-limit window; 0 means the real one (1 minute). Also scales webhook retry backoff.
	RateLimit             int              // requests allowed per window; 0 means the real 50
	HTTPClient            *http.Client     // delivers webhooks; nil means a client with a 10 s timeout
	AllowInsecureWebhooks bool             // accept http:// webhook URLs; the real product requires https
	ClientID              string           // the one registered developer app; "" means "sandbox-lawmatics-client"
	ClientSecret          string           // its secret; "" means "sandbox-lawmatics-secret"
	// RedirectURIs are the registered callback URLs. The real product registers
	// exactly one Callback URL per app; nil means any loopback URI
	// (http://127.0.0.1:*, http://localhost:*, http://[::1]:*) so a desktop
	// client's ephemeral port works.
	RedirectURIs []string
	// NumericCustomFieldIDs writes the ids in records' custom_fields as JSON
	// numbers, as most of the vendor's examples do. The zero value writes
	// strings ("6433"), as its newest example (Create Matter, 2023) does; a
	// client must read both.
	NumericCustomFieldIDs bool
	// ConvertedDateTime writes a hired prospect's converted_date as a
	// timestamp. The zero value writes a plain date (2024-05-01), as a
	// *_date column renders; the vendor's examples only ever show null.
	ConvertedDateTime bool
}

// Server is a fake Lawmatics account (one firm, one developer app).
type Server struct {
	opts   Options
	now    func() time.Time
	window time.Duration
	limit  int
	client *http.Client
	mux    *http.ServeMux

	ctx    context.Context // cancelled by Close; stops webhook retries
	cancel context.CancelFunc
	wg     sync.WaitGroup // in-flight webhook deliveries

	// mu guards st, rate, unhandled and changed.
	mu        sync.Mutex
	st        state
	rate      rateState
	unhandled []string
	changed   chan struct{} // closed and replaced whenever deliveries change
}

var _ http.Handler = (*Server)(nil)

// firmZone is the firm's time zone for rendered timestamps; a fixed offset
// keeps the fake free of tzdata and matches the documented examples.
var firmZone = time.FixedZone("PDT", -7*60*60)

// New returns a Server with a seeded account: one user, the "Case Type"
// custom field, a few practice areas and sub-statuses, no records.
func New(opts Options) *Server {
	s := &Server{opts: opts, now: opts.Now, window: opts.RateWindow, limit: opts.RateLimit, client: opts.HTTPClient}
	if s.now == nil {
		s.now = time.Now
	}
	if s.window <= 0 {
		s.window = time.Minute
	}
	if s.limit <= 0 {
		s.limit = 50
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	if s.opts.ClientID == "" {
		s.opts.ClientID = "sandbox-lawmatics-client"
	}
	if s.opts.ClientSecret == "" {
		s.opts.ClientSecret = "sandbox-lawmatics-secret"
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.changed = make(chan struct{})
	s.st = newState()
	// The seeded definitions were made when the account was.
	for i := range s.st.CustomFields {
		s.st.CustomFields[i].CreatedAt = s.stamp()
	}
	for _, ss := range s.st.SubStatuses {
		ss.Attrs.CreatedAt = s.stamp()
		ss.Attrs.UpdatedAt = ss.Attrs.CreatedAt
	}
	s.routes()
	return s
}

// Close stops webhook retries and waits for in-flight deliveries.
func (s *Server) Close() {
	s.cancel()
	s.wg.Wait()
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /oauth/authorize", s.serveAuthorizePage)
	m.HandleFunc("POST /oauth/authorize", s.serveAuthorizeDecision)
	m.HandleFunc("POST /oauth/token", s.serveToken)
	m.HandleFunc("GET /s3/lawmatics-documents/{id}/{name}", s.servePresigned)

	api := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, s.api(h)) }
	api("GET /v1/users/me", s.serveMe)

	api("GET /v1/contacts", s.listContacts)
	api("POST /v1/contacts", s.createContact)
	api("GET /v1/contacts/{id}", s.showContact)
	api("PUT /v1/contacts/{id}", s.updateContact)
	api("DELETE /v1/contacts/{id}", s.deleteContact)
	api("GET /v1/contacts/find_by_email/{value}", s.findContact("email"))
	api("GET /v1/contacts/find_by_phone/{value}", s.findContact("phone"))
	api("GET /v1/contacts/find_by_name/{value}", s.findContact("name"))

	api("GET /v1/prospects", s.listProspects)
	api("POST /v1/prospects", s.createProspect)
	api("GET /v1/prospects/{id}", s.showProspect)
	api("PUT /v1/prospects/{id}", s.updateProspect)
	api("DELETE /v1/prospects/{id}", s.deleteProspect)
	api("GET /v1/prospects/find_by_email/{value}", s.findProspect("email"))
	api("GET /v1/prospects/find_by_phone/{value}", s.findProspect("phone"))
	api("GET /v1/prospects/find_by_name/{value}", s.findProspect("name"))
	api("GET /v1/sub_statuses", s.listSubStatuses)
	api("GET /v1/practice_areas", s.listPracticeAreas)
	api("GET /v1/custom_fields", s.listCustomFields)
	api("GET /v1/custom_fields/{id}", s.showCustomField)

	api("GET /v1/notes", s.listNotes)
	api("POST /v1/notes", s.createNote)

	api("GET /v1/files", s.listFiles)
	api("POST /v1/files", s.uploadFile)
	api("GET /v1/files/{id}", s.showFile)
	api("GET /v1/files/download/{id}", s.downloadFile)

	m.HandleFunc("/", s.serveUnhandled)
	s.mux = m
}

type ctxKey int

const startKey ctxKey = 0

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", newUUID())
	r = r.WithContext(context.WithValue(r.Context(), startKey, time.Now()))
	s.mux.ServeHTTP(w, r)
}

// api wraps a /v1 handler with Bearer authentication and the firm's rate limit.
func (s *Server) api(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		_, valid := s.st.Tokens[strings.TrimSpace(tok)]
		s.mu.Unlock()
		if !ok || !valid {
			// [U] The 401 body is undocumented; a JSON:API errors body is
			// assumed. Tokens never expire, so a 401 means revoked or wrong.
			writeError(w, r, http.StatusUnauthorized, "Unauthorized", "The access token is invalid or has been revoked.")
			return
		}
		if retry, ok := s.allow(); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retry))
			writeError(w, r, http.StatusTooManyRequests, "Too Many Requests", "Rate limit of "+strconv.Itoa(s.limit)+" requests per minute exceeded.")
			return
		}
		h(w, r)
	})
}

func (s *Server) serveUnhandled(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.unhandled = append(s.unhandled, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	writeJSON(w, r, http.StatusNotImplemented, map[string]string{
		"error": "lawmaticsfake: route not modelled: " + r.Method + " " + r.URL.Path,
	})
}

// Unhandled returns "METHOD /path" for every request that hit an unmodelled route.
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unhandled...)
}

// writeJSON writes v with the headers Lawmatics' Rails stack sends:
// X-Runtime and, on success, a weak ETag (a matching If-None-Match on a GET
// gets 304). X-Request-Id is set by ServeHTTP.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "lawmaticsfake: encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	if start, ok := r.Context().Value(startKey).(time.Time); ok {
		h.Set("X-Runtime", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 6, 64))
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	if status >= 200 && status < 300 {
		sum := md5.Sum(body)
		etag := `W/"` + hex.EncodeToString(sum[:]) + `"`
		h.Set("ETag", etag)
		if r.Method == http.MethodGet && status == http.StatusOK && r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.WriteHeader(status)
	w.Write(body)
}

// wire renders a contact or prospect as the HTTP API writes it: the ids in
// custom_fields become strings unless Options.NumericCustomFieldIDs.
func (s *Server) wire(obj any) map[string]any {
	m := toMap(obj)
	if s.opts.NumericCustomFieldIDs {
		return m
	}
	a, _ := m["attributes"].(map[string]any)
	cfs, _ := a["custom_fields"].([]any)
	for _, e := range cfs {
		if f, ok := e.(map[string]any); ok {
			f["id"] = scalarString(f["id"])
		}
	}
	return m
}

// writeError writes {"errors":[{"status":…,"title":…,"detail":…}]}.
func writeError(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	writeJSON(w, r, status, lawmatics.Error{Errors: []lawmatics.ErrorObject{{Status: status, Title: title, Detail: detail}}})
}

func writeNotFound(w http.ResponseWriter, r *http.Request, what, id string) {
	writeError(w, r, http.StatusNotFound, "Not found", fmt.Sprintf("%s with id %s was not found.", what, id))
}

func writeInvalid(w http.ResponseWriter, r *http.Request, detail string) {
	// [U] Validation-error details are undocumented; 422 with the Rails message.
	writeError(w, r, http.StatusUnprocessableEntity, "Unprocessable Entity", detail)
}

// baseURL is the absolute origin of r, so handed-out URLs work on any port.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// stamp is a timestamp in the firm's zone, rounded to milliseconds as Rails does.
func (s *Server) stamp() lawmatics.Time {
	return lawmatics.Time{Time: s.now().In(firmZone).Truncate(time.Millisecond)}
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
