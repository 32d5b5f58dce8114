package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/core"
)

// The demo firm's Clio practice areas, sorted as the picker lists them.
var sandboxAreas = []string{"Criminal Defense", "Estate Planning", "Family Law", "General", "Immigration", "Personal Injury"}

// connect connects platforms to the harness's sandbox.
func (h *harness) connect(ps ...string) {
	h.t.Helper()
	for _, p := range ps {
		if _, err := h.app.Connect(context.Background(), p, core.ConnectOptions{}); err != nil {
			h.t.Fatalf("connecting %s: %v", p, err)
		}
	}
}

// openSettings selects the Settings tab, as a click on it does, and waits
// for the mapping's options to arrive.
func (h *harness) openSettings() *settingsTab {
	h.t.Helper()
	h.ui(func() {
		for _, it := range h.g.tabs.Items {
			if it.Text == "Settings" {
				h.g.tabs.Select(it)
			}
		}
	})
	s := h.g.settings
	h.waitFor("the mapping's options", func() bool { return s.mapping.loaded && !s.mapping.loading })
	return s
}

// row finds the mapping row showing caseType.
func (h *harness) row(caseType string) *mappingRow {
	h.t.Helper()
	var found *mappingRow
	h.ui(func() {
		for _, r := range h.g.settings.mapping.entries {
			if r.caseType.Text == caseType {
				found = r
			}
		}
	})
	if found == nil {
		h.t.Fatalf("no mapping row shows %q", caseType)
	}
	return found
}

// choices lists what e's drop-down offers, in its order.
func (h *harness) choices(e *widget.SelectEntry) []string {
	h.t.Helper()
	var out []string
	h.ui(func() {
		b, ok := e.ActionItem.(*widget.Button)
		if !ok || b.Disabled() {
			return
		}
		test.Tap(b)
		ov := h.g.Window.Canvas().Overlays()
		top := ov.Top()
		for _, it := range menuItems(top) {
			out = append(out, strings.Join(texts(it), ""))
		}
		ov.Remove(top)
	})
	return out
}

// pick chooses label in e's drop-down as a click does.
func (h *harness) pick(e *widget.SelectEntry, label string) {
	h.t.Helper()
	h.ui(func() {
		test.Tap(e.ActionItem.(*widget.Button))
		ov := h.g.Window.Canvas().Overlays()
		for _, it := range menuItems(ov.Top()) {
			if strings.Join(texts(it), "") == label {
				it.(fyne.Tappable).Tapped(&fyne.PointEvent{})
				return
			}
		}
		h.t.Errorf("the drop-down does not offer %q", label)
	})
}

// menuItems returns the items of the pop-up menu in overlay.
func menuItems(overlay fyne.CanvasObject) []fyne.CanvasObject {
	if overlay == nil {
		return nil
	}
	for _, o := range test.LaidOutObjects(overlay) {
		if m, ok := o.(*widget.PopUpMenu); ok {
			return m.Items
		}
	}
	return nil
}

// texts collects the visible text drawn by o and its children.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, c := range test.LaidOutObjects(o) {
		if t, ok := c.(*canvas.Text); ok && t.Visible() && t.Text != "" {
			out = append(out, t.Text)
		}
	}
	return out
}

func TestMappingPickersOfferTheFirmsCaseTypesAndPracticeAreas(t *testing.T) {
	h := newHarness(t)
	h.connect(core.Clio, core.Lawmatics)
	if _, err := h.app.SandboxInstance().Lawmatics().AddCaseType("Adoption"); err != nil {
		t.Fatal(err)
	}
	s := h.openSettings()
	m := s.mapping

	// Every seeded case type is mapped by default; a row offers its own
	// and the one nobody maps, never another row's.
	custody := h.row("Custody only")
	if got, want := h.choices(custody.caseType), []string{"Custody only", "Adoption"}; !slices.Equal(got, want) {
		t.Errorf("the Custody only row offers %q, want %q", got, want)
	}
	if got := h.choices(custody.area); !slices.Equal(got, sandboxAreas) {
		t.Errorf("the practice-area picker offers %q, want Clio's %q", got, sandboxAreas)
	}
	if got := h.choices(m.fallback); !slices.Equal(got, sandboxAreas) {
		t.Errorf("the fallback picker offers %q, want Clio's %q", got, sandboxAreas)
	}
	if hint := h.text(func() string { return m.hint.Text }); !strings.Contains(hint, "Not mapped yet") || !strings.Contains(hint, "Adoption") {
		t.Errorf("hint = %q, want it to name the unmapped Adoption", hint)
	}
	for _, r := range m.entries {
		if h.text(func() string { return r.caseNote.Text }) != "" && r.caseNote.Visible() {
			t.Errorf("%q is marked although Lawmatics lists it", r.caseType.Text)
		}
	}

	// "Add a case type" gives a row that offers only the unmapped label.
	h.tap(m.addBtn)
	var added *mappingRow
	h.ui(func() { added = m.entries[len(m.entries)-1] })
	if got := h.choices(added.caseType); !slices.Equal(got, []string{"Adoption"}) {
		t.Errorf("the new row offers %q, want only the unmapped Adoption", got)
	}
	if ph := h.text(func() string { return added.caseType.PlaceHolder }); ph != "e.g. Adoption" {
		t.Errorf("new row placeholder = %q", ph)
	}
	h.pick(added.caseType, "Adoption")
	h.pick(added.area, "Family Law")
	h.pick(m.fallback, "Criminal Defense")
	if got := h.choices(custody.caseType); !slices.Equal(got, []string{"Custody only"}) {
		t.Errorf("after mapping Adoption, the Custody only row still offers %q", got)
	}
	if hint := h.text(func() string { return m.hint.Text }); m.hint.Visible() {
		t.Errorf("hint still shown after everything was mapped: %q", hint)
	}

	h.tap(s.save)
	if msg := h.text(func() string { return s.message.Text }); !strings.HasPrefix(msg, "Saved.") {
		t.Fatalf("save message = %q", msg)
	}
	js := h.app.Settings().Jobs
	if js.CaseTypeMapping["Adoption"] != "Family Law" || js.FallbackPracticeArea != "Criminal Defense" {
		t.Errorf("saved mapping %q, fallback %q", js.CaseTypeMapping, js.FallbackPracticeArea)
	}
	for _, l := range lawmaticsfake.CaseTypes() {
		if js.CaseTypeMapping[l] == "" {
			t.Errorf("saving lost the mapping of %q", l)
		}
	}
}

func TestMappingKeepsWhatThePlatformsNoLongerList(t *testing.T) {
	h := newHarness(t)
	h.connect(core.Clio, core.Lawmatics)
	st := h.app.Settings()
	st.Jobs.CaseTypeMapping["Guardianship"] = "Family Law"
	st.Jobs.CaseTypeMapping["Custody only"] = "Domestic Relations"
	if err := h.app.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	h.ui(func() { h.g.settings.load() })
	s := h.openSettings()

	g := h.row("Guardianship")
	if note := h.text(func() string { return g.caseNote.Text }); !g.caseNote.Visible() || !strings.Contains(note, "Not found in Lawmatics") {
		t.Errorf("Guardianship note = %q (shown %v), want it marked as not found in Lawmatics", note, g.caseNote.Visible())
	}
	c := h.row("Custody only")
	if note := h.text(func() string { return c.areaNote.Text }); !c.areaNote.Visible() || !strings.Contains(note, "Not a Clio practice area") {
		t.Errorf("Domestic Relations note = %q, want it marked as not a Clio practice area", note)
	}
	if c.caseNote.Visible() {
		t.Error("Custody only is marked although Lawmatics lists it")
	}

	// Saving unchanged keeps both, as the firm typed them.
	h.tap(s.save)
	js := h.app.Settings().Jobs
	if js.CaseTypeMapping["Guardianship"] != "Family Law" || js.CaseTypeMapping["Custody only"] != "Domestic Relations" {
		t.Errorf("saved mapping = %q", js.CaseTypeMapping)
	}
}

func TestMappingWithLawmaticsDisconnectedStaysEditable(t *testing.T) {
	h := newHarness(t)
	h.connect(core.Clio)
	s := h.openSettings()
	m := s.mapping

	if hint := h.text(func() string { return m.hint.Text }); !m.hint.Visible() || !strings.Contains(hint, "Connect Lawmatics") {
		t.Errorf("hint = %q, want the reason the case types are missing", hint)
	}
	if strings.Contains(h.text(func() string { return m.hint.Text }), "Connect Clio") {
		t.Error("the hint asks to connect Clio, which is connected")
	}
	h.tap(m.addBtn)
	var r *mappingRow
	h.ui(func() { r = m.entries[len(m.entries)-1] })
	if got := h.choices(r.caseType); len(got) != 0 {
		t.Errorf("case types offered without Lawmatics: %q", got)
	}
	if ph := h.text(func() string { return r.caseType.PlaceHolder }); ph != "e.g. Custody only" {
		t.Errorf("placeholder = %q, want a case type as people see it", ph)
	}
	h.ui(func() {
		if r.caseType.Disabled() {
			t.Error("the case-type cell is disabled")
		}
		test.Type(r.caseType, "Adoption")
	})
	h.pick(r.area, "Family Law")
	for _, row := range m.entries {
		if row.caseNote.Visible() {
			t.Errorf("%q is marked as not found, but Lawmatics was not asked", row.caseType.Text)
		}
	}
	h.tap(s.save)
	if got := h.app.Settings().Jobs.CaseTypeMapping["Adoption"]; got != "Family Law" {
		t.Errorf("typed mapping saved as %q", got)
	}

	// Connecting Lawmatics while the tab is open brings its case types.
	h.connect(core.Lawmatics)
	h.waitFor("the case types after connecting", func() bool { return m.loaded && len(m.opts.CaseTypes) > 0 })
	if hint := h.text(func() string { return m.hint.Text }); strings.Contains(hint, "Connect Lawmatics") {
		t.Errorf("hint still asks to connect Lawmatics: %q", hint)
	}
}

// TestSettingsMappingScreenshot writes the mapping card, as the demo firm
// shows it, to $FIRMSYNC_SCREENSHOTS/settings-mapping.png, and as it shows
// before Lawmatics is connected to settings-mapping-disconnected.png.
func TestSettingsMappingScreenshot(t *testing.T) {
	dir := os.Getenv("FIRMSYNC_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FIRMSYNC_SCREENSHOTS=DIR to write screenshots")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	for _, tc := range []struct {
		name      string
		platforms []string
	}{
		{"settings-mapping", []string{core.Clio, core.Lawmatics}},
		{"settings-mapping-disconnected", []string{core.Clio}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.connect(tc.platforms...)
			if _, err := h.app.SandboxInstance().Lawmatics().AddCaseType("Adoption"); err != nil {
				t.Fatal(err)
			}
			st := h.app.Settings()
			st.Jobs.CaseTypeMapping["Guardianship"] = "Family Law"
			if err := h.app.SaveSettings(st); err != nil {
				t.Fatal(err)
			}
			h.ui(func() {
				h.g.fyne.Settings().SetTheme(theme.LightTheme())
				h.g.settings.load()
			})
			s := h.openSettings()
			h.ui(func() {
				// Tall enough to show the card without scrolling (the test
				// driver's painter does not clip a scrolled container), and
				// after the options came: unlike the real driver, the test
				// canvas does not lay out again when a note appears.
				h.g.Window.Resize(fyne.NewSize(1000, 4000))
				if s.scroll.Content.Size().Height > s.scroll.Size().Height {
					t.Fatalf("the settings are taller than the window: %v > %v", s.scroll.Content.Size(), s.scroll.Size())
				}
				// Keep the card: from its title to the fallback row.
				d := fyne.CurrentApp().Driver()
				c := h.g.Window.Canvas()
				top := d.AbsolutePositionForObject(s.mapping.content).Y - 100
				fb := s.mapping.fallback
				bottom := d.AbsolutePositionForObject(fb).Y + fb.Size().Height + 40
				full := c.Capture()
				k := float32(full.Bounds().Dx()) / c.Size().Width
				img := full.(interface {
					SubImage(image.Rectangle) image.Image
				}).SubImage(image.Rect(0, int(top*k), full.Bounds().Dx(), int(bottom*k)))
				f, err := os.Create(filepath.Join(dir, tc.name+".png"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := png.Encode(f, img); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}
