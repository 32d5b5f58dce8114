package boxfake_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

// receiver records webhook POSTs and answers with the queued statuses (then 200).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
	srv      *httptest.Server
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Header.Clone(), b})
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// verify checks a delivery the way Box's SDKs do.
func verify(h http.Header, body []byte, primary, secondary string) bool {
	if h.Get("BOX-SIGNATURE-VERSION") != "1" || h.Get("BOX-SIGNATURE-ALGORITHM") != "HmacSHA256" {
		return false
	}
	ts := h.Get("BOX-DELIVERY-TIMESTAMP")
	sig := func(key string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write(body)
		m.Write([]byte(ts))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	return hmac.Equal([]byte(sig(primary)), []byte(h.Get("BOX-SIGNATURE-PRIMARY"))) ||
		hmac.Equal([]byte(sig(secondary)), []byte(h.Get("BOX-SIGNATURE-SECONDARY")))
}

func await(t *testing.T, f *boxfake.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.AwaitDeliveries(ctx, n); err != nil {
		t.Fatal(err)
	}
}

func (e *env) hook(target, typ, address string, triggers ...string) resp {
	return e.do("POST", "/2.0/webhooks", map[string]any{"target": map[string]string{"id": target, "type": typ},
		"address": address, "triggers": triggers})
}

func TestWebhookCreateRules(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	dir := e.mkdir("0", "Matters")
	e.hook(dir, "folder", "http://hooks.example.com/box", "FOLDER.CREATED").wantError(t, 400, "bad_request")
	e.hook(dir, "folder", "https://hooks.example.com:8443/box", "FOLDER.CREATED").wantError(t, 400, "bad_request")
	e.hook("0", "folder", "https://hooks.example.com/box", "FOLDER.CREATED").wantError(t, 400, "bad_request")
	e.hook(dir, "folder", "https://hooks.example.com/box", "NOPE.NOPE").wantError(t, 400, "bad_request")
	e.hook("8888", "folder", "https://hooks.example.com/box", "FOLDER.CREATED").wantError(t, 404, "not_found")
	r := e.hook(dir, "folder", "https://hooks.example.com:443/box", "FOLDER.CREATED", "FILE.UPLOADED")
	wantStatus(t, r, http.StatusCreated)
	var h box.Webhook
	r.json(t, &h)
	if h.ID == "" || h.Type != "webhook" || h.Target != (box.WebhookTarget{ID: dir, Type: "folder"}) ||
		h.Address != "https://hooks.example.com:443/box" || len(h.Triggers) != 2 || h.CreatedBy == nil || h.CreatedAt == nil {
		t.Fatalf("webhook = %+v", h)
	}
	e.hook(dir, "folder", "https://other.example.com/", "FOLDER.RENAMED").wantError(t, 409, "conflict")

	var list box.Webhooks
	r = e.do("GET", "/2.0/webhooks", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &list)
	if len(list.Entries) != 1 || list.Entries[0].ID != h.ID || list.NextMarker != nil {
		t.Fatalf("list = %+v", list)
	}
	r = e.do("PUT", "/2.0/webhooks/"+h.ID, map[string]any{"triggers": []string{"FOLDER.RENAMED"}})
	wantStatus(t, r, http.StatusOK)
	r = e.do("GET", "/2.0/webhooks/"+h.ID, nil)
	r.json(t, &h)
	if len(h.Triggers) != 1 || h.Triggers[0] != "FOLDER.RENAMED" {
		t.Fatalf("updated = %+v", h)
	}
	wantStatus(t, e.do("DELETE", "/2.0/webhooks/"+h.ID, nil), http.StatusNoContent)
	e.do("GET", "/2.0/webhooks/"+h.ID, nil).wantError(t, 404, "not_found")
}

func TestWebhookDelivery(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, boxfake.Options{AllowInsecureWebhooks: true})
	dir := e.mkdir("0", "Matters")
	wantStatus(t, e.hook(dir, "folder", rc.srv.URL+"/box", "FOLDER.CREATED", "FILE.UPLOADED"), http.StatusCreated)

	sub := e.mkdir(dir, "Søren — Müller 😀") // cascades into subfolders
	if _, err := e.fake.UploadFile(sub, "a.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	e.mkdir("0", "Elsewhere") // not under the target
	await(t, e.fake, 2)
	got := rc.all()
	if len(got) != 2 {
		t.Fatalf("deliveries = %d", len(got))
	}
	primary, secondary := e.fake.SignatureKeys()
	triggers := map[string]bool{}
	for _, d := range got {
		h := d.header
		if h.Get("User-Agent") != "Box-WH-Client/0.1" || h.Get("BOX-DELIVERY-ID") == "" {
			t.Errorf("headers = %v", h)
		}
		if _, err := time.Parse(time.RFC3339, h.Get("BOX-DELIVERY-TIMESTAMP")); err != nil {
			t.Errorf("timestamp: %v", err)
		}
		if !verify(h, d.body, primary, secondary) {
			t.Errorf("signature does not verify")
		}
		// Either key alone verifies.
		if !verify(h, d.body, primary, "wrong") || !verify(h, d.body, "wrong", secondary) || verify(h, d.body, "x", "y") {
			t.Errorf("per-key verification wrong")
		}
		for _, c := range d.body {
			if c >= 0x80 {
				t.Fatalf("body has raw non-ASCII: %s", d.body)
			}
		}
		var ev box.WebhookEvent
		if err := json.Unmarshal(d.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type != "webhook_event" || ev.ID == "" || ev.Webhook.Type != "webhook" || ev.CreatedBy.Type != "user" ||
			len(ev.Source) == 0 || string(ev.AdditionalInfo) != "[]" {
			t.Errorf("event = %+v", ev)
		}
		triggers[ev.Trigger] = true
		if ev.Trigger == "FOLDER.CREATED" {
			var src box.Folder
			_ = json.Unmarshal(ev.Source, &src)
			if src.Name != "Søren — Müller 😀" {
				t.Errorf("source name = %q", src.Name)
			}
			if !bytes.Contains(d.body, []byte(`S\u00f8ren \u2014 M\u00fcller \ud83d\ude00`)) {
				t.Errorf("body not escaped as \\uXXXX: %s", d.body)
			}
		}
	}
	if !triggers["FOLDER.CREATED"] || !triggers["FILE.UPLOADED"] {
		t.Fatalf("triggers = %v", triggers)
	}

	// After rotation, the old secondary still verifies.
	newPrimary, sec := e.fake.RotateSignatureKeys()
	if newPrimary == primary || sec != secondary {
		t.Fatal("rotation changed the wrong key")
	}
	e.mkdir(dir, "After rotation")
	await(t, e.fake, 3)
	last := rc.all()[2]
	if !verify(last.header, last.body, primary, secondary) || !verify(last.header, last.body, newPrimary, "wrong") {
		t.Fatal("rotated delivery does not verify")
	}
}

func TestWebhookRetries(t *testing.T) {
	rc := newReceiver(t, 500, 503)
	// RateWindow 60 ms scales the 5 min first retry to 5 ms.
	e := newEnv(t, boxfake.Options{AllowInsecureWebhooks: true, RateWindow: 60 * time.Millisecond, RateLimit: 100000})
	dir := e.mkdir("0", "M")
	wantStatus(t, e.hook(dir, "folder", rc.srv.URL, "FOLDER.RENAMED"), http.StatusCreated)
	if err := e.fake.RenameFolder(dir, "M2"); err != nil {
		t.Fatal(err)
	}
	await(t, e.fake, 3)
	ds := e.fake.Deliveries()
	if len(ds) != 3 || ds[0].StatusCode != 500 || ds[1].StatusCode != 503 || ds[2].StatusCode != 200 {
		t.Fatalf("deliveries = %+v", ds)
	}
	if ds[0].EventID != ds[2].EventID || ds[0].DeliveryID == ds[1].DeliveryID || ds[2].Attempt != 2 {
		t.Fatal("event id must be stable and delivery id new per attempt")
	}
	got := rc.all()
	if !bytes.Equal(got[0].body, got[2].body) || got[0].header.Get("BOX-DELIVERY-ID") == got[2].header.Get("BOX-DELIVERY-ID") {
		t.Fatal("retried body differs or delivery id reused")
	}
}

func TestWebhookOnTrash(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, boxfake.Options{AllowInsecureWebhooks: true})
	dir := e.mkdir("0", "M")
	f, err := e.fake.UploadFile(dir, "a.txt", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.hook(dir, "folder", rc.srv.URL, "FILE.TRASHED", "FOLDER.TRASHED"), http.StatusCreated)
	if err := e.fake.DeleteItem(f.ID); err != nil {
		t.Fatal(err)
	}
	await(t, e.fake, 1)
	var ev box.WebhookEvent
	_ = json.Unmarshal(rc.all()[0].body, &ev)
	if ev.Trigger != "FILE.TRASHED" {
		t.Fatalf("trigger = %s", ev.Trigger)
	}
}
