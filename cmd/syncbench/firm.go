package main

// The seeded firm as the bench sees it, and the busy day: what people
// change in the platforms between two syncs, applied through the fakes'
// admin Go API identically to Firmsync's sandbox and the baseline's.

import (
	"bytes"
	"fmt"
	"math"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core/jobs"
)

// zoomOwner is the sandbox's Zoom account (the firm's own user).
const zoomOwner = "owner@sandbox.zoom.test"

// defaultSettings are the jobs' default settings (folder field name,
// subfolder template, schedules).
var defaultSettings = jobs.Defaults()

// firm holds the ids of the seeded objects in the practice-management
// system. The seed is deterministic, so two sandboxes seeded alike have
// the same ids (Smokeball's GUIDs differ; the bench reads each sandbox's
// own where it matters).
type firm struct {
	contacts   []string // every seeded contact
	emails     []string // the seeded contacts' emails (those that have one)
	emailOwner []string // the contact each email belongs to
	matters    []string // seeded matters that get a Box folder (open, pending)
}

// readFirm collects the seeded ids of the system kind; call it before
// anything syncs.
func readFirm(sb *sandbox.Sandbox, kind string, size sandbox.Size) firm {
	return pmsOf(sb, kind).readFirm(size)
}

// onePercent is 1% of n, at least 1.
func onePercent(n int) int { return max(1, int(math.Round(float64(n)/100))) }

// pick spreads i over a list of n items, differently each day.
func pick(n, i, k, day int) int {
	if n == 0 {
		return 0
	}
	stride := max(1, n/max(1, k))
	return (i*stride + day*7) % n
}

// Busy is what one busy day changed.
type Busy struct {
	ContactsEdited int `json:"contacts_edited"`
	NewMatters     int `json:"new_matters"`
	NewDocuments   int `json:"new_documents"`
	NewMeetings    int `json:"new_meetings"`
	NewHires       int `json:"new_hires"`
}

// busyDay changes 1% of every kind of object: contacts' phones edited,
// new matters, new documents on existing matters, meetings that ended,
// prospects newly hired (with a signed engagement file). f must be the
// firm as read from sb (Smokeball's ids are its own in each sandbox).
func busyDay(sb *sandbox.Sandbox, kind string, f firm, size sandbox.Size, day int, meetingStart time.Time) (Busy, error) {
	var b Busy
	c, z, lm := pmsOf(sb, kind), sb.Zoom(), sb.Lawmatics()
	n := onePercent(size.Contacts)
	for i := 0; i < n && len(f.contacts) > 0; i++ {
		id := f.contacts[pick(len(f.contacts), i, n, day)]
		phone := fmt.Sprintf("(617) 555-%04d", (day*1000+i)%10000)
		if err := c.editPhone(id, phone); err != nil {
			return b, err
		}
		b.ContactsEdited++
	}
	n = onePercent(size.Matters)
	for i := 0; i < n; i++ {
		client := ""
		if len(f.contacts) > 0 {
			client = f.contacts[pick(len(f.contacts), i, n, day)]
		}
		// Clio numbers its matters itself; the others get the firm's own.
		number := fmt.Sprintf("B%d-%04d", day+1, i+1)
		if _, err := c.newMatter(fmt.Sprintf("Busy day %d.%d — New engagement", day+1, i+1), number, "General", client); err != nil {
			return b, err
		}
		b.NewMatters++
	}
	n = onePercent(size.Documents)
	for i := 0; i < n && len(f.matters) > 0; i++ {
		m := f.matters[pick(len(f.matters), i, n, day)]
		body := bytes.Repeat([]byte(fmt.Sprintf("Busy day %d document %d. ", day+1, i+1)), 100)
		if err := c.addDocument(m, fmt.Sprintf("Busy day %d.%d.pdf", day+1, i+1), body); err != nil {
			return b, err
		}
		b.NewDocuments++
	}
	n = onePercent(size.Recordings)
	for i := 0; i < n && len(f.emails) > 0; i++ {
		email := f.emails[pick(len(f.emails), i, n, day)]
		if _, err := z.EndMeeting(meeting(fmt.Sprintf("Busy day call %d.%d", day+1, i+1), email, meetingStart)); err != nil {
			return b, err
		}
		b.NewMeetings++
	}
	n = onePercent(size.Prospects)
	for i := 0; i < n; i++ {
		p, err := lm.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Busy", LastName: fmt.Sprintf("Client%d%02d", day+1, i+1),
			Email: fmt.Sprintf("busy.client.%d.%d@example.com", day+1, i+1), CaseTitle: fmt.Sprintf("Busy day intake %d.%d", day+1, i+1),
			CaseNumber: fmt.Sprintf("LM-B%d%03d", day+1, i+1), CaseType: "divorce_standard"})
		if err != nil {
			return b, err
		}
		if _, err := lm.AddFile(p.ID, "Signed engagement.pdf", []byte("Signed engagement, busy day.")); err != nil {
			return b, err
		}
		if err := lm.Hire(p.ID); err != nil {
			return b, err
		}
		b.NewHires++
	}
	return b, nil
}

// meeting is a finished Zoom meeting with one client, transcript and summary ready.
func meeting(topic, email string, start time.Time) zoomfake.MeetingInput {
	return zoomfake.MeetingInput{
		Topic: topic, HostEmail: zoomOwner, Participants: []string{email}, Start: start, Duration: 20,
		TranscriptLines: []zoomfake.TranscriptLine{
			{Speaker: "Sandbox Owner", Text: "Thanks for calling. What can we do for you today?"},
			{Speaker: "Client", Text: "I have a question about my case."},
		},
		Summary: &zoomfake.Summary{Overview: "The client asked about the case.",
			Details: []zoom.SummaryDetail{{Label: "Question", Summary: "Status of the case."}}, NextSteps: []string{"Call back"}},
	}
}
