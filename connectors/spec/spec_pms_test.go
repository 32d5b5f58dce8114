package spec_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/spec"
)

// serveAs answers every request with status, contentType and body, behind
// chk.Wrap.
func serveAs(t *testing.T, chk *spec.Checker, platform string, status int, contentType, body string) string {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	srv := httptest.NewServer(chk.Wrap(platform, h))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestCheckerChecksMyCaseAndSmokeball: the MyCase documents (down-converted
// from OAS 3.1) and Smokeball's really validate, the amendments check error
// bodies rather than wave them through, and nothing else is excused.
func TestCheckerChecksMyCaseAndSmokeball(t *testing.T) {
	const problem = "application/problem+json; charset=utf-8"
	const js = "application/json; charset=utf-8"
	for _, tc := range []struct {
		name, platform, method, path string
		status                       int
		contentType, body            string
		wantPath, wantField          string // "" and "": no violation
		amendment                    string // must have counted the response, when set
	}{
		// MyCase: 3.1's type: [T, "null"] became nullable.
		{"mycase conforming case with nulls", spec.MyCase, "GET", "/v1/cases/1", 200, js,
			`{"id":1,"name":"X","case_number":null,"practice_area":null,"status":"open","clients":[{"id":2}]}`, "", "", ""},
		{"mycase id as a string", spec.MyCase, "GET", "/v1/cases/1", 200, js, `{"id":"1","name":"X"}`, "/id", "type", ""},
		{"mycase case_number as a number", spec.MyCase, "GET", "/v1/cases/1", 200, js, `{"id":1,"case_number":5}`, "/case_number", "type", ""},
		{"mycase null where no null is allowed", spec.MyCase, "GET", "/v1/cases/1", 200, js, `{"id":1,"name":null}`, "/name", "nullable", ""},
		// 3.1's type: [string, number, boolean] became anyOf.
		{"mycase custom field value as a list", spec.MyCase, "GET", "/v1/cases/1", 200, js,
			`{"id":1,"custom_field_values":[{"custom_field":{"id":3},"value":[1]}]}`, "/custom_field_values/*/value", "anyOf", ""},
		{"mycase list item of the wrong type", spec.MyCase, "GET", "/v1/clients", 200, js, `[{"id":1},{"id":true}]`, "/*/id", "type", ""},
		// The error guide's body, added by mycase-error-guide.
		{"mycase 404 as the guide says", spec.MyCase, "GET", "/v1/clients/9", 404, js,
			`{"errors":[{"description":"The requested resource could not be found."}]}`, "", "", "mycase-error-guide"},
		{"mycase 422 with a pointer", spec.MyCase, "POST", "/v1/cases", 422, js,
			`{"errors":[{"description":"name has already been taken","source":{"pointer":"/name"}}]}`, "", "", "mycase-error-guide"},
		{"mycase 404 in another shape", spec.MyCase, "GET", "/v1/clients/9", 404, js, `{"error":"not found"}`, "/errors", "required", ""},
		{"mycase error source with both pointer and parameter", spec.MyCase, "GET", "/v1/cases", 400, js,
			`{"errors":[{"description":"d","source":{"pointer":"/a","parameter":"b"}}]}`, "/errors/*/source", "maxProperties", ""},
		{"mycase undocumented status", spec.MyCase, "GET", "/v1/firm", 418, js, `{"errors":[{"description":"teapot"}]}`, "", "status", ""},
		{"mycase no such operation", spec.MyCase, "GET", "/v1/time_entries", 200, js, `[]`, "", "route", ""},
		// Smokeball.
		{"smokeball conforming firm", spec.Smokeball, "GET", "/firm", 200, js, `{"id":"f4ff1eff-b7fe-4d46-4e46-01d985838d76","name":"Brown LLC"}`, "", "", ""},
		{"smokeball firm with an undeclared property", spec.Smokeball, "GET", "/firm", 200, js, `{"id":"f","firmName":"Brown LLC"}`, "", "properties", ""},
		{"smokeball 404 as problem+json", spec.Smokeball, "GET", "/contacts/f4ff1eff-b7fe-4d46-4e46-01d985838d76", 404, problem,
			`{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.4","title":"Not Found","status":404,"detail":"Contact does not exist.","instance":"/contacts/x"}`,
			"", "", "smokeball-problem-json"},
		{"smokeball 401", spec.Smokeball, "GET", "/firm", 401, problem, `{"title":"Unauthorized","status":401}`, "", "", "smokeball-401"},
		{"smokeball problem with a status string", spec.Smokeball, "GET", "/matters/x", 404, problem, `{"title":"Not Found","status":"404"}`, "/status", "type", ""},
		{"smokeball undocumented error status", spec.Smokeball, "GET", "/contacts", 404, problem, `{"title":"Not Found","status":404}`, "", "status", ""},
		{"smokeball error as plain text", spec.Smokeball, "GET", "/matters/x", 404, "text/plain", `Not Found`, "", "content-type", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chk, err := spec.New()
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(tc.method, serveAs(t, chk, tc.platform, tc.status, tc.contentType, tc.body)+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			rep := chk.Report()
			pr := rep.Platforms[tc.platform]
			if pr.Checked+len(rep.Violations()) == 0 {
				t.Fatalf("nothing recorded")
			}
			if tc.amendment != "" && pr.Amended[tc.amendment] == 0 {
				t.Errorf("amended %v, want %s counted", pr.Amended, tc.amendment)
			}
			if len(pr.Relaxed) != 0 {
				t.Errorf("relaxed %v, want nothing relaxed", pr.Relaxed)
			}
			vs := rep.Violations()
			if tc.wantField == "" {
				if len(vs) != 0 {
					t.Fatalf("violations %v, want none", vs)
				}
				return
			}
			for _, v := range vs {
				switch {
				case tc.wantField == "status" && v.Reason == "status is not supported",
					tc.wantField == "route" && strings.Contains(v.Reason, "no operation"),
					tc.wantField == "content-type" && strings.Contains(v.Reason, "Content-Type"),
					v.Path == tc.wantPath && v.Field == tc.wantField:
					return
				}
			}
			t.Fatalf("violations %v, want one at %q (%s)", vs, tc.wantPath, tc.wantField)
		})
	}
}

// TestOperationsListTheExtractedSubsets: the operations a conformance run
// must drive are the ones extracted, in the report's spelling.
func TestOperationsListTheExtractedSubsets(t *testing.T) {
	chk, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string][]string{
		spec.MyCase:    {"GET /v1/me", "PUT /v1/cases/{id}", "GET /v1/documents/{id}/data", "DELETE /v1/webhooks/subscriptions/{id}"},
		spec.Smokeball: {"GET /firm", "PUT /contacts/{id}", "GET /matters/{matterId}/documents/files/{fileId}/upload", "DELETE /webhooks/{id}"},
	} {
		ops := chk.Operations(p)
		for _, w := range want {
			found := false
			for _, op := range ops {
				found = found || op == w
			}
			if !found {
				t.Errorf("%s: %s missing from %v", p, w, ops)
			}
		}
	}
}
