package jobs_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/firmsync/firmsync/core/jobs"
)

func TestRecordingsVTTToTranscript(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"header only", "WEBVTT\n", ""},
		{"zoom numbered cues, speaker prefix",
			"WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\nSandbox Owner: Thanks for joining.\n\n2\n00:00:05.000 --> 00:00:10.000\nMaria Garcia: Sure.\n",
			"Sandbox Owner: Thanks for joining.\nMaria Garcia: Sure."},
		{"consecutive cues of one speaker merge",
			"WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nAna: Hello\n\n2\n00:00:02.000 --> 00:00:04.000\nAna: there.\n\n3\n00:00:04.000 --> 00:00:06.000\nBo: Hi.\n\n4\n00:00:06.000 --> 00:00:08.000\nAna: Bye.",
			"Ana: Hello there.\nBo: Hi.\nAna: Bye."},
		{"voice tags",
			"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Jane Doe>Good morning.</v>\n\n00:00:02.000 --> 00:00:04.000\n<v.loud Jane Doe>How are you?\n\n00:00:04.000 --> 00:00:06.000\n<v John>Fine &amp; you?</v>",
			"Jane Doe: Good morning. How are you?\nJohn: Fine & you?"},
		{"voice tag and repeated name", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Jane>Jane: hi</v>", "Jane: hi"},
		{"NOTE, STYLE and REGION blocks dropped",
			"WEBVTT - Zoom\nKind: captions\n\nNOTE this is a comment\n00:00:00.000 --> 00:00:01.000 is not a cue here\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:fred\n\n00:00:00.000 --> 00:00:02.000 align:start\nAl: ok",
			"Al: ok"},
		{"CRLF and BOM", "\uFEFFWEBVTT\r\n\r\n1\r\n00:00:00.000 --> 00:00:01.000\r\nZoë Müller: Grüß Gott\r\n", "Zoë Müller: Grüß Gott"},
		{"multi-line cue text joins", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nBo: first line\nsecond line", "Bo: first line second line"},
		{"no speaker", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\njust text\n\n00:00:02.000 --> 00:00:03.000\nmore text", "just text more text"},
		{"url is not a speaker", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nsee https://x.test: here", "see https://x.test: here"},
		{"inline timestamps and italics removed", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Al><00:00:00.500>one <i>two</i></v>", "Al: one two"},
		{"escaped arrow defused", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nAl: a --&gt; b", "Al: a -> b"},
		{"cue without header blank line", "WEBVTT\n00:00:00.000 --> 00:00:02.000\nAl: x", "Al: x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := jobs.VTTToTranscript(c.in); got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func FuzzVTT(f *testing.F) {
	f.Add("WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\nSandbox Owner: Thanks for joining.\n")
	f.Add("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Jane Doe>Good morning.</v>\n\nNOTE x\n\n")
	f.Add("<v")
	f.Add("WEBVTT\n\n-->\n-->\n--&gt;<v -->>x")
	f.Add("\xff\xfe\r\r\n\n00:00 --> 00:01\n: :")
	f.Fuzz(func(t *testing.T, in string) {
		out := jobs.VTTToTranscript(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", in)
		}
		if strings.Contains(out, "-->") {
			t.Fatalf("a timing arrow survived: %q → %q", in, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if out != "" && strings.TrimSpace(l) == "" {
				t.Fatalf("blank line in %q (from %q)", out, in)
			}
		}
	})
}
