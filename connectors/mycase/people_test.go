package mycase_test

import (
	"net/http"
	"testing"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

func TestCreatePersonAndReadItBack(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	p := attempt(e.c.CreatePerson(e.ctx, mycase.PersonWrite{FirstName: "Dana", LastName: "Lee", Email: "dana@example.test",
		CellPhoneNumber: "555-010-2000", Notes: "met at intake"})).must(t)
	if p.ID == 0 || p.FirstName != "Dana" || p.Email != "dana@example.test" || p.Notes != "met at intake" || p.CreatedAt.IsZero() {
		t.Fatalf("created %+v", p)
	}
	if got := e.requests("/v1/clients"); got[0].Method != http.MethodPost || got[0].Status != http.StatusCreated {
		t.Fatalf("create answered %d", got[0].Status)
	}
	back := attempt(e.c.Person(e.ctx, p.ID)).must(t)
	if back.LastName != "Lee" || back.CellPhoneNumber != "555-010-2000" || back.Cases == nil {
		t.Fatalf("read back %+v", back)
	}
}

func TestCreatePersonRequiresNames(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	for _, w := range []mycase.PersonWrite{{LastName: "Lee"}, {FirstName: "Dana"}, {FirstName: " ", LastName: "Lee"}} {
		_, err := e.c.CreatePerson(e.ctx, w)
		if httpx.StatusOf(err) != http.StatusUnprocessableEntity {
			t.Errorf("%+v: %v, want 422", w, err)
		}
	}
	// A property ClientRequest does not name is refused.
	resp, b := e.raw(http.MethodPost, "/v1/clients", map[string]any{"first_name": "A", "last_name": "B", "nickname": "x"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown property: %d", resp.StatusCode)
	}
	errorBody(t, b)
}

func TestFindPeopleByEmail(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 1})
	a := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "A", LastName: "One", Email: "dana@example.test"})).must(t)
	attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "B", LastName: "Two", Email: "xdana@example.test"})).must(t)
	attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "C", LastName: "Three", Email: "other@example.test"})).must(t)
	for _, q := range []string{"dana@example.test", "DANA@Example.test", "  dana@example.test "} {
		got := attempt(e.c.FindPeopleByEmail(e.ctx, q)).must(t)
		// The fake's filter matches substrings; the client keeps exact matches.
		if len(got) != 1 || got[0].ID != a.ID {
			t.Errorf("%q: %+v", q, got)
		}
	}
	if got := attempt(e.c.FindPeopleByEmail(e.ctx, "nobody@example.test")).must(t); len(got) != 0 {
		t.Errorf("nobody: %+v", got)
	}
}

func TestFindPeopleByPhone(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	cell := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "A", LastName: "Cell", CellPhone: "(555) 010-2000"})).must(t)
	work := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "B", LastName: "Work", WorkPhone: "555-010-2000"})).must(t)
	home := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "C", LastName: "Home", HomePhone: "+15550102000",
		CellPhone: "555-010-2000"})).must(t)
	other := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "D", LastName: "Other", CellPhone: "555-010-9999"})).must(t)
	all := []int64{cell.ID, work.ID, home.ID}
	for _, tt := range []struct {
		q    string
		want []int64
	}{
		// The fake compares the text as stored; the client tries every
		// spelling, so each finds all three.
		{"555-010-2000", all},
		{"(555) 010-2000", all},
		{"5550102000", all},
		{"+1 (555) 010-2000", all},
		{"+1 555 010 9999", []int64{other.ID}},
		{"555-010-0000", nil},
	} {
		got := attempt(e.c.FindPeopleByPhone(e.ctx, tt.q)).must(t)
		var ids []int64
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		if !equalIDs(ids, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.q, ids, tt.want)
		}
	}
	// Each spelling is tried against the three phone filters.
	var filters = map[string]bool{}
	for _, r := range e.requests("/v1/clients") {
		for k := range r.Query {
			filters[k] = true
		}
	}
	for _, f := range []string{"filter[cell_phone_number]", "filter[work_phone_number]", "filter[home_phone_number]"} {
		if !filters[f] {
			t.Errorf("%s never sent", f)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
