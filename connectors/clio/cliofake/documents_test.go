package cliofake_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

// putHeaders turns put_headers [{name,value}] into header pairs for do.
func putHeaders(v []any) []string {
	var out []string
	for _, h := range v {
		out = append(out, h.(obj)["name"].(string), h.(obj)["value"].(string))
	}
	return out
}

func TestDocumentUploadAndDownload(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Estate", ClientName: "Kim Ortiz"})
	step1 := "/api/v4/documents.json?fields=id,latest_document_version{id,uuid,put_url,put_headers,fully_uploaded}"
	d := data(e.expect(201, "POST", step1, body(obj{"name": "will.pdf", "parent": obj{"id": m.ID, "type": "Matter"}})))
	ldv := d["latest_document_version"].(obj)
	putURL, uuid := ldv["put_url"].(string), ldv["uuid"].(string)
	hdrs := putHeaders(ldv["put_headers"].([]any))
	if !strings.HasPrefix(putURL, e.srv.URL+"/_s3/upload/"+uuid+"?") || ldv["fully_uploaded"] != false || strings.Join(hdrs, "|") != "Content-Type|application/pdf|x-amz-server-side-encryption|AES256" {
		t.Fatalf("step 1 %v", d)
	}
	dp := "/api/v4/documents/" + strconv.FormatInt(id(d), 10) + ".json"
	complete := body(obj{"uuid": uuid, "fully_uploaded": true})

	// Step 3 before step 2 fails with UploadNotFoundError.
	v := e.expect(422, "PATCH", dp, complete)
	if v["error"].(obj)["type"] != "UploadNotFoundError" {
		t.Fatalf("%v", v)
	}
	// PUT without the signed headers is refused, as S3 does.
	if resp, _ := e.do("PUT", putURL, "x", "Authorization", "", "Content-Type", "application/pdf"); resp.StatusCode != 403 {
		t.Fatalf("PUT without sse header: %d", resp.StatusCode)
	}
	if resp, _ := e.do("PUT", putURL+"x", "x", append(hdrs, "Authorization", "")...); resp.StatusCode != 403 {
		t.Fatalf("PUT with bad signature: %d", resp.StatusCode)
	}
	if resp, b := e.do("PUT", putURL, "%PDF-will", append(hdrs, "Authorization", "")...); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, b)
	}
	d = data(e.expect(200, "PATCH", dp+"?fields=id,name,size,content_type,matter{id},latest_document_version{fully_uploaded,version_number}", complete))
	if d["size"] != float64(9) || d["content_type"] != "application/pdf" || d["latest_document_version"].(obj)["fully_uploaded"] != true || d["matter"].(obj)["id"] != float64(m.ID) {
		t.Fatalf("step 3 %v", d)
	}

	download := func(query string) (string, []byte) {
		resp, _ := e.do("GET", "/api/v4/documents/"+strconv.FormatInt(id(d), 10)+"/download.json"+query, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("download: %d", resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		resp, b := e.do("GET", loc, nil, "Authorization", "")
		if resp.StatusCode != 200 {
			t.Fatalf("signed GET: %d %s", resp.StatusCode, b)
		}
		return loc, b
	}
	loc, b := download("")
	if string(b) != "%PDF-will" {
		t.Fatalf("downloaded %q", b)
	}

	// New version via parent type Document.
	d2 := data(e.expect(201, "POST", step1, body(obj{"name": "will.pdf", "parent": obj{"id": id(d), "type": "Document"}})))
	if id(d2) != id(d) {
		t.Fatalf("new version made a new document: %v", d2)
	}
	l2 := d2["latest_document_version"].(obj)
	e.do("PUT", l2["put_url"].(string), "%PDF-will-v2", append(putHeaders(l2["put_headers"].([]any)), "Authorization", "")...)
	e.expect(200, "PATCH", dp, body(obj{"uuid": l2["uuid"], "fully_uploaded": true}))
	if _, b := download(""); string(b) != "%PDF-will-v2" {
		t.Fatalf("v2 %q", b)
	}
	if _, b := download("?document_version_id=" + strconv.FormatInt(int64(ldv["id"].(float64)), 10)); string(b) != "%PDF-will" {
		t.Fatalf("v1 by id %q", b)
	}
	if l := list(e.expect(200, "GET", "/api/v4/documents.json?matter_id="+strconv.FormatInt(m.ID, 10), nil)); len(l) != 1 {
		t.Fatalf("list %v", l)
	}

	// Signed download URLs expire.
	e.clock.Advance(6 * time.Minute)
	if resp, _ := e.do("GET", loc, nil, "Authorization", ""); resp.StatusCode != 403 {
		t.Fatalf("expired URL: %d", resp.StatusCode)
	}

	// Admin AddDocument: same name on the matter → new version.
	a1, err := e.fake.AddDocument(m.ID, "notes.txt", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := e.fake.AddDocument(m.ID, "notes.txt", []byte("two"))
	if a1.ID != a2.ID || a2.LatestDocumentVersion.VersionNumber != 2 {
		t.Fatalf("AddDocument %+v %+v", a1, a2.LatestDocumentVersion)
	}
	if c, _ := e.fake.DocumentContent(a1.ID); string(c) != "two" {
		t.Fatalf("content %q", c)
	}
	e.expect(422, "POST", "/api/v4/documents.json", body(obj{"name": "x", "parent": obj{"id": 999, "type": "Matter"}}))

	// Folders.
	fo := data(e.expect(201, "POST", "/api/v4/folders.json?fields=id,name,parent", body(obj{"name": "Drafts", "parent": obj{"id": m.ID, "type": "Matter"}})))
	if fo["name"] != "Drafts" {
		t.Fatalf("folder %v", fo)
	}
	// The account root, the matter's folder, and Drafts inside the latter.
	if l := list(e.expect(200, "GET", "/api/v4/folders.json?fields=id,name,parent{id}", nil)); len(l) != 3 || l[2]["name"] != "Drafts" || id(l[2]["parent"].(obj)) != id(l[1]) {
		t.Fatalf("folders %v", l)
	}
}
