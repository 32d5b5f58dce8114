package cliofake

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

// listQuery is the parsed common part of an index request.
type listQuery struct {
	plan         plan
	limit        int
	after        int64 // from page_token: serve ids > after
	ids          map[int64]bool
	createdSince time.Time
	updatedSince time.Time
	query        string // lower-cased ?query=
}

// filtered reports whether anything beyond paging narrows the result.
func (q *listQuery) filtered() bool {
	return q.ids != nil || !q.createdSince.IsZero() || !q.updatedSince.IsZero() || q.query != ""
}

// parseList parses fields, limit, page_token, order, ids[], created_since,
// updated_since and query, answering 400 when one is bad.
//
// Paging is Clio's cursor mode: records come in id order and meta.paging.next
// carries an opaque page_token. A page_token is only valid together with
// order=id(asc) (Clio requires it for cursor paging), and next always
// carries both. Other orders (and the capped offset mode) are not modelled
// and answer 400.
func (s *Server) parseList(w http.ResponseWriter, r *http.Request, sample any) (*listQuery, bool) {
	v := r.URL.Query()
	p, ok := s.fieldsPlan(w, r, sample)
	if !ok {
		return nil, false
	}
	q := &listQuery{plan: p, limit: 200, query: strings.ToLower(strings.TrimSpace(v.Get("query")))}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			badRequest(w, "limit must be between 1 and 200")
			return nil, false
		}
		q.limit = n
	}
	order := v.Get("order")
	if order != "" && order != "id(asc)" {
		badRequest(w, "order "+strconv.Quote(order)+" is not supported by cliofake (only id(asc))")
		return nil, false
	}
	if pt := v.Get("page_token"); pt != "" {
		if order != "id(asc)" {
			badRequest(w, "page_token requires order=id(asc)")
			return nil, false
		}
		after, ok := decodePageToken(pt)
		if !ok {
			badRequest(w, "invalid page_token")
			return nil, false
		}
		q.after = after
	}
	for _, key := range []string{"ids[]", "ids"} {
		for _, raw := range v[key] {
			for _, part := range strings.Split(raw, ",") {
				id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
				if err != nil {
					badRequest(w, "ids[] must be integers")
					return nil, false
				}
				if q.ids == nil {
					q.ids = map[int64]bool{}
				}
				q.ids[id] = true
			}
		}
	}
	for key, dst := range map[string]*time.Time{"created_since": &q.createdSince, "updated_since": &q.updatedSince} {
		if raw := v.Get(key); raw != "" {
			t, err := parseISO(raw)
			if err != nil {
				badRequest(w, key+" must be an ISO-8601 timestamp")
				return nil, false
			}
			*dst = t
		}
	}
	return q, true
}

func parseISO(raw string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", time.DateOnly} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t, nil
		}
	}
	_, err := time.Parse(time.RFC3339, raw)
	return time.Time{}, err
}

func encodePageToken(after int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("cursor:" + strconv.FormatInt(after, 10)))
}

func decodePageToken(tok string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	n, ok := strings.CutPrefix(string(b), "cursor:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(n, 10, 64)
	return id, err == nil
}

// listReply is a rendered list page.
type listReply struct {
	Data []any         `json:"data"`
	Meta clio.ListMeta `json:"meta"`
}

// pageLocked builds one page of t. times gives a record's created/updated
// time, match applies resource filters (nil = none) including ?query, and
// view renders a record for projection. The caller holds mu.
func pageLocked[T any](r *http.Request, q *listQuery, t *table[T], times func(*T) (time.Time, time.Time), match func(*T) bool, view func(*T) any) listReply {
	ok := func(id int64) bool {
		if q.ids != nil && !q.ids[id] {
			return false
		}
		rec := t.m[id]
		if !q.createdSince.IsZero() || !q.updatedSince.IsZero() {
			c, u := times(rec)
			if c.Before(q.createdSince) || u.Before(q.updatedSince) {
				return false
			}
		}
		return match == nil || match(rec)
	}
	filtered := q.filtered() || match != nil
	start, _ := slices.BinarySearch(t.ids, q.after+1)
	rep := listReply{Data: make([]any, 0, min(q.limit, len(t.ids)-start))}
	var last int64
	more := false
	for _, id := range t.ids[start:] {
		if filtered && !ok(id) {
			continue
		}
		if len(rep.Data) == q.limit {
			more = true
			break
		}
		rep.Data = append(rep.Data, q.plan.one(view(t.m[id])))
		last = id
	}
	if filtered {
		for _, id := range t.ids {
			if ok(id) {
				rep.Meta.Records++
			}
		}
	} else {
		rep.Meta.Records = len(t.ids)
	}
	if more {
		v := r.URL.Query()
		v.Set("page_token", encodePageToken(last))
		v.Set("order", "id(asc)")
		rep.Meta.Paging.Next = requestBase(r) + r.URL.Path + "?" + v.Encode()
	}
	return rep
}

// containsFold reports whether any of hay contains the lower-cased needle.
func containsFold(needle string, hay ...string) bool {
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
}
