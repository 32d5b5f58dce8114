package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
)

func start(t *testing.T, o sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func do(t *testing.T, method, url, token string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestClioListWithoutFieldsCarriesOnlyIDAndEtag(t *testing.T) {
	sb := start(t, sandbox.Options{})
	in := sb.Info()
	code, _, body := do(t, "GET", in.Platforms["clio"].APIBase+"/contacts.json?limit=5", in.Platforms["clio"].Token, nil)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var out struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Data) != 5 {
		t.Fatalf("%v %s", err, body)
	}
	for _, c := range out.Data {
		if len(c) != 2 || c["id"] == nil || c["etag"] == nil {
			t.Fatalf("record has %v; want only id and etag", c)
		}
	}
}

func TestBoxSameFolderTwiceGives409WithFirstID(t *testing.T) {
	sb := start(t, sandbox.Options{})
	in := sb.Info()
	b := in.Platforms["box"]
	code, _, body := do(t, "POST", b.APIBase+"/folders", b.Token, map[string]any{"name": "Smith", "parent": map[string]string{"id": in.BoxRoot}})
	if code != 201 {
		t.Fatalf("%d %s", code, body)
	}
	var first struct{ ID string }
	json.Unmarshal(body, &first)
	code, _, body = do(t, "POST", b.APIBase+"/folders", b.Token, map[string]any{"name": "SMITH", "parent": map[string]string{"id": in.BoxRoot}})
	if code != 409 || !strings.Contains(string(body), `"item_name_in_use"`) || !strings.Contains(string(body), `"id":"`+first.ID+`"`) {
		t.Fatalf("%d %s (first id %s)", code, body, first.ID)
	}
}

func TestAdminActionsFaultsAndStats(t *testing.T) {
	sb := start(t, sandbox.Options{})
	in := sb.Info()
	code, _, body := do(t, "POST", in.Admin+"/clio/matters", "", map[string]any{"description": "Lee — Estate plan", "practice_area": "Estate Planning"})
	if code != 201 {
		t.Fatalf("create matter: %d %s", code, body)
	}
	var m struct {
		ID            int64  `json:"id"`
		DisplayNumber string `json:"display_number"`
	}
	json.Unmarshal(body, &m)
	if m.ID == 0 || m.DisplayNumber == "" {
		t.Fatalf("matter %s", body)
	}
	code, _, body = do(t, "GET", in.Admin+"/clio/matters/"+itoa(m.ID), "", nil)
	if code != 200 || !strings.Contains(string(body), "Lee — Estate plan") {
		t.Fatalf("get matter: %d %s", code, body)
	}
	if code, _, body := do(t, "POST", in.Admin+"/faults", "", map[string]any{"platform": "clio", "path_prefix": "/api/v4/contacts", "status": 503, "count": 2}); code != 201 {
		t.Fatalf("fault: %d %s", code, body)
	}
	c := in.Platforms["clio"]
	for i, want := range []int{503, 503, 200} {
		if code, h, _ := do(t, "GET", c.APIBase+"/contacts.json", c.Token, nil); code != want || (want == 503 && h.Get("Retry-After") == "") {
			t.Fatalf("request %d: %d, want %d", i, code, want)
		}
	}
	if code, _, body := do(t, "POST", in.Admin+"/faults", "", map[string]any{"platform": "slack", "status": 500}); code != 400 || !strings.Contains(string(body), "valid: clio") {
		t.Fatalf("bad platform fault: %d %s", code, body)
	}
	code, _, body = do(t, "GET", in.Admin+"/stats", "", nil)
	var st sandbox.Stats
	if err := json.Unmarshal(body, &st); code != 200 || err != nil {
		t.Fatalf("stats %d %v", code, err)
	}
	if st.Platforms["clio"].Requests != 3 || st.Platforms["clio"].Faulted != 2 || st.Platforms["clio"].Endpoints["GET /api/v4/contacts.json"] != 3 {
		t.Fatalf("clio stats %+v", st.Platforms["clio"])
	}
	// Revoked tokens get the platform's real 401.
	do(t, "POST", in.Admin+"/tokens/revoke", "", map[string]string{"platform": "clio"})
	if code, _, body := do(t, "GET", c.APIBase+"/users/who_am_i.json", c.Token, nil); code != 401 || !strings.Contains(string(body), "invalid_token") {
		t.Fatalf("after revoke: %d %s", code, body)
	}
}

func TestAdminAPIIsNotOnPlatformHosts(t *testing.T) {
	sb := start(t, sandbox.Options{})
	if code, _, _ := do(t, "GET", sb.BaseURL("clio")+"/_sandbox/stats", "", nil); code != 404 {
		t.Fatalf("admin reachable through a platform host: %d", code)
	}
}

func TestDemoFirmIsSeededAndDeterministic(t *testing.T) {
	a := start(t, sandbox.Options{Seed: 7})
	b := start(t, sandbox.Options{Seed: 7})
	ca, cb := a.Clio().Notes(), b.Clio().Notes()
	if len(ca) != len(cb) {
		t.Fatal("notes differ")
	}
	for _, id := range []int64{1, 2, 3} {
		x, okx := a.Clio().Contact(id)
		y, oky := b.Clio().Contact(id)
		if !okx || !oky || x.Name != y.Name || x.EmailAddresses[0].Address != y.EmailAddresses[0].Address || x.PhoneNumbers[0].Number != y.PhoneNumbers[0].Number {
			t.Fatalf("contact %d differs: %+v vs %+v", id, x, y)
		}
	}
	if ia, ib := a.Info().Seeded, b.Info().Seeded; len(ia.ZoomSlashUUIDMeetings) != 1 || len(ib.ZoomSlashUUIDMeetings) != 1 ||
		ia.ZoomSlashUUIDMeetings[0].UUID != ib.ZoomSlashUUIDMeetings[0].UUID {
		t.Fatalf("slash-UUID meetings differ: %+v vs %+v", ia.ZoomSlashUUIDMeetings, ib.ZoomSlashUUIDMeetings)
	}
	f, items, err := a.Box().Folder(a.BoxRoot())
	if err != nil || f.Name != "Matters" || len(items) != 0 {
		t.Fatalf("box root %+v %v %v", f, items, err)
	}
}

func TestStatePersistsAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	sb, err := sandbox.Start(sandbox.Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sb.Clio().CreateMatter(cliofakeMatter("Persisted matter"))
	if err != nil {
		t.Fatal(err)
	}
	root := sb.BoxRoot()
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	sb2 := start(t, sandbox.Options{StateDir: dir})
	got, ok := sb2.Clio().Matter(m.ID)
	if !ok || got.Description != "Persisted matter" || sb2.BoxRoot() != root {
		t.Fatalf("after restart: %+v %v root %s vs %s", got, ok, sb2.BoxRoot(), root)
	}
}

func TestTruncateFaultResetsMidBody(t *testing.T) {
	sb := start(t, sandbox.Options{})
	in := sb.Info()
	if code, _, body := do(t, "POST", in.Admin+"/faults", "", map[string]any{"platform": "clio", "path_prefix": "/api/v4/contacts", "truncate_after": 40}); code != 201 {
		t.Fatalf("fault: %d %s", code, body)
	}
	req, _ := http.NewRequest("GET", in.Platforms["clio"].APIBase+"/contacts.json?fields=id,name", nil)
	req.Header.Set("Authorization", "Bearer "+in.Platforms["clio"].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || len(b) != 40 || resp.StatusCode != 200 {
		t.Fatalf("want a 200 whose body breaks after 40 bytes; got %d, %d bytes, err %v", resp.StatusCode, len(b), err)
	}
	// The next request is whole again.
	if code, _, _ := do(t, "GET", in.Platforms["clio"].APIBase+"/contacts.json", in.Platforms["clio"].Token, nil); code != 200 {
		t.Fatalf("after the fault: %d", code)
	}
}
