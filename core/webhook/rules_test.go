package webhook_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core/webhook"
)

// TestDeliveryRulesAsDocumented pins each platform's documented rule (the
// table beside each verifier) to the statuses it decides on.
func TestDeliveryRulesAsDocumented(t *testing.T) {
	tests := []struct {
		status                     int
		clio, zoom, box, lawmatics bool // retried?
	}{
		{200, false, false, false, false},
		{204, false, false, false, false},
		{302, false, false, true, true},
		{400, true, false, true, false},
		{401, true, false, true, false},
		{409, true, false, true, false},
		{410, false, false, true, false},
		{429, true, false, true, true},
		{500, true, true, true, true},
		{503, true, true, true, true},
		{0, true, true, true, true}, // timeout or network error
	}
	for _, p := range []string{"clio", "zoom", "box", "lawmatics"} {
		if rule, source := webhook.DeliveryRule(p); rule == "" || source == "" {
			t.Errorf("%s: no documented delivery rule", p)
		}
	}
	for _, tc := range tests {
		for p, want := range map[string]bool{"clio": tc.clio, "zoom": tc.zoom, "box": tc.box, "lawmatics": tc.lawmatics} {
			if got := webhook.DeliveryRetries(p, tc.status); got != want {
				t.Errorf("%s retries %d: %v, want %v", p, tc.status, got, want)
			}
		}
	}
}

// TestNotAcceptingNowIsRetriedThenProcessed: a verified delivery that
// arrives while Firmsync cannot take the platform's events (not connected)
// gets 503 + Retry-After, which every platform sends again, and nothing is
// stored; the same event sent again once accepted is stored and processed.
func TestNotAcceptingNowIsRetriedThenProcessed(t *testing.T) {
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			var accepting atomic.Bool
			var asked atomic.Int64
			h := newHarness(t, withOptions(func(o *webhook.Options) {
				o.Accepting = func(_ context.Context, platform string) error {
					asked.Add(1)
					if platform != p.name {
						t.Errorf("Accepting asked about %q on the %s route", platform, p.name)
					}
					if !accepting.Load() {
						return errors.New(platform + " is not connected")
					}
					return nil
				}
			}))
			body := p.event(1)
			res := h.post(t, p.path, body, p.sign(h, body))
			if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
				t.Fatalf("before connecting: status %d, Retry-After %q; want 503 with Retry-After", res.status, res.header.Get("Retry-After"))
			}
			if !deliveryRetries(p.name, res.status) {
				t.Errorf("%s would not send status %d again", p.name, res.status)
			}
			h.flush(t)
			h.noMoreProcessed(t)
			h.wantNothingStored(t)
			if got, want := h.r.Refused(), map[string]int64{p.name + ": not accepting events now": 1}; !maps.Equal(got, want) {
				t.Errorf("Refused() = %v, want %v", got, want)
			}

			// An unverifiable request never reaches Accepting: it learns
			// nothing about the connection and gets the usual 4xx.
			n := asked.Load()
			if res := h.post(t, p.path, body, nil); res.status < 400 || res.status > 499 {
				t.Errorf("unsigned while not accepting: status %d, want 4xx", res.status)
			}
			if asked.Load() != n {
				t.Error("Accepting was asked about an unverified delivery")
			}

			accepting.Store(true)
			h.setNow(h.now().Add(time.Minute)) // the platform's retry, signed anew
			res = h.post(t, p.path, body, p.sign(h, body))
			if res.status != http.StatusOK {
				t.Fatalf("after connecting: status %d, want 200 (%s)", res.status, res.body)
			}
			ev := h.awaitProcessed(t)
			if ev.Platform != p.name || ev.Type != p.typ || ev.Resource != p.resource(1) {
				t.Errorf("processed %s %s %s, want %s %s %s", ev.Platform, ev.Type, ev.Resource, p.name, p.typ, p.resource(1))
			}
		})
	}
}

// TestSecretNotConfiguredIsRetried: before the user pastes a platform's
// signing secret, deliveries get 503 + Retry-After, which Zoom, Box and
// Lawmatics all send again, never a 4xx that Zoom and Lawmatics would drop.
func TestSecretNotConfiguredIsRetried(t *testing.T) {
	tests := []struct {
		platform string
		clear    func(k *fakeKeys)
		reason   string
	}{
		{"zoom", func(k *fakeKeys) { k.zoom = "" }, "no Zoom secret token configured"},
		{"box", func(k *fakeKeys) { k.boxP, k.boxS = "", "" }, "no Box signature keys configured"},
		{"lawmatics", func(k *fakeKeys) { k.lawmatics = "" }, "no Lawmatics signing secret configured"},
	}
	for _, tc := range tests {
		t.Run(tc.platform, func(t *testing.T) {
			h := newHarness(t)
			var p platform
			for _, q := range platforms {
				if q.name == tc.platform {
					p = q
				}
			}
			body := p.event(1)
			hdr := p.sign(h, body) // signed with the secret Firmsync does not have yet
			h.keys.mu.Lock()
			tc.clear(h.keys)
			h.keys.mu.Unlock()
			res := h.post(t, p.path, body, hdr)
			h.wantRefused(t, res, http.StatusServiceUnavailable, tc.platform+": "+tc.reason)
			if res.header.Get("Retry-After") == "" || !deliveryRetries(tc.platform, res.status) {
				t.Errorf("status %d, Retry-After %q: %s would not send it again", res.status, res.header.Get("Retry-After"), tc.platform)
			}
		})
	}
}

// TestStoreErrorIsRetried: an event Firmsync cannot store is answered 503
// + Retry-After, so the platform sends it again.
func TestStoreErrorIsRetried(t *testing.T) {
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			h := newHarness(t)
			if err := h.st.Close(); err != nil { // every later store call fails
				t.Fatal(err)
			}
			body := p.event(1)
			res := h.post(t, p.path, body, p.sign(h, body))
			if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
				t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", res.status, res.header.Get("Retry-After"))
			}
			if !deliveryRetries(p.name, res.status) {
				t.Errorf("%s would not send status %d again", p.name, res.status)
			}
			if got, want := h.r.Refused(), map[string]int64{p.name + ": could not store the event": 1}; !maps.Equal(got, want) {
				t.Errorf("Refused() = %v, want %v", got, want)
			}
			if n := h.r.Stored(); n != 0 {
				t.Errorf("Stored() = %d, want 0", n)
			}
		})
	}
}

// TestRefusalsNeverDisableAClioWebhook: Clio disables a webhook on 410 and
// suspends it after repeated failures; no answer to a Clio delivery may be
// a 410, and a replay (the one case Clio may resend an accepted delivery)
// gets a 2xx.
func TestRefusalsNeverDisableAClioWebhook(t *testing.T) {
	h := newHarness(t)
	body := clioEvent(1)
	sends := []struct {
		hdr  http.Header
		body []byte
	}{
		{clioHeaders(clioSecrets[1], body), body},
		{clioHeaders(clioSecrets[1], body), body},
		{clioHeaders("guessed", body), body},
		{nil, body},
		{clioHeaders(clioSecrets[1], []byte(`{`)), []byte(`{`)},
		{http.Header{"X-Hook-Secret": {"hs"}}, []byte(`{"data":{"webhook_id":1}}`)},
	}
	for i, s := range sends {
		res := h.post(t, "/webhooks/clio", s.body, s.hdr)
		if res.status == http.StatusGone {
			t.Errorf("send %d: 410 would disable the Clio webhook", i)
		}
		if i == 1 && res.status != http.StatusOK {
			t.Errorf("replay: status %s, want 200", strconv.Itoa(res.status))
		}
	}
}
