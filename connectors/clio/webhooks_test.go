package clio_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

// receiver is a webhook endpoint that does not echo the handshake, so the
// webhook stays pending until ActivateWebhook.
type receiver struct {
	mu   sync.Mutex // guards sigs and body
	sigs []string   // X-Hook-Signature of each POST
	body [][]byte   // raw body of each POST
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.sigs = append(rc.sigs, r.Header.Get(clio.SignatureHeader))
	rc.body = append(rc.body, b)
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func TestWebhookLifecycle(t *testing.T) {
	e := newEnv(t, cliofake.Options{AllowInsecureWebhooks: true}, clio.Options{})
	ctx := t.Context()
	rc := &receiver{}
	hookSrv := httptest.NewServer(rc)
	t.Cleanup(hookSrv.Close)

	expires := e.clk.Now().Add(7 * 24 * time.Hour)
	h, err := e.c.CreateWebhook(ctx, clio.WebhookCreate{URL: hookSrv.URL + "/clio", Model: "matter", Fields: "id,etag,status,display_number", Events: []string{"created", "updated"}, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == 0 || h.SharedSecret == "" || h.Status != "pending" || !h.ExpiresAt.Equal(expires.Truncate(time.Second)) || h.Model != "matter" {
		t.Fatalf("CreateWebhook = %+v", h)
	}
	if _, err := e.fake.AwaitDeliveries(ctx, 1); err != nil { // the handshake
		t.Fatal(err)
	}
	if err := e.c.ActivateWebhook(ctx, h.ID, "wrong"); err == nil {
		t.Fatal("activation with a wrong secret accepted")
	}
	if err := e.c.ActivateWebhook(ctx, h.ID, h.SharedSecret); err != nil {
		t.Fatal(err)
	}
	hooks, err := e.c.Webhooks(ctx)
	if err != nil || len(hooks) != 1 || hooks[0].ID != h.ID || hooks[0].Status != "enabled" || hooks[0].URL != h.URL {
		t.Fatalf("Webhooks = %+v, %v", hooks, err)
	}

	// A delivery verifies with the shared secret.
	if _, err := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.AwaitDeliveries(ctx, 2); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	sig, body := rc.sigs[len(rc.sigs)-1], rc.body[len(rc.body)-1]
	rc.mu.Unlock()
	if !clio.VerifySignature(h.SharedSecret, body, sig) || clio.VerifySignature("other", body, sig) {
		t.Fatalf("signature %q does not verify over %s", sig, body)
	}

	later := e.clk.Now().Add(30 * 24 * time.Hour)
	ext, err := e.c.ExtendWebhook(ctx, h.ID, later)
	if err != nil || !ext.ExpiresAt.Equal(later.Truncate(time.Second)) || ext.Status != "enabled" {
		t.Fatalf("ExtendWebhook = %+v, %v", ext, err)
	}
	if _, err := e.c.ExtendWebhook(ctx, h.ID, e.clk.Now().Add(40*24*time.Hour)); err == nil {
		t.Fatal("extension beyond 31 days accepted")
	}
	if err := e.c.DeleteWebhook(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteWebhook(ctx, h.ID); !errors.Is(err, clio.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if hooks, err := e.c.Webhooks(ctx); err != nil || len(hooks) != 0 {
		t.Fatalf("Webhooks after delete = %+v, %v", hooks, err)
	}
}

// A model may be named by its id (1 = matter); Clio answers the name. The
// matter status events are subscribable on their own.
func TestWebhookByModelIDDeliversMatterStatusEvents(t *testing.T) {
	e := newEnv(t, cliofake.Options{AllowInsecureWebhooks: true}, clio.Options{})
	ctx := t.Context()
	rc := &receiver{}
	hookSrv := httptest.NewServer(rc)
	t.Cleanup(hookSrv.Close)
	h, err := e.c.CreateWebhook(ctx, clio.WebhookCreate{URL: hookSrv.URL + "/clio", Model: "1", Fields: "id,status",
		Events: []string{"matter_opened", "matter_pended", "matter_closed"}})
	if err != nil {
		t.Fatal(err)
	}
	if h.Model != "matter" || len(h.Events) != 3 {
		t.Fatalf("CreateWebhook = %+v", h)
	}
	if _, err := e.fake.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.c.ActivateWebhook(ctx, h.ID, h.SharedSecret); err != nil {
		t.Fatal(err)
	}
	m, err := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.UpdateMatter(m.ID, cliofake.MatterPatch{Status: "Pending"}); err != nil {
		t.Fatal(err)
	}
	e.fake.Wait()
	rc.mu.Lock()
	bodies := rc.body[1:] // after the handshake
	rc.mu.Unlock()
	if len(bodies) != 1 {
		t.Fatalf("%d deliveries, want only matter_pended", len(bodies))
	}
	var d clio.WebhookDelivery
	if err := json.Unmarshal(bodies[0], &d); err != nil || d.Meta.Event != "matter_pended" || d.Meta.WebhookID != h.ID {
		t.Fatalf("delivery %s (%v)", bodies[0], err)
	}
}
