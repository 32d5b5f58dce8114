package zoom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// ExternalContactWrite is a new Zoom Phone external contact. Set ID to the
// caller's own key (e.g. the Clio contact ID): the create is then
// idempotent, and a second one fails with ErrExists.
type ExternalContactWrite = CreateExternalContactRequest

// ExternalContactPatch changes some fields of an external contact; nil
// fields stay as they are.
type ExternalContactPatch = UpdateExternalContactRequest

// ExistsError is a create that collided with an existing object (409). It
// matches ErrExists and carries the ID to adopt.
type ExistsError struct {
	ID  string // the existing object's ID
	Err error  // the API error
}

func (e *ExistsError) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is find ErrExists and errors.As the *httpx.Error.
func (e *ExistsError) Unwrap() []error { return []error{ErrExists, e.Err} }

func (c *Client) contactURL(id string) string {
	return c.apiBase + "/phone/external_contacts/" + url.PathEscape(id)
}

// ExternalContacts calls fn for every Zoom Phone external contact of the
// account, 300 per page. It stops at fn's first error and returns it.
func (c *Client) ExternalContacts(ctx context.Context, fn func(ExternalContact) error) error {
	q := url.Values{"page_size": {strconv.Itoa(maxPageSize)}}
	for {
		var page ExternalContactList
		if err := c.http.JSON(ctx, http.MethodGet, c.apiBase+"/phone/external_contacts?"+q.Encode(), nil, &page); err != nil {
			return wrap("listing external contacts", err)
		}
		for _, ec := range page.ExternalContacts {
			if err := fn(ec); err != nil {
				return err
			}
		}
		if page.NextPageToken == "" {
			return nil
		}
		q.Set("next_page_token", page.NextPageToken)
	}
}

// ExternalContact returns one external contact by its external_contact_id.
func (c *Client) ExternalContact(ctx context.Context, id string) (ExternalContact, error) {
	var ec ExternalContact
	if err := c.http.JSON(ctx, http.MethodGet, c.contactURL(id), nil, &ec); err != nil {
		return ExternalContact{}, wrap("getting external contact "+id, err)
	}
	return ec, nil
}

// CreateExternalContact creates an external contact and returns its
// external_contact_id, the id its paths take (Zoom's own, not necessarily
// w.ID; "" if the answer lacked it, when the caller finds the contact by
// w.ID in the listing). With a caller-chosen
// w.ID the create is idempotent, so it is safely replayed after a server
// error, and an existing contact with that ID is an *ExistsError (matching
// ErrExists). Invalid fields (e.g. a number not in E.164) fail with Zoom's
// own messages.
func (c *Client) CreateExternalContact(ctx context.Context, w ExternalContactWrite) (string, error) {
	doing := "creating external contact " + w.ID
	if w.ID == "" {
		doing = "creating external contact " + strconv.Quote(w.Name)
	}
	r, err := jsonRequest(http.MethodPost, c.apiBase+"/phone/external_contacts", w)
	if err != nil {
		return "", fmt.Errorf("zoom: %s: %w", doing, err)
	}
	if w.ID != "" {
		r.Replay = httpx.ReplaySafe
	}
	var out CreateExternalContactResponse
	if err := c.http.DoJSON(ctx, r, &out); err != nil {
		if httpx.KindOf(err) == httpx.KindConflict {
			return "", fmt.Errorf("zoom: %s: %w", doing, &ExistsError{ID: w.ID, Err: err})
		}
		return "", wrap(doing, err)
	}
	return out.ExternalContactID, nil
}

// UpdateExternalContact changes the fields set in p (PATCH → 204). Setting
// fields is idempotent, so it is replayed after a server error. An unknown
// contact matches ErrNotFound.
func (c *Client) UpdateExternalContact(ctx context.Context, id string, p ExternalContactPatch) error {
	doing := "updating external contact " + id
	r, err := jsonRequest(http.MethodPatch, c.contactURL(id), p)
	if err != nil {
		return fmt.Errorf("zoom: %s: %w", doing, err)
	}
	r.Replay = httpx.ReplaySafe
	if err := c.http.DoJSON(ctx, r, nil); err != nil {
		return wrap(doing, err)
	}
	return nil
}

// DeleteExternalContact deletes an external contact. An unknown contact
// matches ErrNotFound, so callers can treat it as already gone.
func (c *Client) DeleteExternalContact(ctx context.Context, id string) error {
	if err := c.http.JSON(ctx, http.MethodDelete, c.contactURL(id), nil, nil); err != nil {
		return wrap("deleting external contact "+id, err)
	}
	return nil
}
