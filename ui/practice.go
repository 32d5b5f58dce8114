package ui

import (
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/pms"
)

// wording holds the on-screen words that depend on the firm's
// practice-management system: its name, and what it calls a matter
// (MyCase says "case"). Every text that once said "Clio" takes them from
// here, so a Clio firm reads exactly what it always read and a MyCase
// firm never reads "Clio".
type wording struct{ kind string }

// wordsFor is the wording of a firm on kind ("" is Clio, as in
// core.PlatformsFor).
func wordsFor(kind string) wording {
	if !pms.Valid(kind) {
		kind = core.Clio
	}
	return wording{kind: kind}
}

// pms is the system's name as people know it: "Clio", "MyCase", "Smokeball".
func (w wording) pms() string { return pms.Name(w.kind) }

// matter is what the system calls a matter, in lower case.
func (w wording) matter() string {
	if w.kind == core.MyCase {
		return "case"
	}
	return "matter"
}

// matters is matter's plural.
func (w wording) matters() string { return w.matter() + "s" }

// practiceChoices are the practice-management systems Settings offers,
// by name, in pms.Kinds order.
func practiceChoices() []string {
	out := make([]string, 0, len(pms.Kinds))
	for _, k := range pms.Kinds {
		out = append(out, pms.Name(k))
	}
	return out
}

// practiceKind is the kind of a system named as practiceChoices names it
// ("" for none).
func practiceKind(name string) string {
	for _, k := range pms.Kinds {
		if pms.Name(k) == name {
			return k
		}
	}
	return ""
}

// words is the wording of the system the window is laid out for.
func (g *gui) words() wording { return wordsFor(g.kind) }

// followPractice lays the window out again when the firm's
// practice-management system changed (a save in Settings, before the firm
// first synced): the Connections cards, the webhook rows and the filters
// list the firm's own platforms, and the job names use its words. It is
// cheap when nothing changed, so any settings change may call it. UI
// goroutine only.
func (g *gui) followPractice() {
	kind := g.app.PracticeManagement()
	if kind == g.kind {
		return
	}
	g.kind = kind
	g.connections.rebuild()
	g.overview.relabel()
	g.activity.relabel()
	g.settings.rebuildWebhookRows()
	if g.sandbox != nil {
		g.sandbox.relabel()
	}
	g.refreshAll()
}
