package smokeballfake

import (
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

var addFileDtoKeys = []string{"fileName", "folderId", "userId", "folderPath", "fileAdditionalData", "dateCreated", "dateModified"}

func (s *Server) fileViewLocked(base string, f *fileRec) map[string]any {
	v := map[string]any{
		"href": base + "/matters/" + f.MatterID + "/documents/files/" + f.ID, "id": f.ID, "versionId": f.VersionID,
		"matter": link(base, "/matters/", f.MatterID), "name": f.Name, "fileExtension": f.Extension,
		"ownerId": f.OwnerID, "dateCreated": smokeball.FormatTime(f.DateCreated), "dateModified": smokeball.FormatTime(f.DateModified),
		"sizeBytes": f.SizeBytes, "downloadInfo": map[string]any{"href": base + "/matters/" + f.MatterID + "/documents/files/" + f.ID + "/download"},
		"isFavorite": false, "isUploaded": f.IsUploaded, "isCancelled": false, "isDuplicate": false, "isDeleted": f.IsDeleted,
	}
	if f.FolderID != "" {
		v["folder"] = link(base, "/matters/"+f.MatterID+"/documents/folders/", f.FolderID)
	}
	return v
}

func toFile(view map[string]any) smokeball.File {
	b, _ := json.Marshal(view)
	var f smokeball.File
	json.Unmarshal(b, &f)
	return f
}

// splitName splits "Letter.docx" into "Letter" and ".docx".
func splitName(fileName string) (string, string) {
	ext := path.Ext(fileName)
	return strings.TrimSuffix(fileName, ext), ext
}

// folderLocked returns the id of the matter's folder at path p, creating
// missing folders ("" is the root, whose id is null).
func (s *Server) folderLocked(matterID, p string) string {
	p = strings.Trim(strings.ReplaceAll(p, `\`, "/"), "/")
	if p == "" {
		return ""
	}
	fs := s.st.Folders[matterID]
	if fs == nil {
		fs = map[string]string{}
		s.st.Folders[matterID] = fs
	}
	if id, ok := fs[strings.ToLower(p)]; ok {
		return id
	}
	id := newGUID()
	fs[strings.ToLower(p)] = id
	return id
}

// listFiles lists a matter's files, oldest first, deleted ones flagged.
// Search supports query (name contains) and fileExtension.
func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	win, ok := parseWindow(w, r)
	if !ok {
		return
	}
	terms, err := parseSearch(r.URL.Query(), []string{"query", "fileExtension"})
	if err != nil {
		badSearch(w, r, err)
		return
	}
	matterID := r.PathValue("id")
	s.mu.Lock()
	_, exists := s.st.Matters.get(matterID)
	var all []map[string]any
	for _, f := range s.st.Files.all() {
		if f.MatterID != matterID || !fileMatches(f, terms) {
			continue
		}
		all = append(all, s.fileViewLocked(requestBase(r), f))
	}
	s.mu.Unlock()
	if !exists {
		// [U] The spec lists 403 for a matter of another account; an
		// unknown one answers 404 here.
		notFound(w, r, "Matter")
		return
	}
	writeJSON(w, http.StatusOK, page(r, win, all))
}

func fileMatches(f *fileRec, terms []term) bool {
	for _, t := range terms {
		ok := false
		switch t.field {
		case "query":
			ok = wildcard("*" + strings.Trim(t.value, "*") + "*").MatchString(f.Name + f.Extension)
		case "fileExtension":
			ok = t.matches(f.Extension, strings.TrimPrefix(f.Extension, "."))
		}
		if !ok {
			return false
		}
	}
	return true
}

// fileFor answers 404 unless the file exists in the matter.
func (s *Server) fileLocked(r *http.Request) (*fileRec, bool) {
	f, ok := s.st.Files.get(r.PathValue("fileId"))
	return f, ok && f.MatterID == r.PathValue("id")
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.fileLocked(r)
	var view map[string]any
	if ok {
		view = s.fileViewLocked(requestBase(r), f)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r, "File")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// addFile is upload step 1: 202 with UploadFileInfo {fileId, uploadUrl,
// expiry}. The file record appears after WriteDelay with isUploaded
// false, and flips once the bytes are PUT to uploadUrl.
func (s *Server) addFile(w http.ResponseWriter, r *http.Request) {
	m, ok := readBody(w, r, addFileDtoKeys)
	if !ok {
		return
	}
	v := validation{}
	fileName, err := str(m, "fileName")
	if err != nil || strings.TrimSpace(fileName) == "" {
		v.add("fileName", "The FileName field is required.")
	} else if len(fileName) > 256 {
		v.add("fileName", "The field FileName must be a string with a maximum length of 256.")
	}
	folderPath, _ := str(m, "folderPath")
	folderID, _ := str(m, "folderId")
	if len(v) > 0 {
		writeValidation(w, r, v)
		return
	}
	matterID, id := r.PathValue("id"), newGUID()
	o := s.apiOrigin(r)
	s.mu.Lock()
	token := s.uploadTicketLocked(matterID, id)
	s.scheduleLocked(o, func(o origin) error {
		if _, ok := s.st.Matters.get(matterID); !ok {
			return failWrite(id, "matterId", "Matter "+matterID+" does not exist.")
		}
		name, ext := splitName(fileName)
		now := s.now()
		f := &fileRec{ID: id, MatterID: matterID, VersionID: newGUID(), Name: name, Extension: ext, OwnerID: s.st.UserID,
			DateCreated: now, DateModified: now}
		f.FolderID = folderID
		if folderPath != "" {
			f.FolderID = s.folderLocked(matterID, folderPath)
		}
		s.st.Files.put(id, f)
		if b, ok := s.st.Staged[id]; ok { // the bytes came first
			delete(s.st.Staged, id)
			s.storeContentLocked(o, f, b)
			return nil
		}
		s.emitFilesLocked(o, f)
		return nil
	})
	exp := s.st.Uploads[token].ExpiresAt
	s.mu.Unlock()
	writeJSON(w, http.StatusAccepted, map[string]any{"fileId": id, "uploadUrl": o.base + "/_s3/upload/" + token, "expiry": smokeball.FormatTime(exp)})
}

// uploadFileVersion hands out a new uploadUrl for an existing file.
func (s *Server) uploadFileVersion(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.fileLocked(r)
	var token string
	if ok {
		token = s.uploadTicketLocked(f.MatterID, f.ID)
	}
	var exp string
	if ok {
		exp = smokeball.FormatTime(s.st.Uploads[token].ExpiresAt)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r, "File")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"fileId": f.ID, "uploadUrl": requestBase(r) + "/_s3/upload/" + token, "expiry": exp})
}

func (s *Server) uploadTicketLocked(matterID, fileID string) string {
	token := randomHex(24)
	s.st.Uploads[token] = &ticket{MatterID: matterID, FileID: fileID, ExpiresAt: s.now().Add(UploadURLTTL)}
	return token
}

// downloadFile answers 200 JSON DownloadFileInfo with a short-lived URL,
// not a redirect. A file whose bytes never arrived answers 404 [U].
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.fileLocked(r)
	var info map[string]any
	if ok && f.IsUploaded && !f.IsDeleted {
		token := randomHex(24)
		t := &ticket{MatterID: f.MatterID, FileID: f.ID, ExpiresAt: s.now().Add(DownloadURLTTL)}
		s.st.Downloads[token] = t
		info = map[string]any{"fileId": f.ID, "name": f.Name, "fileExtension": f.Extension,
			"downloadUrl": requestBase(r) + "/_s3/download/" + token, "expiry": smokeball.FormatTime(t.ExpiresAt), "sizeBytes": f.SizeBytes}
	}
	s.mu.Unlock()
	if info == nil {
		notFound(w, r, "File")
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// s3Error writes S3's XML error body.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+msg+`</Message></Error>`)
}

// serveS3Put stands in for the pre-signed S3 PUT. The URL was signed for
// an empty Content-Type, so any other value fails as S3 fails it.
func (s *Server) serveS3Put(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		return
	}
	if r.Header.Get("Authorization") != "" {
		s3Error(w, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	token := r.PathValue("token")
	s.mu.Lock()
	t, ok := s.st.Uploads[token]
	live := ok && s.now().Before(t.ExpiresAt)
	s.mu.Unlock()
	if !live {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxUploadSize+1))
	if err != nil || len(b) > MaxUploadSize {
		s3Error(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		return
	}
	o := s.apiOrigin(r)
	o.source = "API"
	s.mu.Lock()
	delete(s.st.Uploads, token)
	// [U] When isUploaded flips is not documented: Smokeball processes the
	// S3 upload asynchronously, so it flips after WriteDelay.
	s.scheduleLocked(o, func(o origin) error {
		f, ok := s.st.Files.get(t.FileID)
		if !ok {
			s.st.Staged[t.FileID] = b
			return nil
		}
		s.storeContentLocked(o, f, b)
		return nil
	})
	s.mu.Unlock()
	w.Header().Set("ETag", `"`+randomHex(16)+`"`)
	w.WriteHeader(http.StatusOK)
}

// storeContentLocked makes b the file's new version. The caller holds mu.
func (s *Server) storeContentLocked(o origin, f *fileRec, b []byte) {
	f.Content = b
	f.SizeBytes = int64(len(b))
	f.IsUploaded = true
	f.VersionID = newGUID()
	f.DateModified = s.now()
	s.emitFilesLocked(o, f)
}

// emitFilesLocked fires files.updated. [U] Its payload is not documented
// beyond "carries a cursor for the files list": the matter id, the ids of
// the changed files and an opaque cursor.
func (s *Server) emitFilesLocked(o origin, f *fileRec) {
	s.emitLocked("files.updated", o, map[string]any{"matterId": f.MatterID, "fileIds": []string{f.ID}, "cursor": strconv.FormatInt(s.st.LastTick, 10)})
}

// serveS3Get stands in for the pre-signed download URL.
func (s *Server) serveS3Get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, ok := s.st.Downloads[r.PathValue("token")]
	var content []byte
	if ok && s.now().Before(t.ExpiresAt) {
		if f, found := s.st.Files.get(t.FileID); found {
			content = f.Content
		} else {
			ok = false
		}
	} else {
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Write(content)
}
