package boxfake

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
)

// session is a chunked upload session.
type session struct {
	ID         string          `json:"id"`
	FolderID   string          `json:"folder_id,omitempty"` // new file
	FileID     string          `json:"file_id,omitempty"`   // new version
	FileName   string          `json:"file_name,omitempty"`
	FileSize   int64           `json:"file_size"`
	ExpiresAt  time.Time       `json:"expires_at"`
	Parts      map[int64]*part `json:"parts"` // by offset
	Committing bool            `json:"-"`     // a commit is joining the parts
}

// part is an uploaded part and the blob holding it.
type part struct {
	box.UploadPart
	Blob string `json:"blob"`
}

func (ss *session) totalParts() int { return int((ss.FileSize + partSize - 1) / partSize) }

func (s *Server) sessionJSON(r *http.Request, ss *session) box.UploadSession {
	base := baseURL(r) + "/api/2.0/files/upload_sessions/" + ss.ID
	return box.UploadSession{ID: ss.ID, Type: "upload_session", PartSize: partSize,
		TotalParts: ss.totalParts(), NumPartsProcessed: len(ss.Parts), SessionExpiresAt: ss.ExpiresAt,
		SessionEndpoints: box.SessionEndpoints{UploadPart: base, Commit: base + "/commit", Abort: base,
			ListParts: base + "/parts", Status: base, LogEvent: base + "/log"}}
}

func checkSessionSize(w http.ResponseWriter, size int64) bool {
	if size < minChunkedSize {
		writeError(w, http.StatusBadRequest, "file_size_too_small",
			fmt.Sprintf("File size %d less than minimum allowed for this API: %d", size, minChunkedSize), nil)
		return false
	}
	return true
}

func (s *Server) newSessionLocked(ss *session) {
	ss.ID = strings.ToUpper(randomString(32))
	ss.ExpiresAt = s.stamp().Add(sessionLifetime)
	ss.Parts = map[int64]*part{}
	s.st.Sessions[ss.ID] = ss
}

// handleCreateSession serves POST /api/2.0/files/upload_sessions.
func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request) {
	var req box.CreateUploadSessionRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.FolderID == "" {
		badRequest(w, "folder_id is required")
		return
	}
	if code := validateName(req.FileName); code != "" {
		writeNameError(w, code)
		return
	}
	if !checkSessionSize(w, req.FileSize) || !s.checkTarget(w, req.FolderID, req.FileName, "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := &session{FolderID: req.FolderID, FileName: req.FileName, FileSize: req.FileSize}
	s.newSessionLocked(ss)
	writeJSON(w, http.StatusCreated, s.sessionJSON(r, ss))
}

// handleCreateVersionSession serves POST /api/2.0/files/{id}/upload_sessions.
func (s *Server) handleCreateVersionSession(w http.ResponseWriter, r *http.Request) {
	var req box.CreateUploadSessionRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.FileName != "" {
		if code := validateName(req.FileName); code != "" {
			writeNameError(w, code)
			return
		}
	}
	if !checkSessionSize(w, req.FileSize) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.lookupLocked(w, r.PathValue("id"), "file")
	if !ok || !checkIfMatch(w, r, it) {
		return
	}
	if req.FileName != "" {
		if c := s.conflictLocked(it.ParentID, req.FileName, it.ID); c != nil {
			fileConflict(w, c)
			return
		}
	}
	ss := &session{FileID: it.ID, FileName: req.FileName, FileSize: req.FileSize}
	s.newSessionLocked(ss)
	writeJSON(w, http.StatusCreated, s.sessionJSON(r, ss))
}

// sessionLocked finds a live session, answering 404 otherwise. An expired
// session is dropped with its parts. The caller holds s.mu.
func (s *Server) sessionLocked(w http.ResponseWriter, id string) (*session, bool) {
	ss, ok := s.st.Sessions[id]
	if ok && s.now().After(ss.ExpiresAt) {
		s.dropSessionLocked(ss)
		ok = false
	}
	if !ok {
		notFound(w)
		return nil, false
	}
	return ss, true
}

func (s *Server) dropSessionLocked(ss *session) {
	for _, p := range ss.Parts {
		s.removeBlob(p.Blob)
	}
	delete(s.st.Sessions, ss.ID)
}

// parseDigest reads "sha=<base64 SHA-1>" and returns the hex digest.
func parseDigest(h string) (string, bool) {
	for item := range strings.SplitSeq(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok || !strings.EqualFold(k, "sha") {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil || len(raw) != 20 {
			return "", false
		}
		return hex.EncodeToString(raw), true
	}
	return "", false
}

// parseContentRange reads "bytes lo-hi/total".
func parseContentRange(h string) (lo, hi, total int64, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !ok {
		return 0, 0, 0, false
	}
	rng, tot, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, 0, false
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	lo, err1 = strconv.ParseInt(a, 10, 64)
	hi, err2 = strconv.ParseInt(b, 10, 64)
	total, err3 = strconv.ParseInt(tot, 10, 64)
	return lo, hi, total, err1 == nil && err2 == nil && err3 == nil
}

func rangeNotSatisfiable(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusRequestedRangeNotSatisfiable, "requested_range_not_satisfiable", msg, nil)
}

func rangeOverlaps(w http.ResponseWriter) {
	// [U] Parts are immutable; even an identical re-upload of a part is
	// refused, so a client retrying a part must consult list_parts.
	writeError(w, http.StatusConflict, "range_overlaps_existing_part", "Part overlaps with previously uploaded part", nil)
}

// handleUploadPart serves PUT upload_part.
func (s *Server) handleUploadPart(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("sid")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/octet-stream") {
		badRequest(w, "Content-Type must be application/octet-stream")
		return
	}
	want, ok := parseDigest(r.Header.Get("Digest"))
	if !ok {
		badRequest(w, "Missing or malformed Digest header; expected sha=<base64 SHA-1>")
		return
	}
	lo, hi, total, ok := parseContentRange(r.Header.Get("Content-Range"))
	if !ok {
		rangeNotSatisfiable(w, "Missing or malformed Content-Range header")
		return
	}
	s.mu.Lock()
	ss, ok := s.sessionLocked(w, sid)
	if !ok {
		s.mu.Unlock()
		return
	}
	size := hi - lo + 1
	var bad string
	switch {
	case total != ss.FileSize:
		bad = "Content-Range total does not match the session's file size"
	case lo < 0 || hi < lo || hi >= total:
		bad = "Content-Range is outside the file"
	case lo%partSize != 0:
		bad = "Part offset must be a multiple of the part size"
	case size != partSize && !(hi == total-1 && size < partSize):
		bad = "Only the last part may be shorter than the part size"
	}
	_, exists := ss.Parts[lo]
	s.mu.Unlock()
	if bad != "" {
		rangeNotSatisfiable(w, bad)
		return
	}
	if exists {
		rangeOverlaps(w)
		return
	}
	blob, n, sum, err := s.writeBlob(r.Body, size)
	if err != nil || n != size {
		if err == nil {
			s.removeBlob(blob)
		}
		badRequest(w, fmt.Sprintf("Body length does not match Content-Range (%d bytes expected)", size))
		return
	}
	if sum != want {
		s.removeBlob(blob)
		writeError(w, http.StatusBadRequest, "bad_digest", "The digest of the part does not match the Digest header", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok = s.sessionLocked(w, sid)
	if !ok {
		s.removeBlob(blob)
		return
	}
	if _, exists := ss.Parts[lo]; exists || ss.Committing {
		s.removeBlob(blob)
		rangeOverlaps(w)
		return
	}
	p := &part{UploadPart: box.UploadPart{PartID: strings.ToUpper(randomString(8)), Offset: lo, Size: size, SHA1: sum}, Blob: blob}
	ss.Parts[lo] = p
	writeJSON(w, http.StatusOK, box.UploadedPart{Part: p.UploadPart})
}

func sortedParts(ss *session) []*part {
	ps := make([]*part, 0, len(ss.Parts))
	for _, p := range ss.Parts {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *part) int { return cmpInt(a.Offset, b.Offset) })
	return ps
}

func (s *Server) handleListParts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessionLocked(w, r.PathValue("sid"))
	if !ok {
		return
	}
	entries := []box.UploadPart{}
	for _, p := range sortedParts(ss) {
		entries = append(entries, p.UploadPart)
	}
	writeJSON(w, http.StatusOK, box.UploadParts{TotalCount: len(entries), Limit: 1000, Offset: 0, Entries: entries})
}

func (s *Server) handleSessionStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessionLocked(w, r.PathValue("sid"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.sessionJSON(r, ss))
}

func (s *Server) handleAbortSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessionLocked(w, r.PathValue("sid"))
	if !ok {
		return
	}
	s.dropSessionLocked(ss)
	w.WriteHeader(http.StatusNoContent)
}

// errCommitParts reports a parts list that does not describe the upload.
var errCommitParts = errors.New("parts do not match")

// checkCommitParts verifies the client's list names exactly the uploaded parts
// covering the whole file, in order, and returns their blobs.
func checkCommitParts(ss *session, claimed []box.UploadPart) ([]string, error) {
	if len(claimed) != ss.totalParts() {
		return nil, fmt.Errorf("%w: %d parts listed, %d needed", errCommitParts, len(claimed), ss.totalParts())
	}
	var blobs []string
	var next int64
	for _, c := range claimed {
		p, ok := ss.Parts[c.Offset]
		if !ok || c.Offset != next || p.PartID != c.PartID || c.Size != p.Size ||
			(c.SHA1 != "" && !strings.EqualFold(c.SHA1, p.SHA1)) {
			return nil, fmt.Errorf("%w: part at offset %d", errCommitParts, c.Offset)
		}
		blobs = append(blobs, p.Blob)
		next += p.Size
	}
	if next != ss.FileSize {
		return nil, fmt.Errorf("%w: parts cover %d of %d bytes", errCommitParts, next, ss.FileSize)
	}
	return blobs, nil
}

// handleCommit serves POST commit: joins the parts (outside the lock), checks
// the whole-file digest and creates the file or version.
func (s *Server) handleCommit(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("sid")
	want, ok := parseDigest(r.Header.Get("Digest"))
	if !ok {
		badRequest(w, "Missing or malformed Digest header; expected sha=<base64 SHA-1>")
		return
	}
	var req box.CommitRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Attributes != nil && req.Attributes.Name != "" {
		if code := validateName(req.Attributes.Name); code != "" {
			writeNameError(w, code)
			return
		}
	}
	s.mu.Lock()
	ss, ok := s.sessionLocked(w, sid)
	if !ok {
		s.mu.Unlock()
		return
	}
	if ss.Committing {
		s.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusAccepted)
		return
	}
	blobs, err := checkCommitParts(ss, req.Parts)
	if err != nil {
		s.mu.Unlock()
		badRequest(w, err.Error())
		return
	}
	ss.Committing = true
	s.mu.Unlock()

	joined, size, sum, err := s.concatBlobs(blobs)

	s.mu.Lock()
	defer s.mu.Unlock()
	ss.Committing = false
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal_server_error", err.Error(), nil)
		return
	}
	if sum != want || size != ss.FileSize {
		s.removeBlob(joined)
		writeError(w, http.StatusBadRequest, "bad_digest", "The digest of the file does not match the Digest header", nil)
		return
	}
	name := ss.FileName
	if req.Attributes != nil && req.Attributes.Name != "" {
		name = req.Attributes.Name
	}
	var parent, existing *item
	if ss.FileID != "" {
		existing, ok = s.lookupLocked(w, ss.FileID, "file")
		if !ok {
			s.removeBlob(joined)
			return
		}
		if name == "" {
			name = existing.Name
		}
		if c := s.conflictLocked(existing.ParentID, name, existing.ID); c != nil {
			s.removeBlob(joined)
			fileConflict(w, c)
			return
		}
	} else {
		parent, ok = s.lookupLocked(w, ss.FolderID, "folder")
		if !ok {
			s.removeBlob(joined)
			return
		}
		if c := s.conflictLocked(parent.ID, name, ""); c != nil {
			s.removeBlob(joined)
			fileConflict(w, c)
			return
		}
	}
	it := s.upsertFileLocked(parent, existing, name, joined, size, sum, req.Attributes)
	s.dropSessionLocked(ss)
	writeJSON(w, http.StatusCreated, box.Files{TotalCount: 1, Entries: []box.File{s.fileLocked(it)}})
}
