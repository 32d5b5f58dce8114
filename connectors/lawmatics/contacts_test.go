package lawmatics_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

// seedContacts creates n contacts, advancing the clock by step between
// them, and returns their ids in creation order.
func seedContacts(t *testing.T, e *env, n int, step time.Duration) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := range n {
		c, err := e.fake.CreateContact(lawmaticsfake.ContactInput{
			FirstName: fmt.Sprintf("First%03d", i), LastName: "Client",
			Email: fmt.Sprintf("c%03d@example.com", i), Phone: fmt.Sprintf("555-01%02d", i%100),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		e.clock.Advance(step)
	}
	return ids
}

func collectContacts(t *testing.T, c *lawmatics.Client, q lawmatics.ContactQuery) []lawmatics.Contact {
	t.Helper()
	var got []lawmatics.Contact
	if err := c.Contacts(context.Background(), q, func(x lawmatics.Contact) error {
		got = append(got, x)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func contactIDs(cs []lawmatics.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestContactsPageOldestChangeFirst(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	ids := seedContacts(t, e, 80, time.Second) // four pages
	got := collectContacts(t, e.c, lawmatics.ContactQuery{})
	if !slices.Equal(contactIDs(got), ids) {
		t.Fatalf("got %v\nwant %v", contactIDs(got), ids)
	}
	if n := e.c.HTTP().Requests(); n != 4 {
		t.Fatalf("%d requests for 80 contacts, want 4", n)
	}
	first := got[0].Attributes
	if first.FirstName != "First000" || first.Phone != "555-0100" || first.UpdatedAt.IsZero() || first.CreatedAt.IsZero() {
		t.Fatalf("contact lacks fields: %+v", first)
	}
}

func TestContactsUpdatedSince(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	ids := seedContacts(t, e, 90, time.Second)
	c49, _ := e.fake.Contact(ids[49])
	got := collectContacts(t, e.c, lawmatics.ContactQuery{UpdatedSince: c49.Attributes.UpdatedAt.Time})
	if !slices.Equal(contactIDs(got), ids[50:]) {
		t.Fatalf("got %v\nwant %v", contactIDs(got), ids[50:])
	}
	if got := collectContacts(t, e.c, lawmatics.ContactQuery{UpdatedSince: e.clock.Now()}); len(got) != 0 {
		t.Fatalf("nothing changed, got %d contacts", len(got))
	}
}

func TestContactsSeeEveryRecordWhenOneChangesMidScan(t *testing.T) {
	// A staff member edits a contact from the first page while the sync is
	// reading it: plain page=N paging would skip one record.
	e := newEnv(t, lawmaticsfake.Options{})
	ids := seedContacts(t, e, 60, time.Second)
	var got []string
	edited := false
	err := e.c.Contacts(context.Background(), lawmatics.ContactQuery{}, func(x lawmatics.Contact) error {
		got = append(got, x.ID)
		if !edited {
			edited = true
			e.clock.Advance(time.Minute)
			e.doRaw(t, "PUT", "/v1/contacts/"+ids[3], `{"phone":"555-9999"}`)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !slices.Contains(got, id) {
			t.Fatalf("contact %s was skipped; got %v", id, got)
		}
	}
	if got[len(got)-1] != ids[3] {
		t.Fatalf("the edited contact should come last, got %v", got)
	}
}

func TestContactsBulkImportInOneInstant(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	ids := seedContacts(t, e, 60, 0) // every updated_at equal
	got := contactIDs(collectContacts(t, e.c, lawmatics.ContactQuery{}))
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant each of %v once", got, want)
	}
}

func TestContactsStopWhenFnFails(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	seedContacts(t, e, 60, time.Second)
	stop := errors.New("stop")
	n := 0
	err := e.c.Contacts(context.Background(), lawmatics.ContactQuery{}, func(lawmatics.Contact) error {
		if n++; n == 30 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 30 || e.c.HTTP().Requests() != 2 {
		t.Fatalf("err %v after %d records and %d requests", err, n, e.c.HTTP().Requests())
	}
}

func TestContactReadsAllFields(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	ids := seedContacts(t, e, 1, 0)
	c, err := e.c.Contact(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != ids[0] || c.Attributes.Phone != "555-0100" || c.Attributes.Email != "c000@example.com" {
		t.Fatalf("contact %+v", c)
	}
	if _, err := e.c.Contact(context.Background(), "424242"); httpx.KindOf(err) != httpx.KindNotFound {
		t.Fatalf("unknown contact: %v", err)
	}
}
