package ui

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
)

// TestEveryTextRuneHasABundledGlyph: every non-ASCII character in the
// strings the window can show (ui's labels, and core's messages and object
// names that reach the Activity tab) has a glyph in the fonts the app
// bundles, as Fyne resolves them with the app's theme: the theme's font for
// the style, then the style's default text font, then the emoji font. A
// character outside them depends on the system's fonts and renders as "�"
// where there are none, as "→" in job titles did under Wine.
func TestEveryTextRuneHasABundledGlyph(t *testing.T) {
	th := newGlyphTheme(theme.DefaultTheme())
	parse := func(r fyne.Resource) *font.Face {
		f, err := font.ParseTTF(bytes.NewReader(r.Content()))
		if err != nil {
			t.Fatalf("parsing %s: %v", r.Name(), err)
		}
		return f
	}
	emoji := parse(theme.DefaultEmojiFont())
	styles := []struct {
		name     string
		style    fyne.TextStyle
		fallback fyne.Resource
	}{
		{"regular", fyne.TextStyle{}, theme.DefaultTextFont()},
		{"bold", fyne.TextStyle{Bold: true}, theme.DefaultTextBoldFont()},
		{"italic", fyne.TextStyle{Italic: true}, theme.DefaultTextItalicFont()},
		{"bold italic", fyne.TextStyle{Bold: true, Italic: true}, theme.DefaultTextBoldItalicFont()},
	}
	used := textRunes(t, "../ui", "../core")
	if _, ok := used['→']; !ok {
		t.Fatal("found no '→' in the sources: the scan is broken")
	}
	for _, s := range styles {
		faces := []*font.Face{parse(th.Font(s.style)), parse(s.fallback), emoji}
		var missing []string
		for r, where := range used {
			found := false
			for _, f := range faces {
				if _, ok := f.NominalGlyph(r); ok {
					found = true
					break
				}
			}
			if !found {
				missing = append(missing, strconv.QuoteRune(r)+" ("+where+")")
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s text: no bundled glyph for %s", s.name, strings.Join(missing, ", "))
		}
	}
}

// textRunes collects the non-ASCII runes of the string literals in the
// non-test Go files under dirs, each with one place it occurs.
func textRunes(t *testing.T, dirs ...string) map[rune]string {
	t.Helper()
	used := map[rune]string{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, r := range s {
					if r > 0x7f && r != 0xfeff {
						if _, seen := used[r]; !seen {
							used[r] = fset.Position(lit.Pos()).String()
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return used
}

// TestAppFontsKeepNotoSansMetrics: the app's fonts draw every character
// Fyne's Noto Sans draws, with the same widths and line height, so adding
// the arrows changed no layout.
func TestAppFontsKeepNotoSansMetrics(t *testing.T) {
	th := newGlyphTheme(theme.DefaultTheme())
	for _, c := range []struct {
		style fyne.TextStyle
		fyne  fyne.Resource
	}{
		{fyne.TextStyle{}, theme.DefaultTextFont()},
		{fyne.TextStyle{Bold: true}, theme.DefaultTextBoldFont()},
		{fyne.TextStyle{Italic: true}, theme.DefaultTextItalicFont()},
		{fyne.TextStyle{Bold: true, Italic: true}, theme.DefaultTextBoldItalicFont()},
	} {
		ours, err := font.ParseTTF(bytes.NewReader(th.Font(c.style).Content()))
		if err != nil {
			t.Fatal(err)
		}
		orig, err := font.ParseTTF(bytes.NewReader(c.fyne.Content()))
		if err != nil {
			t.Fatal(err)
		}
		e1, _ := orig.FontHExtents()
		e2, _ := ours.FontHExtents()
		if e1 != e2 {
			t.Errorf("%s: line extents %+v, Fyne's %+v", c.fyne.Name(), e2, e1)
		}
		for r := rune(0); r < 0x10000; r++ {
			g1, ok := orig.NominalGlyph(r)
			if !ok {
				continue
			}
			g2, ok := ours.NominalGlyph(r)
			if !ok || orig.HorizontalAdvance(g1) != ours.HorizontalAdvance(g2) {
				t.Fatalf("%s: %q missing or of another width", c.fyne.Name(), r)
			}
		}
		if _, ok := ours.NominalGlyph('→'); !ok {
			t.Errorf("%s: no arrow", c.fyne.Name())
		}
	}
}
