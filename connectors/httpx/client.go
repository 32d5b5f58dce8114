// Package httpx is the one place Firmsync's HTTP behaviour lives: pacing
// from the platforms' rate-limit headers, Retry-After, backoff for server
// trouble, one refresh on a 401, request counting, and errors that carry
// the platform's own message but never a token.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// Authorizer supplies bearer tokens.
type Authorizer interface {
	// Token returns a valid access token, refreshing ahead of expiry.
	Token(ctx context.Context) (string, error)
	// Refresh is called after the platform refused token with a 401. It
	// returns a new token, or an error wrapping ErrReconnect when only the
	// user can fix it.
	Refresh(ctx context.Context, refused string) (string, error)
}

// Options configures a Client.
type Options struct {
	Platform   string       // "clio", "box", … for errors, logs and counts
	HTTPClient *http.Client // nil: a client with sensible timeouts
	Auth       Authorizer   // nil: requests go out unauthenticated
	Pacer      *Pacer       // nil: no pacing beyond Retry-After
	// RateLimitRetries is how often a 429 is retried after waiting its
	// Retry-After (default 3).
	RateLimitRetries int
	// ServerRetries is how often a 5xx or network failure of an idempotent
	// request is retried with exponential backoff and jitter (default 4).
	ServerRetries int
	BaseBackoff   time.Duration // default 500 ms
	MaxBackoff    time.Duration // default 30 s
	// DecodeError extracts the platform's error code and message from a
	// failed response's body.
	DecodeError func(status int, h http.Header, body []byte) (code, message string)
	// Permission names the missing permission for a 403, when the
	// platform says which.
	Permission func(h http.Header, body []byte) string
	Logger     *slog.Logger
	// Sleep is injectable for tests; nil sleeps for real.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client sends requests to one platform.
type Client struct {
	o        Options
	hc       *http.Client
	requests atomic.Int64
	limited  atomic.Int64
}

// New returns a Client.
func New(o Options) *Client {
	if o.RateLimitRetries == 0 {
		o.RateLimitRetries = 3
	}
	if o.ServerRetries == 0 {
		o.ServerRetries = 4
	}
	if o.BaseBackoff == 0 {
		o.BaseBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = DefaultHTTPClient()
	}
	return &Client{o: o, hc: hc}
}

// DefaultHTTPClient has connection and header timeouts but no overall
// timeout, so long streaming transfers are not cut off.
func DefaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 60 * time.Second
	t.MaxIdleConnsPerHost = 8
	return &http.Client{Transport: t}
}

// Platform is the platform name this client talks to.
func (c *Client) Platform() string { return c.o.Platform }

// Requests is the number of HTTP requests sent so far (retries included).
func (c *Client) Requests() int64 { return c.requests.Load() }

// RateLimited is the number of 429 answers received so far.
func (c *Client) RateLimited() int64 { return c.limited.Load() }

// Replay says whether a request may be sent again after a failure whose
// effect is unknown (a 5xx or a broken connection).
type Replay int

const (
	// ReplayAuto: GET, HEAD, PUT, DELETE and OPTIONS replay; POST and PATCH do not.
	ReplayAuto Replay = iota
	// ReplaySafe marks a POST or PATCH that is idempotent (e.g. it carries
	// a caller-chosen id, or the platform dedupes it).
	ReplaySafe
	// ReplayNever forbids replaying even an idempotent method.
	ReplayNever
)

// Request is one API call.
type Request struct {
	Method string
	URL    string
	Header http.Header
	// Body is a small, replayable body (JSON, form).
	Body []byte
	// Stream opens a streaming body; it is called once per attempt, so it
	// must be able to start over (or return an error when it cannot).
	Stream        func() (io.ReadCloser, error)
	ContentLength int64 // for Stream; -1 or 0 when unknown
	Replay        Replay
	NoAuth        bool // send without the bearer token (pre-signed URLs)
	// OKStatus lists non-2xx statuses the caller handles itself (e.g. 303
	// for a download redirect, 409 to adopt a conflict); they come back as
	// a response, not an error.
	OKStatus []int
}

func (r *Request) replayable() bool {
	switch r.Replay {
	case ReplaySafe:
		return true
	case ReplayNever:
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// Counter counts the requests made on behalf of one run. Attach it to the
// context with WithCounter; every Client that sees that context adds to it.
type Counter struct{ n atomic.Int64 }

// Count returns the requests counted so far.
func (c *Counter) Count() int64 {
	if c == nil {
		return 0
	}
	return c.n.Load()
}

type counterKey struct{}

// WithCounter returns a context whose requests are counted in c.
func WithCounter(ctx context.Context, c *Counter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

func countRequest(ctx context.Context) {
	if c, ok := ctx.Value(counterKey{}).(*Counter); ok && c != nil {
		c.n.Add(1)
	}
}

// Do sends r, pacing, retrying and refreshing as described in the package
// doc. A 2xx (or a status in r.OKStatus) returns the response with its body
// open for the caller to read and close; anything else returns an *Error.
func (c *Client) Do(ctx context.Context, r *Request) (*http.Response, error) {
	var (
		rateTries, serverTries int
		refreshed              bool
		token                  string
	)
	path := pathOf(r.URL)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if c.o.Auth != nil && !r.NoAuth && token == "" {
			t, err := c.o.Auth.Token(ctx)
			if err != nil {
				return nil, fmt.Errorf("%s: getting a token: %w", c.o.Platform, err)
			}
			token = t
		}
		if c.o.Pacer != nil {
			if err := c.o.Pacer.Wait(ctx); err != nil {
				return nil, err
			}
		}
		req, err := c.build(ctx, r, token)
		if err != nil {
			return nil, err
		}
		c.requests.Add(1)
		countRequest(ctx)
		resp, err := c.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			apiErr := &Error{Platform: c.o.Platform, Method: r.Method, Path: path, Kind: KindNetwork, Err: scrub(err)}
			if r.replayable() && serverTries < c.o.ServerRetries {
				serverTries++
				if err := c.backoff(ctx, serverTries, 0, apiErr); err != nil {
					return nil, err
				}
				continue
			}
			return nil, apiErr
		}
		if c.o.Pacer != nil {
			c.o.Pacer.Observe(resp)
		}
		if ok(resp.StatusCode, r.OKStatus) {
			return resp, nil
		}
		apiErr := c.readError(r, path, resp)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			c.limited.Add(1)
			// A 429 was refused before any effect, so even a create may
			// be sent again.
			if rateTries < c.o.RateLimitRetries {
				rateTries++
				wait := apiErr.RetryAfter
				if wait <= 0 {
					wait = c.backoffDelay(rateTries)
				}
				c.o.Logger.Info("rate limited; waiting", "platform", c.o.Platform, "path", path, "wait", wait.String(), "try", rateTries)
				if err := sleepCtx(ctx, c.o.Sleep, wait); err != nil {
					return nil, err
				}
				continue
			}
			return nil, apiErr
		case resp.StatusCode == http.StatusUnauthorized && c.o.Auth != nil && !r.NoAuth:
			if refreshed {
				apiErr.Message = "the platform refused a freshly refreshed token; reconnect " + c.o.Platform
				return nil, apiErr
			}
			refreshed = true
			t, err := c.o.Auth.Refresh(ctx, token)
			if err != nil {
				return nil, fmt.Errorf("%s: refreshing after 401: %w", c.o.Platform, err)
			}
			token = t
			continue
		case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
			if r.replayable() && serverTries < c.o.ServerRetries {
				serverTries++
				if err := c.backoff(ctx, serverTries, apiErr.RetryAfter, apiErr); err != nil {
					return nil, err
				}
				continue
			}
			return nil, apiErr
		}
		if resp.StatusCode == http.StatusUnauthorized {
			apiErr.Kind = KindUnauthorized
		}
		return nil, apiErr
	}
}

func ok(status int, extra []int) bool {
	if status >= 200 && status < 300 {
		return true
	}
	for _, s := range extra {
		if s == status {
			return true
		}
	}
	return false
}

func (c *Client) build(ctx context.Context, r *Request, token string) (*http.Request, error) {
	var body io.Reader
	switch {
	case r.Stream != nil:
		rc, err := r.Stream()
		if err != nil {
			return nil, fmt.Errorf("%s: opening request body: %w", c.o.Platform, err)
		}
		body = rc
	case r.Body != nil:
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%s: building %s %s: %w", c.o.Platform, r.Method, pathOf(r.URL), err)
	}
	if r.Stream != nil && r.ContentLength > 0 {
		req.ContentLength = r.ContentLength
	}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "Firmsync/1")
	}
	return req, nil
}

const maxErrorBody = 64 << 10

func (c *Client) readError(r *Request, path string, resp *http.Response) *Error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	e := &Error{
		Platform: c.o.Platform, Method: r.Method, Path: path, Status: resp.StatusCode,
		Kind: kindFor(resp.StatusCode), Body: body,
		RetryAfter: RetryAfter(resp.Header, time.Now()),
	}
	if c.o.DecodeError != nil {
		e.Code, e.Message = c.o.DecodeError(resp.StatusCode, resp.Header, body)
	}
	if e.Message == "" {
		e.Message = genericMessage(resp.StatusCode, c.o.Platform)
	}
	if e.Kind == KindForbidden && c.o.Permission != nil {
		e.Permission = c.o.Permission(resp.Header, body)
	}
	if e.Kind == KindRateLimited {
		e.Message = fmt.Sprintf("still rate limited after %d retries: %s", c.o.RateLimitRetries, e.Message)
	}
	return e
}

func genericMessage(status int, platform string) string {
	switch {
	case status == http.StatusUnauthorized:
		return "access was refused; reconnect " + platform
	case status >= 500:
		return platform + " is having trouble; Firmsync will try again later"
	}
	return ""
}

func (c *Client) backoffDelay(try int) time.Duration {
	d := c.o.BaseBackoff << (try - 1)
	if d > c.o.MaxBackoff || d <= 0 {
		d = c.o.MaxBackoff
	}
	// Jitter in [d/2, d] keeps many clients from retrying in lockstep.
	return d/2 + rand.N(d/2+1)
}

func (c *Client) backoff(ctx context.Context, try int, atLeast time.Duration, cause *Error) error {
	d := c.backoffDelay(try)
	if atLeast > d {
		d = atLeast
	}
	c.o.Logger.Info("retrying after failure", "platform", c.o.Platform, "path", cause.Path, "status", cause.Status, "wait", d.String(), "try", try)
	return sleepCtx(ctx, c.o.Sleep, d)
}

// JSON sends in (if not nil) as JSON and decodes a 2xx reply into out (if
// not nil).
func (c *Client) JSON(ctx context.Context, method, rawURL string, in, out any) error {
	r := &Request{Method: method, URL: rawURL, Header: http.Header{"Accept": {"application/json"}}}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encoding %s %s: %w", c.o.Platform, method, pathOf(rawURL), err)
		}
		r.Body = b
		r.Header.Set("Content-Type", "application/json")
	}
	return c.DoJSON(ctx, r, out)
}

// DoJSON sends r and decodes a 2xx reply into out (if not nil).
func (c *Client) DoJSON(ctx context.Context, r *Request, out any) error {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("%s: decoding %s %s: %w", c.o.Platform, r.Method, pathOf(r.URL), err)
	}
	return nil
}

// pathOf returns the URL's path only: queries can hold codes and tokens.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad URL)"
	}
	return u.Path
}

// scrub removes the query string from url.Error messages, which quote the
// whole URL (and with it any token a pre-signed URL carries).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: pathOf(ue.URL), Err: ue.Err}
	}
	return err
}
