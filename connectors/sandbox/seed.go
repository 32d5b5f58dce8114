package sandbox

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// Size is how big a demo firm is.
type Size struct {
	Contacts   int `json:"contacts"`
	Matters    int `json:"matters"`
	Documents  int `json:"documents"`
	Recordings int `json:"recordings"`
	Prospects  int `json:"prospects"`
}

// DemoSize is the firm a new user sees: small enough to read every object.
func DemoSize() Size {
	return Size{Contacts: 36, Matters: 12, Documents: 18, Recordings: 8, Prospects: 6}
}

// BenchSize is the benchmark firm: 5,000 contacts, 1,000 matters, 500
// recordings, 5,000 documents and 200 prospects, times k.
func BenchSize(k float64) Size {
	n := func(v int) int { return max(1, int(float64(v)*k)) }
	return Size{Contacts: n(5000), Matters: n(1000), Documents: n(5000), Recordings: n(500), Prospects: n(200)}
}

var (
	firstNames  = []string{"Maria", "James", "Aisha", "Wei", "Sofia", "Daniel", "Priya", "Liam", "Chloé", "Mateo", "Grace", "Olumide", "Hannah", "Diego", "Yuki", "Noah", "Fatima", "Ethan", "Zoë", "Lucas", "Amara", "Owen", "Ingrid", "Rafael"}
	lastNames   = []string{"Garcia", "Smith", "Khan", "Chen", "Rossi", "Okafor", "Patel", "Murphy", "Dubois", "Hernández", "Kim", "Adeyemi", "Schmidt", "Lopez", "Tanaka", "Brown", "Haddad", "Nguyen", "Müller", "O'Brien", "Silva", "Walsh", "Larsen", "Costa"}
	matterKinds = []struct{ desc, area string }{
		{"Divorce", "Family Law"}, {"Custody / visitation", "Family Law"}, {"Asylum application", "Immigration"},
		{"Car accident claim", "Personal Injury"}, {"Will and trust", "Estate Planning"}, {"Lease dispute: 12 Elm St.", "General"},
		{"DUI defense", "Criminal Defense"}, {"Green card renewal", "Immigration"}, {"Slip and fall \"Main St\" store", "Personal Injury"},
	}
	topics = []string{"Initial consultation", "Case strategy call", "Document review", "Settlement discussion", "Follow-up", "Deposition prep"}
)

// phoneFor returns a phone number in one of the formats people really type,
// some unusable, some missing: the contacts job must normalise or skip them.
func phoneFor(i int) string {
	n := 100 + i%9000
	switch i % 8 {
	case 0:
		return fmt.Sprintf("(415) 555-%04d", n)
	case 1:
		return fmt.Sprintf("212.555.%04d", n)
	case 2:
		return fmt.Sprintf("+1 646-555-%04d", n)
	case 3:
		return fmt.Sprintf("312555%04d", n)
	case 4:
		return "" // no phone on file
	case 5:
		return fmt.Sprintf("555-%02d", i%100) // too short to dial
	case 6:
		return fmt.Sprintf("+44 20 7946 %04d", n%10000)
	}
	return fmt.Sprintf("617-555-%04d", n)
}

func emailFor(first, last string, i int) string {
	clean := func(s string) string {
		s = strings.ToLower(s)
		r := strings.NewReplacer("é", "e", "ë", "e", "á", "a", "ü", "u", "'", "", " ", "")
		return r.Replace(s)
	}
	return fmt.Sprintf("%s.%s%d@example.com", clean(first), clean(last), i)
}

// person is a demo firm client.
type person struct{ first, last, email, phone string }

// plannedMatter is a demo firm matter, the same in every
// practice-management system.
type plannedMatter struct {
	desc, area, status string // status as Clio spells it: Open, Pending, Closed
	client             int    // index into firmPlan.people
	docs               []plannedDoc
}

// plannedDoc is a demo document; its body names the matter's number in
// the system it is filed in.
type plannedDoc struct {
	name  string
	index int
	lorem int // extra sentences of filler
}

func (d plannedDoc) body(number, desc string) []byte {
	return []byte(fmt.Sprintf("%s\nMatter %s\nDemo document %d for %s.\n%s", d.name, number, d.index, desc,
		strings.Repeat("Lorem ipsum dolor sit amet. ", 20+d.lorem)))
}

// firmPlan is the part of the demo firm every practice-management system
// holds: its people, and its matters with their documents.
type firmPlan struct {
	people  []person
	matters []plannedMatter
}

// seedRand is the demo firm's random stream for seed.
func seedRand(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), uint64(seed)*7919)) }

// planFirm draws the firm's people and matters from rng, in the order the
// seed has always drawn them (so every object keeps its content).
func planFirm(rng *rand.Rand, size Size) firmPlan {
	var f firmPlan
	f.people = make([]person, size.Contacts)
	for i := range f.people {
		p := person{first: firstNames[rng.IntN(len(firstNames))], last: lastNames[rng.IntN(len(lastNames))]}
		p.email = emailFor(p.first, p.last, i)
		if i%11 == 10 {
			p.email = "" // some contacts have no email
		}
		p.phone = phoneFor(i)
		f.people[i] = p
	}
	docsLeft := size.Documents
	for i := 0; i < size.Matters; i++ {
		k := matterKinds[i%len(matterKinds)]
		m := plannedMatter{desc: k.desc, area: k.area, status: "Open", client: i % max(1, size.Contacts)}
		switch i % 12 {
		case 5, 9:
			m.status = "Pending"
		case 11:
			m.status = "Closed"
		}
		if len(f.people) > 0 {
			m.desc = fmt.Sprintf("%s — %s", f.people[m.client].last, k.desc)
		}
		// Spread documents over the matters.
		per := docsLeft / max(1, size.Matters-i)
		if i < size.Matters-1 && per > 0 && rng.IntN(3) == 0 {
			per--
		}
		for d := 0; d < per; d++ {
			name := []string{"Engagement letter.pdf", "Intake notes.txt", "Evidence photo.jpg", "Draft agreement.docx", "Court filing.pdf"}[d%5]
			if d >= 5 {
				name = fmt.Sprintf("Exhibit %d.pdf", d)
			}
			m.docs = append(m.docs, plannedDoc{name: name, index: d, lorem: rng.IntN(60)})
			docsLeft--
		}
		f.matters = append(f.matters, m)
	}
	return f
}

// seedLocked builds the demo firm deterministically from seed.
func (s *Sandbox) seedLocked(seed int64, size Size) error {
	rng := seedRand(seed)
	now := time.Now().UTC()

	root, err := s.box.CreateFolder("0", "Matters")
	if err != nil {
		return fmt.Errorf("creating the Box matters folder: %w", err)
	}
	s.boxRoot = root.ID

	plan := planFirm(rng, size)
	people := plan.people
	clioIDs := make([]int64, size.Contacts)
	for i, p := range people {
		c, err := s.clio.CreateContact(cliofake.ContactInput{FirstName: p.first, LastName: p.last, Email: p.email, Phone: p.phone})
		if err != nil {
			return fmt.Errorf("creating Clio contact %d: %w", i, err)
		}
		clioIDs[i] = c.ID
	}
	for i, pm := range plan.matters {
		m, err := s.clio.CreateMatter(cliofake.MatterInput{Description: pm.desc, ClientID: clioIDs[pm.client], PracticeArea: pm.area, Status: pm.status})
		if err != nil {
			return fmt.Errorf("creating Clio matter %d: %w", i, err)
		}
		for _, d := range pm.docs {
			if _, err := s.clio.AddDocument(m.ID, d.name, d.body(m.DisplayNumber, pm.desc)); err != nil {
				return fmt.Errorf("adding a document to matter %d: %w", m.ID, err)
			}
		}
	}

	owner := "owner@sandbox.zoom.test"
	// Meeting UUIDs come from their own stream so the seed's main one (and
	// everything drawn from it) is as before.
	uuids := rand.New(rand.NewPCG(uint64(seed), 0x2f2f))
	for i := 0; i < size.Recordings; i++ {
		var parts []string
		var speakers []string
		if len(people) > 0 {
			p := people[(i*5)%len(people)]
			if p.email == "" {
				p = people[(i*5+1)%len(people)]
			}
			parts = append(parts, p.email)
			speakers = append(speakers, p.first+" "+p.last)
		}
		if i%4 == 3 {
			parts = []string{fmt.Sprintf("walk-in-%d@unknown-caller.test", i)} // nobody in Clio: needs attention
			speakers = []string{"Unknown caller"}
		}
		topic := topics[i%len(topics)]
		start := now.Add(-time.Duration(24*(1+i%20)) * time.Hour).Add(-time.Duration(i) * time.Minute).Truncate(time.Minute)
		in := zoomfake.MeetingInput{
			Topic: topic, HostEmail: owner, Participants: parts, Start: start, Duration: 20 + rng.IntN(40),
			TranscriptLines: []zoomfake.TranscriptLine{
				{Speaker: "Sandbox Owner", Text: "Thanks for joining. Let's go over where things stand."},
				{Speaker: speakers[0], Text: "Sure. I sent the documents you asked for last week."},
				{Speaker: "Sandbox Owner", Text: "Got them. Next step is to review and file by Friday."},
			},
			Summary: &zoomfake.Summary{
				Overview:  fmt.Sprintf("%s with %s about the case.", topic, speakers[0]),
				Details:   []zoom.SummaryDetail{{Label: "Documents", Summary: "Client sent the requested documents."}, {Label: "Deadline", Summary: "Filing due Friday."}},
				NextSteps: []string{"Review documents", "File by Friday"},
			},
		}
		// Zoom wants a UUID that starts with '/' double-encoded in every
		// path; the first demo meeting has one, so clients that encode
		// once (or not at all) fail on the demo, not in a firm. The others
		// have none, so the demo holds exactly one.
		in.UUID = demoUUID(uuids, i == 0)
		if i%7 == 6 {
			// Ended an hour ago and still processing at Zoom: the note
			// waits for the transcript instead of being posted half-done.
			in.TranscriptPending = true
			in.Start = now.Add(-time.Hour - time.Duration(in.Duration)*time.Minute).Truncate(time.Minute)
		}
		if _, err := s.zoom.EndMeeting(in); err != nil {
			return fmt.Errorf("creating Zoom meeting %d: %w", i, err)
		}
	}

	types := lawmaticsfake.CaseTypes()
	hired := max(2, size.Prospects/3)
	for i := 0; i < size.Prospects; i++ {
		var p person
		if i%2 == 0 && len(people) > 0 {
			p = people[(i*3)%len(people)] // an existing Clio client: intake must match, not duplicate
		} else {
			p = person{first: firstNames[rng.IntN(len(firstNames))], last: lastNames[rng.IntN(len(lastNames))]}
			p.email = emailFor(p.first, p.last, 10000+i)
			p.phone = phoneFor(i + 3)
		}
		if p.email == "" {
			p.email = emailFor(p.first, p.last, 20000+i)
		}
		ct := types[i%len(types)]
		pr, err := s.lawmatics.CreateProspect(lawmaticsfake.ProspectInput{
			FirstName: p.first, LastName: p.last, Email: p.email, Phone: p.phone,
			CaseTitle:  fmt.Sprintf("%s %s — %s", p.first, p.last, strings.ReplaceAll(ct, "_", " ")),
			CaseNumber: fmt.Sprintf("LM-%04d", 1000+i), CaseType: ct,
		})
		if err != nil {
			return fmt.Errorf("creating Lawmatics prospect %d: %w", i, err)
		}
		if i < hired {
			if _, err := s.lawmatics.AddFile(pr.ID, "Signed engagement.pdf", []byte("Signed engagement for "+p.first+" "+p.last)); err != nil {
				return fmt.Errorf("adding a file to prospect %s: %w", pr.ID, err)
			}
			if err := s.lawmatics.Hire(pr.ID); err != nil {
				return fmt.Errorf("hiring prospect %s: %w", pr.ID, err)
			}
		}
	}

	// What official SDKs trip over, seeded last so the objects above keep
	// their ids and contents whatever is added here.
	if _, err := s.clio.CreateCustomField(clio.CustomFieldWrite{Name: SeedCustomFieldName, ParentType: "Matter", FieldType: "text_line"}); err != nil {
		return fmt.Errorf("creating the Clio matter custom field %q: %w", SeedCustomFieldName, err)
	}
	// The same firm in MyCase and Smokeball, after everything else so the
	// objects above keep their ids.
	for _, p := range []string{MyCase, Smokeball} {
		if err := s.seedPMSLocked(p, plan); err != nil {
			return err
		}
	}
	for _, c := range phoneDirectory() {
		if _, err := s.zoom.AddExternalContact(c); err != nil {
			return fmt.Errorf("creating Zoom Phone external contact %q: %w", c.Name, err)
		}
	}
	return nil
}

// SeedCustomFieldName is the demo firm's own Clio matter custom field (a
// text_line), next to the ones Firmsync creates.
const SeedCustomFieldName = "Court case number"

// SeedPhoneContactPrefix starts the id (the caller's key) of every Zoom
// Phone external contact the demo firm is seeded with; tests counting what
// Firmsync created leave these out.
const SeedPhoneContactPrefix = "directory-"

// phoneDirectory is the firm's Zoom Phone directory of outside numbers, as
// an admin keeps it in the Zoom portal: E.164 numbers, one extension-only
// entry, the fields Zoom's external contact has. Their ids are not
// Firmsync's ("clio-…", "lm-…"): the contacts job must leave them alone.
func phoneDirectory() []zoom.CreateExternalContactRequest {
	return []zoom.CreateExternalContactRequest{
		{ID: SeedPhoneContactPrefix + "court-clerk", Name: "Superior Court Clerk", PhoneNumbers: []string{"+14155550100"},
			Description: "Civil division front desk", RoutingPath: "PSTN"},
		{ID: SeedPhoneContactPrefix + "process-server", Name: "Bay Process Servers", Email: "dispatch@bayprocess.example",
			PhoneNumbers: []string{"+14155550142", "+14155550143"}, Description: "Service of process", RoutingPath: "PSTN"},
		{ID: SeedPhoneContactPrefix + "interpreter", Name: "Intérprete — Español", PhoneNumbers: []string{"+13125550188"},
			Description: "Spanish interpreter on call", RoutingPath: "PSTN", AutoCallRecorded: true},
		{ID: SeedPhoneContactPrefix + "reception", Name: "Reception desk", ExtensionNumber: "8000", Description: "Front desk in the lobby"},
	}
}

// demoUUID is a Zoom-style meeting UUID (16 random bytes in standard
// base64, so it may hold '+' and '/'). With slash it starts with '/' and
// holds a '+'; without, it neither starts with '/' nor holds "//".
func demoUUID(rng *rand.Rand, slash bool) string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	u := []byte(base64.StdEncoding.EncodeToString(b))
	if slash {
		u[0], u[5] = '/', '+'
		return string(u)
	}
	for i, c := range u {
		if c == '/' && (i == 0 || u[i-1] == '/') {
			u[i] = 'Z'
		}
	}
	return string(u)
}
