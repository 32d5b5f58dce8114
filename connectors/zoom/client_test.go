package zoom_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

func TestEndpoints(t *testing.T) {
	tests := []struct {
		name, base, wantAuth, wantToken, wantRevoke string
	}{
		{"real default", "", "https://zoom.us/oauth/authorize", "https://zoom.us/oauth/token", "https://zoom.us/oauth/revoke"},
		{"sandbox with trailing slash", "http://127.0.0.1:9/", "http://127.0.0.1:9/oauth/authorize", "http://127.0.0.1:9/oauth/token", "http://127.0.0.1:9/oauth/revoke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := zoom.Endpoints(tt.base)
			if ep.AuthURL != tt.wantAuth || ep.TokenURL != tt.wantToken || ep.RevokeURL != tt.wantRevoke {
				t.Fatalf("%+v", ep)
			}
			if !ep.PKCE || !ep.BasicAuth || ep.Refresh != "rotating" {
				t.Fatalf("flags %+v", ep)
			}
		})
	}
}

func TestMeReturnsTheTokensUser(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	tests := []struct {
		name, email, wantName string
	}{
		{"owner", owner, "Sandbox Owner"},
		{"member", "jane.doe@sandbox.zoom.test", "Jane Doe"},
	}
	if _, err := e.fake.AddUser("jane.doe@sandbox.zoom.test", "Jane", "Doe"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := e.fake.IssueTokenFor(tt.email)
			if err != nil {
				t.Fatal(err)
			}
			id, err := e.newClient(tok.Access, nil).Me(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if id.ID == "" || id.Name != tt.wantName || id.Email != tt.email {
				t.Fatalf("identity %+v", id)
			}
		})
	}
}

func TestRevokeEndsAccess(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	if err := e.client.Revoke(ctx, "sandbox-zoom-client", "wrong-secret", e.tok.Access); err == nil {
		t.Fatal("revoke with a wrong client secret succeeded")
	}
	if err := e.client.Revoke(ctx, "sandbox-zoom-client", "sandbox-zoom-secret", e.tok.Access); err != nil {
		t.Fatal(err)
	}
	for _, s := range e.rec.Sent() {
		if s.Path == "/oauth/revoke" && !strings.HasPrefix(s.Auth, "Basic ") {
			t.Fatalf("revoke sent Authorization %q, want Basic", s.Auth)
		}
	}
	_, err := e.client.Me(ctx)
	if !httpx.IsReconnect(err) {
		t.Fatalf("Me after revoke: %v, want a reconnect error", err)
	}
	if strings.Contains(err.Error(), e.tok.Access) {
		t.Fatalf("error leaks the token: %v", err)
	}
	err = e.client.Revoke(ctx, "sandbox-zoom-client", "sandbox-zoom-secret", e.tok.Access)
	if err == nil || !strings.Contains(err.Error(), "Invalid Token!") {
		t.Fatalf("second revoke: %v, want Zoom's reason", err)
	}
}

func TestDecodeError(t *testing.T) {
	tests := []struct {
		name, body, code, msg string
	}{
		{"plain", `{"code":1001,"message":"User does not exist: x."}`, "1001", "User does not exist: x."},
		{"validation fields appended", `{"code":300,"message":"Validation Failed.","errors":[{"field":"phone_numbers[0]","message":"Invalid field. Phone number must be in E.164 format."}]}`,
			"300", "Validation Failed.; phone_numbers[0]: Invalid field. Phone number must be in E.164 format."},
		{"field repeating the message", `{"code":300,"message":"Invalid field.","errors":[{"field":"from","message":"Invalid field."}]}`, "300", "Invalid field."},
		{"unescaped quotes", `{"code":104,"message":"Invalid access token, does not contain scopes:["meeting:read:summary"]."}`,
			"104", `Invalid access token, does not contain scopes:["meeting:read:summary"].`},
		{"oauth", `{"reason":"Invalid Token!","error":"invalid_grant"}`, "invalid_grant", "Invalid Token!"},
		{"not json", `<html>bad gateway</html>`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := zoom.DecodeError(400, nil, []byte(tt.body))
			if code != tt.code || msg != tt.msg {
				t.Fatalf("got %q %q, want %q %q", code, msg, tt.code, tt.msg)
			}
		})
	}
}

func TestPermissionNamesMissingScopes(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"bare list", `{"code":104,"message":"Invalid access token, does not contain scopes:[meeting:read:summary, meeting:read:summary:admin]."}`,
			"meeting:read:summary, meeting:read:summary:admin"},
		{"quoted list", `{"code":104,"message":"Invalid access token, does not contain scopes:["phone:read:list_external_contacts:admin"]."}`,
			"phone:read:list_external_contacts:admin"},
		{"no scopes named", `{"code":124,"message":"Invalid access token."}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := zoom.Permission(nil, []byte(tt.body)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMissingScopeBecomesPermissionError(t *testing.T) {
	const body = `{"code":104,"message":"Invalid access token, does not contain scopes:[user:read:user]."}`
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := newStub(t, status, body)
			c := zoom.New(zoom.Options{APIBase: srv + "/v2", Auth: refreshingAuth{}})
			_, err := c.Me(context.Background())
			var he *httpx.Error
			if !errors.As(err, &he) || he.Kind != httpx.KindForbidden || he.Permission != "user:read:user" {
				t.Fatalf("%v (%+v)", err, he)
			}
			if !strings.Contains(err.Error(), "user:read:user") {
				t.Fatalf("message %q does not name the scope", err)
			}
		})
	}
}

// TestRateLimitSharedWithAnotherApp: Zoom's limits are per account, so
// another client can use up the window; the 429 must be waited out
// (Retry-After) and the call must succeed.
func TestRateLimitSharedWithAnotherApp(t *testing.T) {
	e := newEnv(t, zoomfake.Options{RateLimit: 2}, nil)
	ctx := context.Background()
	other := e.newClient(e.tok.Access, e.fakeTime)
	for range 2 {
		if _, err := other.Me(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c := e.newClient(e.tok.Access, e.fakeTime)
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("Me after another app used the window: %v", err)
	}
	if c.HTTP().RateLimited() != 1 {
		t.Fatalf("429s seen: %d, want 1", c.HTTP().RateLimited())
	}
	if s := e.clock.Sleeps(); len(s) == 0 || s[len(s)-1] < time.Second {
		t.Fatalf("sleeps %v, want a Retry-After wait of 1 s", s)
	}
}

// TestPacerAvoids429s: with X-RateLimit-Remaining at 0 the client waits for
// the next window instead of being refused.
func TestPacerAvoids429s(t *testing.T) {
	e := newEnv(t, zoomfake.Options{RateLimit: 2}, nil) // Phone Light: 1 per second
	c := e.newClient(e.tok.Access, e.fakeTime)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if _, err := c.CreateExternalContact(ctx, zoom.ExternalContactWrite{ID: id, Name: id, PhoneNumbers: []string{"+14155550100"}}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	if err := c.ExternalContacts(ctx, func(zoom.ExternalContact) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("listed %d contacts, want 3", n)
	}
	if c.HTTP().RateLimited() != 0 {
		t.Fatalf("%d 429s, want none", c.HTTP().RateLimited())
	}
	if len(e.clock.Sleeps()) < 3 {
		t.Fatalf("sleeps %v, want a wait before each later request", e.clock.Sleeps())
	}
}
