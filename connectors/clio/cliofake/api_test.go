package cliofake_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, cliofake.Options{RateLimit: 3})
	reset := strconv.FormatInt(e.clock.Now().Add(time.Minute).Unix(), 10)
	for i, want := range []string{"2", "1", "0"} {
		resp, _ := e.do("GET", "/api/v4/users/who_am_i.json", nil)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("X-RateLimit-Limit") != "3" || h.Get("X-RateLimit-Remaining") != want || h.Get("X-RateLimit-Reset") != reset {
			t.Fatalf("request %d: %d %v", i, resp.StatusCode, h)
		}
	}
	e.clock.Advance(20500 * time.Millisecond)
	resp, body := e.do("GET", "/api/v4/contacts.json", nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "40" || resp.Header.Get("X-RateLimit-Remaining") != "0" ||
		!strings.Contains(string(body), `"error":{"type":"RateLimited"`) {
		t.Fatalf("429: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// Another token has its own window.
	other := e.fake.IssueToken()
	e.expect(200, "GET", "/api/v4/users/who_am_i.json", nil, "Authorization", "Bearer "+other.Access)
	e.clock.Advance(40 * time.Second)
	resp, _ = e.do("GET", "/api/v4/users/who_am_i.json", nil)
	if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "2" {
		t.Fatalf("after window: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestAPIVersionHeader(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	tests := []struct {
		send, wantEcho string
		want           int
	}{
		{"", "4.0.9", 200},
		{"4.0.5", "4.0.5", 200},
		{"3.0.0", "", 410},
		{"banana", "", 410},
	}
	for _, tt := range tests {
		t.Run(tt.send, func(t *testing.T) {
			resp, body := e.do("GET", "/api/v4/users/who_am_i.json", nil, "X-API-VERSION", tt.send)
			if resp.StatusCode != tt.want || resp.Header.Get("X-API-VERSION") != tt.wantEcho {
				t.Fatalf("%d %q %s", resp.StatusCode, resp.Header.Get("X-API-VERSION"), body)
			}
		})
	}
}

func TestWhoAmI(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	u := data(e.expect(200, "GET", "/api/v4/users/who_am_i.json?fields=id,name,email,subscription_type", nil))
	if u["name"] != "Alex Rivera" || u["email"] != "alex.rivera@example-law.test" || u["subscription_type"] != "Attorney" {
		t.Fatalf("who_am_i %v", u)
	}
}

func TestFields(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	m, err := e.fake.CreateMatter(cliofake.MatterInput{Description: "Divorce", ClientName: "Dana Smith", PracticeArea: "Family Law"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v4/matters/" + strconv.FormatInt(m.ID, 10) + ".json"
	tests := []struct {
		fields   string
		status   int
		wantKeys string
		check    func(t *testing.T, d map[string]any)
	}{
		{"", 200, "etag,id", nil},
		{"id,description,status", 200, "description,id,status", func(t *testing.T, d map[string]any) {
			if d["description"] != "Divorce" || d["status"] != "Open" {
				t.Fatalf("%v", d)
			}
		}},
		{"client{id,name}", 200, "client", func(t *testing.T, d map[string]any) {
			if c := d["client"].(map[string]any); keys(c) != "id,name" || c["name"] != "Dana Smith" {
				t.Fatalf("%v", c)
			}
		}},
		{"client", 200, "client", func(t *testing.T, d map[string]any) {
			if c := d["client"].(map[string]any); keys(c) != "etag,id" {
				t.Fatalf("%v", c)
			}
		}},
		{"practice_area{name},client{email_addresses}", 200, "client,practice_area", func(t *testing.T, d map[string]any) {
			if d["practice_area"].(map[string]any)["name"] != "Family Law" {
				t.Fatalf("%v", d)
			}
		}},
		{"client{email_addresses{address}}", 400, "", nil},
		{"nope", 400, "", nil},
		{"client{nope}", 400, "", nil},
		{"description{id}", 400, "", nil},
		{"client{id", 400, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.fields, func(t *testing.T) {
			v := e.expect(tt.status, "GET", path+"?"+url.Values{"fields": {tt.fields}}.Encode(), nil)
			if tt.status != 200 {
				if v["error"].(map[string]any)["type"] == nil {
					t.Fatalf("error body %v", v)
				}
				return
			}
			d := data(v)
			if keys(d) != tt.wantKeys {
				t.Fatalf("keys %q, want %q", keys(d), tt.wantKeys)
			}
			if tt.check != nil {
				tt.check(t, d)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	for i := 0; i < 5; i++ {
		e.fake.CreateContact(cliofake.ContactInput{FirstName: "P" + strconv.Itoa(i), LastName: "Doe"})
	}
	next := "/api/v4/contacts.json?limit=2&fields=id,name"
	var ids []int64
	pages := 0
	for next != "" {
		v := e.expect(200, "GET", next, nil)
		pages++
		meta := v["meta"].(map[string]any)
		if meta["records"] != float64(5) {
			t.Fatalf("records %v", meta)
		}
		for _, c := range list(v) {
			ids = append(ids, id(c))
		}
		n, _ := meta["paging"].(map[string]any)["next"].(string)
		if n != "" {
			u, _ := url.Parse(n)
			if !strings.HasPrefix(n, e.srv.URL+"/api/v4/contacts.json?") || u.Query().Get("page_token") == "" || u.Query().Get("order") != "id(asc)" || u.Query().Get("fields") != "id,name" {
				t.Fatalf("next %q", n)
			}
		}
		next = n
	}
	if pages != 3 || len(ids) != 5 || ids[0] != 1 || ids[4] != 5 {
		t.Fatalf("pages %d ids %v", pages, ids)
	}
	for _, bad := range []string{"limit=0", "limit=201", "limit=x", "page_token=abc&order=id(asc)", "page_token=Y3Vyc29yOjI", "order=name(asc)", "created_since=yesterday"} {
		t.Run(bad, func(t *testing.T) { e.expect(400, "GET", "/api/v4/contacts.json?"+bad, nil) })
	}
	v := e.expect(200, "GET", "/api/v4/contacts.json?ids[]=2&ids[]=4", nil)
	if l := list(v); len(l) != 2 || id(l[0]) != 2 || id(l[1]) != 4 {
		t.Fatalf("ids[] %v", l)
	}
	e.clock.Advance(time.Hour)
	since := e.clock.Now().Format(time.RFC3339)
	e.fake.UpdateContact(3, cliofake.ContactInput{LastName: "Roe"})
	for _, q := range []string{"updated_since=" + url.QueryEscape(since), "query=roe"} {
		if l := list(e.expect(200, "GET", "/api/v4/contacts.json?"+q, nil)); len(l) != 1 || id(l[0]) != 3 {
			t.Fatalf("%s: %v", q, l)
		}
	}
	if l := list(e.expect(200, "GET", "/api/v4/contacts.json?created_since="+url.QueryEscape(since), nil)); len(l) != 0 {
		t.Fatalf("created_since %v", l)
	}
}

func TestETags(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	c, _ := e.fake.CreateContact(cliofake.ContactInput{FirstName: "Eve", LastName: "Tag"})
	path := "/api/v4/contacts/" + strconv.FormatInt(c.ID, 10) + ".json"
	resp, _ := e.do("GET", path, nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag != c.Etag || !strings.HasPrefix(etag, `"`) || resp.Header.Get("Last-Modified") != c.UpdatedAt.Format(http.TimeFormat) {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	if resp, body := e.do("GET", path, nil, "If-None-Match", etag); resp.StatusCode != 304 || len(body) != 0 {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := e.do("GET", path, nil, "If-Modified-Since", c.UpdatedAt.Format(http.TimeFormat)); resp.StatusCode != 304 {
		t.Fatalf("If-Modified-Since: %d", resp.StatusCode)
	}
	d := data(e.expect(200, "PATCH", path+"?fields=id,etag,title", map[string]any{"data": map[string]any{"title": "Dr"}}, "If-Match", etag))
	if d["etag"] == etag || d["title"] != "Dr" {
		t.Fatalf("patch %v", d)
	}
	v := e.expect(412, "PATCH", path, map[string]any{"data": map[string]any{"title": "Mx"}}, "If-Match", etag)
	if v["error"] == nil {
		t.Fatalf("412 body %v", v)
	}
	if resp, _ := e.do("GET", path, nil, "If-None-Match", etag); resp.StatusCode != 200 {
		t.Fatalf("stale If-None-Match: %d", resp.StatusCode)
	}
}

func TestUnhandledRoute(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	v := e.expect(501, "GET", "/api/v4/bills.json", nil)
	if !strings.Contains(v["error"].(map[string]any)["message"].(string), "GET /api/v4/bills.json") {
		t.Fatalf("%v", v)
	}
	e.expect(501, "PUT", "/api/v4/contacts.json", nil)
	if got := strings.Join(e.fake.Unhandled(), ";"); got != "GET /api/v4/bills.json;PUT /api/v4/contacts.json" {
		t.Fatalf("Unhandled %q", got)
	}
}

func TestSnapshotRestore(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Estate", ClientName: "Sam Lee"})
	snap, err := e.fake.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	f2 := cliofake.New(cliofake.Options{})
	if err := f2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	got, ok := f2.Matter(m.ID)
	if !ok || got.Description != "Estate" || got.Client.Name != "Sam Lee" || got.Etag != m.Etag {
		t.Fatalf("restored %+v", got)
	}
	m2, _ := f2.CreateMatter(cliofake.MatterInput{Description: "Next", ClientID: got.Client.ID})
	if m2.ID != m.ID+1 || m2.DisplayNumber != "00002-Lee" {
		t.Fatalf("counters not restored: %+v", m2)
	}
}
