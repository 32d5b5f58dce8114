package lawmaticsfake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

// receiver records webhook posts and answers with the queued statuses (then 200).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   [][]byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, r)
	rc.bodies = append(rc.bodies, b)
	status := 200
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
}

func webhookEnv(t *testing.T, statuses ...int) (*env, *receiver) {
	t.Helper()
	rc := &receiver{statuses: statuses}
	hook := httptest.NewServer(rc)
	t.Cleanup(hook.Close)
	e := newEnv(t, lawmaticsfake.Options{AllowInsecureWebhooks: true, RateWindow: 60 * time.Millisecond})
	if err := e.fake.SetWebhookEndpoint(hook.URL + "/hooks/lawmatics"); err != nil {
		t.Fatal(err)
	}
	return e, rc
}

func await(t *testing.T, f *lawmaticsfake.Server, n int) []lawmatics.WebhookEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ds, err := f.AwaitDeliveries(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	var out []lawmatics.WebhookEvent
	for _, d := range ds {
		var ev lawmatics.WebhookEvent
		if err := json.Unmarshal(d.Body, &ev); err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func TestHireFiresSignedMatterConverted(t *testing.T) {
	e, rc := webhookEnv(t)
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Rosa", LastName: "Diaz", Email: "rosa@example.com", CaseTitle: "Custody", CaseType: "custody_only"})
	if err := e.fake.Hire(p.ID); err != nil {
		t.Fatal(err)
	}
	evs := await(t, e.fake, 1)
	rc.mu.Lock()
	req, body := rc.got[0], rc.bodies[0]
	rc.mu.Unlock()
	ts := req.Header.Get(lawmatics.HeaderTimestamp)
	if ts != strconv.FormatInt(e.clock.Now().Unix(), 10) {
		t.Fatalf("timestamp %q", ts)
	}
	if sig := req.Header.Get(lawmatics.HeaderSignature); sig != lawmatics.Sign(e.fake.SigningSecret(), ts, body) || !lawmatics.VerifySignature(e.fake.SigningSecret(), ts, body, sig) {
		t.Fatalf("signature %q does not verify", sig)
	}
	if lawmatics.VerifySignature("other-secret", ts, body, req.Header.Get(lawmatics.HeaderSignature)) {
		t.Fatal("signature verifies with the wrong secret")
	}
	ev := evs[0]
	if ev.Event != "matter.converted" || ev.ID == "" || ev.CreatedAt.IsZero() || ev.Data.ID != p.ID || ev.Data.Type != "prospect" ||
		ev.Data.Attributes.Status != "hired" || ev.Data.Attributes.ConvertedDate == nil || ev.Data.Attributes.CaseType() != "custody_only" {
		t.Fatalf("event %+v", ev)
	}
	var raw map[string]any
	json.Unmarshal(body, &raw)
	if got := keys(raw); len(got) != 4 || got[0] != "created_at" || got[1] != "data" || got[2] != "event" || got[3] != "id" {
		t.Fatalf("payload keys %v", got)
	}
	got, _ := e.fake.Prospect(p.ID)
	if got.Attributes.Status != "hired" || got.Attributes.ConvertedDate == nil {
		t.Fatalf("prospect after hire %+v", got.Attributes)
	}
	c, _ := e.fake.Contact(got.Relationships.Contact.Data.ID)
	if c.Attributes.ContactType != "Client" {
		t.Fatalf("contact_type %q", c.Attributes.ContactType)
	}

	// Hiring through the API fires too; other updates don't.
	q, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Sam", CaseTitle: "Injury"})
	e.json("PUT", "/v1/prospects/"+q.ID, map[string]any{"case_blurb": "x"}, 200)
	e.json("PUT", "/v1/prospects/"+q.ID, map[string]any{"status": "hired"}, 200)
	evs = await(t, e.fake, 2)
	if len(evs) != 2 || evs[1].Data.ID != q.ID {
		t.Fatalf("deliveries %+v", evs)
	}
	old := e.fake.SigningSecret()
	if e.fake.RegenerateSecret() == old || e.fake.SigningSecret() == old {
		t.Fatal("secret not regenerated")
	}
}

func TestWebhookRetriesWithBackoff(t *testing.T) {
	e, rc := webhookEnv(t, 500, 503)
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Tom", CaseTitle: "Will", Status: "hired"})
	await(t, e.fake, 1)
	d := e.fake.Deliveries()[0]
	if d.Attempts != 3 || !d.Delivered || d.StatusCode != 200 {
		t.Fatalf("delivery %+v", d)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var ids []string
	for _, b := range rc.bodies {
		var ev lawmatics.WebhookEvent
		json.Unmarshal(b, &ev)
		ids = append(ids, ev.ID+"/"+ev.Data.ID)
	}
	if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] || ids[0] != d.EventID+"/"+p.ID {
		t.Fatalf("attempts %v", ids)
	}

	e2, _ := webhookEnv(t, 500, 500, 500, 500)
	e2.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Una", Status: "hired"})
	await(t, e2.fake, 1)
	if d := e2.fake.Deliveries()[0]; d.Attempts != 3 || d.Delivered || d.StatusCode != 500 {
		t.Fatalf("exhausted delivery %+v", d)
	}
}

func TestWebhookEndpointRules(t *testing.T) {
	f := lawmaticsfake.New(lawmaticsfake.Options{})
	t.Cleanup(f.Close)
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://hooks.example.com/lawmatics", true},
		{"http://127.0.0.1:8080/lawmatics", false},
		{"not a url", false},
		{"", true},
	}
	for _, tt := range tests {
		if err := f.SetWebhookEndpoint(tt.url); (err == nil) != tt.ok {
			t.Errorf("SetWebhookEndpoint(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestSnapshotRestore(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Vic", CaseTitle: "Asylum", CaseType: "immigration_asylum"})
	e.fake.AddFile(p.ID, "a.txt", []byte("abc"))
	snap, err := e.fake.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	f2 := lawmaticsfake.New(lawmaticsfake.Options{})
	t.Cleanup(f2.Close)
	if err := f2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	got, ok := f2.Prospect(p.ID)
	if !ok || got.Attributes.CaseType() != "immigration_asylum" || len(got.Relationships.Documents.Data) != 1 {
		t.Fatalf("restored %+v", got)
	}
	srv := httptest.NewServer(f2)
	t.Cleanup(srv.Close)
	e2 := &env{t: t, fake: f2, srv: srv, token: e.token}
	if resp, b := e2.do("GET", "/v1/files/download/"+got.Relationships.Documents.Data[0].ID, nil); resp.StatusCode != 200 || string(b) != "abc" {
		t.Fatalf("download after restore (token and content survive): %d %q", resp.StatusCode, b)
	}
	c, _ := f2.CreateContact(lawmaticsfake.ContactInput{FirstName: "New"})
	if n, _ := strconv.Atoi(c.ID); n <= 0 || c.ID == p.ID {
		t.Fatalf("id counter not restored: %s", c.ID)
	}
}
