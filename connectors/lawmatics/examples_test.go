package lawmatics_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// The vendor's example bodies (testdata/SOURCES.md) must decode into the
// client's types: Lawmatics publishes examples, not schemas.

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "postman", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeExample[T any](t *testing.T, name string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(readExample(t, name), &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func TestEveryExampleDecodes(t *testing.T) {
	decoders := map[string]func(t *testing.T, name string){
		"prospect_":  func(t *testing.T, n string) { decodeExample[lawmatics.Single[lawmatics.Prospect]](t, n) },
		"prospects_": func(t *testing.T, n string) { decodeExample[lawmatics.List[lawmatics.Prospect]](t, n) },
		"contact_":   func(t *testing.T, n string) { decodeExample[lawmatics.Single[lawmatics.Contact]](t, n) },
		"contacts_":  func(t *testing.T, n string) { decodeExample[lawmatics.List[lawmatics.Contact]](t, n) },
		"file_":      func(t *testing.T, n string) { decodeExample[lawmatics.Single[lawmatics.File]](t, n) },
		"files_":     func(t *testing.T, n string) { decodeExample[lawmatics.List[lawmatics.File]](t, n) },
		"note_":      func(t *testing.T, n string) { decodeExample[lawmatics.Single[lawmatics.Note]](t, n) },
		"notes_":     func(t *testing.T, n string) { decodeExample[lawmatics.List[lawmatics.Note]](t, n) },
		"custom_field_": func(t *testing.T, n string) {
			decodeExample[lawmatics.Single[lawmatics.CustomFieldDef]](t, n)
		},
		"custom_fields_": func(t *testing.T, n string) { decodeExample[lawmatics.List[lawmatics.CustomFieldDef]](t, n) },
		"sub_statuses_":  func(t *testing.T, n string) { decodeExample[lawmatics.List[lawmatics.SubStatus]](t, n) },
		"users_":         func(t *testing.T, n string) { decodeExample[lawmatics.Single[lawmatics.User]](t, n) },
	}
	names, err := filepath.Glob(filepath.Join("testdata", "postman", "*.json"))
	if err != nil || len(names) < 20 {
		t.Fatalf("examples: %v, %v", names, err)
	}
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			if name == "file_download_not_found.json" {
				e := decodeExample[lawmatics.Error](t, name)
				if len(e.Errors) != 1 || e.Errors[0].Status != 404 || e.Errors[0].Title != "Not found" {
					t.Fatalf("error %+v", e)
				}
				return
			}
			// The longest matching prefix names the type.
			best := ""
			for p := range decoders {
				if strings.HasPrefix(name, p) && len(p) > len(best) {
					best = p
				}
			}
			if best == "" {
				t.Fatalf("no decoder for %s", name)
			}
			decoders[best](t, name)
		})
	}
}

func TestExampleCustomFieldIDsInBothForms(t *testing.T) {
	// The newest example writes custom-field ids as strings; they once lost
	// the whole prospect ("cannot unmarshal string into int64").
	newest := decodeExample[lawmatics.Single[lawmatics.Prospect]](t, "prospect_create_2023.json").Data
	older := decodeExample[lawmatics.Single[lawmatics.Prospect]](t, "prospect_update.json").Data
	cases := []struct {
		p                     lawmatics.Prospect
		field                 string
		id                    lawmatics.FieldID
		fieldType, raw, label string
	}{
		{newest, "API TEST PICKLIST (dont delete me)", 6435, "list", "3240", "1"},
		{newest, "API TEST BOOLEAN (dont delete me)", 6433, "boolean", "true", "Yes"},
		{newest, "API TEST STRING (dont delete me)", 6434, "string", "Contact String", "Contact String"},
		{newest, "Date Unsubscribed", 6470, "date", "1991-06-28", "June 28, 1991"},
		{older, "API TEST PICKLIST (dont delete me)", 6435, "list", "3241", "2"},
		{older, "API TEST BOOLEAN (dont delete me)", 6433, "boolean", "false", "No"},
	}
	for _, tc := range cases {
		f, ok := tc.p.Attributes.CustomField(tc.field)
		if !ok || f.ID != tc.id || f.FieldType != tc.fieldType || f.RawValue() != tc.raw || f.Label() != tc.label {
			t.Errorf("prospect %s field %q: %+v (raw %q, label %q)", tc.p.ID, tc.field, f, f.RawValue(), f.Label())
		}
	}
	a := newest.Attributes
	if newest.ID != "6446448" || a.Status != lawmatics.StatusPNC || a.SubStatus != "Pnc" || a.ConvertedDate != nil ||
		newest.Relationships.Contact.Data == nil || newest.Relationships.PracticeArea.Data.ID != "986" {
		t.Fatalf("newest example %+v", newest)
	}
}

func TestExampleRecordShapes(t *testing.T) {
	all := decodeExample[lawmatics.Single[lawmatics.Prospect]](t, "prospect_show_all_fields.json").Data
	if all.Attributes.SubStatus != "Active" || all.Attributes.Status != "active" || all.Relationships.PracticeArea.Data.ID != "3" ||
		all.Attributes.EstimatedValueCents == nil || *all.Attributes.EstimatedValueCents != 250000 {
		t.Errorf("matter with all fields %+v", all)
	}
	list := decodeExample[lawmatics.List[lawmatics.Prospect]](t, "prospects_list.json")
	if len(list.Data) != lawmatics.PageSize || list.Meta.TotalPages != 11 || list.Links.Next != "/v1/prospect?page=2" ||
		list.Data[0].Relationships.Contact.Data != nil || list.Data[0].Attributes.UpdatedAt.IsZero() {
		t.Errorf("matters list %+v", list.Meta)
	}
	files := decodeExample[lawmatics.List[lawmatics.File]](t, "files_list.json")
	for _, f := range files.Data {
		if f.Type != lawmatics.TypeFile || f.Relationships.Documentable.Data == nil {
			t.Errorf("file %+v", f)
		}
	}
	subs := decodeExample[lawmatics.List[lawmatics.SubStatus]](t, "sub_statuses_list.json")
	if len(subs.Data) != 3 || subs.Data[0].Type != lawmatics.TypeSubStatus || subs.Data[0].Attributes.Name != "Divorced" || subs.Data[0].Attributes.Status != "hired" {
		t.Errorf("sub-statuses %+v", subs.Data)
	}
	defs := decodeExample[lawmatics.List[lawmatics.CustomFieldDef]](t, "custom_fields_list.json")
	var status lawmatics.CustomFieldDef
	for _, d := range defs.Data {
		if d.Attributes.Name == "Status" {
			status = d
		}
	}
	if status.Type != lawmatics.TypeCustomField || status.Attributes.FieldType != lawmatics.FieldTypeList || status.Attributes.Type != "Prospect" ||
		!slices.Equal(status.Attributes.ListOptions, []lawmatics.CustomFieldOption{{ID: 1, Name: "Open"}, {ID: 2, Name: "Closed Won"}, {ID: 3, Name: "Closed Lost"}}) {
		t.Errorf("custom field definition %+v", status)
	}
	if code, msg := lawmatics.DecodeError(404, nil, readExample(t, "file_download_not_found.json")); code != "Not found" || msg != "Not found: File with id invalidId was not found." {
		t.Errorf("DecodeError %q %q", code, msg)
	}
}

// exampleServer answers the client's requests with the vendor's bodies.
func exampleServer(t *testing.T, routes map[string][]byte) *lawmatics.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := routes[r.URL.Path]
		if !ok {
			http.Error(w, `{"errors":[{"status":404,"title":"Not found"}]}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return lawmatics.New(lawmatics.Options{APIBase: srv.URL + "/v1", Auth: staticAuth{"tok"}})
}

func TestClientReadsExampleBodies(t *testing.T) {
	ctx := context.Background()
	defs := readExample(t, "custom_fields_list.json")
	c := exampleServer(t, map[string][]byte{
		"/v1/prospects/6446448": readExample(t, "prospect_create_2023.json"),
		"/v1/users/me":          readExample(t, "users_me.json"),
		"/v1/custom_fields":     defs,
	})
	p, err := c.Prospect(ctx, "6446448")
	if err != nil || p.ID != "6446448" || len(p.Attributes.CustomFields) != 5 {
		t.Fatalf("Prospect: %+v, %v", p, err)
	}
	if me, err := c.Me(ctx); err != nil || me.Name != "Roey Chasman" || me.Email != "roey@lawmatics.com" {
		t.Fatalf("Me: %+v, %v", me, err)
	}
	// The example firm has no "Case Type" picklist...
	if _, err := c.CaseTypeOptions(ctx); !errors.Is(err, lawmatics.ErrNoCaseTypeField) {
		t.Fatalf("CaseTypeOptions without the field: %v", err)
	}
	// ...one that names its matter picklist so gets its options.
	renamed := strings.Replace(string(defs), `"name":"Test PNC Picklist"`, `"name":"Case Type"`, 1)
	c = exampleServer(t, map[string][]byte{"/v1/custom_fields": []byte(renamed)})
	opts, err := c.CaseTypeOptions(ctx)
	want := []lawmatics.CaseTypeOption{{ID: "9", Label: "Blue"}, {ID: "11", Label: "Red"}}
	if err != nil || !slices.Equal(opts, want) {
		t.Fatalf("CaseTypeOptions: %+v, %v", opts, err)
	}
}

func TestTimeForms(t *testing.T) {
	zone := time.FixedZone("", -7*3600)
	cases := []struct {
		in       string
		want     time.Time
		dateOnly bool
		out      string
	}{
		{`"2024-05-01"`, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), true, `"2024-05-01"`},
		{`"2018-10-17T18:17:15.722-07:00"`, time.Date(2018, 10, 17, 18, 17, 15, 722e6, zone), false, `"2018-10-17T18:17:15.722-07:00"`},
		{`"2024-05-01T09:30:00Z"`, time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC), false, `"2024-05-01T09:30:00.000Z"`},
		{`"2024-05-01T09:30:00"`, time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC), false, `"2024-05-01T09:30:00.000Z"`},
		{`null`, time.Time{}, false, `null`},
		{`""`, time.Time{}, false, `null`},
	}
	for _, tc := range cases {
		var v struct {
			D *lawmatics.Time `json:"converted_date"`
		}
		if err := json.Unmarshal([]byte(`{"converted_date":`+tc.in+`}`), &v); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		var got lawmatics.Time
		if v.D != nil {
			got = *v.D
		}
		if !got.Equal(tc.want) || got.DateOnly != tc.dateOnly {
			t.Errorf("%s: %v (date only %v)", tc.in, got, got.DateOnly)
		}
		if b, _ := json.Marshal(got); string(b) != tc.out {
			t.Errorf("%s: marshals as %s, want %s", tc.in, b, tc.out)
		}
	}
	var bad lawmatics.Time
	if err := json.Unmarshal([]byte(`"May 1st"`), &bad); err == nil {
		t.Error("a non-date was accepted")
	}
}

func TestFieldIDForms(t *testing.T) {
	for in, want := range map[string]lawmatics.FieldID{`6433`: 6433, `"6433"`: 6433, `" 7 "`: 7, `null`: 0} {
		var id lawmatics.FieldID
		if err := json.Unmarshal([]byte(in), &id); err != nil || id != want {
			t.Errorf("%s: %d, %v", in, id, err)
		}
	}
	for _, in := range []string{`"x"`, `1.5`, `true`} {
		var id lawmatics.FieldID
		if err := json.Unmarshal([]byte(in), &id); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
	if b, _ := json.Marshal(lawmatics.CustomFieldValue{ID: 1001, Value: "3240"}); string(b) != `{"id":1001,"value":"3240"}` {
		t.Errorf("write body %s", b)
	}
}
