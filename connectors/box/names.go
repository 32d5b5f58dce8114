package box

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest item name SanitizeName produces, in bytes.
// Box allows 255 characters; bytes are the stricter measure and the one
// Windows file systems synced through Box Drive care about.
const MaxNameBytes = 255

// maxExtBytes is the longest extension SanitizeName keeps when shortening.
const maxExtBytes = 16

// SanitizeName turns s into a name Box accepts for a folder or file and
// that a Windows machine syncing the firm's Box can store:
//
//   - \ / : * ? " < > | and control characters (and invalid UTF-8)
//     become "_";
//   - spaces are trimmed at both ends;
//   - the result is at most MaxNameBytes bytes, cut on a rune boundary;
//     a short extension (".pdf") survives the cut;
//   - "." and ".." become "_", and an empty result is "_".
//
// A valid name comes back unchanged, and SanitizeName(SanitizeName(s)) ==
// SanitizeName(s).
func SanitizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteByte('_')
		case unicode.IsControl(r) || strings.ContainsRune(`\/:*?"<>|`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	name := strings.Trim(b.String(), " ")
	if len(name) > MaxNameBytes {
		name = shorten(name)
	}
	if name == "" || name == "." || name == ".." {
		return "_"
	}
	return name
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

// truncate cuts s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
