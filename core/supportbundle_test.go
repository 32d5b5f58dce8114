package core

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

func TestSupportBundleHasTheStatusAndNoSecret(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Connect(ctx, Zoom, ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	const leaked = "sk_live_SECRET123"
	if _, err := a.Store().AppendLog(store.LogRecord{Job: JobContacts, Status: store.LogFailed,
		Error: "POST /oauth/token?client_secret=" + leaked + " said Authorization: Bearer " + leaked}); err != nil {
		t.Fatal(err)
	}
	a.Logger().Info("request", "url", "https://x.test/cb?code="+leaked)
	var buf bytes.Buffer
	if err := a.ExportSupportBundle(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.Contains(string(b), leaked) {
			t.Errorf("%s contains the secret", f.Name)
		}
		tok, _ := a.Secrets().Get(ctx, "zoom/token")
		if tok != "" && strings.Contains(string(b), tok) {
			t.Errorf("%s contains the Zoom token", f.Name)
		}
	}
	for _, want := range []string{"status.json", "settings.json", "versions.txt", "activity.jsonl", "runs.json"} {
		if !names[want] {
			t.Errorf("bundle lacks %s (has %v)", want, names)
		}
	}
}

func TestTestTunnelSaysWhatIsMissing(t *testing.T) {
	a, err := Open(context.Background(), Options{DataDir: t.TempDir(), Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.TestTunnel(context.Background()); err == nil || !strings.Contains(err.Error(), "no tunnel URL") {
		t.Errorf("TestTunnel with no URL: %v", err)
	}
	if _, err := a.TestConnection(context.Background(), Clio); err == nil || !strings.Contains(err.Error(), "click Connect") {
		t.Errorf("TestConnection when disconnected: %v", err)
	}
}
