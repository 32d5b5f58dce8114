package smokeball

import (
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

// Real Smokeball hosts (US region) and request facts.
const (
	DefaultAPIBase  = "https://api.smokeball.com"
	DefaultAuthBase = "https://auth.smokeball.com"
	// MaxPageSize is the largest `Limit` a list accepts.
	MaxPageSize = 500
	// APIKeyHeader carries the key Smokeball issues with the app; every
	// API call needs it as well as the bearer token.
	APIKeyHeader = "x-api-key"
	// RequestIDHeader is echoed by Smokeball in the reply and in the
	// webhooks the call triggers.
	RequestIDHeader = "RequestId"
	// DefaultWriteWait is how long Wait* poll for an accepted write.
	DefaultWriteWait = 30 * time.Second
)

// platform names the platform in errors, logs and request counts.
const platform = "smokeball"

// regionHosts maps Firmsync's region names to Smokeball's host suffixes.
// Regions never mix: a token from one is refused by the others.
var regionHosts = map[string]string{
	"us": "smokeball.com",
	"au": "smokeball.com.au",
	"uk": "smokeball.co.uk",
}

// Hosts returns the API base and auth base of a Smokeball region: "us"
// (also ""), "au" or "uk".
func Hosts(region string) (apiBase, authBase string, err error) {
	r := strings.ToLower(strings.TrimSpace(region))
	if r == "" {
		r = "us"
	}
	suffix, ok := regionHosts[r]
	if !ok {
		return "", "", fmt.Errorf("smokeball: unknown region %q (want us, au or uk)", region)
	}
	return "https://api." + suffix, "https://auth." + suffix, nil
}

// ErrNotFound: the record does not exist (404), or an accepted write has
// not been applied yet.
var ErrNotFound = errors.New("not found")

// Options configures a Client. The zero value talks to the real Smokeball
// (US) but has no API key, which every call needs.
type Options struct {
	APIBase    string           // "" = DefaultAPIBase; see Hosts
	AuthBase   string           // "" = DefaultAuthBase
	APIKey     string           // sent as x-api-key; a secret: never logged or put in errors
	HTTPClient *http.Client     // nil = httpx.DefaultHTTPClient(); redirects are never followed
	Auth       httpx.Authorizer // bearer tokens
	Logger     *slog.Logger     // nil = discard
	// Pacer nil = a client-side budget of 5 requests a second (Smokeball's
	// default token bucket, burst 5), since Smokeball sends no rate
	// headers to learn from.
	Pacer *httpx.Pacer
	Sleep func(ctx context.Context, d time.Duration) error // tests; nil = real sleep
	// PageSize is the `Limit` of list requests, 1–500; 0 = MaxPageSize.
	PageSize int
	// WriteWait is how long WaitContact and WaitMatter poll for an
	// accepted (202) write to appear; 0 = DefaultWriteWait.
	WriteWait time.Duration
}

// Client calls the Smokeball API for one connected firm.
type Client struct {
	apiBase   string
	authBase  string
	apiKey    string
	pageSize  int
	writeWait time.Duration
	log       *slog.Logger
	sleep     func(ctx context.Context, d time.Duration) error
	http      *httpx.Client // the API host: paced, bearer token and API key
	storage   *httpx.Client // pre-signed S3 URLs: no token, no key, no pacing
}

// New returns a Client.
func New(o Options) *Client {
	if o.APIBase == "" {
		o.APIBase = DefaultAPIBase
	}
	if o.AuthBase == "" {
		o.AuthBase = DefaultAuthBase
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Pacer == nil {
		o.Pacer = &httpx.Pacer{Limit: 5, Window: time.Second, Sleep: o.Sleep}
	}
	if o.PageSize <= 0 || o.PageSize > MaxPageSize {
		o.PageSize = MaxPageSize
	}
	if o.WriteWait <= 0 {
		o.WriteWait = DefaultWriteWait
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = httpx.DefaultHTTPClient()
	}
	// A redirect would carry the bearer token and API key to wherever it
	// points; Smokeball answers downloads with JSON, never a redirect, so
	// none is followed.
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{
		apiBase:   strings.TrimSuffix(o.APIBase, "/"),
		authBase:  strings.TrimSuffix(o.AuthBase, "/"),
		apiKey:    o.APIKey,
		pageSize:  o.PageSize,
		writeWait: o.WriteWait,
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

// Endpoints returns Smokeball's OAuth endpoints below authBase ("" = the US
// host; see Hosts). Smokeball's auth is AWS Cognito: PKCE S256, client
// credentials in a Basic header, and refresh replies without a new refresh
// token (the old one is reused until it expires after 30 days).
func Endpoints(authBase string) httpx.OAuthEndpoints {
	if authBase == "" {
		authBase = DefaultAuthBase
	}
	authBase = strings.TrimSuffix(authBase, "/")
	return httpx.OAuthEndpoints{
		AuthURL:   authBase + "/oauth2/authorize",
		TokenURL:  authBase + "/oauth2/token",
		PKCE:      true,
		BasicAuth: true,
		Refresh:   "reusable",
	}
}

// firm is the part of GET /firm the client reads.
type firm struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Me returns the connected firm (GET /firm): Smokeball has no current-user
// endpoint, and a connection is to a firm anyway.
func (c *Client) Me(ctx context.Context) (httpx.Identity, error) {
	var f firm
	if err := c.get(ctx, "/firm", nil, &f); err != nil {
		return httpx.Identity{}, wrap("getting the connected firm", err)
	}
	return httpx.Identity{ID: f.ID, Name: f.Name, Email: f.Email}, nil
}

// DecodeError extracts Smokeball's code and message from an error body:
// RFC 7807 ProblemDetails (the API), {"message":…} (the API gateway in
// front of it) or {"error":…,"error_description":…} (the token endpoint).
func DecodeError(status int, h http.Header, body []byte) (code, message string) {
	var e struct {
		ProblemDetails
		Message     string          `json:"message"`
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	var oauth string
	if len(e.Error) > 0 && json.Unmarshal(e.Error, &oauth) == nil && oauth != "" {
		return oauth, e.Description
	}
	if e.Title != "" || e.Detail != "" {
		msg := e.Title
		if e.Detail != "" {
			msg = strings.TrimSpace(msg + " " + e.Detail)
		}
		if v := validationText(e.Errors); v != "" {
			msg += " (" + v + ")"
		}
		return e.Type, msg
	}
	return "", e.Message
}

// validationText flattens ProblemDetails.errors, whose item shape is [U]:
// ASP.NET's {"field":["msg"]} or a list of strings or objects.
func validationText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var byField map[string][]string
	if json.Unmarshal(raw, &byField) == nil {
		var parts []string
		for k, v := range byField {
			parts = append(parts, k+": "+strings.Join(v, "; "))
		}
		return strings.Join(parts, ", ")
	}
	var list []any
	if json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, v := range list {
			b, _ := json.Marshal(v)
			parts = append(parts, strings.Trim(string(b), `"`))
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

// decodeStorageError reads S3's XML error body of a pre-signed URL.
func decodeStorageError(status int, h http.Header, body []byte) (code, message string) {
	code = between(string(body), "<Code>", "</Code>")
	message = between(string(body), "<Message>", "</Message>")
	return code, message
}

func between(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, close)
	return v
}

// sentinelError adds a sentinel to an API error without changing its text.
type sentinelError struct {
	sentinel error
	err      error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.sentinel, e.err} }

// wrap wraps err as "smokeball: doing: …", adding ErrNotFound for a 404.
func wrap(doing string, err error) error {
	if httpx.StatusOf(err) == http.StatusNotFound {
		err = &sentinelError{ErrNotFound, err}
	}
	return fmt.Errorf("smokeball: %s: %w", doing, err)
}

// request builds an API request for path (below the API base, or a full
// URL from a paging link) with query v and, when in is not nil, a JSON
// body. Every API request carries the API key; pre-signed URLs never go
// through here.
func (c *Client) request(method, path string, v url.Values, in any) (*httpx.Request, error) {
	u := path
	if !strings.HasPrefix(path, "https://") && !strings.HasPrefix(path, "http://") {
		u = c.apiBase + path
	}
	if len(v) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + v.Encode()
	}
	r := &httpx.Request{
		Method: method,
		URL:    u,
		Header: http.Header{"Accept": {"application/json"}, "X-Api-Key": {c.apiKey}},
	}
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

// get fetches one resource into out.
func (c *Client) get(ctx context.Context, path string, v url.Values, out any) error {
	return c.send(ctx, http.MethodGet, path, v, nil, out)
}

// send sends one API request and decodes the reply into out (nil: drop it).
func (c *Client) send(ctx context.Context, method, path string, v url.Values, in, out any) error {
	r, err := c.request(method, path, v, in)
	if err != nil {
		return err
	}
	return c.http.DoJSON(ctx, r, out)
}

// accept sends a write and returns its 202 reply. Smokeball queues writes
// and answers before applying them, so a 2xx only means "accepted".
func (c *Client) accept(ctx context.Context, method, path string, in any) (Accepted, error) {
	var a Accepted
	if err := c.send(ctx, method, path, nil, in, &a); err != nil {
		return Accepted{}, err
	}
	if a.ID == "" {
		a.ID = idFromHref(a.Href)
	}
	return a, nil
}

// idFromHref returns the last path segment of href, for a 202 reply that
// carries only the link.
func idFromHref(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

// list pages through path with Offset/Limit, following the envelope's next
// link until it is absent or a page comes back empty, calling fn for each
// record. An error from fn stops the walk and is returned as is.
func list[T any](ctx context.Context, c *Client, doing, path string, v url.Values, fn func(T) error) error {
	if v == nil {
		v = url.Values{}
	}
	v.Set("Offset", "0")
	v.Set("Limit", strconv.Itoa(c.pageSize))
	next := path
	seen := map[string]bool{}
	for {
		var page Page[T]
		r, err := c.request(http.MethodGet, next, v, nil)
		if err != nil {
			return fmt.Errorf("smokeball: %s: %w", doing, err)
		}
		if err := c.http.DoJSON(ctx, r, &page); err != nil {
			return wrap(doing, err)
		}
		for _, rec := range page.Value {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if page.Next == nil || page.Next.Href == "" || len(page.Value) == 0 {
			return nil
		}
		next, v = page.Next.Href, nil
		if next, err = c.checkNext(next); err != nil {
			return fmt.Errorf("smokeball: %s: %w", doing, err)
		}
		if seen[next] {
			return fmt.Errorf("smokeball: %s: paging loops (next repeats)", doing)
		}
		seen[next] = true
	}
}

// checkNext refuses a next link that leaves the API host, so the bearer
// token and API key never go anywhere else. A relative link is resolved
// against the API base; the absolute URL is returned.
func (c *Client) checkNext(next string) (string, error) {
	n, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("bad next link: %w", err)
	}
	base, err := url.Parse(c.apiBase + "/")
	if err != nil {
		return "", fmt.Errorf("bad API base: %w", err)
	}
	n = base.ResolveReference(n)
	if n.Scheme != base.Scheme || n.Host != base.Host || !strings.HasPrefix(n.Path, base.Path) {
		return "", fmt.Errorf("next link points outside the API (%s%s)", n.Host, n.Path)
	}
	return n.String(), nil
}

// drain reads and closes a body so the connection can be reused.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
	rc.Close()
}

// sleepCtx sleeps d with the injected sleep, or for real.
func sleepCtx(ctx context.Context, sleep func(context.Context, time.Duration) error, d time.Duration) error {
	if sleep != nil {
		return sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
