package lawmaticsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// This file holds the list conventions shared by every collection: field
// selection, one filter, sorting and 25-per-page paging.

// kind is how a filterable key compares.
type kind int

const (
	kindString kind = iota
	kindNumber
	kindTime
	kindBool
	kindOther // arrays and objects: not filterable
)

// row is one record of a list: its full wire object and the keys a filter
// or sort may use (attributes plus association ids such as contact_id).
type row struct {
	obj  map[string]any
	keys map[string]any
}

// listSpec describes one collection.
type listSpec struct {
	link     string          // relative, singular: "/v1/contact"
	defaults []string        // attributes shown without fields; nil = all
	kinds    map[string]kind // filterable/sortable keys
	// relsByField: rows carry only the relationships named in fields, so
	// by default "relationships":{} (contacts and matters, per the vendor's
	// list examples; notes and files rows keep theirs).
	relsByField bool
}

// newListSpec derives the filterable keys from the attribute struct's JSON
// names; extra are association ids (numbers).
func newListSpec(link string, defaults []string, attrs any, extra ...string) listSpec {
	sp := listSpec{link: link, defaults: defaults, kinds: map[string]kind{"id": kindNumber}}
	for k, v := range toMap(attrs) {
		switch v.(type) {
		case string:
			sp.kinds[k] = kindString
		case float64, nil:
			sp.kinds[k] = kindNumber
		case bool:
			sp.kinds[k] = kindBool
		default:
			sp.kinds[k] = kindOther
		}
		if k == "created_at" || k == "updated_at" || strings.HasSuffix(k, "_date") {
			sp.kinds[k] = kindTime
		}
	}
	for _, k := range extra {
		sp.kinds[k] = kindNumber
	}
	return sp
}

// toMap turns a wire value into its JSON object form.
func toMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("lawmaticsfake: marshal %T: %v", v, err))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("lawmaticsfake: unmarshal %T: %v", v, err))
	}
	return m
}

// newRow builds a row from a wire object (with "attributes") and extra keys.
func newRow(obj any, extra map[string]any) row {
	m := toMap(obj)
	keys := map[string]any{}
	if a, ok := m["attributes"].(map[string]any); ok {
		for k, v := range a {
			keys[k] = v
		}
	}
	if id, err := strconv.ParseFloat(fmt.Sprint(m["id"]), 64); err == nil {
		keys["id"] = id
	}
	for k, v := range extra {
		keys[k] = v
	}
	return row{obj: m, keys: keys}
}

// parseFields reads ?fields=a,b or ?fields=all (one level). nil means all.
func parseFields(q url.Values, defaults []string) []string {
	f := strings.TrimSpace(q.Get("fields"))
	switch {
	case f == "":
		return defaults
	case f == "all":
		return nil
	}
	var out []string
	for p := range strings.SplitSeq(f, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// selectFields copies obj keeping only the chosen attributes (nil = all).
func selectFields(obj map[string]any, fields []string) map[string]any {
	if fields == nil {
		return obj
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	attrs, _ := obj["attributes"].(map[string]any)
	sel := map[string]any{}
	for _, f := range fields {
		if v, ok := attrs[f]; ok {
			sel[f] = v
		}
	}
	out["attributes"] = sel
	return out
}

// selectRelationships keeps only the relationships named in fields (none
// for fields=all): a list row of matters shows its practice_area only when
// asked with fields=practice_area, as the vendor's filtering example does.
func selectRelationships(obj map[string]any, fields []string) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	rels, _ := obj["relationships"].(map[string]any)
	sel := map[string]any{}
	for _, f := range fields {
		if v, ok := rels[f]; ok {
			sel[f] = v
		}
	}
	out["relationships"] = sel
	return out
}

// filter is the one filter a request may carry.
type filter struct {
	key, op, value string
	kind           kind
}

// queryError is a 422 about a list parameter.
type queryError struct{ title, detail string }

// parseFilter reads filter_by/filter_on/filter_with or their aliases
// filter_field/filter_value/filter_operator. It returns nil when no filter is set.
func parseFilter(q url.Values, sp listSpec) (*filter, *queryError) {
	get := func(a, b string) (string, bool) {
		if q.Has(a) {
			return q.Get(a), true
		}
		if q.Has(b) {
			return q.Get(b), true
		}
		return "", false
	}
	by, hasBy := get("filter_by", "filter_field")
	on, hasOn := get("filter_on", "filter_value")
	with, _ := get("filter_with", "filter_operator")
	by, with = strings.TrimSpace(by), strings.ToLower(strings.TrimSpace(with))
	if !hasBy || by == "" {
		return nil, nil
	}
	k, ok := sp.kinds[by]
	if !ok || k == kindOther {
		// [U] Title by analogy with /v1/activities' documented 422.
		return nil, &queryError{"Filter By Parameter Not Available", fmt.Sprintf("Cannot filter by %q.", by)}
	}
	switch with {
	case "empty", "blank":
		with = "null"
	case "present":
		with = "not_null"
	case "":
		with = "="
		if k == kindString {
			with = "ilike"
		}
	case "=", "!=", "<", "<=", ">", ">=", "like", "ilike", "null", "not_null":
	default:
		// [U] Title by analogy; the operator list is documented, the error is not.
		return nil, &queryError{"Filter With Parameter Not Available", fmt.Sprintf("Unknown filter operator %q.", with)}
	}
	if with != "null" && with != "not_null" && !hasOn {
		// [U] The documented 422 title for a missing filter_on.
		return nil, &queryError{"Filter On Parameter Not Available", "filter_by requires filter_on."}
	}
	return &filter{key: by, op: with, value: on, kind: k}, nil
}

func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// parseTime accepts the ISO-8601 forms a client may send.
func parseTime(s string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// likeRegexp compiles a SQL LIKE pattern (% and _ wildcards).
func likeRegexp(pat string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	for _, r := range pat {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// compare orders a against b by kind; ok is false when they don't compare.
func compare(k kind, a, b any) (int, bool) {
	switch k {
	case kindTime:
		ta, okA := parseTime(scalarString(a))
		tb, okB := parseTime(scalarString(b))
		if !okA || !okB {
			return 0, false
		}
		return ta.Compare(tb), true
	case kindNumber:
		fa, errA := strconv.ParseFloat(scalarString(a), 64)
		fb, errB := strconv.ParseFloat(scalarString(b), 64)
		if errA != nil || errB != nil {
			return 0, false
		}
		switch {
		case fa < fb:
			return -1, true
		case fa > fb:
			return 1, true
		}
		return 0, true
	}
	return strings.Compare(scalarString(a), scalarString(b)), true
}

func (f *filter) match(keys map[string]any) bool {
	v := keys[f.key]
	switch f.op {
	case "null":
		return isBlank(v)
	case "not_null":
		return !isBlank(v)
	case "like", "ilike":
		return v != nil && likeRegexp(f.value, f.op == "ilike").MatchString(scalarString(v))
	}
	if v == nil {
		return false // SQL: a comparison with NULL is never true
	}
	c, ok := compare(f.kind, v, f.value)
	if !ok {
		return false
	}
	switch f.op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// sortRows applies sort_by/sort_order; the default is id descending. Like
// PostgreSQL, nulls sort last ascending and first descending.
func sortRows(rows []row, q url.Values, sp listSpec) *queryError {
	by := q.Get("sort_by")
	if by == "" {
		by = "id"
	}
	k, ok := sp.kinds[by]
	if !ok || k == kindOther {
		// [U] Undocumented; a loud 422 rather than silently ignoring a typo.
		return &queryError{"Sort By Parameter Not Available", fmt.Sprintf("Cannot sort by %q.", by)}
	}
	desc := true
	switch strings.ToLower(q.Get("sort_order")) {
	case "", "desc":
	case "asc":
		desc = false
	default:
		return &queryError{"Sort Order Parameter Not Available", "sort_order must be asc or desc."}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		c := 0
		va, vb := a.keys[by], b.keys[by]
		switch {
		case va == nil && vb == nil:
		case va == nil:
			c = 1
		case vb == nil:
			c = -1
		default:
			c, _ = compare(k, va, vb)
		}
		if c == 0 {
			c, _ = compare(kindNumber, a.keys["id"], b.keys["id"])
		}
		if desc {
			return -c
		}
		return c
	})
	return nil
}

// serveList filters, sorts, pages and selects fields, then writes the list
// envelope. Links carry only page: a client must re-send its own filter and
// sort parameters, as the documented examples show nothing else.
func serveList(w http.ResponseWriter, r *http.Request, sp listSpec, rows []row) {
	q := r.URL.Query()
	f, qerr := parseFilter(q, sp)
	if qerr == nil {
		if f != nil {
			rows = slices.DeleteFunc(rows, func(x row) bool { return !f.match(x.keys) })
		}
		qerr = sortRows(rows, q, sp)
	}
	if qerr != nil {
		writeError(w, r, http.StatusUnprocessableEntity, qerr.title, qerr.detail)
		return
	}
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	total := len(rows)
	pages := (total + lawmatics.PageSize - 1) / lawmatics.PageSize
	lo := min((page-1)*lawmatics.PageSize, total)
	hi := min(lo+lawmatics.PageSize, total)
	fields := parseFields(q, sp.defaults)
	data := make([]map[string]any, 0, hi-lo)
	for _, x := range rows[lo:hi] {
		m := selectFields(x.obj, fields)
		if sp.relsByField {
			m = selectRelationships(m, fields)
		}
		data = append(data, m)
	}
	links := lawmatics.ListLinks{Self: fmt.Sprintf("%s?page=%d", sp.link, page)}
	if page < pages {
		links.Next = fmt.Sprintf("%s?page=%d", sp.link, page+1)
	}
	if page > 1 {
		links.Prev = fmt.Sprintf("%s?page=%d", sp.link, page-1)
	}
	writeJSON(w, r, http.StatusOK, lawmatics.List[map[string]any]{
		Data:  data,
		Meta:  lawmatics.ListMeta{TotalPages: pages, LimitPerPage: lawmatics.PageSize, TotalEntries: total},
		Links: links,
	})
}

// serveOne writes one record, honouring fields (nil defaults = all).
func serveOne(w http.ResponseWriter, r *http.Request, status int, obj any, defaults []string) {
	m := selectFields(toMap(obj), parseFields(r.URL.Query(), defaults))
	writeJSON(w, r, status, lawmatics.Single[map[string]any]{Data: m})
}
