package mycasefake

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
)

// clientView is ClientResponse.
type clientView struct {
	ID                int64          `json:"id"`
	Email             string         `json:"email"`
	FirstName         string         `json:"first_name"`
	MiddleName        string         `json:"middle_name"`
	LastName          string         `json:"last_name"`
	Address           address        `json:"address"`
	CellPhoneNumber   string         `json:"cell_phone_number"`
	WorkPhoneNumber   string         `json:"work_phone_number"`
	HomePhoneNumber   string         `json:"home_phone_number"`
	FaxPhoneNumber    string         `json:"fax_phone_number"`
	PeopleGroup       *mycase.IDRef  `json:"people_group,omitempty"`
	Notes             string         `json:"notes"`
	Birthdate         string         `json:"birthdate"`
	Archived          bool           `json:"archived"`
	Cases             []mycase.IDRef `json:"cases"`
	CustomFieldValues []cfvView      `json:"custom_field_values"`
	UpdatedAt         string         `json:"updated_at"`
	CreatedAt         string         `json:"created_at"`
}

// clientViewLocked renders a stored person; the caller holds mu.
func (s *Server) clientViewLocked(p *person) clientView {
	v := clientView{ID: p.ID, Email: p.Email, FirstName: p.FirstName, MiddleName: p.MiddleName, LastName: p.LastName,
		Address: p.Address, CellPhoneNumber: p.Cell, WorkPhoneNumber: p.Work, HomePhoneNumber: p.Home, FaxPhoneNumber: p.Fax,
		Notes: p.Notes, Birthdate: p.Birthdate, Archived: p.Archived, Cases: []mycase.IDRef{},
		CustomFieldValues: s.cfvViewsLocked(p.CFV), UpdatedAt: stamp(p.UpdatedAt), CreatedAt: stamp(p.CreatedAt)}
	if p.PeopleGroup != 0 {
		v.PeopleGroup = &mycase.IDRef{ID: p.PeopleGroup}
	}
	for _, c := range s.st.Cases.all() {
		if slices.Contains(c.Clients, p.ID) {
			v.Cases = append(v.Cases, mycase.IDRef{ID: c.ID})
		}
	}
	return v
}

// addressWrite is AddressRequest: all properties are required once the
// object is given.
type addressWrite struct {
	Address1 *string `json:"address1"`
	Address2 *string `json:"address2"`
	City     *string `json:"city"`
	State    *string `json:"state"`
	ZipCode  *string `json:"zip_code"`
	Country  *string `json:"country"`
}

// clientWrite is ClientRequest.
type clientWrite struct {
	Email             *string        `json:"email"`
	FirstName         *string        `json:"first_name"`
	MiddleInitial     *string        `json:"middle_initial"` // deprecated
	MiddleName        *string        `json:"middle_name"`
	LastName          *string        `json:"last_name"`
	Address           *addressWrite  `json:"address"`
	CellPhoneNumber   *string        `json:"cell_phone_number"`
	WorkPhoneNumber   *string        `json:"work_phone_number"`
	HomePhoneNumber   *string        `json:"home_phone_number"`
	FaxPhoneNumber    *string        `json:"fax_phone_number"`
	Birthdate         *string        `json:"birthdate"`
	Notes             *string        `json:"notes"`
	PeopleGroup       *mycase.IDRef  `json:"people_group"`
	Cases             []mycase.IDRef `json:"cases"`
	CustomFieldValues []cfvWrite     `json:"custom_field_values"`
}

// applyClientLocked validates w and applies it to p (a copy), leaving
// omitted properties unchanged [U: whether PUT clears them is
// undocumented]. first_name and last_name are required on create and
// PUT. The caller holds mu.
func (s *Server) applyClientLocked(p *person, w clientWrite) error {
	switch {
	case blank(w.FirstName):
		return invalid("/first_name", "first_name can't be blank")
	case blank(w.LastName):
		return invalid("/last_name", "last_name can't be blank")
	case w.MiddleInitial != nil && w.MiddleName != nil:
		return invalid("/middle_initial", "middle_initial and middle_name cannot both be given")
	case w.Birthdate != nil && *w.Birthdate != "" && !parseDate(*w.Birthdate):
		return invalid("/birthdate", "birthdate must be an ISO 8601 date")
	case w.Email != nil && *w.Email != "" && !strings.Contains(*w.Email, "@"):
		return invalid("/email", "email is invalid")
	}
	for i, c := range w.Cases {
		if _, ok := s.st.Cases.get(c.ID); !ok {
			return invalid(fmt.Sprintf("/cases/%d/id", i), "case %d does not exist", c.ID)
		}
	}
	if a := w.Address; a != nil {
		for name, f := range map[string]*string{"address1": a.Address1, "address2": a.Address2, "city": a.City, "state": a.State, "zip_code": a.ZipCode, "country": a.Country} {
			if f == nil {
				return invalid("/address/"+name, "all address properties are required when address is given")
			}
		}
		p.Address = address{Address1: *a.Address1, Address2: *a.Address2, City: *a.City, State: *a.State, ZipCode: *a.ZipCode, Country: *a.Country}
	}
	cfv, err := s.applyCFVLocked("client", w.CustomFieldValues, p.CFV)
	if err != nil {
		return err
	}
	p.CFV = cfv
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&p.FirstName, w.FirstName)
	set(&p.LastName, w.LastName)
	set(&p.MiddleName, w.MiddleName)
	set(&p.MiddleName, w.MiddleInitial)
	set(&p.Email, w.Email)
	set(&p.Cell, w.CellPhoneNumber)
	set(&p.Work, w.WorkPhoneNumber)
	set(&p.Home, w.HomePhoneNumber)
	set(&p.Fax, w.FaxPhoneNumber)
	set(&p.Birthdate, w.Birthdate)
	set(&p.Notes, w.Notes)
	if w.PeopleGroup != nil {
		p.PeopleGroup = w.PeopleGroup.ID
	}
	return nil
}

// createPersonLocked stores a new person and fires client "created".
func (s *Server) createPersonLocked(w clientWrite) (*person, error) {
	now := s.now()
	p := &person{CreatedAt: now, UpdatedAt: now}
	if err := s.applyClientLocked(p, w); err != nil {
		return nil, err
	}
	p.ID = s.nextIDLocked("client")
	s.st.People.put(p.ID, p)
	s.linkCasesLocked(p.ID, w.Cases)
	s.emitLocked("client", "created", s.clientViewLocked(p))
	return p, nil
}

// updatePersonLocked applies w to person id and fires client "updated".
func (s *Server) updatePersonLocked(id int64, w clientWrite) (*person, error) {
	old, ok := s.st.People.get(id)
	if !ok {
		return nil, notFoundErr()
	}
	p := *old
	p.CFV = slices.Clone(old.CFV)
	if err := s.applyClientLocked(&p, w); err != nil {
		return nil, err
	}
	p.UpdatedAt = s.now()
	s.st.People.put(id, &p)
	s.linkCasesLocked(id, w.Cases)
	s.emitLocked("client", "updated", s.clientViewLocked(&p))
	return &p, nil
}

// linkCasesLocked adds the client to each case's clients.
func (s *Server) linkCasesLocked(clientID int64, cases []mycase.IDRef) {
	for _, ref := range cases {
		if c, ok := s.st.Cases.get(ref.ID); ok && !slices.Contains(c.Clients, clientID) {
			c.Clients = append(c.Clients, clientID)
			c.UpdatedAt = s.now()
		}
	}
}

func personUpdated(p *person) time.Time { return p.UpdatedAt }

// listClients serves GET /v1/clients with the spec's filters. [U] Their
// matching is undocumented; the fake reads them as: email a
// case-insensitive substring (so a client must re-check), first_name and
// last_name case-insensitive equality, and the phone filters equality
// with the number as stored (no normalisation: "555-010-2000" does not
// find "(555) 010-2000").
func (s *Server) listClients(w http.ResponseWriter, r *http.Request) {
	q, err := s.parseList(r, listSpec{sized: true, updatedAfter: true})
	if err != nil {
		writeErr(w, err)
		return
	}
	v := r.URL.Query()
	email := strings.ToLower(strings.TrimSpace(v.Get("filter[email]")))
	first, last := strings.TrimSpace(v.Get("filter[first_name]")), strings.TrimSpace(v.Get("filter[last_name]"))
	cell, work, home := strings.TrimSpace(v.Get("filter[cell_phone_number]")), strings.TrimSpace(v.Get("filter[work_phone_number]")), strings.TrimSpace(v.Get("filter[home_phone_number]"))
	match := func(p *person) bool {
		return (email == "" || strings.Contains(strings.ToLower(p.Email), email)) &&
			(first == "" || strings.EqualFold(p.FirstName, first)) &&
			(last == "" || strings.EqualFold(p.LastName, last)) &&
			(cell == "" || p.Cell == cell) && (work == "" || p.Work == work) && (home == "" || p.Home == home)
	}
	s.mu.Lock()
	pg := pageLocked(s, r, q, &s.st.People, personUpdated, match, func(p *person) any { return s.clientViewLocked(p) })
	s.mu.Unlock()
	writePage(w, pg)
}

func (s *Server) getClient(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeErr(w, notFoundErr())
		return
	}
	s.mu.Lock()
	p, found := s.st.People.get(id)
	var v clientView
	if found {
		v = s.clientViewLocked(p)
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) createClient(w http.ResponseWriter, r *http.Request) {
	var in clientWrite
	if err := decodeBody(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	p, err := s.createPersonLocked(in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.clientViewLocked(p))
}

func (s *Server) putClient(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeErr(w, notFoundErr())
		return
	}
	var in clientWrite
	if err := decodeBody(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	if _, err := s.updatePersonLocked(id, in); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteClient(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	defer s.unlockAndFlush()
	if err := s.deletePersonLocked(id); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deletePersonLocked removes a person, its notes and its case links, and
// fires client "deleted" with the record as it was.
func (s *Server) deletePersonLocked(id int64) error {
	p, ok := s.st.People.get(id)
	if !ok {
		return notFoundErr()
	}
	view := s.clientViewLocked(p)
	s.st.People.del(id)
	for _, c := range s.st.Cases.all() {
		if i := slices.Index(c.Clients, id); i >= 0 {
			c.Clients = slices.Delete(c.Clients, i, i+1)
			c.UpdatedAt = s.now()
		}
	}
	for _, n := range s.st.Notes.all() {
		if n.ClientID == id {
			s.st.Notes.del(n.ID)
		}
	}
	s.emitLocked("client", "deleted", view)
	return nil
}

// listClientCases serves GET /v1/clients/{id}/cases (Link paging, no
// documented parameters).
func (s *Server) listClientCases(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	q, err := s.parseList(r, listSpec{})
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	_, found := s.st.People.get(id)
	var pg page
	if found {
		pg = pageLocked(s, r, q, &s.st.Cases, caseUpdated, func(c *caseRec) bool { return slices.Contains(c.Clients, id) },
			func(c *caseRec) any { return s.caseViewLocked(c) })
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	writePage(w, pg)
}
