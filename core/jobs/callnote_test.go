package jobs_test

import (
	"fmt"
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
	// One 6,000-character answer after a short line: the old cut went back
	// to the last line break and kept 42 characters.
	answer := "Jane Client: " + strings.TrimSpace(strings.Repeat("word ", 1200))
	turn := "Sandbox Owner: Tell me what happened then.\n" + answer
	noSpaces := strings.Repeat("長い回答です", 1000) // 6,000 characters, no spaces
	combining := strings.Repeat("e\u0301", 10) // é as e + combining acute
	cases := []struct {
		name  string
		in    string
		limit int
		want  string
		cut   bool
	}{
		{"fits", "a: 1\nb: 2", 100, "a: 1\nb: 2", false},
		{"exactly the limit", "a: 1\nb: 2", 9, "a: 1\nb: 2", false},
		{"no limit", "a: 1\nb: 2", 0, "a: 1\nb: 2", false},
		{"limit on a line break", "a: 1\nb: 2\nc: 3", 10, "a: 1\nb: 2", true},
		{"limit on a space", "one long line here", 8, "one long", true},
		{"mid-word goes back to the word's start", "one long line here", 11, "one long", true},
		{"mid-word in a later line keeps the line's start", "a: 1\nb: two three", 14, "a: 1\nb: two", true},
		{"6,000-char single turn", turn, 5000, turn[:strings.LastIndex(turn[:5001], " ")], true},
		{"multibyte words", "grüße ünïcödé grüße ünïcödé", 17, "grüße ünïcödé", true},
		{"multibyte, no spaces", noSpaces, 5000, string([]rune(noSpaces)[:5000]), true},
		{"a long word after a short one is cut between characters", "ab " + strings.Repeat("x", 100), 50, "ab " + strings.Repeat("x", 47), true},
		{"combining marks stay with their letter", combining, 5, "e\u0301e\u0301", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, cut := jobs.TruncateTranscript(c.in, c.limit)
			if got != c.want || cut != c.cut {
				t.Errorf("TruncateTranscript(%.60q…, %d) = %.60q… (%d runes), %v; want %.60q… (%d runes), %v",
					c.in, c.limit, got, utf8.RuneCountInString(got), cut, c.want, utf8.RuneCountInString(c.want), c.cut)
			}
			if !utf8.ValidString(got) || (c.limit > 0 && utf8.RuneCountInString(got) > c.limit) {
				t.Errorf("result over the limit or invalid UTF-8: %d runes", utf8.RuneCountInString(got))
			}
		})
	}
	// The 6,000-character turn keeps nearly all the limit allows.
	if got, _ := jobs.TruncateTranscript(turn, 5000); utf8.RuneCountInString(got) < 4990 || !strings.HasPrefix(got, "Sandbox Owner: Tell me what happened then.\nJane Client: word word") {
		t.Errorf("6,000-char turn kept %d characters", utf8.RuneCountInString(got))
	}
}

func TestRecordingsNoteSaysWhereTheFullTranscriptIs(t *testing.T) {
	answer := "Jane Client: " + strings.TrimSpace(strings.Repeat("word ", 1200))
	n := jobs.CallNote{
		Meeting:       zoom.Meeting{UUID: "/sLaSh+uuid==", Topic: "Long answer", Duration: 30},
		HasTranscript: true, Transcript: "Sandbox Owner: Go on.\n" + answer, TranscriptLimit: 5000,
		RecordingURL: "https://zoom.test/rec/play/9",
	}
	total := utf8.RuneCountInString(n.Transcript)
	body := n.Body()
	_, rest, _ := strings.Cut(body, "\nCall transcript\n")
	tr, tail, ok := strings.Cut(rest, "\n[Transcript shortened to its first ")
	if !ok {
		t.Fatalf("no shortening notice:\n%.300s", rest)
	}
	if k := utf8.RuneCountInString(tr); k < 4990 || k > 5000 {
		t.Errorf("kept %d characters of transcript, want nearly 5,000", k)
	}
	want := fmt.Sprintf(" of %d,%03d characters (the note limit is 5,000). The full transcript is with the Zoom recording: https://zoom.test/rec/play/9]\n", total/1000, total%1000)
	if !strings.HasPrefix(tail, "4,99") || !strings.Contains(tail, want) {
		t.Errorf("notice %.200q, want it to contain %q", tail, want)
	}
	n.RecordingURL = ""
	if body := n.Body(); !strings.Contains(body, "The full transcript is in the host's Zoom cloud recordings]") {
		t.Errorf("no place named without a link:\n%s", body[len(body)-300:])
	}
}

func TestRecordingsNoteUsesHostEditedSummary(t *testing.T) {
	ai := zoom.MeetingSummary{SummaryOverview: "AI overview.", SummaryDetails: []zoom.SummaryDetail{{Label: "Fees", Summary: "AI text."}}, NextSteps: []string{"AI step"}}
	cases := []struct {
		name    string
		edited  *zoom.EditedSummary
		want    []string
		notWant []string
	}{
		{"not edited", nil, []string{"AI summary\nOverview: AI overview.\nFees: AI text.\nNext steps:\n- AI step\n"}, []string{"Edited"}},
		{"empty edit", &zoom.EditedSummary{SummaryDetails: "  "}, []string{"Overview: AI overview."}, []string{"Edited"}},
		{"text and steps", &zoom.EditedSummary{SummaryDetails: "Host's account.\nFee agreed.", NextSteps: []string{"Send agreement"}},
			[]string{"AI summary\n(Edited by the host in Zoom.)\nHost's account.\nFee agreed.\nNext steps:\n- Send agreement\n"},
			[]string{"AI overview", "AI text", "AI step"}},
		{"steps only", &zoom.EditedSummary{NextSteps: []string{"Host step"}},
			[]string{"(Edited by the host in Zoom.)\nOverview: AI overview.\nFees: AI text.\nNext steps:\n- Host step\n"}, []string{"AI step"}},
		{"text only keeps the AI's steps", &zoom.EditedSummary{SummaryDetails: "Host text."},
			[]string{"(Edited by the host in Zoom.)\nHost text.\nNext steps:\n- AI step\n"}, []string{"AI overview"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ai
			s.EditedSummary = c.edited
			body := jobs.CallNote{Meeting: zoom.Meeting{UUID: "u"}, Summary: &s}.Body()
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("note lacks %q:\n%s", w, body)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(body, w) {
					t.Errorf("note has %q:\n%s", w, body)
				}
			}
		})
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
		"\nCall transcript\nAl: words words words\nAl: words words words\nAl:\n[Transcript shortened to its first 47 of 440 characters (the note limit is 50). The full transcript is with the Zoom recording: https://zoom.test/rec/play/1]\n",
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
