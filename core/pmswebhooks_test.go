package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/secrets"
)

// runPMS opens a sandbox app as a firm on kind, starts its services and
// waits for the first sync and the webhook subscriptions.
func runPMS(t *testing.T, kind string) *core.App {
	t.Helper()
	return runPMSWith(t, kind, secrets.NewMemory())
}

// runPMSWith is runPMS with the app's secrets store.
func runPMSWith(t *testing.T, kind string, sec secrets.Store) *core.App {
	t.Helper()
	app, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: sec, PMS: kind,
		SandboxOptions: sandbox.Options{RateLimits: fastLimits()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	first := app.Bus().Subscribe(events.RunFinished)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() { cancel(); <-done })
		app.Close()
	})
	<-app.Ready()
	settle(t, app, first)
	if err := app.UpkeepWebhooks(context.Background()); err != nil {
		t.Fatal(err)
	}
	if conn, _ := app.Store().Connection(kind); len(conn.Webhooks) == 0 {
		t.Fatalf("no %s webhook subscription recorded", kind)
	}
	return app
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// boxFolderNamed reports whether the demo root holds a folder whose name
// contains s.
func boxFolderNamed(sb *sandbox.Sandbox, s string) bool {
	_, items, _ := sb.Box().Folder(sb.BoxRoot())
	for _, it := range items {
		if it.Type == "folder" && strings.Contains(it.Name, s) {
			return true
		}
	}
	return false
}

func zoomHas(sb *sandbox.Sandbox, id string) bool {
	for _, c := range sb.Zoom().ExternalContacts() {
		if c.ID == id || c.ExternalContactID == id {
			return true
		}
	}
	return false
}

// TestMyCaseAndSmokeballWebhooksMakeEffectsAppearWithinSeconds: a firm on
// MyCase or Smokeball gets its subscriptions made by upkeep, and a client
// or matter a person adds there reaches Zoom and Box through the webhook,
// within seconds, long before any schedule. Smokeball's files.updated
// brings a new document to Box too (MyCase sends no document events).
func TestMyCaseAndSmokeballWebhooksMakeEffectsAppearWithinSeconds(t *testing.T) {
	const within = 15 * time.Second // generous: a busy CI machine, and Smokeball's writes apply later
	t.Run("mycase", func(t *testing.T) {
		app := runPMS(t, core.MyCase)
		sb := app.SandboxInstance()
		p, err := sb.MyCase().CreatePerson(mycasefake.PersonInput{FirstName: "Webhook", LastName: "Person", Email: "hook.person@example.com", CellPhone: "(415) 555-0177"})
		if err != nil {
			t.Fatal(err)
		}
		took := eventually(t, within, "the MyCase client in Zoom", func() bool { return zoomHas(sb, "mycase-"+strconv.FormatInt(p.ID, 10)) })
		t.Logf("MyCase client → Zoom contact: %v", took)
		c, err := sb.MyCase().CreateCase(mycasefake.CaseInput{Name: "Person — Webhook lease", CaseNumber: "WH-1", ClientIDs: []int64{p.ID}})
		if err != nil {
			t.Fatal(err)
		}
		took = eventually(t, within, "the MyCase case's Box folder", func() bool { return boxFolderNamed(sb, "WH-1") })
		t.Logf("MyCase case %d → Box folder: %v", c.ID, took)
	})
	t.Run("smokeball", func(t *testing.T) {
		app := runPMS(t, core.Smokeball)
		sb := app.SandboxInstance()
		c, err := sb.Smokeball().CreateContact(smokeballfake.PersonInput{FirstName: "Webhook", LastName: "Person", Email: "hook.person@example.com", Cell: "(415) 555-0177"})
		if err != nil {
			t.Fatal(err)
		}
		took := eventually(t, within, "the Smokeball contact in Zoom", func() bool { return zoomHas(sb, "sb-"+c.ID) })
		t.Logf("Smokeball contact → Zoom contact: %v", took)
		m, err := sb.Smokeball().CreateMatter(smokeballfake.MatterInput{Number: "WH-1", Description: "Webhook lease", ClientIDs: []string{c.ID}})
		if err != nil {
			t.Fatal(err)
		}
		took = eventually(t, within, "the Smokeball matter's Box folder", func() bool { return boxFolderNamed(sb, "WH-1") })
		t.Logf("Smokeball matter → Box folder: %v", took)
		if _, err := sb.Smokeball().AddFile(m.ID, "Lease.pdf", []byte("the lease")); err != nil {
			t.Fatal(err)
		}
		took = eventually(t, within, "the Smokeball file in Box", func() bool {
			_, items, _ := sb.Box().Folder(sb.BoxRoot())
			for _, it := range items {
				if strings.Contains(it.Name, "WH-1") {
					_, files, _ := sb.Box().Folder(it.ID)
					for _, f := range files {
						if f.Name == "Lease.pdf" {
							return true
						}
					}
				}
			}
			return false
		})
		t.Logf("Smokeball file → Box: %v", took)
	})
}

// TestStrangersOnTheMyCaseAndSmokeballURLsAreRefused plays an outsider on
// the public receiver: unsigned, wrongly signed, stale, and a Smokeball
// delivery replayed with another body (Smokeball does not sign bodies) are
// all refused or taken once, and nothing runs for them.
func TestStrangersOnTheMyCaseAndSmokeballURLsAreRefused(t *testing.T) {
	sec := secrets.NewMemory()
	app := runPMSWith(t, core.Smokeball, sec)
	url := app.ReceiverURL()
	post := func(path string, hdr http.Header, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url+path, bytes.NewReader([]byte(body)))
		req.Header = hdr
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	body := `{"type":"contact.updated","payload":{"id":"00000000-0000-0000-0000-000000000001"},"timestamp":1}`
	now := strconv.FormatInt(smokeball.Ticks(time.Now()), 10)
	cases := []struct {
		name string
		path string
		hdr  http.Header
		want int
	}{
		{"smokeball unsigned", "/webhooks/smokeball", http.Header{}, http.StatusUnauthorized},
		{"smokeball made-up signature", "/webhooks/smokeball", http.Header{"Signature": {strings.Repeat("ab", 32)}, "Timestamp": {now}, "Requestid": {"r1"}}, http.StatusUnauthorized},
		{"smokeball stale", "/webhooks/smokeball", http.Header{"Signature": {strings.Repeat("ab", 32)},
			"Timestamp": {strconv.FormatInt(smokeball.Ticks(time.Now().Add(-time.Hour)), 10)}, "Requestid": {"r1"}}, http.StatusUnauthorized},
	}
	for _, c := range cases {
		if got := post(c.path, c.hdr, body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	// A genuine delivery's headers replayed with another body (Smokeball
	// signs only Timestamp|RequestId|ClientId): taken once, as one event.
	key, err := sec.Get(context.Background(), "smokeball/webhook_secret")
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]string
	if err := json.Unmarshal([]byte(key), &keys); err != nil || len(keys) != 1 {
		t.Fatalf("the Smokeball key in the keychain: %q (%v)", key, err)
	}
	for _, k := range keys {
		key = k
	}
	clientID := app.SandboxInstance().Info().Platforms[core.Smokeball].ClientID
	rid := "replayed-request"
	genuine := http.Header{"Signature": {smokeball.Sign(key, now, rid, clientID)}, "Timestamp": {now}, "Requestid": {rid}}
	before, _ := app.Store().WebhookEvents(1000)
	if got := post("/webhooks/smokeball", genuine.Clone(), body); got != http.StatusOK {
		t.Fatalf("a genuine delivery: status %d", got)
	}
	other := strings.Replace(body, "0001", "0002", 1)
	if got := post("/webhooks/smokeball", genuine.Clone(), other); got != http.StatusOK {
		t.Fatalf("the replay must be acknowledged (Smokeball would retry): status %d", got)
	}
	after, _ := app.Store().WebhookEvents(1000)
	if n := len(after) - len(before); n != 1 {
		t.Errorf("a genuine delivery and its replay with another body stored %d events, want 1", n)
	}
}

// TestStrangersOnTheMyCaseURLAreRefused: MyCase signs the body (the
// scheme is undocumented; Firmsync takes only a valid HMAC under one of
// its subscriptions' keys), so unsigned, made-up and tampered deliveries
// are refused and a genuine one is taken.
func TestStrangersOnTheMyCaseURLAreRefused(t *testing.T) {
	sec := secrets.NewMemory()
	app := runPMSWith(t, core.MyCase, sec)
	raw, err := sec.Get(context.Background(), "mycase/webhook_secret")
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]string
	if err := json.Unmarshal([]byte(raw), &keys); err != nil || len(keys) != 2 {
		t.Fatalf("MyCase subscription keys in the keychain: %d (%v), want one per model", len(keys), err)
	}
	var key string
	for _, k := range keys {
		key = k
	}
	body := `{"resource":"Client","action":"updated","resource_body":{"id":1}}`
	tampered := strings.Replace(body, `"id":1`, `"id":2`, 1)
	cases := []struct {
		name, body string
		hdr        http.Header
		want       int
	}{
		{"unsigned", body, http.Header{}, http.StatusUnauthorized},
		{"made-up signature", body, http.Header{mycase.SignatureHeader: {strings.Repeat("ab", 32)}}, http.StatusUnauthorized},
		{"tampered body", tampered, http.Header{mycase.SignatureHeader: {mycase.Sign(key, []byte(body))}}, http.StatusUnauthorized},
		{"genuine", body, http.Header{mycase.SignatureHeader: {mycase.Sign(key, []byte(body))}}, http.StatusOK},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, app.ReceiverURL()+"/webhooks/mycase", strings.NewReader(c.body))
		req.Header = c.hdr
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
}
