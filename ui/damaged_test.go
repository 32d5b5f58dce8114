package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestDamagedDatabaseOffersTheRebuild: a damaged firmsync.db is refused
// with the reason, and the window offers the rebuild (issue 13, item 6).
func TestDamagedDatabaseOffersTheRebuild(t *testing.T) {
	test.NewTempApp(t)
	var rebuilt, quit int
	damage := errors.New("firmsync.db in /data is damaged (page 7 past the end of the file); Firmsync has not changed it")
	c := damagedContent(damage, func() { rebuilt++ }, func() { quit++ })
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(640, 340))
	var texts []string
	var buttons = map[string]*widget.Button{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			texts = append(texts, x.Text)
		case *widget.Button:
			buttons[x.Text] = x
		case *fyne.Container:
			for _, o := range x.Objects {
				walk(o)
			}
		case *container.Scroll:
			walk(x.Content)
		}
	}
	walk(c)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"damaged", "page 7 past the end", "kept, never deleted", "without creating anything twice"} {
		if !strings.Contains(all, want) {
			t.Errorf("the window does not say %q:\n%s", want, all)
		}
	}
	rb, q := buttons["Rebuild from the platforms"], buttons["Quit"]
	if rb == nil || q == nil {
		t.Fatalf("buttons %v", buttons)
	}
	test.Tap(rb)
	test.Tap(q)
	if rebuilt != 1 || quit != 1 {
		t.Fatalf("rebuild tapped → %d, quit tapped → %d", rebuilt, quit)
	}
}
