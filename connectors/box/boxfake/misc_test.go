package boxfake_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, boxfake.Options{RateLimit: 3})
	for range 3 {
		wantStatus(t, e.do("GET", "/2.0/users/me", nil), http.StatusOK)
	}
	e.clock.Advance(20 * time.Second)
	r := e.do("GET", "/2.0/users/me", nil)
	be := r.wantError(t, http.StatusTooManyRequests, "rate_limit_exceeded")
	if be.Message == "" {
		t.Error("no message")
	}
	if got := r.Header.Get("retry-after"); got != "40" {
		t.Fatalf("retry-after = %q, want 40", got)
	}
	e.clock.Advance(40 * time.Second)
	wantStatus(t, e.do("GET", "/2.0/users/me", nil), http.StatusOK)
}

func TestUploadRateLimit(t *testing.T) {
	e := newEnv(t, boxfake.Options{UploadRateLimit: 2})
	for i := range 2 {
		wantStatus(t, e.upload("/api/2.0/files/content", newFileAttrs("f"+strconv.Itoa(i), "0"), []byte("x")), http.StatusCreated)
	}
	r := e.upload("/api/2.0/files/content", newFileAttrs("f3", "0"), []byte("x"))
	r.wantError(t, http.StatusTooManyRequests, "rate_limit_exceeded")
	if r.Header.Get("retry-after") == "" {
		t.Fatal("no retry-after")
	}
	// Plain API calls still pass.
	wantStatus(t, e.do("GET", "/2.0/users/me", nil), http.StatusOK)
}

func TestMetadataProperties(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	dir := e.mkdir("0", "M")
	path := "/2.0/folders/" + dir + "/metadata/global/properties"
	e.do("GET", path, nil).wantError(t, 404, "instance_not_found")
	r := e.do("POST", path, map[string]string{"clioMatterId": "123"})
	wantStatus(t, r, http.StatusCreated)
	m := r.obj(t)
	if m["$parent"] != "folder_"+dir || m["$template"] != "properties" || m["$scope"] != "global" || m["$id"] == "" || m["clioMatterId"] != "123" {
		t.Fatalf("instance = %v", m)
	}
	e.do("POST", path, map[string]string{"x": "y"}).wantError(t, 409, "tuple_already_exists")
	r = e.do("PUT", path, `[{"op":"replace","path":"/clioMatterId","value":"456"},{"op":"add","path":"/k","value":"v"}]`,
		"Content-Type", "application/json-patch+json")
	wantStatus(t, r, http.StatusOK)
	if m := r.obj(t); m["clioMatterId"] != "456" || m["k"] != "v" {
		t.Fatalf("patched = %v", m)
	}
	r = e.do("GET", "/2.0/folders/"+dir+"?fields=metadata.global.properties", nil)
	wantStatus(t, r, http.StatusOK)
	var f box.Folder
	r.json(t, &f)
	if string(f.Metadata) == "" || f.ID != dir {
		t.Fatalf("fields metadata = %s", r.Body)
	}
	wantStatus(t, e.do("DELETE", path, nil), http.StatusNoContent)
}

func TestUnhandled(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	r := e.do("GET", "/2.0/search?query=x", nil)
	wantStatus(t, r, http.StatusNotImplemented)
	if m := r.obj(t); m["message"] == nil {
		t.Fatalf("body = %s", r.Body)
	}
	if got := e.fake.Unhandled(); len(got) != 1 || got[0] != "GET /2.0/search" {
		t.Fatalf("Unhandled = %v", got)
	}
}

func TestSnapshotRestore(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	dir := e.mkdir("0", "Keep")
	f, err := e.fake.UploadFile(dir, "a.txt", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := e.fake.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	e.mkdir("0", "Later")
	if err := e.fake.Restore(snap); err != nil {
		t.Fatal(err)
	}
	_, items, err := e.fake.Folder("0")
	if err != nil || len(items) != 1 || items[0].ID != dir {
		t.Fatalf("root after restore = %+v, %v", items, err)
	}
	got, err := e.fake.FileContent(f.ID)
	if err != nil || string(got) != "hello" {
		t.Fatalf("content = %q, %v", got, err)
	}
	// Tokens survive; ids keep counting.
	wantStatus(t, e.do("GET", "/2.0/users/me", nil), http.StatusOK)
	if id := e.mkdir("0", "New"); id == dir {
		t.Fatal("id reused")
	}
}
