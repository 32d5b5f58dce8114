package boxfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/box"
)

// lookupLocked finds a live item of the given type ("" = either) and writes a
// 404 (not_found, or trashed for an item in the trash) when there is none.
// The caller holds s.mu.
func (s *Server) lookupLocked(w http.ResponseWriter, id, typ string) (*item, bool) {
	it, ok := s.st.Items[id]
	if !ok || (typ != "" && it.Type != typ) {
		notFound(w)
		return nil, false
	}
	if it.TrashedAt != nil {
		writeError(w, http.StatusNotFound, "trashed", "Item is trashed", nil)
		return nil, false
	}
	return it, true
}

// validateName applies Box's item name rules. It returns "" when the name is
// fine, else the error code.
func validateName(name string) string {
	if !utf8.ValidString(name) || name == "" {
		return "item_name_invalid"
	}
	if utf8.RuneCountInString(name) > 255 {
		return "item_name_too_long"
	}
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) ||
		strings.HasSuffix(name, " ") ||
		// [U] Leading spaces are undocumented; the demanding reading refuses
		// them, so a client must trim names itself.
		strings.HasPrefix(name, " ") {
		return "item_name_invalid"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			return "item_name_invalid"
		}
	}
	return ""
}

func writeNameError(w http.ResponseWriter, code string) {
	msg := "Item name invalid"
	if code == "item_name_too_long" {
		msg = "Item name too long"
	}
	writeError(w, http.StatusBadRequest, code, msg, nil)
}

// conflictLocked returns the live item in parent whose name equals name
// case-insensitively, other than except. The caller holds s.mu.
func (s *Server) conflictLocked(parentID, name, except string) *item {
	var found *item
	for _, it := range s.st.Items {
		if it.ParentID == parentID && it.TrashedAt == nil && it.ID != except && it.ID != "0" &&
			strings.EqualFold(it.Name, name) {
			if found == nil || idLess(it.ID, found.ID) {
				found = it
			}
		}
	}
	return found
}

func idLess(a, b string) bool {
	ai, _ := strconv.ParseInt(a, 10, 64)
	bi, _ := strconv.ParseInt(b, 10, 64)
	return ai < bi
}

// folderConflict writes the 409 for a folder: conflicts is an array.
func folderConflict(w http.ResponseWriter, c *item) {
	writeError(w, http.StatusConflict, "item_name_in_use", "Item with the same name already exists",
		map[string]any{"conflicts": []box.FolderConflict{{Type: c.Type, ID: c.ID, Etag: strconv.Itoa(c.Etag), Name: c.Name}}})
}

// fileConflict writes the 409 for a file upload: conflicts is one object.
func fileConflict(w http.ResponseWriter, c *item) {
	fc := box.FileConflict{Type: c.Type, ID: c.ID, Etag: strconv.Itoa(c.Etag), Name: c.Name, SHA1: c.SHA1}
	if c.Type == "file" {
		fc.FileVersion = &box.FileVersion{Type: "file_version", ID: c.VersionID, SHA1: c.SHA1}
	}
	writeError(w, http.StatusConflict, "item_name_in_use", "Item with the same name already exists",
		map[string]any{"conflicts": fc})
}

func (s *Server) newIDLocked() string {
	id := strconv.FormatInt(s.st.NextID, 10)
	s.st.NextID++
	return id
}

func (s *Server) newVersionIDLocked() string {
	id := strconv.FormatInt(s.st.NextVersionID, 10)
	s.st.NextVersionID++
	return id
}

func (s *Server) stamp() time.Time { return s.now().UTC().Truncate(time.Second) }

// insideLocked reports whether it is anc or below it. The caller holds s.mu.
func (s *Server) insideLocked(it *item, anc string) bool {
	for cur := it; cur != nil; cur = s.st.Items[cur.ParentID] {
		if cur.ID == anc {
			return true
		}
		if cur.ParentID == "" {
			break
		}
	}
	return false
}

func (s *Server) pathLocked(it *item) box.PathCollection {
	var chain []box.Item
	for p := s.st.Items[it.ParentID]; p != nil && it.ID != "0"; p = s.st.Items[p.ParentID] {
		chain = append(chain, s.miniFolderLocked(p))
		if p.ParentID == "" {
			break
		}
	}
	slices.Reverse(chain)
	if chain == nil {
		chain = []box.Item{}
	}
	return box.PathCollection{TotalCount: len(chain), Entries: chain}
}

func (s *Server) miniFolderLocked(it *item) box.Item {
	m := box.Item{Type: "folder", ID: it.ID, Name: it.Name}
	if it.ID != "0" {
		m.Etag, m.SequenceID = strconv.Itoa(it.Etag), strconv.Itoa(it.Etag)
	}
	return m
}

// miniLocked is the default listing entry.
func (s *Server) miniLocked(it *item) box.Item {
	if it.Type == "folder" {
		return s.miniFolderLocked(it)
	}
	return box.Item{Type: "file", ID: it.ID, Etag: strconv.Itoa(it.Etag), SequenceID: strconv.Itoa(it.Etag),
		Name: it.Name, SHA1: it.SHA1, FileVersion: &box.FileVersion{Type: "file_version", ID: it.VersionID, SHA1: it.SHA1}}
}

func (s *Server) parentLocked(it *item) *box.Item {
	p, ok := s.st.Items[it.ParentID]
	if !ok {
		return nil
	}
	m := s.miniFolderLocked(p)
	return &m
}

func (s *Server) sizeLocked(it *item) int64 {
	if it.Type == "file" {
		return it.Size
	}
	var n int64
	for _, c := range s.st.Items {
		if c.Type == "file" && c.TrashedAt == nil && c.ID != it.ID && s.insideLocked(c, it.ID) {
			n += c.Size
		}
	}
	return n
}

func (s *Server) folderLocked(it *item, withItems bool) box.Folder {
	u := s.st.User
	f := box.Folder{Type: "folder", ID: it.ID, Name: it.Name, Description: it.Description, Size: s.sizeLocked(it),
		PathCollection: s.pathLocked(it), Parent: s.parentLocked(it), ItemStatus: "active",
		CreatedBy: &u, ModifiedBy: &u, OwnedBy: &u, TrashedAt: it.TrashedAt}
	if it.ID != "0" {
		f.Etag, f.SequenceID = strconv.Itoa(it.Etag), strconv.Itoa(it.Etag)
		f.CreatedAt, f.ModifiedAt = ptr(it.CreatedAt), ptr(it.ModifiedAt)
		f.ContentCreatedAt, f.ContentModifiedAt = ptr(it.ContentCreatedAt), ptr(it.ContentModifiedAt)
	}
	if it.TrashedAt != nil {
		f.ItemStatus = "trashed"
	}
	if withItems {
		kids := s.childrenLocked(it.ID, "name", false)
		page := kids[:min(len(kids), 100)]
		entries := make([]box.Item, 0, len(page))
		for _, c := range page {
			entries = append(entries, s.miniLocked(c))
		}
		f.ItemCollection = &box.Items{TotalCount: ptr(len(kids)), Limit: 100, Offset: ptr(0),
			Order: defaultOrder("name", "ASC"), Entries: entries}
	}
	return f
}

func (s *Server) fileLocked(it *item) box.File {
	u := s.st.User
	f := box.File{Type: "file", ID: it.ID, Etag: strconv.Itoa(it.Etag), SequenceID: strconv.Itoa(it.Etag),
		SHA1: it.SHA1, Name: it.Name, Description: it.Description, Size: it.Size,
		FileVersion: box.FileVersion{Type: "file_version", ID: it.VersionID, SHA1: it.SHA1},
		CreatedAt:   ptr(it.CreatedAt), ModifiedAt: ptr(it.ModifiedAt),
		ContentCreatedAt: ptr(it.ContentCreatedAt), ContentModifiedAt: ptr(it.ContentModifiedAt),
		TrashedAt: it.TrashedAt, CreatedBy: &u, ModifiedBy: &u, OwnedBy: &u,
		PathCollection: s.pathLocked(it), Parent: s.parentLocked(it), ItemStatus: "active"}
	if it.TrashedAt != nil {
		f.ItemStatus = "trashed"
	}
	return f
}

func defaultOrder(by, dir string) []box.Order {
	return []box.Order{{By: "type", Direction: "ASC"}, {By: by, Direction: dir}}
}

// renderLocked is the item as GET /2.0/{folders,files}/{id} returns it:
// everything, or with ?fields only those plus type, id and etag.
func (s *Server) renderLocked(it *item, fields map[string]bool) any {
	var full any
	if it.Type == "folder" {
		full = s.folderLocked(it, fields == nil || fields["item_collection"])
	} else {
		full = s.fileLocked(it)
	}
	if fields == nil {
		return full
	}
	return s.filterLocked(it, full, fields)
}

// filterLocked keeps only the requested fields plus type, id and etag.
func (s *Server) filterLocked(it *item, full any, fields map[string]bool) map[string]any {
	raw, _ := json.Marshal(full)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	out := map[string]any{}
	for k, v := range m {
		if k == "type" || k == "id" || k == "etag" || fields[k] {
			out[k] = v
		}
	}
	if fields["metadata.global.properties"] {
		var inst any
		if it.Metadata != nil {
			inst = s.metadataInstanceLocked(it)
		}
		out["metadata"] = map[string]any{"global": map[string]any{"properties": inst}}
	}
	return out
}

// childrenLocked lists live children: folders first, then files, each group by
// sort key (name case-insensitively by default), ties by id.
func (s *Server) childrenLocked(id, sortBy string, desc bool) []*item {
	var kids []*item
	for _, c := range s.st.Items {
		if c.ParentID == id && c.TrashedAt == nil && c.ID != "0" {
			kids = append(kids, c)
		}
	}
	slices.SortFunc(kids, func(a, b *item) int {
		if a.Type != b.Type {
			if a.Type == "folder" {
				return -1
			}
			return 1
		}
		c := 0
		switch sortBy {
		case "id":
			c = cmpID(a.ID, b.ID)
		case "date":
			c = a.ModifiedAt.Compare(b.ModifiedAt)
		case "size":
			c = cmpInt(s.sizeLocked(a), s.sizeLocked(b))
		default:
			c = strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		}
		if c == 0 {
			c = cmpID(a.ID, b.ID)
		}
		if desc {
			c = -c
		}
		return c
	})
	return kids
}

func cmpID(a, b string) int {
	ai, _ := strconv.ParseInt(a, 10, 64)
	bi, _ := strconv.ParseInt(b, 10, 64)
	return cmpInt(ai, bi)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkIfMatch answers 412 when an If-Match header names a stale etag.
func checkIfMatch(w http.ResponseWriter, r *http.Request, it *item) bool {
	im := r.Header.Get("If-Match")
	if im == "" || im == "*" {
		return true
	}
	if strings.Trim(im, `"`) != strconv.Itoa(it.Etag) {
		writeError(w, http.StatusPreconditionFailed, "precondition_failed", "The resource has been modified. Please retrieve the resource again and retry", nil)
		return false
	}
	return true
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u := s.st.User
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, u)
}
