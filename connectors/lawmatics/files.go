package lawmatics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// Files returns the metadata of every file stored on a prospect (matter),
// oldest first. FileURL is a short-lived pre-signed link; prefer DownloadFile.
func (c *Client) Files(ctx context.Context, prospectID string) ([]File, error) {
	q := url.Values{
		"fields":      {fieldsAll},
		"filter_by":   {"prospect_id"},
		"filter_with": {"="},
		"filter_on":   {prospectID},
		"sort_by":     {"id"},
		"sort_order":  {"asc"},
	}
	var out []File
	err := listPages(ctx, c, "files of prospect "+prospectID, "/files", q, func(f File) error {
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DownloadFile streams a file's bytes (GET /v1/files/download/{id}). The
// caller must close the body. size is -1 when the server does not say;
// contentType is the reply's Content-Type. An unknown id is an error of
// kind httpx.KindNotFound.
func (c *Client) DownloadFile(ctx context.Context, id string) (body io.ReadCloser, size int64, contentType string, err error) {
	resp, err := c.http.Do(ctx, &httpx.Request{
		Method: http.MethodGet,
		URL:    c.url("/files/download/"+pathID(id), nil),
		Header: http.Header{"Accept": {"*/*"}},
	})
	if err != nil {
		return nil, 0, "", fmt.Errorf("lawmatics: downloading file %s: %w", id, err)
	}
	return resp.Body, resp.ContentLength, resp.Header.Get("Content-Type"), nil
}
