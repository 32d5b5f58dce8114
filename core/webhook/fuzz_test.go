package webhook_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/store"
	"github.com/firmsync/firmsync/core/webhook"
)

// refusalReasons are every reason a platform route may count; anything
// else would let a sender grow the refusal map at will.
var refusalReasons = map[string]bool{
	"method not allowed":       true,
	"unsupported content type": true,
	"body over 1 MiB":          true,
	"reading body":             true,
	"unexpected handshake":     true,
	"unsigned":                 true,
	"bad signature":            true,
	"stale timestamp":          true,
	"bad or stale signature":   true,
	"malformed JSON":           true,
	"unexpected payload":       true,
}

var fuzzPlatforms = map[string]bool{"clio": true, "zoom": true, "box": true, "lawmatics": true}

// Fuzz modes: which headers come from the fuzzer rather than the harness.
const (
	fuzzRawSig      = 1 << iota // signature header verbatim (else forged with a guessed secret)
	fuzzRawTS                   // timestamp header verbatim (else a fresh one)
	fuzzContentType             // Content-Type verbatim (else application/json)
	fuzzExtra                   // extra as X-Hook-Secret, Box version, ...
)

// FuzzVerifiers feeds arbitrary bodies and headers to every platform
// route: nothing may panic, and no request without a valid signature may
// be answered 2xx or stored.
func FuzzVerifiers(f *testing.F) {
	now := testNow
	fresh := strconv.FormatInt(now.Unix(), 10)
	seeds := []struct {
		route     uint8
		mode      uint8
		body      []byte
		sig, ts   string
		ct, extra string
	}{
		{0, 0, clioEvent(1), "", "", "", ""},
		{0, fuzzRawSig, clioEvent(1), clioSignature("guessed", clioEvent(1)), "", "", ""},
		{0, fuzzRawSig, clioEvent(1), strings.ToUpper(clioSignature("x", nil)), "", "", ""},
		{0, fuzzExtra, []byte(`{"data":{"webhook_id":91}}`), "", "", "", "hs-1"},
		{1, 0, zoomEvent(1), "", "", "", ""},
		{1, fuzzRawSig | fuzzRawTS, zoomEvent(1), "v0=00", fresh, "", ""},
		{1, fuzzRawTS, []byte(`{"event":"endpoint.url_validation","payload":{"plainToken":"t"}}`), "", "-9223372036854775808", "", ""},
		{1, fuzzRawTS, zoomEvent(1), "", "99999999999999999999", "", ""},
		{2, 0, boxEvent(1), "", "", "", ""},
		{2, fuzzRawSig | fuzzExtra, boxEvent(1), "AAAA", "", "", "2"},
		{2, fuzzRawTS, boxEvent(1), "", "2025-03-04T10:00:00+14:00", "", ""},
		{3, 0, lawmaticsEvent(1), "", "", "", ""},
		{3, fuzzRawSig | fuzzRawTS, lawmaticsEvent(1), lawmatics.Sign("guessed", fresh, lawmaticsEvent(1)), fresh, "", ""},
		{3, fuzzContentType, []byte(`not json`), "", "", "application/vnd.api+json; charset=utf-8", ""},
		{1, fuzzContentType, []byte(`{}`), "", "", "text/plain", ""},
		{0, 0, []byte{0xff, 0xfe, 0}, "", "", "", ""},
		{2, 0, nil, "", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.mode, s.body, s.sig, s.ts, s.ct, s.extra)
	}

	st := openStore(f)
	keys := newFakeKeys()
	r := webhook.New(webhook.Options{
		Store: st,
		Keys:  keys,
		Process: func(context.Context, store.WebhookEvent) error {
			return nil // never started: a stored event shows in the store
		},
		Now: func() time.Time { return now },
	})
	h := r.Handler()
	paths := []string{"/webhooks/clio", "/webhooks/zoom", "/webhooks/box", "/webhooks/lawmatics"}

	f.Fuzz(func(t *testing.T, route, mode uint8, body []byte, sig, ts, ct, extra string) {
		path := paths[int(route)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if mode&fuzzContentType != 0 {
			req.Header.Set("Content-Type", ct)
		}
		if mode&fuzzRawTS == 0 {
			ts = fresh
		}
		forge := func(s string) string {
			if mode&fuzzRawSig != 0 {
				return sig
			}
			return s
		}
		switch path {
		case "/webhooks/clio":
			req.Header.Set("X-Hook-Signature", forge(clioSignature("guessed", body)))
			if mode&fuzzExtra != 0 {
				req.Header.Set("X-Hook-Secret", extra) // no creation is in flight
			}
		case "/webhooks/zoom":
			req.Header.Set(zoom.HeaderRequestTimestamp, ts)
			req.Header.Set(zoom.HeaderSignature, forge(zoom.Sign("guessed", ts, body)))
		case "/webhooks/box":
			if mode&fuzzRawTS == 0 {
				ts = now.Format(time.RFC3339)
			}
			req.Header.Set(box.HeaderDeliveryID, "fuzz")
			req.Header.Set(box.HeaderDeliveryTimestamp, ts)
			req.Header.Set(box.HeaderSignatureVersion, "1")
			req.Header.Set(box.HeaderSignatureAlgorithm, "HmacSHA256")
			if mode&fuzzExtra != 0 {
				req.Header.Set(box.HeaderSignatureVersion, extra)
			}
			req.Header.Set(box.HeaderSignaturePrimary, forge(box.Sign("guessed-1", body, ts)))
			req.Header.Set(box.HeaderSignatureSecondary, forge(box.Sign("guessed-2", body, ts)))
		case "/webhooks/lawmatics":
			req.Header.Set(lawmatics.HeaderTimestamp, ts)
			req.Header.Set(lawmatics.HeaderSignature, forge(lawmatics.Sign("guessed", ts, body)))
		}

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if rec.Code < 400 || rec.Code > 499 {
			t.Errorf("POST %s: status %d, want 4xx for an unverifiable request", path, rec.Code)
		}
		if n := r.Stored(); n != 0 {
			t.Fatalf("Stored() = %d after unverifiable requests", n)
		}
		evs, err := st.WebhookEvents(1)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 0 {
			t.Fatalf("store holds %s event %q from an unverifiable request", evs[0].Platform, evs[0].Payload)
		}
		for k := range r.Refused() {
			platform, reason, _ := strings.Cut(k, ": ")
			if !refusalReasons[reason] || !fuzzPlatforms[platform] {
				t.Fatalf("refusal counted as %q", k)
			}
		}
	})
}
