package smokeball_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

func TestWebhookLifecycle(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	sink := newSink(t)
	h, err := e.c.CreateWebhook(t.Context(), "firmsync", sink.srv.URL+"/hook", "s3cret", []string{"contact.created", "matter.created"})
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == "" || h.Key != "s3cret" || h.EventNotificationURL != sink.srv.URL+"/hook" || h.CreatedDateUtc.IsZero() || len(h.EventTypes) != 2 {
		t.Fatalf("created %+v", h)
	}
	list, err := e.c.Webhooks(t.Context())
	if err != nil || len(list) != 1 || list[0].ID != h.ID || list[0].Key != "" {
		t.Fatalf("listed %+v %v (the key must not come back)", list, err)
	}
	if _, err := e.c.CreateWebhook(t.Context(), "bad", sink.srv.URL, "", []string{"contact.exploded"}); httpx.StatusOf(err) != http.StatusBadRequest {
		t.Fatalf("unknown event type: %v", err)
	}
	if err := e.c.DeleteWebhook(t.Context(), h.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteWebhook(t.Context(), h.ID); !errors.Is(err, smokeball.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestWebhookDeliveryIsSignedAndEchoesRequestId(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{ClientID: "lou1qnn0llav95"}, smokeball.Options{})
	sink := newSink(t)
	if _, err := e.c.CreateWebhook(t.Context(), "firmsync", sink.srv.URL, "ei7641529ue420n8b9aa", []string{"contact.created"}); err != nil {
		t.Fatal(err)
	}
	const rid = "38583489-09c4-49ef-b58c-ef1b34208cca"
	status, _, body := e.raw("POST", "/contacts", map[string]any{"person": map[string]any{"firstName": "Hal"}}, http.Header{"RequestId": {rid}})
	if status != 202 {
		t.Fatalf("%d %s", status, body)
	}
	d, ev := e.awaitEvent(sink, "contact.created")
	if d.Header.Get("RequestId") != rid || !smokeball.VerifySignature("ei7641529ue420n8b9aa", "lou1qnn0llav95", d.Header) {
		t.Fatalf("headers %v", d.Header)
	}
	ts, _ := strconv.ParseInt(d.Header.Get("Timestamp"), 10, 64)
	acct, _ := e.fake.Firm()
	if ev.Timestamp != ts || ev.AccountID != acct || ev.UserID != e.fake.UserID() || ev.Source != "API" || ev.ID == "" || ev.SubscriptionID == "" {
		t.Fatalf("event %+v", ev)
	}
	if smokeball.VerifySignature("other-key", "lou1qnn0llav95", d.Header) || smokeball.VerifySignature("ei7641529ue420n8b9aa", "other-client", d.Header) {
		t.Fatal("a wrong key or client id verified")
	}
	// UI changes are delivered too.
	c, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Ida"})
	e.fake.Wait()
	found := false
	for _, d := range sink.all() {
		if ev, _ := smokeball.ParseEvent(d.Body); ev.ID == c.ID && ev.Source == "UI" {
			found = smokeball.VerifySignature("ei7641529ue420n8b9aa", "lou1qnn0llav95", d.Header)
		}
	}
	if !found {
		t.Fatal("no signed delivery for the UI-created contact")
	}
}

func TestSubscriptionsDieWithTheRefreshToken(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	sink := newSink(t)
	if _, err := e.c.CreateWebhook(t.Context(), "x", sink.srv.URL, "", []string{"matter.updated"}); err != nil {
		t.Fatal(err)
	}
	e.fake.ExpireRefreshTokens()
	if len(e.fake.Webhooks()) != 0 {
		t.Fatalf("subscriptions survived: %+v", e.fake.Webhooks())
	}
}
