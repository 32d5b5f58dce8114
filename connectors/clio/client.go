package clio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// Real Clio hosts (US region) and request facts.
const (
	DefaultAPIBase   = "https://app.clio.com/api/v4" // REST API v4, US region
	DefaultOAuthBase = "https://app.clio.com"        // /oauth/authorize, /oauth/token, /oauth/deauthorize
	// APIVersion is sent as X-API-VERSION on every API request, so a change
	// of Clio's default minor version cannot change the replies under us.
	APIVersion = "4.0.9"
	// MaxPageSize is Clio's largest `limit` for list requests.
	MaxPageSize = 200
)

// platform names the platform in errors, logs and request counts.
const platform = "clio"

// regionHosts maps Firmsync's region names to Clio's hosts. Each region is
// a separate Clio (own developer app, own tokens).
var regionHosts = map[string]string{
	"us": "app.clio.com",
	"eu": "eu.app.clio.com",
	"ca": "ca.app.clio.com",
	"au": "au.app.clio.com",
}

// Hosts returns the API base and OAuth base of a Clio region: "us" (also
// ""), "eu", "ca" or "au". A token only works on the region that issued it.
func Hosts(region string) (apiBase, oauthBase string, err error) {
	r := strings.ToLower(strings.TrimSpace(region))
	if r == "" {
		r = "us"
	}
	host, ok := regionHosts[r]
	if !ok {
		return "", "", fmt.Errorf("clio: unknown region %q (want us, eu, ca or au)", region)
	}
	return "https://" + host + "/api/v4", "https://" + host, nil
}

// Sentinel errors callers test with errors.Is.
var (
	// ErrNotFound: the record does not exist (404). A delete that fails
	// with it is already done.
	ErrNotFound = errors.New("not found")
)

// Options configures a Client. The zero value talks to the real Clio (US).
type Options struct {
	APIBase    string           // "" = DefaultAPIBase; see Hosts for other regions
	OAuthBase  string           // "" = DefaultOAuthBase
	HTTPClient *http.Client     // nil = httpx.DefaultHTTPClient(); its redirects are never followed
	Auth       httpx.Authorizer // bearer tokens
	Logger     *slog.Logger     // nil = discard
	// Pacer nil = a pacer driven by Clio's X-RateLimit-Remaining and
	// X-RateLimit-Reset headers (per token, 50 a minute at peak, more off
	// peak), with no client-side budget.
	Pacer *httpx.Pacer
	Sleep func(ctx context.Context, d time.Duration) error // tests; nil = real sleep
	// PageSize is the `limit` of list requests, 1–200; 0 = MaxPageSize.
	// Only tests and the sandbox want less.
	PageSize int
}

// Client calls the Clio Manage API v4 for one connected user.
type Client struct {
	apiBase   string
	oauthBase string
	pageSize  int
	log       *slog.Logger
	sleep     func(ctx context.Context, d time.Duration) error
	http      *httpx.Client // Clio's API and OAuth host: paced, with the bearer token
	storage   *httpx.Client // pre-signed file URLs: no token, no Clio pacing
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
		o.Pacer = &httpx.Pacer{Sleep: o.Sleep}
	}
	if o.PageSize <= 0 || o.PageSize > MaxPageSize {
		o.PageSize = MaxPageSize
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = httpx.DefaultHTTPClient()
	}
	// A download answers 303 to a signed URL that must be fetched without
	// the bearer token; Go would follow it with the token (same host in
	// the sandbox), so redirects are left to the caller.
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{
		apiBase:   strings.TrimSuffix(o.APIBase, "/"),
		oauthBase: strings.TrimSuffix(o.OAuthBase, "/"),
		pageSize:  o.PageSize,
		log:       o.Logger,
		sleep:     o.Sleep,
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

// OAuthEndpoints are Clio's OAuth facts for core/auth.
type OAuthEndpoints = httpx.OAuthEndpoints

// Endpoints returns Clio's OAuth endpoints below oauthBase ("" = the US
// host; see Hosts). Clio has no PKCE, takes the client credentials in the
// form body, and its refresh tokens never expire and are reused (a refresh
// reply carries no new one). redirect_on_decline=true makes a refusal come
// back to the redirect URI as error=access_denied instead of a dead end.
func Endpoints(oauthBase string) OAuthEndpoints {
	if oauthBase == "" {
		oauthBase = DefaultOAuthBase
	}
	oauthBase = strings.TrimSuffix(oauthBase, "/")
	return OAuthEndpoints{
		AuthURL:    oauthBase + "/oauth/authorize",
		TokenURL:   oauthBase + "/oauth/token",
		RevokeURL:  oauthBase + "/oauth/deauthorize",
		Refresh:    "reusable",
		AuthParams: map[string]string{"redirect_on_decline": "true"},
	}
}

// ApprovalRedirectURI is the redirect URI for apps without a web server:
// Clio shows the code on that page (in its title) for the user to copy.
func ApprovalRedirectURI(oauthBase string) string {
	if oauthBase == "" {
		oauthBase = DefaultOAuthBase
	}
	return strings.TrimSuffix(oauthBase, "/") + "/oauth/approval"
}

var (
	approvalCodeRE = regexp.MustCompile(`code=([A-Za-z0-9._~\-]+)`)
	bareCodeRE     = regexp.MustCompile(`^[A-Za-z0-9._~\-]{8,}$`)
)

// ParseApprovalCode finds the authorization code in what the user copied
// from the approval page: its title ("Success code=…"), its HTML, its URL
// (…?code=…) or the bare code.
func ParseApprovalCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if m := approvalCodeRE.FindStringSubmatch(s); m != nil {
		return m[1], nil
	}
	if bareCodeRE.MatchString(s) {
		return s, nil
	}
	return "", errors.New("clio: no authorization code found in the approval page text")
}

// Revoke ends the grant behind accessToken (its refresh token dies with
// it): POST /oauth/deauthorize with the token as bearer and as form value.
// A token Clio already refuses (401) counts as revoked.
func (c *Client) Revoke(ctx context.Context, accessToken string) error {
	r := &httpx.Request{
		Method: http.MethodPost,
		URL:    c.oauthBase + "/oauth/deauthorize",
		Header: http.Header{
			"Authorization": {"Bearer " + accessToken},
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Accept":        {"application/json"},
		},
		Body:   []byte(url.Values{"token": {accessToken}}.Encode()),
		NoAuth: true, // the token to revoke, not the Authorizer's
	}
	if err := c.http.DoJSON(ctx, r, nil); err != nil {
		if httpx.StatusOf(err) == http.StatusUnauthorized {
			return nil
		}
		return wrap("revoking the token", err)
	}
	return nil
}

// Identity is the connected Clio user.
type Identity = httpx.Identity

// Me returns the user the token belongs to (GET /users/who_am_i).
func (c *Client) Me(ctx context.Context) (Identity, error) {
	var u User
	if err := c.get(ctx, "/users/who_am_i.json", url.Values{"fields": {"id,name,email"}}, &u); err != nil {
		return Identity{}, wrap("getting the connected user", err)
	}
	return Identity{ID: strconv.FormatInt(u.ID, 10), Name: u.Name, Email: u.Email}, nil
}

// DecodeError extracts Clio's code and message from an error body: the
// API's {"error":{"type":…,"message":…}} or the OAuth-style
// {"error":"invalid_token","error_description":…}.
func DecodeError(status int, h http.Header, body []byte) (code, message string) {
	var e struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Error) == 0 {
		return "", ""
	}
	var d ErrorDetail
	if json.Unmarshal(e.Error, &d) == nil && (d.Type != "" || d.Message != "") {
		return d.Type, d.Message
	}
	var s string
	if json.Unmarshal(e.Error, &s) == nil {
		return s, e.Description
	}
	return "", ""
}

var (
	s3Code    = regexp.MustCompile(`<Code>([^<]*)</Code>`)
	s3Message = regexp.MustCompile(`<Message>([^<]*)</Message>`)
)

// decodeStorageError reads S3's XML error body of a pre-signed URL.
func decodeStorageError(status int, h http.Header, body []byte) (code, message string) {
	if m := s3Code.FindSubmatch(body); m != nil {
		code = string(m[1])
	}
	if m := s3Message.FindSubmatch(body); m != nil {
		message = string(m[1])
	}
	return code, message
}

// sentinelError adds a sentinel to an API error without changing its text.
type sentinelError struct {
	sentinel error
	err      error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.sentinel, e.err} }

// wrap wraps err as "clio: doing: …", adding ErrNotFound for a 404.
func wrap(doing string, err error) error {
	if httpx.StatusOf(err) == http.StatusNotFound {
		err = &sentinelError{ErrNotFound, err}
	}
	return fmt.Errorf("clio: %s: %w", doing, err)
}

// request builds an API request for path (below the API base, or a full
// URL from meta.paging.next) with query v and, when in is not nil, the
// JSON body {"data": in}.
func (c *Client) request(method, path string, v url.Values, in any) (*httpx.Request, error) {
	u := path
	if !strings.HasPrefix(path, "https://") && !strings.HasPrefix(path, "http://") {
		u = c.apiBase + path
	}
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	r := &httpx.Request{
		Method: method,
		URL:    u,
		Header: http.Header{"Accept": {"application/json"}, "X-Api-Version": {APIVersion}},
	}
	if in != nil {
		b, err := json.Marshal(DataResponse[any]{Data: in})
		if err != nil {
			return nil, fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
		r.Body = b
		r.Header.Set("Content-Type", "application/json")
	}
	return r, nil
}

// get fetches a single record ({"data":…}) into out.
func (c *Client) get(ctx context.Context, path string, v url.Values, out any) error {
	return c.send(ctx, http.MethodGet, path, v, nil, out, nil)
}

// send sends one API request; out receives the reply's data (nil: drop the
// body). hdr adds headers (If-Match, X-Hook-Secret).
func (c *Client) send(ctx context.Context, method, path string, v url.Values, in, out any, hdr http.Header) error {
	r, err := c.request(method, path, v, in)
	if err != nil {
		return err
	}
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	if out == nil {
		return c.http.DoJSON(ctx, r, nil)
	}
	env := DataResponse[any]{Data: out}
	return c.http.DoJSON(ctx, r, &env)
}

// list pages through path with Clio's cursor paging (order=id(asc), limit,
// follow meta.paging.next until absent), calling fn for each record. v
// must name the fields. An error from fn stops the walk and is returned as
// is.
func list[T any](ctx context.Context, c *Client, doing, path string, v url.Values, fn func(T) error) error {
	if v.Get("fields") == "" {
		return fmt.Errorf("clio: %s: no fields named (Clio would send only id and etag)", doing)
	}
	v.Set("limit", strconv.Itoa(c.pageSize))
	v.Set("order", "id(asc)")
	next := path
	seen := map[string]bool{}
	for next != "" {
		var page ListResponse[T]
		r, err := c.request(http.MethodGet, next, v, nil)
		if err != nil {
			return fmt.Errorf("clio: %s: %w", doing, err)
		}
		if err := c.http.DoJSON(ctx, r, &page); err != nil {
			return wrap(doing, err)
		}
		for _, rec := range page.Data {
			if err := fn(rec); err != nil {
				return err
			}
		}
		next, v = page.Meta.Paging.Next, nil
		if next == "" {
			break
		}
		if err := c.checkNext(next); err != nil {
			return fmt.Errorf("clio: %s: %w", doing, err)
		}
		if seen[next] {
			return fmt.Errorf("clio: %s: paging loops (meta.paging.next repeats)", doing)
		}
		seen[next] = true
	}
	return nil
}

// checkNext refuses a meta.paging.next that leaves the API host, so the
// bearer token never goes anywhere else.
func (c *Client) checkNext(next string) error {
	n, err := url.Parse(next)
	if err != nil {
		return fmt.Errorf("bad meta.paging.next: %w", err)
	}
	base, err := url.Parse(c.apiBase)
	if err != nil {
		return fmt.Errorf("bad API base: %w", err)
	}
	if n.Scheme != base.Scheme || n.Host != base.Host || !strings.HasPrefix(n.Path, base.Path+"/") {
		return fmt.Errorf("meta.paging.next points outside the API (%s%s)", n.Host, n.Path)
	}
	return nil
}

// formatTime renders a filter timestamp as Clio's ISO-8601.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// idChunks splits ids for ids[] filters so URLs stay short.
func idChunks(ids []int64) [][]int64 {
	const n = 100
	var out [][]int64
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return append(out, ids)
}

// listIDs lists path with base's filters, once per chunk of ids with that
// chunk as ids[], or once unfiltered by id when ids is empty.
func listIDs[T any](ctx context.Context, c *Client, doing, path string, base url.Values, ids []int64, fn func(T) error) error {
	for _, chunk := range idChunks(ids) {
		v := maps.Clone(base)
		for _, id := range chunk {
			v.Add("ids[]", strconv.FormatInt(id, 10))
		}
		if err := list(ctx, c, doing, path, v, fn); err != nil {
			return err
		}
	}
	return nil
}

// drain reads and closes a body so the connection can be reused.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
	rc.Close()
}
