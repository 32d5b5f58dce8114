package lawmaticsfake_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

// These tests pin the record shapes of the vendor's Postman examples that
// the fake once got wrong: picklists, custom-field ids, sub-status, list
// relationships, file type and converted_date.

func TestCaseTypeIsAPicklistWithOptionIDs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		numeric bool
		wantID  any
	}{
		{"newest example: string ids", false, fmt.Sprint(lawmaticsfake.CaseTypeFieldID)},
		{"older examples: numeric ids", true, float64(lawmaticsfake.CaseTypeFieldID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, lawmaticsfake.Options{NumericCustomFieldIDs: tc.numeric})
			p, err := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Rosa", CaseTitle: "Custody", CaseType: "Custody only"})
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/v1/prospects/" + p.ID + "?fields=all", "/v1/prospects?fields=all"} {
				m := e.json("GET", path, nil, 200)
				data := dig(m, "data")
				if _, list := data.([]any); list {
					data = dig(data, 0)
				}
				cf := dig(data, "attributes", "custom_fields", 0)
				want := map[string]any{"id": tc.wantID, "name": "Case Type", "field_type": "list", "value": "3241", "formatted_value": "Custody only"}
				if mustJSON(t, cf) != mustJSON(t, want) {
					t.Fatalf("%s: custom field %s, want %s", path, mustJSON(t, cf), mustJSON(t, want))
				}
			}
		})
	}
}

func TestCaseTypeWritesTakeTheOptionID(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Ida", CaseTitle: "Will"})
	for _, v := range []any{3244, "3244"} {
		m := e.json("PUT", "/v1/prospects/"+p.ID, map[string]any{
			"custom_fields": []any{map[string]any{"id": fmt.Sprint(lawmaticsfake.CaseTypeFieldID), "value": v}},
		}, 200)
		if got := dig(m, "data", "attributes", "custom_fields", 0, "formatted_value"); got != "Estate planning — will" {
			t.Fatalf("value %v: formatted_value %v", v, got)
		}
	}
	for _, v := range []any{"Custody only", "custody_only", 1, "x"} {
		resp, b := e.do("PUT", "/v1/prospects/"+p.ID, map[string]any{
			"custom_fields": []any{map[string]any{"id": lawmaticsfake.CaseTypeFieldID, "value": v}},
		})
		if resp.StatusCode != 422 || !strings.HasPrefix(string(b), `{"errors":[{"status":422,"title":"Unprocessable Entity","detail":"`) {
			t.Fatalf("value %v: %d %s", v, resp.StatusCode, b)
		}
	}
	// null clears.
	m := e.json("PUT", "/v1/prospects/"+p.ID, map[string]any{
		"custom_fields": []any{map[string]any{"id": lawmaticsfake.CaseTypeFieldID, "value": nil}},
	}, 200)
	if cf := dig(m, "data", "attributes", "custom_fields", 0); dig(cf, "value") != nil || dig(cf, "formatted_value") != "" {
		t.Fatalf("cleared: %v", cf)
	}
	if _, err := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "X", CaseType: "Maritime"}); err == nil {
		t.Fatal("an unknown case type was accepted")
	}
}

func TestCustomFieldsListing(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	m := e.json("GET", "/v1/custom_fields?fields=all", nil, 200)
	f := dig(m, "data", 0)
	if dig(f, "type") != "custom_field" || dig(f, "id") != fmt.Sprint(lawmaticsfake.CaseTypeFieldID) {
		t.Fatalf("custom field %v", f)
	}
	a := dig(f, "attributes")
	if dig(a, "name") != "Case Type" || dig(a, "field_type") != "list" || dig(a, "type") != "Prospect" || dig(a, "created_at") == nil {
		t.Fatalf("attributes %v", a)
	}
	var labels []string
	for i := range lawmaticsfake.CaseTypes() {
		o := dig(a, "list_options", i)
		if _, num := dig(o, "id").(float64); !num {
			t.Fatalf("option id %v is not a number", dig(o, "id"))
		}
		labels = append(labels, dig(o, "name").(string))
	}
	if !slices.Equal(labels, lawmaticsfake.CaseTypes()) {
		t.Fatalf("options %v", labels)
	}
	one := e.json("GET", fmt.Sprintf("/v1/custom_fields/%d", lawmaticsfake.CaseTypeFieldID), nil, 200)
	if mustJSON(t, dig(one, "data")) != mustJSON(t, f) {
		t.Fatalf("single %v", one)
	}
	e.json("GET", "/v1/custom_fields/424242", nil, 404)
}

func TestListRowsCarryNoRelationships(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Lu", Email: "lu@example.com", CaseTitle: "Crash", PracticeArea: "Personal Injury"})
	for _, path := range []string{"/v1/prospects", "/v1/prospects?fields=all", "/v1/contacts", "/v1/contacts?fields=all", "/v1/sub_statuses"} {
		m := e.json("GET", path, nil, 200)
		if got := mustJSON(t, dig(m, "data", 0, "relationships")); got != `{}` {
			t.Errorf("%s: relationships %s", path, got)
		}
	}
	// Naming a relationship in fields brings it, as the vendor's filter example shows.
	m := e.json("GET", "/v1/prospects?fields=practice_area,first_name", nil, 200)
	if dig(m, "data", 0, "id") != p.ID || dig(m, "data", 0, "relationships", "practice_area", "data", "type") != "practice_area" ||
		!slices.Equal(keys(dig(m, "data", 0, "attributes")), []string{"first_name"}) {
		t.Fatalf("fields=practice_area: %v", dig(m, "data", 0))
	}
}

func TestSubStatusIsAnAttribute(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Al", CaseTitle: "Case"})
	m := e.json("GET", "/v1/prospects/"+p.ID+"?fields=sub_status,status", nil, 200)
	if dig(m, "data", "attributes", "sub_status") != "Pnc" {
		t.Fatalf("no sub-status: %v", dig(m, "data", "attributes"))
	}
	subs := e.json("GET", "/v1/sub_statuses?filter_by=name&filter_on=Retained", nil, 200)
	sid := dig(subs, "data", 0, "id")
	m = e.json("PUT", "/v1/prospects/"+p.ID, map[string]any{"sub_status_id": sid}, 200)
	a := dig(m, "data", "attributes")
	if dig(a, "sub_status") != "Retained" || dig(a, "status") != "hired" {
		t.Fatalf("with sub-status: %v", a)
	}
	if _, has := dig(m, "data", "relationships").(map[string]any)["sub_status"]; has {
		t.Fatal("sub_status must not be a relationship")
	}
}

func TestFilesAreTypeFile(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Fi", CaseTitle: "Files"})
	f, _ := e.fake.AddFile(p.ID, "a.pdf", []byte("%PDF-1.4"))
	m := e.json("GET", "/v1/files/"+f.ID, nil, 200)
	l := e.json("GET", "/v1/files", nil, 200)
	g := e.json("GET", "/v1/prospects/"+p.ID+"?fields=all", nil, 200)
	if dig(m, "data", "type") != "file" || dig(l, "data", 0, "type") != "file" || dig(g, "data", "relationships", "documents", "data", 0, "type") != "file" {
		t.Fatalf("file types: %v / %v / %v", dig(m, "data", "type"), dig(l, "data", 0, "type"), dig(g, "data", "relationships", "documents"))
	}
}

func TestConvertedDateForms(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dateTime bool
		want     string
	}{
		{"plain date", false, "2024-03-01"},
		{"date-time", true, "2024-03-01T02:00:00.000-07:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, lawmaticsfake.Options{ConvertedDateTime: tc.dateTime})
			p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Cy", CaseTitle: "Hire"})
			if dig(e.json("GET", "/v1/prospects/"+p.ID+"?fields=converted_date", nil, 200), "data", "attributes", "converted_date") != nil {
				t.Fatal("converted_date set before the hire")
			}
			if err := e.fake.Hire(p.ID); err != nil {
				t.Fatal(err)
			}
			m := e.json("GET", "/v1/prospects/"+p.ID+"?fields=converted_date", nil, 200)
			if got := dig(m, "data", "attributes", "converted_date"); got != tc.want {
				t.Fatalf("converted_date %v, want %s", got, tc.want)
			}
			// Filtering on it works in either form.
			l := e.json("GET", "/v1/prospects?filter_by=converted_date&filter_with=>=&filter_on=2024-03-01", nil, 200)
			if dig(l, "meta", "total_entries") != float64(1) {
				t.Fatalf("filter on converted_date: %v", l)
			}
		})
	}
}

func TestRestoreMigratesSelectCaseTypes(t *testing.T) {
	// A sandbox saved before the picklist had option ids.
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Old", CaseTitle: "Old", CaseType: "Immigration — asylum"})
	snap, err := e.fake.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(snap), `"FieldType":"list"`, `"FieldType":"select"`, 1)
	opts := strings.Index(old, `"Options":[`)
	end := strings.Index(old[opts:], "]") + opts + 1
	old = old[:opts] + `"Options":["divorce_standard","custody_only","immigration_asylum","personal_injury_auto","estate_planning_will"]` + old[end:]
	old = strings.Replace(old, `"1001":"3242"`, `"1001":"immigration_asylum"`, 1)
	if old == string(snap) || !strings.Contains(old, `"immigration_asylum"}`) {
		t.Fatalf("test setup: snapshot not rewritten: %s", old)
	}
	if err := e.fake.Restore([]byte(old)); err != nil {
		t.Fatal(err)
	}
	got, _ := e.fake.Prospect(p.ID)
	cf, _ := got.Attributes.CustomField("Case Type")
	if cf.FieldType != "list" || cf.Value != "3242" || got.Attributes.CaseType() != "Immigration — asylum" {
		t.Fatalf("restored %+v", cf)
	}
}

func TestAddCaseType(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	o, err := e.fake.AddCaseType("Pet custody")
	if err != nil || o.ID != 3245 || o.Name != "Pet custody" {
		t.Fatalf("AddCaseType: %+v, %v", o, err)
	}
	if _, err := e.fake.AddCaseType("pet custody"); err == nil {
		t.Fatal("a duplicate label was accepted")
	}
	p, err := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Pip", CaseTitle: "Dog", CaseType: "pet_custody"})
	if err != nil || p.Attributes.CaseType() != "Pet custody" {
		t.Fatalf("prospect %+v, %v", p.Attributes.CustomFields, err)
	}
	m := e.json("GET", "/v1/custom_fields", nil, 200)
	if dig(m, "data", 0, "attributes", "list_options", 5, "name") != "Pet custody" {
		t.Fatalf("options %v", dig(m, "data", 0, "attributes", "list_options"))
	}
	e.json("PUT", "/v1/prospects/"+p.ID, map[string]any{"custom_fields": []any{map[string]any{"id": lawmaticsfake.CaseTypeFieldID, "value": 3245}}}, 200)
}
