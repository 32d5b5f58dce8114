package ui

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// The app's text fonts: Fyne's bundled Noto Sans with the arrows of Noto
// Sans Symbols added (ui/fonts/generate.sh makes them; same glyphs, widths
// and line height as Fyne's otherwise).
//
// Job titles read "Hired leads → Clio matters", and Fyne's Noto Sans has
// no "→". Fyne then borrows the glyph from a system font: Linux desktops
// have one, Windows under Wine (and a Windows without the usual fonts) had
// none, and the title came out as "Hired leads �Clio matters". Adding the
// glyph to the first font is the only place Fyne 2.7 lets an app put it: a
// fallback font of our own would not do, since Fyne draws the space after
// the arrow with the arrow's font, and a symbols-only font has no space.
var (
	//go:embed fonts/NotoSansArrows-Regular.ttf
	fontRegular []byte
	//go:embed fonts/NotoSansArrows-Bold.ttf
	fontBold []byte
	//go:embed fonts/NotoSansArrows-Italic.ttf
	fontItalic []byte
	//go:embed fonts/NotoSansArrows-BoldItalic.ttf
	fontBoldItalic []byte
)

// glyphTheme is Fyne's theme with the text fonts above.
type glyphTheme struct {
	fyne.Theme
	regular, bold, italic, boldItalic fyne.Resource
}

// newGlyphTheme wraps base (Fyne's default theme in the app).
func newGlyphTheme(base fyne.Theme) fyne.Theme {
	return glyphTheme{
		Theme:      base,
		regular:    fyne.NewStaticResource("NotoSansArrows-Regular.ttf", fontRegular),
		bold:       fyne.NewStaticResource("NotoSansArrows-Bold.ttf", fontBold),
		italic:     fyne.NewStaticResource("NotoSansArrows-Italic.ttf", fontItalic),
		boldItalic: fyne.NewStaticResource("NotoSansArrows-BoldItalic.ttf", fontBoldItalic),
	}
}

// Font implements fyne.Theme.
func (t glyphTheme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace || s.Symbol:
		return t.Theme.Font(s)
	case s.Bold && s.Italic:
		return t.boldItalic
	case s.Bold:
		return t.bold
	case s.Italic:
		return t.italic
	}
	return t.regular
}
