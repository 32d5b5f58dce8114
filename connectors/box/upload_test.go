package box_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
	"github.com/firmsync/firmsync/connectors/httpx"
)

// pattern is a deterministic reader of n bytes, so large uploads need no
// large literal.
type pattern struct{ i, n int64 }

func newPattern(n int64) *pattern { return &pattern{n: n} }

func (p *pattern) Read(b []byte) (int, error) {
	if p.i >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.i)]
	for k := range b {
		x := p.i + int64(k)
		b[k] = byte(x*131 + x>>9 + x>>17)
	}
	p.i += int64(len(b))
	return len(b), nil
}

func sha1Of(t *testing.T, r io.Reader) string {
	t.Helper()
	h := sha1.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func contentSHA1(t *testing.T, fake *boxfake.Server, id string) string {
	t.Helper()
	b, err := fake.FileContent(id)
	if err != nil {
		t.Fatal(err)
	}
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestSmallUploadIsVerifiedByBox(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	body := "Engagement letter, signed.\n"
	sum := sha1Of(t, strings.NewReader(body))
	for _, tc := range []struct{ name, sha1 string }{{"given.txt", sum}, {"computed.txt", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := e.c.UploadFile(ctx, "0", tc.name, int64(len(body)), strings.NewReader(body), tc.sha1)
			if err != nil {
				t.Fatal(err)
			}
			if f.SHA1 != sum || f.Size != int64(len(body)) || f.Name != tc.name || contentSHA1(t, e.fake, f.ID) != sum {
				t.Fatalf("uploaded %+v", f)
			}
		})
	}
	_, err := e.c.UploadFile(ctx, "0", "wrong.txt", int64(len(body)), strings.NewReader(body), strings.Repeat("0", 40))
	if httpx.KindOf(err) != httpx.KindValidation || !strings.Contains(err.Error(), "Content-MD5") {
		t.Fatalf("wrong SHA-1: %v, want bad_digest", err)
	}
	if _, err := e.c.UploadFile(ctx, "0", "empty.txt", 0, strings.NewReader(""), ""); err != nil {
		t.Fatalf("empty file: %v", err)
	}
}

func TestUploadRefusesABodyOfTheWrongSize(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		size int64
		sha1 string
	}{{"short.txt", 10, ""}, {"long.txt", 3, ""}, {"short-streamed.txt", 10, strings.Repeat("a", 40)}} {
		if _, err := e.c.UploadFile(ctx, "0", tc.name, tc.size, strings.NewReader("12345"), tc.sha1); err == nil {
			t.Errorf("%s: uploaded", tc.name)
		}
	}
	if files := e.fake.Files(); len(files) != 0 {
		t.Fatalf("files were created: %+v", files)
	}
}

func TestChunkedUploadOf25MiB(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	const size = 25 << 20
	want := sha1Of(t, newPattern(size))
	for _, tc := range []struct{ name, sha1 string }{{"recording.mp4", want}, {"unhashed.mp4", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.c.HTTP().Requests()
			f, err := e.c.UploadFile(ctx, "0", tc.name, size, newPattern(size), tc.sha1)
			if err != nil {
				t.Fatal(err)
			}
			if f.SHA1 != want || f.Size != size || contentSHA1(t, e.fake, f.ID) != want {
				t.Fatalf("uploaded %+v", f)
			}
			// session + 4 parts of 8 MiB (the last 1 MiB) + commit
			if n := e.c.HTTP().Requests() - before; n != 6 {
				t.Fatalf("%d requests, want 6", n)
			}
		})
	}
}

func sessionsLeft(t *testing.T, fake *boxfake.Server) int {
	t.Helper()
	b, err := fake.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Sessions map[string]json.RawMessage `json:"sessions"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return len(st.Sessions)
}

func TestChunkedUploadAbortsOnFailure(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	const size = 21 << 20
	// The body ends early.
	if _, err := e.c.UploadFile(ctx, "0", "short.bin", size, newPattern(size-1), ""); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short body: %v", err)
	}
	// The content is not what the caller said.
	if _, err := e.c.UploadFile(ctx, "0", "mismatch.bin", size, newPattern(size), strings.Repeat("0", 40)); err == nil ||
		!strings.Contains(err.Error(), "SHA-1") {
		t.Fatalf("wrong SHA-1: %v", err)
	}
	if n := sessionsLeft(t, e.fake); n != 0 {
		t.Fatalf("%d upload sessions left open", n)
	}
	if files := e.fake.Files(); len(files) != 0 {
		t.Fatalf("files were created: %+v", files)
	}
}

func TestChunkedCommitIsRetriedAfter202(t *testing.T) {
	var commits atomic.Int32
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/commit") && commits.Add(1) == 1 {
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(http.StatusAccepted)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, boxfake.Options{}, mw)
	const size = 20 << 20
	f, err := e.c.UploadFile(context.Background(), "0", "big.pdf", size, newPattern(size), "")
	if err != nil {
		t.Fatal(err)
	}
	if commits.Load() != 2 || f.Size != size {
		t.Fatalf("%d commits, file %+v", commits.Load(), f)
	}
	found := false
	for _, d := range e.clock.Sleeps() {
		found = found || d.Seconds() == 3
	}
	if !found {
		t.Fatalf("no 3 s wait for the 202's Retry-After: %v", e.clock.Sleeps())
	}
}

func TestUploadVersion(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	f, err := e.c.UploadFile(ctx, "0", "brief.docx", 2, strings.NewReader("v1"), "")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := e.c.UploadVersion(ctx, f.ID, "", 2, strings.NewReader("v2"), sha1Of(t, strings.NewReader("v2")))
	if err != nil {
		t.Fatal(err)
	}
	if v2.ID != f.ID || v2.Name != "brief.docx" || v2.FileVersion.ID == f.FileVersion.ID || contentSHA1(t, e.fake, f.ID) != sha1Of(t, strings.NewReader("v2")) {
		t.Fatalf("v2 %+v", v2)
	}
	const size = 22 << 20
	v3, err := e.c.UploadVersion(ctx, f.ID, "brief (final).docx", size, newPattern(size), "")
	if err != nil {
		t.Fatal(err)
	}
	if v3.ID != f.ID || v3.Name != "brief (final).docx" || v3.Size != size || contentSHA1(t, e.fake, f.ID) != sha1Of(t, newPattern(size)) {
		t.Fatalf("v3 %+v", v3)
	}
}

func TestUploadClashNamesTheExistingFile(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	old, err := e.fake.UploadFile("0", "Invoice.pdf", []byte("paid"))
	if err != nil {
		t.Fatal(err)
	}
	const big = 20 << 20
	for _, tc := range []struct {
		name string
		size int64
		body io.Reader
	}{{"direct", 3, strings.NewReader("new")}, {"chunked", big, newPattern(big)}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.UploadFile(ctx, "0", "invoice.PDF", tc.size, tc.body, "")
			var ce *box.ConflictError
			if !errors.As(err, &ce) || ce.Type != "file" || ce.ID != old.ID || ce.SHA1 != old.SHA1 || !errors.Is(err, box.ErrExists) {
				t.Fatalf("got %v (%+v), want a conflict naming %s", err, ce, old.ID)
			}
		})
	}
	err = e.c.Preflight(ctx, "0", "INVOICE.pdf", 4)
	var ce *box.ConflictError
	if !errors.As(err, &ce) || ce.ID != old.ID {
		t.Fatalf("preflight: %v", err)
	}
	if err := e.c.Preflight(ctx, "0", "Receipt.pdf", 4); err != nil {
		t.Fatalf("preflight of a free name: %v", err)
	}
}

func TestDirectUploadAfter429(t *testing.T) {
	var uploads atomic.Int32
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/api/2.0/files/content" && uploads.Add(1)%2 == 1 {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, boxfake.Options{}, mw)
	ctx := context.Background()
	// Buffered to hash: the temporary file is sent again.
	f, err := e.c.UploadFile(ctx, "0", "buffered.txt", 5, strings.NewReader("hello"), "")
	if err != nil || f.Size != 5 || contentSHA1(t, e.fake, f.ID) != sha1Of(t, strings.NewReader("hello")) {
		t.Fatalf("buffered upload after 429: %+v %v", f, err)
	}
	// Streamed from the caller: it cannot be sent again.
	_, err = e.c.UploadFile(ctx, "0", "streamed.txt", 5, strings.NewReader("hello"), sha1Of(t, strings.NewReader("hello")))
	if !errors.Is(err, box.ErrNotReplayable) {
		t.Fatalf("streamed upload after 429: %v, want ErrNotReplayable", err)
	}
}

func TestFileAndDeleteFile(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	up, err := e.c.UploadFile(ctx, "0", "memo.txt", 4, strings.NewReader("memo"), "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.c.File(ctx, up.ID)
	if err != nil || f.SHA1 != up.SHA1 || f.Name != "memo.txt" {
		t.Fatalf("File = %+v, %v", f, err)
	}
	if err := e.c.DeleteFile(ctx, up.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.File(ctx, up.ID); !errors.Is(err, box.ErrNotFound) {
		t.Fatalf("File after delete: %v", err)
	}
	if err := e.c.DeleteFile(ctx, up.ID); !errors.Is(err, box.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}
