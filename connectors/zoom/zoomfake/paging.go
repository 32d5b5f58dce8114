package zoomfake

import (
	"net/http"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// pageToken is an issued next_page_token. Key fingerprints the query it
// continues (kind plus the filtering parameters).
type pageToken struct {
	Key     string    `json:"key"`
	Offset  int       `json:"offset"`
	Expires time.Time `json:"expires"`
}

// page is a resolved page request.
type page struct {
	offset, size int
}

// pageLocked parses page_size and next_page_token for a listing identified
// by key. The caller holds s.mu.
//
// page_size above 300 is refused with 400 code 300 rather than clamped (the
// facts only say "max 300"; refusing is the more demanding reading). A token
// must be presented with the same filtering parameters it was issued for
// [U], and expires 15 minutes after issue (400 code 300 then).
func (s *Server) pageLocked(r *http.Request, key string) (page, *zoom.Error) {
	q := r.URL.Query()
	p := page{size: defaultPageSize}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			e := apiError(http.StatusBadRequest, zoom.CodeValidation, "Validation Failed.")
			e.Errors = []zoom.FieldError{{Field: "page_size", Message: "Invalid field: page_size must be between 1 and 300."}}
			return p, e
		}
		p.size = n
	}
	if t := q.Get("next_page_token"); t != "" {
		pt := s.st.PageTokens[t]
		if pt == nil || pt.Key != key {
			return p, apiError(http.StatusBadRequest, zoom.CodeValidation, "Invalid next_page_token.")
		}
		if !s.now().Before(pt.Expires) {
			delete(s.st.PageTokens, t)
			return p, apiError(http.StatusBadRequest, zoom.CodeValidation, "The next page token is invalid or expired.")
		}
		p.offset = pt.Offset
	}
	return p, nil
}

// bounds clips the page to total items.
func (p page) bounds(total int) (lo, hi int) {
	lo = min(p.offset, total)
	hi = min(p.offset+p.size, total)
	return lo, hi
}

// nextLocked issues the token for the page after p, or "" when done. The
// caller holds s.mu.
func (s *Server) nextLocked(key string, p page, total int) string {
	if p.offset+p.size >= total {
		return ""
	}
	now := s.now()
	for t, pt := range s.st.PageTokens { // forget tokens long expired
		if now.After(pt.Expires.Add(time.Hour)) {
			delete(s.st.PageTokens, t)
		}
	}
	t := randomID(32)
	s.st.PageTokens[t] = &pageToken{Key: key, Offset: p.offset + p.size, Expires: now.Add(pageTokenLifetime)}
	return t
}

func pageCount(total, size int) int {
	return (total + size - 1) / size
}
