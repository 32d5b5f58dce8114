package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

func openSandboxApp(t *testing.T, dir string, sec secrets.Store) *core.App {
	t.Helper()
	app, err := core.Open(context.Background(), core.Options{DataDir: dir, Sandbox: true, Secrets: sec})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func TestConnectStatusDisconnectInTheSandbox(t *testing.T) {
	ctx := context.Background()
	sec := secrets.NewMemory()
	app := openSandboxApp(t, t.TempDir(), sec)
	defer app.Close()
	for _, p := range core.Platforms() {
		id, err := app.Connect(ctx, p, core.ConnectOptions{})
		if err != nil {
			t.Fatalf("connect %s: %v", p, err)
		}
		if id.Email == "" {
			t.Errorf("%s identity has no email: %+v", p, id)
		}
	}
	st, err := app.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byP := map[string]core.ConnectionStatus{}
	for _, c := range st.Connections {
		byP[c.Platform] = c
	}
	clio := byP["clio"]
	if !clio.Connected || clio.Account != "Alex Rivera" || clio.Region != "us" || clio.TokenExpiry == nil ||
		time.Until(*clio.TokenExpiry) < 29*24*time.Hour {
		t.Fatalf("clio status %+v", clio)
	}
	if z := byP["zoom"]; z.TokenExpiry == nil || time.Until(*z.TokenExpiry) > 61*time.Minute {
		t.Fatalf("zoom status %+v", z)
	}
	if l := byP["lawmatics"]; !l.Connected || l.TokenExpiry != nil {
		t.Fatalf("lawmatics tokens never expire: %+v", l)
	}
	if st.Sandbox == nil || !strings.HasSuffix(st.Sandbox.Admin, "/_sandbox") || st.Sandbox.Platforms["clio"] == "" {
		t.Fatalf("sandbox info %+v", st.Sandbox)
	}
	// The log and ledger survive a disconnect.
	if _, err := app.Store().AppendLog(store.LogRecord{Job: "folders", Status: store.LogSuccess, Message: "kept"}); err != nil {
		t.Fatal(err)
	}
	if err := app.Disconnect(ctx, "box"); err != nil {
		t.Fatal(err)
	}
	for _, k := range sec.Keys() {
		if strings.HasPrefix(k, "box/") {
			t.Errorf("secret %s left after disconnect", k)
		}
	}
	if _, err := auth.LoadToken(ctx, sec, "clio"); err != nil {
		t.Errorf("disconnecting box touched clio: %v", err)
	}
	st, _ = app.Status(ctx)
	for _, c := range st.Connections {
		if c.Platform == "box" && (c.Connected || c.Status != "disconnected") {
			t.Fatalf("box after disconnect: %+v", c)
		}
	}
	if recs, _ := app.Store().QueryLog(store.LogQuery{Job: "folders"}); len(recs) != 1 {
		t.Fatalf("log lost on disconnect: %v", recs)
	}
}

func TestRevokedAccessMarksReconnectNeeded(t *testing.T) {
	ctx := context.Background()
	app := openSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	if _, err := app.Connect(ctx, "zoom", core.ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	app.SandboxInstance().Zoom().RevokeTokens()
	app.SandboxInstance().Zoom().ExpireTokens()
	if _, err := app.TestConnection(ctx, "zoom"); err == nil {
		t.Fatal("a revoked token still worked")
	}
	st, _ := app.Status(ctx)
	for _, c := range st.Connections {
		if c.Platform == "zoom" && (c.Status != store.ConnReconnectNeeded || !strings.Contains(c.LastError, "Reconnect zoom")) {
			t.Fatalf("zoom %+v", c)
		}
	}
}

func TestRunServesTheControlEndpointAndOwnsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	app := openFastSandboxApp(t, dir, secrets.NewMemory())
	defer app.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	select {
	case <-app.Ready():
	case err := <-done:
		t.Fatalf("Run ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run never became ready")
	}
	fi, err := os.Stat(core.ControlSocket(dir))
	// Windows has no Unix modes (its endpoint file reads 0666); there the
	// token in it and the profile's ACL keep others out
	// (TestWindowsInstanceInANonASCIIProfile).
	if err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("control socket %v %v", fi, err)
	}
	r, err := core.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Status(ctx)
	if err != nil || st.DataDir != dir {
		t.Fatalf("remote status %+v %v", st, err)
	}
	if err := r.Show(ctx); err == nil || !strings.Contains(err.Error(), "no window") {
		t.Fatalf("show on a headless instance: %v", err)
	}
	res, err := r.Sync(ctx, []string{"intake"}, false)
	if err != nil || len(res.Jobs) != 1 || res.Jobs[0].Job != "intake" || res.Jobs[0].Error != "" {
		t.Fatalf("remote sync %+v %v", res, err)
	}
	recs, err := r.Log(ctx, "intake", "", 5)
	if err != nil || len(recs) == 0 || recs[0].Job != "intake" {
		t.Fatalf("remote log %d records, %v", len(recs), err)
	}
	start := time.Now()
	_, err = core.Open(context.Background(), core.Options{DataDir: dir, Secrets: secrets.NewMemory()})
	var busy *core.AlreadyRunningError
	if !errors.As(err, &busy) || time.Since(start) > time.Second {
		t.Fatalf("second open: %v after %v", err, time.Since(start))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not stop within 15 s")
	}
	if _, err := core.Dial(dir); !errors.Is(err, core.ErrNotRunning) {
		t.Fatalf("socket still answers after stop: %v", err)
	}
}

func TestDataDirectoryIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes: Windows reports 0666/0777 for everything; there the data directory is private because it is under the user's profile (%AppData%, TestDefaultIsAppDataRoaming)")
	}
	dir := filepath.Join(t.TempDir(), "d")
	app := openSandboxApp(t, dir, secrets.NewMemory())
	defer app.Close()
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm()&^want != 0 {
			t.Errorf("%s has mode %v, want at most %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSettingsValidationNamesTheField(t *testing.T) {
	app := openSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	cases := map[string]func(*core.Settings){
		"minute field":       func(s *core.Settings) { s.Schedules["folders"] = "99 * * * *" },
		"tunnel URL":         func(s *core.Settings) { s.TunnelURL = "ftp://x" },
		"time zone":          func(s *core.Settings) { s.TimeZone = "Mars/Olympus" },
		"webhook port":       func(s *core.Settings) { s.WebhookPort = 80 },
		"phone region":       func(s *core.Settings) { s.Jobs.PhoneRegion = "usa" },
		"contacts retry":     func(s *core.Settings) { p := s.Retry["contacts"]; p.Attempts = 0; s.Retry["contacts"] = p },
		"subfolder template": func(s *core.Settings) { s.Jobs.SubfolderTemplate = []string{"a/b"} },
	}
	for want, mutate := range cases {
		s := app.Settings()
		mutate(&s)
		err := app.SaveSettings(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
	s := app.Settings()
	s.Schedules["folders"] = "every 30m"
	s.TunnelURL = "https://firm.example.trycloudflare.com/"
	if err := app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if got := app.Settings(); got.Schedules["folders"] != "every 30m" || got.TunnelURL != "https://firm.example.trycloudflare.com" {
		t.Fatalf("saved %+v", got)
	}
}
