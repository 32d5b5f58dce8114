package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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
			fmt.Fprintf(&b, "[Transcript truncated at %s characters. The full transcript is in the Zoom recording.]\n", callNoteThousands(n.TranscriptLimit))
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
// next steps as a list. A host-edited summary wins over the generated one;
// when only the Markdown content is there, it is used as is.
func callNoteSummary(s zoom.MeetingSummary) string {
	overview, details, steps := s.SummaryOverview, s.SummaryDetails, s.NextSteps
	if e := s.EditedSummary; e != nil && (e.SummaryOverview != "" || len(e.SummaryDetails) > 0 || len(e.NextSteps) > 0) {
		overview, details, steps = e.SummaryOverview, e.SummaryDetails, e.NextSteps
	}
	var b strings.Builder
	if o := strings.TrimSpace(overview); o != "" {
		fmt.Fprintf(&b, "Overview: %s\n", o)
	}
	for _, d := range details {
		label, text := strings.TrimSpace(d.Label), strings.TrimSpace(d.Summary)
		switch {
		case label != "" && text != "":
			fmt.Fprintf(&b, "%s: %s\n", label, text)
		case text != "":
			b.WriteString(text + "\n")
		}
	}
	var list []string
	for _, st := range steps {
		if st = strings.TrimSpace(st); st != "" {
			list = append(list, st)
		}
	}
	if len(list) > 0 {
		b.WriteString("Next steps:\n")
		for _, st := range list {
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

// TruncateTranscript keeps at most limit characters (runes) of s, cut at
// the last line boundary that fits; when even the first line is longer,
// at the last space, and failing that at a character boundary. It reports
// whether anything was cut. limit <= 0 keeps everything.
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
	if s[end] == '\n' {
		return strings.TrimRight(head, "\n"), true
	}
	if i := strings.LastIndexByte(head, '\n'); i > 0 {
		return strings.TrimRight(head[:i], "\n"), true
	}
	if i := strings.LastIndexByte(head, ' '); i > 0 {
		return strings.TrimRight(head[:i], " "), true
	}
	return head, true
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
