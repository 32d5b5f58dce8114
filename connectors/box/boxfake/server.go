// Package boxfake is an in-process fake of the Box Platform API 2.0, faithful
// enough for Firmsync's Box connector to be developed and tested against it.
//
// One handler serves every Box host under the real path prefixes:
//
//	/2.0/...                  api.box.com (users/me, folders, files, metadata, webhooks, preflight)
//	/api/2.0/...              upload.box.com (direct uploads, new versions, chunked upload sessions)
//	/oauth2/token, /oauth2/revoke   api.box.com OAuth endpoints
//	/api/oauth2/authorize     account.box.com consent page
//	/dl/{ticket}              the download host a GET /2.0/files/{id}/content redirects to
//
// Absolute URLs the fake hands out (upload session endpoints, download
// redirects, preflight upload_url) are built from the request's Host, so the
// fake works on any port. File contents live on disk in Options.StorageDir
// (a temporary directory when empty), so large transfers never sit in memory.
// Any route the fake does not model answers 501 and is recorded in Unhandled.
package boxfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
)

// Options configures a Server. The zero value is usable and behaves like the real platform.
type Options struct {
	Now                   func() time.Time // clock; nil means time.Now
	RateWindow            time.Duration    // rate-limit window; 0 means one minute. Also scales webhook retry delays (delay × RateWindow/1min).
	RateLimit             int              // API requests per window per user; 0 means 1000
	UploadRateLimit       int              // uploads per window per user; 0 means 240
	HTTPClient            *http.Client     // delivers webhooks; nil means a client with a 10 s timeout
	AllowInsecureWebhooks bool             // accept http:// and non-443 webhook addresses (the sandbox on loopback)
	ClientID              string           // the registered app; "" means "sandbox-box-client"
	ClientSecret          string           // "" means "sandbox-box-secret"
	RedirectURIs          []string         // registered redirect URIs; nil means any http(s) loopback URI
	StorageDir            string           // where file contents and upload parts are kept; "" means a temporary directory made on first use and removed by Close
}

// Token is a ready-made credential pair from IssueToken.
type Token struct {
	Access    string // bearer access token
	Refresh   string // single-use refresh token
	ExpiresIn int    // access token lifetime in seconds
}

// Limits and lifetimes of the real platform.
const (
	accessTokenLifetime  = time.Hour
	refreshTokenLifetime = 60 * 24 * time.Hour
	authCodeLifetime     = 30 * time.Second
	sessionLifetime      = 7 * 24 * time.Hour
	downloadLifetime     = 15 * time.Minute
	defaultRateWindow    = time.Minute
	defaultRateLimit     = 1000
	defaultUploadLimit   = 240
	partSize             = 8 << 20 // 8 MiB, Box's part size for files under ~ 2 GB

	// [U] The guides say 20 MB minimum for chunked uploads and 50 MB maximum
	// for direct ones without saying which megabyte. The demanding reading
	// narrows both: chunked needs at least 20 MiB, direct allows at most
	// 50,000,000 bytes, so a client must pick the right path on either side.
	minChunkedSize = 20 << 20
	maxDirectSize  = 50_000_000

	helpURL = "http://developers.box.com/docs/#errors"
)

// Server is a fake Box. It implements http.Handler.
type Server struct {
	opts     Options
	now      func() time.Time
	httpc    *http.Client
	mux      *http.ServeMux
	ctx      context.Context // cancelled by Close; stops webhook retries
	cancel   context.CancelFunc
	inflight sync.WaitGroup // webhook delivery goroutines

	storeOnce sync.Once // makes the storage directory
	storeDir  string
	storeErr  error
	ownsDir   bool // storeDir is a temp dir this Server removes on Close

	mu sync.Mutex // guards everything below
	st state      // the snapshotable state
	// Not snapshotted:
	codes     map[string]*authCode // authorization codes (30 s)
	downloads map[string]download  // download tickets
	rate      rateState
	unhandled []string   // "METHOD /path" of unmodelled requests
	delivered []Delivery // webhook delivery attempts, in order
	changed   chan struct{}
	closed    bool
	reqSeq    int64
}

// state is everything Snapshot writes and Restore reads.
type state struct {
	User          box.User                 `json:"user"`
	Items         map[string]*item         `json:"items"`
	Access        map[string]*accessToken  `json:"access"`
	Refresh       map[string]*refreshToken `json:"refresh"`
	Sessions      map[string]*session      `json:"sessions"`
	Webhooks      map[string]*webhook      `json:"webhooks"`
	PrimaryKey    string                   `json:"primary_key"`
	SecondaryKey  string                   `json:"secondary_key"`
	NextID        int64                    `json:"next_id"`
	NextVersionID int64                    `json:"next_version_id"`
	NextWebhookID int64                    `json:"next_webhook_id"`
}

// item is a folder or a file.
type item struct {
	ID                string            `json:"id"`
	Type              string            `json:"type"` // "folder" or "file"
	Name              string            `json:"name"`
	ParentID          string            `json:"parent_id"` // "" for the root
	Description       string            `json:"description"`
	Etag              int               `json:"etag"`
	CreatedAt         time.Time         `json:"created_at"`
	ModifiedAt        time.Time         `json:"modified_at"`
	ContentCreatedAt  time.Time         `json:"content_created_at"`
	ContentModifiedAt time.Time         `json:"content_modified_at"`
	TrashedAt         *time.Time        `json:"trashed_at,omitempty"` // non-nil: in the trash
	Size              int64             `json:"size,omitempty"`       // files
	SHA1              string            `json:"sha1,omitempty"`       // files, hex
	VersionID         string            `json:"version_id,omitempty"` // files
	Blob              string            `json:"blob,omitempty"`       // files: file name in the storage dir
	Metadata          map[string]string `json:"metadata,omitempty"`   // global.properties instance
	MetadataID        string            `json:"metadata_id,omitempty"`
}

// New returns a Server with an empty account: the root folder "0" ("All Files")
// and the user "Sandbox User".
func New(opts Options) *Server {
	s := &Server{opts: opts, now: opts.Now, httpc: opts.HTTPClient}
	if s.now == nil {
		s.now = time.Now
	}
	if s.httpc == nil {
		s.httpc = &http.Client{Timeout: 10 * time.Second}
	}
	if s.opts.ClientID == "" {
		s.opts.ClientID = "sandbox-box-client"
	}
	if s.opts.ClientSecret == "" {
		s.opts.ClientSecret = "sandbox-box-secret"
	}
	if s.opts.RateWindow <= 0 {
		s.opts.RateWindow = defaultRateWindow
	}
	if s.opts.RateLimit <= 0 {
		s.opts.RateLimit = defaultRateLimit
	}
	if s.opts.UploadRateLimit <= 0 {
		s.opts.UploadRateLimit = defaultUploadLimit
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.st = newState(s.now())
	s.codes = map[string]*authCode{}
	s.downloads = map[string]download{}
	s.changed = make(chan struct{})
	s.mux = s.routes()
	return s
}

func newState(now time.Time) state {
	now = now.UTC().Truncate(time.Second)
	st := state{
		User:          box.User{Type: "user", ID: "11446498", Name: "Sandbox User", Login: "sandbox@example.com"},
		Items:         map[string]*item{},
		Access:        map[string]*accessToken{},
		Refresh:       map[string]*refreshToken{},
		Sessions:      map[string]*session{},
		Webhooks:      map[string]*webhook{},
		PrimaryKey:    randomString(32),
		SecondaryKey:  randomString(32),
		NextID:        100000001,
		NextVersionID: 500000001,
		NextWebhookID: 4000001,
	}
	st.Items["0"] = &item{ID: "0", Type: "folder", Name: "All Files", CreatedAt: now, ModifiedAt: now, ContentCreatedAt: now, ContentModifiedAt: now}
	return st
}

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	// OAuth.
	m.HandleFunc("GET /api/oauth2/authorize", s.handleAuthorize)
	m.HandleFunc("POST /api/oauth2/authorize", s.handleAuthorizeDecision)
	m.HandleFunc("POST /oauth2/token", s.handleToken)
	m.HandleFunc("POST /oauth2/revoke", s.handleRevoke)
	// API host.
	m.HandleFunc("GET /2.0/users/me", s.api(s.handleMe))
	m.HandleFunc("POST /2.0/folders", s.api(s.handleCreateFolder))
	m.HandleFunc("GET /2.0/folders/{id}", s.api(s.handleGetFolder))
	m.HandleFunc("PUT /2.0/folders/{id}", s.api(s.handleUpdateFolder))
	m.HandleFunc("DELETE /2.0/folders/{id}", s.api(s.handleDeleteFolder))
	m.HandleFunc("GET /2.0/folders/{id}/items", s.api(s.handleListItems))
	m.HandleFunc("OPTIONS /2.0/files/content", s.api(s.handlePreflightNew))
	m.HandleFunc("OPTIONS /2.0/files/{id}/content", s.api(s.handlePreflightVersion))
	m.HandleFunc("GET /2.0/files/{id}", s.api(s.handleGetFile))
	m.HandleFunc("DELETE /2.0/files/{id}", s.api(s.handleDeleteFile))
	m.HandleFunc("GET /2.0/files/{id}/content", s.api(s.handleDownload))
	for _, kind := range []string{"folders", "files"} {
		p := "/2.0/" + kind + "/{id}/metadata/global/properties"
		m.HandleFunc("POST "+p, s.api(s.handleCreateMetadata))
		m.HandleFunc("GET "+p, s.api(s.handleGetMetadata))
		m.HandleFunc("PUT "+p, s.api(s.handleUpdateMetadata))
		m.HandleFunc("DELETE "+p, s.api(s.handleDeleteMetadata))
	}
	m.HandleFunc("POST /2.0/webhooks", s.api(s.handleCreateWebhook))
	m.HandleFunc("GET /2.0/webhooks", s.api(s.handleListWebhooks))
	m.HandleFunc("GET /2.0/webhooks/{id}", s.api(s.handleGetWebhook))
	m.HandleFunc("PUT /2.0/webhooks/{id}", s.api(s.handleUpdateWebhook))
	m.HandleFunc("DELETE /2.0/webhooks/{id}", s.api(s.handleDeleteWebhook))
	// Upload host.
	m.HandleFunc("POST /api/2.0/files/content", s.upload(s.handleUploadNew))
	m.HandleFunc("POST /api/2.0/files/{id}/content", s.upload(s.handleUploadVersion))
	m.HandleFunc("POST /api/2.0/files/upload_sessions", s.upload(s.handleCreateSession))
	m.HandleFunc("POST /api/2.0/files/{id}/upload_sessions", s.upload(s.handleCreateVersionSession))
	m.HandleFunc("PUT /api/2.0/files/upload_sessions/{sid}", s.upload(s.handleUploadPart))
	m.HandleFunc("GET /api/2.0/files/upload_sessions/{sid}", s.upload(s.handleSessionStatus))
	m.HandleFunc("DELETE /api/2.0/files/upload_sessions/{sid}", s.upload(s.handleAbortSession))
	m.HandleFunc("GET /api/2.0/files/upload_sessions/{sid}/parts", s.upload(s.handleListParts))
	m.HandleFunc("POST /api/2.0/files/upload_sessions/{sid}/commit", s.upload(s.handleCommit))
	// Download host (unauthenticated; the ticket is the credential).
	m.HandleFunc("GET /dl/{ticket}", s.handleDownloadTicket)
	m.HandleFunc("/", s.serveUnhandled)
	return m
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqSeq++
	id := fmt.Sprintf("%x%s", s.reqSeq, randomString(6))
	s.mu.Unlock()
	w.Header().Set("box-request-id", id)
	s.mux.ServeHTTP(w, r)
}

func (s *Server) serveUnhandled(w http.ResponseWriter, r *http.Request) {
	what := r.Method + " " + r.URL.Path
	s.mu.Lock()
	s.unhandled = append(s.unhandled, what)
	s.mu.Unlock()
	writeJSON(w, http.StatusNotImplemented, map[string]any{
		"type": "error", "status": http.StatusNotImplemented, "code": "not_implemented",
		"message": "boxfake does not model " + what,
	})
}

// Unhandled returns "METHOD /path" for every request no route modelled, in order.
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unhandled...)
}

// Close stops webhook retries, waits for in-flight deliveries and removes the
// temporary storage directory if the Server made one. The Server must not be
// used afterwards.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.inflight.Wait()
	if s.ownsDir {
		if err := os.RemoveAll(s.storeDir); err != nil {
			return fmt.Errorf("boxfake: remove storage: %w", err)
		}
	}
	return nil
}

// --- response helpers ---

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes a ClientError. contextInfo may be nil.
func writeError(w http.ResponseWriter, status int, code, message string, contextInfo any) {
	e := box.Error{Type: "error", Status: status, Code: code, Message: message, HelpURL: helpURL,
		RequestID: w.Header().Get("box-request-id")}
	if contextInfo != nil {
		raw, _ := json.Marshal(contextInfo)
		e.ContextInfo = raw
	}
	writeJSON(w, status, e)
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "not_found", "Not Found", nil)
}

func badRequest(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, "bad_request", msg, nil)
}

// decodeJSON reads a JSON body into v, refusing garbage with a 400.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		badRequest(w, "Invalid value in request body: "+err.Error())
		return false
	}
	return true
}

// baseURL is the scheme and host the client reached us on.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func randomString(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func ptr[T any](v T) *T { return &v }

// fieldSet parses ?fields=a,b. nil means no fields parameter.
func fieldSet(r *http.Request) map[string]bool {
	raw := r.URL.Query().Get("fields")
	if raw == "" {
		return nil
	}
	set := map[string]bool{}
	for f := range strings.SplitSeq(raw, ",") {
		if f = strings.TrimSpace(f); f != "" {
			set[f] = true
		}
	}
	return set
}

var _ http.Handler = (*Server)(nil)
