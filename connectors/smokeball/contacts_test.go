package smokeball_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

func TestContactsPageThroughEverything(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{PageSize: 2})
	want := map[string]bool{}
	for i := range 7 {
		c, err := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "P", LastName: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		want[c.ID] = true
	}
	got := collect(t, func(fn func(smokeball.Contact) error) error {
		return e.c.Contacts(t.Context(), smokeball.ContactQuery{}, fn)
	})
	if len(got) != 7 {
		t.Fatalf("listed %d contacts, want 7", len(got))
	}
	for _, c := range got {
		if !want[c.ID] || c.Person == nil || c.VersionID == "" || c.LastUpdated.IsZero() {
			t.Fatalf("contact %+v", c)
		}
	}
	r := e.requests("/contacts")
	if len(r) != 4 || r[0].Query.Get("Limit") != "2" {
		t.Fatalf("%d requests (first %v), want 4 pages of 2", len(r), r[0].Query)
	}
}

func TestContactsUpdatedSinceSendsTicks(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	old, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Old", LastName: "One"})
	time.Sleep(2 * time.Millisecond)
	since := time.Now()
	time.Sleep(2 * time.Millisecond)
	fresh, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "New", LastName: "One"})
	got := collect(t, func(fn func(smokeball.Contact) error) error {
		return e.c.Contacts(t.Context(), smokeball.ContactQuery{UpdatedSince: since}, fn)
	})
	if len(got) != 1 || got[0].ID != fresh.ID {
		t.Fatalf("got %+v, want only %s (not %s)", got, fresh.ID, old.ID)
	}
	r := e.requests("/contacts")
	if q := r[len(r)-1].Query.Get("UpdatedSince"); q != fmt.Sprint(smokeball.Ticks(since)) {
		t.Fatalf("UpdatedSince=%q, want ticks %d", q, smokeball.Ticks(since))
	}
}

func TestFindContactsByEmailAndPhone(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	ana, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Ana", LastName: "Ruiz", Email: "Ana.Ruiz@Example.com", Phone: "(312) 555-0100"})
	bo, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Bo", LastName: "Li", Email: "ana.ruiz@example.org", Cell: "+1 773 555 0100"})
	for _, tt := range []struct {
		name string
		find func() ([]smokeball.Contact, error)
		want []string
	}{
		{"email any case", func() ([]smokeball.Contact, error) {
			return e.c.FindContactsByEmail(t.Context(), "ana.ruiz@example.COM")
		}, []string{ana.ID}},
		{"email none", func() ([]smokeball.Contact, error) { return e.c.FindContactsByEmail(t.Context(), "nobody@example.com") }, nil},
		{"phone formatted", func() ([]smokeball.Contact, error) { return e.c.FindContactsByPhone(t.Context(), "312-555-0100") }, []string{ana.ID}},
		{"phone with country code", func() ([]smokeball.Contact, error) { return e.c.FindContactsByPhone(t.Context(), "+1 (312) 5550100") }, []string{ana.ID}},
		{"cell", func() ([]smokeball.Contact, error) { return e.c.FindContactsByPhone(t.Context(), "7735550100") }, []string{bo.ID}},
		{"phone none", func() ([]smokeball.Contact, error) { return e.c.FindContactsByPhone(t.Context(), "2125550199") }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.find()
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Fatalf("found %v, want %v", ids, tt.want)
			}
		})
	}
	r := e.requests("/contacts")
	if q := r[0].Query.Get("search"); q != "email:ana.ruiz@example.COM" {
		t.Fatalf("search=%q", q)
	}
}

func TestFakeSearchOperators(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Ann", LastName: "Steele", Email: "ann@x.com"})
	e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Bob", LastName: "Steeler", Email: "bob@y.com"})
	for _, tt := range []struct {
		query string
		n     int
	}{
		{"?search=name:*steele*", 2},
		{"?Search=name:Ann%20Steele", 1},
		{"?search=name:*steele*&search=email:*@y.com", 1},
		{"?search=email:!ann@x.com", 1},
		{"?search=name:>=bob", 2}, // "Bob Steeler" and "Steele" forms compare ≥ "bob"
		{"?search=bogus:1", -1},
	} {
		status, _, body := e.raw("GET", "/contacts"+tt.query, nil, nil)
		if tt.n < 0 {
			if status != 400 {
				t.Errorf("%s: %d, want 400", tt.query, status)
			}
			continue
		}
		var page smokeball.Page[smokeball.Contact]
		if status != 200 || json.Unmarshal(body, &page) != nil || len(page.Value) != tt.n {
			t.Errorf("%s: %d, %d contacts, want %d: %s", tt.query, status, len(page.Value), tt.n, body)
		}
	}
}

func TestCreateContactIsAcceptedThenVisible(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{WriteDelay: 150 * time.Millisecond}, smokeball.Options{})
	a, err := e.c.CreateContact(t.Context(), smokeball.Person{FirstName: "Cy", LastName: "Ng", Email: "cy@example.com", Phone: &smokeball.Phone{AreaCode: "312", Number: "5550111"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.Href != e.srv.URL+"/contacts/"+a.ID {
		t.Fatalf("accepted %+v", a)
	}
	if _, err := e.c.Contact(t.Context(), a.ID); !errors.Is(err, smokeball.ErrNotFound) {
		t.Fatalf("read before the write applied: %v, want ErrNotFound", err)
	}
	c, err := e.c.WaitContact(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Person == nil || c.Person.Email != "cy@example.com" || c.Person.Phone.Number != "5550111" {
		t.Fatalf("contact %+v", c)
	}
}

func TestUpdateContactNotesKeepsEverythingElse(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	// A contact with fields the client's types do not know.
	status, _, body := e.raw("POST", "/contacts", map[string]any{"person": map[string]any{
		"firstName": "Di", "lastName": "Ole", "email": "di@example.com", "occupation": "Pilot",
		"residentialAddress": map[string]any{"city": "Chicago"}, "notes": "old"}}, nil)
	if status != 202 {
		t.Fatalf("create: %d %s", status, body)
	}
	var a smokeball.Accepted
	json.Unmarshal(body, &a)
	if _, err := e.c.WaitContact(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.UpdateContactNotes(t.Context(), a.ID, "new notes"); err != nil {
		t.Fatal(err)
	}
	e.fake.Flush()
	_, _, body = e.raw("GET", "/contacts/"+a.ID, nil, nil)
	var got struct {
		Person map[string]any `json:"person"`
	}
	json.Unmarshal(body, &got)
	if got.Person["notes"] != "new notes" || got.Person["occupation"] != "Pilot" || got.Person["email"] != "di@example.com" ||
		got.Person["residentialAddress"].(map[string]any)["city"] != "Chicago" {
		t.Fatalf("after the update: %s", body)
	}
	put := e.requests("/contacts/" + a.ID)
	last := put[len(put)-2] // the PUT, then our GET
	if last.Method != "PUT" {
		t.Fatalf("requests %+v", put)
	}
}

func TestFakeRefusesUnknownWriteFields(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	for _, body := range []any{
		map[string]any{"person": map[string]any{"firstName": "A", "emails": []string{"a@b.c"}}},
		map[string]any{"name": "A"},
		map[string]any{},
	} {
		status, h, b := e.raw("POST", "/contacts", body, nil)
		if status != 400 || h.Get("Content-Type") != "application/problem+json; charset=utf-8" {
			t.Errorf("POST %v: %d %s", body, status, b)
		}
	}
}
