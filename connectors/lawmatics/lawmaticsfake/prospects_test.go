package lawmaticsfake_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

func TestProspectShapeAndCaseType(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, err := e.fake.CreateProspect(lawmaticsfake.ProspectInput{
		FirstName: "Lena", LastName: "Novak", Email: "lena@example.com", Phone: "555-0199",
		CaseTitle: "Novak divorce", CaseNumber: "2024-017", CaseType: "Divorce (standard)", PracticeArea: "Family Law",
	})
	if err != nil {
		t.Fatal(err)
	}
	m := e.json("GET", "/v1/prospects/"+p.ID, nil, 200)
	if got := keys(dig(m, "data", "attributes")); !slices.Equal(got, []string{"created_at", "email", "first_name", "last_name", "updated_at"}) {
		t.Fatalf("default attributes %v", got)
	}
	resp, b := e.do("GET", "/v1/prospects/"+p.ID+"?fields=all", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var got lawmatics.Single[lawmatics.Prospect]
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	a := got.Data.Attributes
	if got.Data.Type != "prospect" || a.CaseTitle != "Novak divorce" || a.CaseNumber != "2024-017" || a.Status != "pnc" ||
		a.SubStatus != "Pnc" || a.CaseType() != "Divorce (standard)" || a.FirstName != "Lena" || a.Email != "lena@example.com" || a.ConvertedDate != nil {
		t.Fatalf("prospect %+v", got.Data)
	}
	cf, _ := a.CustomField(lawmatics.CaseTypeFieldName)
	if cf.ID != lawmaticsfake.CaseTypeFieldID || cf.FieldType != "list" || cf.Value != "3240" || cf.FormattedValue != "Divorce (standard)" {
		t.Fatalf("custom field %+v", cf)
	}
	if _, has := dig(m, "data", "relationships").(map[string]any)["sub_status"]; has {
		t.Fatalf("sub_status is an attribute, not a relationship: %v", dig(m, "data", "relationships"))
	}
	r := got.Data.Relationships
	if r.Contact.Data == nil || r.Contact.Data.Type != "contact" || r.PracticeArea.Data == nil || r.Notes.Data == nil || r.Documents.Data == nil {
		t.Fatalf("relationships %+v", r)
	}
	c := e.json("GET", "/v1/contacts/"+r.Contact.Data.ID, nil, 200)
	if mustJSON(t, dig(c, "data", "relationships", "prospects")) != `{"data":[{"id":"`+p.ID+`","type":"prospect"}]}` {
		t.Fatalf("contact relationships %v", dig(c, "data", "relationships"))
	}
}

func TestProspectWritesAndFinders(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	m := e.json("POST", "/v1/prospects", map[string]any{
		"first_name": "Omar", "last_name": "Haddad", "email": "omar@example.com", "case_title": "Asylum claim",
		"custom_fields": []any{map[string]any{"id": lawmaticsfake.CaseTypeFieldID, "value": 3242}},
	}, 201)
	id := dig(m, "data", "id").(string)
	if dig(m, "data", "attributes", "status") != "pnc" || dig(m, "data", "relationships", "contact", "data", "type") != "contact" {
		t.Fatalf("create %v", m)
	}
	// match_contact_by reuses the contact.
	m = e.json("POST", "/v1/prospects", map[string]any{"email": "OMAR@example.com", "match_contact_by": "email", "case_title": "Second"}, 201)
	first, _ := e.fake.Prospect(id)
	if dig(m, "data", "relationships", "contact", "data", "id") != first.Relationships.Contact.Data.ID {
		t.Fatalf("match_contact_by did not reuse the contact: %v", m)
	}
	for _, body := range []map[string]any{
		{"first_name": "X", "status": "active"},
		{"first_name": "X", "custom_fields": []any{map[string]any{"id": lawmaticsfake.CaseTypeFieldID, "value": "bogus"}}},
		{"first_name": "X", "custom_fields": []any{map[string]any{"id": lawmaticsfake.CaseTypeFieldID, "value": "Custody only"}}}, // the label, not the option id
		{"first_name": "X", "custom_fields": []any{map[string]any{"id": lawmaticsfake.CaseTypeFieldID, "value": "9999"}}},
		{"contact_id": "99999"},
	} {
		e.json("POST", "/v1/prospects", body, 422)
	}
	m = e.json("PUT", "/v1/prospects/"+id, map[string]any{"case_blurb": "Hearing in May", "status": "lost"}, 200)
	if dig(m, "data", "attributes", "case_blurb") != "Hearing in May" || dig(m, "data", "attributes", "status") != "lost" {
		t.Fatalf("update %v", m)
	}
	m = e.json("GET", "/v1/prospects/find_by_email/omar@example.com?fields=case_title", nil, 200)
	if dig(m, "data", "type") != "prospect" || dig(m, "data", "attributes", "case_title") != "Asylum claim" {
		t.Fatalf("finder %v", m)
	}
	e.json("GET", "/v1/prospects/find_by_name/nobody", nil, 404)

	m = e.json("GET", "/v1/prospects?filter_by=status&filter_on=lost&fields=case_title,status", nil, 200)
	if dig(m, "meta", "total_entries") != float64(1) || dig(m, "data", 0, "id") != id || dig(m, "links", "self") != "/v1/prospect?page=1" {
		t.Fatalf("filtered list %v", m)
	}
	m = e.json("DELETE", "/v1/prospects/"+id, nil, 200)
	if dig(m, "data", "id") != id {
		t.Fatalf("delete %v", m)
	}
	e.json("GET", "/v1/prospects/"+id, nil, 404)
}

func TestLookups(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	m := e.json("GET", "/v1/sub_statuses?sort_order=asc", nil, 200)
	if dig(m, "data", 0, "type") != "sub_status" || dig(m, "data", 0, "attributes", "status") != "pnc" || dig(m, "links", "self") != "/v1/sub_status?page=1" {
		t.Fatalf("sub_statuses %v", m)
	}
	m = e.json("GET", "/v1/practice_areas?filter_by=name&filter_on=family%25", nil, 200)
	if dig(m, "meta", "total_entries") != float64(1) || dig(m, "data", 0, "attributes", "name") != "Family Law" {
		t.Fatalf("practice_areas %v", m)
	}
}

func TestNotes(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Ines", CaseTitle: "Will"})
	q, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Jon", CaseTitle: "Crash"})
	m := e.json("POST", "/v1/notes", map[string]any{"name": "Zoom call", "body": "Discussed the will.", "notable_type": "Prospect", "notable_id": json.Number(p.ID)}, 201)
	if dig(m, "data", "type") != "note" || mustJSON(t, dig(m, "data", "relationships")) != `{}` ||
		!slices.Equal(keys(dig(m, "data", "attributes")), []string{"body", "created_at", "name", "updated_at"}) {
		t.Fatalf("create note %v", m)
	}
	e.json("POST", "/v1/notes", map[string]any{"name": "Other", "body": "x", "notable_type": "Prospect", "notable_id": q.ID}, 201)
	e.json("POST", "/v1/notes", map[string]any{"name": "Bad", "body": "x", "notable_type": "Prospect", "notable_id": 99999}, 422)
	m = e.json("GET", "/v1/notes?filter_by=matter_id&filter_on="+p.ID, nil, 200)
	if dig(m, "meta", "total_entries") != float64(1) || dig(m, "data", 0, "relationships", "notable", "data", "id") != p.ID || dig(m, "links", "self") != "/v1/note?page=1" {
		t.Fatalf("notes list %v", m)
	}
	notes := e.fake.Notes()
	if len(notes) != 2 || notes[0].Attributes.Body != "Discussed the will." || notes[0].Relationships.Notable.Data.Type != "prospect" {
		t.Fatalf("Notes() %+v", notes)
	}
	got, _ := e.fake.Prospect(p.ID)
	if len(got.Relationships.Notes.Data) != 1 {
		t.Fatalf("prospect notes relationship %+v", got.Relationships.Notes)
	}
}
