package cliofake_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

// receiver is a webhook endpoint answering handshakes by echoing the
// secret (when echo is set) and deliveries with status.
type receiver struct {
	srv    *httptest.Server
	echo   bool
	status atomic.Int32
	got    chan *http.Request
}

func newReceiver(t *testing.T, echo bool, status int) *receiver {
	r := &receiver{echo: echo, got: make(chan *http.Request, 100)}
	r.status.Store(int32(status))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if s := req.Header.Get("X-Hook-Secret"); s != "" {
			if r.echo {
				w.Header().Set("X-Hook-Secret", s)
			}
			w.WriteHeader(200)
			return
		}
		w.WriteHeader(int(r.status.Load()))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (e *env) createHook(url, model, fields string, events []string) obj {
	e.t.Helper()
	return data(e.expect(201, "POST", "/api/v4/webhooks.json?fields=id,url,model,fields,events,status,shared_secret,expires_at",
		body(obj{"url": url, "model": model, "fields": fields, "events": events})))
}

func verify(t *testing.T, d cliofake.Delivery, secret string) clio.WebhookDelivery {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(d.Body)
	if want := hex.EncodeToString(mac.Sum(nil)); d.Signature != want {
		t.Fatalf("signature %q, want %q", d.Signature, want)
	}
	var wd clio.WebhookDelivery
	if err := json.Unmarshal(d.Body, &wd); err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestWebhookValidation(t *testing.T) {
	e := newEnv(t, cliofake.Options{})
	tests := []struct {
		name string
		data obj
	}{
		{"http refused", obj{"url": "http://127.0.0.1/x", "model": "matter", "fields": "id"}},
		{"no fields", obj{"url": "https://h.test/x", "model": "matter"}},
		{"bad model", obj{"url": "https://h.test/x", "model": "widget", "fields": "id"}},
		{"bad event", obj{"url": "https://h.test/x", "model": "contact", "fields": "id", "events": []string{"matter_closed"}}},
		{"bad fields", obj{"url": "https://h.test/x", "model": "matter", "fields": "id,nope"}},
		{"too long", obj{"url": "https://h.test/x", "model": "matter", "fields": "id", "expires_at": e.clock.Now().Add(32 * 24 * time.Hour)}},
		{"past", obj{"url": "https://h.test/x", "model": "matter", "fields": "id", "expires_at": e.clock.Now().Add(-time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { e.expect(422, "POST", "/api/v4/webhooks.json", body(tt.data)) })
	}
	h := data(e.expect(201, "POST", "/api/v4/webhooks.json?fields=id,status,expires_at,shared_secret,model", body(obj{"url": "https://h.invalid/x", "model": 1, "fields": "id"})))
	if h["status"] != "pending" || h["model"] != "matter" || h["expires_at"] != e.clock.Now().Add(72*time.Hour).Format(time.RFC3339) || h["shared_secret"] == "" {
		t.Fatalf("webhook %v", h)
	}
	hp := "/api/v4/webhooks/" + strconv.FormatInt(id(h), 10)
	e.expect(422, "PUT", hp+"/activate", nil, "X-Hook-Secret", "wrong")
	e.expect(200, "PUT", hp+"/activate", nil, "X-Hook-Secret", h["shared_secret"].(string))
	if d := data(e.expect(200, "GET", hp+".json?fields=status", nil)); d["status"] != "enabled" {
		t.Fatalf("after activate %v", d)
	}
	exp := e.clock.Now().Add(20 * 24 * time.Hour)
	if d := data(e.expect(200, "PATCH", hp+".json?fields=expires_at", body(obj{"expires_at": exp}))); d["expires_at"] != exp.Format(time.RFC3339) {
		t.Fatalf("extend %v", d)
	}
	e.expect(204, "DELETE", hp+".json", nil)
	e.expect(404, "GET", hp+".json", nil)
}

func TestWebhookHandshakeAndDeliveries(t *testing.T) {
	e := newEnv(t, cliofake.Options{AllowInsecureWebhooks: true})
	rcv := newReceiver(t, true, 200)
	h := e.createHook(rcv.srv.URL+"/hook", "matter", "id,status,description,client{name}", []string{"created", "updated", "matter_closed"})
	secret, hookID := h["shared_secret"].(string), id(h)
	ds, err := e.fake.AwaitDeliveries(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	var hs clio.WebhookHandshake
	json.Unmarshal(ds[0].Body, &hs)
	if ds[0].Event != "handshake" || ds[0].Status != 200 || hs.Data.WebhookID != hookID {
		t.Fatalf("handshake %+v", ds[0])
	}
	if d := data(e.expect(200, "GET", "/api/v4/webhooks/"+strconv.FormatInt(hookID, 10)+".json?fields=status", nil)); d["status"] != "enabled" {
		t.Fatalf("not enabled: %v", d)
	}

	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Custody", ClientName: "Rae Kim"})
	ds, _ = e.fake.AwaitDeliveries(ctx(t), 2)
	wd := verify(t, ds[1], secret)
	var got map[string]any
	json.Unmarshal(wd.Data, &got)
	if wd.Meta.Event != "created" || wd.Meta.WebhookID != hookID || got["description"] != "Custody" || got["client"].(map[string]any)["name"] != "Rae Kim" || keys(got) != "client,description,id,status" {
		t.Fatalf("created delivery %s", ds[1].Body)
	}

	// An update touching no listed field is not delivered; a status change is.
	e.expect(200, "PATCH", "/api/v4/matters/"+strconv.FormatInt(m.ID, 10)+".json", body(obj{"billable": false}))
	e.fake.UpdateMatter(m.ID, cliofake.MatterPatch{Status: "Closed"})
	e.fake.Wait()
	ds = e.fake.Deliveries()
	events := map[string]bool{}
	for _, d := range ds[2:] {
		events[verify(t, d, secret).Meta.Event] = true
	}
	if !events["updated"] || !events["matter_closed"] {
		t.Fatalf("events %v", events)
	}
	if all := e.fake.Deliveries(); len(all) != 4 {
		t.Fatalf("deliveries %d, want 4 (no delivery for the unlisted billable change)", len(all))
	}

	// Expired hooks stop delivering.
	e.clock.Advance(73 * time.Hour)
	e.fake.UpdateMatter(m.ID, cliofake.MatterPatch{Description: "Custody 2"})
	e.fake.CreateContact(cliofake.ContactInput{FirstName: "Z", LastName: "Z"})
	e.fake.Wait()
	if all := e.fake.Deliveries(); len(all) != 4 {
		t.Fatalf("expired hook delivered: %d", len(all))
	}
}

func TestWebhookPendingWithoutEcho(t *testing.T) {
	e := newEnv(t, cliofake.Options{AllowInsecureWebhooks: true})
	rcv := newReceiver(t, false, 200)
	h := e.createHook(rcv.srv.URL, "contact", "id,name", nil)
	e.fake.AwaitDeliveries(ctx(t), 1)
	e.fake.CreateContact(cliofake.ContactInput{FirstName: "No", LastName: "Hook"})
	e.fake.Wait()
	if d := data(e.expect(200, "GET", "/api/v4/webhooks/"+strconv.FormatInt(id(h), 10)+".json?fields=status", nil)); d["status"] != "pending" {
		t.Fatalf("status %v", d)
	}
	if n := len(e.fake.Deliveries()); n != 1 {
		t.Fatalf("pending hook got deliveries: %d", n)
	}
}

func TestWebhookGoneAndRetries(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		wantAttempts int
	}{
		{"410 disables", http.StatusGone, 1},
		{"500 retried then suspended", http.StatusInternalServerError, 4},
		{"302 is success", http.StatusFound, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// RateWindow 60 ms scales the 1/5/15 minute retries to 1/5/15 ms.
			e := newEnv(t, cliofake.Options{AllowInsecureWebhooks: true, RateWindow: 60 * time.Millisecond})
			rcv := newReceiver(t, true, tt.status)
			h := e.createHook(rcv.srv.URL, "document", "id,name", []string{"created"})
			e.fake.AwaitDeliveries(ctx(t), 1)
			m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "D", ClientName: "A B"})
			e.fake.AddDocument(m.ID, "a.txt", []byte("a"))
			ds, err := e.fake.AwaitDeliveries(ctx(t), 1+tt.wantAttempts)
			if err != nil {
				t.Fatal(err)
			}
			last := ds[len(ds)-1]
			if last.Attempt != tt.wantAttempts || last.Status != tt.status {
				t.Fatalf("last %+v", last)
			}
			e.fake.Close() // waits for the goroutine to settle the status
			want := map[int]string{410: "suspended", 500: "suspended", 302: "enabled"}[tt.status]
			for _, w := range e.fake.Webhooks() {
				if w.ID == id(h) && w.Status != want {
					t.Fatalf("status %q, want %q", w.Status, want)
				}
			}
		})
	}
}
