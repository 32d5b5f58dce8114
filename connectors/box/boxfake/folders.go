package boxfake

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/box"
)

const (
	defaultListLimit = 100 // [U] undocumented default; Box's own docs use 100
	maxListLimit     = 1000
	maxOffset        = 9999
)

// createFolderLocked makes a folder and fires FOLDER.CREATED. On a name clash it
// returns the clashing item. The caller holds s.mu and has checked parent.
func (s *Server) createFolderLocked(parent *item, name string) (*item, *item) {
	if c := s.conflictLocked(parent.ID, name, ""); c != nil {
		return nil, c
	}
	now := s.stamp()
	it := &item{ID: s.newIDLocked(), Type: "folder", Name: name, ParentID: parent.ID,
		CreatedAt: now, ModifiedAt: now, ContentCreatedAt: now, ContentModifiedAt: now}
	s.st.Items[it.ID] = it
	s.touchLocked(parent)
	s.fireLocked("FOLDER.CREATED", it, nil)
	return it, nil
}

// touchLocked bumps a folder's modified time after its contents change.
func (s *Server) touchLocked(it *item) {
	now := s.stamp()
	it.ModifiedAt, it.ContentModifiedAt = now, now
}

func (s *Server) handleCreateFolder(w http.ResponseWriter, r *http.Request) {
	var req box.CreateFolderRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Parent.ID == "" {
		badRequest(w, "parent.id is required")
		return
	}
	if code := validateName(req.Name); code != "" {
		writeNameError(w, code)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parent, ok := s.lookupLocked(w, req.Parent.ID, "folder")
	if !ok {
		return
	}
	it, clash := s.createFolderLocked(parent, req.Name)
	if clash != nil {
		folderConflict(w, clash)
		return
	}
	writeJSON(w, http.StatusCreated, s.renderLocked(it, fieldSet(r)))
}

func (s *Server) handleGetFolder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.lookupLocked(w, r.PathValue("id"), "folder")
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.renderLocked(it, fieldSet(r)))
}

func (s *Server) handleUpdateFolder(w http.ResponseWriter, r *http.Request) {
	var req box.UpdateFolderRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Name != nil {
		if code := validateName(*req.Name); code != "" {
			writeNameError(w, code)
			return
		}
	}
	if req.Description != nil && utf8.RuneCountInString(*req.Description) > 256 {
		badRequest(w, "description must be at most 256 characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.lookupLocked(w, r.PathValue("id"), "folder")
	if !ok || !checkIfMatch(w, r, it) {
		return
	}
	if it.ID == "0" && (req.Name != nil || req.Parent != nil) {
		writeError(w, http.StatusForbidden, "access_denied_insufficient_permissions", "The root folder cannot be renamed or moved", nil)
		return
	}
	parentID := it.ParentID
	if req.Parent != nil && req.Parent.ID != it.ParentID {
		np, ok := s.lookupLocked(w, req.Parent.ID, "folder")
		if !ok {
			return
		}
		if s.insideLocked(np, it.ID) {
			badRequest(w, "A folder cannot be moved into itself or its subfolders")
			return
		}
		parentID = np.ID
	}
	name := it.Name
	if req.Name != nil {
		name = *req.Name
	}
	if c := s.conflictLocked(parentID, name, it.ID); c != nil && (name != it.Name || parentID != it.ParentID) {
		folderConflict(w, c)
		return
	}
	changed := false
	if name != it.Name {
		it.Name = name
		s.fireLocked("FOLDER.RENAMED", it, nil)
		changed = true
	}
	if parentID != it.ParentID {
		old := s.st.Items[it.ParentID]
		it.ParentID = parentID
		s.touchLocked(old)
		s.touchLocked(s.st.Items[parentID])
		s.fireLocked("FOLDER.MOVED", it, nil)
		changed = true
	}
	if req.Description != nil && *req.Description != it.Description {
		it.Description = *req.Description
		changed = true
	}
	if changed {
		it.Etag++
		it.ModifiedAt = s.stamp()
	}
	writeJSON(w, http.StatusOK, s.renderLocked(it, fieldSet(r)))
}

// trashLocked moves an item and everything under it to the trash, firing
// FOLDER.TRASHED or FILE.TRASHED (Box's DELETE trashes; purging fires DELETED).
// The caller holds s.mu.
func (s *Server) trashLocked(it *item) {
	now := s.stamp()
	s.fireLocked(strings.ToUpper(it.Type)+".TRASHED", it, nil)
	for _, c := range s.st.Items {
		if c.TrashedAt == nil && s.insideLocked(c, it.ID) {
			c.TrashedAt = ptr(now)
		}
	}
	if p, ok := s.st.Items[it.ParentID]; ok {
		s.touchLocked(p)
	}
}

func (s *Server) handleDeleteFolder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.lookupLocked(w, r.PathValue("id"), "folder")
	if !ok || !checkIfMatch(w, r, it) {
		return
	}
	if it.ID == "0" {
		writeError(w, http.StatusForbidden, "access_denied_insufficient_permissions", "The root folder cannot be deleted", nil)
		return
	}
	if r.URL.Query().Get("recursive") != "true" && len(s.childrenLocked(it.ID, "id", false)) > 0 {
		writeError(w, http.StatusBadRequest, "folder_not_empty", "Cannot delete – folder not empty", nil)
		return
	}
	s.trashLocked(it)
	w.WriteHeader(http.StatusNoContent)
}

// handleListItems serves GET /2.0/folders/{id}/items in offset or marker mode.
func (s *Server) handleListItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := defaultListLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			badRequest(w, "Invalid value '"+v+"' for query parameter 'limit'")
			return
		}
		limit = min(n, maxListLimit) // larger limits are clamped, not refused
	}
	sortBy := q.Get("sort")
	switch sortBy {
	case "", "name":
		sortBy = "name"
	case "id", "date", "size":
	default:
		badRequest(w, "Invalid value '"+sortBy+"' for query parameter 'sort'")
		return
	}
	dir := strings.ToUpper(q.Get("direction"))
	switch dir {
	case "":
		dir = "ASC"
	case "ASC", "DESC":
	default:
		badRequest(w, "Invalid value '"+dir+"' for query parameter 'direction'")
		return
	}
	useMarker := q.Get("usemarker") == "true"
	start := 0
	if useMarker {
		if m := q.Get("marker"); m != "" {
			n, ok := decodeMarker(m)
			if !ok {
				badRequest(w, "Invalid value '"+m+"' for query parameter 'marker'")
				return
			}
			start = n
		}
	} else if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badRequest(w, "Invalid value '"+v+"' for query parameter 'offset'")
			return
		}
		if n > maxOffset {
			badRequest(w, "Invalid value '"+v+"' for query parameter 'offset'. Offset must not exceed 9999; use marker-based paging")
			return
		}
		start = n
	}
	fields := fieldSet(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	parent, ok := s.lookupLocked(w, r.PathValue("id"), "folder")
	if !ok {
		return
	}
	kids := s.childrenLocked(parent.ID, sortBy, dir == "DESC")
	lo := min(start, len(kids))
	hi := min(lo+limit, len(kids))
	entries := make([]any, 0, hi-lo)
	for _, c := range kids[lo:hi] {
		if fields == nil {
			entries = append(entries, s.miniLocked(c))
			continue
		}
		var full any
		if c.Type == "folder" {
			full = s.folderLocked(c, false)
		} else {
			full = s.fileLocked(c)
		}
		entries = append(entries, s.filterLocked(c, full, fields))
	}
	if !useMarker {
		writeJSON(w, http.StatusOK, map[string]any{
			"total_count": len(kids), "limit": limit, "offset": start,
			"order": defaultOrder(sortBy, dir), "entries": entries,
		})
		return
	}
	var next, prev *string
	if hi < len(kids) {
		next = ptr(encodeMarker(hi))
	}
	if lo > 0 {
		prev = ptr(encodeMarker(max(0, lo-limit)))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"limit": limit, "next_marker": next, "prev_marker": prev, "entries": entries,
	})
}

// Markers are opaque to clients; here they encode a position.
func encodeMarker(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("boxfake:" + strconv.Itoa(pos)))
}

func decodeMarker(m string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, false
	}
	v, ok := strings.CutPrefix(string(raw), "boxfake:")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}
