// Package zoomfake is an in-process fake of the Zoom API v2 and Zoom OAuth,
// for Firmsync's tests and sandbox. It speaks the wire types of package zoom.
//
// Real Zoom splits hosts (zoom.us for OAuth, api.zoom.us for the API); the
// fake serves every path from one http.Handler on one host:
//
//	GET  /oauth/authorize                       consent page (Allow/Deny POST back)
//	POST /oauth/authorize                       consent decision → redirect
//	POST /oauth/token                           authorization_code, refresh_token grants
//	POST /oauth/revoke                          revoke an access token and its refresh token
//	GET  /v2/users/me                           the token's user (Light)
//	GET  /v2/users/me/recordings                cloud recordings by date range (Medium)
//	GET  /v2/meetings/{id|uuid}/recordings      one meeting's recording (Light)
//	GET  /v2/meetings/{uuid}/meeting_summary    AI Companion summary (Light)
//	GET  /v2/past_meetings/{id|uuid}/participants participants (Medium)
//	GET  /v2/phone/external_contacts            Zoom Phone external contacts (Phone Light)
//	POST /v2/phone/external_contacts
//	GET|PATCH|DELETE /v2/phone/external_contacts/{id}
//	GET  /rec/download/{fileId}                 authenticated download; 302 → /rec/file/{fileId}
//	GET  /rec/file/{fileId}                     the bytes (Bearer still required)
//	GET  /rec/play/{fileId}                     browser play page
//
// Anything else answers 501 and is recorded (see Server.Unhandled).
// Webhooks are configured as in the Marketplace console, through
// Server.SetWebhookEndpoint; "a person did it" methods (EndMeeting,
// CompleteTranscript, ...) live in admin.go.
package zoomfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// Options configures a Server. The zero value is usable and behaves like the
// real platform.
type Options struct {
	Now                   func() time.Time // clock; nil means time.Now
	RateWindow            time.Duration    // rate-limit window length; 0 means the real one (1 s)
	RateLimit             int              // Light requests per window; 0 means Pro's 30. Medium and Phone scale with it.
	HTTPClient            *http.Client     // delivers webhooks; nil means a client with a 10 s timeout
	AllowInsecureWebhooks bool             // accept http:// webhook URLs; the real console requires https
	ClientID              string           // the registered app; "" means "sandbox-zoom-client"
	ClientSecret          string           // "" means "sandbox-zoom-secret"
	RedirectURIs          []string         // registered redirect URIs; nil means any loopback http URI
	// RetryScale multiplies the real webhook retry delays (+5, +20, +60 min).
	// 0 derives it from RateWindow (RateWindow / 1 s), so a sandbox scaled
	// for benchmarks also retries faster.
	RetryScale float64
}

// Token is a ready OAuth token pair, as IssueToken returns it.
type Token struct {
	Access    string // Bearer access token
	Refresh   string // refresh token (rotates on every use)
	ExpiresIn int    // seconds, 3599
}

// Real Zoom lifetimes.
const (
	accessLifetime    = time.Hour
	expiresIn         = 3599
	refreshLifetime   = 90 * 24 * time.Hour // [U] "~90 days of non-use"; each use rotates, so 90 days from issue
	codeLifetime      = 5 * time.Minute
	pageTokenLifetime = 15 * time.Minute
	downloadTokenTTL  = 24 * time.Hour // [U] webhook download_token, "24 h often cited"
	defaultPageSize   = 30
	maxPageSize       = 300
)

// Server is the fake. It implements http.Handler.
type Server struct {
	opts   Options
	client *http.Client

	mu         sync.Mutex // guards st, rate, unhandled, baseURL and the webhook delivery fields below
	st         state
	rate       map[string]*rateBucket // by rate label
	unhandled  []string
	baseURL    string // for absolute URLs outside a request (webhooks, admin returns)
	basePinned bool   // SetBaseURL fixed baseURL

	// Webhook delivery (guarded by mu).
	queue      []*delivery
	draining   bool
	timers     map[*time.Timer]struct{}
	closed     bool
	attempts   []Delivery
	attemptsCh chan struct{} // closed and replaced whenever attempts grows
	wg         sync.WaitGroup
}

var _ http.Handler = (*Server)(nil)

// state is everything Snapshot persists. It is guarded by Server.mu.
type state struct {
	AccountID      string                    `json:"account_id"`
	OwnerID        string                    `json:"owner_id"`
	NextMeetingID  int64                     `json:"next_meeting_id"`
	NextFile       int64                     `json:"next_file"`
	Users          map[string]*user          `json:"users"`           // by user ID
	Meetings       map[string]*meeting       `json:"meetings"`        // by UUID
	Codes          map[string]*authCode      `json:"codes"`           // by code
	Access         map[string]*accessToken   `json:"access"`          // by token
	Refresh        map[string]*refreshToken  `json:"refresh"`         // by token
	DownloadTokens map[string]*downloadToken `json:"download_tokens"` // by token
	PageTokens     map[string]*pageToken     `json:"page_tokens"`     // by token
	Contacts       map[string]*contact       `json:"contacts"`        // by external_contact_id
	ContactOrder   []string                  `json:"contact_order"`
	Webhook        webhookState              `json:"webhook"`
}

// New returns a fake with one Pro account whose owner is
// owner@sandbox.zoom.test (Sandbox Owner); OAuth tokens belong to the owner
// unless the consent page picks another user.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Second
	}
	if opts.ClientID == "" {
		opts.ClientID = "sandbox-zoom-client"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "sandbox-zoom-secret"
	}
	if opts.RetryScale <= 0 {
		opts.RetryScale = float64(opts.RateWindow) / float64(time.Second)
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		opts:       opts,
		client:     client,
		st:         newState(),
		rate:       map[string]*rateBucket{},
		timers:     map[*time.Timer]struct{}{},
		attemptsCh: make(chan struct{}),
	}
	s.st.AccountID = randomID(22)
	s.st.Webhook.Secret = randomID(22)
	u := s.addUserLocked("owner@sandbox.zoom.test", "Sandbox", "Owner")
	u.RoleName = "Owner"
	s.st.OwnerID = u.ID
	return s
}

func newState() state {
	return state{
		NextMeetingID:  81234567890,
		Users:          map[string]*user{},
		Meetings:       map[string]*meeting{},
		Codes:          map[string]*authCode{},
		Access:         map[string]*accessToken{},
		Refresh:        map[string]*refreshToken{},
		DownloadTokens: map[string]*downloadToken{},
		PageTokens:     map[string]*pageToken{},
		Contacts:       map[string]*contact{},
	}
}

func (s *Server) now() time.Time { return s.opts.Now().UTC() }

// ServeHTTP routes /oauth/..., /v2/... and /rec/... requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(zoom.HeaderTrackingID, "v=2.0;clid=us06;rid=WEB_"+randomHex(16))
	base := requestBase(r)
	s.mu.Lock()
	if !s.basePinned {
		s.baseURL = base
	}
	s.mu.Unlock()

	p := r.URL.EscapedPath()
	switch {
	case p == "/oauth/authorize":
		s.serveAuthorize(w, r)
	case p == "/oauth/token":
		s.serveToken(w, r)
	case p == "/oauth/revoke":
		s.serveRevoke(w, r)
	case strings.HasPrefix(p, "/rec/"):
		s.serveRec(w, r, strings.TrimPrefix(p, "/rec/"))
	case strings.HasPrefix(p, "/v2/"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/v2/"))
	default:
		s.serveUnhandled(w, r)
	}
}

// baseLocked returns the base URL for absolute URLs built outside a request.
// The caller holds s.mu.
func (s *Server) baseLocked() string {
	if s.baseURL == "" {
		return "http://127.0.0.1"
	}
	return s.baseURL
}

// SetBaseURL pins the base URL ("http://127.0.0.1:8080") used for absolute
// URLs the fake builds outside a request: download URLs in webhook payloads
// and in admin return values. Unset, the fake uses the host of the most
// recent request.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimSuffix(u, "/")
	s.basePinned = true
}

func requestBase(r *http.Request) string {
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return scheme + r.Host
}

// serveUnhandled answers an unmodelled route with 501 and records it.
func (s *Server) serveUnhandled(w http.ResponseWriter, r *http.Request) {
	what := r.Method + " " + r.URL.EscapedPath()
	s.mu.Lock()
	s.unhandled = append(s.unhandled, what)
	s.mu.Unlock()
	writeJSON(w, http.StatusNotImplemented, map[string]string{
		"error": "zoomfake: unhandled route " + what,
	})
}

// Unhandled returns every "METHOD /path" the fake answered with 501.
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unhandled...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("zoomfake: encode: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// apiError is a Zoom API error with its HTTP status.
func apiError(status, code int, msg string) *zoom.Error {
	return &zoom.Error{StatusCode: status, Code: code, Message: msg}
}

func writeError(w http.ResponseWriter, e *zoom.Error) {
	writeJSON(w, e.StatusCode, e)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("zoomfake: random: %v", err))
	}
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n / 2)) }

// randomID returns an n-character URL-safe ID like Zoom's user IDs.
func randomID(n int) string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(n))[:n]
}

// newMeetingUUID returns a Zoom-style meeting UUID: 16 random bytes in
// standard base64, so it may contain '/' and '+'.
func newMeetingUUID() string {
	return base64.StdEncoding.EncodeToString(randomBytes(16))
}
