package cliofake_test

import (
	"strconv"
	"testing"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

type obj = map[string]any

func body(d obj) obj { return obj{"data": d} }

func TestContacts(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	e.expect(422, "POST", "/api/v4/contacts.json", body(obj{"name": "No Type"}))
	e.expect(422, "POST", "/api/v4/contacts.json", body(obj{"type": "Person"}))
	e.expect(422, "POST", "/api/v4/contacts.json", body(obj{"name": "X", "type": "Robot"}))
	e.expect(400, "POST", "/api/v4/contacts.json", `{"nodata":1}`)

	fields := "?fields=id,name,first_name,last_name,type,primary_email_address,primary_phone_number,is_client,email_addresses{id,address,name,primary},phone_numbers{id,number,primary}"
	c := data(e.expect(201, "POST", "/api/v4/contacts.json"+fields, body(obj{
		"name": "Maria Garcia", "type": "Person", "first_name": "Maria", "last_name": "Garcia",
		"email_addresses": []obj{{"name": "Home", "address": "m@home.test"}, {"name": "Work", "address": "m@work.test", "default_email": true}},
		"phone_numbers":   []obj{{"name": "Mobile", "number": "555-0100"}},
	})))
	if c["primary_email_address"] != "m@work.test" || c["primary_phone_number"] != "555-0100" || c["type"] != "Person" || c["is_client"] != false {
		t.Fatalf("created %v", c)
	}
	emails := c["email_addresses"].([]any)
	work := emails[1].(obj)
	path := "/api/v4/contacts/" + strconv.FormatInt(id(c), 10) + ".json"
	c = data(e.expect(200, "PATCH", path+fields, body(obj{"email_addresses": []obj{{"id": work["id"], "_destroy": true}}, "last_name": "Lopez"})))
	if c["primary_email_address"] != "m@home.test" || len(c["email_addresses"].([]any)) != 1 || c["name"] != "Maria Lopez" {
		t.Fatalf("patched %v", c)
	}
	e.expect(422, "PATCH", path, body(obj{"email_addresses": []obj{{"id": 999, "_destroy": true}}}))

	co := data(e.expect(201, "POST", "/api/v4/contacts.json?fields=id,type,name", body(obj{"name": "Acme LLC", "type": "Company"})))
	if l := list(e.expect(200, "GET", "/api/v4/contacts.json?type=Company", nil)); len(l) != 1 || id(l[0]) != id(co) {
		t.Fatalf("type filter %v", l)
	}
	e.expect(204, "DELETE", path, nil)
	e.expect(404, "GET", path, nil)
	e.expect(404, "DELETE", path, nil)

	// A matter's client cannot be deleted; is_client is derived.
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Deal", ClientID: id(co)})
	cp := "/api/v4/contacts/" + strconv.FormatInt(id(co), 10) + ".json"
	if d := data(e.expect(200, "GET", cp+"?fields=is_client", nil)); d["is_client"] != true {
		t.Fatalf("is_client %v", d)
	}
	e.expect(422, "DELETE", cp, nil)
	_ = m
}

func TestMatters(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	client, _ := e.fake.CreateContact(cliofake.ContactInput{FirstName: "Lee", LastName: "Nguyen", Email: "lee@example.test"})
	e.expect(422, "POST", "/api/v4/matters.json", body(obj{"description": "No client"}))
	e.expect(422, "POST", "/api/v4/matters.json", body(obj{"client": obj{"id": client.ID}}))
	e.expect(422, "POST", "/api/v4/matters.json", body(obj{"description": "x", "client": obj{"id": 999}}))
	e.expect(422, "POST", "/api/v4/matters.json", body(obj{"description": "x", "client": obj{"id": client.ID}, "status": "Open"}))

	pas := list(e.expect(200, "GET", "/api/v4/practice_areas.json?fields=id,name", nil))
	if len(pas) != 6 || pas[0]["name"] != "Family Law" || pas[5]["name"] != "General" {
		t.Fatalf("practice areas %v", pas)
	}
	f := "?fields=id,display_number,status,description,client{id,name},practice_area{id,name},open_date,close_date,custom_field_values{id,value,custom_field}"
	m := data(e.expect(201, "POST", "/api/v4/matters.json"+f, body(obj{
		"description": "Visa", "client": obj{"id": client.ID}, "status": "pending", "practice_area": obj{"id": pas[1]["id"]},
	})))
	if m["display_number"] != "00001-Nguyen" || m["status"] != "Pending" || m["practice_area"].(obj)["name"] != "Immigration" {
		t.Fatalf("created %v", m)
	}
	mp := "/api/v4/matters/" + strconv.FormatInt(id(m), 10) + ".json"

	// Custom fields.
	cf := data(e.expect(201, "POST", "/api/v4/custom_fields.json?fields=id,name,field_type,parent_type", body(obj{"name": "Case Ref", "parent_type": "Matter", "field_type": "text_line"})))
	e.expect(201, "POST", "/api/v4/custom_fields.json", body(obj{"name": "Tier", "parent_type": "Contact", "field_type": "text_line"}))
	e.expect(422, "POST", "/api/v4/custom_fields.json", body(obj{"name": "Bad", "parent_type": "Matter", "field_type": "blob"}))
	if l := list(e.expect(200, "GET", "/api/v4/custom_fields.json?parent_type=Matter", nil)); len(l) != 1 || id(l[0]) != id(cf) {
		t.Fatalf("custom_fields filter %v", l)
	}
	// A displayed unset field shows with a null id.
	cfvs := data(e.expect(200, "GET", mp+f, nil))["custom_field_values"].([]any)
	if len(cfvs) != 1 || cfvs[0].(obj)["id"] != nil {
		t.Fatalf("unset cfv %v", cfvs)
	}
	m = data(e.expect(200, "PATCH", mp+f, body(obj{"custom_field_values": []obj{{"custom_field": obj{"id": id(cf)}, "value": "REF-1"}}})))
	cfv := m["custom_field_values"].([]any)[0].(obj)
	cfvID := cfv["id"].(string)
	if cfvID != "text_line-1" || cfv["value"] != "REF-1" || cfv["custom_field"].(obj)["id"] != float64(id(cf)) {
		t.Fatalf("cfv %v", cfv)
	}
	e.expect(422, "PATCH", mp, body(obj{"custom_field_values": []obj{{"custom_field": obj{"id": id(cf)}, "value": "dup"}}}))
	m = data(e.expect(200, "PATCH", mp+f, body(obj{"custom_field_values": []obj{{"id": cfvID, "value": "REF-2"}}, "status": "open"})))
	if v := m["custom_field_values"].([]any); len(v) != 1 || v[0].(obj)["value"] != "REF-2" || m["status"] != "Open" || m["open_date"] != "2025-03-10" {
		t.Fatalf("updated %v", m)
	}
	got, _ := e.fake.Matter(id(m))
	if len(got.CustomFieldValues) != 1 || got.CustomFieldValues[0].Value != "REF-2" {
		t.Fatalf("admin Matter %+v", got.CustomFieldValues)
	}

	other, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Other", ClientName: "Ana Cruz", Status: "Closed"})
	tests := []struct {
		query string
		want  []int64
	}{
		{"status=open", []int64{id(m)}},
		{"status=open,closed", []int64{id(m), other.ID}},
		{"status=closed", []int64{other.ID}},
		{"client_id=" + strconv.FormatInt(client.ID, 10), []int64{id(m)}},
		{"custom_field_values[" + strconv.FormatInt(id(cf), 10) + "]=REF-2", []int64{id(m)}},
		{"custom_field_values[" + strconv.FormatInt(id(cf), 10) + "]=REF-1", nil},
		{"query=other", []int64{other.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			l := list(e.expect(200, "GET", "/api/v4/matters.json?"+tt.query, nil))
			var ids []int64
			for _, x := range l {
				ids = append(ids, id(x))
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && (ids[0] != tt.want[0] || ids[len(ids)-1] != tt.want[len(tt.want)-1])) {
				t.Fatalf("got %v want %v", ids, tt.want)
			}
		})
	}
	e.expect(400, "GET", "/api/v4/matters.json?status=Open", nil)
	e.expect(200, "PATCH", mp, body(obj{"custom_field_values": []obj{{"id": cfvID, "_destroy": true}}}))
	if got, _ := e.fake.Matter(id(m)); got.CustomFieldValues[0].ID != nil {
		t.Fatalf("destroyed cfv still set: %+v", got.CustomFieldValues)
	}
	e.expect(204, "DELETE", mp, nil)
	e.expect(404, "GET", mp, nil)
}

func TestNotes(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Injury", ClientName: "Bo Park"})
	for _, q := range []string{"", "type=Matter", "type=Bill&matter_id=1", "type=Contact&matter_id=1"} {
		e.expect(400, "GET", "/api/v4/notes.json?"+q, nil)
	}
	e.expect(422, "POST", "/api/v4/notes.json", body(obj{"type": "Matter", "matter": obj{"id": 999}, "subject": "x"}))
	n := data(e.expect(201, "POST", "/api/v4/notes.json?fields=id,type,subject,detail,date,matter{id},author{name}", body(obj{
		"type": "Matter", "matter": obj{"id": m.ID}, "subject": "Call", "detail": "Spoke with client", "date": "2025-03-09", "detail_text_type": "plain_text",
	})))
	if n["subject"] != "Call" || n["date"] != "2025-03-09" || n["matter"].(obj)["id"] != float64(m.ID) || n["author"].(obj)["name"] != "Alex Rivera" {
		t.Fatalf("note %v", n)
	}
	e.expect(201, "POST", "/api/v4/notes.json", body(obj{"type": "Contact", "contact": obj{"id": m.Client.ID}, "subject": "Hi"}))
	if l := list(e.expect(200, "GET", "/api/v4/notes.json?type=Matter&matter_id="+strconv.FormatInt(m.ID, 10), nil)); len(l) != 1 {
		t.Fatalf("notes %v", l)
	}
	if ns := e.fake.Notes(); len(ns) != 2 || ns[0].Matter.Description != "Injury" {
		t.Fatalf("admin notes %+v", ns)
	}
}
