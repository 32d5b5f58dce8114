package cliofake

import (
	"net/http"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

func contactTimes(c *clio.Contact) (time.Time, time.Time) { return c.CreatedAt, c.UpdatedAt }

// contactViewLocked renders a stored contact with derived fields; the caller
// holds mu.
func (s *Server) contactViewLocked(c *clio.Contact) *clio.Contact {
	v := *c
	v.IsClient = s.st.ClientMatters[c.ID] > 0
	v.CustomFieldValues = s.cfvViewLocked("Contact", c.CustomFieldValues)
	return &v
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.Contact{})
	if !ok {
		return
	}
	typ := r.URL.Query().Get("type")
	if typ != "" && typ != "Person" && typ != "Company" {
		badRequest(w, "type must be Person or Company")
		return
	}
	var match func(*clio.Contact) bool
	if typ != "" || q.query != "" {
		match = func(c *clio.Contact) bool {
			if typ != "" && c.Type != typ {
				return false
			}
			if q.query != "" {
				hay := []string{c.Name, c.FirstName, c.LastName}
				for _, e := range c.EmailAddresses {
					hay = append(hay, e.Address)
				}
				for _, p := range c.PhoneNumbers {
					hay = append(hay, p.Number)
				}
				return containsFold(q.query, hay...)
			}
			return true
		}
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.Contacts, contactTimes, match, func(c *clio.Contact) any { return s.contactViewLocked(c) })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Contact{})
	if !ok {
		return
	}
	s.mu.Lock()
	c, found := s.st.Contacts.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: c.Etag, updated: c.UpdatedAt, data: p.one(s.contactViewLocked(c))}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.Contact{})
	if !ok {
		return
	}
	var in clio.ContactWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	c, err := s.createContactLocked(in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: c.Etag, updated: c.UpdatedAt, data: p.one(s.contactViewLocked(c))})
}

func (s *Server) patchContact(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Contact{})
	if !ok {
		return
	}
	var in clio.ContactWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	c, found := s.st.Contacts.get(id)
	if !found {
		notFound(w)
		return
	}
	if err := checkIfMatch(r, c.Etag); err != nil {
		writeErr(w, err)
		return
	}
	c, err := s.updateContactLocked(id, in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{etag: c.Etag, updated: c.UpdatedAt, data: p.one(s.contactViewLocked(c))})
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	if err := s.deleteContactLocked(id); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createContactLocked validates and stores a contact and fires "created";
// the caller holds mu and flushes.
func (s *Server) createContactLocked(in clio.ContactWrite) (*clio.Contact, error) {
	if in.Type == nil || (*in.Type != "Person" && *in.Type != "Company") {
		return nil, write422("type must be Person or Company")
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return nil, write422("name can't be blank")
	}
	now := s.now()
	c := &clio.Contact{Type: *in.Type, CreatedAt: now}
	if err := s.applyContactLocked(c, in, true); err != nil {
		return nil, err
	}
	c.ID = s.nextIDLocked("contact")
	c.Etag, c.UpdatedAt = s.etagLocked(), now
	s.st.Contacts.put(c.ID, c)
	s.emitLocked("contact", "created", c.ID, s.contactViewLocked(c))
	return c, nil
}

// updateContactLocked applies a PATCH and fires "updated"; the caller holds mu.
func (s *Server) updateContactLocked(id int64, in clio.ContactWrite) (*clio.Contact, error) {
	old, ok := s.st.Contacts.get(id)
	if !ok {
		return nil, errf(http.StatusNotFound, "RecordNotFound", "The requested record could not be found")
	}
	c := *old
	c.EmailAddresses = append([]clio.EmailAddress(nil), old.EmailAddresses...)
	c.PhoneNumbers = append([]clio.PhoneNumber(nil), old.PhoneNumbers...)
	if in.Type != nil && *in.Type != "Person" && *in.Type != "Company" {
		return nil, write422("type must be Person or Company")
	}
	if in.Type != nil {
		c.Type = *in.Type
	}
	if err := s.applyContactLocked(&c, in, false); err != nil {
		return nil, err
	}
	c.Etag, c.UpdatedAt = s.etagLocked(), s.now()
	s.st.Contacts.put(id, &c)
	s.emitLocked("contact", "updated", id, s.contactViewLocked(&c))
	return &c, nil
}

func (s *Server) deleteContactLocked(id int64) error {
	c, ok := s.st.Contacts.get(id)
	if !ok {
		return errf(http.StatusNotFound, "RecordNotFound", "The requested record could not be found")
	}
	if s.st.ClientMatters[id] > 0 {
		return write422("contact is the client of matters and cannot be deleted")
	}
	view := s.contactViewLocked(c)
	s.st.Contacts.del(id)
	s.emitLocked("contact", "deleted", id, view)
	return nil
}

// applyContactLocked copies names, emails, phones and custom field values
// from in into c, deriving name and the primary email/phone.
func (s *Server) applyContactLocked(c *clio.Contact, in clio.ContactWrite, create bool) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&c.FirstName, in.FirstName)
	set(&c.MiddleName, in.MiddleName)
	set(&c.LastName, in.LastName)
	set(&c.Title, in.Title)
	set(&c.Name, in.Name)
	if c.Type == "Person" {
		if in.Name != nil && in.FirstName == nil && in.LastName == nil && create {
			first, last, _ := strings.Cut(c.Name, " ")
			if i := strings.LastIndex(c.Name, " "); i > 0 {
				first, last = c.Name[:i], c.Name[i+1:]
			}
			c.FirstName, c.LastName = first, last
		}
		if in.Name == nil && (in.FirstName != nil || in.LastName != nil) {
			c.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
		}
	}
	if c.Name == "" {
		return write422("name can't be blank")
	}
	if err := s.applyEmailsLocked(c, in.EmailAddresses); err != nil {
		return err
	}
	if err := s.applyPhonesLocked(c, in.PhoneNumbers); err != nil {
		return err
	}
	cfv, err := s.applyCFVLocked("Contact", c.CustomFieldValues, in.CustomFieldValues)
	if err != nil {
		return err
	}
	c.CustomFieldValues = cfv
	return nil
}

func (s *Server) applyEmailsLocked(c *clio.Contact, in []clio.EmailAddressWrite) error {
	for _, w := range in {
		if w.Name != "" && w.Name != "Work" && w.Name != "Home" && w.Name != "Other" {
			return write422("email_addresses name must be Work, Home or Other")
		}
		makePrimary := w.DefaultEmail != nil && *w.DefaultEmail
		idx := -1
		if w.ID != 0 {
			for i := range c.EmailAddresses {
				if c.EmailAddresses[i].ID == w.ID {
					idx = i
				}
			}
			if idx < 0 {
				return write422("email_addresses: no email address with id %d", w.ID)
			}
			if w.Destroy {
				c.EmailAddresses = append(c.EmailAddresses[:idx:idx], c.EmailAddresses[idx+1:]...)
				continue
			}
		} else {
			if w.Destroy {
				continue
			}
			if !strings.Contains(w.Address, "@") {
				return write422("email_addresses address is invalid")
			}
			c.EmailAddresses = append(c.EmailAddresses, clio.EmailAddress{ID: s.nextIDLocked("email"), Name: "Work"})
			idx = len(c.EmailAddresses) - 1
		}
		e := &c.EmailAddresses[idx]
		if w.Address != "" {
			e.Address = w.Address
		}
		if w.Name != "" {
			e.Name = w.Name
		}
		e.Etag = s.etagLocked()
		if makePrimary {
			for i := range c.EmailAddresses {
				c.EmailAddresses[i].Primary = i == idx
			}
		}
	}
	c.PrimaryEmailAddress = nil
	for i := range c.EmailAddresses {
		if c.EmailAddresses[i].Primary {
			c.PrimaryEmailAddress = &c.EmailAddresses[i].Address
		}
	}
	if c.PrimaryEmailAddress == nil && len(c.EmailAddresses) > 0 {
		c.EmailAddresses[0].Primary = true
		c.PrimaryEmailAddress = &c.EmailAddresses[0].Address
	}
	if c.PrimaryEmailAddress != nil {
		a := *c.PrimaryEmailAddress
		c.PrimaryEmailAddress = &a
	}
	return nil
}

func validPhoneName(n string) bool {
	switch n {
	case "Work", "Home", "Mobile", "Fax", "Pager", "Skype", "Other":
		return true
	}
	return false
}

func (s *Server) applyPhonesLocked(c *clio.Contact, in []clio.PhoneNumberWrite) error {
	for _, w := range in {
		if w.Name != "" && !validPhoneName(w.Name) {
			return write422("phone_numbers name must be one of Work, Home, Mobile, Fax, Pager, Skype, Other")
		}
		makePrimary := w.DefaultNumber != nil && *w.DefaultNumber
		idx := -1
		if w.ID != 0 {
			for i := range c.PhoneNumbers {
				if c.PhoneNumbers[i].ID == w.ID {
					idx = i
				}
			}
			if idx < 0 {
				return write422("phone_numbers: no phone number with id %d", w.ID)
			}
			if w.Destroy {
				c.PhoneNumbers = append(c.PhoneNumbers[:idx:idx], c.PhoneNumbers[idx+1:]...)
				continue
			}
		} else {
			if w.Destroy {
				continue
			}
			if strings.TrimSpace(w.Number) == "" {
				return write422("phone_numbers number can't be blank")
			}
			c.PhoneNumbers = append(c.PhoneNumbers, clio.PhoneNumber{ID: s.nextIDLocked("phone"), Name: "Work"})
			idx = len(c.PhoneNumbers) - 1
		}
		p := &c.PhoneNumbers[idx]
		if w.Number != "" {
			p.Number = w.Number
		}
		if w.Name != "" {
			p.Name = w.Name
		}
		p.Etag = s.etagLocked()
		if makePrimary {
			for i := range c.PhoneNumbers {
				c.PhoneNumbers[i].Primary = i == idx
			}
		}
	}
	c.PrimaryPhoneNumber = nil
	for i := range c.PhoneNumbers {
		if c.PhoneNumbers[i].Primary {
			n := c.PhoneNumbers[i].Number
			c.PrimaryPhoneNumber = &n
		}
	}
	if c.PrimaryPhoneNumber == nil && len(c.PhoneNumbers) > 0 {
		c.PhoneNumbers[0].Primary = true
		n := c.PhoneNumbers[0].Number
		c.PrimaryPhoneNumber = &n
	}
	return nil
}
