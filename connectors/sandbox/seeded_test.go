package sandbox_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom"
)

// tokenAuth hands a zoom.Client one token.
type tokenAuth string

func (a tokenAuth) Token(context.Context) (string, error) { return string(a), nil }
func (a tokenAuth) Refresh(context.Context, string) (string, error) {
	return "", httpx.ErrReconnect
}

func zoomClient(in sandbox.Info) *zoom.Client {
	z := in.Platforms["zoom"]
	return zoom.New(zoom.Options{APIBase: z.APIBase, OAuthBase: z.OAuthBase, Auth: tokenAuth(z.Token)})
}

func TestDemoFirmSeedsWhatSDKsNeed(t *testing.T) {
	sb := start(t, sandbox.Options{})
	in := sb.Info()
	sd := in.Seeded

	// (1) A Clio matter custom field of type text_line, as Clio's API lists it.
	var field *sandbox.SeededCustomField
	for i, f := range sd.ClioCustomFields {
		if f.Name == sandbox.SeedCustomFieldName {
			field = &sd.ClioCustomFields[i]
		}
	}
	if field == nil || field.ID == 0 || field.ParentType != "Matter" || field.FieldType != "text_line" {
		t.Fatalf("seeded custom fields %+v", sd.ClioCustomFields)
	}
	c := in.Platforms["clio"]
	code, _, body := do(t, "GET", c.APIBase+"/custom_fields.json?fields=id,name,field_type&parent_type=Matter", c.Token, nil)
	if code != 200 || !strings.Contains(string(body), `"name":"`+sandbox.SeedCustomFieldName+`"`) || !strings.Contains(string(body), `"field_type":"text_line"`) {
		t.Fatalf("custom_fields.json: %d %s", code, body)
	}

	// (2) Zoom Phone external contacts, in Zoom's shape.
	if len(sd.ZoomExternalContacts) != 4 {
		t.Fatalf("seeded external contacts %+v", sd.ZoomExternalContacts)
	}
	for _, c := range sd.ZoomExternalContacts {
		if !strings.HasPrefix(c.ID, sandbox.SeedPhoneContactPrefix) || c.ExternalContactID == "" {
			t.Errorf("seeded contact %+v", c)
		}
	}
	z := in.Platforms["zoom"]
	code, _, body = do(t, "GET", z.APIBase+"/phone/external_contacts?page_size=2", z.Token, nil)
	var page map[string]json.RawMessage
	if err := json.Unmarshal(body, &page); code != 200 || err != nil {
		t.Fatalf("external_contacts: %d %s", code, body)
	}
	var list []map[string]any
	_ = json.Unmarshal(page["external_contacts"], &list)
	if len(list) != 2 || string(page["next_page_token"]) == `""` {
		t.Fatalf("first page of 2: %s", body)
	}
	for _, k := range []string{"external_contact_id", "id", "name", "phone_numbers", "auto_call_recorded"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("external contact lacks %q: %v", k, list[0])
		}
	}
	var all []zoom.ExternalContact
	if err := zoomClient(in).ExternalContacts(context.Background(), func(c zoom.ExternalContact) error { all = append(all, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[3].ExtensionNumber != "8000" || len(all[3].PhoneNumbers) != 0 || !strings.HasPrefix(all[0].PhoneNumbers[0], "+1") {
		t.Fatalf("external contacts through the client: %+v", all)
	}

	// (3) A recorded meeting whose UUID starts with '/': Zoom (and the
	// fake) answer it only when the UUID is encoded twice.
	if len(sd.ZoomSlashUUIDMeetings) != 1 {
		t.Fatalf("slash-UUID meetings %+v", sd.ZoomSlashUUIDMeetings)
	}
	sm := sd.ZoomSlashUUIDMeetings[0]
	if !strings.HasPrefix(sm.UUID, "/") || sm.PathSegment != url.PathEscape(url.PathEscape(sm.UUID)) {
		t.Fatalf("slash meeting %+v", sm)
	}
	if code, _, body := do(t, "GET", z.APIBase+"/meetings/"+sm.PathSegment+"/recordings", z.Token, nil); code != 200 || !strings.Contains(string(body), sm.Topic) {
		t.Fatalf("double-encoded: %d %s", code, body)
	}
	if code, _, body := do(t, "GET", z.APIBase+"/meetings/"+url.PathEscape(sm.UUID)+"/recordings", z.Token, nil); code != 404 || !strings.Contains(string(body), "3301") {
		t.Fatalf("single-encoded: %d %s, want Zoom's 404", code, body)
	}
	zc := zoomClient(in)
	m, err := zc.MeetingRecordings(context.Background(), sm.UUID)
	if err != nil || m.UUID != sm.UUID {
		t.Fatalf("client: %+v %v", m, err)
	}
	if s, err := zc.Summary(context.Background(), sm.UUID); err != nil || s.MeetingUUID != sm.UUID {
		t.Fatalf("summary of the slash meeting: %+v %v", s, err)
	}
}

func TestAdminEndMeetingWithChosenUUIDAndEditedSummary(t *testing.T) {
	sb := start(t, sandbox.Options{})
	in := sb.Info()
	uuid := "/aDmIn+cHoSeN//uuid123=="
	req := map[string]any{
		"topic": "Chosen UUID", "participants": []string{"amara.silva@client.test"}, "uuid": uuid,
		"transcript": "Sandbox Owner: Hello.", "summary": "AI words.",
		"edited_summary": map[string]any{"text": "Host words.", "next_steps": []string{"Call back"}},
	}
	code, _, body := do(t, "POST", in.Admin+"/zoom/meetings", "", req)
	if code != 201 {
		t.Fatalf("end meeting: %d %s", code, body)
	}
	var m zoom.Meeting
	if err := json.Unmarshal(body, &m); err != nil || m.UUID != uuid {
		t.Fatalf("meeting %s: %v", body, err)
	}
	if code, _, body := do(t, "POST", in.Admin+"/zoom/meetings", "", req); code != 422 || !strings.Contains(string(body), "already exists") {
		t.Fatalf("same UUID again: %d %s", code, body)
	}
	s, err := zoomClient(in).Summary(context.Background(), uuid)
	if err != nil {
		t.Fatal(err)
	}
	if s.EditedSummary == nil || s.EditedSummary.SummaryDetails != "Host words." || len(s.EditedSummary.NextSteps) != 1 || s.SummaryOverview != "AI words." {
		t.Fatalf("summary %+v", s)
	}
	if got := sb.Info().Seeded.ZoomSlashUUIDMeetings; len(got) != 2 {
		t.Fatalf("slash meetings after the admin one: %+v", got)
	}
	delete(req, "summary")
	req["uuid"] = "/another=="
	if code, _, body := do(t, "POST", in.Admin+"/zoom/meetings", "", req); code != 422 || !strings.Contains(string(body), "needs a summary") {
		t.Fatalf("edit without a summary: %d %s", code, body)
	}
}
