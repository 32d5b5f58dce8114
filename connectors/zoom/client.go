package zoom

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// Real Zoom hosts.
const (
	DefaultAPIBase   = "https://api.zoom.us/v2" // REST API v2
	DefaultOAuthBase = "https://zoom.us"        // /oauth/authorize, /oauth/token, /oauth/revoke
)

// platform names the platform in errors, logs and request counts.
const platform = "zoom"

// Sentinel errors callers test with errors.Is.
var (
	// ErrNotFound: the object does not exist (any 404 except a summary
	// that is not ready yet). A delete that fails with it is already done.
	ErrNotFound = errors.New("not found")
	// ErrExists: a create collided with an existing object (409).
	ErrExists = errors.New("already exists")
	// ErrNotReady: Zoom has not produced the object yet (a meeting's AI
	// summary); ask again later.
	ErrNotReady = errors.New("not ready yet")
)

// Options configures a Client. The zero value talks to the real Zoom.
type Options struct {
	APIBase    string           // "" = DefaultAPIBase
	OAuthBase  string           // "" = DefaultOAuthBase
	HTTPClient *http.Client     // nil = httpx.DefaultHTTPClient()
	Auth       httpx.Authorizer // bearer tokens
	Logger     *slog.Logger     // nil = discard
	// Pacer nil = a pacer driven by Zoom's X-RateLimit-Remaining header
	// with one-second windows (Zoom's limits are per second and it sends
	// no reset time), and no client-side budget.
	Pacer *httpx.Pacer
	Sleep func(ctx context.Context, d time.Duration) error // tests; nil = real sleep
}

// Client calls the Zoom API v2 for one connected user.
type Client struct {
	apiBase   string
	oauthBase string
	log       *slog.Logger
	http      *httpx.Client
}

// New returns a Client.
func New(o Options) *Client {
	if o.APIBase == "" {
		o.APIBase = DefaultAPIBase
	}
	if o.OAuthBase == "" {
		o.OAuthBase = DefaultOAuthBase
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Pacer == nil {
		o.Pacer = &httpx.Pacer{DefaultReset: time.Second, Sleep: o.Sleep}
	}
	return &Client{
		apiBase:   strings.TrimSuffix(o.APIBase, "/"),
		oauthBase: strings.TrimSuffix(o.OAuthBase, "/"),
		log:       o.Logger,
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

// HTTP returns the underlying HTTP client (request and 429 counts).
func (c *Client) HTTP() *httpx.Client { return c.http }

// OAuthEndpoints are Zoom's OAuth facts for core/auth.
type OAuthEndpoints = httpx.OAuthEndpoints

// Endpoints returns Zoom's OAuth endpoints below oauthBase ("" = the real
// host). Zoom supports PKCE, wants client credentials in a Basic header and
// rotates refresh tokens on every use.
func Endpoints(oauthBase string) OAuthEndpoints {
	if oauthBase == "" {
		oauthBase = DefaultOAuthBase
	}
	oauthBase = strings.TrimSuffix(oauthBase, "/")
	return OAuthEndpoints{
		AuthURL:   oauthBase + "/oauth/authorize",
		TokenURL:  oauthBase + "/oauth/token",
		RevokeURL: oauthBase + "/oauth/revoke",
		PKCE:      true,
		BasicAuth: true,
		Refresh:   "rotating",
	}
}

// Revoke revokes token (an access token; its refresh token dies with it)
// so the app loses access, as disconnecting in Firmsync should.
func (c *Client) Revoke(ctx context.Context, clientID, clientSecret, token string) error {
	form := url.Values{"token": {token}}
	basic := base64.StdEncoding.EncodeToString([]byte(clientID + ":" + clientSecret))
	r := &httpx.Request{
		Method: http.MethodPost,
		URL:    c.oauthBase + "/oauth/revoke",
		Header: http.Header{
			"Authorization": {"Basic " + basic},
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Accept":        {"application/json"},
		},
		Body:   []byte(form.Encode()),
		NoAuth: true,
	}
	var out RevokeResponse
	if err := c.http.DoJSON(ctx, r, &out); err != nil {
		return wrap("revoking token", err)
	}
	if out.Status != "success" {
		return fmt.Errorf("zoom: revoking token: status %q, want \"success\"", out.Status)
	}
	return nil
}

// Identity is the connected Zoom user.
type Identity = httpx.Identity

// Me returns the user the token belongs to (GET /users/me).
func (c *Client) Me(ctx context.Context) (Identity, error) {
	var u User
	if err := c.http.JSON(ctx, http.MethodGet, c.apiBase+"/users/me", nil, &u); err != nil {
		return Identity{}, wrap("getting the connected user", err)
	}
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.DisplayName
	}
	return Identity{ID: u.ID, Name: name, Email: u.Email}, nil
}

// DecodeError extracts Zoom's code and message from an error body:
// {"code":300,"message":"…","errors":[{"field":"…","message":"…"}]} for the
// API (field messages are appended, so validation problems such as a
// non-E.164 number reach the user), {"error":"…","reason":"…"} for OAuth.
// Zoom's messages may hold unescaped quotes, which break the JSON; the code
// and message are then picked out of the raw text.
func DecodeError(status int, h http.Header, body []byte) (code, message string) {
	var e struct {
		Code    json.Number  `json:"code"`
		Message string       `json:"message"`
		Errors  []FieldError `json:"errors"`
		Error   string       `json:"error"`
		Reason  string       `json:"reason"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		if m := rawCode.FindSubmatch(body); m != nil {
			code = string(m[1])
		}
		if m := rawMessage.FindSubmatch(body); m != nil {
			message = string(m[1])
		}
		return code, message
	}
	if e.Code != "" || e.Message != "" {
		var b strings.Builder
		b.WriteString(e.Message)
		for _, fe := range e.Errors {
			if fe.Message == "" || fe.Message == e.Message {
				continue
			}
			fmt.Fprintf(&b, "; %s: %s", fe.Field, fe.Message)
		}
		return e.Code.String(), strings.TrimPrefix(b.String(), "; ")
	}
	return e.Error, e.Reason
}

var (
	rawCode    = regexp.MustCompile(`"code"\s*:\s*(\d+)`)
	rawMessage = regexp.MustCompile(`(?s)"message"\s*:\s*"(.*?)"\s*(?:,\s*"[a-z_]+"\s*:|})`)
	rawScopes  = regexp.MustCompile(`scopes\s*:\s*\[([^\]]*)\]`)
)

// Permission names the scopes a token lacks, from Zoom's code 104 answer
// "Invalid access token, does not contain scopes:[a, b]." ("a, b"; "" when
// the body does not say). The body is read as text: its message may
// contain unescaped quotes.
func Permission(h http.Header, body []byte) string {
	m := rawScopes.FindSubmatch(body)
	if m == nil {
		return ""
	}
	var scopes []string
	for _, s := range strings.Split(string(m[1]), ",") {
		s = strings.Trim(strings.TrimSpace(s), `"'\`)
		if s != "" {
			scopes = append(scopes, s)
		}
	}
	return strings.Join(scopes, ", ")
}

// sentinelError adds a sentinel to an API error without changing its text.
type sentinelError struct {
	sentinel error
	err      error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.sentinel, e.err} }

// wrap wraps err as "zoom: doing: …", adding ErrNotFound or ErrExists for
// 404 and 409 and naming the missing scopes of a code 104 refusal.
func wrap(doing string, err error) error {
	var e *httpx.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("zoom: %s: %w", doing, err)
	}
	if e.Code == strconv.Itoa(CodeMissingScope) && e.Permission == "" {
		// Zoom answers a missing scope with 401 (or 403) code 104; after
		// the refresh httpx tried, it is a permission to grant, not a token
		// to renew.
		if p := Permission(nil, e.Body); p != "" {
			_, e.Message = DecodeError(e.Status, nil, e.Body)
			e.Permission = p
			e.Kind = httpx.KindForbidden
		}
	}
	switch e.Kind {
	case httpx.KindNotFound:
		err = &sentinelError{ErrNotFound, err}
	case httpx.KindConflict:
		err = &sentinelError{ErrExists, err}
	}
	return fmt.Errorf("zoom: %s: %w", doing, err)
}

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
