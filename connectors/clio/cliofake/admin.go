package cliofake

import (
	"fmt"
	"strings"

	"github.com/firmsync/firmsync/connectors/clio"
)

// This file holds the "a person did it in Clio's UI" methods. Each changes
// state as the UI would and fires the webhooks Clio would fire.

// ContactInput describes a person created or edited in the UI. Empty
// fields are left unchanged by UpdateContact.
type ContactInput struct {
	FirstName string // given name
	LastName  string // family name
	Email     string // primary (Work) email address
	Phone     string // primary (Work) phone number
}

// MatterInput describes a matter created in the UI.
type MatterInput struct {
	Description  string // required
	ClientID     int64  // client contact; 0 picks ClientName or the lowest-id contact, creating one if none exists
	ClientName   string // with ClientID 0: create a Person client with this "First Last" name
	PracticeArea string // practice area name; created when unknown; "" means none
	Status       string // Open (default), Pending or Closed
}

// MatterPatch is an edit of a matter in the UI; empty fields are unchanged.
type MatterPatch struct {
	Status      string // Open, Pending or Closed (any case)
	Description string // new description
}

func ptr[T any](v T) *T { return &v }

// asError turns an apiErr from a locked helper into a wrapped error.
func asError(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cliofake %s: %w", op, err)
}

// CreateContact adds a Person contact, firing contact "created".
func (s *Server) CreateContact(in ContactInput) (clio.Contact, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	c, err := s.createContactLocked(contactWrite(in, true))
	if err != nil {
		return clio.Contact{}, asError("create contact", err)
	}
	return *s.contactViewLocked(c), nil
}

func contactWrite(in ContactInput, create bool) clio.ContactWrite {
	w := clio.ContactWrite{}
	if create {
		w.Type = ptr("Person")
		w.Name = ptr(strings.TrimSpace(in.FirstName + " " + in.LastName))
	}
	if in.FirstName != "" || create {
		w.FirstName = ptr(in.FirstName)
	}
	if in.LastName != "" || create {
		w.LastName = ptr(in.LastName)
	}
	if create && in.Email != "" {
		w.EmailAddresses = []clio.EmailAddressWrite{{Address: in.Email, Name: "Work", DefaultEmail: ptr(true)}}
	}
	if create && in.Phone != "" {
		w.PhoneNumbers = []clio.PhoneNumberWrite{{Number: in.Phone, Name: "Work", DefaultNumber: ptr(true)}}
	}
	return w
}

// UpdateContact edits a contact: names, and the primary email/phone
// (replacing the current primary's value, or adding one), firing "updated".
func (s *Server) UpdateContact(id int64, in ContactInput) (clio.Contact, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	cur, ok := s.st.Contacts.get(id)
	if !ok {
		return clio.Contact{}, fmt.Errorf("cliofake update contact %d: not found", id)
	}
	w := contactWrite(in, false)
	if in.Email != "" {
		e := clio.EmailAddressWrite{Address: in.Email, Name: "Work", DefaultEmail: ptr(true)}
		for _, have := range cur.EmailAddresses {
			if have.Primary {
				e.ID, e.Name = have.ID, ""
			}
		}
		w.EmailAddresses = []clio.EmailAddressWrite{e}
	}
	if in.Phone != "" {
		p := clio.PhoneNumberWrite{Number: in.Phone, Name: "Work", DefaultNumber: ptr(true)}
		for _, have := range cur.PhoneNumbers {
			if have.Primary {
				p.ID, p.Name = have.ID, ""
			}
		}
		w.PhoneNumbers = []clio.PhoneNumberWrite{p}
	}
	c, err := s.updateContactLocked(id, w)
	if err != nil {
		return clio.Contact{}, asError("update contact", err)
	}
	return *s.contactViewLocked(c), nil
}

// DeleteContact removes a contact, firing "deleted". A contact that is a
// matter's client cannot be deleted.
func (s *Server) DeleteContact(id int64) error {
	s.mu.Lock()
	defer s.unlockAndFlush()
	return asError("delete contact", s.deleteContactLocked(id))
}

// Contact returns a contact as the API renders it with every field.
func (s *Server) Contact(id int64) (clio.Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.Contacts.get(id)
	if !ok {
		return clio.Contact{}, false
	}
	return *s.contactViewLocked(c), true
}

// Contacts returns up to limit contacts in id order, as a person browsing
// Clio sees them (no API call, no rate limit).
func (s *Server) Contacts(limit int) []clio.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []clio.Contact
	for _, c := range s.st.Contacts.all() {
		if limit > 0 && len(out) >= limit {
			break
		}
		out = append(out, *s.contactViewLocked(c))
	}
	return out
}

// CreateMatter opens a matter, firing matter "created".
func (s *Server) CreateMatter(in MatterInput) (clio.Matter, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	clientID := in.ClientID
	if clientID == 0 {
		if in.ClientName == "" && len(s.st.Contacts.ids) > 0 {
			clientID = s.st.Contacts.ids[0]
		} else {
			name := cmpOr(in.ClientName, "Jordan Client")
			first, last, _ := strings.Cut(name, " ")
			c, err := s.createContactLocked(clio.ContactWrite{Type: ptr("Person"), Name: ptr(name), FirstName: ptr(first), LastName: ptr(last)})
			if err != nil {
				return clio.Matter{}, asError("create matter client", err)
			}
			clientID = c.ID
		}
	}
	w := clio.MatterWrite{Description: ptr(in.Description), Client: &clio.IDRef{ID: clientID}, Status: ptr(strings.ToLower(cmpOr(in.Status, "open")))}
	if in.PracticeArea != "" {
		var paID int64
		for _, pa := range s.st.PracticeAreas.all() {
			if strings.EqualFold(pa.Name, in.PracticeArea) {
				paID = pa.ID
			}
		}
		if paID == 0 {
			pa, err := s.createPracticeAreaLocked(clio.PracticeAreaWrite{Name: in.PracticeArea})
			if err != nil {
				return clio.Matter{}, asError("create practice area", err)
			}
			paID = pa.ID
		}
		w.PracticeArea = &clio.IDRef{ID: paID}
	}
	m, err := s.createMatterLocked(w)
	if err != nil {
		return clio.Matter{}, asError("create matter", err)
	}
	return *s.matterViewLocked(m), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// UpdateMatter edits a matter's status and/or description, firing "updated"
// and, on a status change, matter_opened / matter_pended / matter_closed.
func (s *Server) UpdateMatter(id int64, p MatterPatch) (clio.Matter, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	var w clio.MatterWrite
	if p.Status != "" {
		w.Status = ptr(strings.ToLower(p.Status))
	}
	if p.Description != "" {
		w.Description = ptr(p.Description)
	}
	m, err := s.updateMatterLocked(id, w)
	if err != nil {
		return clio.Matter{}, asError(fmt.Sprintf("update matter %d", id), err)
	}
	return *s.matterViewLocked(m), nil
}

// Matter returns a matter with client, practice area and custom field
// values resolved, for assertions.
func (s *Server) Matter(id int64) (clio.Matter, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.st.Matters.get(id)
	if !ok {
		return clio.Matter{}, false
	}
	return *s.matterViewLocked(m), true
}

// AddDocument uploads a file to a matter as a person would: a new document,
// or a new version when the matter already has a document of that name.
// Fires document "created" or "updated".
func (s *Server) AddDocument(matterID int64, name string, content []byte) (clio.Document, error) {
	if len(content) > MaxUploadSize {
		return clio.Document{}, fmt.Errorf("cliofake add document: %d bytes exceed MaxUploadSize", len(content))
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	if _, ok := s.st.Matters.get(matterID); !ok {
		return clio.Document{}, fmt.Errorf("cliofake add document: matter %d not found", matterID)
	}
	var existing *clio.Document
	for _, d := range s.st.Documents.all() {
		if d.Matter != nil && d.Matter.ID == matterID && d.Name == name {
			existing = d
		}
	}
	parent := &clio.ParentRef{ID: matterID, Type: "Matter"}
	if existing != nil {
		parent = &clio.ParentRef{ID: existing.ID, Type: "Document"}
	}
	d, err := s.startDocumentLocked(clio.DocumentWrite{Name: name, Parent: parent}, "")
	if err != nil {
		return clio.Document{}, asError("add document", err)
	}
	dv, _ := s.st.Versions.get(d.LatestDocumentVersion.ID)
	dv.Content, dv.Received = append([]byte(nil), content...), true
	d, err = s.patchDocumentLocked(d, clio.DocumentWrite{UUID: dv.Version.UUID, FullyUploaded: ptr(true)})
	if err != nil {
		return clio.Document{}, asError("add document", err)
	}
	return *s.docViewLocked(d), nil
}

// DocumentContent returns the bytes of a document's latest fully uploaded
// version.
func (s *Server) DocumentContent(docID int64) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.st.Documents.get(docID)
	if !ok || d.LatestDocumentVersion == nil {
		return nil, false
	}
	dv, ok := s.st.Versions.get(d.LatestDocumentVersion.ID)
	if !ok || !dv.Version.FullyUploaded {
		return nil, false
	}
	return append([]byte(nil), dv.Content...), true
}

// Notes returns every note in id order, with matter/contact resolved.
func (s *Server) Notes() []clio.Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []clio.Note
	for _, n := range s.st.Notes.all() {
		out = append(out, *s.noteViewLocked(n))
	}
	return out
}

// Note returns one note.
func (s *Server) Note(id int64) (clio.Note, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.st.Notes.get(id)
	if !ok {
		return clio.Note{}, false
	}
	return *s.noteViewLocked(n), true
}

// CreateCustomField defines a custom field as an admin would in settings.
func (s *Server) CreateCustomField(in clio.CustomFieldWrite) (clio.CustomField, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.createCustomFieldLocked(in)
	if err != nil {
		return clio.CustomField{}, asError("create custom field", err)
	}
	return *c, nil
}

// WhoAmI returns the user the API's tokens act as.
func (s *Server) WhoAmI() clio.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, _ := s.st.Users.get(s.st.WhoAmI)
	return *u
}

// SetWhoAmI replaces the account's user (keeping its id when u.ID is 0).
func (s *Server) SetWhoAmI(u clio.User) clio.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, _ := s.st.Users.get(s.st.WhoAmI)
	if u.ID == 0 {
		u.ID = old.ID
	}
	if u.Name == "" {
		u.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = old.CreatedAt
	}
	if u.SubscriptionType == "" {
		u.SubscriptionType = "Attorney"
	}
	u.Etag, u.UpdatedAt = s.etagLocked(), s.now()
	s.st.Users.put(u.ID, &u)
	s.st.WhoAmI = u.ID
	return u
}
