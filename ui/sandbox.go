package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core"
)

// sandboxHost is the Zoom user the sandbox's meetings are hosted by.
const sandboxHost = "owner@sandbox.zoom.test"

// sandboxPanel lets a new user act as the firm's staff on the fake
// platforms and watch webhooks and jobs respond.
type sandboxPanel struct {
	g       *gui
	content fyne.CanvasObject

	matter      *widget.Entry
	topic       *widget.Entry
	participant *widget.SelectEntry
	prospect    *widget.Select
	prospectIDs map[string]string // label → id
	createBtn   *widget.Button    // creates a matter in the sandbox's practice-management system
	faultOn     *widget.Select
	faultKind   *widget.Select
	result      *widget.Label
	actions     *widget.AccordionItem // the panel, folded or open
}

func newSandboxPanel(g *gui) *sandboxPanel {
	p := &sandboxPanel{g: g, prospectIDs: map[string]string{}}
	p.matter = widget.NewEntry()
	p.matter.SetPlaceHolder("Matter description")
	p.matter.SetText("Estate of Rivera — will review")
	p.topic = widget.NewEntry()
	p.topic.SetPlaceHolder("Meeting topic")
	p.topic.SetText("Consultation call")
	p.participant = widget.NewSelectEntry(nil)
	p.prospect = widget.NewSelect(nil, nil)
	p.prospect.PlaceHolder = "(press Refresh)"
	p.faultOn = widget.NewSelect(nil, nil)
	p.createBtn = widget.NewButton("Create matter in Clio", p.onCreateMatter)
	p.faultKind = widget.NewSelect([]string{"Server error (500)", "Rate limited (429)", "Unavailable (503)", "Connection cut"}, nil)
	p.faultKind.SetSelected("Server error (500)")
	p.result = widget.NewLabel("Act as the firm's staff: each action changes the demo platforms and fires their webhooks, so you can watch Firmsync react.")
	p.result.Wrapping = fyne.TextWrapWord

	grid := container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, nil, p.createBtn, p.matter),
		container.NewBorder(nil, nil, nil, widget.NewButton("End Zoom meeting", p.onEndMeeting), container.NewGridWithColumns(2, p.topic, p.participant)),
		container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), p.loadChoices), widget.NewButton("Mark hired in Lawmatics", p.onHire)), p.prospect),
		container.NewBorder(nil, nil, nil, widget.NewButton("Inject fault", p.onFault), container.NewGridWithColumns(2, p.faultOn, p.faultKind)),
	)
	// Folded by default: open, it would take a third of the Overview and
	// push jobs out of sight at the default window size. Its title says
	// what is inside, so a new user still finds it.
	p.actions = widget.NewAccordionItem(sandboxTitle, container.NewVBox(grid, p.result))
	p.content = widget.NewAccordion(p.actions)
	p.relabel()
	return p
}

// relabel fits the panel to the firm's practice-management system: the
// faults go to its own platforms, and the matter is made in it.
func (p *sandboxPanel) relabel() {
	w := p.g.words()
	p.participant.SetPlaceHolder("participant email (a " + w.pms() + " contact)")
	var plats []string
	for _, pl := range p.g.app.Platforms() {
		plats = append(plats, platformName(pl))
	}
	p.faultOn.SetOptions(plats)
	p.faultOn.SetSelected(plats[0])
	p.createBtn.SetText("Create matter in " + core.PlatformTitle(w.kind))
}

// sandboxTitle is the folded panel's one line.
const sandboxTitle = "Sandbox actions: create a matter, end a call, hire a lead, inject a fault"

// loadChoices fills the prospect and participant pickers from the fakes,
// through the app's own clients.
func (p *sandboxPanel) loadChoices() {
	p.g.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		prospects, perr := p.g.app.SandboxProspects(ctx, 50)
		emails, eerr := p.g.app.SandboxContactEmails(ctx, 30)
		p.g.deps.do(func() {
			if err := errors.Join(perr, eerr); err != nil {
				p.say("Could not list the demo firm's leads and contacts: " + plainError(err))
			}
			var labels []string
			p.prospectIDs = map[string]string{}
			for _, pr := range prospects {
				labels = append(labels, pr.Label)
				p.prospectIDs[pr.Label] = pr.ID
			}
			p.prospect.SetOptions(labels)
			if len(labels) > 0 {
				p.prospect.SetSelected(labels[0])
			} else {
				p.prospect.ClearSelected()
				p.prospect.PlaceHolder = "(no lead waiting to be hired)"
				p.prospect.Refresh()
			}
			p.participant.SetOptions(emails)
			if p.participant.Text == "" && len(emails) > 0 {
				p.participant.SetText(emails[0])
			}
		})
	})
}

func (p *sandboxPanel) say(s string) { p.result.SetText(s) }

func (p *sandboxPanel) onCreateMatter() {
	desc := p.matter.Text
	if desc == "" {
		p.say("Type a matter description first.")
		return
	}
	name, err := p.g.app.SandboxCreateMatter(desc)
	if err != nil {
		p.say("Could not create the matter: " + plainError(err))
		return
	}
	sys := core.PlatformTitle(p.g.app.PracticeManagement())
	p.say(fmt.Sprintf("Created matter %s in %s. Watch the folders job make its Box folder (Overview, then Activity).", name, sys))
}

func (p *sandboxPanel) onEndMeeting() {
	in := zoomfake.MeetingInput{Topic: p.topic.Text, HostEmail: sandboxHost, Duration: 30,
		TranscriptLines: []zoomfake.TranscriptLine{
			{Speaker: "Attorney", Text: "Thanks for calling. Let's go over the documents you sent."},
			{Speaker: "Client", Text: "Sure, I have the signed copy here."},
		},
		Summary: &zoomfake.Summary{Overview: "Reviewed the client's documents and agreed next steps."},
	}
	if p.participant.Text != "" {
		in.Participants = []string{p.participant.Text}
	}
	m, err := p.g.app.SandboxInstance().Zoom().EndMeeting(in)
	if err != nil {
		p.say("Could not end the meeting: " + plainError(err))
		return
	}
	p.say(fmt.Sprintf("Meeting %q ended; its recording is ready. The recordings job will post a call note on the matching contact.", m.Topic))
}

func (p *sandboxPanel) onHire() {
	id := p.prospectIDs[p.prospect.Selected]
	if id == "" {
		p.say("Press the refresh button beside the list, then pick a lead to hire.")
		return
	}
	if err := p.g.app.SandboxInstance().Lawmatics().Hire(id); err != nil {
		p.say("Could not mark the lead hired: " + plainError(err))
		return
	}
	w := p.g.words()
	p.say("Marked " + p.prospect.Selected + " hired. The intake job will create the " + w.pms() + " contact and " + w.matter() + ".")
	p.loadChoices()
}

// onFault makes the next request to a platform fail, through the sandbox
// admin API.
func (p *sandboxPanel) onFault() {
	platform := ""
	for _, pl := range p.g.app.Platforms() {
		if platformName(pl) == p.faultOn.Selected {
			platform = pl
		}
	}
	body := map[string]any{"platform": platform, "count": 3}
	switch p.faultKind.Selected {
	case "Rate limited (429)":
		body["status"] = 429
	case "Unavailable (503)":
		body["status"] = 503
	case "Connection cut":
		body["drop"] = true
	default:
		body["status"] = 500
	}
	b, _ := json.Marshal(body)
	url := p.g.app.SandboxInstance().AdminURL() + "/faults"
	p.g.background(func(ctx context.Context) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			var resp *http.Response
			resp, err = http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode >= 300 {
					err = fmt.Errorf("the sandbox answered %s", strconv.Itoa(resp.StatusCode))
				}
			}
		}
		p.g.deps.do(func() {
			if err != nil {
				p.say("Could not inject the fault: " + plainError(err))
				return
			}
			p.say("The next 3 requests to " + p.faultOn.Selected + " will fail (" + p.faultKind.Selected + "). Press Sync Now to see Firmsync retry.")
		})
	})
}
