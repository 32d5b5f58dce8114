package mycase_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
)

func TestEndpointsDescribeMyCaseOAuth(t *testing.T) {
	got := mycase.Endpoints("https://auth.example.test/")
	if got.AuthURL != "https://auth.example.test/login_sessions/new" || got.TokenURL != "https://auth.example.test/tokens" ||
		got.Refresh != "rotating" || got.PKCE || got.BasicAuth || got.RevokeURL != "" {
		t.Fatalf("Endpoints = %+v", got)
	}
	if d := mycase.Endpoints(""); d.AuthURL != mycase.DefaultOAuthBase+"/login_sessions/new" {
		t.Fatalf("default AuthURL %q", d.AuthURL)
	}
}

func TestMeAndFirm(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	id := attempt(e.c.Me(e.ctx)).must(t)
	if id.ID == "" || id.Name != "Alex Rivera" || id.Email != "alex.rivera@example-law.test" {
		t.Fatalf("Me = %+v", id)
	}
	f := attempt(e.c.Firm(e.ctx)).must(t)
	if f.Name == "" || !strings.HasPrefix(f.URL, "https://") {
		t.Fatalf("Firm = %+v", f)
	}
}

func TestListsFollowLinkAcrossPages(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 2})
	for i := range 5 {
		attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "P", LastName: fmt.Sprint(i)})).must(t)
	}
	var got []string
	if err := e.c.People(e.ctx, mycase.PeopleQuery{}, func(p mycase.Person) error {
		got = append(got, p.LastName)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "0,1,2,3,4" {
		t.Fatalf("people %v", got)
	}
	reqs := e.requests("/v1/clients")
	if len(reqs) != 3 {
		t.Fatalf("%d page requests, want 3", len(reqs))
	}
	for _, r := range reqs {
		if r.Query.Get("page_size") != "2" {
			t.Errorf("page request %v lacks page_size=2", r.Query)
		}
	}
	if reqs[1].Query.Get("page_token") == "" {
		t.Error("second page was not fetched with the Link's page_token")
	}
	resp, _ := e.raw(http.MethodGet, "/v1/clients?page_size=2", nil)
	if resp.Header.Get("Item-Count") != "5" || !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Fatalf("headers %v", resp.Header)
	}
}

func TestListStopsOnCallbackError(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 1})
	for i := range 3 {
		attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "P", LastName: fmt.Sprint(i)})).must(t)
	}
	stop := errors.New("stop")
	n := 0
	err := e.c.People(e.ctx, mycase.PeopleQuery{}, func(mycase.Person) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d", err, n)
	}
}

func TestPageSizeBoundsAreEnforcedByTheFake(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	for _, tt := range []struct {
		q    string
		want int
	}{
		{"page_size=1000", http.StatusOK},
		{"page_size=1001", http.StatusBadRequest},
		{"page_size=0", http.StatusBadRequest},
		{"page_token=bogus", http.StatusBadRequest},
		{"filter[updated_after]=yesterday", http.StatusBadRequest},
	} {
		resp, b := e.raw(http.MethodGet, "/v1/cases?"+tt.q, nil)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.q, resp.StatusCode, tt.want)
		}
		if tt.want != http.StatusOK {
			if eb := errorBody(t, b); eb.Errors[0].Source == nil || eb.Errors[0].Source.Parameter == "" {
				t.Errorf("%s: error without source.parameter: %s", tt.q, b)
			}
		}
	}
}

func TestUpdatedAfterIsInclusiveAndCoversCreatesAndUpdates(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{PageSize: 1})
	old := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "Old", LastName: "One"})).must(t)
	e.clk.Advance(time.Hour)
	since := e.clk.Now()
	edited := attempt(e.fake.CreatePerson(mycasefake.PersonInput{FirstName: "Edited", LastName: "Two"})).must(t)
	e.clk.Advance(time.Hour)
	attempt(e.fake.UpdatePerson(old.ID, mycasefake.PersonInput{Email: "old@example.test"})).must(t)
	_ = edited
	var got []int64
	if err := e.c.People(e.ctx, mycase.PeopleQuery{UpdatedAfter: since}, func(p mycase.Person) error {
		got = append(got, p.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The second person was created exactly at `since` (the filter is
	// inclusive, and whole seconds); the first was updated after it.
	if fmt.Sprint(got) != fmt.Sprint([]int64{old.ID, edited.ID}) {
		t.Fatalf("got %v", got)
	}
	q := e.requests("/v1/clients")[0].Query.Get("filter[updated_after]")
	if q != since.UTC().Truncate(time.Second).Format(time.RFC3339) {
		t.Fatalf("filter sent as %q", q)
	}
}

func TestNotFoundIsErrNotFound(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	for name, f := range map[string]func() error{
		"person": func() error { _, err := e.c.Person(e.ctx, 999); return err },
		"case":   func() error { _, err := e.c.Case(e.ctx, 999); return err },
		"notes":  func() error { return e.c.CaseNotes(e.ctx, 999, func(mycase.Note) error { return nil }) },
		"unsub":  func() error { return e.c.Unsubscribe(e.ctx, "nope") },
	} {
		err := f()
		if !errors.Is(err, mycase.ErrNotFound) || httpx.KindOf(err) != httpx.KindNotFound {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestExpiredTokenIsRefreshedWithRotation(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		e := newEnv(t, mycasefake.Options{}, mycase.Options{})
		e.auth.asJSON = asJSON
		oldRefresh := e.auth.refresh
		e.clk.Advance(mycasefake.AccessTokenTTL + time.Second) // access tokens live 24 h
		if _, err := e.c.Me(e.ctx); err != nil {
			t.Fatalf("json=%v: %v", asJSON, err)
		}
		if e.auth.refreshes != 1 || e.auth.refresh == oldRefresh || e.auth.refresh == "" {
			t.Fatalf("json=%v: refreshes %d, rotated %v", asJSON, e.auth.refreshes, e.auth.refresh != oldRefresh)
		}
		if n := len(e.requests("/v1/me")); n != 2 {
			t.Fatalf("json=%v: %d /v1/me requests, want 401 then 200", asJSON, n)
		}
		// Single use (the default): the old refresh token is refused.
		_, status, err := postToken(e.ctx, e.srv.Client(), e.srv.URL, asJSON, map[string]string{
			"grant_type": "refresh_token", "refresh_token": oldRefresh, "client_id": e.auth.id, "client_secret": e.auth.secret})
		if err != nil || status != http.StatusUnauthorized {
			t.Fatalf("json=%v: reusing the old refresh token answered %d, %v", asJSON, status, err)
		}
	}
}

func TestReusableRefreshOption(t *testing.T) {
	e := newEnv(t, mycasefake.Options{ReusableRefresh: true}, mycase.Options{})
	old := e.auth.refresh
	for range 2 {
		tr, status, err := postToken(e.ctx, e.srv.Client(), e.srv.URL, false, map[string]string{
			"grant_type": "refresh_token", "refresh_token": old, "client_id": e.auth.id, "client_secret": e.auth.secret})
		if err != nil || status != http.StatusOK || tr.RefreshToken == "" || tr.FirmUUID != "" || tr.ExpiresIn != 86400 {
			t.Fatalf("refresh: %d %+v %v", status, tr, err)
		}
	}
}

func TestRefusedRefreshMeansReconnect(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	e.fake.RevokeTokens()
	_, err := e.c.Me(e.ctx)
	if !httpx.IsReconnect(err) {
		t.Fatalf("got %v, want a reconnect error", err)
	}
}

func TestRateLimitRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t, mycasefake.Options{RateLimit: 2}, mycase.Options{})
	start := e.clk.Now()
	for range 5 {
		if _, err := e.c.Me(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if e.c.HTTP().RateLimited() == 0 {
		t.Fatal("no 429 seen")
	}
	var limited []seen
	for _, r := range e.requests("/v1/me") {
		if r.Status == http.StatusTooManyRequests {
			limited = append(limited, r)
		}
	}
	if len(limited) == 0 || e.clk.Now().Sub(start) < time.Second {
		t.Fatalf("waited %v after %d 429s", e.clk.Now().Sub(start), len(limited))
	}
	resp, b := e.raw(http.MethodGet, "/v1/me", nil)
	resp2, b2 := e.raw(http.MethodGet, "/v1/me", nil)
	resp3, b3 := e.raw(http.MethodGet, "/v1/me", nil)
	for _, x := range []struct {
		r *http.Response
		b []byte
	}{{resp, b}, {resp2, b2}, {resp3, b3}} {
		if x.r.StatusCode == http.StatusTooManyRequests {
			if x.r.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			errorBody(t, x.b)
		}
	}
}

func TestDefaultPacerStaysUnderTheLimit(t *testing.T) {
	clk := newClock()
	e := newEnv(t, mycasefake.Options{RateLimit: 25, Now: clk.Now}, mycase.Options{
		Pacer: &httpx.Pacer{Limit: mycase.RateLimit, Window: time.Second, Now: clk.Now, Sleep: clk.Sleep},
		Sleep: clk.Sleep,
	})
	for range 80 {
		if _, err := e.c.Me(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.c.HTTP().RateLimited(); n != 0 {
		t.Fatalf("%d 429s with the default budget", n)
	}
}

func TestDecodeErrorReadsBothShapes(t *testing.T) {
	for _, tt := range []struct {
		body, code, msg string
	}{
		{`{"errors":[{"description":"name has already been taken","source":{"pointer":"/name"}}]}`, "/name", "name has already been taken (/name)"},
		{`{"errors":[{"description":"bad","source":{"parameter":"page_size"}},{"description":"worse"}]}`, "page_size", "bad (page_size); worse"},
		{`{"error":"invalid_grant","error_description":"used"}`, "invalid_grant", "used"},
		{`not json`, "", ""},
	} {
		code, msg := mycase.DecodeError(400, nil, []byte(tt.body))
		if code != tt.code || msg != tt.msg {
			t.Errorf("%s: %q %q", tt.body, code, msg)
		}
	}
}

func TestUnmodelledRoutesAnswer501AndAreRecorded(t *testing.T) {
	e := newEnv(t, mycasefake.Options{}, mycase.Options{})
	resp, b := e.raw(http.MethodGet, "/v1/time_entries", nil)
	if resp.StatusCode != http.StatusNotImplemented {
		t.Fatalf("status %d", resp.StatusCode)
	}
	errorBody(t, b)
	if u := e.fake.Unhandled(); len(u) != 1 || u[0] != "GET /v1/time_entries" {
		t.Fatalf("Unhandled = %v", u)
	}
}
