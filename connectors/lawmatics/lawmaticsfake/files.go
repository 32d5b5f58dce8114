package lawmaticsfake

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
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// presignTTL is how long a file_url works; one documented example shows 1 h.
const presignTTL = time.Hour

func fileSpec() listSpec {
	return newListSpec("/v1/documents", nil, lawmatics.FileAttributes{}, "prospect_id", "matter_id", "contact_id", "client_id", "documentable_id")
}

// fileLocked renders a file. base is the request origin for file_url; ""
// leaves a relative URL (admin methods have no request).
func (s *Server) fileLocked(f *fileRec, base string) lawmatics.File {
	a := f.Attrs
	a.FileURL = base + s.presignLocked(f)
	out := lawmatics.File{ID: idString(f.ID), Type: lawmatics.TypeFile, Attributes: a}
	if f.DocumentableType != "firm" {
		out.Relationships.Documentable.Data = &lawmatics.Ref{ID: idString(f.DocumentableID), Type: f.DocumentableType}
	}
	return out
}

// presignLocked builds the stand-in for a pre-signed S3 URL: no token
// needed, valid for presignTTL from now.
func (s *Server) presignLocked(f *fileRec) string {
	date := strconv.FormatInt(s.now().Unix(), 10)
	q := url.Values{"X-Amz-Date": {date}, "X-Amz-Expires": {strconv.Itoa(int(presignTTL / time.Second))}, "X-Amz-Signature": {s.presignSig(f.ID, date)}}
	return "/s3/lawmatics-documents/" + idString(f.ID) + "/" + url.PathEscape(f.Attrs.FileName) + "?" + q.Encode()
}

func (s *Server) presignSig(id int64, date string) string {
	m := hmac.New(sha256.New, []byte(s.st.SignKey))
	m.Write([]byte(idString(id) + "|" + date))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) servePresigned(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, _ := parseID(r.PathValue("id"))
	date := q.Get("X-Amz-Date")
	s.mu.Lock()
	f := s.st.Files[id]
	good := f != nil && hmac.Equal([]byte(s.presignSig(id, date)), []byte(q.Get("X-Amz-Signature")))
	var content []byte
	var ctype, name string
	if good {
		content, ctype, name = f.Content, f.Attrs.FileType, f.Attrs.FileName
	}
	s.mu.Unlock()
	signed, err := strconv.ParseInt(date, 10, 64)
	s3err := func(code, msg string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+msg+`</Message></Error>`)
	}
	switch {
	case !good || err != nil:
		s3err("AccessDenied", "Access Denied")
	case s.now().After(time.Unix(signed, 0).Add(presignTTL)):
		s3err("AccessDenied", "Request has expired")
	default:
		writeRaw(w, ctype, name, content)
	}
}

func writeRaw(w http.ResponseWriter, ctype, name string, content []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.WriteHeader(http.StatusOK)
	w.Write(content)
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	s.mu.Lock()
	rows := make([]row, 0, len(s.st.Files))
	for _, f := range s.st.Files {
		extra := map[string]any{"prospect_id": nil, "matter_id": nil, "contact_id": nil, "client_id": nil, "documentable_id": nullID(f.DocumentableID)}
		switch f.DocumentableType {
		case "prospect":
			extra["prospect_id"], extra["matter_id"] = float64(f.DocumentableID), float64(f.DocumentableID)
		case "contact":
			extra["contact_id"], extra["client_id"] = float64(f.DocumentableID), float64(f.DocumentableID)
		}
		rows = append(rows, newRow(s.fileLocked(f, base), extra))
	}
	s.mu.Unlock()
	serveList(w, r, fileSpec(), rows)
}

func (s *Server) lookupFileLocked(w http.ResponseWriter, r *http.Request) *fileRec {
	id, _ := parseID(r.PathValue("id"))
	f := s.st.Files[id]
	if f == nil {
		writeNotFound(w, r, "File", r.PathValue("id"))
	}
	return f
}

func (s *Server) showFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.lookupFileLocked(w, r); f != nil {
		serveOne(w, r, http.StatusOK, s.fileLocked(f, baseURL(r)), nil)
	}
}

func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.lookupFileLocked(w, r)
	var content []byte
	var ctype, name string
	if f != nil {
		content, ctype, name = f.Content, f.Attrs.FileType, f.Attrs.FileName
	}
	s.mu.Unlock()
	if f != nil {
		writeRaw(w, ctype, name, content)
	}
}

// maxUpload is the documented 1 GB limit.
const maxUpload = 1 << 30

func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, r, http.StatusBadRequest, "Bad Request", "multipart body: "+err.Error())
		return
	}
	part, hdr, err := r.FormFile("file")
	if err != nil {
		writeInvalid(w, r, "File can't be blank")
		return
	}
	defer part.Close()
	content, err := io.ReadAll(part)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "Bad Request", "read file part: "+err.Error())
		return
	}
	ctype := hdr.Header.Get("Content-Type")
	if ctype == "" || ctype == "application/octet-stream" {
		if t := mime.TypeByExtension(path.Ext(hdr.Filename)); t != "" {
			ctype = t
		} else {
			ctype = http.DetectContentType(content)
		}
	}
	in := params{}
	for _, k := range []string{"documentable_type", "documentable_id", "name"} {
		if r.MultipartForm.Value[k] != nil {
			in[k] = r.FormValue(k)
		}
	}
	typ, _ := in.str("documentable_type")
	id, _, _ := in.id("documentable_id")
	name, _ := in.str("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	f, msg := s.addFileLocked(typ, id, name, hdr.Filename, ctype, content)
	if msg != "" {
		writeInvalid(w, r, msg)
		return
	}
	serveOne(w, r, http.StatusCreated, s.fileLocked(f, baseURL(r)), nil)
}

// addFileLocked stores a file on firm|client|matter|contact (prospect is
// accepted as matter). It returns a validation message on failure.
func (s *Server) addFileLocked(typ string, id int64, name, fileName, ctype string, content []byte) (*fileRec, string) {
	f := &fileRec{}
	switch strings.ToLower(typ) {
	case "firm":
		f.DocumentableType = "firm"
	case "matter", "prospect":
		if s.st.Prospects[id] == nil {
			return nil, "Documentable must exist"
		}
		f.DocumentableType, f.DocumentableID = "prospect", id
	case "contact", "client":
		if s.st.Contacts[id] == nil {
			return nil, "Documentable must exist"
		}
		f.DocumentableType, f.DocumentableID = "contact", id
	default:
		// [U] The documentable_type list is documented, not its default.
		return nil, "Documentable type must be firm, client, matter or contact"
	}
	if len(content) > maxUpload {
		return nil, "File is too large (maximum is 1 GB)"
	}
	if name == "" {
		name = fileName
	}
	f.ID = s.st.newID()
	f.Content = content
	f.Attrs = lawmatics.FileAttributes{Name: name, FileName: fileName, FileType: ctype, FileSize: int64(len(content)), CreatedAt: s.stamp()}
	f.Attrs.UpdatedAt = f.Attrs.CreatedAt
	s.st.Files[f.ID] = f
	return f, ""
}

// contentType guesses a MIME type from the name, then the bytes.
func contentType(name string, content []byte) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(content)
}
