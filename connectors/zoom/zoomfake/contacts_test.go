package zoomfake_test

import (
	"net/http"
	"testing"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

func TestCreateExternalContactValidation(t *testing.T) {
	tests := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"valid", map[string]any{"name": "Jane Client", "phone_numbers": []string{"+14155550123"}}, http.StatusCreated, ""},
		{"extension only", map[string]any{"name": "Front desk", "extension_number": "1001"}, http.StatusCreated, ""},
		{"missing name", map[string]any{"phone_numbers": []string{"+14155550123"}}, http.StatusBadRequest, "name"},
		{"long name", map[string]any{"name": string(make([]byte, 256)), "phone_numbers": []string{"+14155550123"}}, http.StatusBadRequest, "name"},
		{"no number", map[string]any{"name": "X"}, http.StatusBadRequest, "phone_numbers"},
		{"not E.164", map[string]any{"name": "X", "phone_numbers": []string{"(415) 555-0123"}}, http.StatusBadRequest, "phone_numbers[0]"},
		{"leading zero", map[string]any{"name": "X", "phone_numbers": []string{"+04155550123"}}, http.StatusBadRequest, "phone_numbers[0]"},
		{"too long", map[string]any{"name": "X", "phone_numbers": []string{"+1234567890123456"}}, http.StatusBadRequest, "phone_numbers[0]"},
		{"second bad", map[string]any{"name": "X", "phone_numbers": []string{"+442071838750", "+1"}}, http.StatusBadRequest, "phone_numbers[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, zoomfake.Options{})
			r := e.call(t, http.MethodPost, "/v2/phone/external_contacts", e.tok.Access, tt.body)
			if tt.status == http.StatusCreated {
				wantStatus(t, r, http.StatusCreated)
				var cr zoom.CreateExternalContactResponse
				r.decode(t, &cr)
				if cr.ExternalContactID == "" || cr.Name != tt.body["name"] {
					t.Fatalf("%+v", cr)
				}
				return
			}
			er := wantAPIError(t, r, http.StatusBadRequest, 300)
			if len(er.Errors) != 1 || er.Errors[0].Field != tt.field || er.Errors[0].Message == "" {
				t.Fatalf("errors %+v, want field %s", er.Errors, tt.field)
			}
		})
	}
}

func TestExternalContactLifecycle(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	create := func(id, name string) reply {
		return e.call(t, http.MethodPost, "/v2/phone/external_contacts", e.tok.Access,
			zoom.CreateExternalContactRequest{ID: id, Name: name, PhoneNumbers: []string{"+14155550123"}, Email: "j@x.test"})
	}
	r := create("clio-contact-77", "Jane Client")
	wantStatus(t, r, http.StatusCreated)
	var cr zoom.CreateExternalContactResponse
	r.decode(t, &cr)
	// Zoom's own external_contact_id, not the caller's key.
	if cr.Name != "Jane Client" || cr.ExternalContactID == "" || cr.ExternalContactID == "clio-contact-77" {
		t.Fatalf("%+v", cr)
	}
	wantAPIError(t, create("clio-contact-77", "Again"), http.StatusConflict, 409)
	for _, n := range []string{"B", "C"} {
		wantStatus(t, create("", n), http.StatusCreated)
	}

	var list zoom.ExternalContactList
	r = e.get(t, "/v2/phone/external_contacts?page_size=2")
	wantStatus(t, r, http.StatusOK)
	r.decode(t, &list)
	if len(list.ExternalContacts) != 2 || list.NextPageToken == "" || list.PageSize != 2 || list.ExternalContacts[0].ExternalContactID != cr.ExternalContactID || list.ExternalContacts[0].ID != "clio-contact-77" {
		t.Fatalf("%+v", list)
	}
	e.get(t, "/v2/phone/external_contacts?page_size=2&next_page_token="+list.NextPageToken).decode(t, &list)
	if len(list.ExternalContacts) != 1 || list.NextPageToken != "" || list.ExternalContacts[0].Name != "C" {
		t.Fatalf("page 2 %+v", list)
	}

	// The caller's key is not a path id: only external_contact_id is.
	wantAPIError(t, e.get(t, "/v2/phone/external_contacts/clio-contact-77"), http.StatusNotFound, 1001)
	path := "/v2/phone/external_contacts/" + cr.ExternalContactID
	name := "Jane Q. Client"
	r = e.call(t, http.MethodPatch, path, e.tok.Access,
		zoom.UpdateExternalContactRequest{Name: &name, PhoneNumbers: []string{"+442071838750"}})
	wantStatus(t, r, http.StatusNoContent)
	if len(r.body) != 0 {
		t.Fatalf("PATCH body %q", r.body)
	}
	wantAPIError(t, e.call(t, http.MethodPatch, path, e.tok.Access,
		zoom.UpdateExternalContactRequest{PhoneNumbers: []string{"555"}}), http.StatusBadRequest, 300)

	var c zoom.ExternalContact
	r = e.get(t, path)
	wantStatus(t, r, http.StatusOK)
	r.decode(t, &c)
	if c.Name != name || c.ID != "clio-contact-77" || len(c.PhoneNumbers) != 1 || c.PhoneNumbers[0] != "+442071838750" || c.Email != "j@x.test" {
		t.Fatalf("%+v", c)
	}

	wantStatus(t, e.call(t, http.MethodDelete, path, e.tok.Access, nil), http.StatusNoContent)
	wantAPIError(t, e.get(t, path), http.StatusNotFound, 1001)
	wantAPIError(t, e.call(t, http.MethodDelete, path, e.tok.Access, nil), http.StatusNotFound, 1001)
	if got := e.fake.ExternalContacts(); len(got) != 2 || got[0].Name != "B" {
		t.Fatalf("ExternalContacts %+v", got)
	}
}

func TestAddExternalContactAdmin(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	c, err := e.fake.AddExternalContact(zoom.CreateExternalContactRequest{Name: "County Clerk", PhoneNumbers: []string{"+14155550100"}, ExtensionNumber: "7001", ID: "directory-1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ExternalContactID == "" || c.ID != "directory-1" {
		t.Fatalf("contact %+v", c)
	}
	// The portal follows the API's rules.
	for _, bad := range []zoom.CreateExternalContactRequest{
		{Name: "No number"},
		{Name: "Bad number", PhoneNumbers: []string{"415-555-0100"}},
		{Name: "Same extension", ExtensionNumber: "7001"},
		{Name: "Same id", PhoneNumbers: []string{"+14155550101"}, ID: "directory-1"},
	} {
		if _, err := e.fake.AddExternalContact(bad); err == nil {
			t.Errorf("%s accepted", bad.Name)
		}
	}
	r := e.get(t, "/v2/phone/external_contacts/"+c.ExternalContactID)
	wantStatus(t, r, http.StatusOK)
	var got zoom.ExternalContact
	r.decode(t, &got)
	if got.Name != "County Clerk" || got.ExtensionNumber != "7001" || len(got.PhoneNumbers) != 1 {
		t.Fatalf("GET %+v", got)
	}
}
