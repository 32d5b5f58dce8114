package box

// Uploads: direct multipart uploads below ChunkedThreshold, chunked upload
// sessions from it on. Either way the caller's body is read exactly once
// and never held in memory whole.

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// ChunkedThreshold is the size from which uploads go through a chunked
// upload session (Box's minimum for sessions is 20 MB; the fake reads it
// as 20 MiB, so both agree on this side). Smaller files are uploaded in
// one multipart request.
const ChunkedThreshold = 20 << 20

// Commit polling: a 202 from commit means Box is still assembling the
// parts; the commit is sent again after Retry-After.
const (
	maxCommitPolls    = 60
	defaultCommitWait = 2 * time.Second
	maxCommitWait     = time.Minute
)

// ErrNotReplayable is returned when a direct upload would have to be sent
// again (after a 429 or a 401) but its body, streamed from the caller,
// has already been consumed. Retry the whole upload from a fresh reader.
var ErrNotReplayable = errors.New("box: the upload body was already consumed and cannot be sent again")

// UploadFile uploads body (exactly size bytes) as the new file name in
// parentID and returns it. sha1hex is the content's hex SHA-1 when the
// caller knows it; Box checks it.
//
// Below ChunkedThreshold the file goes in one multipart request whose
// body is streamed. That request carries the SHA-1 up front, so when
// sha1hex is empty the body is first copied to a temporary file (at most
// ChunkedThreshold bytes on disk, in Options.TempDir) while hashing. From
// ChunkedThreshold on, an upload session is used: the body is read one
// part at a time into a single part-sized buffer, hashed as it goes, each
// part sent with its own digest, and the session committed with the
// whole file's digest (and aborted on failure).
//
// A name already taken in the parent fails with a *ConflictError whose ID
// and SHA1 name the existing file (or folder).
func (c *Client) UploadFile(ctx context.Context, parentID, name string, size int64, body io.Reader, sha1hex string) (File, error) {
	doing := fmt.Sprintf("uploading %q to folder %s", name, parentID)
	if size < 0 {
		return File{}, fmt.Errorf("box: %s: negative size %d", doing, size)
	}
	if size >= ChunkedThreshold {
		return c.chunked(ctx, doing, c.upload("/files/upload_sessions", nil),
			CreateUploadSessionRequest{FolderID: parentID, FileSize: size, FileName: name}, nil, size, body, sha1hex)
	}
	return c.direct(ctx, doing, c.upload("/files/content", nil),
		UploadAttributes{Name: name, Parent: &Ref{ID: parentID}}, size, body, sha1hex)
}

// UploadVersion uploads body (exactly size bytes) as a new version of file
// fileID, renaming it to name unless name is "". It chooses the transfer
// as UploadFile does (POST /files/{id}/content, or
// /files/{id}/upload_sessions from ChunkedThreshold on).
func (c *Client) UploadVersion(ctx context.Context, fileID, name string, size int64, body io.Reader, sha1hex string) (File, error) {
	doing := "uploading a new version of file " + fileID
	if size < 0 {
		return File{}, fmt.Errorf("box: %s: negative size %d", doing, size)
	}
	if size >= ChunkedThreshold {
		var attrs *UploadAttributes
		if name != "" {
			attrs = &UploadAttributes{Name: name}
		}
		return c.chunked(ctx, doing, c.upload("/files/"+pathID(fileID)+"/upload_sessions", nil),
			CreateUploadSessionRequest{FileSize: size, FileName: name}, attrs, size, body, sha1hex)
	}
	return c.direct(ctx, doing, c.upload("/files/"+pathID(fileID)+"/content", nil),
		UploadAttributes{Name: name}, size, body, sha1hex)
}

// direct sends one multipart request: the attributes part, then the file
// part streamed from body.
func (c *Client) direct(ctx context.Context, doing, u string, attrs UploadAttributes, size int64, body io.Reader, sha1hex string) (File, error) {
	src := &exactReader{r: body, left: size}
	var open func() (io.Reader, error)
	if sha1hex == "" {
		f, sum, err := c.spool(src)
		if err != nil {
			return File{}, fmt.Errorf("box: %s: buffering to hash: %w", doing, err)
		}
		defer func() {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}()
		sha1hex = sum
		// A section reader per attempt: a retry after a 429 or 401 reads
		// the file again from the start.
		open = func() (io.Reader, error) { return io.NewSectionReader(f, 0, size), nil }
	} else {
		var used atomic.Bool
		open = func() (io.Reader, error) {
			if used.Swap(true) {
				return nil, ErrNotReplayable
			}
			return src, nil
		}
	}
	prefix, trailer, ctype, err := multipartFrame(attrs)
	if err != nil {
		return File{}, fmt.Errorf("box: %s: %w", doing, err)
	}
	r := &httpx.Request{
		Method: http.MethodPost,
		URL:    u,
		Header: http.Header{
			"Content-Type": {ctype},
			"Content-Md5":  {strings.ToLower(sha1hex)}, // Box: hex SHA-1, despite the name
			"Accept":       {"application/json"},
		},
		ContentLength: int64(len(prefix)) + size + int64(len(trailer)),
		Stream: func() (io.ReadCloser, error) {
			content, err := open()
			if err != nil {
				return nil, err
			}
			return io.NopCloser(io.MultiReader(bytes.NewReader(prefix), content, bytes.NewReader(trailer))), nil
		},
	}
	var out Files
	if err := c.http.DoJSON(ctx, r, &out); err != nil {
		return File{}, wrap(doing, err)
	}
	if len(out.Entries) == 0 {
		return File{}, fmt.Errorf("box: %s: the reply lists no file", doing)
	}
	return out.Entries[0], nil
}

// multipartFrame renders everything of a multipart upload body but the
// file's bytes: the attributes part and the file part's header (prefix),
// and the closing boundary (trailer). The body is prefix, the content,
// trailer: streamed, with a length known up front.
func multipartFrame(attrs UploadAttributes) (prefix, trailer []byte, contentType string, err error) {
	a, err := json.Marshal(attrs)
	if err != nil {
		return nil, nil, "", fmt.Errorf("encoding attributes: %w", err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	// attributes must come before file, or Box answers 400 metadata_after_file_contents.
	if err := mw.WriteField("attributes", string(a)); err != nil {
		return nil, nil, "", fmt.Errorf("writing attributes: %w", err)
	}
	if _, err := mw.CreateFormFile("file", headerSafe(attrs.Name)); err != nil {
		return nil, nil, "", fmt.Errorf("writing file part header: %w", err)
	}
	n := buf.Len()
	prefix = bytes.Clone(buf.Bytes())
	if err := mw.Close(); err != nil {
		return nil, nil, "", fmt.Errorf("closing multipart body: %w", err)
	}
	trailer = bytes.Clone(buf.Bytes()[n:])
	return prefix, trailer, mw.FormDataContentType(), nil
}

// headerSafe makes a name fit a Content-Disposition filename (Box takes
// the name from attributes; this one is informative only).
func headerSafe(name string) string {
	if name == "" {
		return "file"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
}

// spool copies r to a temporary file, returning it and the content's hex SHA-1.
func (c *Client) spool(r io.Reader) (*os.File, string, error) {
	f, err := c.tempFile()
	if err != nil {
		return nil, "", err
	}
	h := sha1.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, "", err
	}
	return f, hex.EncodeToString(h.Sum(nil)), nil
}

// chunked runs an upload session: create it, send the parts, commit. Any
// failure after the session exists aborts it.
func (c *Client) chunked(ctx context.Context, doing, sessionURL string, req CreateUploadSessionRequest,
	attrs *UploadAttributes, size int64, body io.Reader, sha1hex string) (File, error) {
	r, err := jsonRequest(http.MethodPost, sessionURL, req)
	if err != nil {
		return File{}, fmt.Errorf("box: %s: %w", doing, err)
	}
	var ss UploadSession
	if err := c.http.DoJSON(ctx, r, &ss); err != nil {
		return File{}, wrap(doing+": creating an upload session", err)
	}
	f, err := c.sendSession(ctx, &ss, attrs, size, body, sha1hex)
	if err != nil {
		c.abort(ctx, &ss)
		return File{}, wrap(doing, err)
	}
	return f, nil
}

func (c *Client) sendSession(ctx context.Context, ss *UploadSession, attrs *UploadAttributes, size int64, body io.Reader, sha1hex string) (File, error) {
	ps := ss.PartSize
	if ps <= 0 {
		return File{}, fmt.Errorf("upload session %s has part size %d", ss.ID, ps)
	}
	buf := make([]byte, min(ps, size))
	whole := sha1.New()
	src := &exactReader{r: body, left: size}
	parts := make([]UploadPart, 0, ss.TotalParts)
	for off := int64(0); off < size; off += ps {
		n := min(ps, size-off)
		if _, err := io.ReadFull(src, buf[:n]); err != nil {
			return File{}, fmt.Errorf("reading the body at offset %d: %w", off, err)
		}
		whole.Write(buf[:n])
		p, err := c.putPart(ctx, ss, buf[:n], off, size)
		if err != nil {
			return File{}, err
		}
		parts = append(parts, p)
	}
	if err := src.finish(); err != nil {
		return File{}, err
	}
	sum := whole.Sum(nil)
	if sha1hex != "" && !strings.EqualFold(sha1hex, hex.EncodeToString(sum)) {
		return File{}, fmt.Errorf("the content's SHA-1 %x is not the expected %s", sum, sha1hex)
	}
	return c.commit(ctx, ss, parts, attrs, sum)
}

// putPart sends one part. A part Box already holds (a replayed PUT whose
// first attempt got through) is taken from list_parts.
func (c *Client) putPart(ctx context.Context, ss *UploadSession, part []byte, off, total int64) (UploadPart, error) {
	d := sha1.Sum(part)
	r := &httpx.Request{
		Method: http.MethodPut,
		URL:    ss.SessionEndpoints.UploadPart,
		Header: http.Header{
			"Content-Type":  {"application/octet-stream"},
			"Digest":        {"sha=" + base64.StdEncoding.EncodeToString(d[:])},
			"Content-Range": {fmt.Sprintf("bytes %d-%d/%d", off, off+int64(len(part))-1, total)},
			"Accept":        {"application/json"},
		},
		Body: part,
	}
	var out UploadedPart
	err := c.http.DoJSON(ctx, r, &out)
	if err == nil {
		return out.Part, nil
	}
	var e *httpx.Error
	if errors.As(err, &e) && e.Status == http.StatusConflict && e.Code == "range_overlaps_existing_part" {
		if p, ok := c.findPart(ctx, ss, off, hex.EncodeToString(d[:])); ok {
			return p, nil
		}
	}
	return UploadPart{}, fmt.Errorf("uploading the part at offset %d: %w", off, err)
}

// findPart looks up an uploaded part by offset and SHA-1.
func (c *Client) findPart(ctx context.Context, ss *UploadSession, off int64, sum string) (UploadPart, bool) {
	var l UploadParts
	if err := c.http.JSON(ctx, http.MethodGet, ss.SessionEndpoints.ListParts, nil, &l); err != nil {
		return UploadPart{}, false
	}
	for _, p := range l.Entries {
		if p.Offset == off && strings.EqualFold(p.SHA1, sum) {
			return p, true
		}
	}
	return UploadPart{}, false
}

// commit asks Box to assemble the parts, sending the commit again while
// Box answers 202 (still processing) after its Retry-After.
func (c *Client) commit(ctx context.Context, ss *UploadSession, parts []UploadPart, attrs *UploadAttributes, sum []byte) (File, error) {
	r, err := jsonRequest(http.MethodPost, ss.SessionEndpoints.Commit, CommitRequest{Parts: parts, Attributes: attrs})
	if err != nil {
		return File{}, err
	}
	r.Header.Set("Digest", "sha="+base64.StdEncoding.EncodeToString(sum))
	r.OKStatus = []int{http.StatusAccepted}
	for try := 1; ; try++ {
		resp, err := c.http.Do(ctx, r)
		if err != nil {
			return File{}, fmt.Errorf("committing upload session %s: %w", ss.ID, err)
		}
		if resp.StatusCode == http.StatusAccepted {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
			if try >= maxCommitPolls {
				return File{}, fmt.Errorf("committing upload session %s: still processing after %d tries", ss.ID, try)
			}
			wait := httpx.RetryAfter(resp.Header, time.Now())
			if wait <= 0 {
				wait = defaultCommitWait
			}
			wait = min(wait, maxCommitWait)
			c.log.Debug("box commit still processing; waiting", "session", ss.ID, "wait", wait.String())
			if err := c.sleep(ctx, wait); err != nil {
				return File{}, err
			}
			continue
		}
		var out Files
		err = json.NewDecoder(resp.Body).Decode(&out)
		_ = resp.Body.Close()
		if err != nil {
			return File{}, fmt.Errorf("decoding the commit of upload session %s: %w", ss.ID, err)
		}
		if len(out.Entries) == 0 {
			return File{}, fmt.Errorf("committing upload session %s: the reply lists no file", ss.ID)
		}
		return out.Entries[0], nil
	}
}

// abort cancels an upload session, even when ctx is already cancelled.
func (c *Client) abort(ctx context.Context, ss *UploadSession) {
	if ss.SessionEndpoints.Abort == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.http.JSON(ctx, http.MethodDelete, ss.SessionEndpoints.Abort, nil, nil); err != nil {
		c.log.Warn("box: aborting upload session failed", "session", ss.ID, "err", err)
	}
}

// exactReader yields exactly left bytes of r: a shorter r fails with
// io.ErrUnexpectedEOF, a longer one with an error once left is reached.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		if err := e.finish(); err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if e.left > 0 {
			return n, fmt.Errorf("the body ended %d bytes short of the stated size: %w", e.left, io.ErrUnexpectedEOF)
		}
		err = nil
	}
	return n, err
}

// finish checks that r holds nothing beyond the stated size.
func (e *exactReader) finish() error {
	var one [1]byte
	n, err := io.ReadFull(e.r, one[:])
	if n > 0 {
		return errors.New("the body is longer than the stated size")
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
