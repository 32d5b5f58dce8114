package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// fixedWidthLayout gives its one child at least a fixed width.
type fixedWidthLayout struct{ w float32 }

func (l fixedWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return fyne.NewSize(max(s.Width, l.w), s.Height)
}

func (l fixedWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

// fixedWidth wraps o so it is at least w wide.
func fixedWidth(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.New(fixedWidthLayout{w}, o)
}

// columnsLayout places its objects side by side, each given a share of
// the width by weight, all as tall as the tallest. Wrapping labels in it
// report the height they need at their column's width once laid out.
type columnsLayout struct{ weights []float32 }

func (l columnsLayout) share(i int) float32 {
	var sum float32
	for _, w := range l.weights {
		sum += w
	}
	if i >= len(l.weights) || sum == 0 {
		return 0
	}
	return l.weights[i] / sum
}

func (l columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w += m.Width
		h = max(h, m.Height)
	}
	return fyne.NewSize(w+theme.Padding()*float32(max(len(objs)-1, 0)), h)
}

func (l columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	avail := size.Width - pad*float32(max(len(objs)-1, 0))
	x := float32(0)
	for i, o := range objs {
		w := avail * l.share(i)
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

// rowsLayout stacks rows like a VBox, but lays each row out twice: first
// at the full width, so the wrapping labels in it wrap at their real
// width, then at the height they now report. A VBox uses the height a
// label had before it knew its width, and rows of wrapped text overlap.
type rowsLayout struct{}

func (rowsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height
		n++
	}
	return fyne.NewSize(w, h+theme.Padding()*float32(max(n-1, 0)))
}

func (rowsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height)) // wraps at the real width
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + theme.Padding()
	}
}
