package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// plainEntry is a one-line entry that lets the mouse wheel through. Fyne
// puts every entry's text in a scroller of its own (wrapping on, or
// scrolling not switched off), and the wheel goes to the innermost
// scroller under the pointer: over a field the page stopped scrolling.
// With wrapping and scrolling off the text is drawn directly; the field
// widens for text longer than it, which settings never hold.
func plainEntry(placeholder string) *widget.Entry {
	return &widget.Entry{PlaceHolder: placeholder, Wrapping: fyne.TextWrapOff, Scroll: fyne.ScrollNone}
}

// plainPassword is a plainEntry that masks what is typed (with the eye
// button to show it).
func plainPassword(placeholder string) *widget.Entry {
	return &widget.Entry{PlaceHolder: placeholder, Password: true, Wrapping: fyne.TextWrapOff, Scroll: fyne.ScrollNone}
}

// plainMultiLine is a multi-line plainEntry: it grows with its lines
// instead of scrolling inside the page.
func plainMultiLine(placeholder string) *widget.Entry {
	return &widget.Entry{PlaceHolder: placeholder, MultiLine: true, Wrapping: fyne.TextWrapOff, Scroll: fyne.ScrollNone}
}
