package jobs_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/core/jobs"
)

func TestFolderName(t *testing.T) {
	long := strings.Repeat("Ñandú ", 40)
	cases := []struct {
		number, desc, want string
	}{
		{"00012-Garcia", "Divorce", "00012-Garcia — Divorce"},
		{"00012-Garcia", "  Divorce  ", "00012-Garcia — Divorce"},
		{"00012-Garcia", "", "00012-Garcia"},
		{"", "Divorce", "Divorce"},
		{"", "", "_"},
		{"00003-Smith", `A/B: C*D?"E"<F>|G\H`, "00003-Smith — A_B_ C_D__E__F__G_H"},
		{"00004-Müller", "Scheidung – Sorgerecht ÄÖÜß", "00004-Müller — Scheidung – Sorgerecht ÄÖÜß"},
		{"00005-李", "离婚 案件", "00005-李 — 离婚 案件"},
		{"00006-Jones", "Smith v. Jones Inc.", "00006-Jones — Smith v. Jones Inc"},
		{"00007-Tab", "line\nbreak\ttab", "00007-Tab — line_break_tab"},
		{"00008-Bad", "bad \xff utf8", "00008-Bad — bad _ utf8"},
		{"00009-Long", long, string([]rune("00009-Long — " + long)[:100])},
		// 100 characters of 4-byte emoji exceed Box's 255 bytes: Box's limit cuts further.
		{"00010-Emoji", strings.Repeat("👪", 120), "00010-Emoji — " + strings.Repeat("👪", (255-len("00010-Emoji — "))/4)},
		// Descriptions typed by an outsider on the intake form.
		{"00011-Rlo", "contract\u202efdp.exe", "00011-Rlo — contractfdp.exe"},
		{"00012-Zw", "Gar\u200bcia\u200c\u200d\u2060\ufeff", "00012-Zw — Garcia"},
		{"00013-Bidi", "\u202aA\u202bB\u202cC\u202dD\u2066E\u2067F\u2068G\u2069H\u200eI\u200f", "00013-Bidi — ABCDEFGHI"},
		{"", "nul.txt", "nul_.txt"},
		{"", "CON", "CON_"},
		{"COM1", "", "COM1_"},
		{"", "lpt9.pdf", "lpt9_.pdf"},
		{"", "Aux . . ", "Aux_"},
		{"00014-Dots", "Smith Inc. . .", "00014-Dots — Smith Inc"},
		{"00015-Nfc", "Jose\u0301", "00015-Nfc — José"},
		{"00016-Sep", "a\u2028b", "00016-Sep — a_b"},
		{"", "\u200b\u202e", "_"},
		// A cut at 100 characters that leaves a trailing dot and space.
		{"00017-Cut", strings.Repeat("x", 86) + ". y", "00017-Cut — " + strings.Repeat("x", 86)},
	}
	for _, c := range cases {
		got := jobs.FolderNameForTest(c.number, c.desc)
		want := strings.TrimSpace(c.want)
		if got != want {
			t.Errorf("folderName(%q, %q) = %q, want %q", c.number, c.desc, got, want)
		}
		checkFolderName(t, got)
	}
}

// checkFolderName asserts the properties every matter folder name has.
func checkFolderName(t *testing.T, got string) {
	t.Helper()
	switch {
	case !utf8.ValidString(got):
		t.Errorf("%q is not valid UTF-8", got)
	case got == "" || got == "." || got == "..":
		t.Errorf("%q is not a usable name", got)
	case utf8.RuneCountInString(got) > 100:
		t.Errorf("%q has %d characters, more than 100", got, utf8.RuneCountInString(got))
	case len(got) > box.MaxNameBytes:
		t.Errorf("%q has %d bytes, more than Box's %d", got, len(got), box.MaxNameBytes)
	case strings.ContainsAny(got, `\/:*?"<>|`):
		t.Errorf("%q holds a character Windows forbids", got)
	case strings.TrimSpace(got) != got || strings.HasSuffix(got, "."):
		t.Errorf("%q is not trimmed", got)
	case box.SanitizeName(got) != got:
		t.Errorf("%q is not a valid Box name (Box's rule makes it %q)", got, box.SanitizeName(got))
	case jobs.FolderNameCleanForTest(got) != got:
		t.Errorf("cleaning %q again changes it to %q", got, jobs.FolderNameCleanForTest(got))
	case strings.ContainsAny(got, "\u2028\u2029"):
		t.Errorf("%q holds a line or paragraph separator", got)
	case !norm.NFC.IsNormalString(got):
		t.Errorf("%q is not NFC", got)
	case windowsReserved(got):
		t.Errorf("%q is a name Windows reserves for a device", got)
	}
	for _, r := range got {
		if invisibleRune(r) {
			t.Errorf("%q holds the invisible or bidirectional character %U", got, r)
		}
	}
	for _, r := range got {
		if r < 0x20 || r == 0x7f {
			t.Errorf("%q holds a control character", got)
		}
	}
}

// invisibleRune restates the characters that hide or reorder text.
func invisibleRune(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2060 && r <= 0x2064,
		r >= 0x2066 && r <= 0x2069, r == 0xfeff, r == 0x00ad:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// windowsReserved restates Windows' device names: the stem before the first
// dot, without trailing spaces, in any case.
func windowsReserved(s string) bool {
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

func FuzzFolderName(f *testing.F) {
	for _, s := range []string{"Divorce", `a/b:c`, "Ñandú — ☃", strings.Repeat("x", 300), " . ", "..", "\xff\xfe", "a\x00b", strings.Repeat("é", 101),
		"contract\u202efdp.exe", "\u200b", "nul.txt", "CON", "x\u2060.", strings.Repeat("e\u0301", 60)} {
		f.Add("00001-Doe", s)
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, number, desc string) {
		checkFolderName(t, jobs.FolderNameForTest(number, desc))
	})
}

func TestDocumentsKeepBothName(t *testing.T) {
	cases := []struct {
		name string
		id   int64
		want string
	}{
		{"Engagement letter.pdf", 7, "Engagement letter (Clio 7).pdf"},
		{"README", 8, "README (Clio 8)"},
		{".bashrc", 9, ".bashrc (Clio 9)"},
		{"archive.tar.gz", 10, "archive.tar (Clio 10).gz"},
	}
	for _, c := range cases {
		if got := jobs.DocsKeepBothNameForTest(c.name, c.id); got != c.want {
			t.Errorf("keepBoth(%q, %d) = %q, want %q", c.name, c.id, got, c.want)
		}
	}
	long := strings.Repeat("é", 200) + ".pdf"
	got := jobs.DocsKeepBothNameForTest(long, 12345)
	if len(got) > box.MaxNameBytes || !strings.HasSuffix(got, " (Clio 12345).pdf") || !utf8.ValidString(got) {
		t.Errorf("keepBoth(long) = %q (%d bytes)", got, len(got))
	}
}

func TestNameDetailsKeepTheOriginal(t *testing.T) {
	cases := []struct {
		name     string
		got      map[string]string
		original string // "" when no detail is expected
	}{
		{"document unchanged", jobs.RenamedDetailsForTest("memo.pdf", "memo.pdf"), ""},
		{"document cleaned", jobs.RenamedDetailsForTest("contract\u202efdp.exe", box.SanitizeName("contract\u202efdp.exe")), `"contract\u202efdp.exe"`},
		{"reserved document", jobs.RenamedDetailsForTest("nul.txt", box.SanitizeName("nul.txt")), `"nul.txt"`},
		{"folder unchanged", jobs.FolderNameDetailsForTest("00012-Garcia", "Divorce"), ""},
		{"folder trimmed only", jobs.FolderNameDetailsForTest(" 00012-Garcia ", " Divorce "), ""},
		{"folder cleaned", jobs.FolderNameDetailsForTest("00012-Garcia", "Gar\u200bcia Inc."), `"00012-Garcia — Gar\u200bcia Inc."`},
		{"folder reserved", jobs.FolderNameDetailsForTest("", "CON"), `"CON"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.original == "" {
				if c.got != nil {
					t.Fatalf("details = %v, want none", c.got)
				}
				return
			}
			if got := c.got["original_name"]; got != c.original {
				t.Fatalf("original_name = %s, want %s", got, c.original)
			}
		})
	}
}
