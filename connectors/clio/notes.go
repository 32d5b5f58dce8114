package clio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const noteFields = "id,etag,type,subject,detail,detail_text_type,date,created_at,updated_at,matter{id},contact{id}"

// NoteCreate describes a new note on a matter or a contact.
type NoteCreate struct {
	Type      string    // "Matter" or "Contact"
	MatterID  int64     // with Type "Matter"
	ContactID int64     // with Type "Contact"
	Subject   string    // required
	Detail    string    // plain text
	Date      time.Time // the note's date; zero = today (Clio's default)
}

// CreateNote adds a plain-text note (POST /notes). Creates are not
// replayed after an unclear failure: after a crash or an error, look for
// the note with Notes (e.g. by a marker in Detail) before trying again.
func (c *Client) CreateNote(ctx context.Context, n NoteCreate) (Note, error) {
	w := NoteWrite{Type: n.Type, Subject: n.Subject, Detail: n.Detail, DetailTextType: "plain_text"}
	switch n.Type {
	case "Matter":
		w.Matter = &IDRef{ID: n.MatterID}
	case "Contact":
		w.Contact = &IDRef{ID: n.ContactID}
	default:
		return Note{}, fmt.Errorf("clio: creating a note: type %q is not Matter or Contact", n.Type)
	}
	if !n.Date.IsZero() {
		w.Date = n.Date.Format(time.DateOnly)
	}
	var out Note
	if err := c.send(ctx, http.MethodPost, "/notes.json", url.Values{"fields": {noteFields}}, w, &out, nil); err != nil {
		return Note{}, wrap(fmt.Sprintf("creating a note on %s %d", n.Type, max(n.MatterID, n.ContactID)), err)
	}
	return out, nil
}

// Notes calls fn for each note of a matter (typ "Matter") or a contact
// (typ "Contact") with the given id, in id order. An error from fn stops
// the listing and is returned.
func (c *Client) Notes(ctx context.Context, typ string, id int64, fn func(Note) error) error {
	key := map[string]string{"Matter": "matter_id", "Contact": "contact_id"}[typ]
	if key == "" {
		return fmt.Errorf("clio: listing notes: type %q is not Matter or Contact", typ)
	}
	v := url.Values{"fields": {noteFields}, "type": {typ}, key: {strconv.FormatInt(id, 10)}}
	return list(ctx, c, fmt.Sprintf("listing notes of %s %d", typ, id), "/notes.json", v, fn)
}
