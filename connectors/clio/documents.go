package clio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// DocumentFields is what the client asks for on every document read.
const DocumentFields = "id,etag,name,filename,size,content_type,updated_at,created_at,received_at," +
	"latest_document_version{id,uuid,size,fully_uploaded,created_at},parent{id,type,name},matter{id}"

// DocumentQuery narrows a document listing.
type DocumentQuery struct {
	UpdatedSince time.Time // only documents updated at or after this; zero = all
	IDs          []int64   // only these documents (ids[]); empty = all
	// ShowUncompleted also lists documents whose first upload is not
	// finished (step 1 done, never completed: no file yet). Clio leaves
	// them out unless asked (show_uncompleted=true); only a caller hunting
	// for its own stray uploads wants them.
	ShowUncompleted bool
}

// Documents calls fn for each document of a matter, in id order, wherever
// it sits in the matter's folders. The matter is named by matter_id: a
// document's Parent is a Folder (the matter's documents folder or a
// subfolder), so parent_id would take a folder id, never the matter id.
// A listed document whose LatestDocumentVersion is not FullyUploaded has a
// new version being uploaded. An error from fn stops the listing and is
// returned.
//
// A matterID of 0 lists documents across all matters (with UpdatedSince,
// one listing finds every recent change, however many matters there are).
func (c *Client) Documents(ctx context.Context, matterID int64, q DocumentQuery, fn func(Document) error) error {
	v := url.Values{"fields": {DocumentFields}}
	if q.ShowUncompleted {
		v.Set("show_uncompleted", "true")
	}
	doing := "listing documents"
	if matterID != 0 {
		v.Set("matter_id", strconv.FormatInt(matterID, 10))
		doing = fmt.Sprintf("listing documents of matter %d", matterID)
	}
	if !q.UpdatedSince.IsZero() {
		v.Set("updated_since", formatTime(q.UpdatedSince))
	}
	return listIDs(ctx, c, doing, "/documents.json", v, q.IDs, fn)
}

// Download opens the latest version of a document for reading and returns
// its size (-1 when unknown). Clio answers 303 with a short-lived signed
// URL, which is fetched without the bearer token. The caller must close
// the reader; nothing is buffered.
func (c *Client) Download(ctx context.Context, docID int64) (io.ReadCloser, int64, error) {
	doing := fmt.Sprintf("downloading document %d", docID)
	r, err := c.request(http.MethodGet, fmt.Sprintf("/documents/%d/download.json", docID), nil, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("clio: %s: %w", doing, err)
	}
	r.Header.Set("Accept", "*/*")
	r.OKStatus = []int{http.StatusSeeOther, http.StatusFound}
	resp, err := c.http.Do(ctx, r)
	if err != nil {
		return nil, 0, wrap(doing, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.Body, resp.ContentLength, nil // served directly
	}
	loc, err := resp.Location()
	drain(resp.Body)
	if err != nil {
		return nil, 0, fmt.Errorf("clio: %s: redirect without a usable Location: %w", doing, err)
	}
	resp, err = c.storage.Do(ctx, &httpx.Request{Method: http.MethodGet, URL: loc.String(), NoAuth: true})
	if err != nil {
		return nil, 0, wrap(doing, err)
	}
	return resp.Body, resp.ContentLength, nil
}

// UploadError is an upload that failed after Clio created the document
// record (step 1). The record has no fully uploaded version, so Clio offers
// no file for it and Documents leaves it out (unless ShowUncompleted, with
// FullyUploaded false); nothing is claimed as done. To retry, upload again with Parent{ID: DocumentID,
// Type: "Document"} (a new version of the same record) or as a new
// document; delete or ignore the stray record.
type UploadError struct {
	DocumentID int64 // the record created by step 1
	Step       int   // 2 = sending the bytes, 3 = marking it fully uploaded
	Err        error
}

func (e *UploadError) Error() string {
	return fmt.Sprintf("clio: uploading document %d (step %d of 3): %v", e.DocumentID, e.Step, e.Err)
}

// Unwrap returns the cause.
func (e *UploadError) Unwrap() error { return e.Err }

// Upload stores size bytes from body as a document named name under parent
// (Type "Matter", "Contact", "Folder", or "Document" for a new version of
// that document; the returned Document's Parent is the Folder it landed
// in, e.g. the matter's documents folder), streaming them, in Clio's three steps: create the record
// and get a pre-signed put_url; PUT the bytes there with every put_header
// and no bearer token; mark the version fully uploaded. body is read once;
// it is sent again after a storage 5xx only when it is an io.Seeker. A
// failure after step 1 is an *UploadError.
func (c *Client) Upload(ctx context.Context, parent Parent, name string, size int64, body io.Reader) (Document, error) {
	if size < 0 {
		return Document{}, fmt.Errorf("clio: uploading %q: size must be known", name)
	}
	// Step 1.
	var d Document
	in := DocumentWrite{Name: name, Parent: &ParentRef{ID: parent.ID, Type: parent.Type}}
	if err := c.send(ctx, http.MethodPost, "/documents.json",
		url.Values{"fields": {"id,latest_document_version{uuid,put_url,put_headers}"}}, in, &d, nil); err != nil {
		return Document{}, wrap(fmt.Sprintf("uploading %q: creating the document", name), err)
	}
	v := d.LatestDocumentVersion
	if v == nil || v.PutURL == "" || v.UUID == "" {
		return Document{}, &UploadError{DocumentID: d.ID, Step: 2, Err: errors.New("clio sent no put_url")}
	}

	// Step 2.
	put := &httpx.Request{Method: http.MethodPut, URL: v.PutURL, Header: http.Header{}, NoAuth: true}
	for _, h := range v.PutHeaders {
		put.Header.Set(h.Name, h.Value)
	}
	counted := &countingReader{r: body}
	if size == 0 {
		put.Body = []byte{}
	} else {
		opened := false
		put.ContentLength = size
		if _, ok := body.(io.Seeker); !ok {
			put.Replay = httpx.ReplayNever // a plain reader cannot start over
		}
		put.Stream = func() (io.ReadCloser, error) {
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
	resp, err := c.storage.Do(ctx, put)
	if err != nil {
		return Document{}, &UploadError{DocumentID: d.ID, Step: 2, Err: err}
	}
	drain(resp.Body)
	if counted.n != size {
		return Document{}, &UploadError{DocumentID: d.ID, Step: 2, Err: fmt.Errorf("sent %d bytes, want %d", counted.n, size)}
	}

	// Step 3.
	done := DocumentWrite{UUID: v.UUID, FullyUploaded: ptr(true)}
	var out Document
	completeRetry := [...]time.Duration{time.Second, 3 * time.Second}
	for try := 0; ; try++ {
		err = c.send(ctx, http.MethodPatch, fmt.Sprintf("/documents/%d.json", d.ID), url.Values{"fields": {DocumentFields}}, done, &out, nil)
		if err == nil || try >= len(completeRetry) || !uploadPending(err) {
			break
		}
		// Clio may not see the stored file yet; it says so with these
		// errors and asks to try again.
		if err := sleepCtx(ctx, c.sleep, completeRetry[try]); err != nil {
			return Document{}, &UploadError{DocumentID: d.ID, Step: 3, Err: err}
		}
	}
	if err != nil {
		return Document{}, &UploadError{DocumentID: d.ID, Step: 3, Err: err}
	}
	if out.LatestDocumentVersion == nil || !out.LatestDocumentVersion.FullyUploaded {
		return Document{}, &UploadError{DocumentID: d.ID, Step: 3, Err: errors.New("clio did not mark the version fully uploaded")}
	}
	return out, nil
}

func uploadPending(err error) bool {
	var e *httpx.Error
	return errors.As(err, &e) && (e.Code == "UploadTimeoutError" || e.Code == "UploadNotFoundError")
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

func sleepCtx(ctx context.Context, sleep func(context.Context, time.Duration) error, d time.Duration) error {
	if sleep != nil {
		return sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
