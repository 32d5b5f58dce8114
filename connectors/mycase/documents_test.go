package mycase_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

func TestUploadIsTwoStepsAndDownloadFollows302WithoutToken(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	c := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Lee v. Smith"})).must(t)
	content := []byte("recording transcript")
	d := attempt(e.c.Upload(e.ctx, c.ID, "Zoom/2025-03/transcript.txt", "transcript.txt", int64(len(content)), bytes.NewReader(content))).must(t)
	if d.ID == 0 || d.Name != "transcript.txt" || d.Filename != "transcript.txt" || d.Case == nil || d.Case.ID != c.ID || d.Folder == nil {
		t.Fatalf("uploaded %+v", d)
	}
	if got, ok := e.fake.DocumentContent(d.ID); !ok || string(got) != string(content) {
		t.Fatalf("stored %q %v", got, ok)
	}
	puts := e.requests("/_s3/upload/")
	if len(puts) != 1 || puts[0].Method != http.MethodPut || puts[0].Header.Get("Authorization") != "" ||
		puts[0].Header.Get("x-amz-acl") == "" || puts[0].Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("S3 PUT %+v", puts)
	}

	rc, size, err := e.c.Download(e.ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != string(content) || size != int64(len(content)) {
		t.Fatalf("downloaded %q (%d)", got, size)
	}
	if r := e.requests("/v1/documents/"); r[0].Status != http.StatusFound {
		t.Fatalf("/data answered %d", r[0].Status)
	}
	gets := e.requests("/_s3/download/")
	if len(gets) != 1 || gets[0].Header.Get("Authorization") != "" {
		t.Fatalf("the download URL got the bearer token: %+v", gets)
	}
	if _, _, err := e.c.Download(e.ctx, 999); !errorsIsNotFound(err) {
		t.Fatalf("missing document: %v", err)
	}
}

func TestDownloadURLExpiresAfterAMinute(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	c := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Case"})).must(t)
	d := attempt(e.fake.AddDocument(c.ID, "a.txt", []byte("a"))).must(t)
	resp, _ := e.raw(http.MethodGet, "/v1/documents/"+itoa(d.ID)+"/data", nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/_s3/download/") {
		t.Fatalf("%d %q", resp.StatusCode, loc)
	}
	e.clk.Advance(mycasefake.DownloadURLTTL + time.Second)
	r2, err := e.srv.Client().Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusForbidden {
		t.Fatalf("expired URL answered %d", r2.StatusCode)
	}
	// With a bearer token S3 refuses (two auth mechanisms).
	resp, _ = e.raw(http.MethodGet, "/v1/documents/"+itoa(d.ID)+"/data", nil)
	req, _ := http.NewRequest(http.MethodGet, resp.Header.Get("Location"), nil)
	req.Header.Set("Authorization", "Bearer x")
	r3, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r3.Body.Close()
	if r3.StatusCode != http.StatusBadRequest {
		t.Fatalf("download with a token answered %d", r3.StatusCode)
	}
}

func TestUploadVersionReplacesTheContent(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	c := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Case"})).must(t)
	d := attempt(e.fake.AddDocument(c.ID, "notes.txt", []byte("v1"))).must(t)
	e.clk.Advance(time.Minute)
	if err := e.c.UploadVersion(e.ctx, d.ID, 2, strings.NewReader("v2")); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.fake.DocumentContent(d.ID); string(got) != "v2" {
		t.Fatalf("content %q", got)
	}
	vs := attempt(e.c.DocumentVersions(e.ctx, d.ID)).must(t)
	if len(vs) != 2 || vs[1].Version != 2 || vs[1].Document.ID != d.ID {
		t.Fatalf("versions %+v", vs)
	}
	var posts []seen
	for _, r := range e.requests("/v1/documents/") {
		if r.Method == http.MethodPost {
			posts = append(posts, r)
		}
	}
	if len(posts) != 1 || posts[0].Status != http.StatusCreated {
		t.Fatalf("version POST %+v", posts)
	}
	if err := e.c.UploadVersion(e.ctx, 999, 1, strings.NewReader("x")); !errorsIsNotFound(err) {
		t.Fatalf("missing document: %v", err)
	}
}

func TestUploadFailureAfterCreateIsUploadError(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	c := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Case"})).must(t)
	// The body is shorter than the size promised.
	_, err := e.c.Upload(e.ctx, c.ID, "", "short.bin", 10, strings.NewReader("abc"))
	var ue *mycase.UploadError
	if !errors.As(err, &ue) || ue.DocumentID == 0 {
		t.Fatalf("got %v", err)
	}
}

func TestDocumentListsFirmWideAndPerCase(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 1})
	a := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "A"})).must(t)
	b := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "B"})).must(t)
	d1 := attempt(e.fake.AddDocument(a.ID, "one.txt", []byte("1"))).must(t)
	e.clk.Advance(time.Minute)
	since := e.clk.Now()
	d2 := attempt(e.fake.AddDocument(b.ID, "two.txt", []byte("2"))).must(t)
	ids := func(run func(fn func(mycase.Document) error) error) []int64 {
		var out []int64
		if err := run(func(d mycase.Document) error { out = append(out, d.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := ids(func(fn func(mycase.Document) error) error { return e.c.Documents(e.ctx, mycase.DocumentQuery{}, fn) }); !equalIDs(got, []int64{d1.ID, d2.ID}) {
		t.Errorf("all: %v", got)
	}
	if got := ids(func(fn func(mycase.Document) error) error {
		return e.c.Documents(e.ctx, mycase.DocumentQuery{UpdatedAfter: since}, fn)
	}); !equalIDs(got, []int64{d2.ID}) {
		t.Errorf("since: %v", got)
	}
	if got := ids(func(fn func(mycase.Document) error) error { return e.c.CaseDocuments(e.ctx, a.ID, fn) }); !equalIDs(got, []int64{d1.ID}) {
		t.Errorf("case A: %v", got)
	}
}
