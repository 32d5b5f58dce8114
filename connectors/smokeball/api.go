// Package smokeball is Firmsync's client for the Smokeball API
// (api.smokeball.com and its AU and UK twins). The wire types shared with
// the fake (package smokeballfake) live here; field names follow the
// vendor's OpenAPI document.
//
// Smokeball differs from Clio in ways callers must know: every call needs
// an API key as well as a bearer token; ids are GUID strings; writes answer
// 202 and apply later (a failure arrives as an `error` webhook); times are
// sometimes .NET ticks and sometimes ISO strings.
package smokeball

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Link is the vendor's hypermedia link object. Paging links and the 202
// reply of a write use it.
type Link struct {
	ID       string `json:"id,omitempty"`
	Href     string `json:"href,omitempty"`
	Relation string `json:"relation,omitempty"`
	Method   string `json:"method,omitempty"`
}

// Page is the paged envelope every list answers with.
type Page[T any] struct {
	Href     string `json:"href,omitempty"`
	Offset   int    `json:"offset"`
	Limit    int    `json:"limit"`
	Size     int64  `json:"size"` // total records matching
	First    *Link  `json:"first,omitempty"`
	Previous *Link  `json:"previous,omitempty"`
	Next     *Link  `json:"next,omitempty"`
	Last     *Link  `json:"last,omitempty"`
	Value    []T    `json:"value"`
}

// ProblemDetails is an RFC 7807 error body (application/problem+json).
// Errors holds validation messages by field; its item shape is [U], so it
// is kept raw.
type ProblemDetails struct {
	Type     string          `json:"type,omitempty"`
	Title    string          `json:"title,omitempty"`
	Status   int             `json:"status,omitempty"`
	Detail   string          `json:"detail,omitempty"`
	Instance string          `json:"instance,omitempty"`
	Errors   json.RawMessage `json:"errors,omitempty"`
}

// TokenResponse is the reply of POST /oauth2/token. A refresh_token grant
// reply carries no RefreshToken: the old one stays valid.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"` // deprecated by Smokeball; never used
	TokenType    string `json:"token_type"`         // "Bearer"
	ExpiresIn    int    `json:"expires_in"`         // 3600
}

// OAuthError is the token endpoint's error body.
type OAuthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// Accepted is the 202 reply of every write: the id the record will have
// and its URL. The record is not visible until Smokeball applies the write.
type Accepted struct {
	ID   string `json:"id"`
	Href string `json:"href"`
}

// ticksAtUnixEpoch is 1970-01-01T00:00:00Z in .NET ticks (100 ns units since
// 0001-01-01T00:00:00Z).
const ticksAtUnixEpoch = 621355968000000000

// secondsToUnixEpoch is the number of seconds from 0001-01-01 to 1970-01-01.
const secondsToUnixEpoch = ticksAtUnixEpoch / 10_000_000

// Ticks converts t to .NET ticks (UTC), the unit of UpdatedSince, contact
// lastUpdated and webhook timestamps. The zero time is 0.
func Ticks(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return (t.Unix()+secondsToUnixEpoch)*10_000_000 + int64(t.Nanosecond()/100)
}

// FromTicks converts .NET ticks to a UTC time; 0 is the zero time.
func FromTicks(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n/10_000_000-secondsToUnixEpoch, (n%10_000_000)*100).UTC()
}

// isoLayouts are the ISO forms Smokeball sends: with a zone (…Z, 7
// fractional digits) and, from some .NET serialisers, without one (UTC).
var isoLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", time.DateOnly}

// flexTime decodes a time sent as an ISO string, as ticks (a JSON number)
// or as ticks in a string (matter versionId). null and "" are zero. The
// spec is not uniform across resources, so every time field is read with
// it.
type flexTime struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		f.Time = time.Time{}
		return nil
	}
	if b[0] != '"' {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("smokeball: time %s is neither ISO nor ticks", b)
		}
		f.Time = FromTicks(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, ok := parseTime(s)
	if !ok {
		return fmt.Errorf("smokeball: time %q is neither ISO nor ticks", s)
	}
	f.Time = t
	return nil
}

// parseTime reads an ISO time or a tick count; "" is the zero time.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return FromTicks(n), true
	}
	for _, l := range isoLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// FormatTime renders t as Smokeball's ISO UTC form with 7 fractional
// digits, e.g. "2017-02-20T05:50:30.1568284Z".
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}
