package mycasefake

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
)

// putACL is the one put_header the fake hands out, as the spec's example.
const putACL = "private"

// documentView is DocumentResponse.
type documentView struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	Filename     string        `json:"filename"`
	Path         string        `json:"path"`
	Description  string        `json:"description"`
	AssignedDate string        `json:"assigned_date"`
	Case         *mycase.IDRef `json:"case"`
	CreatedAt    string        `json:"created_at"`
	UpdatedAt    string        `json:"updated_at"`
	SelfURL      string        `json:"self_url"`
	Folder       mycase.IDRef  `json:"folder"`
}

// documentPostView is DocumentPostResponse: the document plus its upload
// target.
type documentPostView struct {
	documentView
	PutURL     string            `json:"put_url"`
	PutHeaders map[string]string `json:"put_headers"`
}

// versionView is DocumentVersionResponse.
type versionView struct {
	ID        int64        `json:"id"`
	Version   int          `json:"version"`
	Document  mycase.IDRef `json:"document"`
	SelfURL   string       `json:"self_url"`
	CreatedAt string       `json:"created_at"`
	UpdatedAt string       `json:"updated_at"`
}

// versionPostView is DocumentVersionPostResponse.
type versionPostView struct {
	versionView
	PutURL     string            `json:"put_url"`
	PutHeaders map[string]string `json:"put_headers"`
}

func documentViewOf(d *docRec) documentView {
	v := documentView{ID: d.ID, Name: d.Name, Filename: d.Filename, Path: d.Path, Description: d.Description,
		AssignedDate: d.AssignedDate, CreatedAt: stamp(d.CreatedAt), UpdatedAt: stamp(d.UpdatedAt),
		SelfURL: fmt.Sprintf("/v1/documents/%d", d.ID), Folder: mycase.IDRef{ID: d.FolderID}}
	if d.CaseID != 0 {
		v.Case = &mycase.IDRef{ID: d.CaseID}
	}
	return v
}

func versionViewOf(v *versionRec) versionView {
	return versionView{ID: v.ID, Version: v.Version, Document: mycase.IDRef{ID: v.DocumentID},
		SelfURL:   fmt.Sprintf("/v1/documents/%d/versions/%d", v.DocumentID, v.Version),
		CreatedAt: stamp(v.CreatedAt), UpdatedAt: stamp(v.UpdatedAt)}
}

func docUpdated(d *docRec) time.Time { return d.UpdatedAt }

// caseFolderLocked returns the folder id of path under a case, creating
// the folder (and so auto-creating folders named in a document path).
func (s *Server) caseFolderLocked(caseID int64, p string) int64 {
	for _, f := range s.st.Folders.all() {
		if f.CaseID == caseID && f.Path == p {
			return f.ID
		}
	}
	f := &folderRec{ID: s.nextIDLocked("folder"), CaseID: caseID, Path: p}
	s.st.Folders.put(f.ID, f)
	return f.ID
}

// documentWrite is DocumentRequest; path and filename are required.
type documentWrite struct {
	Path         *string `json:"path"`
	Filename     *string `json:"filename"`
	Description  *string `json:"description"`
	AssignedDate *string `json:"assigned_date"`
}

// addDocumentLocked creates a case document and its first, not yet
// uploaded, version. [U] The reply's path is the request's path as given
// (folders and name); name is its last segment.
func (s *Server) addDocumentLocked(caseID int64, in documentWrite) (*docRec, *versionRec, error) {
	if _, ok := s.st.Cases.get(caseID); !ok {
		return nil, nil, notFoundErr()
	}
	switch {
	case blank(in.Path):
		return nil, nil, invalid("/path", "path can't be blank")
	case blank(in.Filename):
		return nil, nil, invalid("/filename", "filename can't be blank")
	case in.AssignedDate != nil && *in.AssignedDate != "" && !parseDate(*in.AssignedDate):
		return nil, nil, invalid("/assigned_date", "assigned_date must be an ISO 8601 date")
	}
	p := strings.Trim(strings.TrimSpace(*in.Path), "/")
	dir, name := path.Split(p)
	if name == "" {
		return nil, nil, invalid("/path", "path must end with the document's name")
	}
	now := s.now()
	d := &docRec{ID: s.nextIDLocked("document"), Name: name, Filename: strings.TrimSpace(*in.Filename), Path: p,
		Description: str(in.Description), AssignedDate: str(in.AssignedDate), CaseID: caseID,
		FolderID: s.caseFolderLocked(caseID, strings.TrimSuffix(dir, "/")), CreatedAt: now, UpdatedAt: now}
	s.st.Documents.put(d.ID, d)
	v := s.addVersionLocked(d)
	return d, v, nil
}

// addVersionLocked adds the next version of d, awaiting its bytes.
func (s *Server) addVersionLocked(d *docRec) *versionRec {
	now := s.now()
	n := 0
	for _, v := range s.st.Versions.all() {
		if v.DocumentID == d.ID {
			n = max(n, v.Version)
		}
	}
	v := &versionRec{ID: s.nextIDLocked("version"), DocumentID: d.ID, Version: n + 1, CreatedAt: now, UpdatedAt: now}
	s.st.Versions.put(v.ID, v)
	d.UpdatedAt = now
	return v
}

// latestVersionLocked returns d's newest version.
func (s *Server) latestVersionLocked(docID int64) *versionRec {
	var out *versionRec
	for _, v := range s.st.Versions.all() {
		if v.DocumentID == docID && (out == nil || v.Version > out.Version) {
			out = v
		}
	}
	return out
}

func (s *Server) deleteDocumentLocked(id int64) {
	s.st.Documents.del(id)
	for _, v := range s.st.Versions.all() {
		if v.DocumentID == id {
			s.st.Versions.del(v.ID)
		}
	}
}

// putURLLocked issues a pre-signed PUT URL for version v.
func (s *Server) putURLLocked(base string, v *versionRec) (string, map[string]string) {
	s.expireURLsLocked()
	tok := randomHex(20)
	s.st.Uploads[tok] = &signedURL{VersionID: v.ID, ACL: putACL, ExpiresAt: s.now().Add(PutURLTTL)}
	return base + "/_s3/upload/" + tok + "?X-Amz-Expires=" + strconv.Itoa(int(PutURLTTL.Seconds())), map[string]string{"x-amz-acl": putACL}
}

// expireURLsLocked forgets expired signed URLs.
func (s *Server) expireURLsLocked() {
	now := s.now()
	for _, m := range []map[string]*signedURL{s.st.Uploads, s.st.Downloads} {
		for k, u := range m {
			if !now.Before(u.ExpiresAt) {
				delete(m, k)
			}
		}
	}
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	q, err := s.parseList(r, listSpec{sized: true, updatedAfter: true})
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	pg := pageLocked(s, r, q, &s.st.Documents, docUpdated, nil, func(d *docRec) any { return documentViewOf(d) })
	s.mu.Unlock()
	writePage(w, pg)
}

// listCaseDocuments serves GET /v1/cases/{id}/documents: Link paging, no
// documented parameters.
func (s *Server) listCaseDocuments(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	q, err := s.parseList(r, listSpec{})
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	_, found := s.st.Cases.get(id)
	var pg page
	if found {
		pg = pageLocked(s, r, q, &s.st.Documents, docUpdated, func(d *docRec) bool { return d.CaseID == id },
			func(d *docRec) any { return documentViewOf(d) })
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	writePage(w, pg)
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	d, found := s.st.Documents.get(id)
	var v documentView
	if found {
		v = documentViewOf(d)
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// createCaseDocument is upload step 1: 201 with put_url and put_headers.
func (s *Server) createCaseDocument(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	var in documentWrite
	if err := decodeBody(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	d, v, err := s.addDocumentLocked(id, in)
	var out documentPostView
	if err == nil {
		out.documentView = documentViewOf(d)
		out.PutURL, out.PutHeaders = s.putURLLocked(requestBase(r), v)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// createVersion serves POST /v1/documents/{id}/versions (no body): 201
// with the new version's put_url.
func (s *Server) createVersion(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	d, found := s.st.Documents.get(id)
	var out versionPostView
	if found {
		v := s.addVersionLocked(d)
		out.versionView = versionViewOf(v)
		out.PutURL, out.PutHeaders = s.putURLLocked(requestBase(r), v)
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// listVersions serves GET /v1/documents/{id}/versions, oldest first.
func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	q, err := s.parseList(r, listSpec{})
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	_, found := s.st.Documents.get(id)
	var pg page
	if found {
		pg = pageLocked(s, r, q, &s.st.Versions, func(v *versionRec) time.Time { return v.UpdatedAt },
			func(v *versionRec) bool { return v.DocumentID == id }, func(v *versionRec) any { return versionViewOf(v) })
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	writePage(w, pg)
}

// downloadDocument answers 302 to a download URL valid for one minute.
func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	_, found := s.st.Documents.get(id)
	var loc string
	if found {
		s.expireURLsLocked()
		tok := randomHex(20)
		var vid int64
		if v := s.latestVersionLocked(id); v != nil {
			vid = v.ID
		}
		s.st.Downloads[tok] = &signedURL{VersionID: vid, ExpiresAt: s.now().Add(DownloadURLTTL)}
		loc = requestBase(r) + "/_s3/download/" + tok + "?X-Amz-Expires=" + strconv.Itoa(int(DownloadURLTTL.Seconds()))
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}
