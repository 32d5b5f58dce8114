package cliofake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

const (
	putURLTTL      = 8 * time.Hour   // Clio's pre-signed S3 PUT lifetime
	downloadURLTTL = 5 * time.Minute // [U] signed download URL lifetime; short is the demanding reading
	sseHeader      = "x-amz-server-side-encryption"
)

func documentTimes(d *clio.Document) (time.Time, time.Time) { return d.CreatedAt, d.UpdatedAt }

func contentTypeOf(name string) string {
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// sign is an HMAC over the parts with the state's key; the caller holds mu.
func (s *Server) signLocked(parts ...string) string {
	m := hmac.New(sha256.New, s.st.SignKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// docViewLocked resolves a document's parent folder, matter, contact and
// latest version.
func (s *Server) docViewLocked(d *clio.Document) *clio.Document {
	v := *d
	v.Parent = s.parentViewLocked(d.Parent)
	if d.Matter != nil {
		if m, ok := s.st.Matters.get(d.Matter.ID); ok {
			v.Matter = s.matterViewLocked(m)
		}
	}
	if d.Contact != nil {
		if c, ok := s.st.Contacts.get(d.Contact.ID); ok {
			v.Contact = s.contactViewLocked(c)
		}
	}
	if d.LatestDocumentVersion != nil {
		if dv, ok := s.st.Versions.get(d.LatestDocumentVersion.ID); ok {
			cp := dv.Version
			v.LatestDocumentVersion = &cp
		}
	}
	return &v
}

// listDocuments filters by matter_id and contact_id (the record the
// document belongs to, wherever in its folders it is) and parent_id (a
// FOLDER id: its children, or with scope=descendants everything below it).
// Documents whose first upload is unfinished (no version received yet) are
// left out unless show_uncompleted=true.
func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.Document{})
	if !ok {
		return
	}
	ids, ok := positiveIDs(w, r, "matter_id", "contact_id", "parent_id")
	if !ok {
		return
	}
	descendants, ok := parseScope(w, r)
	if !ok {
		return
	}
	var uncompleted bool
	if raw := r.URL.Query().Get("show_uncompleted"); raw != "" {
		var err error
		if uncompleted, err = strconv.ParseBool(raw); err != nil {
			badRequest(w, "show_uncompleted must be true or false")
			return
		}
	}
	matter, contact, parent := ids[0], ids[1], ids[2]
	match := func(d *clio.Document) bool {
		return (uncompleted || d.ReceivedAt != nil) &&
			(matter == 0 || d.Matter != nil && d.Matter.ID == matter) &&
			(contact == 0 || d.Contact != nil && d.Contact.ID == contact) &&
			(parent == 0 || d.Parent != nil && s.underLocked(d.Parent.ID, parent, descendants)) &&
			(q.query == "" || containsFold(q.query, d.Name))
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.Documents, documentTimes, match, func(d *clio.Document) any { return s.docViewLocked(d) })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Document{})
	if !ok {
		return
	}
	s.mu.Lock()
	d, found := s.st.Documents.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: d.Etag, updated: d.UpdatedAt, data: p.one(s.docViewLocked(d))}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

// createDocument is upload step 1: it creates the document (or, for parent
// type Document, a new version of it) and answers the version's put_url and
// put_headers.
func (s *Server) createDocument(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.Document{})
	if !ok {
		return
	}
	var in clio.DocumentWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	d, err := s.startDocumentLocked(in, requestBase(r))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: d.Etag, updated: d.UpdatedAt, data: p.one(s.docViewLocked(d))})
}

// resolveParentLocked checks a Matter/Folder/Contact parent and returns
// the folder the item goes into (a Matter or Contact parent means its
// documents folder) and the matter and contact the item then belongs to.
func (s *Server) resolveParentLocked(pr *clio.ParentRef) (*clio.Parent, *clio.Matter, *clio.Contact, error) {
	if pr == nil {
		return nil, nil, nil, write422("parent can't be blank")
	}
	var f *clio.Folder
	switch pr.Type {
	case "Matter":
		m, ok := s.st.Matters.get(pr.ID)
		if !ok {
			return nil, nil, nil, write422("parent matter %d does not exist", pr.ID)
		}
		f = s.matterFolderLocked(m)
	case "Contact":
		c, ok := s.st.Contacts.get(pr.ID)
		if !ok {
			return nil, nil, nil, write422("parent contact %d does not exist", pr.ID)
		}
		f = s.contactFolderLocked(c)
	case "Folder":
		var ok bool
		if f, ok = s.st.Folders.get(pr.ID); !ok {
			return nil, nil, nil, write422("parent folder %d does not exist", pr.ID)
		}
	default:
		return nil, nil, nil, write422("parent type must be Matter, Folder, Contact or Document")
	}
	var m *clio.Matter
	if f.Matter != nil {
		m = &clio.Matter{ID: f.Matter.ID}
	}
	var c *clio.Contact
	if f.Contact != nil {
		c = &clio.Contact{ID: f.Contact.ID}
	}
	return &clio.Parent{ID: f.ID, Type: "Folder"}, m, c, nil
}

// startDocumentLocked creates the document or a new pending version. base is
// the request's scheme://host for put_url.
func (s *Server) startDocumentLocked(in clio.DocumentWrite, base string) (*clio.Document, error) {
	now := s.now()
	var d *clio.Document
	if in.Parent != nil && in.Parent.Type == "Document" {
		old, ok := s.st.Documents.get(in.Parent.ID)
		if !ok {
			return nil, write422("parent document %d does not exist", in.Parent.ID)
		}
		cp := *old
		d = &cp
		if in.Name == "" {
			in.Name = d.Name
		}
	} else {
		if in.Name == "" {
			return nil, write422("name can't be blank")
		}
		parent, matter, contact, err := s.resolveParentLocked(in.Parent)
		if err != nil {
			return nil, err
		}
		d = &clio.Document{ID: s.nextIDLocked("document"), Name: in.Name, Filename: in.Name, ContentType: contentTypeOf(in.Name),
			CreatedAt: now, Parent: parent, Matter: matter, Contact: contact}
	}
	ct := in.ContentType
	if ct == "" {
		ct = contentTypeOf(in.Name)
	}
	dv := s.newVersionLocked(d.ID, in.Name, ct)
	expires := strconv.FormatInt(now.Add(putURLTTL).Unix(), 10)
	dv.Version.PutURL = base + "/_s3/upload/" + dv.Version.UUID + "?" + url.Values{
		"X-Amz-Expires": {expires}, "X-Amz-Signature": {s.signLocked("put", dv.Version.UUID, expires)},
	}.Encode()
	dv.Version.PutHeaders = []clio.PutHeader{{Name: "Content-Type", Value: ct}, {Name: sseHeader, Value: "AES256"}}
	created := d.Etag == ""
	d.LatestDocumentVersion = &clio.DocumentVersion{ID: dv.Version.ID}
	d.Etag, d.UpdatedAt = s.etagLocked(), now
	s.st.Documents.put(d.ID, d)
	if created {
		s.emitLocked("document", "created", d.ID, s.docViewLocked(d))
	}
	return d, nil
}

// newVersionLocked stores a new, not yet uploaded version of document docID.
func (s *Server) newVersionLocked(docID int64, name, ct string) *docVersion {
	now := s.now()
	n := 0
	for _, v := range s.st.Versions.m {
		if v.DocumentID == docID {
			n++
		}
	}
	dv := &docVersion{DocumentID: docID, Version: clio.DocumentVersion{
		ID: s.nextIDLocked("document_version"), Etag: s.etagLocked(), UUID: newUUID(), Filename: name, ContentType: ct,
		VersionNumber: n + 1, PutHeaders: []clio.PutHeader{}, CreatedAt: now, UpdatedAt: now,
	}}
	s.st.Versions.put(dv.Version.ID, dv)
	s.st.Uploads[dv.Version.UUID] = dv.Version.ID
	return dv
}

func newUUID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// patchDocument is upload step 3 ({uuid, fully_uploaded:true}) or a rename.
func (s *Server) patchDocument(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Document{})
	if !ok {
		return
	}
	var in clio.DocumentWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	d, found := s.st.Documents.get(id)
	if !found {
		notFound(w)
		return
	}
	if err := checkIfMatch(r, d.Etag); err != nil {
		writeErr(w, err)
		return
	}
	d, err := s.patchDocumentLocked(d, in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{etag: d.Etag, updated: d.UpdatedAt, data: p.one(s.docViewLocked(d))})
}

func (s *Server) patchDocumentLocked(old *clio.Document, in clio.DocumentWrite) (*clio.Document, error) {
	d := *old
	if in.Name != "" {
		d.Name = in.Name
	}
	if in.FullyUploaded != nil && *in.FullyUploaded {
		vid, ok := s.st.Uploads[in.UUID]
		dv, _ := s.st.Versions.get(vid)
		if !ok || dv == nil || dv.DocumentID != d.ID {
			return nil, errf(http.StatusUnprocessableEntity, "UploadNotFoundError", "No upload found for uuid %q", in.UUID)
		}
		if !dv.Received {
			return nil, errf(http.StatusUnprocessableEntity, "UploadNotFoundError", "The file for uuid %q has not been uploaded", in.UUID)
		}
		s.completeVersionLocked(&d, dv)
	}
	d.Etag, d.UpdatedAt = s.etagLocked(), s.now()
	s.st.Documents.put(d.ID, &d)
	s.emitLocked("document", "updated", d.ID, s.docViewLocked(&d))
	return &d, nil
}

// completeVersionLocked marks dv fully uploaded and makes it d's current file.
func (s *Server) completeVersionLocked(d *clio.Document, dv *docVersion) {
	dv.Version.FullyUploaded = true
	dv.Version.PutURL, dv.Version.PutHeaders = "", []clio.PutHeader{}
	dv.Version.Size = int64(len(dv.Content))
	dv.Version.Etag, dv.Version.UpdatedAt = s.etagLocked(), s.now()
	delete(s.st.Uploads, dv.Version.UUID)
	d.Filename, d.Size, d.ContentType = dv.Version.Filename, dv.Version.Size, dv.Version.ContentType
	received := s.now()
	d.ReceivedAt = &received
	d.LatestDocumentVersion = &clio.DocumentVersion{ID: dv.Version.ID}
}

// serveS3Put stands in for the pre-signed S3 PUT: it checks the signature,
// expiry and every put_header, and stream-reads the body (up to
// MaxUploadSize) into memory.
func (s *Server) serveS3Put(w http.ResponseWriter, r *http.Request) {
	uuid := r.PathValue("uuid")
	q := r.URL.Query()
	expires, _ := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	s.mu.Lock()
	vid, ok := s.st.Uploads[uuid]
	dv, _ := s.st.Versions.get(vid)
	validSig := hmac.Equal([]byte(q.Get("X-Amz-Signature")), []byte(s.signLocked("put", uuid, q.Get("X-Amz-Expires"))))
	var want []clio.PutHeader
	if dv != nil {
		want = dv.Version.PutHeaders
	}
	s.mu.Unlock()
	switch {
	case !ok || dv == nil || !validSig:
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	case s.now().Unix() > expires:
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	for _, h := range want {
		if r.Header.Get(h.Name) != h.Value {
			s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "missing or wrong signed header "+h.Name)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxUploadSize+1))
	if err != nil {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	if len(body) > MaxUploadSize {
		s3Error(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		return
	}
	s.mu.Lock()
	dv.Content, dv.Received = body, true
	s.mu.Unlock()
	sum := sha256.Sum256(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	w.WriteHeader(http.StatusOK)
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+msg+`</Message></Error>`)
}

// downloadDocument answers 303 See Other to a signed, expiring URL.
func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	var wantVersion int64
	if raw := r.URL.Query().Get("document_version_id"); raw != "" {
		var err error
		if wantVersion, err = strconv.ParseInt(raw, 10, 64); err != nil {
			badRequest(w, "document_version_id must be an integer")
			return
		}
	}
	s.mu.Lock()
	loc, err := s.downloadURLLocked(id, wantVersion, requestBase(r))
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	http.Redirect(w, r, loc, http.StatusSeeOther)
}

func (s *Server) downloadURLLocked(docID, versionID int64, base string) (string, error) {
	nf := errf(http.StatusNotFound, "RecordNotFound", "The requested record could not be found")
	if _, ok := s.st.Documents.get(docID); !ok {
		return "", nf
	}
	var best *docVersion
	for _, v := range s.st.Versions.m {
		if v.DocumentID != docID || !v.Version.FullyUploaded {
			continue
		}
		if versionID != 0 && v.Version.ID == versionID || versionID == 0 && (best == nil || v.Version.VersionNumber > best.Version.VersionNumber) {
			best = v
		}
	}
	if best == nil {
		return "", nf
	}
	expires := strconv.FormatInt(s.now().Add(downloadURLTTL).Unix(), 10)
	return base + "/_s3/download/" + best.Version.UUID + "?" + url.Values{
		"Expires": {expires}, "Signature": {s.signLocked("get", best.Version.UUID, expires)},
	}.Encode(), nil
}

// serveS3Get serves a signed download URL without authentication.
func (s *Server) serveS3Get(w http.ResponseWriter, r *http.Request) {
	uuid, q := r.PathValue("uuid"), r.URL.Query()
	expires, _ := strconv.ParseInt(q.Get("Expires"), 10, 64)
	s.mu.Lock()
	validSig := hmac.Equal([]byte(q.Get("Signature")), []byte(s.signLocked("get", uuid, q.Get("Expires"))))
	var found *docVersion
	for _, v := range s.st.Versions.m {
		if v.Version.UUID == uuid {
			found = v
		}
	}
	var content []byte
	var name, ct string
	if found != nil {
		content, name, ct = found.Content, found.Version.Filename, found.Version.ContentType
	}
	s.mu.Unlock()
	switch {
	case !validSig || found == nil:
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	case s.now().Unix() > expires:
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Write(content)
}
