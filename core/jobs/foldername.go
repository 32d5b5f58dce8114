package jobs

import (
	"strings"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/box"
)

// folderNameMaxRunes is the firm's limit on a matter folder name, in
// characters (runes).
const folderNameMaxRunes = 100

// folderNameSeparator joins a matter's display number and description.
const folderNameSeparator = " — "

// folderName is the Box folder name of a matter: "<display number> —
// <description>", made safe by folderNameClean. An empty description
// leaves the display number alone.
func folderName(displayNumber, description string) string {
	d, desc := strings.TrimSpace(displayNumber), strings.TrimSpace(description)
	switch {
	case d == "":
		return folderNameClean(desc)
	case desc == "":
		return folderNameClean(d)
	}
	return folderNameClean(d + folderNameSeparator + desc)
}

// folderNameClean applies the firm's rule for matter folder names, then
// Box's own rules (box.SanitizeName):
//
//   - the characters Windows forbids (\ / : * ? " < > |) become "_", since
//     Box Drive syncs these folders onto Windows PCs; so do control
//     characters and invalid UTF-8;
//   - spaces are trimmed, and so are trailing dots, which Windows drops
//     silently (a folder "Smith v. Jones Inc." would not round-trip);
//   - the result is cut to 100 characters, never inside a rune.
//
// The result is never empty, "." or "..", and folderNameClean is
// idempotent.
func folderNameClean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for i, w := 0, 0; i < len(s) && n < folderNameMaxRunes; i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			r = '_'
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`\/:*?"<>|`, r):
			r = '_'
		}
		b.WriteRune(r)
		n++
	}
	name := folderNameTrim(b.String())
	name = box.SanitizeName(name) // Box's rules; a no-op for names cleaned as above except the empty name
	return folderNameTrim(name)
}

// folderNameTrim trims white space at both ends and dots at the end.
func folderNameTrim(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasSuffix(s, ".") {
		s = strings.TrimSpace(strings.TrimSuffix(s, "."))
	}
	if s == "" {
		return "_"
	}
	return s
}
