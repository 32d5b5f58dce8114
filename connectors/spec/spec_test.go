package spec_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/spec"
)

// serve answers every request with status and body, behind chk.Wrap.
func serve(t *testing.T, chk *spec.Checker, platform string, status int, body string) string {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	srv := httptest.NewServer(chk.Wrap(platform, h))
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, method, url string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

const boxFolder = `{"type":"folder","id":"12","etag":"1","sequence_id":"1","name":"Smith","description":"",
"size":0,"created_at":"2025-01-02T03:04:05Z","modified_at":"2025-01-02T03:04:05Z","trashed_at":%s,
"path_collection":{"total_count":0,"entries":[]},"item_status":"active"}`

// TestCheckerFindsWhatTheSchemaForbids: the checker really validates
// (a wrong type, a missing required field, an undocumented route) and
// honours OAS 3.0 nullable.
func TestCheckerFindsWhatTheSchemaForbids(t *testing.T) {
	for _, tc := range []struct {
		name, platform, method, path string
		status                       int
		body                         string
		wantPath, wantField          string // "" and "": no violation
	}{
		{"conforming folder", spec.Box, "GET", "/2.0/folders/12", 200, strings.Replace(boxFolder, "%s", `"2025-02-01T00:00:00Z"`, 1), "", ""},
		{"nullable null", spec.Box, "GET", "/2.0/folders/12", 200, strings.Replace(boxFolder, "%s", "null", 1), "", ""},
		{"id as a number", spec.Box, "GET", "/2.0/folders/12", 200, strings.Replace(strings.Replace(boxFolder, `"id":"12"`, `"id":12`, 1), "%s", "null", 1), "/id", "type"},
		{"bad date-time", spec.Box, "GET", "/2.0/folders/12", 200, strings.Replace(boxFolder, "%s", `"yesterday"`, 1), "/trashed_at", "format"},
		{"mini webhook list entry with a wrong target type", spec.Box, "GET", "/2.0/webhooks", 200,
			`{"limit":1000,"next_marker":null,"entries":[{"id":"1","type":"webhook","target":{"id":"2","type":"collection"}}]}`, "/entries/*/target/type", "enum"},
		{"undocumented status", spec.Clio, "GET", "/api/v4/contacts/1.json", 418, `{"error":{"type":"Teapot","message":"m"}}`, "", "status"},
		{"no such operation", spec.Clio, "GET", "/api/v4/nothing_here.json", 200, `{}`, "", "route"},
		{"zoom meeting type as a word", spec.Zoom, "GET", "/v2/meetings/abc/recordings", 200, `{"uuid":"abc","id":1,"type":"scheduled","recording_files":[]}`, "/type", "enum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chk, err := spec.New()
			if err != nil {
				t.Fatal(err)
			}
			get(t, tc.method, serve(t, chk, tc.platform, tc.status, tc.body)+tc.path)
			rep := chk.Report()
			if rep.Platforms[tc.platform].Checked+len(rep.Violations()) == 0 {
				t.Fatalf("nothing recorded")
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
					v.Path == tc.wantPath && v.Field == tc.wantField:
					return
				}
			}
			t.Fatalf("violations %v, want one at %q (%s)", vs, tc.wantPath, tc.wantField)
		})
	}
}

// TestRelaxationsExcuseOnlyTheListedQuirks: each relaxation excuses the
// vendor document's known error and is counted, nothing more.
func TestRelaxationsExcuseOnlyTheListedQuirks(t *testing.T) {
	for _, tc := range []struct {
		name, platform, method, path string
		status                       int
		body                         string
		relaxation                   string
	}{
		{"box error code from the error guide", spec.Box, "POST", "/2.0/folders", 409,
			`{"type":"error","status":409,"code":"item_name_in_use","message":"Item with the same name already exists","context_info":{"conflicts":[{"type":"folder","id":"1","etag":"0","name":"X"}]},"request_id":"r"}`,
			"box-error-codes"},
		{"box file conflict as one object", spec.Box, "OPTIONS", "/2.0/files/content", 409,
			`{"type":"error","status":409,"code":"conflict","message":"m","context_info":{"conflicts":{"type":"file","id":"1","name":"x"}},"request_id":"r"}`,
			"box-file-conflict-object"},
		{"zoom meeting type as a digit string", spec.Zoom, "GET", "/v2/meetings/abc/recordings", 200,
			`{"uuid":"abc","id":1,"type":"2","recording_files":[]}`, "zoom-recording-meeting-type"},
		{"clio null", spec.Clio, "GET", "/api/v4/practice_areas.json", 200,
			`{"data":[{"id":1,"etag":"e","name":"Tax","category":null}],"meta":{"paging":{},"records":1}}`, "clio-nullable"},
		{"clio delete of a missing record", spec.Clio, "DELETE", "/api/v4/webhooks/9.json", 404,
			`{"error":{"type":"RecordNotFound","message":"not found"}}`, "clio-delete-404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chk, err := spec.New()
			if err != nil {
				t.Fatal(err)
			}
			get(t, tc.method, serve(t, chk, tc.platform, tc.status, tc.body)+tc.path)
			rep := chk.Report()
			if vs := rep.Violations(); len(vs) != 0 {
				t.Fatalf("violations %v", vs)
			}
			if rep.Platforms[tc.platform].Relaxed[tc.relaxation] == 0 {
				t.Fatalf("relaxed %v, want %s used", rep.Platforms[tc.platform].Relaxed, tc.relaxation)
			}
		})
	}
}

// TestSkipsAreCountedNotChecked: endpoints without a schema are reported
// with their reason.
func TestSkipsAreCountedNotChecked(t *testing.T) {
	chk, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	get(t, "GET", serve(t, chk, spec.Zoom, 200, `{"anything":1}`)+"/v2/meetings/abc/meeting_summary")
	get(t, "GET", serve(t, chk, spec.Lawmatics, 200, `{"data":[]}`)+"/v1/contacts")
	rep := chk.Report()
	if len(rep.Violations()) != 0 || rep.Platforms[spec.Zoom].Checked != 0 || len(rep.Platforms[spec.Zoom].Skipped) != 1 ||
		len(rep.Platforms[spec.Lawmatics].Skipped) != 1 {
		t.Fatalf("report %+v %+v", rep.Platforms[spec.Zoom], rep.Platforms[spec.Lawmatics])
	}
}
