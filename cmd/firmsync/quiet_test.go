package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// childEnv is this process's environment without the named variables and
// with set added, for running the program as a child.
func childEnv(set map[string]string, drop ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok || contains(drop, k) {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return append(out, "FIRMSYNC_TEST_AS_MAIN=1")
}

// runProgram runs the program (this test binary as main) to the end.
func runProgram(t *testing.T, env []string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running %v: %v", args, err)
		}
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// TestQuietUnderTheCLocale runs headless commands as a server runs them,
// with LANG=C.UTF-8 and no session bus: none may print toolkit noise. The
// GUI toolkit used to log three "Fyne error: Error parsing user locale C"
// lines from its initialisation, before main, for every command.
func TestQuietUnderTheCLocale(t *testing.T) {
	data := t.TempDir()
	env := childEnv(map[string]string{"LANG": "C.UTF-8", "FIRMSYNC_DATA": data},
		"LC_ALL", "LC_MESSAGES", "LANGUAGE", "DBUS_SESSION_BUS_ADDRESS")
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"version"}, exitOK},
		{[]string{"status"}, exitOK},
		{[]string{"log"}, exitOK},
		{[]string{"sync"}, exitFailure}, // nothing is connected
		{[]string{"disconnect", "clio"}, exitOK},
		{[]string{"help"}, exitOK},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, errOut := runProgram(t, env, "", c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errOut)
			}
			for _, noise := range []string{"Fyne error", "locale", "Cause:"} {
				if strings.Contains(errOut, noise) {
					t.Errorf("stderr carries toolkit noise %q:\n%s", noise, errOut)
				}
			}
		})
	}
}

// TestQuietKeychainStartsNoDaemons runs secret-touching commands without
// a session bus, with a dbus-launch on PATH that records being run. The
// D-Bus library used to run it, and each command left a dbus-daemon and a
// gnome-keyring-daemon behind, then told the user to install gnome-keyring.
func TestQuietKeychainStartsNoDaemons(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the keychain needs no D-Bus session here (Credential Manager, Keychain)")
	}
	uid := strconv.Itoa(os.Getuid())
	for _, f := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join("/run/user", uid, f)); err == nil {
			t.Skip("this machine has a per-user session bus under /run/user")
		}
	}
	bin := t.TempDir()
	called := filepath.Join(bin, "called")
	stub := "#!/bin/sh\necho launched >> '" + called + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	mark := randomHex(t)
	env := childEnv(map[string]string{
		"PATH":                 bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"FIRMSYNC_DATA":        t.TempDir(),
		"FIRMSYNC_ORPHAN_MARK": mark,
	}, "DBUS_SESSION_BUS_ADDRESS")
	cases := []struct {
		args  []string
		stdin string
	}{
		{[]string{"app", "show", "clio"}, ""},
		{[]string{"app", "set", "zoom", "--client-id", "zoom-id"}, "zoom-secret-0123456789\n"},
	}
	for _, c := range cases {
		code, _, errOut := runProgram(t, env, c.stdin, c.args...)
		if code != exitFailure {
			t.Errorf("%v: exit %d, want 1 (stderr %q)", c.args, code, errOut)
		}
		for _, w := range []string{"no desktop session", "DBUS_SESSION_BUS_ADDRESS", "dbus-run-session"} {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errOut, w)
			}
		}
		if strings.Contains(errOut, "apt-get install") {
			t.Errorf("%v: %q tells the user to install a keyring; the session is what is missing", c.args, errOut)
		}
		if strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: want one line, got %q", c.args, errOut)
		}
	}
	if b, err := os.ReadFile(called); err == nil {
		t.Errorf("dbus-launch was run: %q", b)
	}
	// Anything started on the program's behalf inherits its environment:
	// look for survivors carrying the mark.
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := processesMarked(mark)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, p := range left {
				_ = p.Kill() // started by this test: do not leave them either
			}
			t.Fatalf("processes started by the commands survive them: %v", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// processesMarked finds the processes whose environment holds
// FIRMSYNC_ORPHAN_MARK=mark.
func processesMarked(mark string) []*os.Process {
	want := []byte("FIRMSYNC_ORPHAN_MARK=" + mark)
	ents, _ := os.ReadDir("/proc")
	var found []*os.Process
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(b, []byte{0}) {
			if bytes.Equal(kv, want) {
				if p, err := os.FindProcess(pid); err == nil {
					found = append(found, p)
				}
			}
		}
	}
	return found
}

// privateKeyring starts a session bus and an unlocked gnome-keyring on it,
// as `dbus-run-session` plus `gnome-keyring-daemon --unlock` do on a
// server, both children of the test so they end with it. It returns the
// environment for the program.
func privateKeyring(t *testing.T) []string {
	t.Helper()
	for _, b := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("needs %s", b)
		}
	}
	home := t.TempDir()
	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	bus.Env = childEnv(map[string]string{"HOME": home})
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Process.Kill(); _ = bus.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the bus address: %v", err)
	}
	addr = strings.TrimSpace(addr)
	env := map[string]string{"HOME": home, "DBUS_SESSION_BUS_ADDRESS": addr, "XDG_RUNTIME_DIR": home}
	kr := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	kr.Env = childEnv(env)
	kr.Stdin = strings.NewReader("test-keyring-password")
	if err := kr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kr.Process.Kill(); _ = kr.Wait() })
	// The keyring owns its bus name a moment after starting.
	deadline := time.Now().Add(10 * time.Second)
	for {
		probe := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
			"org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets")
		probe.Env = childEnv(env)
		if b, err := probe.Output(); err == nil && strings.Contains(string(b), "true") {
			break
		}
		if time.Now().After(deadline) {
			t.Skip("gnome-keyring-daemon did not come up on the private bus")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return childEnv(env, "LC_ALL", "LANGUAGE")
}
