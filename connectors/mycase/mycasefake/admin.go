package mycasefake

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/firmsync/firmsync/connectors/mycase"
)

// This file holds the "a person did it in MyCase's own UI" methods. Each
// changes state as the UI would and fires the webhooks MyCase would fire.

// PersonInput describes a person created or edited in the UI. Empty
// fields are left unchanged by UpdatePerson.
type PersonInput struct {
	FirstName, MiddleName, LastName string
	Email                           string
	CellPhone, WorkPhone, HomePhone string
	FaxPhone                        string
	Notes                           string
}

// CaseInput describes a case created in the UI.
type CaseInput struct {
	Name         string  // required, unique
	CaseNumber   string  // "" = none
	Description  string  // free text
	Status       string  // open (default) or closed
	PracticeArea string  // a practice area's name; unknown = blank
	CaseStage    string  // a case stage's name; unknown = blank
	OpenedDate   string  // YYYY-MM-DD; "" = none
	ClientIDs    []int64 // the case's clients
}

// CasePatch is an edit of a case in the UI; empty fields are unchanged.
type CasePatch struct {
	Name         string
	CaseNumber   string
	Description  string
	Status       string // open or closed
	PracticeArea string
	CaseStage    string
	ClientIDs    []int64          // nil = unchanged; replaces the clients
	CustomFields map[int64]string // custom field id → value
}

// convert re-reads a rendered view as the client's type, so the admin
// methods return exactly what the client would read.
func convert[T any](view any) T {
	var out T
	b, _ := json.Marshal(view)
	_ = json.Unmarshal(b, &out)
	return out
}

// asError turns an apiErr from a locked helper into a wrapped error.
func asError(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("mycasefake %s: %w", op, err)
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func personWrite(in PersonInput) clientWrite {
	return clientWrite{FirstName: opt(in.FirstName), MiddleName: opt(in.MiddleName), LastName: opt(in.LastName),
		Email: opt(in.Email), CellPhoneNumber: opt(in.CellPhone), WorkPhoneNumber: opt(in.WorkPhone),
		HomePhoneNumber: opt(in.HomePhone), FaxPhoneNumber: opt(in.FaxPhone), Notes: opt(in.Notes)}
}

// CreatePerson adds a client (person), firing client "created".
func (s *Server) CreatePerson(in PersonInput) (mycase.Person, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	p, err := s.createPersonLocked(personWrite(in))
	if err != nil {
		return mycase.Person{}, asError("create person", err)
	}
	return convert[mycase.Person](s.clientViewLocked(p)), nil
}

// UpdatePerson edits a client, firing client "updated".
func (s *Server) UpdatePerson(id int64, in PersonInput) (mycase.Person, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	cur, ok := s.st.People.get(id)
	if !ok {
		return mycase.Person{}, asError("update person", notFoundErr())
	}
	w := personWrite(in)
	// The UI always submits the names.
	if w.FirstName == nil {
		w.FirstName = &cur.FirstName
	}
	if w.LastName == nil {
		w.LastName = &cur.LastName
	}
	p, err := s.updatePersonLocked(id, w)
	if err != nil {
		return mycase.Person{}, asError("update person", err)
	}
	return convert[mycase.Person](s.clientViewLocked(p)), nil
}

// DeletePerson deletes a client, firing client "deleted".
func (s *Server) DeletePerson(id int64) error {
	s.mu.Lock()
	defer s.unlockAndFlush()
	return asError("delete person", s.deletePersonLocked(id))
}

// Person returns a client as the API would render it.
func (s *Server) Person(id int64) (mycase.Person, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.People.get(id)
	if !ok {
		return mycase.Person{}, false
	}
	return convert[mycase.Person](s.clientViewLocked(p)), true
}

// CreateCase adds a case, firing case "created".
func (s *Server) CreateCase(in CaseInput) (mycase.Case, error) {
	w := caseWrite{Name: &in.Name, CaseNumber: opt(in.CaseNumber), Description: opt(in.Description),
		Status: opt(strings.ToLower(in.Status)), PracticeArea: opt(in.PracticeArea), CaseStage: opt(in.CaseStage),
		OpenedDate: opt(in.OpenedDate)}
	for _, id := range in.ClientIDs {
		w.Clients = append(w.Clients, mycase.IDRef{ID: id})
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	c, err := s.createCaseLocked(w)
	if err != nil {
		return mycase.Case{}, asError("create case", err)
	}
	return convert[mycase.Case](s.caseViewLocked(c)), nil
}

// UpdateCase edits a case, firing case "updated".
func (s *Server) UpdateCase(id int64, p CasePatch) (mycase.Case, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	cur, ok := s.st.Cases.get(id)
	if !ok {
		return mycase.Case{}, asError("update case", notFoundErr())
	}
	name := p.Name
	if name == "" {
		name = cur.Name
	}
	w := caseWrite{Name: &name, CaseNumber: opt(p.CaseNumber), Description: opt(p.Description),
		Status: opt(strings.ToLower(p.Status)), PracticeArea: opt(p.PracticeArea), CaseStage: opt(p.CaseStage)}
	if p.ClientIDs != nil {
		w.Clients = []mycase.IDRef{}
		for _, cid := range p.ClientIDs {
			w.Clients = append(w.Clients, mycase.IDRef{ID: cid})
		}
	}
	for fid, v := range p.CustomFields {
		w.CustomFieldValues = append(w.CustomFieldValues, cfvWrite{CustomField: &mycase.IDRef{ID: fid}, Value: v})
	}
	c, err := s.updateCaseLocked(id, w)
	if err != nil {
		return mycase.Case{}, asError("update case", err)
	}
	return convert[mycase.Case](s.caseViewLocked(c)), nil
}

// DeleteCase deletes a case with its notes and documents, firing case
// "deleted".
func (s *Server) DeleteCase(id int64) error {
	s.mu.Lock()
	defer s.unlockAndFlush()
	return asError("delete case", s.deleteCaseLocked(id))
}

// Case returns a case as the API would render it.
func (s *Server) Case(id int64) (mycase.Case, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.Cases.get(id)
	if !ok {
		return mycase.Case{}, false
	}
	return convert[mycase.Case](s.caseViewLocked(c)), true
}

// AddDocument uploads a document to a case's root folder as the UI would
// (record and file at once). Documents fire no webhooks.
func (s *Server) AddDocument(caseID int64, name string, content []byte) (mycase.Document, error) {
	if len(content) > MaxUploadSize {
		return mycase.Document{}, fmt.Errorf("mycasefake add document: %d bytes is over the %d-byte cap", len(content), MaxUploadSize)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, v, err := s.addDocumentLocked(caseID, documentWrite{Path: &name, Filename: &name})
	if err != nil {
		return mycase.Document{}, asError("add document", err)
	}
	v.Content, v.Received = append([]byte(nil), content...), true
	return convert[mycase.Document](documentViewOf(d)), nil
}

// DocumentContent returns the bytes of a document's latest version, or
// false when there is none or they never arrived.
func (s *Server) DocumentContent(docID int64) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.latestVersionLocked(docID)
	if v == nil || !v.Received {
		return nil, false
	}
	return append([]byte(nil), v.Content...), true
}

// Notes returns every note, in id order.
func (s *Server) Notes() []mycase.Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []mycase.Note
	for _, n := range s.st.Notes.all() {
		out = append(out, convert[mycase.Note](noteViewOf(n)))
	}
	return out
}

// AddPracticeArea adds a practice area unless one of that name (in any
// case) exists.
func (s *Server) AddPracticeArea(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if lookupNameLocked(&s.st.PracticeAreas, name) == "" && strings.TrimSpace(name) != "" {
		s.addNamedLocked(&s.st.PracticeAreas, "practice_area", strings.TrimSpace(name))
	}
}

// AddCustomField defines a custom field as the UI would.
func (s *Server) AddCustomField(name, parentType, fieldType string, options ...string) (mycase.CustomField, error) {
	in := customFieldWrite{Name: &name, ParentType: &parentType, FieldType: &fieldType}
	for _, o := range options {
		in.ListOptions = append(in.ListOptions, struct {
			OptionValue *string `json:"option_value"`
		}{OptionValue: &o})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.createFieldLocked(in)
	if err != nil {
		return mycase.CustomField{}, asError("add custom field", err)
	}
	return convert[mycase.CustomField](fieldView(f)), nil
}
