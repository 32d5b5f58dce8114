package lawmatics

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Notable types for CreateNote and Notes.
const (
	NotableProspect = "Prospect"
	NotableContact  = "Contact"
)

// notableTypeOf normalises a notable type ("prospect", "matter", "Contact", …).
func notableTypeOf(t string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "prospect", "matter":
		return NotableProspect, nil
	case "contact":
		return NotableContact, nil
	}
	return "", fmt.Errorf("lawmatics: notable type %q is not Prospect or Contact", t)
}

// CreateNote adds a note to a prospect or contact (notableType
// NotableProspect or NotableContact). A create is not idempotent, so it is
// not replayed after a 5xx or a broken connection; a caller that must not
// duplicate notes looks for its own marker with Notes first.
func (c *Client) CreateNote(ctx context.Context, notableType, notableID, name, body string) (Note, error) {
	typ, err := notableTypeOf(notableType)
	if err != nil {
		return Note{}, err
	}
	id, err := strconv.ParseInt(notableID, 10, 64)
	if err != nil || id <= 0 {
		return Note{}, fmt.Errorf("lawmatics: creating a note: %s id %q is not a number", typ, notableID)
	}
	var out Single[Note]
	in := NoteWrite{Name: name, Body: body, NotableType: typ, NotableID: id}
	if err := c.http.JSON(ctx, http.MethodPost, c.url("/notes", nil), in, &out); err != nil {
		return Note{}, fmt.Errorf("lawmatics: creating a note on %s %s: %w", strings.ToLower(typ), notableID, err)
	}
	return out.Data, nil
}

// Notes returns every note on a prospect or contact, oldest first.
func (c *Client) Notes(ctx context.Context, notableType, notableID string) ([]Note, error) {
	typ, err := notableTypeOf(notableType)
	if err != nil {
		return nil, err
	}
	// matter_id is the documented filter for a matter's notes (1.6.0).
	by := "matter_id"
	if typ == NotableContact {
		by = "contact_id"
	}
	q := url.Values{
		"fields":      {fieldsAll},
		"filter_by":   {by},
		"filter_with": {"="},
		"filter_on":   {notableID},
		"sort_by":     {"id"},
		"sort_order":  {"asc"},
	}
	var out []Note
	err = listPages(ctx, c, "notes of "+strings.ToLower(typ)+" "+notableID, "/notes", q, func(n Note) error {
		out = append(out, n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
