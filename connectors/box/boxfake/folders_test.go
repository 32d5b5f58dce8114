package boxfake_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

func TestCreateFolder(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	parent := e.mkdir("0", "Matters")
	r := e.do("POST", "/2.0/folders", map[string]any{"name": "1001 — Smith", "parent": map[string]string{"id": parent}})
	wantStatus(t, r, http.StatusCreated)
	var f box.Folder
	r.json(t, &f)
	if f.Type != "folder" || f.ID == "" || f.Etag != "0" || f.Name != "1001 — Smith" || f.Parent == nil || f.Parent.ID != parent ||
		f.CreatedAt == nil || f.ModifiedAt == nil || f.ItemCollection == nil {
		t.Fatalf("folder = %+v", f)
	}
	if f.PathCollection.TotalCount != 2 || f.PathCollection.Entries[0].ID != "0" || f.PathCollection.Entries[0].Name != "All Files" ||
		f.PathCollection.Entries[1].ID != parent {
		t.Fatalf("path_collection = %+v", f.PathCollection)
	}
	m := r.obj(t)
	if _, ok := m["description"]; !ok {
		t.Error("no description field")
	}
	// Missing parent.
	e.do("POST", "/2.0/folders", map[string]any{"name": "x", "parent": map[string]string{"id": "999"}}).wantError(t, 404, "not_found")
	// Root.
	r = e.do("GET", "/2.0/folders/0", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &f)
	if f.Name != "All Files" || f.Parent != nil || *f.ItemCollection.TotalCount != 1 {
		t.Fatalf("root = %+v", f)
	}
}

func TestFolderNameRules(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	tests := []struct {
		name string
		code string // "" = accepted
	}{
		{"ok name", ""},
		{strings.Repeat("a", 255), ""},
		{strings.Repeat("é", 255), ""},
		{strings.Repeat("a", 256), "item_name_too_long"},
		{"", "item_name_invalid"},
		{".", "item_name_invalid"},
		{"..", "item_name_invalid"},
		{"a/b", "item_name_invalid"},
		{`a\b`, "item_name_invalid"},
		{"trailing ", "item_name_invalid"},
		{" leading", "item_name_invalid"},
		{"tab\there", "item_name_invalid"},
		{"nl\nhere", "item_name_invalid"},
		{"del\x7f", "item_name_invalid"},
		{"dots...ok", ""},
		{"colon: ok?", ""},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%d_%q", i, tc.name), func(t *testing.T) {
			r := e.do("POST", "/2.0/folders", map[string]any{"name": tc.name, "parent": map[string]string{"id": "0"}})
			if tc.code == "" {
				wantStatus(t, r, http.StatusCreated)
				return
			}
			r.wantError(t, http.StatusBadRequest, tc.code)
		})
	}
}

func TestFolderNameConflict(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	first := e.mkdir("0", "Smith Matter")
	for _, name := range []string{"Smith Matter", "SMITH MATTER", "smith matter"} {
		r := e.do("POST", "/2.0/folders", map[string]any{"name": name, "parent": map[string]string{"id": "0"}})
		be := r.wantError(t, http.StatusConflict, "item_name_in_use")
		var ci struct {
			Conflicts []box.FolderConflict `json:"conflicts"`
		}
		if err := jsonUnmarshal(be.ContextInfo, &ci); err != nil {
			t.Fatalf("context_info %s: %v", be.ContextInfo, err)
		}
		if len(ci.Conflicts) != 1 || ci.Conflicts[0] != (box.FolderConflict{Type: "folder", ID: first, Etag: "0", Name: "Smith Matter"}) {
			t.Fatalf("conflicts = %+v", ci.Conflicts)
		}
	}
	// Same name in another parent is fine.
	other := e.mkdir("0", "Other")
	e.mkdir(other, "Smith Matter")
	// A folder clashing with a file reports the file.
	f, err := e.fake.UploadFile("0", "notes.txt", []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	be := e.do("POST", "/2.0/folders", map[string]any{"name": "NOTES.TXT", "parent": map[string]string{"id": "0"}}).
		wantError(t, http.StatusConflict, "item_name_in_use")
	if !strings.Contains(string(be.ContextInfo), `"type":"file"`) || !strings.Contains(string(be.ContextInfo), `"id":"`+f.ID+`"`) {
		t.Fatalf("context_info = %s", be.ContextInfo)
	}
	// A trashed folder frees its name.
	if err := e.fake.DeleteItem(first); err != nil {
		t.Fatal(err)
	}
	e.mkdir("0", "smith matter")
}

func TestGetFolderFields(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	id := e.mkdir("0", "A")
	r := e.do("GET", "/2.0/folders/"+id+"?fields=name,description", nil)
	wantStatus(t, r, http.StatusOK)
	m := r.obj(t)
	keys := mapKeys(m)
	if want := []string{"description", "etag", "id", "name", "type"}; !slices.Equal(keys, want) {
		t.Fatalf("keys = %v, want %v", keys, want)
	}
	e.do("GET", "/2.0/folders/12345", nil).wantError(t, 404, "not_found")
}

func TestUpdateFolder(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	id := e.mkdir("0", "A")
	e.mkdir("0", "B")
	r := e.do("PUT", "/2.0/folders/"+id, map[string]any{"description": strings.Repeat("d", 256)})
	wantStatus(t, r, http.StatusOK)
	var f box.Folder
	r.json(t, &f)
	if len(f.Description) != 256 || f.Etag != "1" {
		t.Fatalf("folder = %+v", f)
	}
	e.do("PUT", "/2.0/folders/"+id, map[string]any{"description": strings.Repeat("d", 257)}).wantError(t, 400, "bad_request")
	e.do("PUT", "/2.0/folders/"+id, map[string]any{"name": "b"}).wantError(t, 409, "item_name_in_use")
	e.do("PUT", "/2.0/folders/"+id, map[string]any{"name": "bad/name"}).wantError(t, 400, "item_name_invalid")
	r = e.do("PUT", "/2.0/folders/"+id, map[string]any{"name": "a"}) // case change of itself
	wantStatus(t, r, http.StatusOK)
	e.do("PUT", "/2.0/folders/"+id, map[string]any{"name": "x"}, "If-Match", "0").wantError(t, 412, "precondition_failed")
}

func TestDeleteFolder(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	id := e.mkdir("0", "A")
	child := e.mkdir(id, "child")
	e.do("DELETE", "/2.0/folders/"+id, nil).wantError(t, 400, "folder_not_empty")
	wantStatus(t, e.do("DELETE", "/2.0/folders/"+id+"?recursive=true", nil), http.StatusNoContent)
	e.do("GET", "/2.0/folders/"+id, nil).wantError(t, 404, "trashed")
	e.do("GET", "/2.0/folders/"+child, nil).wantError(t, 404, "trashed")
	e.do("DELETE", "/2.0/folders/77777", nil).wantError(t, 404, "not_found")
	if _, _, err := e.fake.Folder(id); err == nil {
		t.Error("admin Folder sees a trashed folder")
	}
}

// listing helpers

type listPage struct {
	TotalCount *int             `json:"total_count"`
	Limit      int              `json:"limit"`
	Offset     *int             `json:"offset"`
	Order      []box.Order      `json:"order"`
	NextMarker *string          `json:"next_marker"`
	PrevMarker *string          `json:"prev_marker"`
	Entries    []map[string]any `json:"entries"`
}

func names(p listPage) []string {
	var out []string
	for _, e := range p.Entries {
		out = append(out, e["name"].(string))
	}
	return out
}

func TestListItemsOffset(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	dir := e.mkdir("0", "D")
	for _, n := range []string{"b-file", "a-file"} {
		if _, err := e.fake.UploadFile(dir, n, []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"Zeta", "alpha"} {
		e.mkdir(dir, n)
	}
	r := e.do("GET", "/2.0/folders/"+dir+"/items", nil)
	wantStatus(t, r, http.StatusOK)
	var p listPage
	r.json(t, &p)
	if want := []string{"alpha", "Zeta", "a-file", "b-file"}; !slices.Equal(names(p), want) {
		t.Fatalf("order = %v, want folders then files: %v", names(p), want)
	}
	if *p.TotalCount != 4 || p.Limit != 100 || *p.Offset != 0 || len(p.Order) == 0 || p.NextMarker != nil {
		t.Fatalf("page = %+v", p)
	}
	if keys := mapKeys(p.Entries[0]); !slices.Equal(keys, []string{"etag", "id", "name", "sequence_id", "type"}) {
		t.Errorf("mini folder keys = %v", keys)
	}
	if p.Entries[2]["sha1"] == nil || p.Entries[2]["file_version"] == nil {
		t.Errorf("mini file lacks sha1/file_version: %v", p.Entries[2])
	}

	r = e.do("GET", "/2.0/folders/"+dir+"/items?limit=2&offset=2", nil)
	p = listPage{}
	r.json(t, &p)
	if !slices.Equal(names(p), []string{"a-file", "b-file"}) || *p.Offset != 2 || p.Limit != 2 {
		t.Fatalf("page 2 = %+v", p)
	}
	// Limit clamp.
	r = e.do("GET", "/2.0/folders/"+dir+"/items?limit=5000", nil)
	r.json(t, &p)
	if p.Limit != 1000 {
		t.Fatalf("limit = %d, want 1000", p.Limit)
	}
	// Offset cap.
	wantStatus(t, e.do("GET", "/2.0/folders/"+dir+"/items?offset=9999", nil), http.StatusOK)
	e.do("GET", "/2.0/folders/"+dir+"/items?offset=10000", nil).wantError(t, 400, "bad_request")
	e.do("GET", "/2.0/folders/"+dir+"/items?limit=abc", nil).wantError(t, 400, "bad_request")
	e.do("GET", "/2.0/folders/404404/items", nil).wantError(t, 404, "not_found")

	// Fields.
	r = e.do("GET", "/2.0/folders/"+dir+"/items?fields=sha1,size,description", nil)
	p = listPage{}
	r.json(t, &p)
	for _, en := range p.Entries {
		keys := mapKeys(en)
		if !slices.Equal(keys, []string{"description", "etag", "id", "sha1", "size", "type"}) &&
			!slices.Equal(keys, []string{"description", "etag", "id", "size", "type"}) {
			t.Errorf("entry keys = %v", keys)
		}
		if en["type"] == "file" && en["sha1"] == nil {
			t.Errorf("file without sha1: %v", en)
		}
	}
}

func TestListItemsMarker(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	dir := e.mkdir("0", "D")
	var want []string
	for i := range 5 {
		n := fmt.Sprintf("f%d", i)
		e.mkdir(dir, n)
		want = append(want, n)
	}
	var got []string
	marker := ""
	pages := 0
	for {
		q := "/2.0/folders/" + dir + "/items?usemarker=true&limit=2"
		if marker != "" {
			q += "&marker=" + marker
		}
		r := e.do("GET", q, nil)
		wantStatus(t, r, http.StatusOK)
		m := r.obj(t)
		for _, k := range []string{"limit", "next_marker", "prev_marker", "entries"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("marker page lacks %s: %s", k, r.Body)
			}
		}
		if _, ok := m["total_count"]; ok {
			t.Fatalf("marker page has total_count: %s", r.Body)
		}
		var p listPage
		r.json(t, &p)
		got = append(got, names(p)...)
		pages++
		if p.NextMarker == nil {
			break
		}
		marker = *p.NextMarker
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Fatalf("got %v in %d pages", got, pages)
	}
	e.do("GET", "/2.0/folders/"+dir+"/items?usemarker=true&marker=garbage!", nil).wantError(t, 400, "bad_request")
}

func TestAdminFolder(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	id := e.mkdir("0", "A")
	e.mkdir(id, "sub")
	if _, err := e.fake.UploadFile(id, "x.pdf", []byte("%PDF")); err != nil {
		t.Fatal(err)
	}
	f, items, err := e.fake.Folder(id)
	if err != nil || f.Name != "A" || len(items) != 2 || items[0].Type != "folder" || items[1].Type != "file" || *items[1].Size != 4 {
		t.Fatalf("Folder = %+v %+v %v", f, items, err)
	}
	if err := e.fake.RenameFolder(id, "B"); err != nil {
		t.Fatal(err)
	}
	var got box.Folder
	e.do("GET", "/2.0/folders/"+id, nil).json(t, &got)
	if got.Name != "B" {
		t.Fatalf("renamed = %q", got.Name)
	}
}
