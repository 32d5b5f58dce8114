package lawmaticsfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// prospectDefaults returns the attributes a prospect comes with when the request
// has no fields parameter. The facts document the same set for contact and
// matter lists (person fields and timestamps, no case_title or status), so a
// client must ask for case fields explicitly. [U] Applied to single GETs and
// finders too; create, update and delete responses carry every attribute.
func prospectDefaults() []string {
	return []string{"first_name", "last_name", "email", "created_at", "updated_at"}
}

func prospectSpec() listSpec {
	sp := newListSpec("/v1/prospect", prospectDefaults(), lawmatics.ProspectAttributes{}, "contact_id", "practice_area_id", "sub_status_id")
	sp.relsByField = true
	return sp
}

// prospectLocked renders a prospect with all attributes. The caller holds s.mu.
func (s *Server) prospectLocked(p *prospectRec) lawmatics.Prospect {
	a := p.Attrs
	rel := lawmatics.ProspectRelationships{Documents: lawmatics.ToMany{Data: []lawmatics.Ref{}}, Notes: lawmatics.ToMany{Data: []lawmatics.Ref{}}}
	if c := s.st.Contacts[p.ContactID]; c != nil {
		a.FirstName, a.LastName, a.Email, a.Phone = c.Attrs.FirstName, c.Attrs.LastName, c.Attrs.Email, c.Attrs.Phone
		rel.Contact.Data = &lawmatics.Ref{ID: idString(c.ID), Type: lawmatics.TypeContact}
	}
	if pa := s.st.PracticeAreas[p.PracticeAreaID]; pa != nil {
		rel.PracticeArea.Data = &lawmatics.Ref{ID: idString(pa.ID), Type: lawmatics.TypePracticeArea}
	}
	// sub_status is an attribute: the sub-status name, or the status
	// capitalised when none is set ("Pnc", as the vendor's examples show).
	a.SubStatus = capitalize(a.Status)
	if ss := s.st.SubStatuses[p.SubStatusID]; ss != nil {
		a.SubStatus = ss.Attrs.Name
	}
	a.CustomFields = s.st.renderCustom("prospect", p.Custom)
	for _, id := range slices.Sorted(maps.Keys(s.st.Files)) {
		if f := s.st.Files[id]; f.DocumentableType == "prospect" && f.DocumentableID == p.ID {
			rel.Documents.Data = append(rel.Documents.Data, lawmatics.Ref{ID: idString(id), Type: lawmatics.TypeFile})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.st.Notes)) {
		if n := s.st.Notes[id]; n.NotableType == "Prospect" && n.NotableID == p.ID {
			rel.Notes.Data = append(rel.Notes.Data, lawmatics.Ref{ID: idString(id), Type: lawmatics.TypeNote})
		}
	}
	return lawmatics.Prospect{ID: idString(p.ID), Type: lawmatics.TypeProspect, Attributes: a, Relationships: rel}
}

// capitalize upper-cases the first letter: "pnc" → "Pnc".
func capitalize(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// copyPersonLocked snapshots the linked contact's person fields into p.
func (s *Server) copyPersonLocked(p *prospectRec) {
	if c := s.st.Contacts[p.ContactID]; c != nil {
		p.Attrs.FirstName, p.Attrs.LastName, p.Attrs.Email, p.Attrs.Phone = c.Attrs.FirstName, c.Attrs.LastName, c.Attrs.Email, c.Attrs.Phone
	}
}

func (s *Server) prospectRowLocked(p *prospectRec) row {
	return newRow(s.wire(s.prospectLocked(p)), map[string]any{
		"contact_id":       nullID(p.ContactID),
		"practice_area_id": nullID(p.PracticeAreaID),
		"sub_status_id":    nullID(p.SubStatusID),
	})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return float64(id)
}

func (s *Server) listProspects(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rows := make([]row, 0, len(s.st.Prospects))
	for _, p := range s.st.Prospects {
		rows = append(rows, s.prospectRowLocked(p))
	}
	s.mu.Unlock()
	serveList(w, r, prospectSpec(), rows)
}

func (s *Server) lookupProspectLocked(w http.ResponseWriter, r *http.Request) *prospectRec {
	id, _ := parseID(r.PathValue("id"))
	p := s.st.Prospects[id]
	if p == nil {
		writeNotFound(w, r, "Prospect", r.PathValue("id"))
	}
	return p
}

func (s *Server) showProspect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.lookupProspectLocked(w, r); p != nil {
		serveOne(w, r, http.StatusOK, s.wire(s.prospectLocked(p)), prospectDefaults())
	}
}

func (s *Server) createProspect(w http.ResponseWriter, r *http.Request) {
	in, err := readParams(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, msg := s.createProspectLocked(in)
	if msg != "" {
		writeInvalid(w, r, msg)
		return
	}
	serveOne(w, r, http.StatusCreated, s.wire(s.prospectLocked(p)), nil)
}

// createProspectLocked creates a prospect from params, linking or creating
// its contact. It returns a validation message on failure.
func (s *Server) createProspectLocked(in params) (*prospectRec, string) {
	p := &prospectRec{Custom: map[int64]any{}}
	p.Attrs.Status = lawmatics.StatusPNC
	// [U] contact_id is treated as optional: without it (or a match), a new
	// contact is created from the person fields, as the main example does.
	if id, ok, bad := in.id("contact_id"); ok {
		if bad || s.st.Contacts[id] == nil {
			return nil, "Contact must exist"
		}
		p.ContactID = id
	} else {
		person := &contactRec{Custom: map[int64]any{}}
		if msg := s.applyContactLocked(person, params{
			"first_name": in["first_name"], "last_name": in["last_name"], "email": in["email"], "phone": in["phone"],
		}.present()); msg != "" {
			return nil, msg
		}
		if by, ok := in.str("match_contact_by"); ok {
			if by != "email" && by != "phone" && by != "name" {
				return nil, "match_contact_by must be email, phone or name"
			}
			p.ContactID = s.matchContactLocked(by, person.Attrs)
		}
		if p.ContactID == 0 {
			if strings.TrimSpace(person.Attrs.FirstName) == "" {
				return nil, "First name can't be blank"
			}
			person.ID = s.st.newID()
			person.Attrs.CreatedAt = s.stamp()
			person.Attrs.UpdatedAt = person.Attrs.CreatedAt
			s.st.Contacts[person.ID] = person
			p.ContactID = person.ID
		}
	}
	if msg := s.applyProspectLocked(p, in, false); msg != "" {
		return nil, msg
	}
	p.ID = s.st.newID()
	if p.Attrs.CaseNumber == "" {
		p.Attrs.CaseNumber = fmt.Sprintf("M-%05d", p.ID) // [U] auto-numbering format
	}
	p.Attrs.CreatedAt = s.stamp()
	p.Attrs.UpdatedAt = p.Attrs.CreatedAt
	s.copyPersonLocked(p)
	s.st.Prospects[p.ID] = p
	s.addInlineNotesLocked("Prospect", p.ID, in.notes())
	if p.Attrs.Status == lawmatics.StatusHired {
		s.convertLocked(p)
	}
	return p, ""
}

// present drops keys whose value is absent (nil from a missing map entry).
func (p params) present() params {
	out := params{}
	for k, v := range p {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

// matchContactLocked returns the id of the contact exactly matching by, or 0.
func (s *Server) matchContactLocked(by string, a lawmatics.ContactAttributes) int64 {
	q := map[string]string{"email": a.Email, "phone": a.Phone, "name": strings.TrimSpace(a.FirstName + " " + a.LastName)}[by]
	for _, id := range slices.Sorted(maps.Keys(s.st.Contacts)) {
		c := s.st.Contacts[id]
		if fuzzyScore(by, q, c.Attrs.Email, c.Attrs.Phone, c.Attrs.FirstName, c.Attrs.LastName) == 2 {
			return id
		}
	}
	return 0
}

// applyProspectLocked copies the case fields of in onto p. On update, person
// fields go to the linked contact. It returns a validation message or "".
func (s *Server) applyProspectLocked(p *prospectRec, in params, update bool) string {
	for k, dst := range map[string]*string{"case_title": &p.Attrs.CaseTitle, "case_number": &p.Attrs.CaseNumber, "case_blurb": &p.Attrs.CaseBlurb} {
		if v, ok := in.str(k); ok {
			*dst = v
		}
	}
	if v, ok := in.str("status"); ok {
		v = strings.ToLower(v)
		if v != lawmatics.StatusPNC && v != lawmatics.StatusHired && v != lawmatics.StatusLost {
			return fmt.Sprintf("Status %q is not included in the list", v)
		}
		p.Attrs.Status = v
	}
	if id, ok, bad := in.id("practice_area_id"); ok {
		if bad || s.st.PracticeAreas[id] == nil {
			return "Practice area must exist"
		}
		p.PracticeAreaID = id
	}
	if id, ok, bad := in.id("sub_status_id"); ok {
		ss := s.st.SubStatuses[id]
		if bad || ss == nil {
			return "Sub status must exist"
		}
		p.SubStatusID = id
		if _, set := in["status"]; !set {
			p.Attrs.Status = ss.Attrs.Status
		}
	}
	if ss := s.st.SubStatuses[p.SubStatusID]; ss != nil && ss.Attrs.Status != p.Attrs.Status {
		p.SubStatusID = 0 // a sub-status belongs to one status
	}
	cfs, err := in.customFields()
	if err == nil {
		err = s.applyCustomLocked("prospect", p.Custom, cfs)
	}
	if err != nil {
		return err.Error()
	}
	if update {
		if id, ok, bad := in.id("contact_id"); ok {
			if bad || s.st.Contacts[id] == nil {
				return "Contact must exist"
			}
			p.ContactID = id
		}
		person := params{"first_name": in["first_name"], "last_name": in["last_name"], "email": in["email"], "phone": in["phone"]}.present()
		if c := s.st.Contacts[p.ContactID]; c != nil && len(person) > 0 {
			if msg := s.applyContactLocked(c, person); msg != "" {
				return msg
			}
			c.Attrs.UpdatedAt = s.stamp()
		}
	}
	return ""
}

func (s *Server) updateProspect(w http.ResponseWriter, r *http.Request) {
	in, err := readParams(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupProspectLocked(w, r)
	if p == nil {
		return
	}
	next := *p
	next.Custom = maps.Clone(p.Custom)
	wasHired := p.Attrs.Status == lawmatics.StatusHired
	if msg := s.applyProspectLocked(&next, in, true); msg != "" {
		writeInvalid(w, r, msg)
		return
	}
	next.Attrs.UpdatedAt = s.stamp()
	*p = next
	s.copyPersonLocked(p)
	s.addInlineNotesLocked("Prospect", p.ID, in.notes())
	if !wasHired && p.Attrs.Status == lawmatics.StatusHired {
		s.convertLocked(p)
	}
	serveOne(w, r, http.StatusOK, s.wire(s.prospectLocked(p)), nil)
}

// convertLocked records a hire: converted_date now (a plain date in the
// firm's zone unless Options.ConvertedDateTime) and a matter.converted
// webhook. The caller holds s.mu and has set status hired.
func (s *Server) convertLocked(p *prospectRec) {
	t := s.stamp()
	conv := t
	if !s.opts.ConvertedDateTime {
		y, m, d := t.Date()
		conv = lawmatics.Time{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), DateOnly: true}
	}
	p.Attrs.ConvertedDate = &conv
	p.Attrs.UpdatedAt = t
	s.fireLocked(lawmatics.EventMatterConverted, s.prospectLocked(p))
}

func (s *Server) deleteProspect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupProspectLocked(w, r)
	if p == nil {
		return
	}
	out := s.wire(s.prospectLocked(p))
	delete(s.st.Prospects, p.ID)
	serveOne(w, r, http.StatusOK, out, nil)
}

// findProspect serves /v1/prospects/find_by_{email|phone|name}/{value},
// matching the prospect's person fields like findContact.
func (s *Server) findProspect(by string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.PathValue("value")
		s.mu.Lock()
		defer s.mu.Unlock()
		var best *prospectRec
		bestScore := 0
		for _, id := range slices.Sorted(maps.Keys(s.st.Prospects)) {
			p := s.st.Prospects[id]
			a := s.prospectLocked(p).Attributes
			if sc := fuzzyScore(by, q, a.Email, a.Phone, a.FirstName, a.LastName); sc > bestScore {
				best, bestScore = p, sc
			}
		}
		if best == nil {
			writeError(w, r, http.StatusNotFound, "Not found", "Prospect with "+by+" "+q+" was not found.")
			return
		}
		serveOne(w, r, http.StatusOK, s.wire(s.prospectLocked(best)), prospectDefaults())
	}
}

func (s *Server) listSubStatuses(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var rows []row
	for _, ss := range s.st.SubStatuses {
		// List rows carry "relationships":{} as the vendor's example shows.
		rows = append(rows, newRow(lawmatics.SubStatus{ID: idString(ss.ID), Type: lawmatics.TypeSubStatus, Attributes: ss.Attrs,
			Relationships: map[string]json.RawMessage{}}, nil))
	}
	s.mu.Unlock()
	serveList(w, r, newListSpec("/v1/sub_status", nil, lawmatics.SubStatusAttributes{}), rows)
}

func (s *Server) listPracticeAreas(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var rows []row
	for _, pa := range s.st.PracticeAreas {
		rows = append(rows, newRow(lawmatics.PracticeArea{ID: idString(pa.ID), Type: lawmatics.TypePracticeArea, Attributes: pa.Attrs}, nil))
	}
	s.mu.Unlock()
	serveList(w, r, newListSpec("/v1/practice_area", nil, lawmatics.PracticeAreaAttributes{}), rows)
}
