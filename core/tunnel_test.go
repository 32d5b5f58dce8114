package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// runningSandbox opens a small sandbox App and runs its background
// services (the webhook receiver) until the test ends.
func runningSandbox(t *testing.T) *core.App {
	t.Helper()
	app, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory(),
		SandboxOptions: sandbox.Options{Size: sandbox.Size{Contacts: 2, Matters: 1, Documents: 1, Recordings: 1, Prospects: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		app.Engine().Wait()
		_ = app.Close()
	})
	select {
	case <-app.Ready():
	case err := <-done:
		t.Fatalf("Run ended: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Run never became ready")
	}
	return app
}

// The sandbox once tested its own loopback address whatever URL was typed,
// and called a made-up trycloudflare.com address working.
func TestTunnelTestGoesThroughTheTypedURL(t *testing.T) {
	app := runningSandbox(t)
	ctx := context.Background()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"service":"something else"}`))
	}))
	defer other.Close()
	for _, tc := range []struct {
		name, url string
		ok        bool
		want      string
	}{
		{"made-up address", "https://made-up-firmsync-tunnel.invalid", false, "made-up-firmsync-tunnel.invalid"},
		{"another program", other.URL, false, "not Firmsync"},
		{"this receiver", app.ReceiverURL(), true, "The tunnel works"},
		{"nothing typed", "", true, "No tunnel is needed in the sandbox"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := app.TestTunnelURL(ctx, tc.url)
			if (err == nil) != tc.ok {
				t.Fatalf("TestTunnelURL(%q) = %q, %v", tc.url, msg, err)
			}
			got := msg
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("TestTunnelURL(%q) says %q; want it to mention %q", tc.url, got, tc.want)
			}
		})
	}
}
