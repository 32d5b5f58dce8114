package ui

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
)

// mappingTable edits the case-type → practice-area table and the fallback
// practice area: one row per Lawmatics case type, with remove buttons and
// an add button.
//
// Each cell is a widget.SelectEntry rather than a widget.Select: its
// drop-down offers the firm's real Lawmatics case types and practice
// areas once they are read, and it stays a text field, so the table can be
// edited before a platform is connected (or while it cannot be reached),
// and a saved case type Lawmatics no longer lists keeps its exact text
// instead of being replaced by whatever a Select would show.
type mappingTable struct {
	content  *fyne.Container
	rows     *fyne.Container
	entries  []*mappingRow
	hint     *widget.Label // why a list is missing, or which case types are unmapped
	addBtn   *widget.Button
	fallback *widget.SelectEntry
	fbNote   *widget.Label
	areaHead *widget.Label // the practice-area column's title
	words    wording       // names the practice-management system

	opts    core.MappingOptions
	loading bool // the options are being read
	loaded  bool // opts holds an answer
}

type mappingRow struct {
	caseType, area     *widget.SelectEntry
	caseNote, areaNote *widget.Label
	obj                fyne.CanvasObject
}

// Placeholders when there is nothing better to show: the demo firm's
// spelling of a case type and a practice area, never an option id or slug.
const (
	caseTypeExample = "Custody only"
	areaExample     = "Family Law"
)

func newMappingTable(w wording) *mappingTable {
	m := &mappingTable{rows: container.NewVBox(), words: w}
	m.addBtn = widget.NewButtonWithIcon("Add a case type", theme.ContentAddIcon(), func() {
		m.add("", "")
		m.refresh()
	})
	m.hint = caption("")
	m.hint.Hide()
	m.fallback = widget.NewSelectEntry(nil)
	m.fallback.OnChanged = func(string) { m.refresh() }
	m.fbNote = noteLabel()
	m.areaHead = boldLabel(areaTitle(w))
	head := container.NewBorder(nil, nil, nil, fixedWidth(widget.NewLabel(""), 40),
		container.New(layout.NewGridLayoutWithColumns(2), boldLabel("Lawmatics case type"), m.areaHead))
	m.content = container.NewVBox(head, m.rows, container.NewHBox(m.addBtn), m.hint)
	m.refresh()
	return m
}

// areaTitle is the practice-area column's title: "Clio practice area".
func areaTitle(w wording) string { return w.pms() + " practice area" }

// setWords names another practice-management system (the choice in
// Settings changed).
func (m *mappingTable) setWords(w wording) {
	m.words = w
	m.areaHead.SetText(areaTitle(w))
	m.refresh()
}

// notAnArea is the note under a practice area the system does not list.
func (m *mappingTable) notAnArea() string {
	return "Not a " + m.words.pms() + " practice area: " + m.words.matters() + " would be created without one."
}

// noteLabel is the warning under a cell whose value the platform does not
// list; hidden while there is nothing to say.
func noteLabel() *widget.Label {
	l := caption("")
	l.Importance = widget.WarningImportance
	l.Hide()
	return l
}

// set replaces the rows with mapping, sorted by case type.
func (m *mappingTable) set(mapping map[string]string) {
	m.rows.RemoveAll()
	m.entries = nil
	keys := make([]string, 0, len(mapping))
	for k := range mapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m.add(k, mapping[k])
	}
	m.refresh()
}

// setFallback shows the saved fallback practice area.
func (m *mappingTable) setFallback(area string) {
	m.fallback.SetText(area)
	m.refresh()
}

// startLoading says the lists are being read; the cells stay editable.
func (m *mappingTable) startLoading() {
	m.loading = true
	m.refresh()
}

// setOptions offers what the platforms answered.
func (m *mappingTable) setOptions(o core.MappingOptions) {
	m.opts, m.loading, m.loaded = o, false, true
	m.refresh()
}

func (m *mappingTable) add(caseType, area string) *mappingRow {
	r := &mappingRow{caseType: widget.NewSelectEntry(nil), area: widget.NewSelectEntry(nil),
		caseNote: noteLabel(), areaNote: noteLabel()}
	r.caseType.SetText(caseType)
	r.area.SetText(area)
	// Set after the text: a new row's own SetText must not refresh a table
	// it is not in yet.
	r.caseType.OnChanged = func(string) { m.refresh() }
	r.area.OnChanged = func(string) { m.refresh() }
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { m.remove(r) })
	// The button stays level with the fields when a note grows the row.
	r.obj = container.NewBorder(nil, nil, nil, container.NewVBox(del), container.New(layout.NewGridLayoutWithColumns(2),
		container.NewVBox(r.caseType, r.caseNote), container.NewVBox(r.area, r.areaNote)))
	m.entries = append(m.entries, r)
	m.rows.Add(r.obj)
	return r
}

func (m *mappingTable) remove(r *mappingRow) {
	for i, e := range m.entries {
		if e == r {
			m.rows.Remove(r.obj)
			m.entries = append(m.entries[:i], m.entries[i+1:]...)
			m.refresh()
			return
		}
	}
}

// refresh brings every cell's choices, placeholder and note and the hint
// in line with the rows and the options: each row offers the case types no
// other row maps, so a pick cannot make a duplicate.
func (m *mappingTable) refresh() {
	labels, areas := m.opts.CaseTypes, m.opts.PracticeAreas
	for _, r := range m.entries {
		offer := m.unmapped(r)
		setChoices(r.caseType, offer)
		r.caseType.SetPlaceHolder("e.g. " + firstOr(offer, caseTypeExample))
		setChoices(r.area, areas)
		r.area.SetPlaceHolder("e.g. " + preferred(areas, areaExample))
		setNote(r.caseNote, labels != nil && !knownFold(labels, r.caseType.Text),
			"Not found in Lawmatics' case types.")
		setNote(r.areaNote, areas != nil && !knownFold(areas, r.area.Text), m.notAnArea())
	}
	setChoices(m.fallback, areas)
	m.fallback.SetPlaceHolder("e.g. " + preferred(areas, "General"))
	setNote(m.fbNote, areas != nil && !knownFold(areas, m.fallback.Text), m.notAnArea())
	m.setHint()
}

// unmapped lists the Lawmatics case types that no row other than except
// maps, in Lawmatics' order.
func (m *mappingTable) unmapped(except *mappingRow) []string {
	var out []string
	for _, l := range m.opts.CaseTypes {
		taken := false
		for _, r := range m.entries {
			if r != except && strings.EqualFold(strings.TrimSpace(r.caseType.Text), l) {
				taken = true
				break
			}
		}
		if !taken {
			out = append(out, l)
		}
	}
	return out
}

// setHint says why a list is missing, or which case types still go to the
// fallback.
func (m *mappingTable) setHint() {
	var parts []string
	switch {
	case m.loading:
		parts = append(parts, "Reading the case types from Lawmatics and the practice areas from "+m.words.pms()+"…")
	case m.loaded:
		if r := m.opts.CaseTypesReason; r != "" {
			parts = append(parts, r)
		}
		if r := m.opts.PracticeAreasReason; r != "" {
			parts = append(parts, r)
		}
		if left := m.unmapped(nil); len(left) > 0 {
			parts = append(parts, "Not mapped yet, so they get the practice area for any other case type: "+strings.Join(left, ", ")+".")
		}
	}
	if len(parts) == 0 {
		m.hint.Hide()
		return
	}
	m.hint.SetText(strings.Join(parts, " "))
	m.hint.Show()
}

// setChoices offers choices in e's drop-down; with none its arrow is
// disabled rather than opening an empty menu.
func setChoices(e *widget.SelectEntry, choices []string) {
	e.SetOptions(choices)
	if b, ok := e.ActionItem.(*widget.Button); ok {
		if len(choices) == 0 {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

func setNote(l *widget.Label, show bool, text string) {
	if !show {
		l.Hide()
		return
	}
	l.SetText(text)
	l.Show()
}

// knownFold reports whether s, trimmed, is one of list ignoring case; an
// empty s is never flagged.
func knownFold(list []string, s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	_, ok := canonical(list, s)
	return ok
}

// canonical returns list's spelling of s, ignoring case.
func canonical(list []string, s string) (string, bool) {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return l, true
		}
	}
	return s, false
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// preferred is want when list has it (or list is unknown), else list's
// first entry: a placeholder names something the firm can pick.
func preferred(list []string, want string) string {
	if len(list) == 0 {
		return want
	}
	if c, ok := canonical(list, want); ok {
		return c
	}
	return list[0]
}

// get reads the table, naming a row with one half missing or a duplicate.
// A case type or practice area typed in another case than the platform's
// is saved in the platform's spelling.
func (m *mappingTable) get() (map[string]string, error) {
	out := map[string]string{}
	for i, r := range m.entries {
		k, v := strings.TrimSpace(r.caseType.Text), strings.TrimSpace(r.area.Text)
		switch {
		case k == "" && v == "":
			continue
		case k == "":
			return nil, fmt.Errorf("case types row %d: the case type is empty", i+1)
		case v == "":
			return nil, fmt.Errorf("case types row %d (%s): the practice area is empty", i+1, k)
		}
		k, _ = canonical(m.opts.CaseTypes, k)
		v, _ = canonical(m.opts.PracticeAreas, v)
		for prev := range out {
			if strings.EqualFold(prev, k) {
				return nil, fmt.Errorf("case types: %s is listed twice", k)
			}
		}
		out[k] = v
	}
	return out, nil
}

// getFallback reads the fallback practice area in the practice-management
// system's spelling.
func (m *mappingTable) getFallback() string {
	v, _ := canonical(m.opts.PracticeAreas, strings.TrimSpace(m.fallback.Text))
	return v
}
