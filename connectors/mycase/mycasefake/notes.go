package mycasefake

import (
	"net/http"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
)

// noteView is NoteResponse: client, company and case are null unless the
// note belongs to one.
type noteView struct {
	ID        int64         `json:"id"`
	Subject   string        `json:"subject"`
	Note      string        `json:"note"`
	Archived  bool          `json:"archived"`
	Date      *string       `json:"date"`
	Client    *mycase.IDRef `json:"client"`
	Company   *mycase.IDRef `json:"company"`
	Case      *mycase.IDRef `json:"case"`
	CreatedBy mycase.IDRef  `json:"created_by"`
	UpdatedBy mycase.IDRef  `json:"updated_by"`
	CreatedAt string        `json:"created_at"`
	UpdatedAt string        `json:"updated_at"`
}

func noteViewOf(n *noteRec) any {
	v := noteView{ID: n.ID, Subject: n.Subject, Note: n.Note, Date: nullable(n.Date),
		CreatedBy: mycase.IDRef{ID: n.CreatedBy}, UpdatedBy: mycase.IDRef{ID: n.CreatedBy},
		CreatedAt: stamp(n.CreatedAt), UpdatedAt: stamp(n.UpdatedAt)}
	if n.ClientID != 0 {
		v.Client = &mycase.IDRef{ID: n.ClientID}
	}
	if n.CaseID != 0 {
		v.Case = &mycase.IDRef{ID: n.CaseID}
	}
	return v
}

func noteUpdated(n *noteRec) time.Time { return n.UpdatedAt }

// noteWrite is NoteRequest; all three properties are required.
type noteWrite struct {
	Subject *string `json:"subject"`
	Note    *string `json:"note"`
	Date    *string `json:"date"`
}

// noteDate checks the date and normalises it. [U] The request asks for
// an ISO 8601 date/time and the reply's format is not given: a date stays
// a date, a date-time is answered as RFC 3339 in UTC.
func noteDate(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if parseDate(raw) {
		return raw, true
	}
	t, err := parseISO(raw)
	if err != nil {
		return "", false
	}
	return stamp(t), true
}

// parentExistsLocked reports whether the note parent kind/id exists.
func (s *Server) parentExistsLocked(kind string, id int64) bool {
	if kind == "case" {
		_, ok := s.st.Cases.get(id)
		return ok
	}
	_, ok := s.st.People.get(id)
	return ok
}

// addNoteLocked validates and stores a note on a case or client.
func (s *Server) addNoteLocked(kind string, id int64, in noteWrite) (*noteRec, error) {
	if !s.parentExistsLocked(kind, id) {
		return nil, notFoundErr()
	}
	switch {
	case blank(in.Subject):
		return nil, invalid("/subject", "subject can't be blank")
	case blank(in.Note):
		return nil, invalid("/note", "note can't be blank")
	case blank(in.Date):
		return nil, invalid("/date", "date can't be blank")
	}
	date, ok := noteDate(*in.Date)
	if !ok {
		return nil, invalid("/date", "date must be an ISO 8601 date/time")
	}
	now := s.now()
	n := &noteRec{ID: s.nextIDLocked("note"), Subject: *in.Subject, Note: *in.Note, Date: date, CreatedBy: s.st.Me.ID, CreatedAt: now, UpdatedAt: now}
	if kind == "case" {
		n.CaseID = id
	} else {
		n.ClientID = id
	}
	s.st.Notes.put(n.ID, n)
	return n, nil
}

// listNotes serves GET /v1/{cases|clients}/{id}/notes: Link paging, no
// documented parameters.
func (s *Server) listNotes(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := pathID(r)
		q, err := s.parseList(r, listSpec{})
		if err != nil {
			writeErr(w, err)
			return
		}
		match := func(n *noteRec) bool { return kind == "case" && n.CaseID == id || kind == "client" && n.ClientID == id }
		s.mu.Lock()
		found := s.parentExistsLocked(kind, id)
		var pg page
		if found {
			pg = pageLocked(s, r, q, &s.st.Notes, noteUpdated, match, noteViewOf)
		}
		s.mu.Unlock()
		if !found {
			writeErr(w, notFoundErr())
			return
		}
		writePage(w, pg)
	}
}

// createNote serves POST /v1/{cases|clients}/{id}/notes → 200 (not 201).
func (s *Server) createNote(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := pathID(r)
		var in noteWrite
		if err := decodeBody(r, &in); err != nil {
			writeErr(w, err)
			return
		}
		s.mu.Lock()
		n, err := s.addNoteLocked(kind, id, in)
		s.mu.Unlock()
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, noteViewOf(n))
	}
}
