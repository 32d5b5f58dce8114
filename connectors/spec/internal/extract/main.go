// Command extract cuts the vendor API documents down to what Firmsync
// calls: the operations listed below, the path-level parameters of their
// paths, and every component they reference (transitively). The result is
// written to connectors/spec/testdata, so a clone of the repository tests
// against the vendors' schemas without the shared specs folder.
//
// Run from the repository root after a vendor document changes or a
// client starts calling another endpoint:
//
//	go run ./connectors/spec/internal/extract -specs /work/shared/specs -out connectors/spec/testdata
//
// Prose (description, summary, code samples) is dropped to keep the copies
// small; schemas, enums, formats, nullability and examples are kept as the
// vendor wrote them. Deliberate relaxations are NOT applied here: they live
// in connectors/spec/relax.go, in one place, applied when the documents load.
//
// An OAS 3.1 source (MyCase's) is down-converted to OAS 3.0, which is what
// the checker validates against: see downconvert for the rules; a 3.1
// construct without a faithful 3.0 spelling fails the extraction.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// subset is one vendor document and the operations taken from it.
type subset struct {
	src, out string
	ops      []string // "METHOD /path/template" exactly as the document spells the path
}

// subsets lists every endpoint a connector client calls (see
// core/jobs/*.go and core/upkeep.go for who calls them).
var subsets = []subset{
	{src: "box/openapi.json", out: "box.json", ops: []string{
		"POST /oauth2/token", "POST /oauth2/revoke",
		"GET /users/me",
		"POST /folders", "GET /folders/{folder_id}", "PUT /folders/{folder_id}", "DELETE /folders/{folder_id}",
		"GET /folders/{folder_id}/items",
		"GET /files/{file_id}", "DELETE /files/{file_id}",
		"OPTIONS /files/content", "POST /files/content", "POST /files/{file_id}/content",
		"POST /files/upload_sessions", "POST /files/{file_id}/upload_sessions",
		"GET /files/upload_sessions/{upload_session_id}", "PUT /files/upload_sessions/{upload_session_id}",
		"DELETE /files/upload_sessions/{upload_session_id}", "GET /files/upload_sessions/{upload_session_id}/parts",
		"POST /files/upload_sessions/{upload_session_id}/commit",
		"GET /webhooks", "POST /webhooks", "GET /webhooks/{webhook_id}", "PUT /webhooks/{webhook_id}", "DELETE /webhooks/{webhook_id}",
	}},
	{src: "clio/openapi.json", out: "clio.json", ops: []string{
		"GET /users/who_am_i.json",
		"GET /contacts.json", "POST /contacts.json", "GET /contacts/{id}.json",
		"GET /matters.json", "POST /matters.json", "GET /matters/{id}.json", "PATCH /matters/{id}.json",
		"GET /practice_areas.json",
		"GET /custom_fields.json", "POST /custom_fields.json",
		"GET /documents.json", "POST /documents.json", "GET /documents/{id}.json", "PATCH /documents/{id}.json",
		"GET /documents/{id}/download.json",
		"GET /notes.json", "POST /notes.json",
		"GET /webhooks.json", "POST /webhooks.json", "PATCH /webhooks/{id}.json", "DELETE /webhooks/{id}.json",
	}},
	{src: "zoom/ZoomPhoneAPISpec.json", out: "zoom-phone.json", ops: []string{
		"GET /phone/external_contacts", "POST /phone/external_contacts",
		"GET /phone/external_contacts/{externalContactId}", "PATCH /phone/external_contacts/{externalContactId}",
		"DELETE /phone/external_contacts/{externalContactId}",
	}},
	{src: "zoom/ZoomUserAPISpec.json", out: "zoom-user.json", ops: []string{
		"GET /users/{userId}",
	}},
	{src: "zoom/ZoomMeetingAPISpec.json", out: "zoom-meeting.json", ops: []string{
		"GET /users/{userId}/recordings", "GET /meetings/{meetingId}/recordings",
		"GET /past_meetings/{meetingId}/participants",
	}},
	// MyCase publishes one OAS 3.1 document per resource; each subset is
	// down-converted to OAS 3.0 (see downconvert).
	{src: "mycase/Staff.json", out: "mycase-staff.json", ops: []string{"GET /v1/me"}},
	{src: "mycase/Firm.json", out: "mycase-firm.json", ops: []string{"GET /v1/firm"}},
	{src: "mycase/Clients.json", out: "mycase-clients.json", ops: []string{
		"GET /v1/clients", "POST /v1/clients", "GET /v1/clients/{id}",
	}},
	{src: "mycase/Cases.json", out: "mycase-cases.json", ops: []string{
		"GET /v1/cases", "POST /v1/cases", "GET /v1/cases/{id}", "PUT /v1/cases/{id}",
	}},
	{src: "mycase/PracticeAreas.json", out: "mycase-practiceareas.json", ops: []string{"GET /v1/practice_areas"}},
	{src: "mycase/CustomFields.json", out: "mycase-customfields.json", ops: []string{
		"GET /v1/custom_fields", "POST /v1/custom_fields",
	}},
	{src: "mycase/Notes.json", out: "mycase-notes.json", ops: []string{
		"GET /v1/clients/{id}/notes", "POST /v1/clients/{id}/notes",
		"GET /v1/cases/{id}/notes", "POST /v1/cases/{id}/notes",
	}},
	{src: "mycase/Documents.json", out: "mycase-documents.json", ops: []string{
		"GET /v1/documents", "GET /v1/documents/{id}", "GET /v1/documents/{id}/data",
		"GET /v1/cases/{id}/documents", "POST /v1/cases/{id}/documents",
		"GET /v1/documents/{id}/versions", "POST /v1/documents/{id}/versions",
	}},
	{src: "mycase/Webhooks.json", out: "mycase-webhooks.json", ops: []string{
		"GET /v1/webhooks/subscriptions", "POST /v1/webhooks/subscriptions",
		"DELETE /v1/webhooks/subscriptions/{id}",
	}},
	{src: "smokeball/openapi.json", out: "smokeball.json", ops: []string{
		"GET /firm",
		"GET /contacts", "POST /contacts", "GET /contacts/{id}", "PUT /contacts/{id}",
		"GET /matters", "POST /matters", "GET /matters/{matterId}",
		"GET /mattertypes",
		"GET /matters/{matterId}/memos", "POST /matters/{matterId}/memos",
		"GET /matters/{matterId}/documents/files", "POST /matters/{matterId}/documents/files",
		"GET /matters/{matterId}/documents/files/{fileId}",
		"GET /matters/{matterId}/documents/files/{fileId}/download",
		"GET /matters/{matterId}/documents/files/{fileId}/upload",
		"GET /webhooks", "POST /webhooks", "DELETE /webhooks/{id}",
	}},
}

// dropped are keys of prose the tests never read.
var dropped = map[string]bool{"description": true, "summary": true, "x-codeSamples": true, "externalDocs": true,
	"x-box-reference-category": true, "x-box-tag": true, "x-box-sanitized": true, "x-box-resource-id": true,
	"x-box-is-variant": true, "x-box-variants": true, "x-macro": true, "x-permissions": true, "x-examples": true, "tags": true,
	"x-stoplight": true}

func main() {
	specs := flag.String("specs", "/work/shared/specs", "the vendor documents")
	out := flag.String("out", "connectors/spec/testdata", "where the subsets go")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	for _, s := range subsets {
		n, err := extract(filepath.Join(*specs, s.src), filepath.Join(*out, s.out), s.ops)
		if err != nil {
			log.Error("extracting", "src", s.src, "err", err)
			os.Exit(1)
		}
		log.Info("extracted", "src", s.src, "out", s.out, "operations", len(s.ops), "bytes", n)
	}
	n, err := extractPostman(filepath.Join(*specs, "lawmatics/postman-collection.json"), filepath.Join(*out, "lawmatics-examples.json"))
	if err != nil {
		log.Error("extracting the Lawmatics examples", "err", err)
		os.Exit(1)
	}
	log.Info("extracted", "src", "lawmatics/postman-collection.json", "out", "lawmatics-examples.json", "examples", n)
	// Box's document is Apache-2.0: its license travels with the subset.
	lic, err := os.ReadFile(filepath.Join(*specs, "box/LICENSE"))
	if err == nil {
		err = os.WriteFile(filepath.Join(*out, "box-LICENSE"), lic, 0o644)
	}
	if err != nil {
		log.Error("copying Box's license", "err", err)
		os.Exit(1)
	}
}

// lawmaticsResources are the collection folders whose examples the
// client's types must read: the resources Firmsync calls.
var lawmaticsResources = []string{"contacts", "prospects", "notes", "files", "users", "sub_statuses", "practice_areas"}

// Example is one example response of the Lawmatics collection, flattened.
type Example struct {
	Request string          `json:"request"` // the collection's item path, "Contacts/Contact"
	Name    string          `json:"name"`    // the example's name
	Method  string          `json:"method"`
	URL     string          `json:"url"` // as written, with {{host}} and :params
	Code    int             `json:"code,omitempty"`
	Body    json.RawMessage `json:"body"`
}

// extractPostman keeps the example responses of the Lawmatics Postman
// collection for the resources Firmsync calls (Lawmatics publishes
// examples, not schemas).
func extractPostman(src, dst string) (int, error) {
	raw, err := os.ReadFile(src)
	if err != nil {
		return 0, err
	}
	type item struct {
		Name    string            `json:"name"`
		Item    []json.RawMessage `json:"item"`
		Request *struct {
			Method string          `json:"method"`
			URL    json.RawMessage `json:"url"`
		} `json:"request"`
		Response []struct {
			Name string `json:"name"`
			Code int    `json:"code"`
			Body string `json:"body"`
		} `json:"response"`
	}
	var out []Example
	var walk func(prefix string, items []json.RawMessage) error
	walk = func(prefix string, items []json.RawMessage) error {
		for _, r := range items {
			var it item
			if err := json.Unmarshal(r, &it); err != nil {
				return err
			}
			if it.Request == nil {
				if err := walk(prefix+it.Name+"/", it.Item); err != nil {
					return err
				}
				continue
			}
			var u struct {
				Raw string `json:"raw"`
			}
			if json.Unmarshal(it.Request.URL, &u) != nil {
				_ = json.Unmarshal(it.Request.URL, &u.Raw)
			}
			if !wanted(u.Raw) {
				continue
			}
			for _, resp := range it.Response {
				body := strings.TrimSpace(resp.Body)
				if body == "" || !json.Valid([]byte(body)) {
					continue // no JSON body to read (a file download, a 204)
				}
				var buf bytes.Buffer
				if err := json.Compact(&buf, []byte(body)); err != nil {
					return err
				}
				out = append(out, Example{Request: prefix + it.Name, Name: resp.Name, Method: it.Request.Method,
					URL: u.Raw, Code: resp.Code, Body: buf.Bytes()})
			}
		}
		return nil
	}
	var coll struct {
		Info json.RawMessage   `json:"info"`
		Item []json.RawMessage `json:"item"`
	}
	if err := json.Unmarshal(raw, &coll); err != nil {
		return 0, fmt.Errorf("decoding %s: %w", src, err)
	}
	if err := walk("", coll.Item); err != nil {
		return 0, fmt.Errorf("reading %s: %w", src, err)
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return 0, err
	}
	return len(out), os.WriteFile(dst, append(b, '\n'), 0o644)
}

// wanted reports whether a request URL addresses one of lawmaticsResources.
func wanted(raw string) bool {
	p := strings.TrimPrefix(raw, "{{host}}")
	p = strings.TrimPrefix(p, "/v1/")
	p, _, _ = strings.Cut(p, "?")
	first, _, _ := strings.Cut(p, "/")
	for _, r := range lawmaticsResources {
		if first == r {
			return true
		}
	}
	return false
}

func extract(src, dst string, ops []string) (int, error) {
	raw, err := os.ReadFile(src)
	if err != nil {
		return 0, err
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep big integers and examples exactly as written
	if err := dec.Decode(&doc); err != nil {
		return 0, fmt.Errorf("decoding %s: %w", src, err)
	}
	paths, _ := doc["paths"].(map[string]any)
	outPaths := map[string]any{}
	for _, op := range ops {
		method, path, ok := strings.Cut(op, " ")
		if !ok {
			return 0, fmt.Errorf("operation %q: want METHOD /path", op)
		}
		item, _ := paths[path].(map[string]any)
		o, ok := item[strings.ToLower(method)]
		if !ok {
			return 0, fmt.Errorf("%s has no %s", src, op)
		}
		dstItem, _ := outPaths[path].(map[string]any)
		if dstItem == nil {
			dstItem = map[string]any{}
			if p, ok := item["parameters"]; ok {
				dstItem["parameters"] = p
			}
			outPaths[path] = dstItem
		}
		dstItem[strings.ToLower(method)] = o
	}
	comps, _ := doc["components"].(map[string]any)
	outComps := map[string]any{}
	if ss, ok := comps["securitySchemes"]; ok {
		outComps["securitySchemes"] = ss
	}
	// Follow references until no new component turns up.
	seen := map[string]bool{}
	queue := refs(outPaths, nil)
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
		if !ok || !strings.HasPrefix(ref, "#/components/") {
			return 0, fmt.Errorf("%s: unsupported reference %q", src, ref)
		}
		name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
		kindMap, _ := comps[kind].(map[string]any)
		v, ok := kindMap[name]
		if !ok {
			return 0, fmt.Errorf("%s: dangling reference %q", src, ref)
		}
		dstKind, _ := outComps[kind].(map[string]any)
		if dstKind == nil {
			dstKind = map[string]any{}
			outComps[kind] = dstKind
		}
		dstKind[name] = v
		queue = refs(v, queue)
	}
	out := map[string]any{
		"openapi":    doc["openapi"],
		"info":       doc["info"],
		"servers":    doc["servers"],
		"paths":      outPaths,
		"components": outComps,
	}
	if sec, ok := doc["security"]; ok {
		out["security"] = sec
	}
	strip(out, false)
	if v, _ := doc["openapi"].(string); strings.HasPrefix(v, "3.1") {
		for _, part := range []any{outPaths, outComps} {
			if err := downconvert(part, false); err != nil {
				return 0, fmt.Errorf("%s: %w", src, err)
			}
		}
		out["openapi"] = "3.0.3"
		out["x-downconverted-from"] = v
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return 0, err
	}
	b = append(b, '\n')
	return len(b), os.WriteFile(dst, b, 0o644)
}

// OAS 3.1 (JSON Schema 2020-12) keywords that have no OAS 3.0 spelling;
// a subset using one cannot be down-converted faithfully, so extraction
// fails rather than silently weakening the schema.
var only31 = []string{"$defs", "$dynamicRef", "$dynamicAnchor", "$anchor", "$schema", "$id", "prefixItems", "if", "then", "else",
	"dependentSchemas", "dependentRequired", "unevaluatedProperties", "unevaluatedItems", "contains", "minContains",
	"maxContains", "patternProperties", "propertyNames", "contentEncoding", "contentMediaType", "contentSchema"}

// downconvert rewrites, in place, the OAS 3.1 constructs of a subset into
// their OAS 3.0 equivalents, which is what kin-openapi validates against
// (the checker treats every document as 3.0):
//
//   - type: [T] becomes type: T;
//   - type: [T, "null"] becomes type: T with nullable: true;
//   - type: [T1, T2, …] (several non-null types) becomes anyOf of one
//     schema per type (plus nullable: true when "null" is listed);
//   - const: v becomes enum: [v];
//   - examples: [v, …] (a schema's array, not a media type's map) becomes
//     example: v;
//   - numeric exclusiveMinimum/exclusiveMaximum: n become minimum/maximum: n
//     with exclusiveMinimum/exclusiveMaximum: true.
//
// Any other 3.1-only keyword (only31) is an error. As in strip, the keys of
// a "properties" map are property names, not keywords.
func downconvert(v any, propertyNames bool) error {
	switch x := v.(type) {
	case map[string]any:
		if !propertyNames {
			if err := downconvertSchema(x); err != nil {
				return err
			}
		}
		for k, c := range x {
			if err := downconvert(c, !propertyNames && k == "properties"); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range x {
			if err := downconvert(c, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// downconvertSchema converts the keywords of one object that may be a schema.
func downconvertSchema(x map[string]any) error {
	for _, k := range only31 {
		if _, ok := x[k]; ok {
			return fmt.Errorf("OAS 3.1 keyword %q has no OAS 3.0 equivalent", k)
		}
	}
	if types, ok := x["type"].([]any); ok {
		var kept []string
		null := false
		for _, t := range types {
			s, ok := t.(string)
			if !ok {
				return fmt.Errorf("type %v is not a list of names", types)
			}
			if s == "null" {
				null = true
				continue
			}
			kept = append(kept, s)
		}
		delete(x, "type")
		switch len(kept) {
		case 0:
			return fmt.Errorf("type %v allows only null", types)
		case 1:
			x["type"] = kept[0]
		default:
			if _, ok := x["anyOf"]; ok {
				return fmt.Errorf("type %v beside anyOf", types)
			}
			var alts []any
			for _, t := range kept {
				alts = append(alts, map[string]any{"type": t})
			}
			x["anyOf"] = alts
		}
		if null {
			x["nullable"] = true
		}
	}
	if c, ok := x["const"]; ok {
		delete(x, "const")
		x["enum"] = []any{c}
	}
	if ex, ok := x["examples"].([]any); ok {
		delete(x, "examples")
		if len(ex) > 0 {
			x["example"] = ex[0]
		}
	}
	for _, kw := range []struct{ excl, bound string }{{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}} {
		n, ok := x[kw.excl].(json.Number)
		if !ok {
			continue
		}
		if _, both := x[kw.bound]; both {
			return fmt.Errorf("%s beside %s", kw.excl, kw.bound)
		}
		x[kw.bound] = n
		x[kw.excl] = true
	}
	return nil
}

// refs appends every "$ref" below v to acc, sorted for a stable walk.
func refs(v any, acc []string) []string {
	var found []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				found = append(found, r)
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	sort.Strings(found)
	return append(acc, found...)
}

// strip removes prose keys in place. Inside "properties" the keys are
// property names (a property may well be called "description"), so only
// their values are walked.
func strip(v any, propertyNames bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if !propertyNames && dropped[k] {
				delete(x, k)
				continue
			}
			strip(c, !propertyNames && k == "properties")
		}
	case []any:
		for _, c := range x {
			strip(c, false)
		}
	}
}
