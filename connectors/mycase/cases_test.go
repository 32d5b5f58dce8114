package mycase_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

func TestCreateCaseMatchesPracticeAreaByName(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	p := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "Dana", LastName: "Lee"})).must(t)
	for _, tt := range []struct {
		name, area, want string
	}{
		{"Lee v. Smith", "family law", "Family Law"},
		{"Lee estate", "Space Law", ""}, // unknown → blank
	} {
		c := attempt(e.c.CreateCase(e.ctx, mycase.CaseWrite{Name: tt.name, PracticeArea: tt.area, Status: "Open",
			OpenedDate: "2025-03-01", Clients: []mycase.IDRef{{ID: p.ID}}})).must(t)
		if c.ID == 0 || c.Name != tt.name || c.PracticeArea != tt.want || c.Status != "open" || c.OpenedDate != "2025-03-01" ||
			len(c.Clients) != 1 || c.Clients[0].ID != p.ID || c.CaseNumber != "" {
			t.Errorf("%s: %+v", tt.name, c)
		}
	}
	if got := attempt(e.c.Person(e.ctx, p.ID)).must(t); len(got.Cases) != 2 {
		t.Errorf("person's cases %+v", got.Cases)
	}
	for _, r := range e.requests("/v1/cases") {
		if r.Method == http.MethodPost && r.Status != http.StatusCreated {
			t.Errorf("create answered %d", r.Status)
		}
	}
	areas := attempt(e.c.PracticeAreas(e.ctx)).must(t)
	e.fake.AddPracticeArea("Space Law")
	if got := attempt(e.c.PracticeAreas(e.ctx)).must(t); len(got) != len(areas)+1 || got[len(got)-1].Name != "Space Law" {
		t.Errorf("practice areas %+v", got)
	}
}

func TestDuplicateCaseNameIs422(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	attempt(e.c.CreateCase(e.ctx, mycase.CaseWrite{Name: "Lee v. Smith"})).must(t)
	_, err := e.c.CreateCase(e.ctx, mycase.CaseWrite{Name: "LEE v. smith"})
	if httpx.StatusOf(err) != http.StatusUnprocessableEntity || httpx.KindOf(err) != httpx.KindValidation {
		t.Fatalf("duplicate: %v", err)
	}
	resp, b := e.raw(http.MethodPost, "/v1/cases", map[string]any{"name": "Lee v. Smith"})
	if resp.StatusCode != http.StatusUnprocessableEntity || errorBody(t, b).Errors[0].Source.Pointer != "/name" {
		t.Fatalf("raw duplicate: %d %s", resp.StatusCode, b)
	}
	resp, _ = e.raw(http.MethodPost, "/v1/cases", map[string]any{"description": "no name"})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("missing name: %d", resp.StatusCode)
	}
}

func TestCasesFilterByStatusAndUpdatedAfter(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 1})
	open := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Open one"})).must(t)
	closed := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Closed one", Status: "closed"})).must(t)
	e.clk.Advance(time.Minute)
	since := e.clk.Now()
	e.clk.Advance(time.Minute)
	attempt(e.fake.UpdateCase(open.ID, mycasefake.CasePatch{Description: "new facts"})).must(t)
	collect := func(q mycase.CaseQuery) []int64 {
		var ids []int64
		if err := e.c.Cases(e.ctx, q, func(c mycase.Case) error { ids = append(ids, c.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for _, tt := range []struct {
		q    mycase.CaseQuery
		want []int64
	}{
		{mycase.CaseQuery{}, []int64{open.ID, closed.ID}},
		{mycase.CaseQuery{Status: "closed"}, []int64{closed.ID}},
		{mycase.CaseQuery{Status: "OPEN"}, []int64{open.ID}},
		{mycase.CaseQuery{UpdatedAfter: since}, []int64{open.ID}},
	} {
		if got := collect(tt.q); !equalIDs(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.q, got, tt.want)
		}
	}
	if err := e.c.Cases(e.ctx, mycase.CaseQuery{Status: "pending"}, func(mycase.Case) error { return nil }); err == nil {
		t.Error("status pending accepted")
	}
}

func TestSetCaseCustomFieldSendsNameAndOneValue(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	f := attempt(e.c.CreateCustomField(e.ctx, "Lawmatics ID", "case", "short_text")).must(t)
	n := attempt(e.c.CreateCustomField(e.ctx, "Fee", "case", "numeric")).must(t)
	c := attempt(e.c.CreateCase(e.ctx, mycase.CaseWrite{Name: "Lee v. Smith", Description: "keep me",
		CustomFieldValues: []mycase.CustomFieldValue{{CustomField: mycase.IDRef{ID: n.ID}, Value: "12.5"}}})).must(t)
	if err := e.c.SetCaseCustomField(e.ctx, c.ID, f.ID, "LM-42"); err != nil {
		t.Fatal(err)
	}
	var put seen
	for _, r := range e.requests("/v1/cases/") {
		if r.Method == http.MethodPut {
			put = r
		}
	}
	if put.Status != http.StatusNoContent {
		t.Fatalf("PUT answered %d", put.Status)
	}
	got := attempt(e.c.Case(e.ctx, c.ID)).must(t)
	v, ok := got.CustomFieldValue(f.ID)
	fee, ok2 := got.CustomFieldValue(n.ID)
	if !ok || v.String() != "LM-42" || got.Description != "keep me" || got.Name != "Lee v. Smith" || !ok2 {
		t.Fatalf("after PUT: %+v", got)
	}
	// The fake answers a numeric field's value as a JSON number.
	if _, isNum := fee.Value.(json.Number); !isNum || fee.String() != "12.5" {
		t.Fatalf("numeric value read as %T %v", fee.Value, fee.Value)
	}
	// The spec requires name on PUT: without it the fake refuses.
	resp, b := e.raw(http.MethodPut, "/v1/cases/"+itoa(c.ID), map[string]any{
		"custom_field_values": []any{map[string]any{"custom_field": map[string]any{"id": f.ID}, "value": "x"}}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("PUT without name: %d %s", resp.StatusCode, b)
	}
	if err := e.c.SetCaseCustomField(e.ctx, 999, f.ID, "x"); !errorsIsNotFound(err) {
		t.Fatalf("missing case: %v", err)
	}
	// A value the field's type refuses is a 422.
	if err := e.c.SetCaseCustomField(e.ctx, c.ID, n.ID, "lots"); httpx.StatusOf(err) != http.StatusUnprocessableEntity {
		t.Fatalf("bad numeric: %v", err)
	}
}

func TestCustomFieldsListAndValidate(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 1})
	attempt(e.c.CreateCustomField(e.ctx, "A", "case", "short_text")).must(t)
	attempt(e.c.CreateCustomField(e.ctx, "B", "client", "boolean")).must(t)
	got := attempt(e.c.CustomFields(e.ctx)).must(t)
	if len(got) != 2 || got[1].ParentType != "client" || got[1].FieldType != "boolean" || got[0].CreatedAt.IsZero() {
		t.Fatalf("fields %+v", got)
	}
	for _, bad := range [][3]string{{"C", "matter", "short_text"}, {"C", "case", "text_line"}, {"", "case", "short_text"}, {"a", "case", "long_text"}} {
		if _, err := e.c.CreateCustomField(e.ctx, bad[0], bad[1], bad[2]); httpx.StatusOf(err) != http.StatusUnprocessableEntity {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
