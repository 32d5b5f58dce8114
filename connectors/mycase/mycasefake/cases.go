package mycasefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
)

// staffView is StaffNestedResponse.
type staffView struct {
	ID                int64   `json:"id"`
	LeadLawyer        bool    `json:"lead_lawyer"`
	OriginatingLawyer bool    `json:"originating_lawyer"`
	CaseRate          *string `json:"case_rate"`
}

// caseView is CaseResponse. The properties the schema types string|null
// are null when unset; office is not modelled and left out.
type caseView struct {
	ID                 int64          `json:"id"`
	Name               string         `json:"name"`
	CaseNumber         *string        `json:"case_number"`
	Description        string         `json:"description"`
	OpenedDate         *string        `json:"opened_date"`
	ClosedDate         *string        `json:"closed_date"`
	SolDate            *string        `json:"sol_date"`
	PracticeArea       *string        `json:"practice_area"`
	CaseStage          *string        `json:"case_stage"`
	Status             string         `json:"status"`
	OutstandingBalance json.Number    `json:"outstanding_balance"`
	BillingContact     *mycase.IDRef  `json:"billing_contact,omitempty"`
	BillingType        string         `json:"billing_type"`
	Clients            []mycase.IDRef `json:"clients"`
	Companies          []mycase.IDRef `json:"companies"`
	Staff              []staffView    `json:"staff"`
	CustomFieldValues  []cfvView      `json:"custom_field_values"`
	UpdatedAt          string         `json:"updated_at"`
	CreatedAt          string         `json:"created_at"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func refs(ids []int64) []mycase.IDRef {
	out := []mycase.IDRef{}
	for _, id := range ids {
		out = append(out, mycase.IDRef{ID: id})
	}
	return out
}

// caseViewLocked renders a stored case; the caller holds mu.
func (s *Server) caseViewLocked(c *caseRec) caseView {
	v := caseView{ID: c.ID, Name: c.Name, CaseNumber: nullable(c.CaseNumber), Description: c.Description,
		OpenedDate: nullable(c.OpenedDate), ClosedDate: nullable(c.ClosedDate), SolDate: nullable(c.SolDate),
		PracticeArea: nullable(c.PracticeArea), CaseStage: nullable(c.CaseStage), Status: c.Status,
		OutstandingBalance: c.OutstandingBalance, Clients: refs(c.Clients), Companies: refs(c.Companies), Staff: []staffView{},
		CustomFieldValues: s.cfvViewsLocked(c.CFV), UpdatedAt: stamp(c.UpdatedAt), CreatedAt: stamp(c.CreatedAt)}
	if v.OutstandingBalance == "" {
		v.OutstandingBalance = "0"
	}
	if c.BillingContact != 0 {
		v.BillingContact = &mycase.IDRef{ID: c.BillingContact}
	}
	for _, st := range c.Staff {
		v.Staff = append(v.Staff, staffView{ID: st.ID, LeadLawyer: st.LeadLawyer, OriginatingLawyer: st.OriginatingLawyer})
	}
	return v
}

func caseUpdated(c *caseRec) time.Time { return c.UpdatedAt }

// caseWrite is CaseRequest.
type caseWrite struct {
	Name               *string         `json:"name"`
	CaseNumber         *string         `json:"case_number"`
	OpenedDate         *string         `json:"opened_date"`
	CaseStage          *string         `json:"case_stage"`
	PracticeArea       *string         `json:"practice_area"`
	Description        *string         `json:"description"`
	SolDate            *string         `json:"sol_date"`
	Status             *string         `json:"status"`
	OutstandingBalance *json.Number    `json:"outstanding_balance"`
	BillingContact     *mycase.IDRef   `json:"billing_contact"`
	Contacts           json.RawMessage `json:"contacts"` // deprecated
	Clients            []mycase.IDRef  `json:"clients"`
	Companies          []mycase.IDRef  `json:"companies"`
	Staff              []staffLink     `json:"staff"`
	CustomFieldValues  []cfvWrite      `json:"custom_field_values"`
}

// applyCaseLocked validates w and applies it to c (a copy; ID 0 for a new
// case), leaving omitted properties unchanged [U: whether PUT clears them
// is undocumented]. name is required on create and PUT, and unique. The
// caller holds mu.
func (s *Server) applyCaseLocked(c *caseRec, w caseWrite) error {
	if blank(w.Name) {
		return invalid("/name", "name can't be blank")
	}
	name := strings.TrimSpace(*w.Name)
	for _, o := range s.st.Cases.all() {
		// [U] Uniqueness is read case-insensitively: the stricter reading.
		if o.ID != c.ID && strings.EqualFold(o.Name, name) {
			return invalid("/name", "name has already been taken")
		}
	}
	switch {
	case len(w.Contacts) > 0 && w.Clients != nil:
		return invalid("/contacts", "contacts is deprecated and cannot be used with clients")
	case len(w.Contacts) > 0:
		return invalid("/contacts", "contacts is deprecated; use clients")
	case w.Status != nil && *w.Status != "open" && *w.Status != "closed":
		return invalid("/status", "status must be open or closed")
	case w.OpenedDate != nil && *w.OpenedDate != "" && !parseDate(*w.OpenedDate):
		return invalid("/opened_date", "opened_date must be an ISO 8601 date")
	case w.SolDate != nil && *w.SolDate != "" && !parseDate(*w.SolDate):
		return invalid("/sol_date", "sol_date must be an ISO 8601 date without a time")
	}
	for i, ref := range w.Clients {
		if _, ok := s.st.People.get(ref.ID); !ok {
			return invalid(fmt.Sprintf("/clients/%d/id", i), "client %d does not exist", ref.ID)
		}
	}
	for i, ref := range w.Companies {
		// Companies are not modelled: none exists.
		return invalid(fmt.Sprintf("/companies/%d/id", i), "company %d does not exist", ref.ID)
	}
	for i, st := range w.Staff {
		if st.ID != s.st.Me.ID {
			return invalid(fmt.Sprintf("/staff/%d/id", i), "staff member %d does not exist", st.ID)
		}
	}
	if w.BillingContact != nil {
		if _, ok := s.st.People.get(w.BillingContact.ID); !ok {
			return invalid("/billing_contact/id", "billing contact %d does not exist", w.BillingContact.ID)
		}
		c.BillingContact = w.BillingContact.ID
	}
	cfv, err := s.applyCFVLocked("case", w.CustomFieldValues, c.CFV)
	if err != nil {
		return err
	}
	c.CFV = cfv
	c.Name = name
	if w.CaseNumber != nil {
		c.CaseNumber = strings.TrimSpace(*w.CaseNumber)
	}
	if w.Description != nil {
		c.Description = *w.Description
	}
	if w.OpenedDate != nil {
		c.OpenedDate = *w.OpenedDate
	}
	if w.SolDate != nil {
		c.SolDate = *w.SolDate
	}
	if w.PracticeArea != nil {
		c.PracticeArea = lookupNameLocked(&s.st.PracticeAreas, *w.PracticeArea)
	}
	if w.CaseStage != nil {
		c.CaseStage = lookupNameLocked(&s.st.CaseStages, *w.CaseStage)
	}
	if w.OutstandingBalance != nil {
		c.OutstandingBalance = *w.OutstandingBalance
	}
	if w.Status != nil && *w.Status != c.Status {
		c.Status = *w.Status
		c.ClosedDate = ""
		if c.Status == "closed" {
			c.ClosedDate = s.now().Format(time.DateOnly)
		}
	}
	if c.Status == "" {
		c.Status = "open"
	}
	if w.Clients != nil {
		c.Clients = nil
		for _, ref := range w.Clients {
			if !slices.Contains(c.Clients, ref.ID) {
				c.Clients = append(c.Clients, ref.ID)
			}
		}
	}
	if w.Staff != nil {
		c.Staff = slices.Clone(w.Staff)
	}
	return nil
}

// createCaseLocked stores a new case and fires case "created".
func (s *Server) createCaseLocked(w caseWrite) (*caseRec, error) {
	now := s.now()
	c := &caseRec{CreatedAt: now, UpdatedAt: now}
	if err := s.applyCaseLocked(c, w); err != nil {
		return nil, err
	}
	c.ID = s.nextIDLocked("case")
	s.st.Cases.put(c.ID, c)
	s.caseFolderLocked(c.ID, "")
	s.emitLocked("case", "created", s.caseViewLocked(c))
	return c, nil
}

// updateCaseLocked applies w to case id and fires case "updated".
func (s *Server) updateCaseLocked(id int64, w caseWrite) (*caseRec, error) {
	old, ok := s.st.Cases.get(id)
	if !ok {
		return nil, notFoundErr()
	}
	c := *old
	c.CFV, c.Clients, c.Staff = slices.Clone(old.CFV), slices.Clone(old.Clients), slices.Clone(old.Staff)
	if err := s.applyCaseLocked(&c, w); err != nil {
		return nil, err
	}
	c.UpdatedAt = s.now()
	s.st.Cases.put(id, &c)
	s.emitLocked("case", "updated", s.caseViewLocked(&c))
	return &c, nil
}

// deleteCaseLocked removes a case with its notes and documents and fires
// case "deleted" with the record as it was.
func (s *Server) deleteCaseLocked(id int64) error {
	c, ok := s.st.Cases.get(id)
	if !ok {
		return notFoundErr()
	}
	view := s.caseViewLocked(c)
	s.st.Cases.del(id)
	for _, n := range s.st.Notes.all() {
		if n.CaseID == id {
			s.st.Notes.del(n.ID)
		}
	}
	for _, d := range s.st.Documents.all() {
		if d.CaseID == id {
			s.deleteDocumentLocked(d.ID)
		}
	}
	for _, f := range s.st.Folders.all() {
		if f.CaseID == id {
			s.st.Folders.del(f.ID)
		}
	}
	s.emitLocked("case", "deleted", view)
	return nil
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	q, err := s.parseList(r, listSpec{sized: true, updatedAfter: true})
	if err != nil {
		writeErr(w, err)
		return
	}
	status := r.URL.Query().Get("filter[status]")
	if status != "" && status != "open" && status != "closed" {
		writeErr(w, badParam("filter[status]", `filter[status] must be "open" or "closed"`))
		return
	}
	match := func(c *caseRec) bool { return status == "" || c.Status == status }
	s.mu.Lock()
	pg := pageLocked(s, r, q, &s.st.Cases, caseUpdated, match, func(c *caseRec) any { return s.caseViewLocked(c) })
	s.mu.Unlock()
	writePage(w, pg)
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	c, found := s.st.Cases.get(id)
	var v caseView
	if found {
		v = s.caseViewLocked(c)
	}
	s.mu.Unlock()
	if !found {
		writeErr(w, notFoundErr())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) createCase(w http.ResponseWriter, r *http.Request) {
	var in caseWrite
	if err := decodeBody(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	c, err := s.createCaseLocked(in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.caseViewLocked(c))
}

func (s *Server) putCase(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	var in caseWrite
	if err := decodeBody(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	if _, err := s.updateCaseLocked(id, in); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteCase(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	defer s.unlockAndFlush()
	if err := s.deleteCaseLocked(id); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
