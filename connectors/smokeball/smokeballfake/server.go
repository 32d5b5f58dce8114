// Package smokeballfake is an in-process fake of the Smokeball API for tests
// and the Firmsync sandbox. *Server is an http.Handler serving, on one host,
// both of Smokeball's hosts:
//
//	/oauth2/authorize, /oauth2/token                 auth.smokeball.com (Cognito)
//	/firm, /contacts, /matters, /mattertypes, …      api.smokeball.com, also below /{accountId}/
//	/_s3/upload/<token>, /_s3/download/<token>       pre-signed storage URLs (stand in for S3)
//
// It answers in the shapes of the vendor's OpenAPI document: the paged
// envelope, RFC 7807 problem+json errors, 202 {id,href} for writes, which
// it applies only after Options.WriteDelay. Absolute URLs it hands out are
// built from the request host, so it works on any port. Routes it does not
// model answer 501 and are recorded (see Unhandled).
package smokeballfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// Options configures a Server. The zero value is usable and behaves like the
// real platform.
type Options struct {
	Now                   func() time.Time // clock; nil means time.Now
	RateWindow            time.Duration    // token-bucket refill window; 0 means 1 s
	RateLimit             int              // bucket size and refill per window, per client and endpoint; 0 means 5
	HTTPClient            *http.Client     // delivers webhooks; nil means a client with a 10 s timeout
	AllowInsecureWebhooks bool             // accept http:// notification URLs (Smokeball wants https)
	ClientID              string           // registered app id; "" means "sandbox-smokeball-client"
	ClientSecret          string           // registered app secret; "" means "sandbox-smokeball-secret"
	APIKey                string           // the issued x-api-key; "" means "sandbox-smokeball-api-key"
	RedirectURIs          []string         // registered redirect URIs (exact match); nil means any loopback http URI
	// WriteDelay is how long an accepted (202) write takes to become
	// visible. 0 means 300 ms [U: Smokeball publishes no figure]; a
	// negative value applies writes at once (still after the reply).
	WriteDelay time.Duration
	// PublicClient registers the app as public: it has no secret, PKCE is
	// required, and the token endpoint takes client_id in the body.
	PublicClient bool
}

// Token is a ready-to-use credential pair issued by IssueToken.
type Token struct {
	Access    string // bearer access token
	Refresh   string // refresh token (30 days)
	ExpiresIn int    // seconds until Access expires (3600)
}

// Real-platform constants.
const (
	AccessTokenTTL   = time.Hour
	RefreshTokenTTL  = 30 * 24 * time.Hour
	AuthCodeTTL      = 5 * time.Minute
	UploadURLTTL     = 15 * time.Minute // [U]
	DownloadURLTTL   = 5 * time.Minute  // [U] "short-lived"
	MaxUploadSize    = 64 << 20         // cap on bytes the fake keeps per file
	DefaultPageLimit = 100              // [U] Limit when none is sent
	defaultBase      = "https://api.smokeball.com"
)

// Server is a fake Smokeball.
type Server struct {
	opts       Options
	hookClient *http.Client
	mux        *http.ServeMux
	ctx        context.Context // cancelled by Close
	cancel     context.CancelFunc
	wg         sync.WaitGroup // pending writes and webhook deliveries

	mu         sync.Mutex // guards everything below
	st         *state
	rate       map[string]*bucket
	unhandled  []string
	deliveries []Delivery
	wake       chan struct{} // closed and replaced when deliveries grows
	outbox     []func(ctx context.Context)
	pending    map[int64]*pendingWrite
	pendingSeq int64
	lastBase   string // scheme://host of the latest API request, for admin-made hrefs
	closed     bool
}

var _ http.Handler = (*Server)(nil)

// New returns a Server seeded with a firm, its user and a few matter types.
func New(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = "sandbox-smokeball-client"
	}
	if opts.ClientSecret == "" && !opts.PublicClient {
		opts.ClientSecret = "sandbox-smokeball-secret"
	}
	if opts.APIKey == "" {
		opts.APIKey = "sandbox-smokeball-api-key"
	}
	s := &Server{opts: opts, rate: map[string]*bucket{}, wake: make(chan struct{}), pending: map[int64]*pendingWrite{}, lastBase: defaultBase}
	s.hookClient = &http.Client{Timeout: 10 * time.Second}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		s.hookClient = &c
	}
	s.hookClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.st = newState()
	s.seedLocked()
	s.mux = s.routes()
	return s
}

// Close drops writes not applied yet, waits for in-flight webhook
// deliveries (each has a 10 s timeout) and stops the server's work.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	n := len(s.pending)
	for seq, p := range s.pending {
		p.timer.Stop()
		delete(s.pending, seq)
	}
	s.mu.Unlock()
	for range n {
		s.wg.Done()
	}
	s.wg.Wait()
	s.cancel()
}

// Wait blocks until every queued write has been applied and every webhook
// delivery has finished.
func (s *Server) Wait() { s.wg.Wait() }

// ServeHTTP implements http.Handler. A leading /{accountId} segment (the
// multi-account form of client-credentials apps) is stripped when it names
// this firm's account; another account is refused with 403.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if first, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); ok && guidRE.MatchString(first) {
		s.mu.Lock()
		acct := s.st.AccountID
		s.mu.Unlock()
		if !strings.EqualFold(first, acct) {
			writeProblem(w, r, http.StatusForbidden, "Forbidden", "The account "+first+" is not accessible to this client.")
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		r2.URL.RawPath = ""
		r = r2
	}
	s.mux.ServeHTTP(w, r)
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /oauth2/authorize", s.serveAuthorize)
	m.HandleFunc("POST /oauth2/authorize", s.serveAuthorizeDecision)
	m.HandleFunc("POST /oauth2/token", s.serveToken)
	m.HandleFunc("PUT /_s3/upload/{token}", s.serveS3Put)
	m.HandleFunc("GET /_s3/download/{token}", s.serveS3Get)

	api := func(pattern string, h http.HandlerFunc) { m.HandleFunc(pattern, s.api(h)) }
	api("GET /firm", s.getFirm)
	api("GET /contacts", s.listContacts)
	api("POST /contacts", s.createContact)
	api("GET /contacts/{id}", s.getContact)
	api("PUT /contacts/{id}", s.putContact)
	api("DELETE /contacts/{id}", s.deleteContact)
	api("GET /matters", s.listMatters)
	api("POST /matters", s.createMatter)
	api("GET /matters/{id}", s.getMatter)
	api("GET /mattertypes", s.listMatterTypes)
	api("GET /mattertypes/{id}", s.getMatterType)
	api("GET /matters/{id}/memos", s.listMemos)
	api("POST /matters/{id}/memos", s.createMemo)
	api("GET /matters/{id}/documents/files", s.listFiles)
	api("POST /matters/{id}/documents/files", s.addFile)
	api("GET /matters/{id}/documents/files/{fileId}", s.getFile)
	api("GET /matters/{id}/documents/files/{fileId}/download", s.downloadFile)
	api("GET /matters/{id}/documents/files/{fileId}/upload", s.uploadFileVersion)
	api("GET /webhooks", s.listWebhooks)
	api("POST /webhooks", s.createWebhook)
	api("GET /webhooks/{id}", s.getWebhook)
	api("PUT /webhooks/{id}", s.putWebhook)
	api("DELETE /webhooks/{id}", s.deleteWebhook)
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
	writeProblem(w, r, http.StatusNotImplemented, "Not Implemented", "smokeballfake does not model "+what)
}

// unlockAndFlush releases mu and starts the network work queued under it.
func (s *Server) unlockAndFlush() {
	work := s.outbox
	s.outbox = nil
	s.mu.Unlock()
	for _, f := range work {
		go func() {
			defer s.wg.Done()
			f(s.ctx)
		}()
	}
}

// queueLocked adds network work to run after unlock; the caller holds mu.
func (s *Server) queueLocked(f func(ctx context.Context)) {
	s.wg.Add(1)
	s.outbox = append(s.outbox, f)
}

// now is the server clock in UTC.
func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now().UTC()
	}
	return time.Now().UTC()
}

// tickLocked returns the .NET ticks of now, strictly increasing, so every
// change has its own lastUpdated/versionId and UpdatedSince never loses
// one. The caller holds mu.
func (s *Server) tickLocked() int64 {
	t := smokeball.Ticks(s.now())
	if t <= s.st.LastTick {
		t = s.st.LastTick + 1
	}
	s.st.LastTick = t
	return t
}

// newGUID returns a random RFC 4122 version 4 GUID, Smokeball's id form.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
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

// problemTypes are the RFC 7231 section links ASP.NET puts in `type`.
var problemTypes = map[int]string{
	400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
	401: "https://tools.ietf.org/html/rfc7235#section-3.1",
	403: "https://tools.ietf.org/html/rfc7231#section-6.5.3",
	404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
	429: "https://tools.ietf.org/html/rfc6585#section-4",
	501: "https://tools.ietf.org/html/rfc7231#section-6.6.2",
}

// writeProblem writes an RFC 7807 problem+json body.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	writeProblemDetails(w, problem(r.URL.Path, status, title, detail, nil))
}

func problem(instance string, status int, title, detail string, errs map[string][]string) smokeball.ProblemDetails {
	p := smokeball.ProblemDetails{Type: problemTypes[status], Title: title, Status: status, Detail: detail, Instance: instance}
	if len(errs) > 0 {
		p.Errors, _ = json.Marshal(errs) // [U] ASP.NET's {"field":["message"]}
	}
	return p
}

func writeProblemDetails(w http.ResponseWriter, p smokeball.ProblemDetails) {
	body, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(p.Status)
	w.Write(body)
}

// validation is a 400 with per-field messages.
type validation map[string][]string

func (v validation) add(field, msg string) { v[field] = append(v[field], msg) }

func writeValidation(w http.ResponseWriter, r *http.Request, v validation) {
	writeProblemDetails(w, problem(r.URL.Path, http.StatusBadRequest, "One or more validation errors occurred.", "See the errors field for details.", v))
}

func notFound(w http.ResponseWriter, r *http.Request, what string) {
	writeProblem(w, r, http.StatusNotFound, "Not Found", what+" does not exist.")
}

// readBody decodes a JSON object body into a map of raw fields, refusing
// fields the write shape does not declare (its schema says
// additionalProperties: false) [U: ASP.NET may ignore them instead; the
// stricter reading keeps clients honest].
func readBody(w http.ResponseWriter, r *http.Request, allowed []string) (map[string]json.RawMessage, bool) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/json-patch+json") && !strings.Contains(ct, "+json") {
		writeProblem(w, r, http.StatusUnsupportedMediaType, "Unsupported Media Type", "Send application/json.")
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	var m map[string]json.RawMessage
	if err != nil || json.Unmarshal(b, &m) != nil || m == nil {
		v := validation{}
		v.add("$", "The JSON value could not be converted to an object.")
		writeValidation(w, r, v)
		return nil, false
	}
	if bad := unknownKeys(m, allowed); len(bad) > 0 {
		v := validation{}
		for _, k := range bad {
			v.add(k, "The field "+k+" is not part of the request schema.")
		}
		writeValidation(w, r, v)
		return nil, false
	}
	return m, true
}

func unknownKeys(m map[string]json.RawMessage, allowed []string) []string {
	var bad []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad)
	return bad
}

// str decodes a raw JSON string field; null and absent are "".
func str(m map[string]json.RawMessage, k string) (string, error) {
	v, ok := m[k]
	if !ok || string(v) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("%s must be a string", k)
	}
	return s, nil
}

// writeAccepted writes the 202 {id, href} reply of a write.
func writeAccepted(w http.ResponseWriter, href, id string) {
	writeJSON(w, http.StatusAccepted, smokeball.Accepted{ID: id, Href: href})
}
