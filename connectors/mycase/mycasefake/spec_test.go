package mycasefake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

// specDir finds the vendor's OpenAPI documents: $MYCASE_SPEC_DIR, or the
// shared folder beside the repository. Tests using them skip when it is
// missing, so the project builds and tests without it.
func specDir(t *testing.T) string {
	t.Helper()
	for _, d := range []string{os.Getenv("MYCASE_SPEC_DIR"), "../../../../shared/specs/mycase", "/work/shared/specs/mycase"} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "Cases.json")); err == nil {
			return d
		}
	}
	t.Skip("the MyCase OpenAPI documents are not available (set MYCASE_SPEC_DIR)")
	return ""
}

// specDoc is one vendor document, kept as generic JSON.
type specDoc struct {
	name string
	root map[string]any
}

func loadSpec(t *testing.T, dir, file string) specDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return specDoc{name: file, root: root}
}

// responseSchema returns the JSON schema of an operation's response.
func (d specDoc) responseSchema(t *testing.T, method, path string, status int) map[string]any {
	t.Helper()
	get := func(m any, keys ...string) any {
		for _, k := range keys {
			mm, ok := m.(map[string]any)
			if !ok {
				return nil
			}
			m = mm[k]
		}
		return m
	}
	s, _ := get(d.root, "paths", path, strings.ToLower(method), "responses", fmt.Sprint(status), "content", "application/json", "schema").(map[string]any)
	if s == nil {
		t.Fatalf("%s: no %d JSON schema for %s %s", d.name, status, method, path)
	}
	return s
}

// resolve follows a local $ref.
func (d specDoc) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		var cur any = d.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		s = cur.(map[string]any)
	}
}

func typesOf(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// check validates v against s: property names (none beyond the schema's),
// JSON types (with null only where the schema allows it) and array items.
func (d specDoc) check(s map[string]any, v any, at string, bad *[]string) {
	s = d.resolve(s)
	types := typesOf(s)
	allow := func(t string) bool { return len(types) == 0 || slices.Contains(types, t) }
	switch x := v.(type) {
	case nil:
		if !allow("null") {
			*bad = append(*bad, at+": null, schema says "+strings.Join(types, "|"))
		}
	case string:
		if !allow("string") {
			*bad = append(*bad, at+": string, schema says "+strings.Join(types, "|"))
		}
	case bool:
		if !allow("boolean") {
			*bad = append(*bad, at+": boolean, schema says "+strings.Join(types, "|"))
		}
	case json.Number:
		isInt := !strings.ContainsAny(x.String(), ".eE")
		if !allow("number") && !(isInt && allow("integer")) {
			*bad = append(*bad, at+": number "+x.String()+", schema says "+strings.Join(types, "|"))
		}
	case []any:
		if !allow("array") {
			*bad = append(*bad, at+": array, schema says "+strings.Join(types, "|"))
			return
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range x {
				d.check(items, it, fmt.Sprintf("%s/%d", at, i), bad)
			}
		}
	case map[string]any:
		if !allow("object") {
			*bad = append(*bad, at+": object, schema says "+strings.Join(types, "|"))
			return
		}
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if props != nil {
					*bad = append(*bad, at+"/"+k+": not a property of the vendor's schema")
				}
				continue
			}
			d.check(ps, x[k], at+"/"+k, bad)
		}
	}
}

// conformance drives the fake over loopback HTTP.
type conformance struct {
	t    *testing.T
	srv  *httptest.Server
	fake *mycasefake.Server
	tok  string
	dir  string
	docs map[string]specDoc
}

func (c *conformance) do(method, path string, body any) (*http.Response, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := *c.srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// expect sends a request, checks the status, and validates the body
// against the vendor's schema for (file, template, status); it returns the
// decoded body.
func (c *conformance) expect(file, method, template, path string, body any, status int) any {
	c.t.Helper()
	resp, b := c.do(method, path, body)
	if resp.StatusCode != status {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, status, b)
	}
	d, ok := c.docs[file]
	if !ok {
		d = loadSpec(c.t, c.dir, file)
		c.docs[file] = d
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		c.t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	var bad []string
	d.check(d.responseSchema(c.t, method, template, status), v, "", &bad)
	for _, b := range bad {
		c.t.Errorf("%s %s → %d: %s", method, template, status, b)
	}
	return v
}

func idOf(v any) string { return v.(map[string]any)["id"].(json.Number).String() }

func TestFakeAnswersInTheVendorsShapes(t *testing.T) {
	dir := specDir(t)
	fake := mycasefake.New(mycasefake.Options{RateLimit: 1_000_000, AllowInsecureWebhooks: true})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { srv.Close(); fake.Close() })
	c := &conformance{t: t, srv: srv, fake: fake, tok: fake.IssueToken().Access, dir: dir, docs: map[string]specDoc{}}

	c.expect("Staff.json", "GET", "/v1/me", "/v1/me", nil, 200)
	c.expect("Firm.json", "GET", "/v1/firm", "/v1/firm", nil, 200)
	cf := c.expect("CustomFields.json", "POST", "/v1/custom_fields", "/v1/custom_fields",
		map[string]any{"name": "Lawmatics ID", "parent_type": "case", "field_type": "short_text"}, 201)
	c.expect("CustomFields.json", "POST", "/v1/custom_fields", "/v1/custom_fields",
		map[string]any{"name": "Source", "parent_type": "client", "field_type": "list", "list_options": []any{map[string]any{"option_value": "Web"}}}, 201)
	c.expect("CustomFields.json", "GET", "/v1/custom_fields", "/v1/custom_fields", nil, 200)
	c.expect("PracticeAreas.json", "GET", "/v1/practice_areas", "/v1/practice_areas", nil, 200)

	p := c.expect("Clients.json", "POST", "/v1/clients", "/v1/clients", map[string]any{
		"first_name": "Dana", "last_name": "Lee", "email": "dana@example.test", "cell_phone_number": "555-010-2000",
		"address":   map[string]any{"address1": "1 Main", "address2": "", "city": "Austin", "state": "TX", "zip_code": "78701", "country": "US"},
		"birthdate": "1980-02-03", "people_group": map[string]any{"id": 1}}, 201)
	pid := idOf(p)
	c.expect("Clients.json", "GET", "/v1/clients/{id}", "/v1/clients/"+pid, nil, 200)
	k := c.expect("Cases.json", "POST", "/v1/cases", "/v1/cases", map[string]any{
		"name": "Lee v. Smith", "practice_area": "family law", "clients": []any{map[string]any{"id": p.(map[string]any)["id"]}},
		"custom_field_values": []any{map[string]any{"custom_field": map[string]any{"id": cf.(map[string]any)["id"]}, "value": "LM-1"}}}, 201)
	kid := idOf(k)
	c.expect("Cases.json", "POST", "/v1/cases", "/v1/cases", map[string]any{"name": "Closed matter", "status": "closed", "case_number": "2025-7"}, 201)
	c.expect("Cases.json", "GET", "/v1/cases", "/v1/cases", nil, 200)
	c.expect("Cases.json", "GET", "/v1/cases/{id}", "/v1/cases/"+kid, nil, 200)
	c.expect("Cases.json", "GET", "/v1/clients/{id}/cases", "/v1/clients/"+pid+"/cases", nil, 200)
	c.expect("Clients.json", "GET", "/v1/clients", "/v1/clients", nil, 200)

	c.expect("Notes.json", "POST", "/v1/cases/{id}/notes", "/v1/cases/"+kid+"/notes", map[string]any{"subject": "s", "note": "n", "date": "2025-03-01T10:00:00-05:00"}, 200)
	c.expect("Notes.json", "POST", "/v1/clients/{id}/notes", "/v1/clients/"+pid+"/notes", map[string]any{"subject": "s", "note": "n", "date": "2025-03-01"}, 200)
	c.expect("Notes.json", "GET", "/v1/cases/{id}/notes", "/v1/cases/"+kid+"/notes", nil, 200)
	c.expect("Notes.json", "GET", "/v1/clients/{id}/notes", "/v1/clients/"+pid+"/notes", nil, 200)

	d := c.expect("Documents.json", "POST", "/v1/cases/{id}/documents", "/v1/cases/"+kid+"/documents", map[string]any{"path": "a/b/brief", "filename": "brief.pdf"}, 201)
	did := idOf(d)
	c.expect("Documents.json", "GET", "/v1/documents", "/v1/documents", nil, 200)
	c.expect("Documents.json", "GET", "/v1/cases/{id}/documents", "/v1/cases/"+kid+"/documents", nil, 200)
	c.expect("Documents.json", "GET", "/v1/documents/{id}", "/v1/documents/"+did, nil, 200)
	c.expect("Documents.json", "POST", "/v1/documents/{id}/versions", "/v1/documents/"+did+"/versions", nil, 201)
	c.expect("Documents.json", "GET", "/v1/documents/{id}/versions", "/v1/documents/"+did+"/versions", nil, 200)
	if resp, _ := c.do("GET", "/v1/documents/"+did+"/data", nil); resp.StatusCode != 302 || resp.Header.Get("Location") == "" {
		t.Errorf("/data: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	c.expect("Webhooks.json", "POST", "/v1/webhooks/subscriptions", "/v1/webhooks/subscriptions",
		map[string]any{"model": "case", "url": "https://hooks.example.test/x", "actions": []string{"created"}}, 201)
	c.expect("Webhooks.json", "GET", "/v1/webhooks/subscriptions", "/v1/webhooks/subscriptions", nil, 200)

	// PUT and DELETE answer 204 with no body.
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/v1/cases/" + kid, map[string]any{"name": "Lee v. Smith (renamed)"}},
		{"PUT", "/v1/clients/" + pid, map[string]any{"first_name": "Dana", "last_name": "Lee-Smith"}},
		{"DELETE", "/v1/cases/" + kid, nil},
	} {
		resp, b := c.do(r.method, r.path, r.body)
		if resp.StatusCode != 204 || len(b) != 0 {
			t.Errorf("%s %s: %d %q", r.method, r.path, resp.StatusCode, b)
		}
	}
}

// TestSchemaCheckCatchesDepartures checks the checker: an unknown
// property and a null where the schema allows none are reported.
func TestSchemaCheckCatchesDepartures(t *testing.T) {
	d := loadSpec(t, specDir(t), "Cases.json")
	s := d.responseSchema(t, "GET", "/v1/cases/{id}", 200)
	var v any
	dec := json.NewDecoder(strings.NewReader(`{"id":1,"name":null,"case_number":null,"matter_number":"x","clients":[{"id":"7"}]}`))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var bad []string
	d.check(s, v, "", &bad)
	if len(bad) != 3 {
		t.Fatalf("violations %q, want name null, matter_number unknown, clients/0/id a string", bad)
	}
}

func TestErrorsUseTheDocumentedShape(t *testing.T) {
	fake := mycasefake.New(mycasefake.Options{RateLimit: 1_000_000})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { srv.Close(); fake.Close() })
	c := &conformance{t: t, srv: srv, fake: fake, tok: fake.IssueToken().Access}
	for _, tt := range []struct {
		method, path string
		body         any
		status       int
		source       string // "pointer", "parameter" or ""
	}{
		{"GET", "/v1/cases/999", nil, 404, ""},
		{"POST", "/v1/cases", map[string]any{}, 422, "pointer"},
		{"POST", "/v1/cases", map[string]any{"name": 5}, 400, ""},
		{"POST", "/v1/clients", map[string]any{"first_name": "A"}, 422, "pointer"},
		{"GET", "/v1/clients?page_size=5000", nil, 400, "parameter"},
		{"GET", "/v1/cases?filter[status]=pending", nil, 400, "parameter"},
		{"DELETE", "/v1/webhooks/subscriptions/nope", nil, 404, ""},
	} {
		resp, b := c.do(tt.method, tt.path, tt.body)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			continue
		}
		var eb struct {
			Errors []struct {
				Description string            `json:"description"`
				Source      map[string]string `json:"source"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(b, &eb); err != nil || len(eb.Errors) == 0 || eb.Errors[0].Description == "" {
			t.Errorf("%s %s: body %s", tt.method, tt.path, b)
			continue
		}
		src := eb.Errors[0].Source
		if len(src) > 1 || tt.source != "" && src[tt.source] == "" {
			t.Errorf("%s %s: source %v, want one %q", tt.method, tt.path, src, tt.source)
		}
	}
	// Without a token, or with an expired one: 401.
	c.tok = "nope"
	if resp, _ := c.do("GET", "/v1/me", nil); resp.StatusCode != 401 {
		t.Errorf("bad token: %d", resp.StatusCode)
	}
}
