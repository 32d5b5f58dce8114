package main

import (
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core/jobs"
)

// TestRetryAgainstASandboxElsewhere: `firmsync retry` takes --sandbox-url
// like `sync`. A call with a stranger is parked by a sync against a
// sandbox in another process; once the person is added in Clio, `retry
// --sandbox-url` posts the call note there. A wrong URL is a one-line
// error.
func TestRetryAgainstASandboxElsewhere(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Size: sandbox.Size{Contacts: 4, Matters: 2, Documents: 2, Recordings: 1, Prospects: 2}, RateWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	const stranger = "new.client@retry-elsewhere.example"
	m, err := sb.Zoom().EndMeeting(zoomfake.MeetingInput{
		Topic: "First call", HostEmail: "owner@sandbox.zoom.test", Participants: []string{stranger},
		Start: time.Now().Add(-time.Hour), Duration: 20,
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Client", Text: "Hello."}},
		Summary:         &zoomfake.Summary{Overview: "A first call."},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, nil, "sync", "--sandbox-url", sb.AdminURL(), "--data", dir, "--job", "recordings"); code != exitFailure {
		t.Fatalf("sync with an unmatched call: exit %d, want %d (stdout %q, stderr %q)", code, exitFailure, out, errOut)
	}
	if _, err := sb.Clio().CreateContact(cliofake.ContactInput{FirstName: "New", LastName: "Client", Email: stranger}); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(t, nil, "retry", "--sandbox-url", sb.AdminURL(), "--data", dir, "--job", "recordings")
	if code != exitOK || !strings.Contains(out, "recordings: succeeded (1 created") {
		t.Fatalf("retry: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	marker := jobs.CallNoteMarker(m.UUID)
	posted := 0
	for _, n := range sb.Clio().Notes() {
		if strings.Contains(n.Detail, marker) {
			posted++
		}
	}
	if posted != 1 {
		t.Fatalf("%d notes for the retried call in the sandbox elsewhere, want 1", posted)
	}

	for _, bad := range []string{"not a url", "http://127.0.0.1:1/_sandbox"} {
		code, _, errOut := runCLI(t, nil, "retry", "--sandbox-url", bad, "--data", t.TempDir())
		if code == exitOK || strings.Count(strings.TrimSpace(errOut), "\n") > 0 || !strings.Contains(errOut, "sandbox") {
			t.Errorf("--sandbox-url %q: exit %d, stderr %q", bad, code, errOut)
		}
	}
}
