package smokeball_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

func TestFilesListAndDownloadWithoutCredentials(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{PageSize: 2})
	m, _ := e.fake.CreateMatter(smokeballfake.MatterInput{Number: "F-1"})
	for _, n := range []string{"a.pdf", "b.docx", "c.txt"} {
		if _, err := e.fake.AddFile(m.ID, n, []byte("content of "+n)); err != nil {
			t.Fatal(err)
		}
	}
	files := collect(t, func(fn func(smokeball.File) error) error { return e.c.Files(t.Context(), m.ID, fn) })
	if len(files) != 3 || files[1].Name != "b" || files[1].FileExtension != ".docx" || files[1].SizeBytes != int64(len("content of b.docx")) ||
		!files[1].IsUploaded || files[1].DateModified.IsZero() || files[1].VersionID == "" {
		t.Fatalf("files %+v", files)
	}
	rc, size, err := e.c.Download(t.Context(), m.ID, files[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "content of c.txt" || size != int64(len(b)) {
		t.Fatalf("downloaded %q (%d)", b, size)
	}
	dl := e.requests("/_s3/download/")
	api := e.requests("/matters/" + m.ID + "/documents/files/" + files[2].ID + "/download")
	if len(dl) != 1 || len(api) != 1 {
		t.Fatalf("download requests: %d storage, %d API", len(dl), len(api))
	}
	if dl[0].Header.Get("Authorization") != "" || dl[0].Header.Get("x-api-key") != "" {
		t.Fatalf("the storage GET carried credentials: %v", dl[0].Header)
	}
}

func TestUploadWithEmptyContentTypeThenNewVersion(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	sink := newSink(t)
	if _, err := e.c.CreateWebhook(t.Context(), "files", sink.srv.URL, "", []string{"files.updated"}); err != nil {
		t.Fatal(err)
	}
	m, _ := e.fake.CreateMatter(smokeballfake.MatterInput{Number: "U-1"})
	body := []byte("%PDF-1.7 hello")
	id, err := e.c.Upload(t.Context(), m.ID, "Zoom/2025", "Recording notes.pdf", int64(len(body)), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	put := e.requests("/_s3/upload/")
	if len(put) != 1 || put[0].Header.Get("Content-Type") != "" || put[0].Header.Get("Authorization") != "" || put[0].Header.Get("x-api-key") != "" {
		t.Fatalf("storage PUT %+v", put)
	}
	e.fake.Flush()
	got, ok := e.fake.FileContent(m.ID, id)
	if !ok || !bytes.Equal(got, body) {
		t.Fatalf("stored %q %v", got, ok)
	}
	files := e.fake.Files(m.ID)
	if len(files) != 1 || files[0].Name != "Recording notes" || files[0].FileExtension != ".pdf" || files[0].FolderID == "" {
		t.Fatalf("files %+v", files)
	}
	_, ev := e.awaitEvent(sink, "files.updated")
	if !strings.Contains(string(ev.Payload), id) || ev.Source != "API" {
		t.Fatalf("files.updated %+v %s", ev, ev.Payload)
	}

	v2 := []byte("second version")
	if err := e.c.UploadVersion(t.Context(), m.ID, id, int64(len(v2)), strings.NewReader(string(v2))); err != nil {
		t.Fatal(err)
	}
	e.fake.Flush()
	if got, _ := e.fake.FileContent(m.ID, id); string(got) != string(v2) {
		t.Fatalf("after new version: %q", got)
	}
}

func TestStorageRefusesAContentType(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	m, _ := e.fake.CreateMatter(smokeballfake.MatterInput{Number: "S-1"})
	status, _, body := e.raw("POST", "/matters/"+m.ID+"/documents/files", map[string]string{"fileName": "x.txt"}, nil)
	if status != http.StatusAccepted || !strings.Contains(string(body), `"uploadUrl"`) || !strings.Contains(string(body), `"expiry"`) {
		t.Fatalf("step 1: %d %s", status, body)
	}
	uploadURL := body[bytes.Index(body, []byte(e.srv.URL)):]
	uploadURL = uploadURL[:bytes.IndexByte(uploadURL, '"')]
	for _, tt := range []struct {
		ct     string
		status int
	}{{"application/octet-stream", 403}, {"", 200}} {
		req, _ := http.NewRequest("PUT", string(uploadURL), strings.NewReader("hi"))
		if tt.ct != "" {
			req.Header.Set("Content-Type", tt.ct)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Fatalf("PUT with Content-Type %q: %d %s", tt.ct, resp.StatusCode, b)
		}
	}
}

func TestDownloadURLExpires(t *testing.T) {
	clk := newClock()
	e := newEnv(t, smokeballfake.Options{Now: clk.Now}, smokeball.Options{})
	m, _ := e.fake.CreateMatter(smokeballfake.MatterInput{Number: "D-1"})
	f, _ := e.fake.AddFile(m.ID, "x.txt", []byte("x"))
	status, _, body := e.raw("GET", "/matters/"+m.ID+"/documents/files/"+f.ID+"/download", nil, nil)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	u := body[bytes.Index(body, []byte(e.srv.URL)):]
	u = u[:bytes.IndexByte(u, '"')]
	clk.Sleep(t.Context(), smokeballfake.DownloadURLTTL+time.Second)
	resp, err := e.srv.Client().Get(string(u))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("expired download URL: %d", resp.StatusCode)
	}
}
