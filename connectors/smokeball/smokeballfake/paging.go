package smokeballfake

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// qall returns every value of query parameter name, matched without
// regard to case as ASP.NET binds them (so `search` and `Search` both
// work).
func qall(v url.Values, name string) []string {
	var out []string
	for k, vs := range v {
		if strings.EqualFold(k, name) {
			out = append(out, vs...)
		}
	}
	return out
}

// qget returns the first value of query parameter name, any case.
func qget(v url.Values, name string) string {
	if vs := qall(v, name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// window is the parsed Offset/Limit of a list request.
type window struct{ offset, limit int }

// parseWindow reads Offset (≥ 0) and Limit (1–500), answering 400 when bad.
func parseWindow(w http.ResponseWriter, r *http.Request) (window, bool) {
	q := r.URL.Query()
	win := window{limit: DefaultPageLimit}
	v := validation{}
	if raw := qget(q, "Offset"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			v.add("Offset", "The field Offset must be between 0 and 2147483647.")
		}
		win.offset = n
	}
	if raw := qget(q, "Limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > smokeball.MaxPageSize {
			v.add("Limit", "The field Limit must be between 1 and 500.")
		}
		win.limit = n
	}
	if len(v) > 0 {
		writeValidation(w, r, v)
		return window{}, false
	}
	return win, true
}

// envelope is the paged collection every list answers with.
type envelope struct {
	Href     string           `json:"href"`
	Offset   int              `json:"offset"`
	Limit    int              `json:"limit"`
	Size     int64            `json:"size"`
	First    *smokeball.Link  `json:"first,omitempty"`
	Previous *smokeball.Link  `json:"previous,omitempty"`
	Next     *smokeball.Link  `json:"next,omitempty"`
	Last     *smokeball.Link  `json:"last,omitempty"`
	Value    []map[string]any `json:"value"`
}

// page cuts one window out of all and links its neighbours. Absent links
// (no previous page on the first, no next on the last) are omitted [U:
// Smokeball may send null].
func page(r *http.Request, win window, all []map[string]any) envelope {
	size := len(all)
	link := func(off int, rel string) *smokeball.Link {
		q := r.URL.Query()
		for k := range q {
			if strings.EqualFold(k, "offset") || strings.EqualFold(k, "limit") {
				delete(q, k)
			}
		}
		q.Set("offset", strconv.Itoa(off))
		q.Set("limit", strconv.Itoa(win.limit))
		return &smokeball.Link{Href: requestBase(r) + r.URL.Path + "?" + q.Encode(), Relation: rel, Method: "GET"}
	}
	env := envelope{Href: link(win.offset, "self").Href, Offset: win.offset, Limit: win.limit, Size: int64(size), Value: []map[string]any{}}
	if win.offset < size {
		env.Value = all[win.offset:min(size, win.offset+win.limit)]
	}
	env.First = link(0, "first")
	if win.offset > 0 {
		env.Previous = link(max(0, win.offset-win.limit), "previous")
	}
	if win.offset+win.limit < size {
		env.Next = link(win.offset+win.limit, "next")
	}
	env.Last = link(max(0, (size-1)/win.limit*win.limit), "last")
	return env
}

// term is one search=field<op>value condition.
type term struct {
	field, op, value string
	pattern          *regexp.Regexp // for : and :! with wildcards
}

// parseSearch reads every search/Search parameter as field:value with the
// operators :, :!, :>, :>=, :<, :<= and * wildcards; fields must be in
// known. Terms are ANDed.
func parseSearch(q url.Values, known []string) ([]term, error) {
	var out []term
	for _, raw := range qall(q, "search") {
		field, rest, ok := strings.Cut(raw, ":")
		if !ok {
			return nil, fmt.Errorf("search %q is not field:value", raw)
		}
		field = strings.TrimSpace(field)
		knownField := false
		for _, k := range known {
			if strings.EqualFold(k, field) {
				field, knownField = k, true
			}
		}
		if !knownField {
			return nil, fmt.Errorf("search field %q is not one of %s", field, strings.Join(known, ", "))
		}
		t := term{field: field, op: ":"}
		for _, op := range []string{">=", "<=", "!", ">", "<"} {
			if v, ok := strings.CutPrefix(rest, op); ok {
				t.op, rest = ":"+op, v
				break
			}
		}
		t.value = strings.TrimSpace(rest)
		t.pattern = wildcard(t.value)
		out = append(out, t)
	}
	return out, nil
}

// wildcard compiles a value with * wildcards into an anchored,
// case-insensitive pattern.
func wildcard(v string) *regexp.Regexp {
	parts := strings.Split(v, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("(?is)^" + strings.Join(parts, ".*") + "$")
}

// matches reports whether any of values satisfies t (for :! none may
// match its pattern).
func (t term) matches(values ...string) bool {
	switch t.op {
	case ":":
		for _, v := range values {
			if t.pattern.MatchString(v) {
				return true
			}
		}
		return false
	case ":!":
		for _, v := range values {
			if t.pattern.MatchString(v) {
				return false
			}
		}
		return true
	}
	for _, v := range values {
		c := strings.Compare(strings.ToLower(v), strings.ToLower(t.value))
		if a, err1 := strconv.ParseFloat(v, 64); err1 == nil {
			if b, err2 := strconv.ParseFloat(t.value, 64); err2 == nil {
				c = 0
				if a < b {
					c = -1
				} else if a > b {
					c = 1
				}
			}
		}
		switch {
		case t.op == ":>" && c > 0, t.op == ":>=" && c >= 0, t.op == ":<" && c < 0, t.op == ":<=" && c <= 0:
			return true
		}
	}
	return false
}

func badSearch(w http.ResponseWriter, r *http.Request, err error) {
	v := validation{}
	v.add("Search", err.Error())
	writeValidation(w, r, v)
}
