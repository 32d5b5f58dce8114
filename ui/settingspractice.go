package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core/pms"
)

// practiceText says what the practice-management choice decides.
const practiceText = "Where your contacts and matters live. Firmsync reads contacts, matters and documents from it " +
	"and writes call notes, folder links and new matters to it. Once it has synced, it stays with this system: " +
	"its links point at this system's records."

// practiceCard is the choice of practice-management system, saved with
// the one Save button. Core refuses a switch once the firm has synced
// (its links point at the old system's records); Save then shows why.
func (t *settingsTab) practiceCard() fyne.CanvasObject {
	t.practice = widget.NewRadioGroup(practiceChoices(), t.onPractice)
	t.practice.Horizontal = true
	t.practice.Required = true // a firm always has one; load selects it
	return describedCard("Practice management", practiceText, t.practice)
}

// setKind shows kind as the choice (load, Undo changes) and names the
// form after it.
func (t *settingsTab) setKind(kind string) {
	name := pms.Name(wordsFor(kind).kind)
	t.practice.SetSelected(name) // calls onPractice only when it changes
	t.onPractice(name)
}

// onPractice follows a choice of system, saved or not: the form names it
// at once, so a person sees what they are about to save.
func (t *settingsTab) onPractice(name string) {
	kind := practiceKind(name)
	if kind == "" {
		return
	}
	t.kind = kind
	t.relabel()
}

// relabel names the form's system after t.kind. It may run any number of
// times.
func (t *settingsTab) relabel() {
	w := t.words()
	for job, labels := range t.jobNames {
		for _, l := range labels {
			l.SetText(w.jobLabel(job))
		}
	}
	t.boxDesc.SetText(boxFoldersText(w))
	t.boxForm.Items[0].Text = capitalize(w.matter()) + " folders go in"
	t.boxForm.Items[2].Text = w.pms() + " custom field"
	t.boxForm.Refresh()
	t.mappingDesc.SetText(mappingText(w))
	t.mapping.setWords(w)
	for _, g := range []*widget.CheckGroup{t.contactSources, t.noteTargets} {
		renameSystem(g, t.kind)
	}
}

// renameSystem offers kind and Lawmatics in a check group, keeping the
// ticks: a ticked system (the one chosen before) becomes kind ticked.
func renameSystem(g *widget.CheckGroup, kind string) {
	name := platformName(kind)
	var ticked []string
	for _, s := range g.Selected {
		if practiceKind(s) != "" {
			s = name
		}
		if !slices.Contains(ticked, s) {
			ticked = append(ticked, s)
		}
	}
	g.Options = namesOf(sourcesOf(kind))
	g.SetSelected(ticked) // refreshes
}
