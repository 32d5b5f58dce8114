package lawmaticsfake_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
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
	at       []time.Time // when each attempt arrived
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, r)
	rc.bodies = append(rc.bodies, b)
	rc.at = append(rc.at, time.Now())
	status := 200
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
}

func (rc *receiver) attempts() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

// webhookEnv is a fake whose sandbox clock runs window/1min as fast as
// Lawmatics' (0 means 60 ms), delivering to a recording receiver.
func webhookEnv(t *testing.T, window time.Duration, statuses ...int) (*env, *receiver) {
	t.Helper()
	if window == 0 {
		window = 60 * time.Millisecond
	}
	rc := &receiver{statuses: statuses}
	hook := httptest.NewServer(rc)
	t.Cleanup(hook.Close)
	e := newEnv(t, lawmaticsfake.Options{AllowInsecureWebhooks: true, RateWindow: window})
	if err := e.fake.SetWebhookEndpoint(hook.URL + "/hooks/lawmatics"); err != nil {
		t.Fatal(err)
	}
	return e, rc
}

func await(t *testing.T, f *lawmaticsfake.Server, n int) []lawmatics.WebhookEnvelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ds, err := f.AwaitDeliveries(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	var out []lawmatics.WebhookEnvelope
	for _, d := range ds {
		ev, err := lawmatics.ParseWebhookEnvelope(d.Body)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

// TestHireSendsTheGuidesEnvelope checks a delivery against Lawmatics'
// outbound-webhooks guide itself, not against our receiver: the exact
// envelope keys and values, the three headers, "sha256=" + lowercase hex
// of HMAC-SHA256(whole whsec_ secret, ts + "." + body) recomputed here.
func TestHireSendsTheGuidesEnvelope(t *testing.T) {
	e, rc := webhookEnv(t, 0)
	secret := e.fake.RegenerateSecret()
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < len("whsec_")+20 || e.fake.SigningSecret() != secret {
		t.Fatalf("signing secret %q, want whsec_ and random characters", secret)
	}
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Rosa", LastName: "Diaz", Email: "rosa@example.com", CaseTitle: "Custody", CaseType: "custody_only"})
	if err := e.fake.Hire(p.ID); err != nil {
		t.Fatal(err)
	}
	await(t, e.fake, 1)
	rc.mu.Lock()
	req, body := rc.got[0], rc.bodies[0]
	rc.mu.Unlock()

	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	ts := req.Header.Get("X-Lawmatics-Timestamp")
	if ts != strconv.FormatInt(e.clock.Now().Unix(), 10) {
		t.Fatalf("timestamp %q, want unix seconds of now", ts)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	if sig, want := req.Header.Get("X-Lawmatics-Signature"), "sha256="+hex.EncodeToString(m.Sum(nil)); sig != want {
		t.Fatalf("signature %q, want %q", sig, want)
	}

	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if got := keys(raw); !slices.Equal(got, []string{"data", "event_id", "event_type", "firm_id", "timestamp", "version"}) {
		t.Fatalf("envelope keys %v", got)
	}
	id, _ := raw["event_id"].(string)
	if !strings.HasPrefix(id, "evt_") || len(id) != len("evt_")+36 {
		t.Errorf("event_id %q, want evt_<uuid>", id)
	}
	if req.Header.Get("X-Lawmatics-Event-Id") != id {
		t.Errorf("X-Lawmatics-Event-Id %q, want the envelope's %q", req.Header.Get("X-Lawmatics-Event-Id"), id)
	}
	wantTS := e.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	if raw["event_type"] != "matter.converted" || raw["version"] != "v1" || raw["firm_id"] != float64(lawmaticsfake.FirmID) || raw["timestamp"] != wantTS {
		t.Errorf("envelope %s (timestamp want %s)", body, wantTS)
	}
	data, _ := raw["data"].(map[string]any)
	if len(data) != 1 || fmt.Sprint(data["matter_id"]) != p.ID {
		t.Errorf("data %v, want only matter_id %s", data, p.ID)
	}
	if _, isNumber := data["matter_id"].(float64); !isNumber {
		t.Errorf("matter_id %#v, want a JSON number as in the guide", data["matter_id"])
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
	evs := await(t, e.fake, 2)
	if len(evs) != 2 || string(evs[1].Data.MatterID) != q.ID || evs[1].EventID == evs[0].EventID {
		t.Fatalf("deliveries %+v", evs)
	}
	if e.fake.RegenerateSecret() == secret || e.fake.SigningSecret() == secret {
		t.Fatal("secret not regenerated")
	}
}

// TestWebhookRetrySchedule: Lawmatics retries 429, 5xx and timeouts on its
// 7-attempt schedule (scaled by the sandbox window), the same event_id
// and body every time, re-signed with a fresh timestamp.
func TestWebhookRetrySchedule(t *testing.T) {
	const window = 60 * time.Millisecond // 1 min of Lawmatics' clock
	e, rc := webhookEnv(t, window, 429, 500, 503)
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Tom", CaseTitle: "Will", Status: "hired"})
	await(t, e.fake, 1)
	d := e.fake.Deliveries()[0]
	if d.Attempts != 4 || !d.Delivered || d.StatusCode != 200 {
		t.Fatalf("delivery %+v, want delivered on the 4th attempt", d)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for i, b := range rc.bodies {
		if string(b) != string(rc.bodies[0]) || rc.got[i].Header.Get("X-Lawmatics-Event-Id") != d.EventID {
			t.Errorf("attempt %d sent %s (event id %q), want the first body and event id %s", i+1, b, rc.got[i].Header.Get("X-Lawmatics-Event-Id"), d.EventID)
		}
	}
	if ev, _ := lawmatics.ParseWebhookEnvelope(rc.bodies[0]); string(ev.Data.MatterID) != p.ID {
		t.Errorf("matter_id %s, want %s", ev.Data.MatterID, p.ID)
	}
	// Gaps: ~15 s, ~1 min, ~5 min of Lawmatics' clock.
	for i, want := range []time.Duration{15 * time.Second, time.Minute, 5 * time.Minute} {
		scaled := want * window / time.Minute
		if gap := rc.at[i+1].Sub(rc.at[i]); gap < scaled {
			t.Errorf("attempt %d came %v after the previous one, want at least %v", i+2, gap, scaled)
		}
	}
}

func TestWebhookGivesUpAfterSevenAttempts(t *testing.T) {
	// 6 ms per minute: the whole ~3 h 36 min schedule takes ~1.3 s.
	e, rc := webhookEnv(t, 6*time.Millisecond, 500, 502, 503, 504, 500, 429, 500, 200)
	e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Una", Status: "hired"})
	await(t, e.fake, 1)
	if d := e.fake.Deliveries()[0]; d.Attempts != 7 || d.Delivered || d.StatusCode != 500 {
		t.Fatalf("exhausted delivery %+v, want 7 attempts, undelivered", d)
	}
	if n := rc.attempts(); n != 7 {
		t.Fatalf("receiver saw %d attempts, want 7", n)
	}
}

// TestWebhook4xxIsPermanent: any 4xx other than 429 ends the schedule at once.
func TestWebhook4xxIsPermanent(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 410, 422} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e, rc := webhookEnv(t, 6*time.Millisecond, 503, status, 200)
			e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Vee", Status: "hired"})
			await(t, e.fake, 1)
			if d := e.fake.Deliveries()[0]; d.Attempts != 2 || d.Delivered || d.StatusCode != status || !d.Done {
				t.Fatalf("delivery %+v, want given up after the %d", d, status)
			}
			time.Sleep(100 * time.Millisecond) // longer than the next scaled delay
			if n := rc.attempts(); n != 2 {
				t.Fatalf("receiver saw %d attempts, want 2", n)
			}
		})
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
	if !ok || got.Attributes.CaseType() != "Immigration — asylum" || len(got.Relationships.Documents.Data) != 1 {
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
