package mycasefake

import (
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"strconv"
)

// This file stands in for Amazon S3: the put_url target and the temporary
// download URL. Both are pre-signed, so S3 refuses a request that also
// carries an Authorization header (the bearer token must never go there).

// s3Error writes S3's XML error body.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, html.EscapeString(msg))
}

// signedLocked returns the live signed URL tok of m.
func (s *Server) signedLocked(m map[string]*signedURL, tok string) (*signedURL, string) {
	u := m[tok]
	switch {
	case u == nil:
		return nil, "The request signature we calculated does not match the signature you provided."
	case !s.now().Before(u.ExpiresAt):
		return nil, "Request has expired"
	}
	return u, ""
}

// serveS3Put stores a version's bytes. It requires the put_headers and
// Content-Type application/octet-stream [U: S3 refuses a PUT whose signed
// headers differ; the spec says to send that type].
func (s *Server) serveS3Put(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		s3Error(w, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	s.mu.Lock()
	u, why := s.signedLocked(s.st.Uploads, r.PathValue("token"))
	s.mu.Unlock()
	if u == nil {
		s3Error(w, http.StatusForbidden, "AccessDenied", why)
		return
	}
	if r.Header.Get("x-amz-acl") != u.ACL {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided: x-amz-acl is missing or differs.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/octet-stream" {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided: Content-Type must be application/octet-stream.")
		return
	}
	if r.ContentLength > MaxUploadSize {
		s3Error(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxUploadSize+1))
	if err != nil {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
		return
	}
	if len(body) > MaxUploadSize {
		s3Error(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		return
	}
	s.mu.Lock()
	v, ok := s.st.Versions.get(u.VersionID)
	if ok {
		now := s.now()
		v.Content, v.Received, v.UpdatedAt = body, true, now
		if d, ok := s.st.Documents.get(v.DocumentID); ok {
			// [U] A new file makes the document show as updated.
			d.UpdatedAt = now
		}
	}
	s.mu.Unlock()
	if !ok {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("ETag", `"`+randomHex(16)+`"`)
	w.WriteHeader(http.StatusOK)
}

// serveS3Get serves a version's bytes at a temporary download URL.
func (s *Server) serveS3Get(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		s3Error(w, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	s.mu.Lock()
	u, why := s.signedLocked(s.st.Downloads, r.PathValue("token"))
	var content []byte
	found := false
	if u != nil {
		if v, ok := s.st.Versions.get(u.VersionID); ok && v.Received {
			content, found = v.Content, true
		}
	}
	s.mu.Unlock()
	switch {
	case u == nil:
		s3Error(w, http.StatusForbidden, "AccessDenied", why)
	case !found:
		// [U] A document whose latest version's bytes never arrived.
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.Write(content)
	}
}
