package clio_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

func collectContacts(t *testing.T, e *env, q clio.ContactQuery) []clio.Contact {
	t.Helper()
	var out []clio.Contact
	if err := e.c.Contacts(t.Context(), q, func(c clio.Contact) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestContactsPageAcrossSeveralPages(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	for i := range 450 {
		if _, err := e.fake.CreateContact(cliofake.ContactInput{FirstName: "P", LastName: fmt.Sprint(i), Email: fmt.Sprintf("p%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	got := collectContacts(t, e, clio.ContactQuery{})
	if len(got) != 450 {
		t.Fatalf("got %d contacts, want 450", len(got))
	}
	if !slices.IsSortedFunc(got, func(a, b clio.Contact) int { return int(a.ID - b.ID) }) || got[0].ID == got[1].ID {
		t.Fatal("contacts not in strictly ascending id order")
	}
	if got[449].Name != "P 449" || got[449].EmailAddresses[0].Address != "p449@example.com" {
		t.Fatalf("last contact %+v", got[449])
	}
	pages := e.requests("/api/v4/contacts.json")
	if len(pages) != 3 {
		t.Fatalf("%d page requests, want 3", len(pages))
	}
	for i, p := range pages {
		if p.Query.Get("limit") != "200" || p.Query.Get("order") != "id(asc)" || p.Query.Get("fields") != clio.ContactFields || (i > 0) != (p.Query.Get("page_token") != "") {
			t.Errorf("page %d query %v", i, p.Query)
		}
	}
}

func TestContactsUpdatedSinceAndIDs(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{PageSize: 2})
	var ids []int64
	for i := range 7 {
		c, _ := e.fake.CreateContact(cliofake.ContactInput{FirstName: "P", LastName: fmt.Sprint(i)})
		ids = append(ids, c.ID)
	}
	e.clk.Advance(time.Hour)
	since := e.clk.Now()
	for _, id := range []int64{ids[1], ids[4], ids[6]} {
		if _, err := e.fake.UpdateContact(id, cliofake.ContactInput{Email: "new@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name string
		q    clio.ContactQuery
		want []int64
	}{
		{"updated since", clio.ContactQuery{UpdatedSince: since}, []int64{ids[1], ids[4], ids[6]}},
		{"ids", clio.ContactQuery{IDs: []int64{ids[0], ids[4], ids[5]}}, []int64{ids[0], ids[4], ids[5]}},
		{"both", clio.ContactQuery{UpdatedSince: since, IDs: []int64{ids[0], ids[4]}}, []int64{ids[4]}},
		{"nothing new", clio.ContactQuery{UpdatedSince: since.Add(time.Minute)}, nil},
		// ids[] goes out 100 at a time, every chunk with the other filters.
		{"ids in two chunks", clio.ContactQuery{UpdatedSince: since, IDs: append(unknownIDs(120), ids[1], ids[5])}, []int64{ids[1]}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, c := range collectContacts(t, e, tt.q) {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestContactsStopWhenCallbackFails(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{PageSize: 2})
	for i := range 6 {
		e.fake.CreateContact(cliofake.ContactInput{FirstName: "P", LastName: fmt.Sprint(i)})
	}
	stop := errors.New("stop")
	n := 0
	err := e.c.Contacts(t.Context(), clio.ContactQuery{}, func(clio.Contact) error { n++; return stop })
	if err != stop || n != 1 || len(e.requests("/api/v4/contacts.json")) != 1 {
		t.Fatalf("err %v after %d calls and %d requests", err, n, len(e.requests("/api/v4/contacts.json")))
	}
}

func TestFindContactsMatchExactlyDespiteFuzzyQuery(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	ana, _ := e.fake.CreateContact(cliofake.ContactInput{FirstName: "Ana", LastName: "Ruiz", Email: "Ana@Example.com", Phone: "(555) 010-2000"})
	e.fake.CreateContact(cliofake.ContactInput{FirstName: "Banana", LastName: "Co", Email: "banana@example.com", Phone: "555-010-2000 x9"})
	e.fake.CreateContact(cliofake.ContactInput{FirstName: "Ana", LastName: "Other", Email: "ana@example.com.au", Phone: "555-999-2000"})
	for _, tt := range []struct {
		name  string
		find  func() ([]clio.Contact, error)
		wantN int
	}{
		{"email other case", func() ([]clio.Contact, error) { return e.c.FindContactsByEmail(t.Context(), " ana@EXAMPLE.com ") }, 1},
		{"email absent", func() ([]clio.Contact, error) { return e.c.FindContactsByEmail(t.Context(), "na@example.com") }, 0},
		{"phone e164", func() ([]clio.Contact, error) { return e.c.FindContactsByPhone(t.Context(), "+15550102000") }, 1},
		{"phone as stored", func() ([]clio.Contact, error) { return e.c.FindContactsByPhone(t.Context(), "(555) 010-2000") }, 1},
		{"phone absent", func() ([]clio.Contact, error) { return e.c.FindContactsByPhone(t.Context(), "555-010-3000") }, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.find()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantN || tt.wantN == 1 && got[0].ID != ana.ID {
				t.Fatalf("got %+v, want %d match(es) of contact %d", got, tt.wantN, ana.ID)
			}
		})
	}
}

func TestCreateContactFillsPersonDefaults(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	c, err := e.c.CreateContact(t.Context(), clio.ContactWrite{
		FirstName:      ptr("Mia"),
		LastName:       ptr("Chen"),
		EmailAddresses: []clio.EmailAddressWrite{{Address: "mia@example.com"}},
		PhoneNumbers:   []clio.PhoneNumberWrite{{Number: "+1 555 010 4000"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := e.fake.Contact(c.ID)
	if !ok || got.Type != "Person" || got.Name != "Mia Chen" || got.FirstName != "Mia" || got.LastName != "Chen" ||
		len(got.EmailAddresses) != 1 || got.EmailAddresses[0].Name != "Work" || !got.EmailAddresses[0].Primary ||
		len(got.PhoneNumbers) != 1 || got.PhoneNumbers[0].Name != "Mobile" || !got.PhoneNumbers[0].Primary {
		t.Fatalf("stored %+v", got)
	}
	if c.Name != "Mia Chen" || c.PrimaryEmailAddress == nil || *c.PrimaryEmailAddress != "mia@example.com" {
		t.Fatalf("returned %+v", c)
	}
	back, err := e.c.Contact(t.Context(), c.ID)
	if err != nil || back.ID != c.ID || back.Etag == "" || back.PhoneNumbers[0].Number != "+1 555 010 4000" {
		t.Fatalf("Contact = %+v, %v", back, err)
	}
}

// unknownIDs are n ids no object has.
func unknownIDs(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = 900_000_000 + int64(i)
	}
	return out
}
