package jobs

import (
	"strconv"
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

// detailOriginalName is the log detail that keeps a name as the platform
// sent it when the name Firmsync gave the Box item differs, so the firm can
// match a renamed or cleaned file or folder to its source.
const detailOriginalName = "original_name"

// renamedDetails returns the log details recording original when the safe
// name differs from it, or nil when nothing was changed. The original is
// quoted Go-style: an invisible or right-to-left character then shows as an
// escape (\u202e) in the log instead of re-ordering the line it is in.
func renamedDetails(original, safe string) map[string]string {
	if original == safe {
		return nil
	}
	return map[string]string{detailOriginalName: strconv.Quote(original)}
}

// folderNameDetails is renamedDetails for a matter folder: the original is
// the name folderName would give with no cleaning at all.
func folderNameDetails(displayNumber, description string) map[string]string {
	d, desc := strings.TrimSpace(displayNumber), strings.TrimSpace(description)
	original := d + folderNameSeparator + desc
	switch {
	case d == "":
		original = desc
	case desc == "":
		original = d
	}
	return renamedDetails(original, folderName(displayNumber, description))
}

// folderNameClean applies the firm's rule for matter folder names on top of
// Box's own (box.SanitizeName), since Box Drive syncs these folders onto
// Windows PCs and matter descriptions can come from the public intake form:
//
//   - the characters Windows forbids (\ / : * ? " < > |), control
//     characters and invalid UTF-8 become "_"; invisible and bidirectional
//     format characters are removed; the name is NFC-normalised; a Windows
//     device name gets "_" after its stem (all box.SanitizeName);
//   - white space is trimmed at both ends, and so are trailing dots, which
//     Windows drops silently (a folder "Smith v. Jones Inc." would not
//     round-trip);
//   - the result is cut to 100 characters, never inside a rune.
//
// The result is never empty, "." or "..", and folderNameClean is
// idempotent.
func folderNameClean(s string) string {
	// Cutting and trimming can expose a trailing dot or a device name that
	// Box's rule then changes, so repeat until stable; each pass only
	// shortens the name or appends one "_" to a short device name, so this
	// settles in two or three passes.
	name := s
	for range 8 {
		next := folderNameTrim(cutRunes(box.SanitizeName(name), folderNameMaxRunes))
		next = box.SanitizeName(next)
		if next == name {
			break
		}
		name = next
	}
	return name
}

// cutRunes cuts s to at most n runes.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
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
