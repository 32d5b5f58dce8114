package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrReconnect is wrapped by every error that only the user can fix by
// connecting the platform again: a 401 that survived a refresh, a refresh
// token the platform no longer accepts, a revoked grant.
var ErrReconnect = errors.New("reconnect needed")

// ErrRateLimited is wrapped by an Error for a 429 that outlasted the retries.
var ErrRateLimited = errors.New("rate limited")

// Kind classifies an API error by what the caller should do about it.
type Kind int

// Error kinds.
const (
	KindOther        Kind = iota
	KindNetwork           // no response (connection refused, reset, timeout)
	KindRateLimited       // 429 after the allowed retries
	KindUnauthorized      // 401 after a refresh: reconnect
	KindForbidden         // 403: a permission is missing
	KindNotFound          // 404
	KindConflict          // 409
	KindPrecondition      // 412
	KindValidation        // 400, 422: the platform refused the input
	KindServer            // 5xx: the platform is having trouble
)

// Error is a failed API call. Its message never holds a token: only the
// method, the URL path (no query string) and the platform's own message.
type Error struct {
	Platform   string
	Method     string
	Path       string
	Status     int           // HTTP status; 0 for network errors
	Code       string        // the platform's error code, if any
	Message    string        // the platform's own message, or a plain description
	Permission string        // for 403: the permission that is missing, when known
	RetryAfter time.Duration // for 429 and 503
	Kind       Kind
	Body       []byte // up to 64 KiB of the response, for callers that parse details (e.g. Box 409 conflicts)
	Err        error  // underlying network error
}

func (e *Error) Error() string {
	where := fmt.Sprintf("%s: %s %s", e.Platform, e.Method, e.Path)
	switch {
	case e.Status == 0:
		return fmt.Sprintf("%s: %v", where, e.Err)
	case e.Kind == KindForbidden && e.Permission != "":
		return fmt.Sprintf("%s: %d: reconnect with a user who has the %q permission: %s", where, e.Status, e.Permission, e.Message)
	case e.Message != "":
		return fmt.Sprintf("%s: %d %s: %s", where, e.Status, statusWord(e.Status), e.Message)
	}
	return fmt.Sprintf("%s: %d %s", where, e.Status, statusWord(e.Status))
}

// Unwrap lets errors.Is find ErrReconnect, ErrRateLimited and network causes.
func (e *Error) Unwrap() []error {
	var errs []error
	switch e.Kind {
	case KindUnauthorized:
		errs = append(errs, ErrReconnect)
	case KindRateLimited:
		errs = append(errs, ErrRateLimited)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func statusWord(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "error"
}

// StatusOf returns the HTTP status of an API error, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// KindOf returns the kind of an API error, or KindOther.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// IsReconnect reports whether err means the user must connect again.
func IsReconnect(err error) bool { return errors.Is(err, ErrReconnect) }

// Transient reports whether err may go away by itself (rate limits, server
// trouble, network failures), as opposed to a refusal that will repeat.
func Transient(err error) bool {
	switch KindOf(err) {
	case KindNetwork, KindRateLimited, KindServer:
		return true
	}
	return false
}

func kindFor(status int) Kind {
	switch {
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusForbidden:
		return KindForbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		return KindNotFound
	case status == http.StatusConflict:
		return KindConflict
	case status == http.StatusPreconditionFailed:
		return KindPrecondition
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return KindValidation
	case status >= 500:
		return KindServer
	}
	return KindOther
}
