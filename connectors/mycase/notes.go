package mycase

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ClientNotes calls fn for each note of a client (person). The spec gives
// this list no filters and no page_size, only Link paging. An error from
// fn stops the listing and is returned.
func (c *Client) ClientNotes(ctx context.Context, clientID int64, fn func(Note) error) error {
	return list(ctx, c, fmt.Sprintf("listing notes of client %d", clientID), fmt.Sprintf("/v1/clients/%d/notes", clientID), nil, false, fn)
}

// CaseNotes calls fn for each note of a case, as ClientNotes.
func (c *Client) CaseNotes(ctx context.Context, caseID int64, fn func(Note) error) error {
	return list(ctx, c, fmt.Sprintf("listing notes of case %d", caseID), fmt.Sprintf("/v1/cases/%d/notes", caseID), nil, false, fn)
}

// CreateClientNote adds a note to a client (POST /v1/clients/{id}/notes;
// MyCase answers 200, not 201). Creates are not replayed after an unclear
// failure: look for the note with ClientNotes before trying again.
func (c *Client) CreateClientNote(ctx context.Context, clientID int64, w NoteWrite) (Note, error) {
	return c.createNote(ctx, fmt.Sprintf("client %d", clientID), fmt.Sprintf("/v1/clients/%d/notes", clientID), w)
}

// CreateCaseNote adds a note to a case, as CreateClientNote.
func (c *Client) CreateCaseNote(ctx context.Context, caseID int64, w NoteWrite) (Note, error) {
	return c.createNote(ctx, fmt.Sprintf("case %d", caseID), fmt.Sprintf("/v1/cases/%d/notes", caseID), w)
}

// createNote sends subject, note and date, all three required by MyCase;
// the date goes as an ISO-8601 date-time with its offset (the time-zone
// guide recommends one), now when w.Date is zero.
func (c *Client) createNote(ctx context.Context, what, path string, w NoteWrite) (Note, error) {
	if strings.TrimSpace(w.Subject) == "" {
		return Note{}, fmt.Errorf("mycase: creating a note on %s: a subject is required", what)
	}
	if strings.TrimSpace(w.Note) == "" {
		// [U] MyCase requires note; a blank one is taken as missing (the
		// stricter reading), so the subject stands in for an empty body.
		w.Note = w.Subject
	}
	d := w.Date
	if d.IsZero() {
		d = time.Now()
	}
	in := noteBody{Subject: w.Subject, Note: w.Note, Date: d.Truncate(time.Second).Format(time.RFC3339)}
	var out Note
	if err := c.send(ctx, http.MethodPost, path, nil, in, &out); err != nil {
		return Note{}, wrap("creating a note on "+what, err)
	}
	return out, nil
}
