package box_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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
		{"three dots allowed", "...", "..."},
		{"hidden file allowed", ".env", ".env"},
		{"300 ASCII", long, long[:255]},
		{"300 with extension", long + ".pdf", long[:251] + ".pdf"},
		{"cut does not split a rune", strings.Repeat("é", 200), strings.Repeat("é", 127)},
		{"cut does not split an emoji", strings.Repeat("😀", 70), strings.Repeat("😀", 63)},
		{"cut then trim", strings.Repeat("a", 254) + "  b", strings.Repeat("a", 254)},
		{"long extension not kept", long + ".averyveryverylongextension", (long + ".averyveryverylongextension")[:255]},
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
	}
	return ""
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"", ".", "..", " ", "a/b", "é", "😀", strings.Repeat("x", 300) + ".pdf",
		"\x00", "bad\xff", " . ", strings.Repeat(" ", 256) + "a", strings.Repeat("é", 128)} {
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
