package clio_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

// pseudoRandom is a deterministic stream of n bytes that is not a Seeker,
// so nothing can rewind or size it.
func pseudoRandom(seed byte, n int64) io.Reader {
	var key [32]byte
	key[0] = seed
	return io.LimitReader(rand.NewChaCha8(key), n)
}

func TestUploadThenDownloadReturnsTheSameBytes(t *testing.T) {
	for _, tt := range []struct {
		name string
		size int64
	}{
		{"small", 11},
		{"5 MiB stream", 5 << 20},
		{"empty", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, cliofake.Options{}, clio.Options{})
			ctx := t.Context()
			m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
			sent := sha256.New()
			body := io.TeeReader(pseudoRandom(1, tt.size), sent)
			d, err := e.c.Upload(ctx, clio.Parent{ID: m.ID, Type: "Matter"}, "lease.pdf", tt.size, body)
			if err != nil {
				t.Fatal(err)
			}
			if d.ID == 0 || d.Name != "lease.pdf" || d.Size != tt.size || d.LatestDocumentVersion == nil || !d.LatestDocumentVersion.FullyUploaded ||
				d.Matter == nil || d.Matter.ID != m.ID || d.Parent == nil || d.Parent.Type != "Folder" || m.Folder == nil || d.Parent.ID != m.Folder.ID {
				t.Fatalf("Upload = %+v", d)
			}
			// The three steps, and the storage PUT carried no bearer.
			reqs := e.requests("/")
			want := []struct{ method, prefix string }{
				{"POST", "/api/v4/documents.json"}, {"PUT", "/_s3/upload/"}, {"PATCH", "/api/v4/documents/"},
			}
			if len(reqs) != len(want) {
				t.Fatalf("%d requests, want 3: %+v", len(reqs), reqs)
			}
			for i, w := range want {
				if reqs[i].Method != w.method || !strings.HasPrefix(reqs[i].Path, w.prefix) {
					t.Errorf("step %d: %s %s, want %s %s…", i+1, reqs[i].Method, reqs[i].Path, w.method, w.prefix)
				}
			}
			if put := reqs[1]; put.Header.Get("Authorization") != "" || put.Header.Get("X-Amz-Server-Side-Encryption") != "AES256" || put.Header.Get("Content-Type") != "application/pdf" {
				t.Errorf("storage PUT headers %v", put.Header)
			}

			rc, n, err := e.c.Download(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := sha256.New()
			copied, err := io.Copy(got, rc)
			rc.Close()
			if err != nil || copied != tt.size || n != tt.size || !bytes.Equal(got.Sum(nil), sent.Sum(nil)) {
				t.Fatalf("downloaded %d bytes (size %d), err %v, same=%v", copied, n, err, bytes.Equal(got.Sum(nil), sent.Sum(nil)))
			}
			for _, r := range e.requests("/_s3/download/") {
				if r.Header.Get("Authorization") != "" {
					t.Error("signed download URL fetched with the bearer token")
				}
			}
		})
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk unplugged")
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

func TestFailedUploadIsNotClaimedDone(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	ctx := t.Context()
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
	_, err := e.c.Upload(ctx, clio.Parent{ID: m.ID, Type: "Matter"}, "scan.pdf", 1000, &failingReader{n: 300})
	var ue *clio.UploadError
	if !errors.As(err, &ue) || ue.Step != 2 || ue.DocumentID == 0 {
		t.Fatalf("err = %v, want an UploadError at step 2", err)
	}
	if len(e.requests("/api/v4/documents/")) != 0 {
		t.Fatal("step 3 ran after a failed step 2")
	}
	if _, ok := e.fake.DocumentContent(ue.DocumentID); ok {
		t.Fatal("the fake holds content for the failed upload")
	}
	var docs []clio.Document
	if err := e.c.Documents(ctx, m.ID, clio.DocumentQuery{}, func(d clio.Document) error { docs = append(docs, d); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 0 {
		t.Fatalf("the unfinished upload is listed by default: %+v", docs)
	}
	if err := e.c.Documents(ctx, m.ID, clio.DocumentQuery{ShowUncompleted: true}, func(d clio.Document) error { docs = append(docs, d); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].ID != ue.DocumentID || docs[0].LatestDocumentVersion == nil || docs[0].LatestDocumentVersion.FullyUploaded || docs[0].ReceivedAt != nil {
		t.Fatalf("documents with ShowUncompleted %+v", docs)
	}
	if _, _, err := e.c.Download(ctx, ue.DocumentID); !errors.Is(err, clio.ErrNotFound) {
		t.Fatalf("Download of the half document: %v", err)
	}

	// The documented recovery: a new version of the same record.
	d, err := e.c.Upload(ctx, clio.Parent{ID: ue.DocumentID, Type: "Document"}, "scan.pdf", 5, strings.NewReader("%PDF!"))
	if err != nil || d.ID != ue.DocumentID || !d.LatestDocumentVersion.FullyUploaded {
		t.Fatalf("retry as a version: %+v, %v", d, err)
	}
	if b, ok := e.fake.DocumentContent(d.ID); !ok || string(b) != "%PDF!" {
		t.Fatalf("content %q", b)
	}
}

func TestDocumentsListMatterDocumentsSince(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{PageSize: 2})
	ctx := t.Context()
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
	other, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Other", ClientName: "Kim Ortiz"})
	for _, name := range []string{"a.pdf", "b.pdf", "c.pdf"} {
		if _, err := e.fake.AddDocument(m.ID, name, []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	e.fake.AddDocument(other.ID, "x.pdf", []byte("x"))
	e.clk.Advance(time.Hour)
	since := e.clk.Now()
	if _, err := e.fake.AddDocument(m.ID, "b.pdf", []byte("b v2")); err != nil { // a new version
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		q    clio.DocumentQuery
		want string
	}{
		{"all", clio.DocumentQuery{}, "a.pdf,b.pdf,c.pdf"},
		{"since", clio.DocumentQuery{UpdatedSince: since}, "b.pdf"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			err := e.c.Documents(ctx, m.ID, tt.q, func(d clio.Document) error {
				if d.Matter == nil || d.Matter.ID != m.ID || d.LatestDocumentVersion == nil || d.LatestDocumentVersion.UUID == "" || d.Size == 0 {
					t.Errorf("document %+v", d)
				}
				names = append(names, d.Name)
				return nil
			})
			if err != nil || strings.Join(names, ",") != tt.want {
				t.Fatalf("names %v, %v; want %s", names, err, tt.want)
			}
		})
	}
}

// A matter's documents are named by matter_id: their parent is a folder
// (the matter's documents folder or a subfolder), whose id is no matter id.
func TestDocumentsOfAMatterIncludeItsSubfolders(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	ctx := t.Context()
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
	top, err := e.c.Upload(ctx, clio.Parent{ID: m.ID, Type: "Matter"}, "top.pdf", 1, strings.NewReader("t"))
	if err != nil {
		t.Fatal(err)
	}
	if top.Parent == nil || top.Parent.Type != "Folder" || top.Parent.ID == m.ID || top.Parent.Name != m.DisplayNumber {
		t.Fatalf("parent %+v, want the matter's folder (matter %d)", top.Parent, m.ID)
	}
	// A subfolder made through the API (the client has no folder calls).
	resp, b := e.post("/api/v4/folders.json?fields=id", `{"data":{"name":"Drafts","parent":{"id":`+strconv.FormatInt(m.ID, 10)+`,"type":"Matter"}}}`)
	var sub clio.DataResponse[clio.Folder]
	if resp.StatusCode != 201 || json.Unmarshal(b, &sub) != nil {
		t.Fatalf("folder: %d %s", resp.StatusCode, b)
	}
	deep, err := e.c.Upload(ctx, clio.Parent{ID: sub.Data.ID, Type: "Folder"}, "deep.pdf", 1, strings.NewReader("d"))
	if err != nil || deep.Parent.ID != sub.Data.ID || deep.Matter == nil || deep.Matter.ID != m.ID {
		t.Fatalf("upload into the subfolder: %+v %v", deep, err)
	}
	var got []int64
	if err := e.c.Documents(ctx, m.ID, clio.DocumentQuery{}, func(d clio.Document) error { got = append(got, d.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != top.ID || got[1] != deep.ID {
		t.Fatalf("documents %v, want [%d %d]", got, top.ID, deep.ID)
	}
	for _, r := range e.requests("/api/v4/documents.json") {
		if r.Method == "GET" && (r.Query.Get("matter_id") != strconv.FormatInt(m.ID, 10) || r.Query.Has("parent_id") || r.Query.Has("show_uncompleted")) {
			t.Fatalf("listing query %v: a matter is named by matter_id", r.Query)
		}
	}
}

// post sends a JSON POST with the env's token, bypassing the client.
func (e *env) post(path, body string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.tok.Access)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}
