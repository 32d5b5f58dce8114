package webhook_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/webhook"
)

// wantRefused checks res has status, the only refusal counted is key,
// and nothing was stored or processed.
func (h *harness) wantRefused(t *testing.T, res response, status int, key string) {
	t.Helper()
	if res.status != status {
		t.Errorf("status %d, want %d (%s)", res.status, status, res.body)
	}
	h.flush(t)
	h.noMoreProcessed(t)
	h.wantNothingStored(t)
	want := map[string]int64{key: 1}
	if got := h.r.Refused(); !maps.Equal(got, want) {
		t.Errorf("Refused() = %v, want %v", got, want)
	}
}

// wantReplayAcked checks the first delivery was stored and processed
// once and the replay answered 200 (the event is already stored: any
// other answer makes the platform retry, and Clio counts it towards
// suspending the webhook) without a second row or Process call.
func (h *harness) wantReplayAcked(t *testing.T, first, replay response, platform string) {
	t.Helper()
	if first.status != http.StatusOK {
		t.Fatalf("first delivery: status %d, want 200 (%s)", first.status, first.body)
	}
	if replay.status != http.StatusOK {
		t.Errorf("replay: status %d, want 200 (%s)", replay.status, replay.body)
	}
	if deliveryRetries(platform, replay.status) {
		t.Errorf("replay: %s would send status %d again", platform, replay.status)
	}
	ev := h.awaitProcessed(t)
	h.flush(t)
	h.noMoreProcessed(t)
	evs := h.stored(t)
	if len(evs) != 1 || evs[0].ID != ev.ID || !evs[0].Processed || evs[0].Attempts != 1 {
		t.Errorf("store after replay: %+v, want only the first delivery, processed once", evs)
	}
	if n := h.callCount(ev.ID); n != 1 {
		t.Errorf("Process called %d times, want 1", n)
	}
	if got := h.r.Refused(); len(got) != 0 {
		t.Errorf("Refused() = %v, want none", got)
	}
	if n := h.r.Replayed(); n != 1 {
		t.Errorf("Replayed() = %d, want 1", n)
	}
}

// deliveryRetries is the platform's documented retry rule.
func deliveryRetries(platform string, status int) bool {
	return webhook.DeliveryRetries(platform, status)
}

func TestClioHandshake(t *testing.T) {
	tests := []struct {
		name      string
		inFlight  map[string]string // webhook id -> secret Keys expects
		body      string
		secret    string
		want      int
		wantEcho  bool
		wantRefus map[string]int64
	}{
		{"expected creation", map[string]string{"91": "hs-1"}, `{"data":{"webhook_id":91}}`, "hs-1", 200, true, map[string]int64{}},
		{"id given as data.id", map[string]string{"92": "hs-2"}, `{"data":{"id":92}}`, "hs-2", 200, true, map[string]int64{}},
		{"no creation in flight", nil, `{"data":{"webhook_id":91}}`, "hs-1", 403, false, map[string]int64{"clio: unexpected handshake": 1}},
		{"wrong secret", map[string]string{"91": "hs-1"}, `{"data":{"webhook_id":91}}`, "hs-guess", 403, false, map[string]int64{"clio: unexpected handshake": 1}},
		{"other webhook", map[string]string{"91": "hs-1"}, `{"data":{"webhook_id":90}}`, "hs-1", 403, false, map[string]int64{"clio: unexpected handshake": 1}},
		{"no body", map[string]string{"91": "hs-1"}, ``, "hs-1", 403, false, map[string]int64{"clio: unexpected handshake": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			for id, s := range tc.inFlight {
				h.keys.expectHandshake(id, s)
			}
			res := h.post(t, "/webhooks/clio", []byte(tc.body), http.Header{"X-Hook-Secret": {tc.secret}})
			if res.status != tc.want {
				t.Errorf("status %d, want %d", res.status, tc.want)
			}
			echo := res.header.Get("X-Hook-Secret")
			if tc.wantEcho && echo != tc.secret {
				t.Errorf("X-Hook-Secret echoed %q, want %q", echo, tc.secret)
			}
			if !tc.wantEcho && echo != "" {
				t.Errorf("refused handshake echoed X-Hook-Secret %q", echo)
			}
			h.flush(t)
			h.noMoreProcessed(t)
			h.wantNothingStored(t)
			if got := h.r.Refused(); !maps.Equal(got, tc.wantRefus) {
				t.Errorf("Refused() = %v, want %v", got, tc.wantRefus)
			}
		})
	}
}

func TestClioSignedDeliveryIsStoredAndProcessedOnce(t *testing.T) {
	unknownHook := []byte(`{"data":{"id":4242},"meta":{"event":"deleted","webhook_id":5}}`)
	tests := []struct {
		name     string
		body     []byte
		sig      func(body []byte) string
		typ      string
		resource string
	}{
		{"oldest secret", clioEvent(1), func(b []byte) string { return clioSignature(clioSecrets[0], b) }, "matter.updated", "1001"},
		{"current secret", clioEvent(1), func(b []byte) string { return clioSignature(clioSecrets[1], b) }, "matter.updated", "1001"},
		{"newest secret", clioEvent(1), func(b []byte) string { return clioSignature(clioSecrets[2], b) }, "matter.updated", "1001"},
		{"uppercase hex", clioEvent(2), func(b []byte) string { return strings.ToUpper(clioSignature(clioSecrets[1], b)) }, "matter.updated", "1002"},
		{"unregistered webhook", unknownHook, func(b []byte) string { return clioSignature(clioSecrets[1], b) }, "clio.deleted", "4242"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.post(t, "/webhooks/clio", tc.body, http.Header{"X-Hook-Signature": {tc.sig(tc.body)}})
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
			}
			h.wantOneProcessed(t, "clio", tc.typ, tc.resource, tc.body)
		})
	}
}

func TestClioRefusesUnverifiedDeliveries(t *testing.T) {
	body := clioEvent(1)
	tests := []struct {
		name   string
		sig    string
		reason string
	}{
		{"unsigned", "", "unsigned"},
		{"forged with a guessed secret", clioSignature("guessed", body), "bad signature"},
		{"signature of another body", clioSignature(clioSecrets[1], clioEvent(2)), "bad signature"},
		{"not hex", strings.Repeat("zz", 32), "bad signature"},
		{"truncated", clioSignature(clioSecrets[1], body)[:40], "bad signature"},
		{"Zoom-style prefix", "v0=" + clioSignature(clioSecrets[1], body), "bad signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.post(t, "/webhooks/clio", body, http.Header{"X-Hook-Signature": {tc.sig}})
			h.wantRefused(t, res, http.StatusUnauthorized, "clio: "+tc.reason)
		})
	}
}

func TestClioReplayIsAcknowledgedOnce(t *testing.T) {
	body := clioEvent(1)
	sig := clioSignature(clioSecrets[1], body)
	tests := []struct {
		name      string
		replaySig string
	}{
		{"identical delivery", sig},
		{"signature in uppercase", strings.ToUpper(sig)},
		{"signature in mixed case", strings.ToUpper(sig[:7]) + sig[7:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			first := h.post(t, "/webhooks/clio", body, http.Header{"X-Hook-Signature": {sig}})
			replay := h.post(t, "/webhooks/clio", body, http.Header{"X-Hook-Signature": {tc.replaySig}})
			h.wantReplayAcked(t, first, replay, "clio")
		})
	}
}

func TestZoomURLValidation(t *testing.T) {
	body := []byte(`{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`)
	t.Run("signed", func(t *testing.T) {
		h := newHarness(t)
		res := h.post(t, "/webhooks/zoom", body, zoomHeaders(zoomSecret, h.now(), body))
		if res.status != http.StatusOK {
			t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
		}
		if ct := res.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q, want application/json", ct)
		}
		var got map[string]string
		if err := json.Unmarshal(res.body, &got); err != nil {
			t.Fatalf("reply %q: %v", res.body, err)
		}
		want := map[string]string{
			"plainToken":     "qgg8vlvZRS6UYooatFL8Aw",
			"encryptedToken": zoom.URLValidationToken(zoomSecret, "qgg8vlvZRS6UYooatFL8Aw"),
		}
		if !maps.Equal(got, want) {
			t.Errorf("reply %v, want %v", got, want)
		}
		h.flush(t)
		h.noMoreProcessed(t)
		h.wantNothingStored(t)
		if got := h.r.Refused(); len(got) != 0 {
			t.Errorf("Refused() = %v, want none", got)
		}
	})
	refusals := []struct {
		name   string
		hdr    func(h *harness) http.Header
		reason string
	}{
		{"unsigned", func(*harness) http.Header { return nil }, "unsigned"},
		{"forged", func(h *harness) http.Header { return zoomHeaders("guessed", h.now(), body) }, "bad signature"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.post(t, "/webhooks/zoom", body, tc.hdr(h))
			if strings.Contains(string(res.body), "encryptedToken") {
				t.Errorf("refused validation answered the challenge: %s", res.body)
			}
			h.wantRefused(t, res, http.StatusUnauthorized, "zoom: "+tc.reason)
		})
	}
}

func TestZoomSignedEventIsStoredAndProcessedOnce(t *testing.T) {
	meeting := []byte(`{"event":"meeting.ended","payload":{"object":{"id":85746065432}}}`)
	tests := []struct {
		name     string
		body     []byte
		age      time.Duration
		typ      string
		resource string
	}{
		{"recording.completed", zoomEvent(4), 0, "recording.completed", "rec-4=="},
		{"object without uuid", meeting, 0, "meeting.ended", "85746065432"},
		{"summary names its meeting", []byte(`{"event":"meeting.summary_completed","event_ts":1741082400000,"payload":{"account_id":"acc","object":{"meeting_id":85746065432,"meeting_uuid":"sum-1==","summary_title":"t"}}}`), 0, "meeting.summary_completed", "sum-1=="},
		{"just inside the window", zoomEvent(5), 5*time.Minute - time.Second, "recording.completed", "rec-5=="},
		{"clock slightly behind Zoom", zoomEvent(6), -time.Minute, "recording.completed", "rec-6=="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.post(t, "/webhooks/zoom", tc.body, zoomHeaders(zoomSecret, h.now().Add(-tc.age), tc.body))
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
			}
			h.wantOneProcessed(t, "zoom", tc.typ, tc.resource, tc.body)
		})
	}
}

func TestZoomRefusesUnverifiedDeliveries(t *testing.T) {
	body := zoomEvent(1)
	tests := []struct {
		name   string
		window time.Duration // Options.ZoomWindow; 0 is the default 5 minutes
		hdr    func(h *harness) http.Header
		reason string
	}{
		{"unsigned", 0, func(*harness) http.Header { return nil }, "unsigned"},
		{"no timestamp", 0, func(h *harness) http.Header {
			hdr := zoomHeaders(zoomSecret, h.now(), body)
			hdr.Del(zoom.HeaderRequestTimestamp)
			return hdr
		}, "unsigned"},
		{"forged", 0, func(h *harness) http.Header { return zoomHeaders("guessed", h.now(), body) }, "bad signature"},
		{"signature of another body", 0, func(h *harness) http.Header { return zoomHeaders(zoomSecret, h.now(), zoomEvent(2)) }, "bad signature"},
		{"timestamp swapped after signing", 0, func(h *harness) http.Header {
			hdr := zoomHeaders(zoomSecret, h.now(), body)
			hdr.Set(zoom.HeaderRequestTimestamp, strconv.FormatInt(h.now().Unix()-1, 10))
			return hdr
		}, "bad signature"},
		{"stale", 0, func(h *harness) http.Header {
			return zoomHeaders(zoomSecret, h.now().Add(-5*time.Minute-time.Second), body)
		}, "stale timestamp"},
		{"far future", 0, func(h *harness) http.Header { return zoomHeaders(zoomSecret, h.now().Add(6*time.Minute), body) }, "stale timestamp"},
		{"older than a custom window", time.Minute, func(h *harness) http.Header { return zoomHeaders(zoomSecret, h.now().Add(-2*time.Minute), body) }, "stale timestamp"},
		{"timestamp in milliseconds", 0, func(h *harness) http.Header {
			ts := strconv.FormatInt(h.now().UnixMilli(), 10)
			hdr := http.Header{}
			hdr.Set(zoom.HeaderRequestTimestamp, ts)
			hdr.Set(zoom.HeaderSignature, zoom.Sign(zoomSecret, ts, body))
			return hdr
		}, "stale timestamp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withOptions(func(o *webhook.Options) { o.ZoomWindow = tc.window }))
			res := h.post(t, "/webhooks/zoom", body, tc.hdr(h))
			h.wantRefused(t, res, http.StatusUnauthorized, "zoom: "+tc.reason)
		})
	}
}

func TestZoomReplayIsAcknowledgedOnce(t *testing.T) {
	h := newHarness(t)
	body := zoomEvent(1)
	hdr := zoomHeaders(zoomSecret, h.now(), body)
	first := h.post(t, "/webhooks/zoom", body, hdr)
	h.setNow(h.now().Add(time.Minute)) // still inside the window
	replay := h.post(t, "/webhooks/zoom", body, hdr)
	h.wantReplayAcked(t, first, replay, "zoom")
}

// TestZoomRetrySignedAnewIsAcknowledgedOnce: Zoom signs every retry with a
// fresh timestamp, so the signature differs; the event is still the same.
func TestZoomRetrySignedAnewIsAcknowledgedOnce(t *testing.T) {
	h := newHarness(t)
	body := zoomEvent(1)
	first := h.post(t, "/webhooks/zoom", body, zoomHeaders(zoomSecret, h.now(), body))
	h.setNow(h.now().Add(time.Minute))
	retry := h.post(t, "/webhooks/zoom", body, zoomHeaders(zoomSecret, h.now(), body))
	h.wantReplayAcked(t, first, retry, "zoom")
}

func TestBoxSignedDeliveryIsStoredAndProcessedOnce(t *testing.T) {
	const rotated = "box-primary-after-rotation"
	tests := []struct {
		name       string
		keys       [2]string // the app's keys when the delivery arrives
		sigP, sigS string    // keys Box signed with; empty leaves the header out
		age        time.Duration
	}{
		{"both signatures", [2]string{boxPrimary, boxSecondary}, boxPrimary, boxSecondary, 0},
		{"primary only", [2]string{boxPrimary, boxSecondary}, boxPrimary, "", 0},
		{"secondary only after a key rotation", [2]string{rotated, boxSecondary}, "", boxSecondary, 0},
		{"stale primary after a key rotation", [2]string{rotated, boxSecondary}, boxPrimary, boxSecondary, 0},
		{"only a secondary key configured", [2]string{"", boxSecondary}, "", boxSecondary, 0},
		{"nine minutes old", [2]string{boxPrimary, boxSecondary}, boxPrimary, boxSecondary, 9 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.keys.setBoxKeys(tc.keys[0], tc.keys[1])
			body := boxEvent(1)
			res := h.post(t, "/webhooks/box", body, boxHeaders("d-1", h.now().Add(-tc.age), tc.sigP, tc.sigS, body))
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
			}
			h.wantOneProcessed(t, "box", "FILE.UPLOADED", "file:5001", body)
		})
	}
}

func TestBoxRefusesUnverifiedDeliveries(t *testing.T) {
	body := boxEvent(1)
	signed := func(h *harness) http.Header { return boxHeaders("d-1", h.now(), boxPrimary, boxSecondary, body) }
	tests := []struct {
		name   string
		keys   [2]string
		hdr    func(h *harness) http.Header
		status int
		reason string
	}{
		{"both signatures missing", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			return boxHeaders("d-1", h.now(), "", "", body)
		}, 401, "unsigned"},
		{"forged", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			return boxHeaders("d-1", h.now(), "guess-1", "guess-2", body)
		}, 401, "bad or stale signature"},
		{"signatures in swapped headers", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			return boxHeaders("d-1", h.now(), boxSecondary, boxPrimary, body)
		}, 401, "bad or stale signature"},
		{"signature of another body", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			return boxHeaders("d-1", h.now(), boxPrimary, boxSecondary, boxEvent(2))
		}, 401, "bad or stale signature"},
		{"stale", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			return boxHeaders("d-1", h.now().Add(-10*time.Minute-time.Second), boxPrimary, boxSecondary, body)
		}, 401, "bad or stale signature"},
		{"far future", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			return boxHeaders("d-1", h.now().Add(6*time.Minute), boxPrimary, boxSecondary, body)
		}, 401, "bad or stale signature"},
		{"wrong version", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			hdr := signed(h)
			hdr.Set(box.HeaderSignatureVersion, "2")
			return hdr
		}, 401, "bad or stale signature"},
		{"no version", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			hdr := signed(h)
			hdr.Del(box.HeaderSignatureVersion)
			return hdr
		}, 401, "bad or stale signature"},
		{"wrong algorithm", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			hdr := signed(h)
			hdr.Set(box.HeaderSignatureAlgorithm, "HmacSHA1")
			return hdr
		}, 401, "bad or stale signature"},
		{"timestamp not RFC 3339", [2]string{boxPrimary, boxSecondary}, func(h *harness) http.Header {
			ts := strconv.FormatInt(h.now().Unix(), 10)
			hdr := signed(h)
			hdr.Set(box.HeaderDeliveryTimestamp, ts)
			hdr.Set(box.HeaderSignaturePrimary, box.Sign(boxPrimary, body, ts))
			hdr.Del(box.HeaderSignatureSecondary)
			return hdr
		}, 401, "bad or stale signature"},
		{"signed with a key no longer configured", [2]string{"new-primary", "new-secondary"}, signed, 401, "bad or stale signature"},
		{"no keys configured", [2]string{"", ""}, signed, 503, "no Box signature keys configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.keys.setBoxKeys(tc.keys[0], tc.keys[1])
			res := h.post(t, "/webhooks/box", body, tc.hdr(h))
			h.wantRefused(t, res, tc.status, "box: "+tc.reason)
		})
	}
}

func TestBoxReplayIsAcknowledgedOnce(t *testing.T) {
	tests := []struct {
		name   string
		replay func(hdr http.Header)
	}{
		{"same BOX-DELIVERY-ID", func(http.Header) {}},
		{"new BOX-DELIVERY-ID", func(hdr http.Header) { hdr.Set(box.HeaderDeliveryID, "attacker-chosen") }},
		{"no BOX-DELIVERY-ID", func(hdr http.Header) { hdr.Del(box.HeaderDeliveryID) }},
		{"secondary signature dropped", func(hdr http.Header) {
			hdr.Del(box.HeaderSignatureSecondary)
			hdr.Set(box.HeaderDeliveryID, "attacker-chosen")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			body := boxEvent(1)
			hdr := boxHeaders("d-1", h.now(), boxPrimary, boxSecondary, body)
			first := h.post(t, "/webhooks/box", body, hdr)
			tc.replay(hdr)
			h.setNow(h.now().Add(time.Minute))
			replay := h.post(t, "/webhooks/box", body, hdr)
			h.wantReplayAcked(t, first, replay, "box")
		})
	}
}

func TestBoxRetryWithANewTimestampIsAcknowledgedOnce(t *testing.T) {
	h := newHarness(t)
	body := boxEvent(1)
	first := h.post(t, "/webhooks/box", body, boxHeaders("d-1", h.now(), boxPrimary, boxSecondary, body))
	h.setNow(h.now().Add(30 * time.Second))
	retry := h.post(t, "/webhooks/box", body, boxHeaders("d-1", h.now(), boxPrimary, boxSecondary, body))
	h.wantReplayAcked(t, first, retry, "box")
}

func TestLawmaticsSignedEventIsStoredAndProcessedOnce(t *testing.T) {
	stringID := []byte(`{"event_id":"evt_s","firm_id":123,"event_type":"matter.converted","version":"v1","timestamp":"2025-03-04T10:00:00.000Z","data":{"matter_id":"98765"}}`)
	other := []byte(`{"event_id":"evt_o","firm_id":123,"event_type":"invoice.paid","version":"v1","timestamp":"2025-03-04T10:00:00.000Z","data":{"invoice_id":5}}`)
	tests := []struct {
		name     string
		body     []byte
		age      time.Duration
		sig      func(string) string // rewrites the signature; nil keeps it
		typ      string
		resource string
	}{
		{"guide envelope", lawmaticsEvent(1), 0, nil, "matter.converted", "701"},
		{"matter_id as a string", stringID, 0, nil, "matter.converted", "98765"},
		{"four minutes old", lawmaticsEvent(2), 4 * time.Minute, nil, "matter.converted", "702"},
		{"uppercase hex", lawmaticsEvent(3), 0, func(s string) string {
			return lawmatics.SignaturePrefix + strings.ToUpper(strings.TrimPrefix(s, lawmatics.SignaturePrefix))
		}, "matter.converted", "703"},
		{"an event without a matter", other, 0, nil, "invoice.paid", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			hdr := lawmaticsHeaders(lawmaticsSecret, h.now().Add(-tc.age), tc.body)
			if tc.sig != nil {
				hdr.Set(lawmatics.HeaderSignature, tc.sig(hdr.Get(lawmatics.HeaderSignature)))
			}
			res := h.post(t, "/webhooks/lawmatics", tc.body, hdr)
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200 (%s)", res.status, res.body)
			}
			h.wantOneProcessed(t, "lawmatics", tc.typ, tc.resource, tc.body)
		})
	}
}

func TestLawmaticsRefusesUnverifiedDeliveries(t *testing.T) {
	body := lawmaticsEvent(1)
	bare := func(h *harness) http.Header {
		hdr := lawmaticsHeaders(lawmaticsSecret, h.now(), body)
		hdr.Set(lawmatics.HeaderSignature, strings.TrimPrefix(hdr.Get(lawmatics.HeaderSignature), lawmatics.SignaturePrefix))
		return hdr
	}
	tests := []struct {
		name   string
		hdr    func(h *harness) http.Header
		reason string
	}{
		{"unsigned", func(*harness) http.Header { return nil }, "unsigned"},
		{"no timestamp", func(h *harness) http.Header {
			hdr := lawmaticsHeaders(lawmaticsSecret, h.now(), body)
			hdr.Del(lawmatics.HeaderTimestamp)
			return hdr
		}, "unsigned"},
		{"bad signature", func(h *harness) http.Header { return lawmaticsHeaders("whsec_guessed", h.now(), body) }, "bad signature"},
		{"keyed without the whsec_ prefix", func(h *harness) http.Header {
			return lawmaticsHeaders(strings.TrimPrefix(lawmaticsSecret, "whsec_"), h.now(), body)
		}, "bad signature"},
		{"bare hex without sha256=", bare, "bad signature"},
		{"signature of another body", func(h *harness) http.Header { return lawmaticsHeaders(lawmaticsSecret, h.now(), lawmaticsEvent(2)) }, "bad signature"},
		{"stale timestamp", func(h *harness) http.Header {
			return lawmaticsHeaders(lawmaticsSecret, h.now().Add(-5*time.Minute-time.Second), body)
		}, "stale timestamp"},
		{"future timestamp", func(h *harness) http.Header {
			return lawmaticsHeaders(lawmaticsSecret, h.now().Add(6*time.Minute), body)
		}, "stale timestamp"},
		{"signed timestamp that is not a number", func(h *harness) http.Header {
			ts := h.now().Format(time.RFC3339)
			return http.Header{lawmatics.HeaderTimestamp: {ts}, lawmatics.HeaderSignature: {lawmatics.Sign(lawmaticsSecret, ts, body)}}
		}, "stale timestamp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.post(t, "/webhooks/lawmatics", body, tc.hdr(h))
			h.wantRefused(t, res, http.StatusUnauthorized, "lawmatics: "+tc.reason)
			if deliveryRetries("lawmatics", res.status) {
				t.Errorf("status %d: Lawmatics would retry a delivery Firmsync never accepts", res.status)
			}
		})
	}
}

// TestLawmaticsRefusesMalformedSignedDeliveries: validly signed, but not an
// envelope Firmsync can act on: 400, which Lawmatics never sends again.
func TestLawmaticsRefusesMalformedSignedDeliveries(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		reason string
	}{
		{"not JSON", `{"event_id":`, "malformed JSON"},
		{"no event_id", `{"firm_id":123,"event_type":"matter.converted","version":"v1","data":{"matter_id":701}}`, "unexpected payload"},
		{"matter.converted without matter_id", `{"event_id":"evt_x","event_type":"matter.converted","data":{}}`, "unexpected payload"},
		{"the pre-guide {event,id,data} shape", `{"event":"matter.converted","id":"x","data":{"id":"701","type":"prospect"}}`, "unexpected payload"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			body := []byte(tc.body)
			res := h.post(t, "/webhooks/lawmatics", body, lawmaticsHeaders(lawmaticsSecret, h.now(), body))
			h.wantRefused(t, res, http.StatusBadRequest, "lawmatics: "+tc.reason)
		})
	}
}

// TestLawmaticsRedeliveryIsAcknowledgedOnce: Lawmatics is at least once and
// re-signs every attempt; the event_id, not the signature, is the identity.
func TestLawmaticsRedeliveryIsAcknowledgedOnce(t *testing.T) {
	tests := []struct {
		name   string
		replay func(h *harness, body []byte) http.Header
	}{
		{"identical delivery", func(h *harness, body []byte) http.Header { return lawmaticsHeaders(lawmaticsSecret, h.now(), body) }},
		{"re-signed a minute later", func(h *harness, body []byte) http.Header {
			h.setNow(h.now().Add(time.Minute))
			return lawmaticsHeaders(lawmaticsSecret, h.now(), body)
		}},
		{"another X-Lawmatics-Event-Id header", func(h *harness, body []byte) http.Header {
			hdr := lawmaticsHeaders(lawmaticsSecret, h.now(), body)
			hdr.Set(lawmatics.HeaderEventID, "evt_attacker-chosen")
			return hdr
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			body := lawmaticsEvent(1)
			first := h.post(t, "/webhooks/lawmatics", body, lawmaticsHeaders(lawmaticsSecret, h.now(), body))
			replay := h.post(t, "/webhooks/lawmatics", body, tc.replay(h, body))
			h.wantReplayAcked(t, first, replay, "lawmatics")
		})
	}
	t.Run("same matter, new event_id", func(t *testing.T) {
		h := newHarness(t)
		a := lawmaticsEvent(1)
		b := []byte(strings.Replace(string(a), `"evt_1"`, `"evt_1b"`, 1))
		for _, body := range [][]byte{a, b} {
			if res := h.post(t, "/webhooks/lawmatics", body, lawmaticsHeaders(lawmaticsSecret, h.now(), body)); res.status != http.StatusOK {
				t.Fatalf("status %d, want 200", res.status)
			}
		}
		h.awaitProcessed(t)
		h.awaitProcessed(t)
		if evs := h.stored(t); len(evs) != 2 {
			t.Fatalf("stored %d events, want 2 (two events about one matter)", len(evs))
		}
	})
}
