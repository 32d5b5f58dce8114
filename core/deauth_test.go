package core_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// TestClioDeauthorizationCallback: Clio notifies the app's deauthorization
// callback URL when a user removes Firmsync inside Clio. The callback is
// not signed, so Firmsync believes it only when Clio refuses the token
// (now, or already in a run); then it forgets the token, keeps the firm's
// Clio app credentials, and asks the user to connect again. When Clio
// cannot be asked, nothing changes and Clio is told to send it again.
func TestClioDeauthorizationCallback(t *testing.T) {
	cases := []struct {
		name   string
		before func(t *testing.T, ctx context.Context, app *core.App)
		code   int
		status string // the Clio connection afterwards
	}{
		{"forged: Clio still accepts the token", nil, http.StatusForbidden, store.ConnConnected},
		{"Clio cannot be asked", func(t *testing.T, ctx context.Context, app *core.App) {
			f := sandbox.Fault{Platform: "clio", PathPrefix: "/api/v4/users/who_am_i", Status: http.StatusInternalServerError, Count: 20}
			if err := sandbox.Admin(ctx, app.SandboxInstance().AdminURL(), http.MethodPost, "/faults", f, nil); err != nil {
				t.Fatal(err)
			}
		}, http.StatusServiceUnavailable, store.ConnConnected},
		{"removed in Clio", func(t *testing.T, ctx context.Context, app *core.App) {
			app.SandboxInstance().Clio().RevokeTokens()
		}, http.StatusOK, store.ConnReconnectNeeded},
		{"removed in Clio, and a run noticed first", func(t *testing.T, ctx context.Context, app *core.App) {
			app.SandboxInstance().Clio().RevokeTokens()
			app.Sync(ctx, []string{core.JobFolders}, false)
			if c, _ := app.Store().Connection("clio"); c.Status != store.ConnReconnectNeeded {
				t.Fatalf("after a run with a revoked token Clio is %q, want %q", c.Status, store.ConnReconnectNeeded)
			}
		}, http.StatusOK, store.ConnReconnectNeeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sec := secrets.NewMemory()
			app := openFastSandboxApp(t, t.TempDir(), sec)
			defer app.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- app.Run(ctx) }()
			defer func() { cancel(); <-done }()
			<-app.Ready()
			url := app.ReceiverURL()
			if !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Fatalf("the receiver listens on %s, not loopback", url)
			}
			if _, err := app.Connect(ctx, "clio", core.ConnectOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"clio/client_id", "clio/client_secret"} {
				if err := sec.Set(ctx, k, "firm-"+k); err != nil {
					t.Fatal(err)
				}
			}
			if tc.before != nil {
				tc.before(t, ctx, app)
			}
			resp, err := http.Post(url+"/oauth/clio/deauthorize", "application/json", strings.NewReader(`{"data":{}}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Errorf("callback got %d, want %d", resp.StatusCode, tc.code)
			}
			if tc.code == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
				t.Error("a 503 without Retry-After")
			}
			c, _ := app.Store().Connection("clio")
			if c.Status != tc.status {
				t.Errorf("clio afterwards is %q, want %q", c.Status, tc.status)
			}
			removed := tc.status == store.ConnReconnectNeeded
			if _, err := sec.Get(ctx, "clio/token"); removed != errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("with the connection %q the token lookup says %v", c.Status, err)
			}
			if removed && !strings.Contains(c.LastError, "removed in Clio") {
				t.Errorf("the connection does not say why: %q", c.LastError)
			}
			// The firm's own app credentials are never deleted by a callback.
			for _, k := range []string{"clio/client_id", "clio/client_secret"} {
				if v, err := sec.Get(ctx, k); err != nil || v != "firm-"+k {
					t.Errorf("%s afterwards: %q, %v", k, v, err)
				}
			}
		})
	}
}

// TestClioDeauthorizationCallbackIsNoAmplifier: the callback URL is public
// and unsigned; a stranger posting it in a loop must not turn each POST
// into a Clio request (the firm's rate limit) nor change anything.
func TestClioDeauthorizationCallbackIsNoAmplifier(t *testing.T) {
	sec := secrets.NewMemory()
	app := openFastSandboxApp(t, t.TempDir(), sec)
	defer app.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	defer func() { cancel(); <-done }()
	<-app.Ready()
	if _, err := app.Connect(ctx, "clio", core.ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	whoAmI := func() int {
		return app.SandboxInstance().StatsSnapshot().Platforms["clio"].Endpoints["GET /api/v4/users/who_am_i.json"]
	}
	before := whoAmI()
	codes := map[int]int{}
	for range 300 {
		resp, err := http.Post(app.ReceiverURL()+"/oauth/clio/deauthorize", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	if n := whoAmI() - before; n > 1 {
		t.Errorf("300 forged callbacks cost %d Clio requests, want at most 1", n)
	}
	if codes[http.StatusForbidden] != 300 {
		t.Errorf("answers %v, want 300 × 403", codes)
	}
	if c, _ := app.Store().Connection("clio"); c.Status != store.ConnConnected {
		t.Errorf("clio afterwards is %q", c.Status)
	}
}
