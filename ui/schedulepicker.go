package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core/schedule"
)

// Choices of the schedule picker besides the intervals.
const (
	choiceDaily  = "Daily at"
	choiceCustom = "Custom (see Advanced)"
)

// pickerIntervals are the intervals offered by name; a saved interval not
// among them is offered too.
var pickerIntervals = []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour}

// schedulePicker chooses one job's schedule in words ("Every 15 minutes",
// "Daily at 06:00"); the schedule as a cron line or interval is its
// Advanced field, kept in step both ways. echo says in words what the
// schedule is, or what is wrong with it.
type schedulePicker struct {
	kind    *widget.Select
	at      *widget.Entry // the time of a daily schedule
	raw     *widget.Entry // Advanced: cron line or "every 15m"
	echo    *widget.Label
	row     fyne.CanvasObject // kind, time and echo
	syncing bool              // a change made by the picker itself
}

func newSchedulePicker() *schedulePicker {
	p := &schedulePicker{
		at:   plainEntry("06:00"),
		raw:  plainEntry("e.g. every 15m or 0 7 * * 1-5"),
		echo: caption(""),
	}
	p.kind = widget.NewSelect(nil, func(string) { p.fromChoice() })
	p.setChoices(0)
	p.at.OnChanged = func(string) { p.fromChoice() }
	p.raw.OnChanged = func(string) { p.fromRaw() }
	p.at.Hide()
	p.row = container.NewVBox(container.NewHBox(fixedWidth(p.kind, 200), fixedWidth(p.at, 80)), p.echo)
	return p
}

// setChoices offers the intervals, plus extra when it is not among them.
func (p *schedulePicker) setChoices(extra time.Duration) {
	ds := slices.Clone(pickerIntervals)
	if extra > 0 && !slices.Contains(ds, extra) {
		ds = append(ds, extra)
		slices.Sort(ds)
	}
	var opts []string
	for _, d := range ds {
		opts = append(opts, intervalChoice(d))
	}
	p.kind.Options = append(opts, choiceDaily, choiceCustom)
	p.kind.Refresh()
}

// intervalChoice is how an interval reads in the list: "Every 15 minutes".
func intervalChoice(d time.Duration) string {
	w, _ := schedule.Describe((schedule.Plain{Every: d}).Spec())
	return strings.ToUpper(w[:1]) + w[1:]
}

// set shows a saved schedule.
func (p *schedulePicker) set(spec string) {
	p.raw.SetText(spec) // fromRaw syncs the rest
	p.fromRaw()
}

// spec is the schedule as saved.
func (p *schedulePicker) spec() string { return strings.TrimSpace(p.raw.Text) }

// fromRaw puts the Advanced field's schedule in the simple controls.
func (p *schedulePicker) fromRaw() {
	if p.syncing {
		return
	}
	p.syncing = true
	defer func() { p.syncing = false }()
	pl, ok := schedule.PlainOf(p.raw.Text)
	switch {
	case !ok:
		p.kind.SetSelected(choiceCustom)
		p.at.Hide()
	case pl.Every > 0:
		p.setChoices(pl.Every)
		p.kind.SetSelected(intervalChoice(pl.Every))
		p.at.Hide()
	default:
		p.kind.SetSelected(choiceDaily)
		p.at.SetText(pl.Clock())
		p.at.Show()
	}
	p.showEcho()
}

// fromChoice writes the simple controls' schedule into the Advanced field.
func (p *schedulePicker) fromChoice() {
	if p.syncing {
		return
	}
	p.syncing = true
	defer func() { p.syncing = false }()
	switch sel := p.kind.Selected; sel {
	case choiceCustom:
		p.at.Hide()
		// The cron line stays as typed under Advanced.
	case choiceDaily:
		if p.at.Text == "" {
			p.at.SetText("06:00")
		}
		p.at.Show()
		h, m, err := schedule.ParseClock(p.at.Text)
		if err != nil {
			p.setEcho(err.Error(), widget.DangerImportance)
			return
		}
		p.raw.SetText((schedule.Plain{Hour: h, Minute: m}).Spec())
	default:
		p.at.Hide()
		for _, d := range append(slices.Clone(pickerIntervals), intervalOf(p.raw.Text)) {
			if d > 0 && intervalChoice(d) == sel {
				p.raw.SetText((schedule.Plain{Every: d}).Spec())
			}
		}
	}
	p.showEcho()
}

func intervalOf(spec string) time.Duration {
	pl, _ := schedule.PlainOf(spec)
	return pl.Every
}

// check reports whether the schedule is valid, showing why not.
func (p *schedulePicker) check() error {
	if p.kind.Selected == choiceDaily {
		if _, _, err := schedule.ParseClock(p.at.Text); err != nil {
			return err
		}
	}
	_, err := schedule.Parse(p.raw.Text)
	return err
}

// showEcho says in words when the job runs, or what is wrong.
func (p *schedulePicker) showEcho() {
	if err := p.check(); err != nil {
		p.setEcho(err.Error(), widget.DangerImportance)
		return
	}
	w, _ := schedule.Describe(p.raw.Text)
	p.setEcho("Runs "+w+".", widget.MediumImportance)
}

func (p *schedulePicker) setEcho(text string, imp widget.Importance) {
	p.echo.SetText(text)
	p.echo.Importance = imp
	p.echo.Refresh()
}
