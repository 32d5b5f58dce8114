package core_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/secrets"
)

// lmGuideDelivery is one delivery as Lawmatics' outbound-webhooks guide
// describes it, built here from the guide alone (no Firmsync or fake code):
// the v1 envelope, and the three headers with "sha256=" + lowercase hex of
// HMAC-SHA256(whole whsec_ secret, "<timestamp>.<body>").
type lmGuideDelivery struct {
	eventID string
	body    []byte
}

func newLMGuideDelivery(t *testing.T, matterID string) lmGuideDelivery {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := "evt_" + hex.EncodeToString(b)
	if _, err := strconv.ParseInt(matterID, 10, 64); err != nil {
		t.Fatalf("prospect id %q is not a number", matterID)
	}
	body := fmt.Appendf(nil, `{"event_id":%q,"firm_id":%d,"event_type":"matter.converted","version":"v1","timestamp":%q,"data":{"matter_id":%s}}`,
		id, lawmaticsfake.FirmID, time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), matterID)
	return lmGuideDelivery{eventID: id, body: body}
}

// send posts d to the receiver, signed with secret at time at, and
// returns the status and Retry-After.
func (d lmGuideDelivery) send(t *testing.T, receiverURL, secret string, at time.Time) (int, string) {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(d.body)
	req, err := http.NewRequest(http.MethodPost, receiverURL+"/webhooks/lawmatics", bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Lawmatics-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	req.Header.Set("X-Lawmatics-Timestamp", ts)
	req.Header.Set("X-Lawmatics-Event-Id", d.eventID)
	client := &http.Client{Timeout: 10 * time.Second} // Lawmatics waits 10 s
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("delivering %s: %v", d.eventID, err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After")
}

// clioMattersNumbered returns the Clio matters whose number is number.
func clioMattersNumbered(app *core.App, number string) []clio.Matter {
	var out []clio.Matter
	for id := int64(1); id < 3000; id++ {
		if m, ok := app.SandboxInstance().Clio().Matter(id); ok && m.CustomNumber == number {
			out = append(out, m)
		}
	}
	return out
}

// awaitClioMatter waits up to within for the intake matter numbered number.
func awaitClioMatter(t *testing.T, app *core.App, number string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if ms := clioMattersNumbered(app, number); len(ms) > 0 {
			if len(ms) != 1 {
				t.Fatalf("%d Clio matters numbered %s, want 1", len(ms), number)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Clio matter numbered %s within %v", number, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hireQuietly hires a new prospect in the fake Lawmatics with its own
// webhook switched off, so the only delivery is the one the test builds.
func hireQuietly(t *testing.T, app *core.App, number string) string {
	t.Helper()
	lm := app.SandboxInstance().Lawmatics()
	lm.SetWebhookActive(false)
	defer lm.SetWebhookActive(true)
	p, err := lm.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Guide", LastName: "Hook " + number,
		Email: strings.ToLower(number) + "@example.com", CaseTitle: "Webhook intake " + number, CaseNumber: number, CaseType: "divorce_standard"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lm.Hire(p.ID); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// lawmaticsEventsWithKey counts stored Lawmatics events keyed by event id.
func lawmaticsEventsWithKey(t *testing.T, app *core.App, eventID string) int {
	t.Helper()
	evs, err := app.Store().WebhookEvents(0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Platform == core.Lawmatics && ev.DeliveryKey == "event:"+eventID {
			n++
		}
	}
	return n
}

// TestLawmaticsWebhookAsTheVendorGuideDescribes runs the always-on services
// on the sandbox and delivers matter.converted events built from
// Lawmatics' guide: accepted and turned into a Clio matter within 2 s;
// a redelivery of the same event_id acknowledged and ignored; forged and
// stale deliveries refused with a 4xx (which Lawmatics never retries); a
// delivery while Lawmatics is not connected answered 5xx and processed when
// it comes again after connecting; and the fake's own delivery, from a hire
// through the sandbox admin API, accepted end to end.
func TestLawmaticsWebhookAsTheVendorGuideDescribes(t *testing.T) {
	app, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory(),
		SandboxOptions: sandbox.Options{RateLimits: fastLimits()}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	// The secret as Lawmatics shows it ("whsec_…"), set before the App
	// first reads the sandbox's details.
	secret := app.SandboxInstance().Lawmatics().RegenerateSecret()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("signing secret %q does not start with whsec_", secret)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := app.Bus().Subscribe(events.RunFinished)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	<-app.Ready()
	settle(t, app, first)
	url := app.ReceiverURL()

	pid := hireQuietly(t, app, "LM-WH-A")
	d := newLMGuideDelivery(t, pid)
	t.Run("a delivery per the guide makes the Clio matter within 2 s", func(t *testing.T) {
		start := time.Now()
		if status, _ := d.send(t, url, secret, time.Now()); status != http.StatusOK {
			t.Fatalf("status %d, want 200", status)
		}
		awaitClioMatter(t, app, "LM-WH-A", 2*time.Second)
		t.Logf("matter.converted → Clio matter: %v", time.Since(start))
	})

	t.Run("the same event_id again is acknowledged and changes nothing", func(t *testing.T) {
		for _, at := range []time.Time{time.Now(), time.Now().Add(30 * time.Second)} { // as sent, and re-signed by a retry
			if status, _ := d.send(t, url, secret, at); status != http.StatusOK {
				t.Fatalf("redelivery: status %d, want 200 (Lawmatics is at-least-once)", status)
			}
		}
		time.Sleep(300 * time.Millisecond) // room for a wrong second run
		if n := lawmaticsEventsWithKey(t, app, d.eventID); n != 1 {
			t.Errorf("%d stored events for %s, want 1", n, d.eventID)
		}
		if ms := clioMattersNumbered(app, "LM-WH-A"); len(ms) != 1 {
			t.Errorf("%d Clio matters numbered LM-WH-A, want 1", len(ms))
		}
	})

	t.Run("forged and stale deliveries get a 4xx", func(t *testing.T) {
		pid := hireQuietly(t, app, "LM-WH-C")
		forged := newLMGuideDelivery(t, pid)
		tests := []struct {
			name   string
			secret string
			at     time.Time
		}{
			{"guessed secret", "whsec_guessed", time.Now()},
			{"secret without its whsec_ prefix", strings.TrimPrefix(secret, "whsec_"), time.Now()},
			{"six minutes old", secret, time.Now().Add(-6 * time.Minute)},
		}
		for _, tc := range tests {
			if status, _ := forged.send(t, url, tc.secret, tc.at); status < 400 || status > 499 || status == http.StatusTooManyRequests {
				t.Errorf("%s: status %d, want a 4xx other than 429", tc.name, status)
			}
		}
		if n := lawmaticsEventsWithKey(t, app, forged.eventID); n != 0 {
			t.Errorf("%d refused deliveries were stored", n)
		}
		if ms := clioMattersNumbered(app, "LM-WH-C"); len(ms) != 0 {
			t.Errorf("a refused delivery made a Clio matter: %+v", ms)
		}
	})

	t.Run("the fake's own delivery of a hire through the admin API", func(t *testing.T) {
		lm := app.SandboxInstance().Lawmatics()
		before := len(lm.Deliveries())
		p, err := lm.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Admin", LastName: "Hire", Email: "admin.hire@example.com",
			CaseTitle: "Admin hire", CaseNumber: "LM-WH-F", CaseType: "divorce_standard"})
		if err != nil {
			t.Fatal(err)
		}
		admin := app.SandboxInstance().Info().Admin
		if err := sandbox.Admin(context.Background(), admin, http.MethodPost, "/lawmatics/prospects/"+p.ID+"/hire", nil, nil); err != nil {
			t.Fatal(err)
		}
		actx, acancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer acancel()
		ds, err := lm.AwaitDeliveries(actx, before+1)
		if err != nil {
			t.Fatal(err)
		}
		got := ds[len(ds)-1]
		if !got.Delivered || got.StatusCode != http.StatusOK || got.Attempts != 1 {
			t.Fatalf("fake delivery %+v, want accepted at the first attempt", got)
		}
		awaitClioMatter(t, app, "LM-WH-F", 5*time.Second)
	})

	t.Run("a delivery before Lawmatics is connected gets 5xx and is processed when sent again", func(t *testing.T) {
		if err := app.Disconnect(context.Background(), core.Lawmatics); err != nil {
			t.Fatal(err)
		}
		pid := hireQuietly(t, app, "LM-WH-D")
		early := newLMGuideDelivery(t, pid)
		status, retryAfter := early.send(t, url, secret, time.Now())
		if status < 500 || status > 599 || retryAfter == "" {
			t.Fatalf("not connected: status %d, Retry-After %q; want 5xx with Retry-After so Lawmatics retries", status, retryAfter)
		}
		if n := lawmaticsEventsWithKey(t, app, early.eventID); n != 0 {
			t.Fatalf("%d events stored while not connected, want 0", n)
		}
		if _, err := app.Connect(context.Background(), core.Lawmatics, core.ConnectOptions{}); err != nil {
			t.Fatal(err)
		}
		// Lawmatics' next attempt: same body, a fresh timestamp.
		if status, _ := early.send(t, url, secret, time.Now()); status != http.StatusOK {
			t.Fatalf("after connecting: status %d, want 200", status)
		}
		awaitClioMatter(t, app, "LM-WH-D", 2*time.Second)
	})

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
