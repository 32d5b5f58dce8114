package box

// This file holds the API client: options, OAuth facts, identity, error
// decoding and the typed errors every resource family shares.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// Real Box hosts.
const (
	DefaultAPIBase    = "https://api.box.com/2.0"                      // REST API
	DefaultUploadBase = "https://upload.box.com/api/2.0"               // uploads and upload sessions
	DefaultOAuthBase  = "https://api.box.com"                          // /oauth2/token, /oauth2/revoke
	DefaultAuthURL    = "https://account.box.com/api/oauth2/authorize" // consent page
)

// Rate budget: about 1000 API requests per minute per user. Box sends no
// rate headers, so the client keeps the budget itself.
const (
	RateLimit  = 1000
	RateWindow = time.Minute
)

// platform names Box in errors, logs and request counts.
const platform = "box"

// Sentinel errors callers test with errors.Is.
var (
	// ErrNotFound: the item does not exist or is in the trash (404
	// not_found or trashed). A delete failing with it is already done.
	ErrNotFound = errors.New("not found")
	// ErrExists: a create collided with an existing object (409). The
	// error is also a *ConflictError naming that object when Box says.
	ErrExists = errors.New("already exists")
)

// Options configures a Client. The zero value talks to the real Box.
type Options struct {
	APIBase    string           // "" = DefaultAPIBase; the fake: srv.URL+"/2.0"
	UploadBase string           // "" = DefaultUploadBase; the fake: srv.URL+"/api/2.0"
	OAuthBase  string           // token/revoke host; "" = DefaultOAuthBase; the fake: srv.URL
	HTTPClient *http.Client     // nil = httpx.DefaultHTTPClient()
	Auth       httpx.Authorizer // bearer tokens (core/auth in the app; a static one in tests)
	Logger     *slog.Logger     // nil = discard
	Pacer      *httpx.Pacer     // nil = DefaultPacer(): 1000 requests per minute
	// Sleep replaces real sleeping for Retry-After, backoff and commit
	// polling (tests); nil sleeps for real. It is not given to the default pacer.
	Sleep   func(ctx context.Context, d time.Duration) error
	TempDir string // where small uploads without a known SHA-1 are buffered; "" = os.TempDir()
}

// Client calls the Box API 2.0 for one connected user. It is safe for
// concurrent use.
type Client struct {
	apiBase    string
	uploadBase string
	oauthBase  string
	tempDir    string
	log        *slog.Logger
	sleep      func(ctx context.Context, d time.Duration) error
	http       *httpx.Client
}

// New returns a Client.
func New(o Options) *Client {
	trim := func(s, def string) string {
		if s = strings.TrimRight(s, "/"); s == "" {
			return def
		}
		return s
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Pacer == nil {
		o.Pacer = DefaultPacer()
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = realSleep
	}
	return &Client{
		apiBase:    trim(o.APIBase, DefaultAPIBase),
		uploadBase: trim(o.UploadBase, DefaultUploadBase),
		oauthBase:  trim(o.OAuthBase, DefaultOAuthBase),
		tempDir:    o.TempDir,
		log:        o.Logger,
		sleep:      sleep,
		http: httpx.New(httpx.Options{
			Platform:    platform,
			HTTPClient:  o.HTTPClient,
			Auth:        o.Auth,
			Pacer:       o.Pacer,
			DecodeError: DecodeError,
			Permission:  Permission,
			Logger:      o.Logger,
			Sleep:       o.Sleep,
		}),
	}
}

// DefaultPacer returns a pacer with Box's real budget (RateLimit requests
// per RateWindow). The limit is per user, so clients for the same user
// should share one pacer; a 429 that still happens (uploads have their own
// lower limit of 240 per minute) is waited out through its Retry-After.
func DefaultPacer() *httpx.Pacer {
	return &httpx.Pacer{Limit: RateLimit, Window: RateWindow}
}

// HTTP returns the underlying HTTP client (request and 429 counts).
func (c *Client) HTTP() *httpx.Client { return c.http }

// OAuthEndpoints are the OAuth facts core/auth needs to connect Box.
type OAuthEndpoints = httpx.OAuthEndpoints

// Endpoints returns Box's OAuth endpoints. With oauthBase "" (or the real
// DefaultOAuthBase) the consent page is on account.box.com and the token
// and revoke endpoints on api.box.com; any other base (the sandbox fake) is
// taken to serve all three under the real paths.
func Endpoints(oauthBase string) OAuthEndpoints {
	oauthBase = strings.TrimRight(oauthBase, "/")
	authURL := oauthBase + "/api/oauth2/authorize"
	if oauthBase == "" || oauthBase == DefaultOAuthBase {
		oauthBase, authURL = DefaultOAuthBase, DefaultAuthURL
	}
	return OAuthEndpoints{
		AuthURL:   authURL,
		TokenURL:  oauthBase + "/oauth2/token",
		RevokeURL: oauthBase + "/oauth2/revoke",
		Refresh:   "rotating",
	}
}

// Revoke revokes token (access or refresh; either kills the pair) so the
// app loses access, as disconnecting in Firmsync should.
func (c *Client) Revoke(ctx context.Context, clientID, clientSecret, token string) error {
	form := url.Values{"client_id": {clientID}, "client_secret": {clientSecret}, "token": {token}}
	r := &httpx.Request{
		Method: http.MethodPost,
		URL:    c.oauthBase + "/oauth2/revoke",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
		Body:   []byte(form.Encode()),
		NoAuth: true,
		Replay: httpx.ReplaySafe, // revoking twice is harmless
	}
	if err := c.http.DoJSON(ctx, r, nil); err != nil {
		return wrap("revoking token", err)
	}
	return nil
}

// Identity is the connected Box user.
type Identity = httpx.Identity

// Me returns the user the token belongs to (GET /2.0/users/me).
func (c *Client) Me(ctx context.Context) (Identity, error) {
	var u User
	q := url.Values{"fields": {"id,name,login"}}
	if err := c.http.JSON(ctx, http.MethodGet, c.api("/users/me", q), nil, &u); err != nil {
		return Identity{}, wrap("getting the connected user", err)
	}
	return Identity{ID: u.ID, Name: u.Name, Email: u.Login}, nil
}

// DecodeError is the httpx.Options.DecodeError for Box. It reads a
// ClientError {type,status,code,message,context_info,request_id} into its
// code and message, an OAuth error {error,error_description} likewise, and
// for an empty 401 the WWW-Authenticate error and error_description.
func DecodeError(status int, h http.Header, body []byte) (code, message string) {
	var e struct {
		Error
		OAuthCode string `json:"error"`
		OAuthDesc string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil {
		switch {
		case e.Code != "" || e.Message != "":
			msg := e.Message
			if msg == "" {
				msg = e.Code
			}
			return e.Code, msg
		case e.OAuthCode != "":
			if e.OAuthDesc != "" {
				return e.OAuthCode, e.OAuthCode + ": " + e.OAuthDesc
			}
			return e.OAuthCode, e.OAuthCode
		}
	}
	if h != nil {
		if wa := h.Get("WWW-Authenticate"); wa != "" {
			code = authParam(wa, "error")
			return code, authParam(wa, "error_description")
		}
	}
	return "", ""
}

var authParamRE = regexp.MustCompile(`([a-z_]+)="([^"]*)"`)

// authParam picks name="value" out of a WWW-Authenticate header.
func authParam(h, name string) string {
	for _, m := range authParamRE.FindAllStringSubmatch(h, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	return ""
}

// Permission names what a 403 lacks: for insufficient_scope the app scope
// (from WWW-Authenticate when Box names it), for
// access_denied_insufficient_permissions the access to the item. "" when
// the body does not say.
func Permission(h http.Header, body []byte) string {
	code, _ := DecodeError(http.StatusForbidden, h, body)
	if code == "" && h != nil {
		code = authParam(h.Get("WWW-Authenticate"), "error")
	}
	switch code {
	case "insufficient_scope":
		if h != nil {
			if s := authParam(h.Get("WWW-Authenticate"), "scope"); s != "" {
				return s
			}
		}
		return "Box app scope (Read and write all files and folders, Manage webhooks)"
	case "access_denied_insufficient_permissions":
		return "Box Editor (or Co-owner) access to this item"
	}
	return ""
}

// ConflictError is a 409: a create or upload collided with an existing
// item (Code "item_name_in_use"; ID, Type, Name, SHA1 name it), or another
// conflict Box reports (a duplicate webhook, Code "conflict"; a temporary
// lock). It wraps ErrExists and the *httpx.Error.
type ConflictError struct {
	Code string // Box's code, e.g. "item_name_in_use", "name_temporarily_reserved"
	Type string // "folder", "file" or "webhook"; "" when Box did not say
	ID   string // the existing object's id; "" when Box did not say
	Name string // the existing item's name
	Etag string // the existing item's etag
	SHA1 string // hex SHA-1 of an existing file
	Err  error  // the underlying *httpx.Error
}

// Error implements error.
func (e *ConflictError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("%v (existing %s %s)", e.Err, e.Type, e.ID)
	}
	return e.Err.Error()
}

// Unwrap lets errors.Is find ErrExists and errors.As the *httpx.Error.
func (e *ConflictError) Unwrap() []error { return []error{ErrExists, e.Err} }

// Temporary reports a 409 that goes away by itself: an item locked by a
// concurrent move, copy or delete, or a name held by an upload in flight.
func (e *ConflictError) Temporary() bool {
	return e.Code == "operation_blocked_temporary" || e.Code == "name_temporarily_reserved"
}

var webhookIDRE = regexp.MustCompile(`Webhook:\s*(\d+)`)

// newConflict builds a ConflictError from a 409, reading
// context_info.conflicts as an array (folders) or one object (files).
func newConflict(e *httpx.Error) *ConflictError {
	ce := &ConflictError{Code: e.Code, Err: e}
	var body struct {
		Message     string `json:"message"`
		ContextInfo struct {
			Conflicts json.RawMessage `json:"conflicts"`
		} `json:"context_info"`
	}
	if json.Unmarshal(e.Body, &body) != nil {
		return ce
	}
	var one FileConflict
	raw := body.ContextInfo.Conflicts
	if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "[") {
		var many []FileConflict
		if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
			one = many[0]
		}
	} else if t != "" && t != "null" {
		_ = json.Unmarshal(raw, &one)
	}
	ce.Type, ce.ID, ce.Name, ce.Etag, ce.SHA1 = one.Type, one.ID, one.Name, one.Etag, one.SHA1
	if ce.SHA1 == "" && one.FileVersion != nil {
		ce.SHA1 = one.FileVersion.SHA1
	}
	if ce.ID == "" {
		if m := webhookIDRE.FindStringSubmatch(body.Message); m != nil {
			ce.Type, ce.ID = "webhook", m[1]
		}
	}
	return ce
}

// sentinelError adds a sentinel to an API error without changing its text.
type sentinelError struct {
	sentinel error
	err      error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.sentinel, e.err} }

// wrap wraps err as "box: doing: …", adding ErrNotFound for a 404 and a
// *ConflictError for a 409.
func wrap(doing string, err error) error {
	var e *httpx.Error
	if errors.As(err, &e) {
		switch e.Kind {
		case httpx.KindNotFound:
			err = &sentinelError{ErrNotFound, err}
		case httpx.KindConflict:
			if ce := (*ConflictError)(nil); !errors.As(err, &ce) {
				err = newConflict(e)
			}
		}
	}
	return fmt.Errorf("box: %s: %w", doing, err)
}

// errTrashed reports an item Box returned with item_status "trashed".
func errTrashed(typ, id string) error {
	return fmt.Errorf("box: %s %s is in the trash: %w", typ, id, ErrNotFound)
}

// api joins the API base, path and query.
func (c *Client) api(path string, q url.Values) string { return join(c.apiBase, path, q) }

// upload joins the upload base, path and query.
func (c *Client) upload(path string, q url.Values) string { return join(c.uploadBase, path, q) }

func join(base, path string, q url.Values) string {
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// pathID escapes an id for use as one path segment.
func pathID(id string) string { return url.PathEscape(id) }

// jsonRequest builds a request carrying in as JSON.
func jsonRequest(method, u string, in any) (*httpx.Request, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encoding request: %w", err)
	}
	return &httpx.Request{
		Method: method,
		URL:    u,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		Body:   b,
	}, nil
}

func realSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) tempFile() (*os.File, error) {
	return os.CreateTemp(c.tempDir, "firmsync-box-upload-*")
}
