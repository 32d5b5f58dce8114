package box

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameBytes is the longest item name SanitizeName produces, in bytes.
// Box allows 255 characters; bytes are the stricter measure and the one
// Windows file systems synced through Box Drive care about.
const MaxNameBytes = 255

// maxExtBytes is the longest extension SanitizeName keeps when shortening.
const maxExtBytes = 16

// maxPasses bounds SanitizeName's repeat-until-stable loop. Every pass only
// removes or replaces characters, except the reserved-name suffix, which is
// added at most once, so two passes settle every name; the bound is slack.
const maxPasses = 8

// reservedSuffix is appended to the stem of a name Windows reserves for a
// device ("nul.txt" → "nul_.txt"), keeping the name readable and its
// extension intact.
const reservedSuffix = "_"

// SanitizeName turns s into a name Box accepts for a folder or file, that a
// Windows machine syncing the firm's Box can store, and that shows the
// reader what it is (names come from outsiders through the intake form):
//
//   - \ / : * ? " < > |, control characters, line and paragraph separators
//     and invalid UTF-8 become "_";
//   - invisible format characters are removed: zero-width spaces and joiners
//     (U+200B..U+200D, U+2060, U+FEFF), bidirectional marks, embeddings,
//     overrides and isolates (U+200E, U+200F, U+202A..U+202E,
//     U+2066..U+2069) and the rest of Unicode category Cf, so
//     "contract\u202efdp.exe" cannot display as "contractexe.pdf";
//   - the name is NFC-normalised, so "é" typed two ways is one name;
//   - spaces are trimmed at both ends and dots at the end, which Windows
//     drops silently (a name would not round-trip);
//   - a name Windows reserves for a device (CON, PRN, AUX, NUL, COM0-9,
//     LPT0-9, their superscript-digit forms, CONIN$, CONOUT$; any case, with
//     any extension) gets "_" after its stem: "nul.txt" → "nul_.txt";
//   - the result is at most MaxNameBytes bytes, cut on a rune boundary;
//     a short extension (".pdf") survives the cut;
//   - an empty result is "_".
//
// A valid name comes back unchanged, and SanitizeName(SanitizeName(s)) ==
// SanitizeName(s).
func SanitizeName(s string) string {
	// Each step can expose work for an earlier one (a removed zero-width
	// space can leave a trailing dot; a cut can leave a trailing space), so
	// repeat until nothing changes: the result is stable by construction.
	name := s
	for range maxPasses {
		next := sanitizePass(name)
		if next == name {
			break
		}
		name = next
	}
	return name
}

// sanitizePass applies every rule of SanitizeName once.
func sanitizePass(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteByte('_')
		case IsInvisibleRune(r):
			// dropped: replacing it with "_" would put visible junk into a
			// name that merely carried a pasted zero-width space.
		case unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || strings.ContainsRune(`\/:*?"<>|`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	name := trimName(norm.NFC.String(b.String()))
	if IsReservedWindowsName(name) {
		stem, ext := splitFirstDot(name)
		name = strings.TrimRight(stem, " ") + reservedSuffix + ext
	}
	if len(name) > MaxNameBytes {
		name = trimName(shorten(name))
	}
	if name == "" {
		return "_"
	}
	return name
}

// trimName removes spaces at both ends and dots and spaces at the end.
func trimName(s string) string {
	return strings.TrimRight(strings.TrimLeft(s, " "), " .")
}

// IsInvisibleRune reports whether r is a format character that renders as
// nothing but can reorder or hide the text around it (Unicode category Cf:
// zero-width spaces and joiners, bidirectional controls, the byte-order mark,
// soft hyphen, tag characters).
func IsInvisibleRune(r rune) bool {
	return unicode.Is(unicode.Cf, r)
}

// reservedStems are the device names Windows refuses as a file or folder
// name, with or without an extension, in any case.
var reservedStems = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true,
	"conin$": true, "conout$": true,
	"com0": true, "com1": true, "com2": true, "com3": true, "com4": true,
	"com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"com¹": true, "com²": true, "com³": true,
	"lpt0": true, "lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true,
	"lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
	"lpt¹": true, "lpt²": true, "lpt³": true,
}

// IsReservedWindowsName reports whether Windows would treat name as a
// device: its part before the first dot, without trailing spaces, is one of
// the reserved device names in any case ("NUL", "nul.txt", "Com1 .tar.gz").
func IsReservedWindowsName(name string) bool {
	stem, _ := splitFirstDot(name)
	stem = strings.TrimRight(stem, " ")
	if len(stem) > len("conout$") {
		return false
	}
	return reservedStems[strings.ToLower(stem)]
}

// splitFirstDot splits name before its first dot: "a.tar.gz" → "a",
// ".tar.gz". Windows decides device names on this stem, not on the last
// extension.
func splitFirstDot(name string) (stem, ext string) {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[:i], name[i:]
	}
	return name, ""
}

// shorten cuts name to MaxNameBytes, keeping a short extension.
func shorten(name string) string {
	ext := path.Ext(name)
	if len(ext) > maxExtBytes || len(ext) == len(name) || strings.ContainsRune(ext, ' ') {
		ext = ""
	}
	stem := strings.TrimRight(truncate(name[:len(name)-len(ext)], MaxNameBytes-len(ext)), " ")
	if stem == "" {
		return strings.Trim(truncate(name, MaxNameBytes), " ")
	}
	return stem + ext
}

// truncate cuts s to at most n bytes without splitting a rune or, where it
// can, a character from its combining marks (an accent cut from its letter
// would change the name's normal form).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	if b := norm.NFC.LastBoundary([]byte(s[:n+runeLen(s[n:])])); b > 0 && b <= n {
		n = b
	}
	return s[:n]
}

// runeLen is the byte length of the first rune of s (0 for "").
func runeLen(s string) int {
	if s == "" {
		return 0
	}
	_, size := utf8.DecodeRuneInString(s)
	return size
}
