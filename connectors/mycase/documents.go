package mycase

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// DocumentQuery narrows the firm-wide document listing.
type DocumentQuery struct {
	UpdatedAfter time.Time // only documents created or updated at or after this; zero = all
}

// Documents calls fn for each document of the firm (GET /v1/documents),
// paging with the Link header. For one case's changes since a time, filter
// this listing by Document.Case: the case listing takes no filters.
func (c *Client) Documents(ctx context.Context, q DocumentQuery, fn func(Document) error) error {
	v := url.Values{}
	if !q.UpdatedAfter.IsZero() {
		v.Set("filter[updated_after]", formatTime(q.UpdatedAfter))
	}
	return list(ctx, c, "listing documents", "/v1/documents", v, true, fn)
}

// CaseDocuments calls fn for each document of a case (GET
// /v1/cases/{id}/documents; no filters or page_size in the spec).
func (c *Client) CaseDocuments(ctx context.Context, caseID int64, fn func(Document) error) error {
	return list(ctx, c, fmt.Sprintf("listing documents of case %d", caseID), fmt.Sprintf("/v1/cases/%d/documents", caseID), nil, false, fn)
}

// Document returns one document (GET /v1/documents/{id}); a missing one
// is ErrNotFound.
func (c *Client) Document(ctx context.Context, id int64) (Document, error) {
	var out Document
	if err := c.get(ctx, fmt.Sprintf("/v1/documents/%d", id), nil, &out); err != nil {
		return Document{}, wrap(fmt.Sprintf("getting document %d", id), err)
	}
	return out, nil
}

// Download opens the latest version of a document for reading and returns
// its size (-1 when unknown). MyCase answers 302 with a temporary URL
// (valid for a minute), fetched at once and without the bearer token. The
// caller must close the reader; nothing is buffered.
func (c *Client) Download(ctx context.Context, docID int64) (io.ReadCloser, int64, error) {
	doing := fmt.Sprintf("downloading document %d", docID)
	r, err := c.request(http.MethodGet, fmt.Sprintf("/v1/documents/%d/data", docID), nil, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("mycase: %s: %w", doing, err)
	}
	r.Header.Set("Accept", "*/*")
	r.OKStatus = []int{http.StatusFound, http.StatusMovedPermanently, http.StatusSeeOther, http.StatusTemporaryRedirect}
	resp, err := c.http.Do(ctx, r)
	if err != nil {
		return nil, 0, wrap(doing, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.Body, sizeOf(resp), nil // [U] served directly
	}
	loc, err := resp.Location()
	drain(resp.Body)
	if err != nil {
		return nil, 0, fmt.Errorf("mycase: %s: redirect without a usable Location: %w", doing, err)
	}
	resp, err = c.storage.Do(ctx, &httpx.Request{Method: http.MethodGet, URL: loc.String(), NoAuth: true})
	if err != nil {
		return nil, 0, wrap(doing, err)
	}
	return resp.Body, sizeOf(resp), nil
}

func sizeOf(resp *http.Response) int64 {
	if resp.ContentLength < 0 {
		return -1
	}
	return resp.ContentLength
}

// UploadError is an upload that failed after MyCase created the document
// or version record (step 1): the record exists but may hold no file. To
// retry, upload a new version of DocumentID (UploadVersion).
type UploadError struct {
	DocumentID int64 // the record created by step 1
	Err        error
}

func (e *UploadError) Error() string {
	return fmt.Sprintf("mycase: uploading document %d (sending the bytes): %v", e.DocumentID, e.Err)
}

// Unwrap returns the cause.
func (e *UploadError) Unwrap() error { return e.Err }

// Upload stores size bytes from body as a document of a case in MyCase's
// two steps: POST /v1/cases/{id}/documents with path (folders and name,
// "a/b/name"; "" = filename) and filename, which answers a pre-signed
// put_url; then PUT the bytes there with put_headers, Content-Type
// application/octet-stream and no bearer token. [U] No finalise call is
// documented; the document is complete once the PUT succeeds. body is read
// once; it is sent again after a storage 5xx only when it is an io.Seeker.
// A failure after step 1 is an *UploadError.
func (c *Client) Upload(ctx context.Context, caseID int64, path, filename string, size int64, body io.Reader) (Document, error) {
	if size < 0 {
		return Document{}, fmt.Errorf("mycase: uploading %q: size must be known", filename)
	}
	if strings.TrimSpace(path) == "" {
		path = filename
	}
	var d documentPost
	in := DocumentWrite{Path: path, Filename: filename}
	if err := c.send(ctx, http.MethodPost, fmt.Sprintf("/v1/cases/%d/documents", caseID), nil, in, &d); err != nil {
		return Document{}, wrap(fmt.Sprintf("uploading %q to case %d: creating the document", filename, caseID), err)
	}
	if err := c.put(ctx, d.UploadTarget, size, body); err != nil {
		return Document{}, &UploadError{DocumentID: d.ID, Err: err}
	}
	return d.Document, nil
}

// UploadVersion stores size bytes from body as a new version of a document:
// POST /v1/documents/{id}/versions (no body; 201 with put_url), then the
// PUT as in Upload.
func (c *Client) UploadVersion(ctx context.Context, docID int64, size int64, body io.Reader) error {
	if size < 0 {
		return fmt.Errorf("mycase: uploading a version of document %d: size must be known", docID)
	}
	var v DocumentVersion
	if err := c.send(ctx, http.MethodPost, fmt.Sprintf("/v1/documents/%d/versions", docID), nil, nil, &v); err != nil {
		return wrap(fmt.Sprintf("uploading a version of document %d: creating the version", docID), err)
	}
	if err := c.put(ctx, v.UploadTarget, size, body); err != nil {
		return &UploadError{DocumentID: docID, Err: err}
	}
	return nil
}

// DocumentVersions lists a document's versions, oldest first as MyCase
// sends them.
func (c *Client) DocumentVersions(ctx context.Context, docID int64) ([]DocumentVersion, error) {
	return collect[DocumentVersion](ctx, c, fmt.Sprintf("listing versions of document %d", docID), fmt.Sprintf("/v1/documents/%d/versions", docID), nil, false)
}

// put sends the bytes to a pre-signed S3 URL, streaming them.
func (c *Client) put(ctx context.Context, t UploadTarget, size int64, body io.Reader) error {
	if t.PutURL == "" {
		return errors.New("mycase sent no put_url")
	}
	r := &httpx.Request{Method: http.MethodPut, URL: t.PutURL, Header: http.Header{}, NoAuth: true}
	for k, v := range t.PutHeaders {
		r.Header.Set(k, v)
	}
	// The spec asks for this type whatever put_headers say.
	r.Header.Set("Content-Type", "application/octet-stream")
	counted := &countingReader{r: body}
	if size == 0 {
		r.Body = []byte{}
	} else {
		opened := false
		r.ContentLength = size
		if _, ok := body.(io.Seeker); !ok {
			r.Replay = httpx.ReplayNever // a plain reader cannot start over
		}
		r.Stream = func() (io.ReadCloser, error) {
			if opened {
				s, ok := body.(io.Seeker)
				if !ok {
					return nil, errors.New("the body cannot be sent again")
				}
				if _, err := s.Seek(0, io.SeekStart); err != nil {
					return nil, err
				}
				counted.n = 0
			}
			opened = true
			return io.NopCloser(io.LimitReader(counted, size)), nil
		}
	}
	resp, err := c.storage.Do(ctx, r)
	if err != nil {
		return err
	}
	drain(resp.Body)
	if counted.n != size {
		return fmt.Errorf("sent %d bytes, want %d", counted.n, size)
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
