package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
)

func TestSandboxCommandPrintsOneJSONLineQuickly(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		done <- run(ctx, []string{"sandbox", "--json", "--state", t.TempDir()}, env{stdout: pw, stderr: io.Discard, getenv: func(string) string { return "" }})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("ready line after %v, want under 2 s", took)
	}
	var info sandbox.Info
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	for _, p := range []string{"clio", "lawmatics", "zoom", "box"} {
		pi := info.Platforms[p]
		if pi.APIBase == "" || pi.OAuthBase == "" || pi.Token == "" {
			t.Errorf("%s info incomplete: %+v", p, pi)
		}
	}
	if info.Platforms["box"].UploadBase == "" || info.Platforms["zoom"].WebhookSecret == "" || info.Platforms["box"].WebhookPrimaryKey == "" {
		t.Errorf("signing material missing: %+v", info.Platforms)
	}
	// What official SDKs need is seeded and named.
	sd := info.Seeded
	hasField := false
	for _, f := range sd.ClioCustomFields {
		hasField = hasField || (f.Name == sandbox.SeedCustomFieldName && f.FieldType == "text_line" && f.ParentType == "Matter" && f.ID != 0)
	}
	if !hasField || len(sd.ZoomExternalContacts) < 3 || len(sd.ZoomSlashUUIDMeetings) != 1 ||
		!strings.HasPrefix(sd.ZoomSlashUUIDMeetings[0].UUID, "/") || !strings.HasPrefix(sd.ZoomSlashUUIDMeetings[0].PathSegment, "%252F") {
		t.Errorf("seeded objects missing from the JSON: %+v", sd)
	}
	for _, k := range []string{`"clio_custom_fields":[{"id":`, `"zoom_phone_external_contacts":[{"external_contact_id":`, `"zoom_slash_uuid_meetings":[{"uuid":"/`} {
		if !strings.Contains(line, k) {
			t.Errorf("JSON lacks %s: %s", k, line)
		}
	}
	// curl-equivalent: a Clio list with the developer token.
	req, _ := http.NewRequest("GET", info.Platforms["clio"].APIBase+"/users/who_am_i.json?fields=name", nil)
	req.Header.Set("Authorization", "Bearer "+info.Platforms["clio"].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"name"`) {
		t.Fatalf("who_am_i: %d %s", resp.StatusCode, b)
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestSandboxRefusesNonLoopback(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "sandbox", "--addr", "0.0.0.0:8080")
	if code != exitUsage || !strings.Contains(errOut, "loopback only") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
