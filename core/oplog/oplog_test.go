package oplog_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core/oplog"
)

func TestSecretsNeverReachTheLogFile(t *testing.T) {
	dir := t.TempDir()
	l, err := oplog.Open(oplog.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	const tok = "tok_9f8e7d6c5b4a3210SECRET"
	l.Info("token refreshed", "access_token", tok, "platform", "box")
	l.Info("request failed", "err", errors.New("POST /oauth/token: body grant_type=refresh_token&refresh_token="+tok+"&client_secret=cs_"+tok))
	l.Info("calling", "header", "Authorization: Bearer "+tok)
	l.Info("reply", "body", `{"access_token":"`+tok+`","expires_in":3600}`)
	l.Info("callback "+"code="+tok+"&state=abc", "url", "http://127.0.0.1:53682/callback?code="+tok)
	l.Info("hook", "headers", "X-Hook-Secret: "+tok)
	l.Info("grouped", "auth", tok, "nested_secret", tok)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, oplog.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "9f8e7d6c5b4a3210") {
		t.Fatalf("token leaked into the log file:\n%s", b)
	}
	if c := strings.Count(string(b), oplog.Redacted); c < 7 {
		t.Fatalf("expected at least 7 redactions, got %d:\n%s", c, b)
	}
	if !strings.Contains(string(b), "platform=box") {
		t.Fatalf("ordinary attributes were lost:\n%s", b)
	}
	fi, err := os.Stat(filepath.Join(dir, oplog.FileName))
	if err != nil {
		t.Fatal(err)
	}
	// Windows has no Unix modes (every writable file reads 0666); the data
	// directory under the user's profile is what protects the log there.
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestRedactString(t *testing.T) {
	cases := []struct{ in, mustNotContain string }{
		{"Authorization: Bearer abc.def-ghi", "abc.def"},
		{"GET /x?access_token=abc123&x=1", "abc123"},
		{`{"refresh_token": "zzz999"}`, "zzz999"},
		{"code=q1w2e3&state=s", "q1w2e3"},
		{"x-zm-signature: v0=deadbeef", "deadbeef"},
	}
	for _, c := range cases {
		got := oplog.RedactString(c.in)
		if strings.Contains(got, c.mustNotContain) {
			t.Errorf("RedactString(%q) = %q still holds %q", c.in, got, c.mustNotContain)
		}
	}
	if got := oplog.RedactString("synced 12 contacts"); got != "synced 12 contacts" {
		t.Errorf("plain text changed: %q", got)
	}
}
