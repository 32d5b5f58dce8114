package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

func TestConnectInSandboxThenStatusShowsTheAccount(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, nil, "connect", "clio", "--sandbox", "--data", dir)
	if code != exitOK || !strings.Contains(out, "Connected clio as Alex Rivera") {
		t.Fatalf("connect: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "status", "--json", "--data", dir)
	if code != exitOK {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	var st core.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var clio core.ConnectionStatus
	for _, c := range st.Connections {
		if c.Platform == "clio" {
			clio = c
		}
	}
	if !clio.Connected || clio.Status != "connected" || clio.Account != "Alex Rivera" || clio.Email == "" || clio.Region != "us" {
		t.Fatalf("clio in status: %+v", clio)
	}
	if strings.Contains(out, "token\":") && strings.Contains(out, "access") {
		t.Fatalf("status leaks a token: %s", out)
	}
	code, out, _ = runCLI(t, nil, "disconnect", "clio", "--sandbox", "--data", dir)
	if code != exitOK || !strings.Contains(out, "Disconnected clio") {
		t.Fatalf("disconnect: exit %d %q", code, out)
	}
}

// printedAuthURL waits until out shows the authorize address that
// `connect --no-browser` prints, and returns it.
func printedAuthURL(t *testing.T, out *lockedBuffer, exited <-chan int) string {
	t.Helper()
	re := regexp.MustCompile(`Open this address to connect \w+ \(waiting up to [^)]*\):\n  (http://\S+)\n`)
	deadline := time.After(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-exited:
			t.Fatalf("connect exited %d before printing the address: %q", code, out.String())
		case <-deadline:
			t.Fatalf("no authorize address printed: %q", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var (
	formRe    = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe   = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	selectRe  = regexp.MustCompile(`(?is)<select\b([^>]*)>(.*?)</select>`)
	optionRe  = regexp.MustCompile(`(?is)<option\b([^>]*)>`)
	buttonRe  = regexp.MustCompile(`(?is)<button\b([^>]*)>`)
	htmlAttrs = regexp.MustCompile(`(?is)([a-z][a-z0-9_-]*)\s*=\s*"([^"]*)"`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range htmlAttrs.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// pressOnConsentPage does what a person does in a browser: open the
// authorize address, press the button whose value is decision, and let the
// browser follow the platform's redirect to Firmsync's loopback listener.
// It returns the page the browser ends on and its address.
func pressOnConsentPage(t *testing.T, authURL, decision string) (*url.URL, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := browser.Get(authURL)
	if err != nil {
		t.Fatalf("opening the authorize page: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("the authorize page answered %d %s: %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, f := range formRe.FindAllStringSubmatch(string(body), -1) {
		form, inner := attrs(f[1]), f[2]
		vals := url.Values{}
		for _, in := range inputRe.FindAllStringSubmatch(inner, -1) {
			if a := attrs(in[1]); a["name"] != "" {
				vals.Add(a["name"], a["value"])
			}
		}
		for _, s := range selectRe.FindAllStringSubmatch(inner, -1) {
			// A browser submits the preselected (first) option.
			if o := optionRe.FindStringSubmatch(s[2]); o != nil {
				vals.Add(attrs(s[1])["name"], attrs(o[1])["value"])
			}
		}
		pressed := false
		for _, b := range buttonRe.FindAllStringSubmatch(inner, -1) {
			if a := attrs(b[1]); a["value"] == decision && a["name"] != "" {
				vals.Add(a["name"], a["value"])
				pressed = true
			}
		}
		if !pressed {
			continue
		}
		if m := strings.ToUpper(form["method"]); m != http.MethodPost {
			t.Fatalf("the consent form is sent with %q, want POST", m)
		}
		action, err := resp.Request.URL.Parse(form["action"])
		if err != nil {
			t.Fatal(err)
		}
		// The browser follows the 302 to the loopback callback with a GET.
		resp, err := browser.PostForm(action.String(), vals)
		if err != nil {
			t.Fatalf("pressing %s: %v", decision, err)
		}
		defer resp.Body.Close()
		landed, _ := io.ReadAll(resp.Body)
		return resp.Request.URL, string(landed)
	}
	t.Fatalf("no %q button on the consent page: %.500s", decision, body)
	return nil, ""
}

func TestConnectSandboxNoBrowserWaitsForTheBrowser(t *testing.T) {
	cases := []struct {
		platform, decision string
		wantExit           int
		wantOut, wantPage  string
	}{
		{platform: core.Clio, decision: "allow", wantExit: exitOK, wantOut: "Connected clio as Alex Rivera", wantPage: "Firmsync is connected"},
		{platform: core.Lawmatics, decision: "allow", wantExit: exitOK, wantOut: "Connected lawmatics as", wantPage: "Firmsync is connected"},
		{platform: core.Zoom, decision: "allow", wantExit: exitOK, wantOut: "Connected zoom as", wantPage: "Firmsync is connected"},
		{platform: core.Box, decision: "allow", wantExit: exitOK, wantOut: "Connected box as", wantPage: "Firmsync is connected"},
		{platform: core.Zoom, decision: "deny", wantExit: exitFailure, wantPage: "Firmsync was not connected"},
	}
	for _, tc := range cases {
		t.Run(tc.platform+"/"+tc.decision, func(t *testing.T) {
			dir := t.TempDir()
			out, errOut := &lockedBuffer{}, &lockedBuffer{}
			exited := make(chan int, 1)
			go func() {
				exited <- run(context.Background(), []string{"connect", tc.platform, "--sandbox", "--no-browser", "--data", dir},
					env{stdout: out, stderr: errOut, getenv: func(string) string { return "" }})
			}()
			authURL := printedAuthURL(t, out, exited)
			// Printed, not approved: it waits for a person.
			select {
			case code := <-exited:
				t.Fatalf("connect ended (exit %d) before anyone used the consent page: %q %q", code, out.String(), errOut.String())
			case <-time.After(300 * time.Millisecond):
			}
			landed, page := pressOnConsentPage(t, authURL, tc.decision)
			if landed.Hostname() != "127.0.0.1" || landed.Path != "/"+tc.platform+"/callback" || !strings.Contains(page, tc.wantPage) {
				t.Fatalf("the browser ended on %s: %.300s", landed.Redacted(), page)
			}
			var code int
			select {
			case code = <-exited:
			case <-time.After(30 * time.Second):
				t.Fatal("connect did not finish after the browser's answer")
			}
			if code != tc.wantExit || !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("exit %d (want %d), out %q, err %q", code, tc.wantExit, out.String(), errOut.String())
			}
			if tc.wantExit != exitOK {
				if !strings.Contains(errOut.String(), "declined") {
					t.Fatalf("a Deny should say so: %q", errOut.String())
				}
				return
			}
			code, status, errText := runCLI(t, nil, "status", "--json", "--data", dir)
			if code != exitOK {
				t.Fatalf("status: exit %d: %s", code, errText)
			}
			var st core.Status
			if err := json.Unmarshal([]byte(status), &st); err != nil {
				t.Fatalf("%v: %s", err, status)
			}
			for _, c := range st.Connections {
				if c.Platform == tc.platform && (!c.Connected || c.Status != "connected") {
					t.Fatalf("%s after connecting: %+v", tc.platform, c)
				}
			}
		})
	}
}

func TestConnectSandboxNoBrowserSavesTheTokenInTheKeychain(t *testing.T) {
	ctx := context.Background()
	keychain := secrets.NewMemory()
	app, err := core.Open(ctx, core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: keychain})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	out := &lockedBuffer{}
	o := &opts{sandbox: true, noBrowse: true, args: []string{core.Zoom}}
	co := connectOptions(env{stdout: out, stderr: io.Discard, getenv: func(string) string { return "" }}, o, core.Zoom)
	if co.OpenURL == nil {
		t.Fatal("--sandbox --no-browser left the automatic approver in charge")
	}
	exited := make(chan int, 1)
	var id core.Identity
	var connectErr error
	go func() {
		id, connectErr = app.Connect(ctx, core.Zoom, co)
		exited <- 0
	}()
	pressOnConsentPage(t, printedAuthURL(t, out, exited), "allow")
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("Connect did not finish after the browser's answer")
	}
	if connectErr != nil || id.Email == "" {
		t.Fatalf("connect: %+v %v", id, connectErr)
	}
	tok, err := auth.LoadToken(ctx, keychain, core.Zoom)
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("the keychain holds no Zoom token: %+v %v", tok, err)
	}
	conn, err := app.Store().Connection(core.Zoom)
	if err != nil || conn.Status != store.ConnConnected || conn.AccountEmail != id.Email {
		t.Fatalf("connection %+v %v", conn, err)
	}

	// Without --no-browser the sandbox keeps approving by itself.
	auto := connectOptions(env{stdout: io.Discard, stderr: io.Discard}, &opts{sandbox: true, args: []string{core.Zoom}}, core.Zoom)
	if auto.OpenURL != nil {
		t.Fatal("plain --sandbox no longer approves automatically")
	}
}
