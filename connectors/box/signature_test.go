package box_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

// receiver records the webhook deliveries it gets.
type receiver struct {
	mu  sync.Mutex
	got []delivery
	srv *httptest.Server
}

type delivery struct {
	h    http.Header
	body []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{r.Header.Clone(), b})
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func TestVerifySignatureOfRealDeliveries(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, boxfake.Options{AllowInsecureWebhooks: true}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, _, err := e.c.EnsureFolder(ctx, "0", "Watched")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateWebhook(ctx, id, rc.srv.URL+"/box", []string{"FOLDER.CREATED", "FILE.UPLOADED"}); err != nil {
		t.Fatal(err)
	}
	oldPrimary, secondary := e.fake.SignatureKeys()

	if _, _, err := e.c.EnsureFolder(ctx, id, "Ünïcödé folder"); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	newPrimary, _ := e.fake.RotateSignatureKeys()
	if _, err := e.c.UploadFile(ctx, id, "a.txt", 1, strings.NewReader("a"), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.AwaitDeliveries(ctx, 2); err != nil {
		t.Fatal(err)
	}
	ds := rc.deliveries()
	if len(ds) != 2 {
		t.Fatalf("%d deliveries", len(ds))
	}
	now := e.clock.Now()
	first, second := ds[0], ds[1]
	// Before the rotation: either key verifies.
	for _, keys := range [][2]string{{oldPrimary, secondary}, {oldPrimary, ""}, {"", secondary}} {
		if err := box.VerifySignature(keys[0], keys[1], first.body, first.h, now); err != nil {
			t.Errorf("keys %q: %v", keys, err)
		}
	}
	// After the primary key was reset, a receiver still holding the old
	// primary key verifies through the secondary one.
	if err := box.VerifySignature(oldPrimary, secondary, second.body, second.h, now); err != nil {
		t.Errorf("old primary + secondary: %v", err)
	}
	if err := box.VerifySignature(newPrimary, "", second.body, second.h, now); err != nil {
		t.Errorf("new primary: %v", err)
	}
	if err := box.VerifySignature(oldPrimary, "", second.body, second.h, now); !errors.Is(err, box.ErrBadSignature) {
		t.Errorf("old primary alone: %v", err)
	}
}

func TestVerifySignatureRefuses(t *testing.T) {
	const primary, secondary = "primary-key", "secondary-key"
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"webhook_event","id":"e1","trigger":"FILE.UPLOADED","source":{"name":"M\u00fcller.pdf"}}`)
	signed := func(ts time.Time, mod func(h http.Header)) http.Header {
		stamp := ts.Format(time.RFC3339)
		h := http.Header{}
		h.Set(box.HeaderDeliveryTimestamp, stamp)
		h.Set(box.HeaderSignaturePrimary, box.Sign(primary, body, stamp))
		h.Set(box.HeaderSignatureSecondary, box.Sign(secondary, body, stamp))
		h.Set(box.HeaderSignatureVersion, "1")
		h.Set(box.HeaderSignatureAlgorithm, "HmacSHA256")
		if mod != nil {
			mod(h)
		}
		return h
	}
	cases := []struct {
		name     string
		p, s     string
		body     []byte
		h        http.Header
		want     error
		accepted bool
	}{
		{"good", primary, secondary, body, signed(now.Add(-time.Minute), nil), nil, true},
		{"secondary only matches", "rotated", secondary, body, signed(now, nil), nil, true},
		{"primary only matches", primary, "rotated", body, signed(now, nil), nil, true},
		{"9 minutes old", primary, secondary, body, signed(now.Add(-9*time.Minute), nil), nil, true},
		{"both keys wrong", "x", "y", body, signed(now, nil), box.ErrBadSignature, false},
		{"empty keys", "", "", body, signed(now, nil), box.ErrBadSignature, false},
		{"empty keys and empty signatures", "", "", body, signed(now, func(h http.Header) {
			h.Set(box.HeaderSignaturePrimary, "")
			h.Set(box.HeaderSignatureSecondary, "")
		}), box.ErrBadSignature, false},
		{"body changed", primary, secondary, append([]byte(nil), append(body, ' ')...), signed(now, nil), box.ErrBadSignature, false},
		{"re-encoded body", primary, secondary, []byte(strings.ReplaceAll(string(body), `\u00fc`, "ü")), signed(now, nil), box.ErrBadSignature, false},
		{"signatures swapped", primary, secondary, body, signed(now, func(h http.Header) {
			p, s := h.Get(box.HeaderSignaturePrimary), h.Get(box.HeaderSignatureSecondary)
			h.Set(box.HeaderSignaturePrimary, s)
			h.Set(box.HeaderSignatureSecondary, p)
		}), box.ErrBadSignature, false},
		{"stale", primary, secondary, body, signed(now.Add(-11*time.Minute), nil), box.ErrStaleDelivery, false},
		{"far future", primary, secondary, body, signed(now.Add(time.Hour), nil), box.ErrStaleDelivery, false},
		{"missing timestamp", primary, secondary, body, signed(now, func(h http.Header) { h.Del(box.HeaderDeliveryTimestamp) }), box.ErrStaleDelivery, false},
		{"unix timestamp", primary, secondary, body, signed(now, func(h http.Header) { h.Set(box.HeaderDeliveryTimestamp, "1777896000") }), box.ErrStaleDelivery, false},
		{"timestamp not the signed one", primary, secondary, body, signed(now, func(h http.Header) {
			h.Set(box.HeaderDeliveryTimestamp, now.Add(-time.Second).Format(time.RFC3339))
		}), box.ErrBadSignature, false},
		{"version 2", primary, secondary, body, signed(now, func(h http.Header) { h.Set(box.HeaderSignatureVersion, "2") }), box.ErrUnsupportedSignature, false},
		{"missing version", primary, secondary, body, signed(now, func(h http.Header) { h.Del(box.HeaderSignatureVersion) }), box.ErrUnsupportedSignature, false},
		{"other algorithm", primary, secondary, body, signed(now, func(h http.Header) { h.Set(box.HeaderSignatureAlgorithm, "HmacSHA1") }), box.ErrUnsupportedSignature, false},
		{"no headers", primary, secondary, body, http.Header{}, box.ErrUnsupportedSignature, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := box.VerifySignature(tc.p, tc.s, tc.body, tc.h, now)
			if tc.accepted {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
