package boxfake_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

func sha1hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// multipartBody builds an upload body; fileFirst puts the file part first.
func multipartBody(t *testing.T, attrs any, content io.Reader, fileFirst bool) (io.Reader, string) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		writeAttrs := func() error {
			if attrs == nil {
				return nil
			}
			raw, _ := json.Marshal(attrs)
			return mw.WriteField("attributes", string(raw))
		}
		writeFile := func() error {
			fw, err := mw.CreateFormFile("file", "upload.bin")
			if err != nil {
				return err
			}
			_, err = io.Copy(fw, content)
			return err
		}
		var err error
		if fileFirst {
			if err = writeFile(); err == nil {
				err = writeAttrs()
			}
		} else if err = writeAttrs(); err == nil {
			err = writeFile()
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

func (e *env) upload(path string, attrs any, content []byte, hdr ...string) resp {
	e.t.Helper()
	body, ct := multipartBody(e.t, attrs, bytes.NewReader(content), false)
	raw, err := io.ReadAll(body)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do("POST", path, raw, append([]string{"Content-Type", ct}, hdr...)...)
}

func newFileAttrs(name, parent string) map[string]any {
	return map[string]any{"name": name, "parent": map[string]string{"id": parent}}
}

func TestUploadNewFile(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	dir := e.mkdir("0", "Docs")
	content := []byte("engagement letter v1")
	r := e.upload("/api/2.0/files/content", map[string]any{"name": "letter.pdf", "parent": map[string]string{"id": dir},
		"content_modified_at": "2024-01-02T03:04:05Z"}, content, "Content-MD5", sha1hex(content))
	wantStatus(t, r, http.StatusCreated)
	var files box.Files
	r.json(t, &files)
	if files.TotalCount != 1 || len(files.Entries) != 1 {
		t.Fatalf("files = %+v", files)
	}
	f := files.Entries[0]
	if f.Type != "file" || f.ID == "" || f.Etag != "0" || f.SHA1 != sha1hex(content) || f.Name != "letter.pdf" ||
		f.Size != int64(len(content)) || f.Parent.ID != dir || f.FileVersion.Type != "file_version" ||
		f.FileVersion.ID == "" || f.FileVersion.SHA1 != f.SHA1 || f.CreatedAt == nil || f.ModifiedAt == nil ||
		f.ContentModifiedAt.Format("2006") != "2024" {
		t.Fatalf("file = %+v", f)
	}
	got, err := e.fake.FileContent(f.ID)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("content = %q, %v", got, err)
	}
	if fs := e.fake.Files(); len(fs) != 1 || fs[0].ID != f.ID {
		t.Fatalf("Files = %+v", fs)
	}

	// Download: 302 to the fake's download host.
	r = e.do("GET", "/2.0/files/"+f.ID+"/content", nil)
	wantStatus(t, r, http.StatusFound)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, e.srv.URL+"/") {
		t.Fatalf("Location = %q", loc)
	}
	r = e.do("GET", loc, nil)
	wantStatus(t, r, http.StatusOK)
	if !bytes.Equal(r.Body, content) {
		t.Fatalf("download = %q", r.Body)
	}
	// GET with fields.
	r = e.do("GET", "/2.0/files/"+f.ID+"?fields=sha1,size", nil)
	wantStatus(t, r, http.StatusOK)
	if keys := mapKeys(r.obj(t)); strings.Join(keys, ",") != "etag,id,sha1,size,type" {
		t.Fatalf("keys = %v", keys)
	}
	// Delete.
	wantStatus(t, e.do("DELETE", "/2.0/files/"+f.ID, nil), http.StatusNoContent)
	e.do("GET", "/2.0/files/"+f.ID, nil).wantError(t, 404, "trashed")
	e.do("GET", "/2.0/files/123", nil).wantError(t, 404, "not_found")
}

func TestUploadErrors(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	existing, err := e.fake.UploadFile("0", "Report.pdf", []byte("old"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("metadata after file", func(t *testing.T) {
		body, ct := multipartBody(t, newFileAttrs("a.txt", "0"), strings.NewReader("x"), true)
		raw, _ := io.ReadAll(body)
		e.do("POST", "/api/2.0/files/content", raw, "Content-Type", ct).wantError(t, 400, "metadata_after_file_contents")
	})
	t.Run("no attributes", func(t *testing.T) {
		body, ct := multipartBody(t, nil, strings.NewReader("x"), false)
		raw, _ := io.ReadAll(body)
		e.do("POST", "/api/2.0/files/content", raw, "Content-Type", ct).wantError(t, 400, "metadata_after_file_contents")
	})
	t.Run("bad digest", func(t *testing.T) {
		e.upload("/api/2.0/files/content", newFileAttrs("b.txt", "0"), []byte("abc"),
			"Content-MD5", sha1hex([]byte("abd"))).wantError(t, 400, "bad_digest")
		if len(e.fake.Files()) != 1 {
			t.Fatal("a bad digest stored a file")
		}
	})
	t.Run("bad name", func(t *testing.T) {
		e.upload("/api/2.0/files/content", newFileAttrs("a/b", "0"), []byte("x")).wantError(t, 400, "item_name_invalid")
	})
	t.Run("missing parent", func(t *testing.T) {
		e.upload("/api/2.0/files/content", newFileAttrs("c.txt", "9999"), []byte("x")).wantError(t, 404, "not_found")
	})
	t.Run("conflict is one object", func(t *testing.T) {
		be := e.upload("/api/2.0/files/content", newFileAttrs("report.PDF", "0"), []byte("new")).wantError(t, 409, "item_name_in_use")
		var ci struct {
			Conflicts box.FileConflict `json:"conflicts"`
		}
		if err := json.Unmarshal(be.ContextInfo, &ci); err != nil {
			t.Fatalf("conflicts is not an object: %s", be.ContextInfo)
		}
		c := ci.Conflicts
		if c.Type != "file" || c.ID != existing.ID || c.Name != "Report.pdf" || c.SHA1 != sha1hex([]byte("old")) ||
			c.FileVersion == nil || c.FileVersion.Type != "file_version" || c.FileVersion.ID != existing.FileVersion.ID {
			t.Fatalf("conflict = %+v", c)
		}
	})
	t.Run("direct upload over 50 MB", func(t *testing.T) {
		body, ct := multipartBody(t, newFileAttrs("big.bin", "0"), io.LimitReader(zeros{}, 50_000_001), false)
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/2.0/files/content", body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+e.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		resp{Status: res.StatusCode, Body: raw}.wantError(t, 400, "bad_request")
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestUploadNewVersion(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	f, err := e.fake.UploadFile("0", "a.txt", []byte("v1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.UploadFile("0", "taken.txt", []byte("t")); err != nil {
		t.Fatal(err)
	}
	v2 := []byte("version two")
	r := e.upload("/api/2.0/files/"+f.ID+"/content", map[string]any{}, v2, "If-Match", f.Etag, "Content-MD5", sha1hex(v2))
	wantStatus(t, r, http.StatusOK)
	var files box.Files
	r.json(t, &files)
	g := files.Entries[0]
	if g.ID != f.ID || g.Etag != "1" || g.SHA1 != sha1hex(v2) || g.FileVersion.ID == f.FileVersion.ID || g.Size != int64(len(v2)) || g.Name != "a.txt" {
		t.Fatalf("version = %+v", g)
	}
	// Stale etag.
	e.upload("/api/2.0/files/"+f.ID+"/content", map[string]any{}, []byte("v3"), "If-Match", "0").wantError(t, 412, "precondition_failed")
	// Rename onto a taken name.
	e.upload("/api/2.0/files/"+f.ID+"/content", map[string]any{"name": "TAKEN.txt"}, []byte("v3")).wantError(t, 409, "item_name_in_use")
	// Rename with a new version.
	r = e.upload("/api/2.0/files/"+f.ID+"/content", map[string]any{"name": "b.txt"}, []byte("v3"))
	wantStatus(t, r, http.StatusOK)
	got, _ := e.fake.FileContent(f.ID)
	if string(got) != "v3" {
		t.Fatalf("content = %q", got)
	}
	e.upload("/api/2.0/files/424242/content", map[string]any{}, []byte("x")).wantError(t, 404, "not_found")
}

func TestPreflight(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	f, err := e.fake.UploadFile("0", "exists.txt", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	r := e.do("OPTIONS", "/2.0/files/content", map[string]any{"name": "new.txt", "size": 100, "parent": map[string]string{"id": "0"}})
	wantStatus(t, r, http.StatusOK)
	var pf box.PreflightResponse
	r.json(t, &pf)
	if !strings.HasPrefix(pf.UploadURL, e.srv.URL+"/api/2.0/files/content") || pf.UploadToken == "" {
		t.Fatalf("preflight = %+v", pf)
	}
	be := e.do("OPTIONS", "/2.0/files/content", map[string]any{"name": "EXISTS.txt", "size": 1, "parent": map[string]string{"id": "0"}}).
		wantError(t, 409, "item_name_in_use")
	if !strings.HasPrefix(string(be.ContextInfo), `{"conflicts":{"type":"file","id":"`+f.ID+`"`) {
		t.Fatalf("context_info = %s", be.ContextInfo)
	}
	e.do("OPTIONS", "/2.0/files/content", map[string]any{"name": "x", "size": 1, "parent": map[string]string{"id": "31337"}}).wantError(t, 404, "not_found")
	e.do("OPTIONS", "/2.0/files/content", map[string]any{"name": "..", "size": 1, "parent": map[string]string{"id": "0"}}).wantError(t, 400, "item_name_invalid")
	// New version preflight.
	wantStatus(t, e.do("OPTIONS", "/2.0/files/"+f.ID+"/content", map[string]any{"size": 5}), http.StatusOK)
	e.do("OPTIONS", "/2.0/files/31337/content", map[string]any{"size": 5}).wantError(t, 404, "not_found")
}
