package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// CallNote is everything a meeting's call note says.
type CallNote struct {
	Meeting zoom.Meeting
	Host    string // "Jane Doe <jane@firm.test>"

	Summary        *zoom.MeetingSummary // nil when missing
	SummaryMissing string               // why it is missing (said in the note)

	Transcript        string // already converted to "Speaker: text" lines
	HasTranscript     bool
	TranscriptMissing string // why it is missing (said in the note)
	TranscriptLimit   int    // characters; <= 0 means no limit

	RecordingURL string // the MP4's play URL (or another file's)
}

// CallNoteMarker is the line every call note carries, so a note can be
// found again (crash reconciliation) by the meeting's UUID.
func CallNoteMarker(uuid string) string { return "Zoom meeting ID: " + uuid }

// CallNoteSubject is "Zoom call — <topic> (<Mon DD, YYYY>)", dated by the
// meeting's start in UTC.
func CallNoteSubject(topic string, start time.Time) string {
	topic = strings.Join(strings.Fields(topic), " ")
	if topic == "" {
		topic = "Zoom meeting"
	}
	return fmt.Sprintf("Zoom call — %s (%s)", topic, start.UTC().Format("Jan 02, 2006"))
}

// Body renders the note text: meeting facts, the AI summary, the
// transcript (cut at the limit), the recording link and the marker line.
func (n CallNote) Body() string {
	m := n.Meeting
	var b strings.Builder
	topic := strings.Join(strings.Fields(m.Topic), " ")
	if topic == "" {
		topic = "Zoom meeting"
	}
	fmt.Fprintf(&b, "Meeting: %s\n", topic)
	fmt.Fprintf(&b, "Date: %s\n", m.StartTime.UTC().Format("Jan 02, 2006, 3:04 PM MST"))
	fmt.Fprintf(&b, "Duration: %d minutes\n", m.Duration)
	host := n.Host
	if host == "" {
		host = "unknown"
	}
	fmt.Fprintf(&b, "Host: %s\n", host)

	b.WriteString("\nAI summary\n")
	if n.Summary == nil {
		b.WriteString(callNoteOr(n.SummaryMissing, "No AI summary is available for this meeting.") + "\n")
	} else {
		b.WriteString(callNoteSummary(*n.Summary))
	}

	b.WriteString("\nCall transcript\n")
	switch {
	case !n.HasTranscript:
		b.WriteString(callNoteOr(n.TranscriptMissing, "No transcript is available for this meeting.") + "\n")
	case strings.TrimSpace(n.Transcript) == "":
		b.WriteString("The transcript is empty.\n")
	default:
		text, cut := TruncateTranscript(n.Transcript, n.TranscriptLimit)
		b.WriteString(text + "\n")
		if cut {
			where := "in the host's Zoom cloud recordings"
			if n.RecordingURL != "" {
				where = "with the Zoom recording: " + n.RecordingURL
			}
			fmt.Fprintf(&b, "[Transcript shortened to its first %s of %s characters (the note limit is %s). The full transcript is %s]\n",
				callNoteThousands(utf8.RuneCountInString(text)), callNoteThousands(utf8.RuneCountInString(n.Transcript)),
				callNoteThousands(n.TranscriptLimit), where)
		}
	}

	if n.RecordingURL != "" {
		fmt.Fprintf(&b, "\nFull recording: %s\n", n.RecordingURL)
	} else {
		b.WriteString("\nFull recording: in the host's Zoom cloud recordings\n")
	}
	fmt.Fprintf(&b, "\n%s\n", CallNoteMarker(m.UUID))
	return b.String()
}

// callNoteSummary renders a summary: overview, "Label: summary" details,
// next steps as a list. What the host edited in Zoom wins over what AI
// Companion wrote: the edited text (one string in Zoom's edited_summary)
// replaces the overview and sections, edited next steps replace the
// generated ones, and the note says the summary was edited. When only the
// Markdown content is there, it is used as is.
func callNoteSummary(s zoom.MeetingSummary) string {
	var b strings.Builder
	edited, editedSteps := "", []string(nil)
	if e := s.EditedSummary; e.Edited() {
		b.WriteString("(Edited by the host in Zoom.)\n")
		edited, editedSteps = strings.TrimSpace(e.SummaryDetails), callNoteList(e.NextSteps)
	}
	if edited != "" {
		b.WriteString(edited + "\n")
	} else {
		if o := strings.TrimSpace(s.SummaryOverview); o != "" {
			fmt.Fprintf(&b, "Overview: %s\n", o)
		}
		for _, d := range s.SummaryDetails {
			label, text := strings.TrimSpace(d.Label), strings.TrimSpace(d.Summary)
			switch {
			case label != "" && text != "":
				fmt.Fprintf(&b, "%s: %s\n", label, text)
			case text != "":
				b.WriteString(text + "\n")
			}
		}
	}
	steps := editedSteps
	if len(steps) == 0 {
		steps = callNoteList(s.NextSteps)
	}
	if len(steps) > 0 {
		b.WriteString("Next steps:\n")
		for _, st := range steps {
			fmt.Fprintf(&b, "- %s\n", st)
		}
	}
	if b.Len() == 0 {
		if c := strings.TrimSpace(s.SummaryContent); c != "" {
			return c + "\n"
		}
		return "Zoom's AI summary for this meeting is empty.\n"
	}
	return b.String()
}

// callNoteList trims the entries of l and drops the blank ones.
func callNoteList(l []string) []string {
	var out []string
	for _, st := range l {
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}

// transcriptWordSlack is how many characters a word-boundary cut may give
// up: a fifth of the limit, and at least transcriptMinSlack (longer than
// any real word). A cut that would lose more, as in text without spaces
// (some scripts, a pasted URL), is made between two characters instead.
const (
	transcriptWordSlack = 5
	transcriptMinSlack  = 40
)

// TruncateTranscript keeps as much of s as limit characters (runes) allow.
// It cuts at the last white space before the limit, so no word is split,
// unless that would give up more than transcriptWordSlack allows; then it cuts
// between characters (never inside a UTF-8 sequence, never between a
// letter and its combining marks). A single long turn thus keeps its first
// limit characters instead of vanishing with its line. It reports whether
// anything was cut. limit <= 0 keeps everything.
func TruncateTranscript(s string, limit int) (string, bool) {
	if limit <= 0 || utf8.RuneCountInString(s) <= limit {
		return s, false
	}
	// Byte offset just after the limit-th rune.
	end, n := 0, 0
	for i := range s {
		if n == limit {
			end = i
			break
		}
		n++
	}
	head := s[:end]
	if next, _ := utf8.DecodeRuneInString(s[end:]); unicode.IsSpace(next) {
		return strings.TrimRightFunc(head, unicode.IsSpace), true // the limit falls between words
	}
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i >= 0 {
		if kept := strings.TrimRightFunc(head[:i], unicode.IsSpace); utf8.RuneCountInString(kept) >= limit-max(limit/transcriptWordSlack, transcriptMinSlack) {
			return kept, true
		}
	}
	cut := end
	for cut > 0 {
		r, _ := utf8.DecodeRuneInString(s[cut:])
		if !unicode.In(r, unicode.Mn, unicode.Me) {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:cut])
		cut -= size
	}
	if cut == 0 { // nothing but combining marks: any cut splits them
		cut = end
	}
	return s[:cut], true
}

// thousands writes n with comma separators (5000 → "5,000").
func callNoteThousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func callNoteOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
