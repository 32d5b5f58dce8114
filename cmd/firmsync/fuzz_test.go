package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// FuzzCLIArgs feeds arbitrary command lines to the parser. Whatever the
// input, it must not panic, and a usage error must be one line on stderr
// with exit code 2. Commands that would start real work are not run: the
// fuzzer only reaches them with valid flags, which is checked by exit code
// alone, against a throw-away data directory.
func FuzzCLIArgs(f *testing.F) {
	for _, s := range []string{
		"status --json", "log --status failed --limit 5", "connect dropbox", "sync --job nope",
		"--help", "retry abc", "connect clio --region mars", "sandbox --addr 10.0.0.1:80",
		"log --limit -1", "-x", "version", "connect zoom --paste-code", "sync --job\x00", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		if len(args) > 0 {
			switch args[0] {
			case "serve", "sandbox", "sync", "connect", "disconnect", "retry":
				// These do real work on valid input: parse only.
				c, _ := findCommand(args[0])
				checkParse(t, c, args[1:])
				return
			}
		}
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			// The desktop app: parse only (it would open a window).
			checkParse(t, desktopCommand(), args)
			return
		}
		var out, errb bytes.Buffer
		dir := t.TempDir()
		code := run(context.Background(), args, env{stdout: &out, stderr: &errb, getenv: func(k string) string {
			if k == "FIRMSYNC_DATA" {
				return dir
			}
			return ""
		}})
		if code == exitUsage && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Fatalf("usage error is not one line: %q", errb.String())
		}
	})
}

// checkParse runs only the flag parsing and validation of c.
func checkParse(t *testing.T, c command, args []string) {
	t.Helper()
	saved := c.run
	c.run = func(context.Context, env, *opts) error { return nil }
	var out, errb bytes.Buffer
	code := runCommand(context.Background(), env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, c, args)
	c.run = saved
	if code == exitUsage && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
		t.Fatalf("usage error is not one line: %q", errb.String())
	}
	if code != exitUsage && code != exitOK {
		t.Fatalf("parse-only run exited %d: %s", code, errb.String())
	}
}
