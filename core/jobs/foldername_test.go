package jobs_test

import (
	"strings"
	"testing"
	"unicode/utf8"

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
	}
	for _, r := range got {
		if r < 0x20 || r == 0x7f {
			t.Errorf("%q holds a control character", got)
		}
	}
}

func FuzzFolderName(f *testing.F) {
	for _, s := range []string{"Divorce", `a/b:c`, "Ñandú — ☃", strings.Repeat("x", 300), " . ", "..", "\xff\xfe", "a\x00b", strings.Repeat("é", 101)} {
		f.Add("00001-Doe", s)
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
