package mycase_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

// receiver is a loopback webhook endpoint recording what it gets.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex // guards got and fail
	got  []received
	fail int // answer 500 to this many deliveries first
	wake chan struct{}
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rv := &receiver{wake: make(chan struct{}, 100)}
	rv.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		failing := rv.fail > 0
		if failing {
			rv.fail--
		} else {
			rv.got = append(rv.got, received{header: r.Header.Clone(), body: b})
		}
		rv.mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		rv.wake <- struct{}{}
	}))
	t.Cleanup(rv.srv.Close)
	return rv
}

func (rv *receiver) await(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		rv.mu.Lock()
		if len(rv.got) >= n {
			out := append([]received(nil), rv.got...)
			rv.mu.Unlock()
			return out
		}
		rv.mu.Unlock()
		select {
		case <-rv.wake:
		case <-deadline:
			t.Fatalf("timed out waiting for %d deliveries", n)
		}
	}
}

func TestSubscriptionsLifecycle(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	s := attempt(e.c.Subscribe(e.ctx, "Case", "https://hooks.example.test/mycase", []string{"created", "updated"})).must(t)
	if s.ID == "" || s.Model != "case" || s.HMACKey == "" || len(s.Actions) != 2 {
		t.Fatalf("subscribed %+v", s)
	}
	if r := e.requests("/v1/webhooks"); r[0].Status != http.StatusCreated {
		t.Fatalf("create answered %d", r[0].Status)
	}
	list := attempt(e.c.Subscriptions(e.ctx)).must(t)
	if len(list) != 1 || list[0].ID != s.ID || list[0].HMACKey != s.HMACKey {
		t.Fatalf("list %+v", list)
	}
	if err := e.c.Unsubscribe(e.ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Unsubscribe(e.ctx, s.ID); !errorsIsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := e.c.Subscribe(e.ctx, "document", "https://x.test", []string{"created"}); err == nil {
		t.Fatal("document model accepted")
	}
	for _, body := range []map[string]any{
		{"model": "document", "url": "https://x.test/h", "actions": []string{"created"}},
		{"model": "case", "url": "http://x.test/h", "actions": []string{"created"}}, // https only
		{"model": "case", "url": "https://x.test/h", "actions": []string{"opened"}},
		{"model": "case", "url": "https://x.test/h"},
	} {
		resp, b := e.raw(http.MethodPost, "/v1/webhooks/subscriptions", body)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", body, resp.StatusCode)
		}
		errorBody(t, b)
	}
}

func TestCaseAndClientChangesAreDeliveredSigned(t *testing.T) {
	e := newEnv(t, mycasefake.Options{AllowInsecureWebhooks: true}, mycase.Options{})
	rv := newReceiver(t)
	cs := attempt(e.c.Subscribe(e.ctx, "case", rv.srv.URL+"/case", []string{"created", "updated", "deleted"})).must(t)
	ps := attempt(e.c.Subscribe(e.ctx, "client", rv.srv.URL+"/client", []string{"created"})).must(t)

	c := attempt(e.c.CreateCase(e.ctx, mycase.CaseWrite{Name: "Lee v. Smith"})).must(t)
	got := rv.await(t, 1)
	d, err := mycase.ParseDelivery(got[0].body)
	if err != nil || d != (mycase.Delivery{Model: "case", Action: "created", ID: c.ID}) {
		t.Fatalf("delivery %+v %v: %s", d, err, got[0].body)
	}
	if !mycase.VerifyDelivery(cs.HMACKey, got[0].header, got[0].body) {
		t.Fatal("a genuine delivery did not verify")
	}
	tampered := []byte(strings.Replace(string(got[0].body), "Lee", "Lea", 1))
	if mycase.VerifyDelivery(cs.HMACKey, got[0].header, tampered) {
		t.Fatal("a tampered body verified")
	}
	if mycase.VerifyDelivery(ps.HMACKey, got[0].header, got[0].body) {
		t.Fatal("another subscription's key verified")
	}

	// Admin edits (the MyCase UI) fire too; client "updated" is not subscribed.
	p := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "Dana", LastName: "Lee"})).must(t)
	attempt(e.fake.UpdatePerson(p.ID, mycasefake.PersonInput{Email: "d@example.test"})).must(t)
	attempt(e.fake.UpdateCase(c.ID, mycasefake.CasePatch{Status: "closed"})).must(t)
	if err := e.fake.DeleteCase(c.ID); err != nil {
		t.Fatal(err)
	}
	got = rv.await(t, 4)
	e.fake.Wait()
	seen := map[mycase.Delivery]bool{}
	for _, g := range got {
		d, err := mycase.ParseDelivery(g.body)
		if err != nil {
			t.Fatal(err)
		}
		seen[d] = true
	}
	for _, want := range []mycase.Delivery{
		{Model: "client", Action: "created", ID: p.ID},
		{Model: "case", Action: "updated", ID: c.ID},
		{Model: "case", Action: "deleted", ID: c.ID},
	} {
		if !seen[want] {
			t.Errorf("missing delivery %+v (got %v)", want, seen)
		}
	}
	rv.mu.Lock()
	n := len(rv.got)
	rv.mu.Unlock()
	if n != 4 {
		t.Errorf("%d deliveries, want 4 (client updated is not subscribed)", n)
	}
}

func TestFailedDeliveryIsRetried(t *testing.T) {
	e := newEnv(t, mycasefake.Options{AllowInsecureWebhooks: true, RateWindow: 20 * time.Millisecond}, mycase.Options{})
	rv := newReceiver(t)
	rv.fail = 1
	attempt(e.c.Subscribe(e.ctx, "client", rv.srv.URL, []string{"created"})).must(t)
	attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "A", LastName: "B"})).must(t)
	rv.await(t, 1)
	ds, err := e.fake.AwaitDeliveries(context.Background(), 2)
	if err != nil || ds[0].Status != http.StatusInternalServerError || ds[1].Attempt != 2 || ds[1].Status != http.StatusOK {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
}

func TestParseDeliveryShapes(t *testing.T) {
	for _, tt := range []struct {
		body string
		want mycase.Delivery
	}{
		{`{"resource":"Case","action":"updated","resource_body":{"id":123,"name":"x"}}`, mycase.Delivery{Model: "case", Action: "updated", ID: 123}},
		{`{"resource":"Client","action":"created","resource_body":{"id":"77"}}`, mycase.Delivery{Model: "client", Action: "created", ID: 77}},
		{`{"model":"case","action":"deleted","id":5}`, mycase.Delivery{Model: "case", Action: "deleted", ID: 5}},
		{`{"resource":"client","event":"update","resource_id":"9"}`, mycase.Delivery{Model: "client", Action: "updated", ID: 9}},
		{`{"event":"case.created","data":{"id":11}}`, mycase.Delivery{Model: "case", Action: "created", ID: 11}},
		{`{"resource":"MessageThread","action":"Created","resource_body":{"id":3}}`, mycase.Delivery{Model: "message", Action: "created", ID: 3}},
	} {
		got, err := mycase.ParseDelivery([]byte(tt.body))
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v %v", tt.body, got, err)
		}
	}
	for _, bad := range []string{`[]`, `{"action":"created","id":1}`, `{"resource":"Case","id":1}`, `{"resource":"Case","action":"created"}`, `nope`} {
		if _, err := mycase.ParseDelivery([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestVerifyDeliveryEncodings(t *testing.T) {
	key, body := "k3y", []byte(`{"resource":"Case","action":"created","resource_body":{"id":1}}`)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	sum := mac.Sum(nil)
	hexSig := hex.EncodeToString(sum)
	if mycase.Sign(key, body) != hexSig {
		t.Fatal("Sign is not lowercase hex HMAC-SHA256")
	}
	for _, tt := range []struct {
		name, header, value string
		ok                  bool
	}{
		{"hex", mycase.SignatureHeader, hexSig, true},
		{"upper hex", mycase.SignatureHeader, strings.ToUpper(hexSig), true},
		{"prefixed", mycase.SignatureHeader, "sha256=" + hexSig, true},
		{"base64", mycase.SignatureHeader, base64.StdEncoding.EncodeToString(sum), true},
		{"base64url raw", mycase.SignatureHeader, base64.RawURLEncoding.EncodeToString(sum), true},
		{"other header", "X-Mycase-Hmac-Sha256", "SHA256=" + base64.StdEncoding.EncodeToString(sum), true},
		{"x-signature", "X-Signature", hexSig, true},
		{"unknown header", "X-Hub-Signature", hexSig, false},
		{"wrong", mycase.SignatureHeader, strings.Repeat("0", 64), false},
		{"garbage", mycase.SignatureHeader, "zzz", false},
		{"unsigned", "", "", false},
	} {
		h := http.Header{}
		if tt.header != "" {
			h.Set(tt.header, tt.value)
		}
		if got := mycase.VerifyDelivery(key, h, body); got != tt.ok {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
	if mycase.VerifyDelivery("", http.Header{mycase.SignatureHeader: {mycase.Sign("", body)}}, body) {
		t.Error("empty key verified")
	}
}
