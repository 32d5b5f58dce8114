package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// runCLI runs the CLI in-process with the given environment variables.
func runCLI(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return vars[k] }
	code = run(context.Background(), args, env{stdout: &out, stderr: &errb, getenv: getenv})
	return code, out.String(), errb.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		code, out, _ := runCLI(t, nil, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, c := range []string{"serve", "sync", "status", "log", "connect", "disconnect", "retry", "sandbox", "version", "--data", "--sandbox"} {
			if !strings.Contains(out, c) {
				t.Errorf("%v: help does not mention %q:\n%s", args, c, out)
			}
		}
	}
}

func TestCommandHelp(t *testing.T) {
	cases := map[string][]string{
		"sync":    {"--job", "--json", "--dry-run", "--sandbox", "--data"},
		"log":     {"--status", "--limit", "--job", "--json"},
		"connect": {"--region", "PLATFORM"},
		"sandbox": {"--addr", "--state", "--json"},
		"status":  {"--json", "--data"},
	}
	for cmd, wants := range cases {
		code, out, _ := runCLI(t, nil, cmd, "--help")
		if code != exitOK {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s --help lacks %q:\n%s", cmd, w, out)
			}
		}
	}
}

func TestBadInputIsAUsageError(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string // fragments of the one-line message
	}{
		{"unknown command", []string{"frobnicate"}, []string{`unknown command "frobnicate"`, "serve", "sandbox"}},
		{"unknown platform", []string{"connect", "dropbox"}, []string{`unknown platform "dropbox"`, "clio, mycase, smokeball, lawmatics, zoom, box"}},
		{"unknown platform on disconnect", []string{"disconnect", "slack"}, []string{`unknown platform "slack"`, "clio"}},
		{"missing platform", []string{"connect"}, []string{"want PLATFORM"}},
		{"two platforms", []string{"connect", "clio", "box"}, []string{"want PLATFORM"}},
		{"unknown job", []string{"sync", "--job", "payroll"}, []string{`unknown job "payroll"`, "intake, contacts, folders, documents, recordings"}},
		{"second job unknown", []string{"sync", "--job", "contacts", "--job", "x"}, []string{`unknown job "x"`}},
		{"unknown job on log", []string{"log", "--job", "nope"}, []string{`unknown job "nope"`}},
		{"unknown status", []string{"log", "--status", "broken"}, []string{`unknown status "broken"`, "pending, success, failed, skipped, needs_attention"}},
		{"unknown region", []string{"connect", "clio", "--region", "mars"}, []string{`unknown region "mars"`, "us, eu, ca, au"}},
		{"region on a non-Clio platform", []string{"connect", "zoom", "--region", "eu"}, []string{"--region applies to clio only"}},
		{"unknown flag", []string{"status", "--colour"}, []string{"unknown flag colour", "--data", "--json"}},
		{"unknown desktop flag", []string{"--verbose"}, []string{"unknown flag verbose", "--data", "--sandbox"}},
		{"bad limit", []string{"log", "--limit", "ten"}, []string{"invalid value", "--limit"}},
		{"negative limit", []string{"log", "--limit", "-3"}, []string{"invalid --limit -3"}},
		{"bad retry id", []string{"retry", "abc"}, []string{`invalid item id "abc"`}},
		{"stray argument", []string{"status", "extra"}, []string{`unexpected argument "extra"`}},
		{"flag needs a value", []string{"sync", "--job"}, []string{"flag needs an argument", "--job"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, map[string]string{"FIRMSYNC_DATA": t.TempDir()}, c.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d (stderr %q)", code, exitUsage, errOut)
			}
			if out != "" {
				t.Errorf("usage error wrote to stdout: %q", out)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("want a one-line message, got %q", errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("message %q lacks %q", errOut, w)
				}
			}
		})
	}
}

func TestDesktopWithoutDisplaySaysUseServe(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("Windows and macOS always have a display, so this would open the real window; hasDisplay's rule for them is in TestHasDisplay")
	}
	code, _, errOut := runCLI(t, map[string]string{"FIRMSYNC_DATA": t.TempDir()}, "--sandbox")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	want := `no display found; for a headless machine use "firmsync serve"`
	if !strings.Contains(errOut, want) {
		t.Fatalf("stderr %q lacks %q", errOut, want)
	}
}

func TestHasDisplay(t *testing.T) {
	cases := []struct {
		goos string
		vars map[string]string
		want bool
	}{
		{"linux", nil, false},
		{"linux", map[string]string{"DISPLAY": ":0"}, true},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, true},
		{"freebsd", nil, false},
		{"darwin", nil, true},
		{"windows", nil, true},
	}
	for _, c := range cases {
		if got := hasDisplay(c.goos, func(k string) string { return c.vars[k] }); got != c.want {
			t.Errorf("hasDisplay(%s, %v) = %v, want %v", c.goos, c.vars, got, c.want)
		}
	}
}

func TestSecondProcessFailsFastWithAlreadyRunning(t *testing.T) {
	dir := t.TempDir()
	app, err := core.Open(context.Background(), core.Options{DataDir: dir, Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	start := time.Now()
	code, _, errOut := runCLI(t, map[string]string{"FIRMSYNC_DATA": dir}, "status")
	if took := time.Since(start); took > time.Second {
		t.Errorf("second open took %v, want under 1 s", took)
	}
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	if want := "firmsync is already running with data directory " + dir; !strings.Contains(errOut, want) {
		t.Fatalf("stderr %q lacks %q", errOut, want)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runCLI(t, nil, args...)
		if code != exitOK || !strings.HasPrefix(out, "firmsync ") {
			t.Fatalf("%v: exit %d, out %q", args, code, out)
		}
	}
}
