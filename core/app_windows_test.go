package core_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// TestWindowsInstanceInANonASCIIProfile runs the whole app from a data
// directory under a user profile with a space and non-ASCII letters: the
// database, the log and the control endpoint live there, the CLI's Dial
// reaches the instance through loopback TCP with the token from the
// endpoint file, and a request without the token is refused.
func TestWindowsInstanceInANonASCIIProfile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Users", "Zoë Müller", "AppData", "Roaming", "firmsync")
	app := openFastSandboxApp(t, dir, secrets.NewMemory())
	defer app.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	select {
	case <-app.Ready():
	case err := <-done:
		t.Fatalf("Run ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("Run never became ready")
	}
	ep, err := os.ReadFile(core.ControlSocket(dir))
	if err != nil {
		t.Fatalf("endpoint file: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(ep)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "127.0.0.1:") || len(lines[2]) < 32 {
		t.Fatalf("endpoint file %q: want a loopback address and a token", ep)
	}
	// Another local user can connect to the port, but not without the token.
	for _, auth := range []string{"", "Bearer not-the-token"} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+lines[1]+"/status", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("request with %q answered %s, want 401", auth, resp.Status)
		}
	}
	r, err := core.Dial(dir)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	st, err := r.Status(ctx)
	if err != nil || st.DataDir != dir {
		t.Fatalf("remote status: %q, %v; want data dir %q", st.DataDir, err, dir)
	}
	res, err := r.Sync(ctx, []string{"intake"}, false)
	if err != nil || len(res.Jobs) != 1 || res.Jobs[0].Error != "" {
		t.Fatalf("remote sync %+v %v", res, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "logs", "firmsync.log")); err != nil || fi.Size() == 0 {
		t.Fatalf("operational log in %s: %v", dir, err)
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
	if _, err := os.Stat(core.ControlSocket(dir)); !os.IsNotExist(err) {
		t.Fatalf("endpoint file left after stopping: %v", err)
	}
}
