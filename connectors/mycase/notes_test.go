package mycase_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

func TestNotesOnClientsAndCases(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	p := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "Dana", LastName: "Lee"})).must(t)
	c := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Lee v. Smith", ClientIDs: []int64{p.ID}})).must(t)
	when := time.Date(2025, 3, 9, 14, 30, 0, 0, time.FixedZone("EST", -5*3600))

	cn := attempt(e.c.CreateClientNote(e.ctx, p.ID, mycase.NoteWrite{Subject: "Call", Note: "Discussed fees", Date: when})).must(t)
	if cn.ID == 0 || cn.Client == nil || cn.Client.ID != p.ID || cn.Case != nil || cn.Subject != "Call" {
		t.Fatalf("client note %+v", cn)
	}
	if d, ok := cn.DateTime(); !ok || !d.Equal(when) {
		t.Fatalf("note date %q", cn.Date)
	}
	// Notes are created with 200, not 201.
	if r := e.requests("/v1/clients/"); r[len(r)-1].Status != http.StatusOK {
		t.Fatalf("note create answered %d", r[len(r)-1].Status)
	}
	// A blank body is sent as the subject (MyCase requires note).
	kn := attempt(e.c.CreateCaseNote(e.ctx, c.ID, mycase.NoteWrite{Subject: "Zoom meeting held"})).must(t)
	if kn.Case == nil || kn.Case.ID != c.ID || kn.Note != "Zoom meeting held" || kn.Date == "" {
		t.Fatalf("case note %+v", kn)
	}

	var got []mycase.Note
	if err := e.c.CaseNotes(e.ctx, c.ID, func(n mycase.Note) error { got = append(got, n); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != kn.ID {
		t.Fatalf("case notes %+v", got)
	}
	got = nil
	if err := e.c.ClientNotes(e.ctx, p.ID, func(n mycase.Note) error { got = append(got, n); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != cn.ID || len(e.fake.Notes()) != 2 {
		t.Fatalf("client notes %+v", got)
	}
	if _, err := e.c.CreateCaseNote(e.ctx, 999, mycase.NoteWrite{Subject: "x"}); !errorsIsNotFound(err) {
		t.Fatalf("missing case: %v", err)
	}
}

func TestNoteListsPageWithoutPageSize(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 5})
	c := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Busy"})).must(t)
	for range 30 {
		attempt(e.c.CreateCaseNote(e.ctx, c.ID, mycase.NoteWrite{Subject: "s", Note: "n"})).must(t)
	}
	n := 0
	if err := e.c.CaseNotes(e.ctx, c.ID, func(mycase.Note) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	var gets []seen
	for _, r := range e.requests("/v1/cases/") {
		if r.Method == http.MethodGet {
			gets = append(gets, r)
		}
	}
	// The spec gives this list no page_size: the fake pages at 25 and the
	// client sends none.
	if n != 30 || len(gets) != 2 || gets[0].Query.Has("page_size") {
		t.Fatalf("%d notes in %d pages (%v)", n, len(gets), gets[0].Query)
	}
}

func TestNoteRequiresSubjectNoteAndDate(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	c := attempt(e.fake.CreateCase(mycasefake.CaseInput{Name: "Case"})).must(t)
	for _, body := range []map[string]any{
		{"note": "n", "date": "2025-03-01"},
		{"subject": "s", "date": "2025-03-01"},
		{"subject": "s", "note": "n"},
		{"subject": "s", "note": "n", "date": "March 1st"},
	} {
		resp, b := e.raw(http.MethodPost, "/v1/cases/"+itoa(c.ID)+"/notes", body)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", body, resp.StatusCode)
			continue
		}
		if eb := errorBody(t, b); eb.Errors[0].Source == nil || eb.Errors[0].Source.Pointer == "" {
			t.Errorf("%v: no pointer in %s", body, b)
		}
	}
	if _, err := e.c.CreateCaseNote(e.ctx, c.ID, mycase.NoteWrite{}); err == nil || httpx.StatusOf(err) != 0 {
		t.Errorf("blank subject: %v (want a client-side refusal)", err)
	}
}
