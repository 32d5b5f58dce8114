// Package spec checks the fake platforms against the vendors' own API
// documents. A Checker wraps each fake's http.Handler (sandbox.Options.Wrap
// takes Checker.Wrap), validates every response it gives against the
// response schema of the vendor operation it answered, and keeps a Report
// of what was checked and what did not conform.
//
// The documents are subsets of the vendors' published ones (see
// testdata/SOURCES.md and internal/extract), embedded so the check runs
// from any clone. The deliberate relaxations of the vendors' schemas, and
// the endpoints that have no schema to check against, are listed in one
// place: relax.go.
package spec

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Platform names, as connectors/sandbox spells them.
const (
	Box       = "box"
	Clio      = "clio"
	Zoom      = "zoom"
	Lawmatics = "lawmatics"
	MyCase    = "mycase"
	Smokeball = "smokeball"
)

// Platforms lists every platform in report order.
var Platforms = []string{Box, Clio, Zoom, Lawmatics, MyCase, Smokeball}

//go:embed testdata/*.json
var testdata embed.FS

// documents names each platform's documents and the path prefixes under
// which the fakes serve them (the servers' base paths: api.box.com/2.0 and
// upload.box.com/api/2.0 share one path space; Box's OAuth lives at the
// host root). MyCase's documents spell their paths with /v1 and Smokeball's
// API lives at its host's root, so both match from the root; their OAuth
// (MyCase's /login_sessions and /tokens, Smokeball's /oauth2/…) is in no
// document and is listed in relax.go's Skips.
var documents = map[string]struct {
	files    []string
	prefixes []string
}{
	Box:  {files: []string{"box.json"}, prefixes: []string{"/api/2.0", "/2.0", ""}},
	Clio: {files: []string{"clio.json"}, prefixes: []string{"/api/v4"}},
	Zoom: {files: []string{"zoom-phone.json", "zoom-user.json", "zoom-meeting.json"}, prefixes: []string{"/v2"}},
	MyCase: {files: []string{"mycase-staff.json", "mycase-firm.json", "mycase-clients.json", "mycase-cases.json",
		"mycase-practiceareas.json", "mycase-customfields.json", "mycase-notes.json", "mycase-documents.json",
		"mycase-webhooks.json"}, prefixes: []string{""}},
	Smokeball: {files: []string{"smokeball.json"}, prefixes: []string{""}},
}

// maxBody caps how much of one response is kept for validation; a larger
// body (a file download) is passed through and reported as unchecked.
const maxBody = 8 << 20

// Violation is one way a response departed from the vendor's schema.
type Violation struct {
	Platform string
	Endpoint string // "GET /folders/{folder_id}/items" in the document's spelling
	Status   int
	Path     string // JSON pointer into the body, e.g. "/entries/*/address" (indices collapsed); "" for the whole response
	Field    string // the schema keyword that failed: "type", "enum", "required", "nullable"...
	Reason   string // what the schema says
	Got      string // the value the fake sent (the first one seen)
	Count    int    // how many times it was seen
}

func (v Violation) String() string {
	p := v.Path
	if p == "" {
		p = "(response)"
	}
	return fmt.Sprintf("%s %s → %d at %s: %s [%s]; got %s (×%d)", v.Platform, v.Endpoint, v.Status, p, v.Reason, v.Field, v.Got, v.Count)
}

// PlatformReport sums up one platform.
type PlatformReport struct {
	Checked    int            // responses validated against a schema
	Relaxed    map[string]int // relaxation name → responses it excused
	Amended    map[string]int // amendment name → responses validated against what it added
	Skipped    map[string]int // skip reason → responses with no schema to check
	Endpoints  map[string]int // endpoint → responses validated
	Responses  map[string]int // "<endpoint> <status>" → responses validated
	Violations []Violation    // sorted; identical ones counted once
}

// Report is what a Checker saw.
type Report struct {
	Platforms map[string]*PlatformReport
}

// Violations returns every platform's violations.
func (r Report) Violations() []Violation {
	var out []Violation
	for _, p := range Platforms {
		if pr := r.Platforms[p]; pr != nil {
			out = append(out, pr.Violations...)
		}
	}
	return out
}

// Checker validates responses. It is safe for concurrent use.
type Checker struct {
	routes map[string][]route // platform → operations

	mu      sync.Mutex // guards results
	results map[string]*results
}

type results struct {
	checked    int
	relaxed    map[string]int
	amended    map[string]int
	skipped    map[string]int
	endpoints  map[string]int
	responses  map[string]int
	violations map[vkey]*Violation
}

// vkey identifies a violation regardless of the value seen.
type vkey struct {
	endpoint, path, field, reason string
	status                        int
}

type route struct {
	method   string
	template string
	re       *regexp.Regexp
	names    []string
	literal  int // characters outside {params}: the most literal template wins
	doc      *openapi3.T
	item     *openapi3.PathItem
	op       *openapi3.Operation
	amended  map[string]string // "<status> <media type>" → the amendment (relax.go) that added it
}

// New loads the embedded documents and applies the amendments (relax.go);
// the relaxations apply to each violation as it is found.
func New() (*Checker, error) {
	c := &Checker{routes: map[string][]route{}, results: map[string]*results{}}
	for _, p := range Platforms {
		c.results[p] = newResults()
	}
	for p, d := range documents {
		for _, f := range d.files {
			doc, err := load(f)
			if err != nil {
				return nil, err
			}
			for _, tmpl := range doc.Paths.InMatchingOrder() {
				item := doc.Paths.Value(tmpl)
				for method, op := range item.Operations() {
					amended, err := amend(p, doc, op)
					if err != nil {
						return nil, fmt.Errorf("spec: amending %s %s %s: %w", f, method, tmpl, err)
					}
					re, names, lit := compile(tmpl)
					c.routes[p] = append(c.routes[p], route{method: method, template: tmpl, re: re, names: names, literal: lit, doc: doc,
						item: item, op: op, amended: amended})
				}
			}
		}
		sort.SliceStable(c.routes[p], func(i, j int) bool { return c.routes[p][i].literal > c.routes[p][j].literal })
	}
	return c, nil
}

func newResults() *results {
	return &results{relaxed: map[string]int{}, amended: map[string]int{}, skipped: map[string]int{}, endpoints: map[string]int{},
		responses: map[string]int{}, violations: map[vkey]*Violation{}}
}

// Operations lists the operations of platform's documents, "METHOD
// /template" as the report spells endpoints, sorted: what a conformance
// run must drive to leave none unchecked.
func (c *Checker) Operations(platform string) []string {
	var out []string
	for _, rt := range c.routes[platform] {
		out = append(out, strings.ToUpper(rt.method)+" "+rt.template)
	}
	sort.Strings(out)
	return out
}

// load reads one embedded document and resolves its references.
func load(name string) (*openapi3.T, error) {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("spec: reading %s: %w", name, err)
	}
	l := openapi3.NewLoader()
	doc, err := l.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("spec: loading %s: %w", name, err)
	}
	// The vendors key some media types with parameters
	// ("application/json; charset=utf-8"); a fake answering plain
	// application/json is the same media type, so the keys lose them.
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, rr := range op.Responses.Map() {
				if rr.Value == nil {
					continue
				}
				norm := openapi3.Content{}
				for k, v := range rr.Value.Content {
					base, _, _ := strings.Cut(k, ";")
					norm[strings.TrimSpace(strings.ToLower(base))] = v
				}
				rr.Value.Content = norm
			}
		}
	}
	return doc, nil
}

var paramRE = regexp.MustCompile(`\{[^}/]+\}`)

// compile turns "/contacts/{id}.json" into a regexp over the escaped path
// matching one segment per parameter.
func compile(tmpl string) (*regexp.Regexp, []string, int) {
	var b strings.Builder
	var names []string
	last := 0
	lit := 0
	b.WriteString("^")
	for _, m := range paramRE.FindAllStringIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
		lit += m[0] - last
		b.WriteString("([^/]+)")
		names = append(names, tmpl[m[0]+1:m[1]-1])
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	lit += len(tmpl) - last
	b.WriteString("$")
	return regexp.MustCompile(b.String()), names, lit
}

// find returns the operation a request addressed.
func (c *Checker) find(platform string, r *http.Request) (*route, map[string]string) {
	d, ok := documents[platform]
	if !ok {
		return nil, nil
	}
	path := r.URL.EscapedPath()
	for _, pre := range d.prefixes {
		if pre != "" && !strings.HasPrefix(path, pre+"/") {
			continue
		}
		rest := strings.TrimPrefix(path, pre)
		for i := range c.routes[platform] {
			rt := &c.routes[platform][i]
			if rt.method != r.Method {
				continue
			}
			if m := rt.re.FindStringSubmatch(rest); m != nil {
				params := map[string]string{}
				for j, n := range rt.names {
					params[n] = m[j+1]
				}
				return rt, params
			}
		}
	}
	return nil, nil
}

// Wrap returns h with every response validated against platform's
// documents. It fits sandbox.Options.Wrap.
func (c *Checker) Wrap(platform string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		c.check(r.Context(), platform, r, rec)
	})
}

func (c *Checker) check(ctx context.Context, platform string, r *http.Request, rec *recorder) {
	if reason := skip(platform, r); reason != "" {
		c.note(platform, func(res *results) { res.skipped[reason]++ })
		return
	}
	rt, params := c.find(platform, r)
	if rt == nil {
		c.violation(Violation{Platform: platform, Endpoint: r.Method + " " + r.URL.Path, Status: rec.status,
			Reason: "no operation of the vendor's document has this method and path"})
		return
	}
	endpoint := strings.ToUpper(rt.method) + " " + rt.template
	if rec.overflow {
		c.note(platform, func(res *results) { res.skipped["body over 8 MiB (a download)"]++ })
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: params,
			Route:      &routers.Route{Spec: rt.doc, Path: rt.template, PathItem: rt.item, Method: rt.method, Operation: rt.op},
		},
		Status:  rec.status,
		Header:  rec.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.body.Bytes())
	err := openapi3filter.ValidateResponse(ctx, in)
	media, _, _ := strings.Cut(rec.Header().Get("Content-Type"), ";")
	media = strings.ToLower(strings.TrimSpace(media))
	c.note(platform, func(res *results) {
		res.checked++
		res.endpoints[endpoint]++
		res.responses[fmt.Sprintf("%s %d", endpoint, rec.status)]++
		if name := rt.amended[fmt.Sprintf("%d %s", rec.status, media)]; name != "" {
			res.amended[name]++
		}
	})
	for _, v := range flatten(err) {
		v.Platform, v.Endpoint, v.Status = platform, endpoint, rec.status
		v.Path = collapse(v.Path)
		if name := excused(v); name != "" {
			c.note(platform, func(res *results) { res.relaxed[name]++ })
			continue
		}
		c.violation(v)
	}
}

// flatten turns a validation error into violations, one per schema error.
func flatten(err error) []Violation {
	if err == nil {
		return nil
	}
	var out []Violation
	var walk func(error, string)
	walk = func(err error, prefix string) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e, prefix)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			// A oneOf/anyOf failure wraps the branches' errors; the
			// innermost ones say what was wrong.
			if se.Origin != nil {
				var inner openapi3.MultiError
				if errors.As(se.Origin, &inner) {
					walk(se.Origin, prefix+pointer(se))
					return
				}
			}
			out = append(out, Violation{Path: prefix + pointer(se), Field: se.SchemaField, Reason: se.Reason, Got: shown(se.Value)})
			return
		}
		var re *openapi3filter.ResponseError
		if errors.As(err, &re) {
			if re.Err != nil {
				var nested openapi3.MultiError
				var nse *openapi3.SchemaError
				if errors.As(re.Err, &nested) || errors.As(re.Err, &nse) {
					walk(re.Err, prefix)
					return
				}
			}
			out = append(out, Violation{Reason: re.Reason})
			return
		}
		out = append(out, Violation{Reason: err.Error()})
	}
	walk(err, "")
	return out
}

func pointer(se *openapi3.SchemaError) string {
	p := se.JSONPointer()
	if len(p) == 0 {
		return ""
	}
	return "/" + strings.Join(p, "/")
}

var indexRE = regexp.MustCompile(`/[0-9]+(/|$)`)

// collapse turns array indices in a JSON pointer into "*".
func collapse(p string) string {
	p = indexRE.ReplaceAllString(p, "/*$1")
	return indexRE.ReplaceAllString(p, "/*$1") // adjacent indices share a slash
}

// shown renders a value the fake sent, short.
func shown(v any) string {
	b, err := json.Marshal(v)
	got := string(b)
	if err != nil {
		got = fmt.Sprintf("%v", v)
	}
	if len(got) > 80 {
		got = got[:77] + "..."
	}
	return got
}

func (c *Checker) note(platform string, f func(*results)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := c.results[platform]
	if res == nil {
		res = newResults()
		c.results[platform] = res
	}
	f(res)
}

// violation records v; array indices in its path collapse to "*" so one
// defect in every entry of a list counts once.
func (c *Checker) violation(v Violation) {
	v.Path = collapse(v.Path)
	k := vkey{v.Endpoint, v.Path, v.Field, v.Reason, v.Status}
	c.note(v.Platform, func(res *results) {
		if old := res.violations[k]; old != nil {
			old.Count++
			return
		}
		v.Count = 1
		res.violations[k] = &v
	})
}

// Report returns a snapshot of what was checked.
func (c *Checker) Report() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := Report{Platforms: map[string]*PlatformReport{}}
	for p, res := range c.results {
		pr := &PlatformReport{Checked: res.checked, Relaxed: map[string]int{}, Amended: map[string]int{}, Skipped: map[string]int{},
			Endpoints: map[string]int{}, Responses: map[string]int{}}
		for k, v := range res.relaxed {
			pr.Relaxed[k] = v
		}
		for k, v := range res.amended {
			pr.Amended[k] = v
		}
		for k, v := range res.skipped {
			pr.Skipped[k] = v
		}
		for k, v := range res.endpoints {
			pr.Endpoints[k] = v
		}
		for k, v := range res.responses {
			pr.Responses[k] = v
		}
		for _, v := range res.violations {
			pr.Violations = append(pr.Violations, *v)
		}
		sort.Slice(pr.Violations, func(i, j int) bool {
			a, b := pr.Violations[i], pr.Violations[j]
			if a.Endpoint != b.Endpoint {
				return a.Endpoint < b.Endpoint
			}
			if a.Path != b.Path {
				return a.Path < b.Path
			}
			return a.Reason < b.Reason
		})
		r.Platforms[p] = pr
	}
	return r
}

// recorder passes a response through while keeping a copy of its body.
type recorder struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if !r.overflow {
		if r.body.Len()+len(b) > maxBody {
			r.overflow = true
			r.body = bytes.Buffer{}
		} else {
			r.body.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

// Flush keeps streamed responses streaming.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ReadFrom keeps io.Copy from bypassing Write.
func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	return io.Copy(struct{ io.Writer }{r}, src)
}
