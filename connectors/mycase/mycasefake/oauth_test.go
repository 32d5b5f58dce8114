package mycasefake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/sandbox"
)

// callback is the app's loopback redirect listener.
type callback struct {
	srv *httptest.Server
	mu  sync.Mutex // guards got
	got url.Values
}

func newCallback(t *testing.T) *callback {
	cb := &callback{}
	cb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb.mu.Lock()
		cb.got = r.URL.Query()
		cb.mu.Unlock()
	}))
	t.Cleanup(cb.srv.Close)
	return cb
}

func (cb *callback) query() url.Values {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.got
}

func tokenRequest(t *testing.T, base string, asJSON bool, params map[string]string) (int, map[string]any) {
	t.Helper()
	var body []byte
	ct := "application/x-www-form-urlencoded"
	if asJSON {
		body, _ = json.Marshal(params)
		ct = "application/json"
	} else {
		v := url.Values{}
		for k, x := range params {
			v.Set(k, x)
		}
		body = []byte(v.Encode())
	}
	resp, err := http.Post(base+"/tokens", ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestLoginPageWorksWithTheSandboxApprover(t *testing.T) {
	fake := mycasefake.New(mycasefake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { srv.Close(); fake.Close() })
	ep := mycase.Endpoints(srv.URL)

	for _, asJSON := range []bool{true, false} {
		cb := newCallback(t)
		redirect := cb.srv.URL + "/callback"
		auth := ep.AuthURL + "?" + url.Values{"client_id": {"sandbox-mycase-client"}, "redirect_uri": {redirect},
			"response_type": {"code"}, "state": {"s1"}}.Encode()
		if err := (sandbox.Approver{}).Open(context.Background(), auth); err != nil {
			t.Fatal(err)
		}
		q := cb.query()
		if q.Get("code") == "" || q.Get("state") != "s1" {
			t.Fatalf("callback got %v", q)
		}
		params := map[string]string{"grant_type": "authorization_code", "code": q.Get("code"), "redirect_uri": redirect,
			"client_id": "sandbox-mycase-client", "client_secret": "sandbox-mycase-secret"}
		status, tr := tokenRequest(t, srv.URL, asJSON, params)
		if status != 200 || tr["token_type"] != "Bearer" || tr["expires_in"] != float64(86400) || tr["access_token"] == "" ||
			tr["refresh_token"] == "" || tr["firm_uuid"] == "" || tr["scope"] == nil {
			t.Fatalf("json=%v: token reply %d %v", asJSON, status, tr)
		}
		// A code is single use.
		if status, _ := tokenRequest(t, srv.URL, asJSON, params); status != 400 {
			t.Fatalf("json=%v: code reuse answered %d", asJSON, status)
		}
		// The refresh reply carries a new refresh token and no firm_uuid.
		status, rr := tokenRequest(t, srv.URL, asJSON, map[string]string{"grant_type": "refresh_token",
			"refresh_token": tr["refresh_token"].(string), "client_id": "sandbox-mycase-client", "client_secret": "sandbox-mycase-secret"})
		if status != 200 || rr["refresh_token"] == tr["refresh_token"] || rr["refresh_token"] == "" || rr["firm_uuid"] != nil {
			t.Fatalf("json=%v: refresh reply %d %v", asJSON, status, rr)
		}
	}

	// Deny comes back as error=access_denied [U].
	cb := newCallback(t)
	auth := ep.AuthURL + "?" + url.Values{"client_id": {"sandbox-mycase-client"}, "redirect_uri": {cb.srv.URL + "/cb"},
		"response_type": {"code"}, "state": {"s2"}}.Encode()
	if err := (sandbox.Approver{Decision: "deny"}).Open(context.Background(), auth); err != nil {
		t.Fatal(err)
	}
	if q := cb.query(); q.Get("error") != "access_denied" || q.Get("state") != "s2" || q.Get("code") != "" {
		t.Fatalf("deny: %v", q)
	}

	// Bad client or redirect: 400, no redirect.
	for _, v := range []url.Values{
		{"client_id": {"other"}, "redirect_uri": {cb.srv.URL}, "response_type": {"code"}},
		{"client_id": {"sandbox-mycase-client"}, "redirect_uri": {"https://evil.example/cb"}, "response_type": {"code"}},
		{"client_id": {"sandbox-mycase-client"}, "redirect_uri": {cb.srv.URL}, "response_type": {"token"}},
	} {
		resp, err := http.Get(ep.AuthURL + "?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%v: %d", v, resp.StatusCode)
		}
	}
	if status, m := tokenRequest(t, srv.URL, true, map[string]string{"grant_type": "refresh_token", "refresh_token": "x",
		"client_id": "sandbox-mycase-client", "client_secret": "wrong"}); status != 401 || m["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", status, m)
	}
}

func TestSnapshotRestoreKeepsRecordsFilesAndTokens(t *testing.T) {
	a := mycasefake.New(mycasefake.Options{})
	t.Cleanup(a.Close)
	p, err := a.CreatePerson(mycasefake.PersonInput{FirstName: "Dana", LastName: "Lee"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := a.AddCustomField("Fee", "case", "numeric")
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.CreateCase(mycasefake.CaseInput{Name: "Lee v. Smith", ClientIDs: []int64{p.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateCase(c.ID, mycasefake.CasePatch{CustomFields: map[int64]string{f.ID: "12.50"}}); err != nil {
		t.Fatal(err)
	}
	d, err := a.AddDocument(c.ID, "a.txt", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	tok := a.IssueToken()
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	b := mycasefake.New(mycasefake.Options{})
	t.Cleanup(b.Close)
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	got, ok := b.Case(c.ID)
	if v, _ := got.CustomFieldValue(f.ID); !ok || got.Name != "Lee v. Smith" || len(got.Clients) != 1 || v.String() != "12.50" {
		t.Fatalf("restored case %+v", got)
	}
	if content, ok := b.DocumentContent(d.ID); !ok || string(content) != "hello" {
		t.Fatalf("restored content %q", content)
	}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("GET", srv.URL+"/v1/clients/"+strings.TrimSpace(jsonID(p.ID)), nil)
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("restored token: %d", resp.StatusCode)
	}
	// New ids continue after the restored ones.
	p2, err := b.CreatePerson(mycasefake.PersonInput{FirstName: "Ann", LastName: "Roe"})
	if err != nil || p2.ID <= p.ID {
		t.Fatalf("new person %d after %d: %v", p2.ID, p.ID, err)
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }
