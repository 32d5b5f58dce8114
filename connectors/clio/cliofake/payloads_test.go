package cliofake_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

// These tests pin replies to the SPEC (Clio's OpenAPI document for v4):
// webhook model ids, documents' Folder parents, unfinished uploads, minor
// versions and nulls.

func TestWebhookModelByNameOrID(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	tests := []struct {
		model any // as sent in the JSON body
		want  string
	}{
		// The SPEC's "Supported Models" table.
		{1, "matter"}, {2, "activity"}, {3, "bill"}, {4, "calendar_entry"}, {5, "communication"},
		{6, "contact"}, {7, "task"}, {8, "document"}, {9, "folder"}, {10, "clio_payments_payment"},
		{"6", "contact"}, // form-encoded bodies carry the id as a string
		{"matter", "matter"},
		{"clio_payments_payment", "clio_payments_payment"},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(toString(tt.model)), func(t *testing.T) {
			d := data(e.expect(201, "POST", "/api/v4/webhooks.json?fields=id,model",
				body(obj{"url": "https://h.test/x", "model": tt.model, "fields": "id"})))
			if d["model"] != tt.want {
				t.Fatalf("model %v answered as %v, want %q (the string identifier)", tt.model, d["model"], tt.want)
			}
		})
	}
	for _, bad := range []any{0, 11, -1, "11", "widget"} {
		t.Run("refuses "+toString(bad), func(t *testing.T) {
			e.expect(422, "POST", "/api/v4/webhooks.json", body(obj{"url": "https://h.test/x", "model": bad, "fields": "id"}))
		})
	}
	for _, bad := range []any{1.5, true, obj{"id": 1}} {
		t.Run("malformed "+toString(bad), func(t *testing.T) {
			e.expect(400, "POST", "/api/v4/webhooks.json", body(obj{"url": "https://h.test/x", "model": bad, "fields": "id"}))
		})
	}
	// clio_payments_payment (10) has no deleted event; matter (1) has its status events.
	e.expect(422, "POST", "/api/v4/webhooks.json", body(obj{"url": "https://h.test/x", "model": 10, "fields": "id", "events": []string{"deleted"}}))
	d := data(e.expect(201, "POST", "/api/v4/webhooks.json?fields=model,events",
		body(obj{"url": "https://h.test/x", "model": 1, "fields": "id", "events": []string{"matter_opened", "matter_pended", "matter_closed"}})))
	if d["model"] != "matter" || len(d["events"].([]any)) != 3 {
		t.Fatalf("matter status hook %v", d)
	}
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	}
	return "other"
}

func TestMatterStatusEventsAreDelivered(t *testing.T) {
	e := newEnv(t, cliofake.Options{AllowInsecureWebhooks: true})
	rcv := newReceiver(t, true, 200)
	// Subscribed to the status events only, with the model given by id.
	h := data(e.expect(201, "POST", "/api/v4/webhooks.json?fields=id,shared_secret",
		body(obj{"url": rcv.srv.URL + "/hook", "model": 1, "fields": "id,status", "events": []string{"matter_opened", "matter_pended", "matter_closed"}})))
	secret := h["shared_secret"].(string)
	if _, err := e.fake.AwaitDeliveries(ctx(t), 1); err != nil { // the handshake
		t.Fatal(err)
	}
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Ana Diaz", Status: "Open"})
	mp := "/api/v4/matters/" + strconv.FormatInt(m.ID, 10) + ".json"
	e.expect(200, "PATCH", mp, body(obj{"status": "pending"}))                // API
	e.fake.UpdateMatter(m.ID, cliofake.MatterPatch{Status: "Closed"})         // UI
	e.expect(200, "PATCH", mp, body(obj{"status": "open"}))                   // reopened
	e.expect(200, "PATCH", mp, body(obj{"description": "Lease (no change)"})) // no status change: nothing
	e.fake.Wait()
	var got []string
	for _, d := range e.fake.Deliveries()[1:] {
		wd := verify(t, d, secret)
		var rec map[string]any
		if err := json.Unmarshal(wd.Data, &rec); err != nil || rec["id"] != float64(m.ID) {
			t.Fatalf("delivery data %s", wd.Data)
		}
		got = append(got, wd.Meta.Event+":"+rec["status"].(string))
	}
	// Deliveries run concurrently, so compare them in sorted order.
	sortStrings(got)
	want := "matter_closed:Closed matter_opened:Open matter_pended:Pending"
	if s := strings.Join(got, " "); s != want {
		t.Fatalf("events %q, want %q (no created/updated: not subscribed)", s, want)
	}
}

// upload runs Clio's three upload steps through the API; finish=false
// stops after step 1 (an upload in progress).
func (e *env) upload(parent obj, name, content string, finish bool) int64 {
	e.t.Helper()
	d := data(e.expect(201, "POST", "/api/v4/documents.json?fields=id,latest_document_version{uuid,put_url,put_headers}",
		body(obj{"name": name, "parent": parent})))
	if !finish {
		return id(d)
	}
	l := d["latest_document_version"].(obj)
	if resp, b := e.do("PUT", l["put_url"].(string), content, append(putHeaders(l["put_headers"].([]any)), "Authorization", "")...); resp.StatusCode != 200 {
		e.t.Fatalf("PUT: %d %s", resp.StatusCode, b)
	}
	e.expect(200, "PATCH", "/api/v4/documents/"+strconv.FormatInt(id(d), 10)+".json", body(obj{"uuid": l["uuid"], "fully_uploaded": true}))
	return id(d)
}

func TestDocumentParentIsTheMattersFolder(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Estate", ClientName: "Kim Ortiz"})
	mid := strconv.FormatInt(m.ID, 10)
	if m.Folder == nil || m.Folder.ID == 0 {
		t.Fatalf("matter has no documents folder: %+v", m.Folder)
	}
	// The matter's folder: a Folder of the matter, under the account root.
	mf := data(e.expect(200, "GET", "/api/v4/matters/"+mid+".json?fields=folder{id,name,type,root}", nil))["folder"].(obj)
	folderID := id(mf)
	if folderID == m.ID || mf["type"] != "Folder" || mf["root"] != false || mf["name"] != m.DisplayNumber {
		t.Fatalf("matter folder %v (matter id %d)", mf, m.ID)
	}
	roots := list(e.expect(200, "GET", "/api/v4/folders.json?fields=id,root,parent", nil))
	if len(roots) != 2 || roots[0]["root"] != true || roots[0]["parent"] != nil || id(roots[1]) != folderID {
		t.Fatalf("folders %v", roots)
	}
	f := data(e.expect(200, "GET", "/api/v4/folders/"+strconv.FormatInt(folderID, 10)+".json?fields=id,root,matter{id},parent{id,type,root}", nil))
	if f["matter"].(obj)["id"] != float64(m.ID) || f["parent"].(obj)["root"] != true {
		t.Fatalf("matter folder record %v", f)
	}

	docID := e.upload(obj{"id": m.ID, "type": "Matter"}, "will.pdf", "%PDF", true)
	d := data(e.expect(200, "GET", "/api/v4/documents/"+strconv.FormatInt(docID, 10)+".json?fields=parent{id,type,name,root},matter{id}", nil))
	p := d["parent"].(obj)
	if id(p) != folderID || p["type"] != "Folder" || p["name"] != m.DisplayNumber || p["root"] != false || d["matter"].(obj)["id"] != float64(m.ID) {
		t.Fatalf("document %v: parent must be the matter's folder %d", d, folderID)
	}

	// A subfolder created with parent Matter sits in the matter's folder; a
	// document in it still belongs to the matter.
	sub := data(e.expect(201, "POST", "/api/v4/folders.json?fields=id,parent{id},matter{id}", body(obj{"name": "Drafts", "parent": obj{"id": m.ID, "type": "Matter"}})))
	if id(sub["parent"].(obj)) != folderID || sub["matter"].(obj)["id"] != float64(m.ID) {
		t.Fatalf("subfolder %v", sub)
	}
	inSub := e.upload(obj{"id": id(sub), "type": "Folder"}, "draft.docx", "d", true)

	ids := func(path string) []int64 {
		var out []int64
		for _, r := range list(e.expect(200, "GET", path, nil)) {
			out = append(out, id(r))
		}
		return out
	}
	fid := strconv.FormatInt(folderID, 10)
	tests := []struct {
		name, path string
		want       []int64
	}{
		{"matter_id: every document of the matter", "/api/v4/documents.json?matter_id=" + mid, []int64{docID, inSub}},
		{"parent_id: the folder's children", "/api/v4/documents.json?parent_id=" + fid, []int64{docID}},
		{"parent_id with scope=descendants", "/api/v4/documents.json?scope=descendants&parent_id=" + fid, []int64{docID, inSub}},
		{"parent_id of the subfolder", "/api/v4/documents.json?parent_id=" + strconv.FormatInt(id(sub), 10), []int64{inSub}},
		{"parent_id is not a matter id", "/api/v4/documents.json?parent_id=" + mid, nil},
	}
	if m.ID == folderID || m.ID == id(sub) {
		t.Fatalf("ids collide: matter %d folder %d sub %d", m.ID, folderID, id(sub))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(tt.path); !equalIDs(got, tt.want) {
				t.Fatalf("%s: %v, want %v", tt.path, got, tt.want)
			}
		})
	}
	e.expect(400, "GET", "/api/v4/documents.json?scope=everything&parent_id="+fid, nil)

	// A contact parent gets the contact's folder, created on first use.
	c, _ := e.fake.CreateContact(cliofake.ContactInput{FirstName: "Lee", LastName: "Park"})
	cd := e.upload(obj{"id": c.ID, "type": "Contact"}, "id.png", "png", true)
	got := data(e.expect(200, "GET", "/api/v4/documents/"+strconv.FormatInt(cd, 10)+".json?fields=parent{id,type},contact{id},matter", nil))
	if got["parent"].(obj)["type"] != "Folder" || id(got["parent"].(obj)) == c.ID || got["contact"].(obj)["id"] != float64(c.ID) || got["matter"] != nil {
		t.Fatalf("contact document %v", got)
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

func TestUncompletedDocumentsAreHiddenFromLists(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Estate", ClientName: "Kim Ortiz"})
	mid := strconv.FormatInt(m.ID, 10)
	done := e.upload(obj{"id": m.ID, "type": "Matter"}, "done.pdf", "x", true)
	pending := e.upload(obj{"id": m.ID, "type": "Matter"}, "pending.pdf", "", false)
	count := func(path string) []int64 {
		var out []int64
		for _, r := range list(e.expect(200, "GET", path, nil)) {
			out = append(out, id(r))
		}
		return out
	}
	tests := []struct {
		query string
		want  []int64
	}{
		{"matter_id=" + mid, []int64{done}},
		{"", []int64{done}},
		{"ids[]=" + strconv.FormatInt(pending, 10), nil},
		{"show_uncompleted=false&matter_id=" + mid, []int64{done}},
		{"show_uncompleted=true&matter_id=" + mid, []int64{done, pending}},
		{"show_uncompleted=true", []int64{done, pending}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := count("/api/v4/documents.json?" + tt.query); !equalIDs(got, tt.want) {
				t.Fatalf("%v, want %v", got, tt.want)
			}
		})
	}
	// The record itself stays readable, and a new version in progress does
	// not hide a document that already has a file.
	if d := data(e.expect(200, "GET", "/api/v4/documents/"+strconv.FormatInt(pending, 10)+".json?fields=id,received_at", nil)); d["received_at"] != nil {
		t.Fatalf("pending document %v", d)
	}
	e.upload(obj{"id": done, "type": "Document"}, "done.pdf", "", false)
	if got := count("/api/v4/documents.json?matter_id=" + mid); !equalIDs(got, []int64{done}) {
		t.Fatalf("with a version in progress: %v", got)
	}
	e.expect(400, "GET", "/api/v4/documents.json?show_uncompleted=maybe", nil)
}

func TestAPIVersionsUpTo4010(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	tests := []struct {
		send string
		want int
	}{
		{"4.0.10", 200}, {"4.0.9", 200}, {"4.0.4", 200},
		{"4.0.11", 410}, {"4.0.3", 410}, {"4.0.010", 410}, {"4.1.0", 410}, {"4.0.", 410},
	}
	for _, tt := range tests {
		t.Run(tt.send, func(t *testing.T) {
			resp, b := e.do("GET", "/api/v4/users/who_am_i.json", nil, "X-API-VERSION", tt.send)
			echo := resp.Header.Get("X-API-VERSION")
			if resp.StatusCode != tt.want || tt.want == 200 && echo != tt.send {
				t.Fatalf("%d echo %q %s", resp.StatusCode, echo, b)
			}
		})
	}
}

func TestUnsetFieldsAreNull(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	// Practice areas: the seeded ones have no code or category.
	for _, pa := range list(e.expect(200, "GET", "/api/v4/practice_areas.json?fields=id,name,code,category", nil)) {
		if pa["category"] != nil || pa["code"] != nil {
			t.Fatalf("practice area %v: unset code/category must be null", pa)
		}
	}
	pa := data(e.expect(201, "POST", "/api/v4/practice_areas.json?fields=code,category", body(obj{"name": "Fam", "code": "FAM", "category": "family"})))
	if pa["category"] != "family" || pa["code"] != "FAM" {
		t.Fatalf("set category %v", pa)
	}
	e.expect(422, "POST", "/api/v4/practice_areas.json", body(obj{"name": "Odd", "category": "Family Law"}))

	// A matter custom field of type text_line, as the demo firm seeds it.
	cf, err := e.fake.CreateCustomField(clio.CustomFieldWrite{Name: "Box folder", ParentType: "Matter", FieldType: "text_line"})
	if err != nil || cf.ID == 0 || cf.FieldType != "text_line" || !cf.Displayed {
		t.Fatalf("CreateCustomField %+v %v", cf, err)
	}
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Estate", ClientName: "Kim Ortiz"})
	mp := "/api/v4/matters/" + strconv.FormatInt(m.ID, 10) + ".json"
	d := data(e.expect(200, "GET", mp+"?fields=custom_number,custom_field_values{id,etag,value,created_at,custom_field}", nil))
	if d["custom_number"] != nil {
		t.Fatalf("custom_number %v, want null", d["custom_number"])
	}
	cfv := d["custom_field_values"].([]any)
	if len(cfv) != 1 {
		t.Fatalf("custom_field_values %v", cfv)
	}
	v := cfv[0].(obj)
	if v["id"] != nil || v["etag"] != nil || v["value"] != nil || v["created_at"] != nil || id(v["custom_field"].(obj)) != cf.ID {
		t.Fatalf("unset custom field value %v: id, etag, value, created_at must be null", v)
	}
	d = data(e.expect(200, "PATCH", mp+"?fields=custom_field_values{id,etag,value}",
		body(obj{"custom_field_values": []obj{{"custom_field": obj{"id": cf.ID}, "value": "https://box.test/f/1"}}})))
	v = d["custom_field_values"].([]any)[0].(obj)
	if v["id"] == nil || v["etag"] == nil || v["value"] != "https://box.test/f/1" {
		t.Fatalf("set custom field value %v", v)
	}

	// A company has no first or last name; nothing optional is "".
	co := data(e.expect(201, "POST", "/api/v4/contacts.json?fields=first_name,middle_name,last_name,title,primary_email_address",
		body(obj{"name": "Acme LLC", "type": "Company"})))
	for _, k := range []string{"first_name", "middle_name", "last_name", "title", "primary_email_address"} {
		if co[k] != nil {
			t.Fatalf("company %s = %v, want null", k, co[k])
		}
	}
	// A finished version has no put_url any more.
	docID := e.upload(obj{"id": m.ID, "type": "Matter"}, "a.txt", "a", true)
	dv := data(e.expect(200, "GET", "/api/v4/documents/"+strconv.FormatInt(docID, 10)+".json?fields=latest_document_version{put_url,fully_uploaded}", nil))["latest_document_version"].(obj)
	if dv["put_url"] != nil || dv["fully_uploaded"] != true {
		t.Fatalf("finished version %v", dv)
	}
}
