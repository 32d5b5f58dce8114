package core_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// postClio sends body to the receiver's Clio route with extra headers.
func postClio(t *testing.T, app *core.App, body []byte, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, app.ReceiverURL()+"/webhooks/clio", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func hookSig(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// TestForgedClioHandshakeCannotPlantASecret is the attack on the handshake:
// right after Firmsync created a Clio webhook (when a handshake is
// expected), a stranger on the webhook URL sends handshakes with the real
// webhook id and a secret of its own, and with an id Firmsync never
// created. Neither secret is echoed or stored, the foreign id costs no
// Clio call and the real id at most one a minute, events signed with the
// planted secrets are refused, and the real secret keeps verifying.
// Clio's own handshake (its id, its secret) is still confirmed.
func TestForgedClioHandshakeCannotPlantASecret(t *testing.T) {
	sec := secrets.NewMemory()
	app := openFastSandboxApp(t, t.TempDir(), sec)
	defer app.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	defer func() { cancel(); <-done }()
	<-app.Ready()
	sb := app.SandboxInstance()
	hook := func(model string) (clio.Webhook, bool) {
		for _, h := range sb.Clio().Webhooks() {
			if h.Model == model {
				return h, true
			}
		}
		return clio.Webhook{}, false
	}
	waitHook := func(model string, cond func(clio.Webhook) bool) clio.Webhook {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			if h, ok := hook(model); ok && cond(h) {
				return h
			}
			if time.Now().After(deadline) {
				h, _ := hook(model)
				t.Fatalf("the %s hook never got there: %+v", model, h)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	old := waitHook("matter", func(h clio.Webhook) bool { return h.Status == "enabled" })

	// A missing hook: upkeep creates a new one, and Clio's handshake for
	// it follows at once.
	info := sb.Info().Platforms["clio"]
	c := clio.New(clio.Options{APIBase: info.APIBase, OAuthBase: info.OAuthBase, Auth: staticAuth(info.Token)})
	if err := c.DeleteWebhook(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	if err := app.UpkeepWebhooks(ctx); err != nil && !strings.Contains(err.Error(), "zoom") {
		t.Fatal(err)
	}
	real := waitHook("matter", func(h clio.Webhook) bool { return h.ID != old.ID && h.Status == "enabled" })
	confirmed := false
	for _, d := range sb.Clio().Deliveries() {
		if d.WebhookID == real.ID && d.Event == "handshake" && d.Status == http.StatusOK {
			confirmed = true
		}
	}
	if !confirmed {
		t.Errorf("Clio's own handshake for the new webhook was not confirmed: %+v", sb.Clio().Deliveries())
	}

	// The attack, within seconds of the creation.
	checksBefore := app.ClioHandshakeChecksForTest()
	handshake := func(id int64, secret string) *http.Response {
		return postClio(t, app, fmt.Appendf(nil, `{"data":{"webhook_id":%d}}`, id), map[string]string{"X-Hook-Secret": secret})
	}
	attacks := []struct {
		name   string
		id     int64
		secret string
	}{
		{"our webhook id, the attacker's secret", real.ID, "planted-for-real-id"},
		{"again at once", real.ID, "planted-for-real-id-2"},
		{"an id Firmsync never created", 987654, "planted-for-foreign-id"},
	}
	for _, a := range attacks {
		res := handshake(a.id, a.secret)
		if res.StatusCode != http.StatusForbidden || res.Header.Get("X-Hook-Secret") != "" {
			t.Errorf("%s: status %d, echoed %q; want 403 without echo", a.name, res.StatusCode, res.Header.Get("X-Hook-Secret"))
		}
	}
	// Clio was asked once, for the real id (it refused the secret); the
	// repeat within the minute and the foreign id cost nothing.
	if n := app.ClioHandshakeChecksForTest() - checksBefore; n != 1 {
		t.Errorf("%d Clio calls for three forged handshakes, want 1", n)
	}
	stored, err := sec.Get(ctx, "clio/webhook_secret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "planted") || !strings.Contains(stored, real.SharedSecret) {
		t.Errorf("stored Clio secrets %s: want Clio's secret and nothing planted", stored)
	}
	if h, _ := hook("matter"); h.Status != "enabled" || h.SharedSecret != real.SharedSecret {
		t.Errorf("the real hook is now %+v", h)
	}

	// Events signed with a planted secret are refused; the real secret
	// still verifies.
	body := fmt.Appendf(nil, `{"data":{"id":424242,"etag":"\"1\""},"meta":{"event":"updated","webhook_id":%d}}`, real.ID)
	for _, s := range []string{"planted-for-real-id", "planted-for-foreign-id"} {
		if res := postClio(t, app, body, map[string]string{"X-Hook-Signature": hookSig(s, body)}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("event signed with %q: status %d, want 401", s, res.StatusCode)
		}
	}
	if res := postClio(t, app, body, map[string]string{"X-Hook-Signature": hookSig(real.SharedSecret, body)}); res.StatusCode != http.StatusOK {
		t.Errorf("event signed with Clio's secret: status %d, want 200", res.StatusCode)
	}
	before := len(sb.Clio().Deliveries())
	m, err := sb.Clio().CreateMatter(cliofake.MatterInput{Description: "Okafor — Estate", Status: "Open"})
	if err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	for {
		ds, err := sb.Clio().AwaitDeliveries(dctx, before+1)
		if err != nil {
			t.Fatalf("Clio's delivery of matter %d never came: %v", m.ID, err)
		}
		d := ds[len(ds)-1]
		if d.WebhookID == real.ID && d.Event == "created" {
			if d.Status != http.StatusOK {
				t.Errorf("Clio's real delivery answered %d, want 200", d.Status)
			}
			break
		}
		before = len(ds)
	}

	// Clio's handshake, sent again by Clio (its id, its secret), is still
	// confirmed, from the secret Clio gave, without a Clio call.
	checksBefore = app.ClioHandshakeChecksForTest()
	if res := handshake(real.ID, real.SharedSecret); res.StatusCode != http.StatusOK || res.Header.Get("X-Hook-Secret") != real.SharedSecret {
		t.Errorf("Clio's handshake: status %d, echo %q; want 200 echoing the secret", res.StatusCode, res.Header.Get("X-Hook-Secret"))
	}
	if n := app.ClioHandshakeChecksForTest() - checksBefore; n != 0 {
		t.Errorf("Clio's own handshake cost %d Clio calls, want 0", n)
	}
}
