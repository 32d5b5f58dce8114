package lawmatics

// This file holds the API client: options, OAuth facts, identity, error
// decoding and the list machinery every collection shares.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// Real Lawmatics hosts.
const (
	// DefaultAPIBase is the REST API root.
	DefaultAPIBase = "https://api.lawmatics.com/v1"
	// DefaultOAuthBase is the app host that serves the consent page
	// (/oauth/authorize). The token endpoint lives on the API host.
	DefaultOAuthBase = "https://app.lawmatics.com"
	// DefaultTokenBase is the host of POST /oauth/token.
	DefaultTokenBase = "https://api.lawmatics.com"
)

// Rate budget: 50 requests per minute per firm, on every endpoint. Lawmatics
// sends no rate headers, so the client keeps the budget itself.
const (
	RateLimit  = 50
	RateWindow = time.Minute
)

// Options configures a Client. The zero value talks to the real platform
// (with a nil Auth, unauthenticated).
type Options struct {
	APIBase    string           // REST root, e.g. "https://api.lawmatics.com/v1"; "" = DefaultAPIBase
	OAuthBase  string           // consent-page host; "" = DefaultOAuthBase (kept for symmetry; see Endpoints)
	HTTPClient *http.Client     // nil = httpx.DefaultHTTPClient()
	Auth       httpx.Authorizer // bearer tokens (core/auth in the app; a static one in tests)
	Logger     *slog.Logger     // nil = discard
	Pacer      *httpx.Pacer     // nil = DefaultPacer(): 50 requests per minute
	// Sleep replaces real sleeping for Retry-After and backoff waits (tests);
	// nil sleeps for real. It is not given to the default pacer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client talks to the Lawmatics API v1. It is safe for concurrent use.
type Client struct {
	base string // APIBase without a trailing slash
	http *httpx.Client
}

// New returns a Client.
func New(o Options) *Client {
	base := strings.TrimRight(o.APIBase, "/")
	if base == "" {
		base = DefaultAPIBase
	}
	p := o.Pacer
	if p == nil {
		p = DefaultPacer()
	}
	return &Client{
		base: base,
		http: httpx.New(httpx.Options{
			Platform:    "lawmatics",
			HTTPClient:  o.HTTPClient,
			Auth:        o.Auth,
			Pacer:       p,
			DecodeError: DecodeError,
			Logger:      o.Logger,
			Sleep:       o.Sleep,
		}),
	}
}

// DefaultPacer returns a pacer with Lawmatics' real budget (RateLimit
// requests per RateWindow). The limit is per firm and shared by every
// integration, so clients for the same firm should share one pacer; a 429
// that still happens is waited out through its Retry-After.
func DefaultPacer() *httpx.Pacer {
	return &httpx.Pacer{Limit: RateLimit, Window: RateWindow}
}

// HTTP returns the underlying HTTP client (request and 429 counts).
func (c *Client) HTTP() *httpx.Client { return c.http }

// OAuthEndpoints are the OAuth facts core/auth needs to connect Lawmatics.
type OAuthEndpoints = httpx.OAuthEndpoints

// Endpoints returns the OAuth endpoints for the consent-page host oauthBase
// ("" = DefaultOAuthBase). Lawmatics splits OAuth across two hosts: the
// consent page is on app.lawmatics.com and the token endpoint on
// api.lawmatics.com. For the real app host the token URL is put on the real
// API host; any other host (the sandbox fake) is taken to serve both.
// Use EndpointsFor to name the token host explicitly.
func Endpoints(oauthBase string) OAuthEndpoints {
	oauthBase = strings.TrimRight(oauthBase, "/")
	if oauthBase == "" {
		oauthBase = DefaultOAuthBase
	}
	tokenBase := oauthBase
	if oauthBase == DefaultOAuthBase {
		tokenBase = DefaultTokenBase
	}
	return EndpointsFor(oauthBase, tokenBase)
}

// EndpointsFor returns the OAuth endpoints with the consent page on
// oauthBase and the token endpoint on apiBase's origin (any path, such as
// "/v1", is dropped). Empty arguments mean the real hosts.
func EndpointsFor(oauthBase, apiBase string) OAuthEndpoints {
	oauthBase = strings.TrimRight(oauthBase, "/")
	if oauthBase == "" {
		oauthBase = DefaultOAuthBase
	}
	tokenBase := DefaultTokenBase
	if apiBase != "" {
		if u, err := url.Parse(apiBase); err == nil && u.Scheme != "" && u.Host != "" {
			tokenBase = u.Scheme + "://" + u.Host
		} else {
			tokenBase = strings.TrimRight(apiBase, "/")
		}
	}
	return OAuthEndpoints{
		AuthURL:  oauthBase + "/oauth/authorize",
		TokenURL: tokenBase + "/oauth/token",
		Refresh:  "none",
	}
}

// ErrRevokeUnsupported is returned by Revoke: Lawmatics has no revoke or
// deauthorize endpoint. Disconnecting means forgetting the token locally;
// only deleting the developer app (or Lawmatics support) kills it.
var ErrRevokeUnsupported = errors.New("lawmatics: the API cannot revoke tokens; delete the stored token (and the developer app, to kill it)")

// Revoke always returns ErrRevokeUnsupported without sending anything.
func (c *Client) Revoke(ctx context.Context, clientID, clientSecret, token string) error {
	return ErrRevokeUnsupported
}

// Identity is the Lawmatics user a token belongs to.
type Identity = httpx.Identity

// Me returns the user the token belongs to (GET /v1/users/me).
func (c *Client) Me(ctx context.Context) (Identity, error) {
	var out Single[User]
	if err := c.get(ctx, "/users/me", nil, &out); err != nil {
		return Identity{}, fmt.Errorf("lawmatics: reading the connected user: %w", err)
	}
	a := out.Data.Attributes
	name := strings.TrimSpace(a.Name)
	if name == "" {
		name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	return Identity{ID: out.Data.ID, Name: name, Email: a.Email}, nil
}

// DecodeError is the httpx.Options.DecodeError for Lawmatics. It reads the
// JSON:API body {"errors":[{"status","title","detail"}]} into code (the
// first title) and message ("title: detail", several joined by "; "). It
// also understands OAuth errors ({"error","error_description"}).
func DecodeError(status int, h http.Header, body []byte) (code, message string) {
	var e Error
	if json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 {
		parts := make([]string, 0, len(e.Errors))
		for _, o := range e.Errors {
			s := strings.TrimSpace(o.Title)
			if d := strings.TrimSpace(o.Detail); d != "" {
				if s != "" {
					s += ": "
				}
				s += d
			}
			if s != "" {
				parts = append(parts, s)
			}
		}
		return strings.TrimSpace(e.Errors[0].Title), strings.Join(parts, "; ")
	}
	var o struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &o) == nil && o.Error != "" {
		if o.Description != "" {
			return o.Error, o.Error + ": " + o.Description
		}
		return o.Error, o.Error
	}
	return "", ""
}

// url joins the API base, path and query.
func (c *Client) url(path string, q url.Values) string {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// get GETs path (relative to the API base) and decodes the JSON reply.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.http.JSON(ctx, http.MethodGet, c.url(path, q), nil, out)
}

// fieldsAll asks for every attribute: without fields Lawmatics returns only
// names, email and timestamps.
const fieldsAll = "all"

// listPages GETs path page by page (Lawmatics' fixed PageSize), calling fn
// for each record until the last page or until fn fails. The relative links
// carry only page, so q (filter, sort, fields) is re-sent on every request.
func listPages[T any](ctx context.Context, c *Client, what, path string, q url.Values, fn func(T) error) error {
	q = cloneValues(q)
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var l List[T]
		if err := c.get(ctx, path, q, &l); err != nil {
			return fmt.Errorf("lawmatics: listing %s (page %d): %w", what, page, err)
		}
		for _, x := range l.Data {
			if err := fn(x); err != nil {
				return err
			}
		}
		if !hasMore(l, page) {
			return nil
		}
	}
}

// hasMore reports whether a list page is followed by another. meta wins;
// links.next (whose absence at the end is not documented) is the fallback;
// an empty page always ends the list.
func hasMore[T any](l List[T], page int) bool {
	if len(l.Data) == 0 {
		return false
	}
	if l.Meta.TotalPages > 0 {
		return page < l.Meta.TotalPages
	}
	return l.Links.Next != ""
}

// scanUpdated lists path sorted by updated_at ascending, calling fn for each
// record updated after since (zero: every record), oldest change first.
//
// Plain page=N paging over a list sorted by updated_at is not stable: a
// record changed during the scan jumps to the end and every later record
// shifts one place back, so one record would be skipped, and an incremental
// sync that then moves its cursor past it would never see it. scanUpdated
// pages by key instead: after each page it restarts at page 1 with
// filter updated_at >= the newest updated_at seen, skipping the records of
// that instant already delivered. That costs little: a page brings 24 or 25
// new records instead of 25. Only when a whole page shares one instant (a
// bulk import) does it fall back to the next page number.
//
// It uses the request's one filter, so callers cannot add another.
func scanUpdated[T any](ctx context.Context, c *Client, what, path string, base url.Values, since time.Time,
	key func(T) (id string, updated time.Time), fn func(T) error) error {
	cursor, op := since, ">"
	seen := map[string]bool{} // delivered ids whose updated_at equals cursor
	page := 1
	for {
		q := cloneValues(base)
		q.Set("sort_by", "updated_at")
		q.Set("sort_order", "asc")
		if !cursor.IsZero() {
			q.Set("filter_by", "updated_at")
			q.Set("filter_with", op)
			q.Set("filter_on", formatTime(cursor))
		}
		q.Set("page", strconv.Itoa(page))
		var l List[T]
		if err := c.get(ctx, path, q, &l); err != nil {
			return fmt.Errorf("lawmatics: listing %s: %w", what, err)
		}
		newest := cursor
		for _, x := range l.Data {
			id, t := key(x)
			if seen[id] {
				continue
			}
			if err := fn(x); err != nil {
				return err
			}
			seen[id] = true
			if t.After(newest) {
				newest = t
			}
		}
		if !hasMore(l, page) {
			return nil
		}
		if !newest.After(cursor) {
			page++ // the whole page is one instant: step over it
			continue
		}
		next := map[string]bool{}
		for _, x := range l.Data {
			if id, t := key(x); t.Equal(newest) && seen[id] {
				next[id] = true
			}
		}
		cursor, op, seen, page = newest, ">=", next, 1
	}
}

// formatTime writes t as Lawmatics does (millisecond precision, UTC).
func formatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// pathID escapes a record id for use as one path segment.
func pathID(id string) string { return url.PathEscape(id) }
