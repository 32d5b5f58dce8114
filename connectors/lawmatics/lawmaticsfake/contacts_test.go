package lawmaticsfake_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

func TestContactEnvelopeFieldsAndHeaders(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	c, err := e.fake.CreateContact(lawmaticsfake.ContactInput{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "+1 555 010 0001"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"default", "", []string{"created_at", "email", "first_name", "last_name", "updated_at"}},
		{"named", "?fields=first_name,phone", []string{"first_name", "phone"}},
		{"all", "?fields=all", []string{"birthdate", "contact_type", "created_at", "custom_fields", "email", "email_address", "employer", "first_name", "gender", "last_name", "middle_name", "name_prefix", "name_suffix", "occupation", "phone", "phone_number", "timezone", "updated_at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := e.json("GET", "/v1/contacts/"+c.ID+tt.query, nil, 200)
			if got := keys(m); !slices.Equal(got, []string{"data"}) {
				t.Fatalf("top-level keys %v", got)
			}
			if dig(m, "data", "id") != c.ID || dig(m, "data", "type") != "contact" {
				t.Fatalf("id/type = %v/%v", dig(m, "data", "id"), dig(m, "data", "type"))
			}
			if got := keys(dig(m, "data", "attributes")); !slices.Equal(got, tt.want) {
				t.Fatalf("attributes %v, want %v", got, tt.want)
			}
			if got := mustJSON(t, dig(m, "data", "relationships", "prospects")); got != `{"data":[]}` {
				t.Fatalf("relationships.prospects = %s", got)
			}
		})
	}
	all := e.json("GET", "/v1/contacts/"+c.ID+"?fields=all", nil, 200)
	for k, want := range map[string]any{"email_address": "ada@example.com", "phone_number": "+1 555 010 0001", "contact_type": "PNC"} {
		if got := dig(all, "data", "attributes", k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	ts, _ := dig(all, "data", "attributes", "created_at").(string)
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[-+]\d\d:\d\d$`).MatchString(ts) {
		t.Errorf("created_at %q is not like 2018-10-17T18:17:15.722-07:00", ts)
	}

	resp, _ := e.do("GET", "/v1/contacts/"+c.ID, nil)
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) || resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Runtime") == "" {
		t.Fatalf("headers: ETag %q X-Request-Id %q X-Runtime %q", etag, resp.Header.Get("X-Request-Id"), resp.Header.Get("X-Runtime"))
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/contacts/"+c.ID, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("If-None-Match", etag)
	if resp, _ := e.send(req); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: status %d, want 304", resp.StatusCode)
	}
}

func TestContactCRUD(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	m := e.json("POST", "/v1/contacts", map[string]any{"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "phone": "555-0100", "notes": []any{map[string]any{"name": "Intake", "body": "Called in"}}}, 201)
	id, _ := dig(m, "data", "id").(string)
	if dig(m, "data", "attributes", "email_address") != "grace@example.com" {
		t.Fatalf("create response lacks full attributes: %v", m)
	}
	if n := e.fake.Notes(); len(n) != 1 || n[0].Relationships.Notable.Data.Type != "contact" || n[0].Attributes.Body != "Called in" {
		t.Fatalf("inline note: %+v", n)
	}
	m = e.json("PUT", "/v1/contacts/"+id, map[string]any{"last_name": "Hopper-Murray"}, 200)
	if dig(m, "data", "attributes", "last_name") != "Hopper-Murray" || dig(m, "data", "attributes", "first_name") != "Grace" {
		t.Fatalf("update: %v", m)
	}
	m = e.json("POST", "/v1/contacts", map[string]any{"last_name": "Nofirst"}, 422)
	if dig(m, "errors", 0, "status") != float64(422) {
		t.Fatalf("422 body %v", m)
	}
	m = e.json("DELETE", "/v1/contacts/"+id, nil, 200)
	if dig(m, "data", "id") != id || dig(m, "data", "attributes", "last_name") != "Hopper-Murray" {
		t.Fatalf("delete returns the record: %v", m)
	}
	_, b := e.do("GET", "/v1/contacts/"+id, nil)
	want := fmt.Sprintf(`{"errors":[{"status":404,"title":"Not found","detail":"Contact with id %s was not found."}]}`, id)
	if string(b) != want {
		t.Fatalf("404 body %s, want %s", b, want)
	}
}

func TestPagingAndLinks(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	var ids []string
	for i := range 60 {
		c, err := e.fake.CreateContact(lawmaticsfake.ContactInput{FirstName: fmt.Sprintf("P%02d", i), LastName: "Page"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	tests := []struct {
		page      string
		n         int
		first     string
		self      string
		next, prv any
	}{
		{"", 25, ids[59], "/v1/contact?page=1", "/v1/contact?page=2", nil},
		{"2", 25, ids[34], "/v1/contact?page=2", "/v1/contact?page=3", "/v1/contact?page=1"},
		{"3", 10, ids[9], "/v1/contact?page=3", nil, "/v1/contact?page=2"},
		{"4", 0, "", "/v1/contact?page=4", nil, "/v1/contact?page=3"},
	}
	for _, tt := range tests {
		t.Run("page"+tt.page, func(t *testing.T) {
			q := ""
			if tt.page != "" {
				q = "?page=" + tt.page
			}
			m := e.json("GET", "/v1/contacts"+q, nil, 200)
			if got := mustJSON(t, m["meta"]); got != `{"limit_per_page":25,"total_entries":60,"total_pages":3}` {
				t.Fatalf("meta %s", got)
			}
			data, _ := m["data"].([]any)
			if len(data) != tt.n {
				t.Fatalf("%d records, want %d", len(data), tt.n)
			}
			if tt.n > 0 && dig(data, 0, "id") != tt.first {
				t.Fatalf("first id %v, want %v (id desc)", dig(data, 0, "id"), tt.first)
			}
			if dig(m, "links", "self") != tt.self || dig(m, "links", "next") != tt.next || dig(m, "links", "prev") != tt.prv {
				t.Fatalf("links %v", m["links"])
			}
			if _, ok := m["links"].(map[string]any)["next"]; ok != (tt.next != nil) {
				t.Fatalf("next present = %v", ok)
			}
		})
	}
}

func TestSort(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	for _, n := range []string{"Carol", "alice", "Bob"} {
		if _, err := e.fake.CreateContact(lawmaticsfake.ContactInput{FirstName: n}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
	}
	names := func(m map[string]any) string {
		var out []string
		for _, d := range m["data"].([]any) {
			out = append(out, dig(d, "attributes", "first_name").(string))
		}
		return strings.Join(out, ",")
	}
	tests := []struct{ q, want string }{
		{"", "Bob,alice,Carol"},
		{"?sort_by=id&sort_order=asc", "Carol,alice,Bob"},
		{"?sort_by=first_name&sort_order=asc", "Bob,Carol,alice"},
		{"?sort_by=created_at&sort_order=desc", "Bob,alice,Carol"},
	}
	for _, tt := range tests {
		if got := names(e.json("GET", "/v1/contacts"+tt.q, nil, 200)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.q, got, tt.want)
		}
	}
	e.json("GET", "/v1/contacts?sort_by=nope", nil, 422)
}

func TestFilters(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	mk := func(first, email, phone string) string {
		c, err := e.fake.CreateContact(lawmaticsfake.ContactInput{FirstName: first, LastName: "F", Email: email, Phone: phone})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		return c.ID
	}
	a := mk("Alice", "alice@example.com", "555-0001")
	b := mk("alicia", "alicia@example.org", "")
	c := mk("Bob", "bob@example.com", "555-0003")
	tAfterA := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC).Format(time.RFC3339)

	tests := []struct {
		name, q string
		want    []string
	}{
		{"default ilike exact is case-insensitive", "filter_by=first_name&filter_on=ALICE", []string{a}},
		{"ilike wildcard", "filter_by=first_name&filter_on=ali%25", []string{b, a}},
		{"aliases, like is case-sensitive", "filter_field=first_name&filter_value=ali%25&filter_operator=like", []string{b}},
		{"not equal", "filter_by=first_name&filter_on=Bob&filter_with=!=", []string{b, a}},
		{"like on email", "filter_by=email&filter_on=%25.org&filter_with=like", []string{b}},
		{"null", "filter_by=phone&filter_with=null", []string{b}},
		{"blank alias", "filter_by=phone&filter_with=blank", []string{b}},
		{"not_null", "filter_by=phone&filter_with=not_null", []string{c, a}},
		{"present alias", "filter_by=phone&filter_with=present", []string{c, a}},
		{"updated_at after", "filter_by=updated_at&filter_on=" + url.QueryEscape(tAfterA) + "&filter_with=%3E", []string{c, b}},
		{"created_at before or at", "filter_by=created_at&filter_on=2024-03-01T09:00:00Z&filter_with=%3C=", []string{a}},
		{"id greater", "filter_by=id&filter_on=" + a + "&filter_with=%3E", []string{c, b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := e.json("GET", "/v1/contacts?"+tt.q, nil, 200)
			var got []string
			for _, d := range m["data"].([]any) {
				got = append(got, dig(d, "id").(string))
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ids %v, want %v", got, tt.want)
			}
		})
	}

	errs := []struct{ name, q, title string }{
		{"filter_by without filter_on", "filter_by=first_name", "Filter On Parameter Not Available"},
		{"unknown field", "filter_by=shoe_size&filter_on=9", "Filter By Parameter Not Available"},
		{"unknown operator", "filter_by=first_name&filter_on=x&filter_with=regex", "Filter With Parameter Not Available"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			m := e.json("GET", "/v1/contacts?"+tt.q, nil, 422)
			if dig(m, "errors", 0, "status") != float64(422) || dig(m, "errors", 0, "title") != tt.title {
				t.Fatalf("body %v", m)
			}
		})
	}
}

func TestContactFinders(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	a, _ := e.fake.CreateContact(lawmaticsfake.ContactInput{FirstName: "Maria", LastName: "Garcia Lopez", Email: "Maria.Garcia@Example.com", Phone: "(555) 010-2233"})
	b, _ := e.fake.CreateContact(lawmaticsfake.ContactInput{FirstName: "Mario", LastName: "Rossi", Email: "mario@example.com", Phone: "+1 555 777 8888"})
	tests := []struct {
		path, want string
	}{
		{"/v1/contacts/find_by_email/maria.garcia@example.com", a.ID},
		{"/v1/contacts/find_by_email/mario@", b.ID},
		{"/v1/contacts/find_by_phone/5550102233", a.ID},
		{"/v1/contacts/find_by_phone/" + url.PathEscape("+15557778888"), b.ID},
		{"/v1/contacts/find_by_name/" + url.PathEscape("maria garcia lopez"), a.ID},
		{"/v1/contacts/find_by_name/rossi", b.ID},
	}
	for _, tt := range tests {
		m := e.json("GET", tt.path, nil, 200)
		if dig(m, "data", "id") != tt.want || dig(m, "data", "type") != "contact" {
			t.Errorf("%s: %v, want id %s", tt.path, m, tt.want)
		}
	}
	m := e.json("GET", "/v1/contacts/find_by_email/nobody@example.com", nil, 404)
	if dig(m, "errors", 0, "status") != float64(404) || dig(m, "errors", 0, "title") != "Not found" {
		t.Fatalf("not found body %v", m)
	}
}

func TestUsersMeAndUnhandled(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	e.fake.SetUser("Pat Partner", "pat@firm.example")
	m := e.json("GET", "/v1/users/me", nil, 200)
	if dig(m, "data", "type") != "user" || dig(m, "data", "attributes", "name") != "Pat Partner" || dig(m, "data", "attributes", "email") != "pat@firm.example" {
		t.Fatalf("me: %v", m)
	}
	resp, b := e.do("GET", "/v1/tasks", nil)
	if resp.StatusCode != 501 || !strings.Contains(string(b), "GET /v1/tasks") {
		t.Fatalf("unhandled: %d %s", resp.StatusCode, b)
	}
	if got := e.fake.Unhandled(); !slices.Equal(got, []string{"GET /v1/tasks"}) {
		t.Fatalf("Unhandled() = %v", got)
	}
}
