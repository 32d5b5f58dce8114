package ui

import "github.com/firmsync/firmsync/core/store"

// Taking the user to the thing that needs them. Desktop notifications
// cannot carry a click action on every platform Fyne runs on, so the
// places a person clicks after one — the first line of the tray menu and
// the Overview banner — open the Activity tab on the problem itself: the
// one last notified while it is still open, else the most recent.

// selectTab shows the tab named name.
func (g *gui) selectTab(name string) {
	for _, it := range g.tabs.Items {
		if it.Text == name {
			g.tabs.Select(it)
			return
		}
	}
}

// noticed remembers the item of the last notification sent, so the tray
// and the banner can open it.
func (g *gui) noticed(job, key string) {
	if job != "" && key != "" {
		g.tray.lastJob, g.tray.lastKey = job, key
	}
}

// attentionTarget is the open problem to show: the one last notified while
// it is open, else the most recently attempted one.
func (g *gui) attentionTarget() (store.Problem, bool) {
	if m := g.tray; m.lastKey != "" {
		if p, found, err := g.app.ProblemOf(m.lastJob, m.lastKey); err == nil && found && p.State == store.ProblemOpen {
			return p, true
		}
	}
	ps, err := g.app.Problems("")
	if err != nil || len(ps) == 0 {
		return store.Problem{}, false
	}
	return ps[0], true
}

// openAttention brings the window forward on the Activity tab, listing the
// open problems with the one to look at selected and in the details pane.
func (g *gui) openAttention() {
	g.show()
	g.selectTab("Activity")
	p, ok := g.attentionTarget()
	if !ok {
		return
	}
	g.openProblem(p.Job, p.Key)
}

// openProblem lists the open problems in Activity and selects the newest
// row of item (job, key); the details pane then shows its error and the
// next step.
func (g *gui) openProblem(job, key string) {
	a := g.activity
	a.follow = followItem{job: job, key: key}
	if a.status.Selected != openProblemsStatus {
		a.status.SetSelected(openProblemsStatus) // applies the filter
		return
	}
	a.apply()
}
