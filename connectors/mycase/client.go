package mycase

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// Real MyCase hosts and request facts.
const (
	// DefaultAPIBase is the spec's server; paths are /v1/…. [U] Some
	// third-party code uses https://api.mycase.com instead, so the base is
	// configurable.
	DefaultAPIBase   = "https://external-integrations.mycase.com"
	DefaultOAuthBase = "https://auth.mycase.com" // /login_sessions/new, /tokens
	// MaxPageSize is the largest page_size MyCase accepts.
	MaxPageSize = 1000
	// RateLimit is MyCase's budget per client: 25 requests a second.
	RateLimit = 25
)

// platform names the platform in errors, logs and request counts.
const platform = "mycase"

// Sentinel errors callers test with errors.Is.
var (
	// ErrNotFound: the record does not exist (404). A delete that fails
	// with it is already done.
	ErrNotFound = errors.New("not found")
)

// Options configures a Client. The zero value talks to the real MyCase.
type Options struct {
	APIBase    string           // "" = DefaultAPIBase
	OAuthBase  string           // "" = DefaultOAuthBase
	HTTPClient *http.Client     // nil = httpx.DefaultHTTPClient(); its redirects are never followed
	Auth       httpx.Authorizer // bearer tokens
	Logger     *slog.Logger     // nil = discard
	// Pacer nil = a client-side budget of 25 requests per second: MyCase
	// sends no rate-limit headers that are documented [U].
	Pacer *httpx.Pacer
	Sleep func(ctx context.Context, d time.Duration) error // tests; nil = real sleep
	// PageSize is the page_size of list requests, 1–1000; 0 = MaxPageSize.
	// Only tests and the sandbox want less.
	PageSize int
}

// Client calls the MyCase Open API v1 for one connected firm.
type Client struct {
	apiBase   string
	oauthBase string
	pageSize  int
	log       *slog.Logger
	http      *httpx.Client // MyCase's API: paced, with the bearer token
	storage   *httpx.Client // pre-signed S3 URLs: no token, no MyCase pacing
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
		o.Pacer = &httpx.Pacer{Limit: RateLimit, Window: time.Second, Sleep: o.Sleep}
	}
	if o.PageSize <= 0 || o.PageSize > MaxPageSize {
		o.PageSize = MaxPageSize
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = httpx.DefaultHTTPClient()
	}
	// A download answers 302 to a temporary URL that must be fetched
	// without the bearer token; Go would follow it with the token, so
	// redirects are left to the caller.
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{
		apiBase:   strings.TrimSuffix(o.APIBase, "/"),
		oauthBase: strings.TrimSuffix(o.OAuthBase, "/"),
		pageSize:  o.PageSize,
		log:       o.Logger,
		http: httpx.New(httpx.Options{
			Platform:    platform,
			HTTPClient:  &noRedirect,
			Auth:        o.Auth,
			Pacer:       o.Pacer,
			DecodeError: DecodeError,
			Logger:      o.Logger,
			Sleep:       o.Sleep,
		}),
		storage: httpx.New(httpx.Options{
			Platform:    platform,
			HTTPClient:  &noRedirect,
			DecodeError: decodeStorageError,
			Logger:      o.Logger,
			Sleep:       o.Sleep,
		}),
	}
}

// HTTP returns the underlying API client (request and 429 counts). File
// transfers to pre-signed URLs are not counted here.
func (c *Client) HTTP() *httpx.Client { return c.http }

// Endpoints returns MyCase's OAuth endpoints below oauthBase ("" = the real
// host). Authorization code is the only grant; no PKCE is documented [U];
// the client credentials go in the body; a refresh returns a new refresh
// token, and the old one is treated as used up [U]. No revoke endpoint is
// documented.
func Endpoints(oauthBase string) httpx.OAuthEndpoints {
	if oauthBase == "" {
		oauthBase = DefaultOAuthBase
	}
	oauthBase = strings.TrimSuffix(oauthBase, "/")
	return httpx.OAuthEndpoints{
		AuthURL:  oauthBase + "/login_sessions/new",
		TokenURL: oauthBase + "/tokens",
		Refresh:  "rotating",
	}
}

// Me returns the firm member the token belongs to (GET /v1/me).
func (c *Client) Me(ctx context.Context) (httpx.Identity, error) {
	var s Staff
	if err := c.get(ctx, "/v1/me", nil, &s); err != nil {
		return httpx.Identity{}, wrap("getting the connected user", err)
	}
	return httpx.Identity{
		ID:    strconv.FormatInt(s.ID, 10),
		Name:  strings.TrimSpace(s.FirstName + " " + s.LastName),
		Email: s.Email,
	}, nil
}

// Firm returns the connected firm (GET /v1/firm); its URL identifies it.
func (c *Client) Firm(ctx context.Context) (Firm, error) {
	var f Firm
	if err := c.get(ctx, "/v1/firm", nil, &f); err != nil {
		return Firm{}, wrap("getting the firm", err)
	}
	return f, nil
}

// DecodeError extracts MyCase's message from an error body: the API's
// {"errors":[{"description","source":{"pointer"|"parameter"}}]} (code =
// the pointer or parameter of the first error), or an OAuth-style
// {"error","error_description"} from /tokens [U: the token endpoint's
// error shape is undocumented].
func DecodeError(status int, h http.Header, body []byte) (code, message string) {
	var e struct {
		Errors      json.RawMessage `json:"errors"`
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
		Message     string          `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	var items []ErrorItem
	if len(e.Errors) > 0 && json.Unmarshal(e.Errors, &items) == nil && len(items) > 0 {
		var msgs []string
		for _, it := range items {
			d := it.Description
			if it.Source != nil && code == "" {
				code = it.Source.Pointer + it.Source.Parameter
			}
			if it.Source != nil && (it.Source.Pointer != "" || it.Source.Parameter != "") {
				d += " (" + it.Source.Pointer + it.Source.Parameter + ")"
			}
			msgs = append(msgs, d)
		}
		return code, strings.Join(msgs, "; ")
	}
	var s string
	if len(e.Error) > 0 && json.Unmarshal(e.Error, &s) == nil {
		return s, e.Description
	}
	return "", e.Message
}

// decodeStorageError reads S3's XML error body of a pre-signed URL.
func decodeStorageError(status int, h http.Header, body []byte) (code, message string) {
	return between(body, "<Code>", "</Code>"), between(body, "<Message>", "</Message>")
}

func between(b []byte, open, close string) string {
	_, rest, ok := bytes.Cut(b, []byte(open))
	if !ok {
		return ""
	}
	v, _, ok := bytes.Cut(rest, []byte(close))
	if !ok {
		return ""
	}
	return string(v)
}

// sentinelError adds a sentinel to an API error without changing its text.
type sentinelError struct {
	sentinel error
	err      error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.sentinel, e.err} }

// wrap wraps err as "mycase: doing: …", adding ErrNotFound for a 404.
func wrap(doing string, err error) error {
	if httpx.StatusOf(err) == http.StatusNotFound {
		err = &sentinelError{ErrNotFound, err}
	}
	return fmt.Errorf("mycase: %s: %w", doing, err)
}

// request builds an API request for path (below the API base, or a full
// URL from a Link header) with query v and, when in is not nil, a JSON
// body.
func (c *Client) request(method, path string, v url.Values, in any) (*httpx.Request, error) {
	u := path
	if !strings.HasPrefix(path, "https://") && !strings.HasPrefix(path, "http://") {
		u = c.apiBase + path
	}
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	r := &httpx.Request{Method: method, URL: u, Header: http.Header{"Accept": {"application/json"}}}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
		r.Body = b
		r.Header.Set("Content-Type", "application/json")
	}
	return r, nil
}

// get fetches one record into out.
func (c *Client) get(ctx context.Context, path string, v url.Values, out any) error {
	return c.send(ctx, http.MethodGet, path, v, nil, out)
}

// send sends one API request; out receives the decoded reply (nil: drop
// the body; a 204 leaves it untouched).
func (c *Client) send(ctx context.Context, method, path string, v url.Values, in, out any) error {
	r, err := c.request(method, path, v, in)
	if err != nil {
		return err
	}
	return c.http.DoJSON(ctx, r, out)
}

// list walks path's pages (bare JSON arrays; the next page's URL is the
// Link header's rel="next"), calling fn for each record. sized says
// whether the vendor documents page_size for this list: it is only sent
// where documented. An error from fn stops the walk and is returned as is.
func list[T any](ctx context.Context, c *Client, doing, path string, v url.Values, sized bool, fn func(T) error) error {
	if v == nil {
		v = url.Values{}
	}
	if sized {
		v.Set("page_size", strconv.Itoa(c.pageSize))
	}
	r, err := c.request(http.MethodGet, path, v, nil)
	if err != nil {
		return fmt.Errorf("mycase: %s: %w", doing, err)
	}
	next := r.URL
	seen := map[string]bool{next: true}
	for next != "" {
		r.URL = next
		resp, err := c.http.Do(ctx, r)
		if err != nil {
			return wrap(doing, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("mycase: %s: reading a page: %w", doing, err)
		}
		var page []T
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &page); err != nil {
				return fmt.Errorf("mycase: %s: decoding a page: %w", doing, err)
			}
		}
		for _, rec := range page {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if next, err = c.nextPage(next, resp.Header.Values("Link")); err != nil {
			return fmt.Errorf("mycase: %s: %w", doing, err)
		}
		if next != "" && seen[next] {
			return fmt.Errorf("mycase: %s: paging loops (the next link repeats)", doing)
		}
		seen[next] = true
	}
	return nil
}

// nextPage finds rel="next" in the Link headers of the page at cur. The
// link must stay on the API host, so the bearer token goes nowhere else.
// [U] The paging guide's example link is http://; an http link to the API
// host is taken as the API's own scheme (a proxy rewriting it), and a
// relative link is resolved against the current page.
func (c *Client) nextPage(cur string, links []string) (string, error) {
	raw := linkNext(links)
	if raw == "" {
		return "", nil
	}
	base, err := url.Parse(c.apiBase)
	if err != nil {
		return "", fmt.Errorf("bad API base: %w", err)
	}
	at, err := url.Parse(cur)
	if err != nil {
		return "", fmt.Errorf("bad page URL: %w", err)
	}
	n, err := at.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad next link: %w", err)
	}
	if !strings.EqualFold(n.Host, base.Host) || !strings.HasPrefix(n.Path, base.Path+"/") {
		return "", fmt.Errorf("the next link points outside the API (%s%s)", n.Host, n.Path)
	}
	if n.Scheme != base.Scheme {
		if n.Scheme != "http" && n.Scheme != "https" {
			return "", fmt.Errorf("the next link has scheme %q", n.Scheme)
		}
		n.Scheme = base.Scheme
	}
	return n.String(), nil
}

// linkNext returns the target of rel="next" in RFC 8288 Link headers,
// which may hold several comma-separated links each.
func linkNext(headers []string) string {
	for _, h := range headers {
		for h != "" {
			start := strings.IndexByte(h, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(h[start:], '>')
			if end < 0 {
				break
			}
			target := h[start+1 : start+end]
			rest := h[start+end+1:]
			params := rest
			if i := strings.IndexByte(rest, '<'); i >= 0 {
				params = rest[:i]
			}
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), ",")), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
			h = rest
		}
	}
	return ""
}

// collect lists path into a slice.
func collect[T any](ctx context.Context, c *Client, doing, path string, v url.Values, sized bool) ([]T, error) {
	var out []T
	err := list(ctx, c, doing, path, v, sized, func(t T) error {
		out = append(out, t)
		return nil
	})
	return out, err
}

// drain reads and closes a body so the connection can be reused.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
	rc.Close()
}
