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
)

// mappingTable edits the case-type → practice-area table: one row of two
// entries per case type, with remove buttons and an add button.
type mappingTable struct {
	content *fyne.Container
	rows    *fyne.Container
	entries []mappingRow
}

type mappingRow struct {
	caseType, area *widget.Entry
	obj            fyne.CanvasObject
}

func newMappingTable() *mappingTable {
	m := &mappingTable{rows: container.NewVBox()}
	add := widget.NewButtonWithIcon("Add a case type", theme.ContentAddIcon(), func() { m.add("", "") })
	head := container.NewBorder(nil, nil, nil, fixedWidth(widget.NewLabel(""), 40),
		container.New(layout.NewGridLayoutWithColumns(2), boldLabel("Lawmatics case type"), boldLabel("Clio practice area")))
	m.content = container.NewVBox(head, m.rows, container.NewHBox(add))
	return m
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
}

func (m *mappingTable) add(caseType, area string) {
	r := mappingRow{caseType: widget.NewEntry(), area: widget.NewEntry()}
	r.caseType.SetPlaceHolder("e.g. divorce_standard")
	r.caseType.SetText(caseType)
	r.area.SetPlaceHolder("e.g. Family Law")
	r.area.SetText(area)
	var del *widget.Button
	del = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { m.remove(r.caseType) })
	r.obj = container.NewBorder(nil, nil, nil, del, container.New(layout.NewGridLayoutWithColumns(2), r.caseType, r.area))
	m.entries = append(m.entries, r)
	m.rows.Add(r.obj)
}

func (m *mappingTable) remove(key *widget.Entry) {
	for i, r := range m.entries {
		if r.caseType == key {
			m.rows.Remove(r.obj)
			m.entries = append(m.entries[:i], m.entries[i+1:]...)
			return
		}
	}
}

// get reads the table, naming a row with one half missing or a duplicate.
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
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("case types: %s is listed twice", k)
		}
		out[k] = v
	}
	return out, nil
}
