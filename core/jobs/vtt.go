package jobs

import (
	"strings"
	"unicode/utf8"
)

// vttSpeakerMax is the longest "Speaker:" prefix read as a speaker's name
// in a cue's text (Zoom writes "Jane Doe: text"); a longer prefix is taken
// to be part of what was said.
const vttSpeakerMax = 60

// VTTToTranscript turns a WebVTT transcript (as Zoom writes it) into
// readable "Speaker: text" lines, one per turn:
//   - the WEBVTT header, NOTE / STYLE / REGION blocks, cue identifiers
//     (Zoom numbers its cues) and timing lines are dropped;
//   - the speaker comes from a voice tag ("<v Jane Doe>text</v>") or from a
//     "Jane Doe: text" prefix; other tags are removed and the common
//     character references (&amp; &lt; &gt; &nbsp; …) decoded;
//   - consecutive cues of the same speaker are merged into one line;
//     text without a known speaker stands on its own line (merged with
//     following speakerless cues).
//
// It never fails: anything it cannot read as a cue is left out, and the
// output is valid UTF-8 with no line holding a "-->" timing arrow.
func VTTToTranscript(vtt string) string {
	vtt = strings.ToValidUTF8(vtt, "\uFFFD")
	vtt = strings.TrimPrefix(vtt, "\uFEFF")
	vtt = strings.ReplaceAll(vtt, "\r\n", "\n")
	vtt = strings.ReplaceAll(vtt, "\r", "\n")
	vtt = strings.ReplaceAll(vtt, "\x00", "\uFFFD")

	type turn struct{ speaker, text string }
	var turns []turn
	add := func(speaker, text string) {
		if text == "" {
			return
		}
		if n := len(turns); n > 0 && turns[n-1].speaker == speaker {
			turns[n-1].text += " " + text
			return
		}
		turns = append(turns, turn{speaker, text})
	}

	for i, block := range strings.Split(vtt, "\n\n") {
		lines := strings.Split(strings.Trim(block, "\n"), "\n")
		first := strings.TrimSpace(lines[0])
		if i == 0 && strings.HasPrefix(first, "WEBVTT") {
			// The header block; a malformed file may have cues right
			// after it without the blank line, so keep looking below.
			lines = lines[1:]
		} else if vttMetaBlock(first) {
			continue
		}
		timing := -1
		for j, l := range lines {
			if strings.Contains(l, "-->") {
				timing = j
				break
			}
		}
		if timing < 0 {
			continue // not a cue (header fields, stray text)
		}
		var payload []string
		for _, l := range lines[timing+1:] {
			if strings.Contains(l, "-->") {
				continue // a second timing line: malformed; never let it through
			}
			if l = strings.TrimSpace(l); l != "" {
				payload = append(payload, l)
			}
		}
		if len(payload) == 0 {
			continue
		}
		speaker, text := vttCueText(strings.Join(payload, " "))
		add(speaker, text)
	}

	var b strings.Builder
	for _, t := range turns {
		if t.speaker != "" {
			b.WriteString(t.speaker)
			b.WriteString(": ")
		}
		b.WriteString(t.text)
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// vttMetaBlock reports whether a block starting with first is a NOTE,
// STYLE or REGION block.
func vttMetaBlock(first string) bool {
	for _, kw := range []string{"NOTE", "STYLE", "REGION"} {
		if first == kw || strings.HasPrefix(first, kw+" ") || strings.HasPrefix(first, kw+"\t") {
			return true
		}
	}
	return false
}

// vttCueText splits a cue's text into its speaker ("" when none) and the
// plain text said.
func vttCueText(s string) (speaker, text string) {
	if i := strings.Index(s, "<v"); i >= 0 && i+2 < len(s) && (s[i+2] == ' ' || s[i+2] == '.' || s[i+2] == '\t') {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			tag := s[i+2 : i+j]
			if k := strings.IndexAny(tag, " \t"); k >= 0 {
				speaker = vttClean(tag[k+1:])
			}
		}
	}
	text = vttClean(vttStripTags(s))
	if speaker == "" {
		if k := strings.Index(text, ": "); k > 0 && utf8.RuneCountInString(text[:k]) <= vttSpeakerMax && !strings.Contains(text[:k], "://") {
			speaker, text = strings.TrimSpace(text[:k]), strings.TrimSpace(text[k+2:])
		}
	} else if k := strings.Index(text, ": "); k > 0 && strings.EqualFold(strings.TrimSpace(text[:k]), speaker) {
		text = strings.TrimSpace(text[k+2:]) // "<v Jane>Jane: hi" says the name twice
	}
	return speaker, text
}

// vttStripTags removes <…> tags (voice, class, italics, timestamps).
func vttStripTags(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s) // an unclosed '<' is text
			break
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		s = s[i+j+1:]
	}
	return b.String()
}

var vttEntities = strings.NewReplacer(
	"&amp;", "&", "&lt;", "<", "&gt;", ">", "&nbsp;", " ", "&quot;", `"`, "&apos;", "'",
	"&#39;", "'", "&lrm;", "", "&rlm;", "",
)

// vttClean decodes character references, collapses white space and
// defuses a "-->" the references may have produced.
func vttClean(s string) string {
	s = vttEntities.Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	for strings.Contains(s, "-->") {
		s = strings.ReplaceAll(s, "-->", "->")
	}
	return s
}
