package smokeballfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// Write-shape field lists (ContactDto, PersonDto, CompanyDto).
var (
	contactDtoKeys = []string{"externalSystemId", "person", "company", "trust", "groupOfPeople", "isDeleted"}
	personDtoKeys  = []string{"title", "firstName", "middleName", "lastName", "nameSuffix", "customName", "otherNames",
		"residentialAddress", "mailingAddress", "phone", "phone2", "fax", "cell", "email", "notes", "occupation",
		"birthDate", "birthPlace", "birthState", "birthCountry", "identificationNumberType", "identificationNumber",
		"passportDetails", "deathDetails", "gender", "maritalStatus", "specialNeeds", "birthFirstName", "birthMiddleName",
		"birthLastName", "previousNames", "correctionsReferenceNumber", "centrelinkReferenceNumber",
		"identificationDetails", "citizenshipDetails", "utbmsDetails", "executionOptions"}
	companyDtoKeys = []string{"name", "type", "phone", "fax", "email", "website", "notes", "businessAddress", "mailingAddress",
		"abn", "ein", "registeredDate", "stateId", "stateRegisteredIn", "countryRegisteredIn", "branch", "registeredAddress",
		"firmIsRegisteredAgent", "companyManagedBy", "companyNumberType", "companyNumber", "doingBusinessAsName",
		"tradingAs", "tradingName", "staffIds", "directorIds", "executionOptions"}
	phoneKeys = []string{"areaCode", "number", "extension"}
)

// contactView renders a Contact as the API does.
func contactView(base string, c *contactRec) map[string]any {
	m := map[string]any{
		"href": base + "/contacts/" + c.ID, "id": c.ID, "versionId": c.VersionID,
		"isDeleted": c.IsDeleted, "lastUpdated": c.LastUpdated, "tags": []any{},
	}
	if c.ExternalSystemID != "" {
		m["externalSystemId"] = c.ExternalSystemID
	}
	if c.Person != nil {
		m["person"] = c.Person
	}
	if c.Company != nil {
		m["company"] = c.Company
	}
	return m
}

// toContact converts a rendered record to the client's type.
func toContact(view map[string]any) smokeball.Contact {
	b, _ := json.Marshal(view)
	var c smokeball.Contact
	json.Unmarshal(b, &c)
	return c
}

// contactBody is a validated ContactDto.
type contactBody struct {
	externalID string
	person     map[string]json.RawMessage
	company    map[string]json.RawMessage
	isDeleted  *bool
}

// readContact validates a ContactDto: exactly one of person or company
// (trusts and groups are not modelled), only declared fields, phones as
// {areaCode, number}.
func readContact(w http.ResponseWriter, r *http.Request) (*contactBody, bool) {
	m, ok := readBody(w, r, contactDtoKeys)
	if !ok {
		return nil, false
	}
	v := validation{}
	cb := &contactBody{}
	var err error
	if cb.externalID, err = str(m, "externalSystemId"); err != nil {
		v.add("externalSystemId", err.Error())
	}
	if raw, ok := m["isDeleted"]; ok {
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			v.add("isDeleted", "isDeleted must be a boolean")
		}
		cb.isDeleted = &b
	}
	part := func(name string, keys []string) map[string]json.RawMessage {
		raw, ok := m[name]
		if !ok || string(raw) == "null" {
			return nil
		}
		var p map[string]json.RawMessage
		if json.Unmarshal(raw, &p) != nil {
			v.add(name, name+" must be an object")
			return nil
		}
		for _, k := range unknownKeys(p, keys) {
			v.add(name+"."+k, "The field "+k+" is not part of the request schema.")
		}
		for _, k := range []string{"phone", "phone2", "cell", "fax"} {
			if raw, ok := p[k]; ok && string(raw) != "null" {
				var ph map[string]json.RawMessage
				if json.Unmarshal(raw, &ph) != nil {
					v.add(name+"."+k, k+" must be an object {areaCode, number}")
					continue
				}
				for _, bad := range unknownKeys(ph, phoneKeys) {
					v.add(name+"."+k+"."+bad, "The field "+bad+" is not part of the request schema.")
				}
			}
		}
		for _, k := range []string{"email", "notes", "firstName", "lastName", "name"} {
			if _, err := str(p, k); err != nil {
				v.add(name+"."+k, err.Error())
			}
		}
		return p
	}
	cb.person = part("person", personDtoKeys)
	cb.company = part("company", companyDtoKeys)
	for _, k := range []string{"trust", "groupOfPeople"} {
		if raw, ok := m[k]; ok && string(raw) != "null" {
			v.add(k, "smokeballfake does not model "+k+" contacts")
		}
	}
	if cb.person == nil && cb.company == nil && len(v) == 0 {
		v.add("person", "A person or company is required.")
	}
	if cb.person != nil && cb.company != nil {
		v.add("company", "A contact is either a person or a company.")
	}
	if len(v) > 0 {
		writeValidation(w, r, v)
		return nil, false
	}
	return cb, true
}

func (s *Server) getFirm(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	view := map[string]any{
		"href": requestBase(r) + "/firm", "id": s.st.AccountID, "versionId": s.st.FirmVersion,
		"owner": "Smokeball", "name": s.st.FirmName, "status": map[string]any{"status": "Active"},
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, view)
}

// contactTypeOf is the contact's Type filter value.
func contactTypeOf(c *contactRec) string {
	if c.Company != nil {
		return "Organisation"
	}
	return "Person"
}

// rawString reads a string field of a stored JSON object.
func rawString(m map[string]json.RawMessage, k string) string {
	s, _ := str(m, k)
	return s
}

// phoneStrings are the forms a stored phone is matched in: areaCode and
// number joined, and the number alone. [U] How Smokeball matches phone
// searches is not documented.
func phoneStrings(m map[string]json.RawMessage, keys ...string) []string {
	var out []string
	for _, k := range keys {
		var p struct{ AreaCode, Number string }
		if raw, ok := m[k]; ok && json.Unmarshal(raw, &p) == nil && p.Number != "" {
			out = append(out, p.AreaCode+p.Number, p.Number, strings.TrimSpace(p.AreaCode+" "+p.Number))
		}
	}
	return out
}

// contactMatches applies the email, phone and name search fields.
func contactMatches(c *contactRec, terms []term) bool {
	for _, t := range terms {
		var vals []string
		switch t.field {
		case "email":
			vals = []string{rawString(c.Person, "email"), rawString(c.Company, "email")}
		case "phone":
			vals = append(phoneStrings(c.Person, "phone", "phone2", "cell"), phoneStrings(c.Company, "phone")...)
		case "name":
			first, last := rawString(c.Person, "firstName"), rawString(c.Person, "lastName")
			vals = []string{strings.TrimSpace(first + " " + last), first, last, rawString(c.Company, "name")}
		}
		if !t.matches(vals...) {
			return false
		}
	}
	return true
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	win, ok := parseWindow(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	terms, err := parseSearch(q, []string{"email", "phone", "name"})
	if err != nil {
		badSearch(w, r, err)
		return
	}
	var since int64
	if raw := qget(q, "UpdatedSince"); raw != "" {
		if since, err = strconv.ParseInt(raw, 10, 64); err != nil {
			v := validation{}
			v.add("UpdatedSince", "UpdatedSince must be .NET ticks (an integer).")
			writeValidation(w, r, v)
			return
		}
	}
	excludeDeleted := strings.EqualFold(qget(q, "ExcludeDeletedContacts"), "true")
	types := qall(q, "Type")
	s.mu.Lock()
	var all []map[string]any
	for _, c := range s.st.Contacts.all() {
		if c.LastUpdated < since || excludeDeleted && c.IsDeleted || !contactMatches(c, terms) {
			continue
		}
		if len(types) > 0 && !slices.ContainsFunc(types, func(t string) bool { return strings.EqualFold(t, contactTypeOf(c)) }) {
			continue
		}
		all = append(all, contactView(requestBase(r), c))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page(r, win, all))
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.st.Contacts.get(r.PathValue("id"))
	var view map[string]any
	if ok {
		view = contactView(requestBase(r), c)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r, "Contact")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	cb, ok := readContact(w, r)
	if !ok {
		return
	}
	id := newGUID()
	o := s.apiOrigin(r)
	s.mu.Lock()
	s.scheduleLocked(o, func(o origin) error {
		s.putContactLocked(o, &contactRec{ID: id, ExternalSystemID: cb.externalID, Person: cb.person, Company: cb.company}, "contact.created")
		return nil
	})
	s.mu.Unlock()
	writeAccepted(w, o.base+"/contacts/"+id, id)
}

// putContact replaces the contact with the body [U: whether PUT fully
// replaces is not documented; replacing is the reading that punishes a
// client sending only what it changes].
func (s *Server) putContact(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, exists := s.st.Contacts.get(id)
	s.mu.Unlock()
	if !exists {
		notFound(w, r, "Contact")
		return
	}
	cb, ok := readContact(w, r)
	if !ok {
		return
	}
	o := s.apiOrigin(r)
	s.mu.Lock()
	s.scheduleLocked(o, func(o origin) error {
		cur, ok := s.st.Contacts.get(id)
		if !ok {
			return failWrite(id, "id", "The contact no longer exists.")
		}
		next := &contactRec{ID: id, ExternalSystemID: cb.externalID, Person: cb.person, Company: cb.company, IsDeleted: cur.IsDeleted}
		event := "contact.updated"
		if cb.isDeleted != nil {
			next.IsDeleted = *cb.isDeleted
			if cur.IsDeleted && !next.IsDeleted {
				event = "contact.restored" // PUT can restore a deleted contact
			}
		}
		s.putContactLocked(o, next, event)
		return nil
	})
	s.mu.Unlock()
	writeAccepted(w, o.base+"/contacts/"+id, id)
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o := s.apiOrigin(r)
	s.mu.Lock()
	_, exists := s.st.Contacts.get(id)
	if exists {
		s.scheduleLocked(o, func(o origin) error {
			cur, ok := s.st.Contacts.get(id)
			if !ok {
				return failWrite(id, "id", "The contact no longer exists.")
			}
			next := *cur
			next.IsDeleted = true
			s.putContactLocked(o, &next, "contact.deleted")
			return nil
		})
	}
	s.mu.Unlock()
	if !exists {
		notFound(w, r, "Contact")
		return
	}
	writeAccepted(w, o.base+"/contacts/"+id, id)
}

// putContactLocked stores c with a new version and fires event. The caller
// holds mu.
func (s *Server) putContactLocked(o origin, c *contactRec, event string) {
	c.VersionID, c.LastUpdated = newGUID(), s.tickLocked()
	s.st.Contacts.put(c.ID, c)
	s.emitLocked(event, o, contactView(o.base, c))
}
