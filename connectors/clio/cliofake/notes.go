package cliofake

import (
	"net/http"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

func noteTimes(n *clio.Note) (time.Time, time.Time) { return n.CreatedAt, n.UpdatedAt }

// noteViewLocked resolves a note's matter, contact and author; the caller holds mu.
func (s *Server) noteViewLocked(n *clio.Note) *clio.Note {
	v := *n
	if n.Matter != nil {
		if m, ok := s.st.Matters.get(n.Matter.ID); ok {
			v.Matter = s.matterViewLocked(m)
		}
	}
	if n.Contact != nil {
		if c, ok := s.st.Contacts.get(n.Contact.ID); ok {
			v.Contact = s.contactViewLocked(c)
		}
	}
	if n.Author != nil {
		if u, ok := s.st.Users.get(n.Author.ID); ok {
			cp := *u
			v.Author = &cp
		}
	}
	return &v
}

// listNotes requires type=Matter|Contact and the matching matter_id or
// contact_id; anything else answers 400.
func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.Note{})
	if !ok {
		return
	}
	v := r.URL.Query()
	typ := v.Get("type")
	key := map[string]string{"Matter": "matter_id", "Contact": "contact_id"}[typ]
	if key == "" {
		badRequest(w, "type must be Matter or Contact")
		return
	}
	parent, err := strconv.ParseInt(v.Get(key), 10, 64)
	if err != nil {
		badRequest(w, key+" is required when type is "+typ)
		return
	}
	match := func(n *clio.Note) bool {
		if n.Type != typ {
			return false
		}
		if typ == "Matter" && (n.Matter == nil || n.Matter.ID != parent) || typ == "Contact" && (n.Contact == nil || n.Contact.ID != parent) {
			return false
		}
		return q.query == "" || containsFold(q.query, n.Subject, n.Detail)
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.Notes, noteTimes, match, func(n *clio.Note) any { return s.noteViewLocked(n) })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getNote(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Note{})
	if !ok {
		return
	}
	s.mu.Lock()
	n, found := s.st.Notes.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: n.Etag, updated: n.UpdatedAt, data: p.one(s.noteViewLocked(n))}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.Note{})
	if !ok {
		return
	}
	var in clio.NoteWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	n, err := s.createNoteLocked(in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: n.Etag, updated: n.UpdatedAt, data: p.one(s.noteViewLocked(n))})
}

func (s *Server) createNoteLocked(in clio.NoteWrite) (*clio.Note, error) {
	now := s.now()
	n := &clio.Note{Type: in.Type, Subject: in.Subject, Detail: in.Detail, DetailTextType: in.DetailTextType, Date: in.Date,
		CreatedAt: now, UpdatedAt: now, Author: &clio.User{ID: s.st.WhoAmI}}
	switch in.Type {
	case "Matter":
		if in.Matter == nil {
			return nil, write422("matter can't be blank for a Matter note")
		}
		if _, ok := s.st.Matters.get(in.Matter.ID); !ok {
			return nil, write422("matter %d does not exist", in.Matter.ID)
		}
		n.Matter = &clio.Matter{ID: in.Matter.ID}
	case "Contact":
		if in.Contact == nil {
			return nil, write422("contact can't be blank for a Contact note")
		}
		if _, ok := s.st.Contacts.get(in.Contact.ID); !ok {
			return nil, write422("contact %d does not exist", in.Contact.ID)
		}
		n.Contact = &clio.Contact{ID: in.Contact.ID}
	default:
		return nil, write422("type must be Matter or Contact")
	}
	if n.Subject == "" {
		return nil, write422("subject can't be blank")
	}
	switch n.DetailTextType {
	case "":
		n.DetailTextType = "plain_text"
	case "plain_text", "rich_text":
	default:
		return nil, write422("detail_text_type must be plain_text or rich_text")
	}
	if n.Date == "" {
		n.Date = now.Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, n.Date); err != nil {
		return nil, write422("date must be YYYY-MM-DD")
	}
	n.ID, n.Etag = s.nextIDLocked("note"), s.etagLocked()
	s.st.Notes.put(n.ID, n)
	return n, nil
}
