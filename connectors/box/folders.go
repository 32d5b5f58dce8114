package box

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"
)

// MaxDescription is the longest folder description Box stores, in characters.
const MaxDescription = 256

// itemsPageSize is Box's maximum page size for folder listings.
const itemsPageSize = 1000

// itemFields are the fields Items asks for (type, id and etag always come).
const itemFields = "type,id,etag,name,sha1,size,file_version,modified_at"

// CreateFolder creates the folder name in parentID ("0" is the root). A
// name already taken in the parent (case-insensitively) fails with a
// *ConflictError whose ID and Type name the existing item.
func (c *Client) CreateFolder(ctx context.Context, parentID, name string) (Folder, error) {
	r, err := jsonRequest(http.MethodPost, c.api("/folders", nil), CreateFolderRequest{Name: name, Parent: Ref{ID: parentID}})
	if err != nil {
		return Folder{}, fmt.Errorf("box: creating folder %q: %w", name, err)
	}
	var f Folder
	if err := c.http.DoJSON(ctx, r, &f); err != nil {
		return Folder{}, wrap(fmt.Sprintf("creating folder %q in %s", name, parentID), err)
	}
	return f, nil
}

// EnsureFolder returns the id of the folder name in parentID, creating it
// when missing (created reports which). An existing folder of that name,
// in any letter case, is adopted from the 409's conflict; a file of that
// name is a real conflict and returned as the *ConflictError.
func (c *Client) EnsureFolder(ctx context.Context, parentID, name string) (id string, created bool, err error) {
	f, err := c.CreateFolder(ctx, parentID, name)
	if err == nil {
		return f.ID, true, nil
	}
	var ce *ConflictError
	if errors.As(err, &ce) && ce.Code == "item_name_in_use" && ce.Type == "folder" && ce.ID != "" {
		return ce.ID, false, nil
	}
	return "", false, err
}

// Folder returns a folder. A missing or trashed folder fails with
// ErrNotFound.
func (c *Client) Folder(ctx context.Context, id string) (Folder, error) {
	var f Folder
	q := url.Values{"fields": {"type,id,etag,sequence_id,name,description,size,created_at,modified_at," +
		"content_created_at,content_modified_at,trashed_at,path_collection,parent,item_status"}}
	if err := c.http.JSON(ctx, http.MethodGet, c.api("/folders/"+pathID(id), q), nil, &f); err != nil {
		return Folder{}, wrap("getting folder "+id, err)
	}
	if f.ItemStatus == "trashed" || f.ItemStatus == "deleted" || f.TrashedAt != nil {
		return Folder{}, errTrashed("folder", id)
	}
	return f, nil
}

// SetFolderDescription sets a folder's description (at most
// MaxDescription characters; longer is refused without a request).
func (c *Client) SetFolderDescription(ctx context.Context, id, desc string) error {
	if n := utf8.RuneCountInString(desc); n > MaxDescription {
		return fmt.Errorf("box: setting the description of folder %s: %d characters, Box allows %d", id, n, MaxDescription)
	}
	r, err := jsonRequest(http.MethodPut, c.api("/folders/"+pathID(id), url.Values{"fields": {"type,id,etag,description"}}),
		UpdateFolderRequest{Description: &desc})
	if err != nil {
		return fmt.Errorf("box: setting the description of folder %s: %w", id, err)
	}
	if err := c.http.DoJSON(ctx, r, nil); err != nil {
		return wrap("setting the description of folder "+id, err)
	}
	return nil
}

// Items calls fn for every item in a folder (folders first, then files,
// then web links), paging by marker 1000 at a time, until the end or
// until fn fails (that error is returned). Entries carry type, id, etag,
// name, sha1, size, file_version and modified_at.
func (c *Client) Items(ctx context.Context, folderID string, fn func(Item) error) error {
	q := url.Values{
		"usemarker": {"true"},
		"limit":     {strconv.Itoa(itemsPageSize)},
		"fields":    {itemFields},
	}
	for page := 1; ; page++ {
		var l Items
		if err := c.http.JSON(ctx, http.MethodGet, c.api("/folders/"+pathID(folderID)+"/items", q), nil, &l); err != nil {
			return wrap(fmt.Sprintf("listing folder %s (page %d)", folderID, page), err)
		}
		for _, it := range l.Entries {
			if err := fn(it); err != nil {
				return err
			}
		}
		if l.NextMarker == nil || *l.NextMarker == "" || len(l.Entries) == 0 {
			return nil
		}
		q.Set("marker", *l.NextMarker)
	}
}

// DeleteFolder moves a folder to the trash; with recursive, also a
// non-empty one with everything in it. A missing folder fails with
// ErrNotFound (the delete is already done).
func (c *Client) DeleteFolder(ctx context.Context, id string, recursive bool) error {
	var q url.Values
	if recursive {
		q = url.Values{"recursive": {"true"}}
	}
	if err := c.http.JSON(ctx, http.MethodDelete, c.api("/folders/"+pathID(id), q), nil, nil); err != nil {
		return wrap("deleting folder "+id, err)
	}
	return nil
}
