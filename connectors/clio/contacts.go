package clio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ContactFields is what the client asks for on every contact read. Clio
// sends only id and etag when no fields are named.
const ContactFields = "id,etag,name,first_name,last_name,type,updated_at,created_at," +
	"email_addresses{id,address,name,primary},phone_numbers{id,number,name,primary}," +
	"primary_email_address,primary_phone_number"

// ContactQuery narrows a contact listing; the zero value lists every contact.
type ContactQuery struct {
	UpdatedSince time.Time // only contacts updated at or after this; zero = all
	IDs          []int64   // only these contacts; nil = all
}

// Contacts calls fn for each contact matching q, in id order, paging with
// Clio's cursor. An error from fn stops the listing and is returned.
func (c *Client) Contacts(ctx context.Context, q ContactQuery, fn func(Contact) error) error {
	v := url.Values{"fields": {ContactFields}}
	if !q.UpdatedSince.IsZero() {
		v.Set("updated_since", formatTime(q.UpdatedSince))
	}
	return listIDs(ctx, c, "listing contacts", "/contacts.json", v, q.IDs, fn)
}

// Contact returns one contact; a missing one is ErrNotFound.
func (c *Client) Contact(ctx context.Context, id int64) (Contact, error) {
	var out Contact
	if err := c.get(ctx, fmt.Sprintf("/contacts/%d.json", id), url.Values{"fields": {ContactFields}}, &out); err != nil {
		return Contact{}, wrap(fmt.Sprintf("getting contact %d", id), err)
	}
	return out, nil
}

// FindContactsByEmail returns the contacts having email as one of their
// addresses (case-insensitive, exact). Clio's `query` is a fuzzy search
// over names, emails and numbers, so its results are only candidates and
// are filtered here.
func (c *Client) FindContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	match := func(ct Contact) bool {
		for _, e := range ct.EmailAddresses {
			if strings.EqualFold(strings.TrimSpace(e.Address), email) {
				return true
			}
		}
		return ct.PrimaryEmailAddress != nil && strings.EqualFold(strings.TrimSpace(*ct.PrimaryEmailAddress), email)
	}
	return c.findContacts(ctx, "finding contacts by email", []string{email}, match)
}

// FindContactsByPhone returns the contacts having phone as one of their
// numbers, comparing digits only ("+1 (555) 010-2000" = "5550102000": a
// North American country code 1 is ignored when one side lacks it). Clio's
// `query` is fuzzy and matches text as stored, so the number is searched
// as given and then by its last four digits; the candidates are filtered
// here.
func (c *Client) FindContactsByPhone(ctx context.Context, phone string) ([]Contact, error) {
	want := digits(phone)
	if want == "" {
		return nil, nil
	}
	match := func(ct Contact) bool {
		for _, p := range ct.PhoneNumbers {
			if samePhone(digits(p.Number), want) {
				return true
			}
		}
		return ct.PrimaryPhoneNumber != nil && samePhone(digits(*ct.PrimaryPhoneNumber), want)
	}
	queries := []string{strings.TrimSpace(phone)}
	if len(want) >= 4 {
		queries = append(queries, want[len(want)-4:])
	}
	return c.findContacts(ctx, "finding contacts by phone", queries, match)
}

// findContacts runs each query until one yields a match.
func (c *Client) findContacts(ctx context.Context, doing string, queries []string, match func(Contact) bool) ([]Contact, error) {
	for _, q := range queries {
		var out []Contact
		v := url.Values{"fields": {ContactFields}, "query": {q}}
		err := list(ctx, c, doing, "/contacts.json", v, func(ct Contact) error {
			if match(ct) {
				out = append(out, ct)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
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
	if len(a) == 11 && a[0] == '1' && a[1:] == b || len(b) == 11 && b[0] == '1' && b[1:] == a {
		return true
	}
	return false
}

// CreateContact creates a contact from w (POST /contacts). Missing parts
// are filled as Firmsync creates people: type Person, name from first and
// last name, email items named Work and phone items named Mobile, the
// first of each the default. Creates are not replayed after an unclear
// failure; look the contact up before trying again.
func (c *Client) CreateContact(ctx context.Context, w ContactWrite) (Contact, error) {
	if w.Type == nil {
		w.Type = ptr("Person")
	}
	if w.Name == nil {
		var first, last string
		if w.FirstName != nil {
			first = *w.FirstName
		}
		if w.LastName != nil {
			last = *w.LastName
		}
		w.Name = ptr(strings.TrimSpace(first + " " + last))
	}
	w.EmailAddresses = append([]EmailAddressWrite(nil), w.EmailAddresses...)
	hasDefault := false
	for i := range w.EmailAddresses {
		if w.EmailAddresses[i].Name == "" {
			w.EmailAddresses[i].Name = "Work"
		}
		hasDefault = hasDefault || w.EmailAddresses[i].DefaultEmail != nil && *w.EmailAddresses[i].DefaultEmail
	}
	if !hasDefault && len(w.EmailAddresses) > 0 {
		w.EmailAddresses[0].DefaultEmail = ptr(true)
	}
	w.PhoneNumbers = append([]PhoneNumberWrite(nil), w.PhoneNumbers...)
	hasDefault = false
	for i := range w.PhoneNumbers {
		if w.PhoneNumbers[i].Name == "" {
			w.PhoneNumbers[i].Name = "Mobile"
		}
		hasDefault = hasDefault || w.PhoneNumbers[i].DefaultNumber != nil && *w.PhoneNumbers[i].DefaultNumber
	}
	if !hasDefault && len(w.PhoneNumbers) > 0 {
		w.PhoneNumbers[0].DefaultNumber = ptr(true)
	}
	var out Contact
	if err := c.send(ctx, http.MethodPost, "/contacts.json", url.Values{"fields": {ContactFields}}, w, &out, nil); err != nil {
		return Contact{}, wrap("creating a contact", err)
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }
