package smokeball

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Phone is a phone number as Smokeball splits it.
type Phone struct {
	AreaCode string `json:"areaCode,omitempty"`
	Number   string `json:"number,omitempty"`
}

// String joins the area code and number ("555 1234567").
func (p *Phone) String() string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(p.AreaCode + " " + p.Number)
}

// Person is a person contact's details (the fields Firmsync uses).
type Person struct {
	FirstName  string `json:"firstName,omitempty"`
	MiddleName string `json:"middleName,omitempty"`
	LastName   string `json:"lastName,omitempty"`
	Email      string `json:"email,omitempty"` // a single address
	Phone      *Phone `json:"phone,omitempty"`
	Phone2     *Phone `json:"phone2,omitempty"`
	Cell       *Phone `json:"cell,omitempty"`
	Notes      string `json:"notes,omitempty"`
}

// Company is a company contact's details (the fields Firmsync uses).
type Company struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone *Phone `json:"phone,omitempty"`
	Notes string `json:"notes,omitempty"`
}

// Contact is a person or company. Trusts and groups of people decode with
// both Person and Company nil.
type Contact struct {
	ID          string
	VersionID   string
	Person      *Person
	Company     *Company
	IsDeleted   bool
	LastUpdated time.Time // the spec sends ticks; ISO is accepted too
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *Contact) UnmarshalJSON(b []byte) error {
	var w struct {
		ID          string   `json:"id"`
		VersionID   string   `json:"versionId"`
		Person      *Person  `json:"person"`
		Company     *Company `json:"company"`
		IsDeleted   bool     `json:"isDeleted"`
		LastUpdated flexTime `json:"lastUpdated"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = Contact{ID: w.ID, VersionID: w.VersionID, Person: w.Person, Company: w.Company, IsDeleted: w.IsDeleted, LastUpdated: w.LastUpdated.Time}
	return nil
}

// Name is the contact's display name.
func (c Contact) Name() string {
	switch {
	case c.Person != nil:
		return strings.Join(strings.Fields(c.Person.FirstName+" "+c.Person.MiddleName+" "+c.Person.LastName), " ")
	case c.Company != nil:
		return c.Company.Name
	}
	return ""
}

// Email is the contact's email address, if any.
func (c Contact) Email() string {
	switch {
	case c.Person != nil:
		return c.Person.Email
	case c.Company != nil:
		return c.Company.Email
	}
	return ""
}

// phones lists the contact's numbers.
func (c Contact) phones() []*Phone {
	switch {
	case c.Person != nil:
		return []*Phone{c.Person.Phone, c.Person.Phone2, c.Person.Cell}
	case c.Company != nil:
		return []*Phone{c.Company.Phone}
	}
	return nil
}

// ContactQuery narrows a contact listing; the zero value lists every contact.
type ContactQuery struct {
	UpdatedSince time.Time // sent as .NET ticks; zero = all
}

// Contacts calls fn for each contact matching q, deleted ones included
// (check IsDeleted), reading every page. An error from fn stops the
// listing and is returned.
func (c *Client) Contacts(ctx context.Context, q ContactQuery, fn func(Contact) error) error {
	v := url.Values{}
	if !q.UpdatedSince.IsZero() {
		v.Set("UpdatedSince", strconv.FormatInt(Ticks(q.UpdatedSince), 10))
	}
	return list(ctx, c, "listing contacts", "/contacts", v, fn)
}

// Contact returns one contact; a missing one (or one whose create is not
// applied yet) is ErrNotFound.
func (c *Client) Contact(ctx context.Context, id string) (Contact, error) {
	var out Contact
	if err := c.get(ctx, "/contacts/"+url.PathEscape(id), nil, &out); err != nil {
		return Contact{}, wrap(fmt.Sprintf("getting contact %s", id), err)
	}
	return out, nil
}

// FindContactsByEmail returns the live contacts whose email is email
// (case-insensitive, exact), using Smokeball's search=email:… and
// checking each result here.
func (c *Client) FindContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	if strings.ContainsAny(email, "*") {
		return nil, fmt.Errorf("smokeball: finding contacts by email: %q holds a wildcard", email)
	}
	return c.findContacts(ctx, "finding contacts by email", "email:"+email, func(ct Contact) bool {
		return strings.EqualFold(strings.TrimSpace(ct.Email()), email)
	})
}

// FindContactsByPhone returns the live contacts having phone as one of
// their numbers, comparing digits only ("+1 (555) 010-2000" = "5550102000";
// a North American country code 1 is ignored when one side lacks it).
// [U] How Smokeball matches search=phone: against its split areaCode and
// number is not documented, so the search asks for any number ending in
// the last four digits (*1234) and the candidates are filtered here.
func (c *Client) FindContactsByPhone(ctx context.Context, phone string) ([]Contact, error) {
	want := digits(phone)
	if len(want) < 4 {
		return nil, nil
	}
	return c.findContacts(ctx, "finding contacts by phone", "phone:*"+want[len(want)-4:], func(ct Contact) bool {
		for _, p := range ct.phones() {
			if p != nil && samePhone(digits(p.AreaCode+p.Number), want) {
				return true
			}
		}
		return false
	})
}

// findContacts lists the contacts search finds and keeps the live ones
// match accepts. The parameter is sent as `search` (the guides' spelling);
// the fake and, per the spec, Smokeball also read `Search`.
func (c *Client) findContacts(ctx context.Context, doing, search string, match func(Contact) bool) ([]Contact, error) {
	var out []Contact
	v := url.Values{"search": {search}, "ExcludeDeletedContacts": {"true"}}
	err := list(ctx, c, doing, "/contacts", v, func(ct Contact) error {
		if !ct.IsDeleted && match(ct) {
			out = append(out, ct)
		}
		return nil
	})
	return out, err
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

func samePhone(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	return len(a) == 11 && a[0] == '1' && a[1:] == b || len(b) == 11 && b[0] == '1' && b[1:] == a
}

// CreateContact asks Smokeball to create a person (POST /contacts). It
// returns the 202 reply at once; the contact is readable only once
// Smokeball has applied the write (see WaitContact), and a failure then
// arrives as an `error` webhook. Creates are not replayed after an unclear
// failure.
func (c *Client) CreateContact(ctx context.Context, p Person) (Accepted, error) {
	a, err := c.accept(ctx, http.MethodPost, "/contacts", map[string]any{"person": p})
	if err != nil {
		return Accepted{}, wrap("creating a contact", err)
	}
	return a, nil
}

// contactDtoKeys are the top-level fields of ContactDto (the write body).
var contactDtoKeys = []string{"externalSystemId", "person", "company", "trust", "groupOfPeople", "isDeleted"}

// personDtoKeys and companyDtoKeys are PersonDto's and CompanyDto's fields:
// the read shapes carry a few the write shapes do not declare.
var (
	personDtoKeys = []string{"title", "firstName", "middleName", "lastName", "nameSuffix", "customName", "otherNames",
		"residentialAddress", "mailingAddress", "phone", "phone2", "fax", "cell", "email", "notes", "occupation",
		"birthDate", "birthPlace", "birthState", "birthCountry", "identificationNumberType", "identificationNumber",
		"passportDetails", "deathDetails", "gender", "maritalStatus", "specialNeeds", "birthFirstName", "birthMiddleName",
		"birthLastName", "previousNames", "correctionsReferenceNumber", "centrelinkReferenceNumber",
		"identificationDetails", "citizenshipDetails", "utbmsDetails", "executionOptions"}
	companyDtoKeys = []string{"name", "type", "phone", "fax", "email", "website", "notes", "businessAddress", "mailingAddress",
		"abn", "ein", "registeredDate", "stateId", "stateRegisteredIn", "countryRegisteredIn", "branch", "registeredAddress",
		"firmIsRegisteredAgent", "companyManagedBy", "companyNumberType", "companyNumber", "doingBusinessAsName",
		"tradingAs", "tradingName", "staffIds", "directorIds", "executionOptions"}
)

// UpdateContactNotes replaces the notes of a person (or company) contact.
// [U] Whether PUT /contacts/{id} replaces the whole contact is not
// documented, so the contact is read raw and every field read is sent back
// (as the write shape names them) with only notes changed. Returns the 202
// reply; the change applies later.
func (c *Client) UpdateContactNotes(ctx context.Context, id string, notes string) (Accepted, error) {
	return c.EditContactNotes(ctx, id, func(Contact) (string, error) { return notes, nil })
}

// EditContactNotes is UpdateContactNotes with the new notes made by edit
// from the contact as read, in the one read the write needs anyway (an
// append reads the current notes there). An error from edit stops the
// write and is returned.
func (c *Client) EditContactNotes(ctx context.Context, id string, edit func(Contact) (string, error)) (Accepted, error) {
	doing := fmt.Sprintf("updating the notes of contact %s", id)
	var raw json.RawMessage
	if err := c.get(ctx, "/contacts/"+url.PathEscape(id), nil, &raw); err != nil {
		return Accepted{}, wrap(doing, err)
	}
	var cur Contact
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &cur); err != nil {
		return Accepted{}, fmt.Errorf("smokeball: %s: reading the contact: %w", doing, err)
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Accepted{}, fmt.Errorf("smokeball: %s: reading the contact: %w", doing, err)
	}
	notes, err := edit(cur)
	if err != nil {
		return Accepted{}, err
	}
	body, err := contactWriteBody(fields, notes)
	if err != nil {
		return Accepted{}, fmt.Errorf("smokeball: %s: %w", doing, err)
	}
	a, err := c.accept(ctx, http.MethodPut, "/contacts/"+url.PathEscape(id), body)
	if err != nil {
		return Accepted{}, wrap(doing, err)
	}
	return a, nil
}

// contactWriteBody turns a contact as read into a ContactDto with notes
// set on its person or company.
func contactWriteBody(raw map[string]json.RawMessage, notes string) (map[string]any, error) {
	out := map[string]any{}
	for _, k := range contactDtoKeys {
		if v, ok := raw[k]; ok && string(v) != "null" {
			out[k] = v
		}
	}
	part, keys := "person", personDtoKeys
	if _, ok := out["person"]; !ok {
		if _, ok := out["company"]; !ok {
			return nil, errors.New("the contact is neither a person nor a company (no notes field)")
		}
		part, keys = "company", companyDtoKeys
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw[part], &fields); err != nil {
		return nil, fmt.Errorf("reading the contact's %s: %w", part, err)
	}
	if part == "company" {
		// The read shape lists directors as links; the write shape wants ids.
		var links []Link
		if json.Unmarshal(fields["directors"], &links) == nil && len(links) > 0 && fields["directorIds"] == nil {
			ids := make([]string, 0, len(links))
			for _, l := range links {
				ids = append(ids, l.ID)
			}
			fields["directorIds"], _ = json.Marshal(ids)
		}
	}
	kept := map[string]any{}
	for _, k := range keys {
		if v, ok := fields[k]; ok {
			kept[k] = v
		}
	}
	kept["notes"] = notes
	out[part] = kept
	return out, nil
}

// SearchContacts returns up to limit live contacts whose name or email
// contains query (case-insensitive: search=name:*q* and email:*q*), for a
// person picking a contact by hand.
func (c *Client) SearchContacts(ctx context.Context, query string, limit int) ([]Contact, error) {
	q := strings.TrimSpace(strings.NewReplacer("*", "", ",", " ").Replace(query))
	if q == "" {
		return nil, nil
	}
	var out []Contact
	seen := map[string]bool{}
	for _, field := range []string{"name", "email"} {
		cs, err := c.findContacts(ctx, "searching contacts", field+":*"+q+"*", func(Contact) bool { return true })
		if err != nil {
			return nil, err
		}
		for _, ct := range cs {
			if !seen[ct.ID] && len(out) < limit {
				seen[ct.ID] = true
				out = append(out, ct)
			}
		}
	}
	return out, nil
}
