package mycase

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// PeopleQuery narrows a people listing; the zero value lists everyone.
type PeopleQuery struct {
	UpdatedAfter time.Time // only people created or updated at or after this; zero = all
}

// People calls fn for each client (person) matching q, paging with the
// Link header. An error from fn stops the listing and is returned.
func (c *Client) People(ctx context.Context, q PeopleQuery, fn func(Person) error) error {
	v := url.Values{}
	if !q.UpdatedAfter.IsZero() {
		v.Set("filter[updated_after]", formatTime(q.UpdatedAfter))
	}
	return list(ctx, c, "listing clients", "/v1/clients", v, true, fn)
}

// Person returns one client (person); a missing one is ErrNotFound.
func (c *Client) Person(ctx context.Context, id int64) (Person, error) {
	var out Person
	if err := c.get(ctx, fmt.Sprintf("/v1/clients/%d", id), nil, &out); err != nil {
		return Person{}, wrap(fmt.Sprintf("getting client %d", id), err)
	}
	return out, nil
}

// FindPeopleByEmail returns the people whose email is email, compared
// case-insensitively. [U] How filter[email] matches (exact, partial, case)
// is undocumented, so its results are only candidates and are re-checked
// here; when the address as given finds nobody, its lower-case form is
// tried too.
func (c *Client) FindPeopleByEmail(ctx context.Context, email string) ([]Person, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	match := func(p Person) bool { return strings.EqualFold(strings.TrimSpace(p.Email), email) }
	variants := []string{email}
	if l := strings.ToLower(email); l != email {
		variants = append(variants, l)
	}
	return c.findPeople(ctx, "finding clients by email", []string{"filter[email]"}, variants, false, match)
}

// FindPeopleByPhone returns the people with phone as their cell, work or
// home number, comparing digits only ("+1 (555) 010-2000" = "5550102000";
// a North American country code 1 is ignored when one side lacks it).
// [U] The phone filters' matching is undocumented and may compare the text
// as stored, so the number is tried as given, as bare digits and in the
// common North American spellings, each against all three filters (up to
// 15 requests: a person stored as "(555) 010-2000" and another as
// "555-010-2000" are both found); the results are deduplicated and
// re-checked here.
func (c *Client) FindPeopleByPhone(ctx context.Context, phone string) ([]Person, error) {
	want := digits(phone)
	if want == "" {
		return nil, nil
	}
	match := func(p Person) bool {
		return samePhone(digits(p.CellPhoneNumber), want) || samePhone(digits(p.WorkPhoneNumber), want) ||
			samePhone(digits(p.HomePhoneNumber), want)
	}
	filters := []string{"filter[cell_phone_number]", "filter[work_phone_number]", "filter[home_phone_number]"}
	return c.findPeople(ctx, "finding clients by phone", filters, phoneSpellings(phone), true, match)
}

// findPeople tries each value against each filter; unless all, it stops
// after the first value that yields a match. Results are deduplicated by
// id and sorted by id.
func (c *Client) findPeople(ctx context.Context, doing string, filters, values []string, all bool, match func(Person) bool) ([]Person, error) {
	var out []Person
	seen := map[int64]bool{}
	for _, val := range values {
		for _, f := range filters {
			err := list(ctx, c, doing, "/v1/clients", url.Values{f: {val}}, true, func(p Person) error {
				if match(p) && !seen[p.ID] {
					seen[p.ID] = true
					out = append(out, p)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		if len(out) > 0 && !all {
			break
		}
	}
	slices.SortFunc(out, func(a, b Person) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// phoneSpellings lists the spellings of a number to search for: as given,
// bare digits, and for a North American number 555-010-2000,
// (555) 010-2000 and +15550102000.
func phoneSpellings(phone string) []string {
	out := []string{strings.TrimSpace(phone)}
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	d := digits(phone)
	add(d)
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) == 10 {
		a, b, n := d[:3], d[3:6], d[6:]
		add(a + "-" + b + "-" + n)
		add("(" + a + ") " + b + "-" + n)
		add("+1" + d)
	}
	return out
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

// CreatePerson creates a client (POST /v1/clients → 201). MyCase requires
// first and last name. Creates are not replayed after an unclear failure;
// look the person up before trying again.
func (c *Client) CreatePerson(ctx context.Context, w PersonWrite) (Person, error) {
	var out Person
	if err := c.send(ctx, http.MethodPost, "/v1/clients", nil, w, &out); err != nil {
		return Person{}, wrap("creating a client", err)
	}
	return out, nil
}

// SearchPeople returns up to limit people whose first name, last name or
// email matches query, for a person picking a client by hand. MyCase has
// no free-text search; its name and email filters are asked in turn [U:
// their matching rules are undocumented], and a two-word query also as
// first and last name.
func (c *Client) SearchPeople(ctx context.Context, query string, limit int) ([]Person, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, nil
	}
	words := strings.Fields(q)
	in := func(s string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(q)) }
	match := func(p Person) bool {
		if in(p.FirstName+" "+p.LastName) || in(p.Email) {
			return true
		}
		for _, w := range words {
			if !strings.Contains(strings.ToLower(p.FirstName+" "+p.LastName+" "+p.Email), strings.ToLower(w)) {
				return false
			}
		}
		return true
	}
	out, err := c.findPeople(ctx, "searching clients", []string{"filter[email]", "filter[last_name]", "filter[first_name]"}, words, true, match)
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
