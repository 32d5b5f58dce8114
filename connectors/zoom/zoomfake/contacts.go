package zoomfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// contact is a Zoom Phone external contact.
type contact = zoom.ExternalContact

var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// codeContactNotFound answers an unknown external contact.
// [U] The facts give no code; the fake uses 404 with code 1001 (Zoom's
// "does not exist" family).
const codeContactNotFound = 1001

// codeContactExists answers a create whose caller-chosen id is taken.
// [U] The facts do not say; the fake refuses with 409 rather than
// overwriting or silently generating another ID.
const codeContactExists = 409

func errContactNotFound(id string) *zoom.Error {
	return apiError(http.StatusNotFound, codeContactNotFound, "External contact does not exist: "+id+".")
}

// validateContactLocked checks the merged contact c. The caller holds s.mu.
func (s *Server) validateContactLocked(c *contact, selfID string) *zoom.Error {
	var errs []zoom.FieldError
	add := func(field, msg string) { errs = append(errs, zoom.FieldError{Field: field, Message: msg}) }
	if c.Name == "" {
		add("name", "Name is required.")
	} else if len(c.Name) > 255 {
		add("name", "Name must be at most 255 characters.")
	}
	if len(c.Email) > 255 {
		add("email", "Email must be at most 255 characters.")
	}
	if len(c.PhoneNumbers) == 0 && c.ExtensionNumber == "" {
		add("phone_numbers", "Either phone_numbers or extension_number is required.")
	}
	for i, n := range c.PhoneNumbers {
		if !e164.MatchString(n) {
			add(fmt.Sprintf("phone_numbers[%d]", i), "Invalid field. Phone number must be in E.164 format.")
		}
	}
	if c.ExtensionNumber != "" {
		for id, o := range s.st.Contacts {
			if id != selfID && o.ExtensionNumber == c.ExtensionNumber {
				add("extension_number", "Extension number is already in use.")
				break
			}
		}
	}
	if errs == nil {
		return nil
	}
	e := apiError(http.StatusBadRequest, zoom.CodeValidation, "Validation Failed.")
	e.Errors = errs
	return e
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeError(w, apiError(http.StatusBadRequest, zoom.CodeValidation, "Request Body should be a valid JSON object."))
		return false
	}
	return true
}

// listContacts serves GET /v2/phone/external_contacts.
func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	const key = "external_contacts"
	p, perr := s.pageLocked(r, key)
	if perr != nil {
		writeError(w, perr)
		return
	}
	total := len(s.st.ContactOrder)
	lo, hi := p.bounds(total)
	out := zoom.ExternalContactList{
		ExternalContacts: []zoom.ExternalContact{}, PageSize: p.size, TotalRecords: total,
		NextPageToken: s.nextLocked(key, p, total),
	}
	for _, id := range s.st.ContactOrder[lo:hi] {
		out.ExternalContacts = append(out.ExternalContacts, cloneContact(s.st.Contacts[id]))
	}
	writeJSON(w, http.StatusOK, out)
}

func cloneContact(c *contact) zoom.ExternalContact {
	out := *c
	out.PhoneNumbers = append([]string{}, c.PhoneNumbers...)
	return out
}

// createContact serves POST /v2/phone/external_contacts.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	var in zoom.CreateExternalContactRequest
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.createContactLocked(in)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusCreated, zoom.CreateExternalContactResponse{Name: c.Name, ExternalContactID: c.ExternalContactID})
}

// AddExternalContact adds a Zoom Phone external contact as an admin would
// in the Zoom web portal, with the API's rules (name, E.164 numbers or an
// extension, unique extension and id). It returns the contact as GET
// /v2/phone/external_contacts/{id} would.
func (s *Server) AddExternalContact(in zoom.CreateExternalContactRequest) (zoom.ExternalContact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.createContactLocked(in)
	if e != nil {
		return zoom.ExternalContact{}, fmt.Errorf("zoomfake: add external contact: %w", e)
	}
	return cloneContact(c), nil
}

// createContactLocked validates and stores a new contact. The caller
// holds s.mu.
func (s *Server) createContactLocked(in zoom.CreateExternalContactRequest) (*contact, *zoom.Error) {
	// [U] The facts list external_contact_id (used in paths) and id (the
	// caller's own key) as two fields; the fake always generates the
	// former, so a client must use what the create answers, never assume
	// its own key is the path id.
	id := randomID(22)
	key := in.ID
	if key == "" {
		key = randomID(22)
	} else {
		for _, o := range s.st.Contacts {
			if o.ID == key {
				return nil, apiError(http.StatusConflict, codeContactExists, "External contact already exists: "+key+".")
			}
		}
	}
	c := &contact{
		ExternalContactID: id, ID: key, Name: in.Name, Email: in.Email, ExtensionNumber: in.ExtensionNumber,
		PhoneNumbers: append([]string{}, in.PhoneNumbers...), Description: in.Description,
		RoutingPath: in.RoutingPath, AutoCallRecorded: in.AutoCallRecorded,
	}
	if e := s.validateContactLocked(c, id); e != nil {
		return nil, e
	}
	s.st.Contacts[id] = c
	s.st.ContactOrder = append(s.st.ContactOrder, id)
	return c, nil
}

// getContact serves GET /v2/phone/external_contacts/{id}.
func (s *Server) getContact(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.Contacts[id]
	if c == nil {
		writeError(w, errContactNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, cloneContact(c))
}

// updateContact serves PATCH /v2/phone/external_contacts/{id} → 204.
func (s *Server) updateContact(w http.ResponseWriter, r *http.Request, id string) {
	var in zoom.UpdateExternalContactRequest
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.Contacts[id]
	if c == nil {
		writeError(w, errContactNotFound(id))
		return
	}
	next := cloneContact(c)
	if in.Name != nil {
		next.Name = *in.Name
	}
	if in.Email != nil {
		next.Email = *in.Email
	}
	if in.ExtensionNumber != nil {
		next.ExtensionNumber = *in.ExtensionNumber
	}
	if in.PhoneNumbers != nil {
		next.PhoneNumbers = append([]string{}, in.PhoneNumbers...)
	}
	if in.Description != nil {
		next.Description = *in.Description
	}
	if in.RoutingPath != nil {
		next.RoutingPath = *in.RoutingPath
	}
	if in.AutoCallRecorded != nil {
		next.AutoCallRecorded = *in.AutoCallRecorded
	}
	if e := s.validateContactLocked(&next, id); e != nil {
		writeError(w, e)
		return
	}
	*c = next
	w.WriteHeader(http.StatusNoContent)
}

// deleteContact serves DELETE /v2/phone/external_contacts/{id} → 204.
func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Contacts[id] == nil {
		writeError(w, errContactNotFound(id))
		return
	}
	delete(s.st.Contacts, id)
	for i, o := range s.st.ContactOrder {
		if o == id {
			s.st.ContactOrder = append(s.st.ContactOrder[:i], s.st.ContactOrder[i+1:]...)
			break
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// ExternalContacts returns every external contact, in creation order.
func (s *Server) ExternalContacts() []zoom.ExternalContact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]zoom.ExternalContact, 0, len(s.st.ContactOrder))
	for _, id := range s.st.ContactOrder {
		out = append(out, cloneContact(s.st.Contacts[id]))
	}
	return out
}
