package core_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// TestClioDeauthorizationCallback: Clio notifies the app's deauthorization
// callback URL when a user removes Firmsync inside Clio. The callback is
// not signed, so Firmsync believes it only when Clio now refuses the token;
// then it marks Clio disconnected and deletes its secrets.
func TestClioDeauthorizationCallback(t *testing.T) {
	sec := secrets.NewMemory()
	app := openFastSandboxApp(t, t.TempDir(), sec)
	defer app.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	<-app.Ready()
	url := app.ReceiverURL()
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("the receiver listens on %s, not loopback", url)
	}
	if _, err := app.Connect(ctx, "clio", core.ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	post := func() int {
		resp, err := http.Post(url+"/oauth/clio/deauthorize", "application/json", strings.NewReader(`{"data":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(); code != http.StatusForbidden {
		t.Fatalf("a forged callback (Clio still accepts the token) got %d, want 403", code)
	}
	if c, _ := app.Store().Connection("clio"); c.Status != store.ConnConnected {
		t.Fatalf("a forged callback changed the connection: %+v", c)
	}
	app.SandboxInstance().Clio().RevokeTokens() // the user removed Firmsync in Clio
	if code := post(); code != http.StatusOK {
		t.Fatalf("a genuine callback got %d, want 200", code)
	}
	if c, _ := app.Store().Connection("clio"); c.Status != store.ConnDisconnected {
		t.Fatalf("clio after deauthorization: %+v", c)
	}
	for _, k := range sec.Keys() {
		if strings.HasPrefix(k, "clio/") {
			t.Errorf("secret %s left after deauthorization", k)
		}
	}
	cancel()
	<-done
}
