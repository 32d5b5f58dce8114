package smokeball

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// File is a document in a matter.
type File struct {
	ID            string
	VersionID     string // the current version
	Name          string // without extension
	FileExtension string // with the dot, e.g. ".pdf"
	DateModified  time.Time
	SizeBytes     int64
	IsUploaded    bool // false until the bytes reached storage
	IsDeleted     bool
	FolderID      string // "" = the matter's root folder
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *File) UnmarshalJSON(b []byte) error {
	var w struct {
		ID            string   `json:"id"`
		VersionID     string   `json:"versionId"`
		Name          string   `json:"name"`
		FileExtension string   `json:"fileExtension"`
		DateModified  flexTime `json:"dateModified"`
		SizeBytes     int64    `json:"sizeBytes"`
		IsUploaded    bool     `json:"isUploaded"`
		IsDeleted     bool     `json:"isDeleted"`
		Folder        *Link    `json:"folder"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = File{ID: w.ID, VersionID: w.VersionID, Name: w.Name, FileExtension: w.FileExtension, DateModified: w.DateModified.Time,
		SizeBytes: w.SizeBytes, IsUploaded: w.IsUploaded, IsDeleted: w.IsDeleted}
	if w.Folder != nil {
		f.FolderID = linkID(*w.Folder)
	}
	return nil
}

// FullName is the name with its extension.
func (f File) FullName() string { return f.Name + f.FileExtension }

// uploadInfo is UploadFileInfo: where to PUT the bytes.
type uploadInfo struct {
	FileID    string   `json:"fileId"`
	UploadURL string   `json:"uploadUrl"`
	Expiry    flexTime `json:"expiry"`
}

// downloadInfo is DownloadFileInfo: where to GET the bytes.
type downloadInfo struct {
	FileID      string   `json:"fileId"`
	DownloadURL string   `json:"downloadUrl"`
	Expiry      flexTime `json:"expiry"`
	SizeBytes   int64    `json:"sizeBytes"`
}

func filesPath(matterID string) string {
	return "/matters/" + url.PathEscape(matterID) + "/documents/files"
}

// Files calls fn for each file of a matter (a flat list over all folders,
// oldest first), reading every page. Smokeball has no updated-since filter
// for files.
func (c *Client) Files(ctx context.Context, matterID string, fn func(File) error) error {
	return list(ctx, c, fmt.Sprintf("listing files of matter %s", matterID), filesPath(matterID), nil, fn)
}

// File returns one file of a matter; a missing one (or a matter Smokeball
// does not know) is ErrNotFound.
func (c *Client) File(ctx context.Context, matterID, fileID string) (File, error) {
	var out File
	if err := c.get(ctx, filesPath(matterID)+"/"+url.PathEscape(fileID), nil, &out); err != nil {
		return File{}, wrap(fmt.Sprintf("getting file %s of matter %s", fileID, matterID), err)
	}
	return out, nil
}

// Download opens the current version of a file and returns its size (-1
// when unknown). Smokeball answers 200 with JSON naming a short-lived
// storage URL, which is fetched without the bearer token or API key. The
// caller must close the reader.
func (c *Client) Download(ctx context.Context, matterID, fileID string) (io.ReadCloser, int64, error) {
	doing := fmt.Sprintf("downloading file %s of matter %s", fileID, matterID)
	var info downloadInfo
	if err := c.get(ctx, filesPath(matterID)+"/"+url.PathEscape(fileID)+"/download", nil, &info); err != nil {
		return nil, 0, wrap(doing, err)
	}
	if info.DownloadURL == "" {
		return nil, 0, fmt.Errorf("smokeball: %s: no downloadUrl in the reply", doing)
	}
	resp, err := c.storage.Do(ctx, &httpx.Request{Method: http.MethodGet, URL: info.DownloadURL, NoAuth: true})
	if err != nil {
		return nil, 0, wrap(doing, err)
	}
	size := resp.ContentLength
	if size < 0 && info.SizeBytes > 0 {
		size = info.SizeBytes
	}
	return resp.Body, size, nil
}

// UploadError is an upload that failed after Smokeball accepted the file
// (step 1): the file record exists (or soon will) with isUploaded false.
// To retry, send the bytes again with UploadVersion(FileID).
type UploadError struct {
	FileID string
	Err    error
}

func (e *UploadError) Error() string {
	return fmt.Sprintf("smokeball: uploading file %s: sending the bytes: %v", e.FileID, e.Err)
}

// Unwrap returns the cause.
func (e *UploadError) Unwrap() error { return e.Err }

// Upload stores size bytes from body as fileName (with its extension) in
// the matter's folder folderPath ("" = root; missing folders are created),
// in Smokeball's two steps: POST the file to get a pre-signed uploadUrl,
// then PUT the bytes there with an empty Content-Type (S3 signed it so).
// It returns the new file's id; the file lists with isUploaded true once
// Smokeball has processed the upload. A failure after step 1 is an
// *UploadError.
func (c *Client) Upload(ctx context.Context, matterID, folderPath, fileName string, size int64, body io.Reader) (string, error) {
	doing := fmt.Sprintf("uploading %q to matter %s", fileName, matterID)
	in := map[string]string{"fileName": fileName}
	if folderPath != "" {
		in["folderPath"] = folderPath
	}
	var info uploadInfo
	if err := c.send(ctx, http.MethodPost, filesPath(matterID), nil, in, &info); err != nil {
		return "", wrap(doing, err)
	}
	if info.FileID == "" || info.UploadURL == "" {
		return "", fmt.Errorf("smokeball: %s: the reply has no fileId or uploadUrl", doing)
	}
	if err := c.put(ctx, info.UploadURL, size, body); err != nil {
		return info.FileID, &UploadError{FileID: info.FileID, Err: err}
	}
	return info.FileID, nil
}

// UploadVersion replaces the content of an existing file with size bytes
// from body: GET …/files/{id}/upload for a fresh uploadUrl, then PUT.
func (c *Client) UploadVersion(ctx context.Context, matterID, fileID string, size int64, body io.Reader) error {
	doing := fmt.Sprintf("uploading a new version of file %s of matter %s", fileID, matterID)
	var info uploadInfo
	if err := c.get(ctx, filesPath(matterID)+"/"+url.PathEscape(fileID)+"/upload", nil, &info); err != nil {
		return wrap(doing, err)
	}
	if info.UploadURL == "" {
		return fmt.Errorf("smokeball: %s: the reply has no uploadUrl", doing)
	}
	if err := c.put(ctx, info.UploadURL, size, body); err != nil {
		return &UploadError{FileID: fileID, Err: err}
	}
	return nil
}

// put streams size bytes to a pre-signed URL with an empty Content-Type
// and no credentials. body is sent again after a storage 5xx only when it
// is an io.Seeker.
func (c *Client) put(ctx context.Context, target string, size int64, body io.Reader) error {
	if size < 0 {
		return errors.New("size must be known")
	}
	// An empty value (not an absent header): Go adds no Content-Type to a
	// request itself, and S3 compares the header with the signed one.
	r := &httpx.Request{Method: http.MethodPut, URL: target, Header: http.Header{"Content-Type": {""}}, NoAuth: true}
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
