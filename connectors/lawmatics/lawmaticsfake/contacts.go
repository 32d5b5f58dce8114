package lawmaticsfake

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// contactDefaults returns the attributes a contact comes with when the request
// has no fields parameter (documented for lists). [U] The fake applies the
// same small set to single GETs and finders, so a client must ask for
// fields=all (or name its fields) whenever it needs more; create, update
// and delete responses carry every attribute.
func contactDefaults() []string {
	return []string{"first_name", "last_name", "email", "created_at", "updated_at"}
}

func contactSpec() listSpec {
	sp := newListSpec("/v1/contact", contactDefaults(), lawmatics.ContactAttributes{})
	sp.relsByField = true
	return sp
}

// contactLocked renders a contact with all attributes. The caller holds s.mu.
func (s *Server) contactLocked(c *contactRec) lawmatics.Contact {
	a := c.Attrs
	a.EmailAddress, a.PhoneNumber = a.Email, a.Phone
	a.CustomFields = s.st.renderCustom("contact", c.Custom)
	// [U] contact_type: "PNC" until a matter is hired, then "Client".
	a.ContactType = "PNC"
	refs := []lawmatics.Ref{}
	for _, id := range slices.Sorted(maps.Keys(s.st.Prospects)) {
		p := s.st.Prospects[id]
		if p.ContactID != c.ID {
			continue
		}
		refs = append(refs, lawmatics.Ref{ID: idString(id), Type: lawmatics.TypeProspect})
		if p.Attrs.Status == lawmatics.StatusHired {
			a.ContactType = "Client"
		}
	}
	return lawmatics.Contact{
		ID:         idString(c.ID),
		Type:       lawmatics.TypeContact,
		Attributes: a,
		Relationships: lawmatics.ContactRelationships{
			Prospects: lawmatics.ToMany{Data: refs},
		},
	}
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rows := make([]row, 0, len(s.st.Contacts))
	for _, c := range s.st.Contacts {
		rows = append(rows, newRow(s.wire(s.contactLocked(c)), nil))
	}
	s.mu.Unlock()
	serveList(w, r, contactSpec(), rows)
}

// lookupContactLocked finds the {id} contact or writes a 404. The caller holds s.mu.
func (s *Server) lookupContactLocked(w http.ResponseWriter, r *http.Request) *contactRec {
	id, _ := parseID(r.PathValue("id"))
	c := s.st.Contacts[id]
	if c == nil {
		writeNotFound(w, r, "Contact", r.PathValue("id"))
	}
	return c
}

func (s *Server) showContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.lookupContactLocked(w, r); c != nil {
		serveOne(w, r, http.StatusOK, s.wire(s.contactLocked(c)), contactDefaults())
	}
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	p, err := readParams(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &contactRec{Custom: map[int64]any{}}
	if msg := s.applyContactLocked(c, p); msg != "" {
		writeInvalid(w, r, msg)
		return
	}
	// [U] Required fields are undocumented; the fake insists on a first name.
	if strings.TrimSpace(c.Attrs.FirstName) == "" {
		writeInvalid(w, r, "First name can't be blank")
		return
	}
	c.ID = s.st.newID()
	c.Attrs.CreatedAt = s.stamp()
	c.Attrs.UpdatedAt = c.Attrs.CreatedAt
	s.st.Contacts[c.ID] = c
	s.addInlineNotesLocked("Contact", c.ID, p.notes())
	serveOne(w, r, http.StatusCreated, s.wire(s.contactLocked(c)), nil)
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	p, err := readParams(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookupContactLocked(w, r)
	if c == nil {
		return
	}
	next := *c
	next.Custom = maps.Clone(c.Custom)
	if msg := s.applyContactLocked(&next, p); msg != "" {
		writeInvalid(w, r, msg)
		return
	}
	next.Attrs.UpdatedAt = s.stamp()
	*c = next
	s.addInlineNotesLocked("Contact", c.ID, p.notes())
	serveOne(w, r, http.StatusOK, s.wire(s.contactLocked(c)), nil)
}

// applyContactLocked copies writable params onto c; it returns a validation
// message or "". The caller holds s.mu.
func (s *Server) applyContactLocked(c *contactRec, p params) string {
	set := func(dst *string, keys ...string) {
		for _, k := range keys {
			if v, ok := p.str(k); ok {
				*dst = v
				return
			}
		}
	}
	a := &c.Attrs
	set(&a.FirstName, "first_name")
	set(&a.MiddleName, "middle_name")
	set(&a.LastName, "last_name")
	set(&a.NamePrefix, "name_prefix")
	set(&a.NameSuffix, "name_suffix")
	set(&a.Email, "email", "email_address")
	set(&a.Phone, "phone", "phone_number")
	set(&a.Birthdate, "birthdate")
	set(&a.Employer, "employer")
	set(&a.Occupation, "occupation")
	set(&a.Gender, "gender")
	set(&a.Timezone, "timezone")
	cfs, err := p.customFields()
	if err == nil {
		err = s.applyCustomLocked("contact", c.Custom, cfs)
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookupContactLocked(w, r)
	if c == nil {
		return
	}
	out := s.wire(s.contactLocked(c))
	// [U] What happens to the contact's matters is undocumented: they stay,
	// keep a copy of the person fields and lose their contact link.
	for _, p := range s.st.Prospects {
		if p.ContactID == c.ID {
			s.copyPersonLocked(p)
			p.ContactID = 0
		}
	}
	delete(s.st.Contacts, c.ID)
	serveOne(w, r, http.StatusOK, out, nil)
}

// findContact serves /v1/contacts/find_by_{email|phone|name}/{value}.
// [U] "Fuzzy" is undocumented: an exact match (case-insensitive; phones by
// digits) beats a partial one, ties go to the lowest id. No match → 404.
func (s *Server) findContact(by string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.PathValue("value")
		s.mu.Lock()
		defer s.mu.Unlock()
		var best *contactRec
		bestScore := 0
		for _, id := range slices.Sorted(maps.Keys(s.st.Contacts)) {
			c := s.st.Contacts[id]
			sc := fuzzyScore(by, q, c.Attrs.Email, c.Attrs.Phone, c.Attrs.FirstName, c.Attrs.LastName)
			if sc > bestScore {
				best, bestScore = c, sc
			}
		}
		if best == nil {
			writeError(w, r, http.StatusNotFound, "Not found", "Contact with "+by+" "+q+" was not found.")
			return
		}
		serveOne(w, r, http.StatusOK, s.wire(s.contactLocked(best)), contactDefaults())
	}
}

// fuzzyScore rates how well a person matches q: 2 exact, 1 partial, 0 none.
func fuzzyScore(by, q, email, phone, first, last string) int {
	q = strings.TrimSpace(q)
	if q == "" {
		return 0
	}
	var cands []string
	switch by {
	case "email":
		q, cands = strings.ToLower(q), []string{strings.ToLower(email)}
	case "phone":
		q, cands = digits(q), []string{digits(phone)}
	case "name":
		q = strings.ToLower(strings.Join(strings.Fields(q), " "))
		full := strings.ToLower(strings.TrimSpace(first + " " + last))
		cands = []string{full, strings.ToLower(last + " " + first), strings.ToLower(first), strings.ToLower(last)}
	}
	score := 0
	for _, c := range cands {
		switch {
		case c == "" || q == "":
		case c == q:
			return 2
		case strings.Contains(c, q) || (by == "phone" && len(q) >= 7 && strings.HasSuffix(q, c) && len(c) >= 7):
			score = 1
		}
	}
	return score
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
