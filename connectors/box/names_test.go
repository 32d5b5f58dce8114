package box_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/firmsync/firmsync/connectors/box"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("a", 300)
	cases := []struct {
		name, in, want string
	}{
		{"valid stays", "Smith v. Jones (2024) – Deposition.pdf", "Smith v. Jones (2024) – Deposition.pdf"},
		{"windows characters", `a\b/c:d*e?f"g<h>i|j`, "a_b_c_d_e_f_g_h_i_j"},
		{"control characters", "line\nbreak\ttab\x00nul\x7fdel\u0085nel", "line_break_tab_nul_del_nel"},
		{"spaces trimmed", "   memo.txt  ", "memo.txt"},
		{"inner spaces kept", "a  b", "a  b"},
		{"non-ASCII kept", "Müller Straße 東京", "Müller Straße 東京"},
		{"emoji kept", "📎 attachment 😀.png", "📎 attachment 😀.png"},
		{"invalid UTF-8", "bad\xff\xfename", "bad__name"},
		{"empty", "", "_"},
		{"only spaces", "    ", "_"},
		{"dot", ".", "_"},
		{"dot dot", "..", "_"},
		{"dot with spaces", "  ..  ", "_"},
		{"three dots", "...", "_"},
		{"hidden file allowed", ".env", ".env"},
		{"300 ASCII", long, long[:255]},
		{"300 with extension", long + ".pdf", long[:251] + ".pdf"},
		{"cut does not split a rune", strings.Repeat("é", 200), strings.Repeat("é", 127)},
		{"cut does not split an emoji", strings.Repeat("😀", 70), strings.Repeat("😀", 63)},
		{"cut then trim", strings.Repeat("a", 254) + "  b", strings.Repeat("a", 254)},
		{"long extension not kept", long + ".averyveryverylongextension", (long + ".averyveryverylongextension")[:255]},

		// Spoofing and invisible characters: an outsider names the files.
		{"right-to-left override", "contract\u202efdp.exe", "contractfdp.exe"},
		{"bidi embeddings and isolates", "a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i", "abcdefghi"},
		{"bidi marks", "\u200eleft\u200fright\u061c.pdf", "leftright.pdf"},
		{"zero-width characters", "in\u200bvoi\u200cce\u200d\u2060.pdf\ufeff", "invoice.pdf"},
		{"byte-order mark first", "\ufeffmemo.txt", "memo.txt"},
		{"soft hyphen", "in\u00advoice.pdf", "invoice.pdf"},
		{"tag characters", "memo\U000e0041\U000e007f.txt", "memo.txt"},
		{"only invisible", "\u200b\u202e\ufeff", "_"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a_b_c"},
		{"invisible hides trailing dot", "memo.\u200b", "memo"},
		{"invisible hides trailing space", "memo \u200b", "memo"},
		{"NFC composes", "Cafe\u0301.pdf", "Café.pdf"},
		{"NFC keeps composed", "Café.pdf", "Café.pdf"},
		{"NFC Hangul", "\u1112\u1161\u11ab.txt", "한.txt"},

		// Windows: trailing dots and spaces, reserved device names.
		{"trailing dot", "Smith v. Jones Inc.", "Smith v. Jones Inc"},
		{"trailing dots and spaces", "memo . . ", "memo"},
		{"inner dots kept", "a.b..c", "a.b..c"},
		{"nul with extension", "nul.txt", "nul_.txt"},
		{"CON", "CON", "CON_"},
		{"con mixed case", "cOn", "cOn_"},
		{"COM1 with extension", "COM1.pdf", "COM1_.pdf"},
		{"COM0", "com0.txt", "com0_.txt"},
		{"LPT9", "LPT9", "LPT9_"},
		{"superscript COM", "COM\u00b9.txt", "COM\u00b9_.txt"},
		{"superscript LPT", "lpt\u00b3", "lpt\u00b3_"},
		{"CONIN$", "CONIN$", "CONIN$_"},
		{"conout$ with extension", "conout$.log", "conout$_.log"},
		{"reserved with two extensions", "aux.tar.gz", "aux_.tar.gz"},
		{"reserved with space before dot", "PRN .txt", "PRN_.txt"},
		{"reserved with trailing dot", "nul.", "nul_"},
		{"reserved after invisible removed", "N\u200bUL.txt", "NUL_.txt"},
		{"reserved after control replaced", "LPT\x001", "LPT_1"},
		{"not reserved: longer stem", "console.txt", "console.txt"},
		{"not reserved: COM10", "COM10.txt", "COM10.txt"},
		{"not reserved: nul in extension", "file.nul", "file.nul"},
		{"not reserved: prefix", "null", "null"},
		{"long reserved name", "nul." + long, ("nul_." + long)[:255]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := box.SanitizeName(tc.in)
			if got != tc.want {
				t.Fatalf("SanitizeName(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if problem := boxNameProblem(got); problem != "" {
				t.Fatalf("SanitizeName(%q) = %q: %s", tc.in, got, problem)
			}
		})
	}
}

// boxNameProblem restates the rules the fake (and Box) apply to item
// names (boxfake does not export its check), plus the firm's Windows rule.
// It returns "" for a good name.
func boxNameProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "invalid UTF-8"
	case s == "":
		return "empty"
	case len(s) > box.MaxNameBytes:
		return "longer than 255 bytes"
	case utf8.RuneCountInString(s) > 255:
		return "longer than 255 characters"
	case s == "." || s == "..":
		return "dot name"
	case strings.HasPrefix(s, " ") || strings.HasSuffix(s, " "):
		return "leading or trailing space"
	case strings.ContainsAny(s, `\/:*?"<>|`):
		return "character Windows or Box refuses"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "control character"
	case strings.HasSuffix(s, "."):
		return "trailing dot (Windows drops it)"
	case strings.ContainsAny(s, "\u2028\u2029"):
		return "line or paragraph separator"
	case strings.IndexFunc(s, isInvisible) >= 0:
		return "invisible or bidirectional format character"
	case !norm.NFC.IsNormalString(s):
		return "not in Unicode normal form C"
	case isReserved(s):
		return "name Windows reserves for a device"
	}
	return ""
}

// isInvisible lists the characters that hide or reorder text by name, so
// the test does not share SanitizeName's definition (category Cf).
func isInvisible(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2060 && r <= 0x2064,
		r >= 0x2066 && r <= 0x2069, r == 0xfeff, r == 0x00ad, r == 0x061c, r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// isReserved restates Windows' device names: the stem before the first dot,
// without trailing spaces, in any case.
func isReserved(s string) bool {
	stem := strings.ToUpper(strings.TrimRight(strings.SplitN(s, ".", 2)[0], " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) >= 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		d := stem[3:]
		return len(d) == 1 && d[0] >= '0' && d[0] <= '9' || d == "¹" || d == "²" || d == "³"
	}
	return false
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"", ".", "..", " ", "a/b", "é", "😀", strings.Repeat("x", 300) + ".pdf",
		"\x00", "bad\xff", " . ", strings.Repeat(" ", 256) + "a", strings.Repeat("é", 128),
		"contract\u202efdp.exe", "\u200b", "nul.txt", "CON", "COM1.pdf", "LPT9", "a. ", "e\u0301",
		"nul\u200b.txt", strings.Repeat("e\u0301", 128), strings.Repeat("a", 254) + "\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := box.SanitizeName(s)
		if problem := boxNameProblem(got); problem != "" {
			t.Fatalf("SanitizeName(%q) = %q: %s", s, got, problem)
		}
		if again := box.SanitizeName(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if boxNameProblem(s) == "" && got != s {
			t.Fatalf("valid name %q changed to %q", s, got)
		}
	})
}
