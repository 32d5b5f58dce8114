package lawmaticsfake

import (
	"net/http"
	"strings"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

func noteSpec() listSpec {
	return newListSpec("/v1/note", nil, lawmatics.NoteAttributes{}, "matter_id", "prospect_id", "contact_id", "notable_id")
}

// noteLocked renders a note; withNotable adds relationships.notable (reads
// show it, the documented create response has empty relationships).
func (s *Server) noteLocked(n *noteRec, withNotable bool) lawmatics.Note {
	out := lawmatics.Note{ID: idString(n.ID), Type: lawmatics.TypeNote, Attributes: n.Attrs}
	if withNotable {
		out.Relationships.Notable = &lawmatics.ToOne{Data: &lawmatics.Ref{ID: idString(n.NotableID), Type: strings.ToLower(n.NotableType)}}
	}
	return out
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rows := make([]row, 0, len(s.st.Notes))
	for _, n := range s.st.Notes {
		extra := map[string]any{"notable_id": float64(n.NotableID), "matter_id": nil, "prospect_id": nil, "contact_id": nil}
		switch n.NotableType {
		case "Prospect":
			extra["matter_id"], extra["prospect_id"] = float64(n.NotableID), float64(n.NotableID)
		case "Contact":
			extra["contact_id"] = float64(n.NotableID)
		}
		rows = append(rows, newRow(s.noteLocked(n, true), extra))
	}
	s.mu.Unlock()
	serveList(w, r, noteSpec(), rows)
}

func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	in, err := readParams(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	name, _ := in.str("name")
	body, _ := in.str("body")
	typ, _ := in.str("notable_type")
	id, _, _ := in.id("notable_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	// [U] Prospect is documented; Contact is accepted too ("Matter" as an
	// alias of Prospect). Company is not modelled.
	switch strings.ToLower(typ) {
	case "prospect", "matter":
		typ = "Prospect"
		if s.st.Prospects[id] == nil {
			writeInvalid(w, r, "Notable must exist")
			return
		}
	case "contact":
		typ = "Contact"
		if s.st.Contacts[id] == nil {
			writeInvalid(w, r, "Notable must exist")
			return
		}
	default:
		writeInvalid(w, r, "Notable type is not included in the list")
		return
	}
	if strings.TrimSpace(body) == "" && strings.TrimSpace(name) == "" {
		writeInvalid(w, r, "Body can't be blank")
		return
	}
	n := s.addNoteLocked(typ, id, lawmatics.InlineNote{Name: name, Body: body})
	serveOne(w, r, http.StatusCreated, s.noteLocked(n, false), nil)
}

func (s *Server) addNoteLocked(notableType string, notableID int64, in lawmatics.InlineNote) *noteRec {
	n := &noteRec{ID: s.st.newID(), NotableType: notableType, NotableID: notableID}
	n.Attrs = lawmatics.NoteAttributes{Name: in.Name, Body: in.Body, CreatedAt: s.stamp()}
	n.Attrs.UpdatedAt = n.Attrs.CreatedAt
	s.st.Notes[n.ID] = n
	return n
}

// addInlineNotesLocked stores notes[] given on a contact or prospect write.
func (s *Server) addInlineNotesLocked(notableType string, notableID int64, notes []lawmatics.InlineNote) {
	for _, in := range notes {
		s.addNoteLocked(notableType, notableID, in)
	}
}
