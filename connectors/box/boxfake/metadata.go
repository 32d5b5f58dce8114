package boxfake

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
)

// metadataInstanceLocked renders an item's global.properties instance.
func (s *Server) metadataInstanceLocked(it *item) map[string]any {
	m := map[string]any{
		"$parent": it.Type + "_" + it.ID, "$template": "properties", "$scope": "global",
		"$id": it.MetadataID, "$version": 0, "$type": "properties-" + it.MetadataID[:8],
		"$typeVersion": 2, "$canEdit": true,
	}
	for k, v := range it.Metadata {
		m[k] = v
	}
	return m
}

func (s *Server) metadataTargetLocked(w http.ResponseWriter, r *http.Request) (*item, bool) {
	typ := "folder"
	if strings.HasPrefix(r.URL.Path, "/2.0/files/") {
		typ = "file"
	}
	return s.lookupLocked(w, r.PathValue("id"), typ)
}

func instanceNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "instance_not_found", "Instance not found for 'properties'", nil)
}

// validKey refuses keys Box reserves ($-prefixed) and empty ones.
func validKey(k string) bool { return k != "" && !strings.HasPrefix(k, "$") }

func (s *Server) handleCreateMetadata(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !decodeJSON(w, r, &body) {
		return
	}
	props := map[string]string{}
	for k, v := range body {
		str, ok := v.(string)
		if !ok || !validKey(k) {
			badRequest(w, "global.properties values must be strings under plain keys: "+k)
			return
		}
		props[k] = str
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.metadataTargetLocked(w, r)
	if !ok {
		return
	}
	if it.Metadata != nil {
		writeError(w, http.StatusConflict, "tuple_already_exists", "A resource with this value already exists", nil)
		return
	}
	it.Metadata, it.MetadataID = props, randomString(8)+"-"+randomString(4)+"-"+randomString(4)+"-"+randomString(4)+"-"+randomString(12)
	writeJSON(w, http.StatusCreated, s.metadataInstanceLocked(it))
}

func (s *Server) handleGetMetadata(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.metadataTargetLocked(w, r)
	if !ok {
		return
	}
	if it.Metadata == nil {
		instanceNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.metadataInstanceLocked(it))
}

func (s *Server) handleDeleteMetadata(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.metadataTargetLocked(w, r)
	if !ok {
		return
	}
	if it.Metadata == nil {
		instanceNotFound(w)
		return
	}
	it.Metadata, it.MetadataID = nil, ""
	w.WriteHeader(http.StatusNoContent)
}

// patchOp is one JSON-Patch operation Box accepts on metadata.
type patchOp struct {
	Op    string  `json:"op"`
	Path  string  `json:"path"`
	Value *string `json:"value"`
}

// handleUpdateMetadata applies a JSON Patch atomically: any failing op leaves
// the instance unchanged.
func (s *Server) handleUpdateMetadata(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json-patch+json" {
		badRequest(w, "Content-Type must be application/json-patch+json")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var ops []patchOp
	if err == nil {
		err = json.Unmarshal(raw, &ops)
	}
	if err != nil {
		badRequest(w, "Invalid JSON Patch body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.metadataTargetLocked(w, r)
	if !ok {
		return
	}
	if it.Metadata == nil {
		instanceNotFound(w)
		return
	}
	next := map[string]string{}
	for k, v := range it.Metadata {
		next[k] = v
	}
	for _, op := range ops {
		key, ok := strings.CutPrefix(op.Path, "/")
		if !ok || !validKey(key) {
			badRequest(w, "Invalid path "+op.Path)
			return
		}
		cur, has := next[key]
		switch op.Op {
		case "add", "replace":
			if op.Value == nil || (op.Op == "replace" && !has) {
				badRequest(w, "Invalid "+op.Op+" on "+op.Path)
				return
			}
			next[key] = *op.Value
		case "remove":
			if !has {
				badRequest(w, "Nothing to remove at "+op.Path)
				return
			}
			delete(next, key)
		case "test":
			if !has || op.Value == nil || cur != *op.Value {
				writeError(w, http.StatusConflict, "conflict", "Test failed at "+op.Path, nil)
				return
			}
		default:
			badRequest(w, "Unsupported op "+op.Op)
			return
		}
	}
	it.Metadata = next
	writeJSON(w, http.StatusOK, s.metadataInstanceLocked(it))
}
