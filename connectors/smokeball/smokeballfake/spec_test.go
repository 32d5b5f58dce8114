package smokeballfake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

// specPath is the vendor's OpenAPI document. The project builds and tests
// without it; this test then skips.
const specPath = "/work/shared/specs/smokeball/openapi.json"

type openAPI struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Nullable             bool               `json:"nullable"`
	Enum                 []any              `json:"enum"`
	AllOf                []*schema          `json:"allOf"`
	Items                *schema            `json:"items"`
	Properties           map[string]*schema `json:"properties"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
}

func loadSpec(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile(specPath)
	if err != nil {
		t.Skipf("no vendor spec at %s: %v", specPath, err)
	}
	var doc openAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("reading the spec: %v", err)
	}
	return &doc
}

// responseSchema is the JSON schema of path's method answering status.
func (d *openAPI) responseSchema(t *testing.T, method, path string, status int) *schema {
	t.Helper()
	var op struct {
		Responses map[string]struct {
			Content map[string]struct {
				Schema *schema `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	}
	raw, ok := d.Paths[path][strings.ToLower(method)]
	if !ok || json.Unmarshal(raw, &op) != nil {
		t.Fatalf("the spec has no %s %s", method, path)
	}
	r, ok := op.Responses[fmt.Sprint(status)]
	if !ok && status >= 400 {
		// ASP.NET's automatic model validation (e.g. Limit > 500) answers
		// 400 ProblemDetails on operations whose spec lists only 200.
		t.Logf("the spec lists no %d for %s %s; checking ProblemDetails", status, method, path)
		return &schema{Ref: "#/components/schemas/ProblemDetails"}
	}
	if !ok {
		t.Fatalf("the spec lists no %d for %s %s", status, method, path)
	}
	c, ok := r.Content["application/json"]
	if !ok || c.Schema == nil {
		return nil // no body
	}
	return c.Schema
}

// check validates v against s, reporting every mismatch under at.
func (d *openAPI) check(s *schema, v any, at string, errs *[]string) {
	if s == nil {
		return
	}
	if s.Ref != "" {
		d.check(d.Components.Schemas[s.Ref[strings.LastIndex(s.Ref, "/")+1:]], v, at, errs)
		return
	}
	if len(s.AllOf) > 0 {
		for _, sub := range s.AllOf {
			d.check(sub, v, at, errs)
		}
		return
	}
	if v == nil {
		return // nullable or absent-as-null: the client tolerates both
	}
	bad := func(format string, args ...any) { *errs = append(*errs, at+": "+fmt.Sprintf(format, args...)) }
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		bad("%v is not one of %v", v, s.Enum)
	}
	switch s.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("want a string, got %T", v)
		} else if s.Format == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				bad("%q is not a date-time", str)
			}
		}
	case "integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(string(n), ".eE") {
			bad("want an integer, got %v", v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			bad("want a number, got %T", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return
		}
		for i, item := range a {
			d.check(s.Items, item, fmt.Sprintf("%s[%d]", at, i), errs)
		}
	case "object", "":
		o, ok := v.(map[string]any)
		if !ok {
			if s.Type == "object" {
				bad("want an object, got %T", v)
			}
			return
		}
		closed := string(s.AdditionalProperties) == "false"
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, ok := s.Properties[k]
			if !ok {
				if closed || s.Properties != nil && s.Type == "object" && len(s.AdditionalProperties) == 0 {
					bad("field %q is not in the schema", k)
				}
				continue
			}
			d.check(p, o[k], at+"."+k, errs)
		}
	}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return v
}

// TestResponsesUseTheSpecShapes drives every modelled route and checks the
// reply against the schema the spec gives for that operation and status.
func TestResponsesUseTheSpecShapes(t *testing.T) {
	doc := loadSpec(t)
	f, srv := newFake(t, smokeballfake.Options{RateLimit: 1_000_000, WriteDelay: -1, AllowInsecureWebhooks: true})
	tok := f.IssueToken()
	hook := newApp(t)
	client, _ := f.CreateContact(smokeballfake.PersonInput{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Phone: "312 555 0100", Notes: "n"})
	m, err := f.CreateMatter(smokeballfake.MatterInput{Number: "A-1", ClientIDs: []string{client.ID}})
	if err != nil {
		t.Fatal(err)
	}
	file, _ := f.AddFile(m.ID, "a.pdf", []byte("x"))
	f.AddMemo(m.ID, "t", "x")

	call := func(method, path string, body any) (int, http.Header, []byte) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+tok.Access)
		req.Header.Set("x-api-key", f.APIKey())
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	files := "/matters/" + m.ID + "/documents/files"
	for _, tt := range []struct {
		method, path string
		a, b         any // the spec path and the body, in either order
		status       int
	}{
		{"GET", "/firm", "/firm", nil, 200},
		{"GET", "/contacts?Limit=1", "/contacts", nil, 200},
		{"GET", "/contacts/" + client.ID, "/contacts/{id}", nil, 200},
		{"GET", "/contacts/3fa85f64-5717-4562-b3fc-2c963f66afa6", "/contacts/{id}", nil, 404},
		{"POST", "/contacts", map[string]any{"person": map[string]any{"firstName": "Z", "phone": map[string]string{"areaCode": "312", "number": "5550101"}}}, "/contacts", 202},
		{"POST", "/contacts", map[string]any{"bogus": 1}, "/contacts", 400},
		{"PUT", "/contacts/" + client.ID, map[string]any{"person": map[string]any{"firstName": "Ann", "notes": "m"}}, "/contacts/{id}", 202},
		{"DELETE", "/contacts/3fa85f64-5717-4562-b3fc-2c963f66afa6", nil, "/contacts/{id}", 404},
		{"GET", "/matters", "/matters", nil, 200},
		{"GET", "/matters/" + m.ID, "/matters/{matterId}", nil, 200},
		{"POST", "/matters", map[string]any{"clientIds": []string{client.ID}, "status": "Open"}, "/matters", 400},
		{"POST", "/matters", map[string]any{"matterTypeId": m.MatterTypeID, "clientIds": []string{client.ID}, "status": "Open"}, "/matters", 202},
		{"GET", "/mattertypes?Location=IL", "/mattertypes", nil, 200},
		{"GET", "/matters/" + m.ID + "/memos", "/matters/{matterId}/memos", nil, 200},
		{"POST", "/matters/" + m.ID + "/memos", map[string]any{"title": "t", "text": "x"}, "/matters/{matterId}/memos", 202},
		{"POST", "/matters/" + m.ID + "/memos", map[string]any{"text": "x"}, "/matters/{matterId}/memos", 400},
		{"GET", files, "/matters/{matterId}/documents/files", nil, 200},
		{"POST", files, map[string]any{"fileName": "b.txt", "folderPath": "A/B"}, "/matters/{matterId}/documents/files", 202},
		{"POST", files, map[string]any{"folderPath": "A/B"}, "/matters/{matterId}/documents/files", 400},
		{"GET", files + "/" + file.ID, "/matters/{matterId}/documents/files/{fileId}", nil, 200},
		{"GET", files + "/" + file.ID + "/download", "/matters/{matterId}/documents/files/{fileId}/download", nil, 200},
		{"GET", files + "/" + file.ID + "/upload", "/matters/{matterId}/documents/files/{fileId}/upload", nil, 200},
		{"POST", "/webhooks", map[string]any{"name": "n", "key": "k", "eventTypes": []string{"matter.created"}, "eventNotificationUrl": hook.srv.URL}, "/webhooks", 200},
		{"POST", "/webhooks", map[string]any{"name": "n", "eventTypes": []string{}, "eventNotificationUrl": hook.srv.URL}, "/webhooks", 400},
		{"GET", "/webhooks", "/webhooks", nil, 200},
		{"GET", "/contacts?Limit=501", "/contacts", nil, 400},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			specPath, in := tt.a, tt.b
			if _, ok := specPath.(string); !ok {
				specPath, in = tt.b, tt.a
			}
			status, h, body := call(tt.method, tt.path, in)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			s := doc.responseSchema(t, tt.method, specPath.(string), tt.status)
			if status >= 400 && !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
				t.Errorf("error Content-Type %q", h.Get("Content-Type"))
			}
			if s == nil {
				if len(bytes.TrimSpace(body)) > 0 {
					t.Errorf("the spec shows no body, got %s", body)
				}
				return
			}
			var errs []string
			doc.check(s, decode(t, body), "$", &errs)
			if len(errs) > 0 {
				t.Errorf("reply %s\ndiffers from the spec:\n%s", body, strings.Join(errs, "\n"))
			}
		})
	}
	// A webhook's resource payload has the resource's own shape.
	f.Flush()
	f.Wait()
	for _, d := range f.Deliveries() {
		var env struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		json.Unmarshal(d.Body, &env)
		if env.Type != "matter.created" {
			continue
		}
		var errs []string
		doc.check(doc.Components.Schemas["Matter"], decode(t, env.Payload), "payload", &errs)
		if len(errs) > 0 {
			t.Errorf("matter.created payload differs from Matter: %v", errs)
		}
	}
	if u := f.Unhandled(); len(u) != 0 {
		t.Errorf("unmodelled routes hit: %v", u)
	}
}

// TestSpecCheckerCatchesStrangers guards the checker itself: a field the
// vendor never sends, or a wrong type, must be reported.
func TestSpecCheckerCatchesStrangers(t *testing.T) {
	doc := loadSpec(t)
	for _, tt := range []struct{ schema, body string }{
		{"Matter", `{"id":"x","lastUpdated":1}`},
		{"Contact", `{"lastUpdated":"2022-01-01T00:00:00Z"}`},
		{"ContactPagedCollection", `{"value":[],"next":{"href":"x","rel":"collection"}}`},
	} {
		var errs []string
		doc.check(doc.Components.Schemas[tt.schema], decode(t, []byte(tt.body)), "$", &errs)
		if len(errs) == 0 {
			t.Errorf("%s %s passed", tt.schema, tt.body)
		}
	}
}
