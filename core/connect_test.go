package core_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// opLogCopy receives the copy of the operational log (Options.LogTo).
type opLogCopy struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *opLogCopy) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *opLogCopy) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestConnectIgnoresStrayCallbacksAndLogsThemOnce(t *testing.T) {
	ctx := context.Background()
	keychain := secrets.NewMemory()
	logs := &opLogCopy{}
	app, err := core.Open(ctx, core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: keychain, LogTo: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	const strays = 50
	open := func(ctx context.Context, authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		callback := u.Query().Get("redirect_uri")
		// A web page's <img> loop at the callback, before the user's
		// browser comes back with the right state.
		for i := range strays {
			target := callback + "?code=forged-code&state=forged-state"
			if i%2 == 1 {
				target = callback
			}
			resp, err := http.Get(target)
			if err != nil {
				t.Errorf("stray %d: %v", i, err)
				continue
			}
			resp.Body.Close()
		}
		return sandbox.Approver{}.Open(ctx, authURL)
	}
	id, err := app.Connect(ctx, core.Clio, core.ConnectOptions{OpenURL: open})
	if err != nil {
		t.Fatalf("stray requests ended the sign-in: %v", err)
	}
	if tok, err := auth.LoadToken(ctx, keychain, core.Clio); err != nil || tok.AccessToken == "" {
		t.Fatalf("no token in the keychain: %v", err)
	}
	if c, err := app.Store().Connection(core.Clio); err != nil || c.Status != store.ConnConnected || c.AccountEmail != id.Email {
		t.Fatalf("connection %+v %v", c, err)
	}
	text := logs.String()
	if n := strings.Count(text, "ignored a request"); n != 1 {
		t.Errorf("%d log lines for %d stray requests, want 1 (rate-limited):\n%s", n, strays, text)
	}
	if !strings.Contains(text, "ignored=50") {
		t.Errorf("no summary of the ignored requests:\n%s", text)
	}
	if strings.Contains(text, "forged") {
		t.Errorf("the log repeats a stranger's query:\n%s", text)
	}
}
