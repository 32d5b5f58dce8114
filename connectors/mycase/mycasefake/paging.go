package mycasefake

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// listQuery is the parsed paging part of a list request.
type listQuery struct {
	size         int
	after        int64     // from page_token: serve ids > after
	updatedAfter time.Time // filter[updated_after]; zero = none
}

// listSpec says which paging parameters a list documents.
type listSpec struct {
	sized        bool // page_size is a documented parameter
	updatedAfter bool // filter[updated_after] is a documented parameter
}

// parseList reads page_size, page_token and filter[updated_after]. A
// parameter the list does not document is ignored, as an unknown query
// parameter would be [U]; one that is documented but bad answers 400 with
// source.parameter.
func (s *Server) parseList(r *http.Request, spec listSpec) (*listQuery, error) {
	v := r.URL.Query()
	q := &listQuery{size: DefaultPageSize}
	if raw := v.Get("page_size"); raw != "" && spec.sized {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPageSize {
			return nil, badParam("page_size", "page_size must be a number between 1 and %d", MaxPageSize)
		}
		q.size = n
	}
	if pt := v.Get("page_token"); pt != "" {
		after, issued, ok := decodePageToken(pt)
		if !ok {
			return nil, badParam("page_token", "page_token is invalid")
		}
		if !s.now().Before(issued.Add(PageTokenTTL)) {
			return nil, badParam("page_token", "page_token has expired")
		}
		q.after = after
	}
	if raw := v.Get("filter[updated_after]"); raw != "" && spec.updatedAfter {
		t, err := parseISO(raw)
		if err != nil {
			return nil, badParam("filter[updated_after]", "filter[updated_after] must be an ISO 8601 date or date/time")
		}
		q.updatedAfter = t
	}
	return q, nil
}

// parseISO reads an ISO-8601 date or date-time; no offset means UTC.
func parseISO(raw string) (time.Time, error) {
	raw = strings.TrimSpace(raw)
	var err error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04", time.DateOnly} {
		var t time.Time
		if t, err = time.Parse(layout, raw); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// parseDate reads an ISO-8601 date (no time).
func parseDate(raw string) bool {
	_, err := time.Parse(time.DateOnly, strings.TrimSpace(raw))
	return err == nil
}

// encodePageToken makes an opaque cursor: the last id served and when the
// link was issued (next links expire after 3 days).
func encodePageToken(after int64, issued time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c:" + strconv.FormatInt(after, 10) + ":" + strconv.FormatInt(issued.Unix(), 10)))
}

func decodePageToken(tok string) (int64, time.Time, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, time.Time{}, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "c" {
		return 0, time.Time{}, false
	}
	id, err1 := strconv.ParseInt(parts[1], 10, 64)
	sec, err2 := strconv.ParseInt(parts[2], 10, 64)
	return id, time.Unix(sec, 0), err1 == nil && err2 == nil
}

// page is one rendered page of a list.
type page struct {
	items []any
	total int
	next  string // absolute URL of the next page; "" on the last
}

// pageLocked builds one page of t in id order. updated gives a record's
// updated_at (filter[updated_after] is inclusive and covers creates,
// whose updated_at is their created_at); match applies the list's own
// filters (nil = none); view renders a record. The caller holds mu.
func pageLocked[T any](s *Server, r *http.Request, q *listQuery, t *table[T], updated func(*T) time.Time, match func(*T) bool, view func(*T) any) page {
	ok := func(rec *T) bool {
		if !q.updatedAfter.IsZero() && updated(rec).Before(q.updatedAfter) {
			return false
		}
		return match == nil || match(rec)
	}
	start, _ := slices.BinarySearch(t.ids, q.after+1)
	p := page{items: []any{}}
	var last int64
	more := false
	for _, id := range t.ids[start:] {
		rec := t.m[id]
		if !ok(rec) {
			continue
		}
		if len(p.items) == q.size {
			more = true
			break
		}
		p.items = append(p.items, view(rec))
		last = id
	}
	for _, id := range t.ids {
		if ok(t.m[id]) {
			p.total++
		}
	}
	if more {
		v := r.URL.Query()
		v.Set("page_token", encodePageToken(last, s.now()))
		p.next = requestBase(r) + r.URL.Path + "?" + v.Encode()
	}
	return p
}

// writePage writes a bare JSON array with Item-Count and, when there is
// more, Link: <…>; rel="next".
func writePage(w http.ResponseWriter, p page) {
	w.Header().Set("Item-Count", strconv.Itoa(p.total))
	if p.next != "" {
		w.Header().Set("Link", "<"+p.next+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, p.items)
}
