package jobs_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/jobs"
)

func TestRecordingsNoteSubject(t *testing.T) {
	start := time.Date(2026, 11, 21, 23, 30, 0, 0, time.FixedZone("X", -5*3600)) // Nov 22 in UTC
	if got, want := jobs.CallNoteSubject("Case strategy call", start), "Zoom call — Case strategy call (Nov 22, 2026)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if got, want := jobs.CallNoteSubject("  ", time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)), "Zoom call — Zoom meeting (Mar 04, 2026)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
}

func TestRecordingsTruncateTranscript(t *testing.T) {
	cases := []struct {
		in    string
		limit int
		want  string
		cut   bool
	}{
		{"a: 1\nb: 2", 100, "a: 1\nb: 2", false},
		{"a: 1\nb: 2", 9, "a: 1\nb: 2", false},
		{"a: 1\nb: 22", 9, "a: 1", true},
		{"a: 1\nb: 2\nc: 3", 10, "a: 1\nb: 2", true}, // the limit falls on a line break
		{"one long line here", 10, "one long", true},
		{"ééééééééé", 4, "éééé", true},
		{"a: 1\nb: 2", 0, "a: 1\nb: 2", false},
	}
	for _, c := range cases {
		got, cut := jobs.TruncateTranscript(c.in, c.limit)
		if got != c.want || cut != c.cut {
			t.Errorf("TruncateTranscript(%q, %d) = %q, %v; want %q, %v", c.in, c.limit, got, cut, c.want, c.cut)
		}
		if !utf8.ValidString(got) || (c.limit > 0 && utf8.RuneCountInString(got) > c.limit) {
			t.Errorf("TruncateTranscript(%q, %d) = %q: over the limit or invalid", c.in, c.limit, got)
		}
	}
}

func TestRecordingsNoteBody(t *testing.T) {
	m := zoom.Meeting{UUID: "abc/+==", Topic: "Case strategy call", StartTime: time.Date(2026, 11, 21, 15, 4, 0, 0, time.UTC), Duration: 35}
	n := jobs.CallNote{
		Meeting: m, Host: "Sandbox Owner <owner@sandbox.zoom.test>",
		Summary: &zoom.MeetingSummary{SummaryOverview: "We talked.", SummaryDetails: []zoom.SummaryDetail{{Label: "Deadline", Summary: "Friday."}},
			NextSteps: []string{"Review", "File"}},
		HasTranscript: true, Transcript: strings.Repeat("Al: words words words\n", 20), TranscriptLimit: 50,
		RecordingURL: "https://zoom.test/rec/play/1",
	}
	body := n.Body()
	for _, want := range []string{
		"Meeting: Case strategy call\nDate: Nov 21, 2026, 3:04 PM UTC\nDuration: 35 minutes\nHost: Sandbox Owner <owner@sandbox.zoom.test>\n",
		"\nAI summary\nOverview: We talked.\nDeadline: Friday.\nNext steps:\n- Review\n- File\n",
		"\nCall transcript\nAl: words words words\nAl: words words words\n[Transcript truncated at 50 characters. The full transcript is in the Zoom recording.]\n",
		"\nFull recording: https://zoom.test/rec/play/1\n",
		"\nZoom meeting ID: abc/+==\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if i, j := strings.Index(body, "AI summary"), strings.Index(body, "Call transcript"); i < 0 || j < i || strings.Index(body, "Full recording") < j {
		t.Errorf("sections out of order:\n%s", body)
	}

	n.Summary, n.SummaryMissing = nil, "Zoom had no AI summary; posted without it."
	n.HasTranscript, n.TranscriptMissing = false, ""
	n.Summary = nil
	body = n.Body()
	if !strings.Contains(body, "AI summary\nZoom had no AI summary; posted without it.\n") || !strings.Contains(body, "Call transcript\nNo transcript is available") {
		t.Errorf("missing parts not said:\n%s", body)
	}
	// Markdown-only summary.
	n.Summary = &zoom.MeetingSummary{SummaryContent: "## Quick recap\nAll good."}
	if body = n.Body(); !strings.Contains(body, "AI summary\n## Quick recap\nAll good.\n") {
		t.Errorf("markdown summary not used:\n%s", body)
	}
}
