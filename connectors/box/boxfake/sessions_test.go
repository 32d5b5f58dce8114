package boxfake_test

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

const mib = 1 << 20

func digest(b []byte) string {
	s := sha1.Sum(b)
	return "sha=" + base64.StdEncoding.EncodeToString(s[:])
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func (e *env) newSession(folder, name string, size int) box.UploadSession {
	e.t.Helper()
	r := e.do("POST", "/api/2.0/files/upload_sessions", map[string]any{"folder_id": folder, "file_size": size, "file_name": name})
	wantStatus(e.t, r, http.StatusCreated)
	var s box.UploadSession
	r.json(e.t, &s)
	return s
}

func (e *env) putPart(s box.UploadSession, data []byte, lo, hi, total int, hdr ...string) resp {
	e.t.Helper()
	h := []string{"Content-Type", "application/octet-stream", "Digest", digest(data[lo : hi+1]),
		"Content-Range", fmt.Sprintf("bytes %d-%d/%d", lo, hi, total)}
	return e.do("PUT", s.SessionEndpoints.UploadPart, data[lo:hi+1], append(h, hdr...)...)
}

func TestChunkedUpload(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	dir := e.mkdir("0", "Big")
	size := 21*mib + 1000
	data := randomBytes(size)
	s := e.newSession(dir, "deposition.mp4", size)
	base := e.srv.URL + "/api/2.0/files/upload_sessions/" + s.ID
	if s.Type != "upload_session" || s.PartSize != 8*mib || s.TotalParts != 3 || s.NumPartsProcessed != 0 ||
		!s.SessionExpiresAt.Equal(e.clock.Now().Add(7*24*3600e9)) ||
		s.SessionEndpoints.UploadPart != base || s.SessionEndpoints.Commit != base+"/commit" ||
		s.SessionEndpoints.Abort != base || s.SessionEndpoints.ListParts != base+"/parts" || s.SessionEndpoints.Status != base {
		t.Fatalf("session = %+v", s)
	}
	var parts []box.UploadPart
	ps := int(s.PartSize)
	for lo := 0; lo < size; lo += ps {
		hi := min(lo+ps, size) - 1
		r := e.putPart(s, data, lo, hi, size)
		wantStatus(t, r, http.StatusOK)
		var up box.UploadedPart
		r.json(t, &up)
		if up.Part.PartID == "" || up.Part.Offset != int64(lo) || up.Part.Size != int64(hi-lo+1) || up.Part.SHA1 != sha1hex(data[lo:hi+1]) {
			t.Fatalf("part = %+v", up.Part)
		}
		parts = append(parts, up.Part)
	}
	// Overlap.
	e.putPart(s, data, 0, ps-1, size).wantError(t, 409, "range_overlaps_existing_part")
	// list_parts and status.
	var lp box.UploadParts
	r := e.do("GET", s.SessionEndpoints.ListParts, nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &lp)
	if lp.TotalCount != 3 || len(lp.Entries) != 3 || lp.Entries[2] != parts[2] {
		t.Fatalf("list_parts = %+v", lp)
	}
	var st box.UploadSession
	e.do("GET", s.SessionEndpoints.Status, nil).json(t, &st)
	if st.NumPartsProcessed != 3 || st.TotalParts != 3 {
		t.Fatalf("status = %+v", st)
	}
	// Commit with a wrong whole-file digest, then the right one.
	e.do("POST", s.SessionEndpoints.Commit, map[string]any{"parts": parts}, "Digest", digest(data[1:])).wantError(t, 400, "bad_digest")
	e.do("POST", s.SessionEndpoints.Commit, map[string]any{"parts": parts[:2]}, "Digest", digest(data)).wantError(t, 400, "bad_request")
	r = e.do("POST", s.SessionEndpoints.Commit, map[string]any{"parts": parts}, "Digest", digest(data))
	wantStatus(t, r, http.StatusCreated)
	var files box.Files
	r.json(t, &files)
	f := files.Entries[0]
	if files.TotalCount != 1 || f.Name != "deposition.mp4" || f.Size != int64(size) || f.SHA1 != sha1hex(data) || f.Parent.ID != dir {
		t.Fatalf("committed = %+v", f)
	}
	got, err := e.fake.FileContent(f.ID)
	if err != nil || sha1hex(got) != sha1hex(data) {
		t.Fatalf("stored content differs: %v", err)
	}
	// The session is gone.
	e.do("GET", s.SessionEndpoints.Status, nil).wantError(t, 404, "not_found")

	// A new version through a session.
	data2 := randomBytes(20 * mib)
	data2[0] ^= 0xff
	r = e.do("POST", "/api/2.0/files/"+f.ID+"/upload_sessions", map[string]any{"file_size": len(data2)})
	wantStatus(t, r, http.StatusCreated)
	var vs box.UploadSession
	r.json(t, &vs)
	parts = nil
	for lo := 0; lo < len(data2); lo += ps {
		r := e.putPart(vs, data2, lo, min(lo+ps, len(data2))-1, len(data2))
		wantStatus(t, r, http.StatusOK)
		var up box.UploadedPart
		r.json(t, &up)
		parts = append(parts, up.Part)
	}
	r = e.do("POST", vs.SessionEndpoints.Commit, map[string]any{"parts": parts}, "Digest", digest(data2))
	wantStatus(t, r, http.StatusCreated)
	r.json(t, &files)
	if g := files.Entries[0]; g.ID != f.ID || g.SHA1 != sha1hex(data2) || g.FileVersion.ID == f.FileVersion.ID {
		t.Fatalf("new version = %+v", g)
	}
}

func TestChunkedUploadErrors(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	if _, err := e.fake.UploadFile("0", "taken.bin", []byte("x")); err != nil {
		t.Fatal(err)
	}
	size := 20*mib + 10
	data := randomBytes(size)
	ps := 8 * mib

	t.Run("too small", func(t *testing.T) {
		e.do("POST", "/api/2.0/files/upload_sessions", map[string]any{"folder_id": "0", "file_size": 20*mib - 1, "file_name": "s.bin"}).
			wantError(t, 400, "file_size_too_small")
	})
	t.Run("name clash", func(t *testing.T) {
		e.do("POST", "/api/2.0/files/upload_sessions", map[string]any{"folder_id": "0", "file_size": size, "file_name": "TAKEN.bin"}).
			wantError(t, 409, "item_name_in_use")
	})
	t.Run("missing folder", func(t *testing.T) {
		e.do("POST", "/api/2.0/files/upload_sessions", map[string]any{"folder_id": "5555", "file_size": size, "file_name": "a.bin"}).
			wantError(t, 404, "not_found")
	})
	s := e.newSession("0", "c.bin", size)
	t.Run("bad part digest", func(t *testing.T) {
		e.putPart(s, data, 0, ps-1, size, "Digest", digest(data[1:ps])).wantError(t, 400, "bad_digest")
	})
	t.Run("wrong content type", func(t *testing.T) {
		e.putPart(s, data, 0, ps-1, size, "Content-Type", "text/plain").wantError(t, 400, "bad_request")
	})
	t.Run("ranges", func(t *testing.T) {
		for _, rg := range [][3]int{
			{1, ps, size},            // not a multiple of part_size
			{0, ps - 2, size},        // short part that is not the last
			{0, ps, size},            // long part
			{ps, 2*ps - 1, size + 1}, // wrong total
			{2 * ps, size, size},     // past the end
		} {
			lo, hi, total := rg[0], rg[1], rg[2]
			body := data[lo:min(hi+1, size)]
			e.do("PUT", s.SessionEndpoints.UploadPart, body, "Content-Type", "application/octet-stream",
				"Digest", digest(body), "Content-Range", fmt.Sprintf("bytes %d-%d/%d", lo, hi, total)).
				wantError(t, http.StatusRequestedRangeNotSatisfiable, "requested_range_not_satisfiable")
		}
	})
	t.Run("abort", func(t *testing.T) {
		wantStatus(t, e.putPart(s, data, 0, ps-1, size), http.StatusOK)
		wantStatus(t, e.do("DELETE", s.SessionEndpoints.Abort, nil), http.StatusNoContent)
		e.do("GET", s.SessionEndpoints.ListParts, nil).wantError(t, 404, "not_found")
	})
	t.Run("clash at commit", func(t *testing.T) {
		s := e.newSession("0", "late.bin", size)
		var parts []box.UploadPart
		for lo := 0; lo < size; lo += ps {
			r := e.putPart(s, data, lo, min(lo+ps, size)-1, size)
			wantStatus(t, r, http.StatusOK)
			var up box.UploadedPart
			r.json(t, &up)
			parts = append(parts, up.Part)
		}
		if _, err := e.fake.UploadFile("0", "Late.bin", []byte("first")); err != nil {
			t.Fatal(err)
		}
		e.do("POST", s.SessionEndpoints.Commit, map[string]any{"parts": parts}, "Digest", digest(data)).wantError(t, 409, "item_name_in_use")
	})
	t.Run("expired session", func(t *testing.T) {
		s := e.newSession("0", "old.bin", size)
		e.clock.Advance(7*24*3600e9 + 1)
		e.token = e.fake.IssueToken().Access
		e.putPart(s, data, 0, ps-1, size).wantError(t, 404, "not_found")
	})
}
