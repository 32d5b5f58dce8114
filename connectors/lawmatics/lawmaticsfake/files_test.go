package lawmaticsfake_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

func TestFileUploadAndDownload(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Kim", CaseTitle: "Estate"})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "retainer.pdf")
	content := []byte("%PDF-1.4 retainer")
	fw.Write(content)
	mw.WriteField("documentable_type", "matter")
	mw.WriteField("documentable_id", p.ID)
	mw.WriteField("name", "Signed retainer")
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, b := e.send(req)
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, b)
	}
	admin, _ := e.fake.AddFile(p.ID, "notes.txt", []byte("hello"))

	list := e.json("GET", "/v1/files?filter_by=prospect_id&filter_on="+p.ID+"&sort_order=asc", nil, 200)
	if dig(list, "meta", "total_entries") != float64(2) || dig(list, "links", "self") != "/v1/documents?page=1" {
		t.Fatalf("files list %v", list)
	}
	id := dig(list, "data", 0, "id").(string)
	m := e.json("GET", "/v1/files/"+id, nil, 200)
	a := dig(m, "data", "attributes")
	if dig(a, "name") != "Signed retainer" || dig(a, "file_name") != "retainer.pdf" || dig(a, "file_type") != "application/pdf" ||
		dig(a, "file_size") != float64(len(content)) || dig(m, "data", "relationships", "documentable", "data", "type") != "prospect" {
		t.Fatalf("metadata %v", m)
	}

	resp, b = e.do("GET", "/v1/files/download/"+id, nil)
	if resp.StatusCode != 200 || !bytes.Equal(b, content) || resp.Header.Get("Content-Disposition") != `attachment; filename=retainer.pdf` {
		t.Fatalf("download: %d %q %q", resp.StatusCode, b, resp.Header.Get("Content-Disposition"))
	}
	resp, b = e.do("GET", "/v1/files/download/nope", nil)
	if resp.StatusCode != 404 || string(b) != `{"errors":[{"status":404,"title":"Not found","detail":"File with id nope was not found."}]}` {
		t.Fatalf("download 404: %d %s", resp.StatusCode, b)
	}

	// file_url is absolute, needs no token and expires after an hour.
	url := dig(a, "file_url").(string)
	plain, _ := http.NewRequest("GET", url, nil)
	if resp, b := e.send(plain); resp.StatusCode != 200 || !bytes.Equal(b, content) {
		t.Fatalf("file_url %s: %d %q", url, resp.StatusCode, b)
	}
	e.clock.Advance(61 * time.Minute)
	plain, _ = http.NewRequest("GET", url, nil)
	if resp, _ := e.send(plain); resp.StatusCode != 403 {
		t.Fatalf("expired file_url: %d", resp.StatusCode)
	}
	if admin.Attributes.FileSize != 5 || admin.Attributes.FileType != "text/plain; charset=utf-8" {
		t.Fatalf("AddFile %+v", admin)
	}
}
