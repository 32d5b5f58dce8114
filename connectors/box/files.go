package box

import (
	"context"
	"fmt"
	"net/http"
)

// File returns a file. A missing or trashed file fails with ErrNotFound.
func (c *Client) File(ctx context.Context, id string) (File, error) {
	var f File
	if err := c.http.JSON(ctx, http.MethodGet, c.api("/files/"+pathID(id), nil), nil, &f); err != nil {
		return File{}, wrap("getting file "+id, err)
	}
	if f.ItemStatus == "trashed" || f.ItemStatus == "deleted" || f.TrashedAt != nil {
		return File{}, errTrashed("file", id)
	}
	return f, nil
}

// DeleteFile moves a file to the trash. A missing file fails with
// ErrNotFound (the delete is already done).
func (c *Client) DeleteFile(ctx context.Context, id string) error {
	if err := c.http.JSON(ctx, http.MethodDelete, c.api("/files/"+pathID(id), nil), nil, nil); err != nil {
		return wrap("deleting file "+id, err)
	}
	return nil
}

// Preflight asks Box whether a new file name of size bytes would be
// accepted in parentID (OPTIONS /2.0/files/content). A name clash fails
// with a *ConflictError naming the existing item; a nil error is no
// guarantee the upload will succeed.
func (c *Client) Preflight(ctx context.Context, parentID, name string, size int64) error {
	r, err := jsonRequest(http.MethodOptions, c.api("/files/content", nil),
		PreflightRequest{Name: name, Size: size, Parent: &Ref{ID: parentID}})
	if err != nil {
		return fmt.Errorf("box: preflight for %q: %w", name, err)
	}
	if err := c.http.DoJSON(ctx, r, nil); err != nil {
		return wrap(fmt.Sprintf("preflight for %q in folder %s", name, parentID), err)
	}
	return nil
}
