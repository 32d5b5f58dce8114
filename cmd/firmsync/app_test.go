package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
)

func TestAppBadInputIsAUsageError(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown action", []string{"app", "delete", "clio"}, `unknown action "delete" (valid: set, show)`},
		{"unknown platform", []string{"app", "show", "dropbox"}, `unknown platform "dropbox"`},
		{"no platform", []string{"app", "show"}, "want set|show PLATFORM"},
		{"set without a client id", []string{"app", "set", "clio"}, "app set needs --client-id ID"},
		{"client id on show", []string{"app", "show", "clio", "--client-id", "x"}, "--client-id applies to app set only"},
		{"secret on the command line", []string{"app", "set", "clio", "--client-id", "x", "--client-secret", "y"}, "unknown flag client-secret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, map[string]string{"FIRMSYNC_DATA": t.TempDir()}, c.args...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, c.want)
			}
		})
	}
}

func TestAppSecretIsReadFromAPipe(t *testing.T) {
	cases := []struct {
		name, in, want, err string
		nilStdin            bool
	}{
		{name: "line", in: "s3cret\n", want: "s3cret"},
		{name: "CRLF", in: "s3cret\r\n", want: "s3cret"},
		{name: "no newline", in: "s3cret", want: "s3cret"},
		{name: "no stdin", nilStdin: true, err: "pipe it in on standard input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := env{stdin: strings.NewReader(c.in), stdout: &strings.Builder{}, stderr: &strings.Builder{}}
			if c.nilStdin {
				e.stdin = nil
			}
			got, err := readSecret(context.Background(), e, "prompt: ")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %q, %v; want error %q", got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
			if s := e.stderr.(*strings.Builder).String(); s != "" {
				t.Errorf("a pipe got a prompt: %q", s)
			}
		})
	}
}

// TestAppSetShowWithARealKeyring enters a developer app the way a server
// admin does (secret piped in), under a private session bus with an
// unlocked gnome-keyring, then shows it: the id, a masked secret and the
// redirect URI, never the secret.
func TestAppSetShowWithARealKeyring(t *testing.T) {
	env := privateKeyring(t)
	data := t.TempDir()
	const secret = "clio-secret-0123456789-wxyz"
	code, out, errOut := runProgram(t, env, secret+"\n", "app", "set", "clio", "--client-id", "clio-id-42", "--data", data)
	if code != exitOK {
		t.Fatalf("app set: exit %d: %s%s", code, out, errOut)
	}
	for _, w := range []string{"client id clio-id-42", "••••wxyz", "http://127.0.0.1:53682/clio/callback", "firmsync connect clio"} {
		if !strings.Contains(out, w) {
			t.Errorf("app set output lacks %q:\n%s", w, out)
		}
	}
	code, out, errOut = runProgram(t, env, "", "app", "show", "clio", "--data", data)
	if code != exitOK {
		t.Fatalf("app show: exit %d: %s", code, errOut)
	}
	for _, w := range []string{"in the keychain", "clio-id-42", "••••wxyz", "http://127.0.0.1:53682/clio/callback", "https://app.clio.com/oauth/approval"} {
		if !strings.Contains(out, w) {
			t.Errorf("app show lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out+errOut, secret) {
		t.Errorf("the secret was printed:\n%s%s", out, errOut)
	}
	_, out, _ = runProgram(t, env, "", "app", "show", "box", "--json", "--data", data)
	var ac core.AppCredentials
	if err := json.Unmarshal([]byte(out), &ac); err != nil || ac.Source != core.AppNone || ac.RedirectURI != "http://127.0.0.1:53682/box/callback" {
		t.Errorf("app show box --json: %+v %v (%s)", ac, err, out)
	}

	// Smokeball's API key comes on the line after the secret and is shown
	// masked, never in full; without it the app is not saved.
	const key = "smokeball-api-key-0123456789-KEY9"
	code, out, errOut = runProgram(t, env, "sb-secret-0123456789-abcd\n"+key+"\n", "app", "set", "smokeball", "--client-id", "sb-id-7", "--data", data)
	if code != exitOK || !strings.Contains(out, "API key ••••KEY9") || strings.Contains(out+errOut, key) {
		t.Errorf("app set smokeball: exit %d: %q %q", code, out, errOut)
	}
	if _, out, _ = runProgram(t, env, "", "app", "show", "smokeball", "--data", data); !strings.Contains(out, "API key:        ••••KEY9") || strings.Contains(out, key) {
		t.Errorf("app show smokeball:\n%s", out)
	}
	if code, _, errOut = runProgram(t, env, "only-a-secret-0123456789\n", "app", "set", "smokeball", "--client-id", "sb-id-8", "--data", data); code == exitOK ||
		!strings.Contains(errOut, "API key") {
		t.Errorf("app set smokeball without a key: exit %d, %q", code, errOut)
	}

	// Disconnecting a platform that was never connected leaves its
	// developer app alone.
	code, out, errOut = runProgram(t, env, "", "disconnect", "clio", "--data", data)
	if code != exitOK || !strings.Contains(out, "clio is not connected") || errOut != "" {
		t.Errorf("disconnect: exit %d, %q, %q", code, out, errOut)
	}
	if _, out, _ = runProgram(t, env, "", "app", "show", "clio", "--data", data); !strings.Contains(out, "clio-id-42") {
		t.Errorf("the developer app is gone after disconnect:\n%s", out)
	}
}
