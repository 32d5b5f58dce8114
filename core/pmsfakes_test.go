package core_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/core/jobs"
)

// pmsKinds are the practice-management systems the crash soak and the
// rebuild drill run against, each as its own subtest.
var pmsKinds = []string{"clio", "mycase", "smokeball"}

// soakRateWindow is the sandbox rate-limit window of the crash soak and the
// rebuild drill. Lifting the fakes' budgets (fastLimits) is not enough:
// the clients of the systems that send no reset time pace themselves
// (Smokeball 5 requests a second, MyCase 25 a second, Lawmatics 50 a
// minute), on the sandbox's clock (Info.RateWindowMS, core's App.scaled).
// With real windows a Smokeball firm's first sync takes a minute of
// pacing alone; a 600 ms window makes Smokeball's and MyCase's second 10 ms
// and Lawmatics' minute 600 ms. These tests are about crash safety and
// rebuild cost, not pacing.
const soakRateWindow = 600 * time.Millisecond

// soakSandbox starts the fakes for the crash soak and the rebuild drill.
func soakSandbox(t *testing.T, size sandbox.Size) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{Size: size, Seed: 42, RateLimits: fastLimits(), RateWindow: soakRateWindow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

// pmsFake drives and inspects the sandbox's fake of one practice-management
// system through its admin methods: what people do in its own UI, and
// what Firmsync left there.
type pmsFake interface {
	// kind is "clio", "mycase" or "smokeball".
	kind() string
	// addClient adds a person with an email and a phone; it returns its id.
	addClient(t *testing.T, first, last, email, phone string) string
	// addMatter opens a matter for a client; number "" lets the system
	// number it (Clio) or leaves it without one. It returns its id.
	addMatter(t *testing.T, clientID, number, desc string) string
	// addDocument files a document on a matter.
	addDocument(t *testing.T, matterID, name string, body []byte)
	// noteBodies are the texts that hold call notes: Clio's note details,
	// MyCase's note texts, Smokeball's contact notes texts (one text a
	// contact, the notes in it separated by "\n\n----\n\n").
	noteBodies() []string
	// notes counts notes: Clio's and MyCase's note records; Smokeball's
	// call notes within the contacts' notes texts (by their marker lines:
	// a text is not a note).
	notes() int
	// matters lists every matter.
	matters() []fakeMatter
	// contactEmails counts the contacts by email address (lower case; a
	// contact with several counts under each).
	contactEmails() map[string]int
}

// fakeMatter is a matter as the checks see it.
type fakeMatter struct {
	ID string
	// Number is the number given at creation, where the intake job puts
	// the prospect's case number ("LM-…"): Clio's custom_number, MyCase's
	// case_number, Smokeball's number.
	Number string
	// FieldValues counts the matter's values per custom field id (Clio,
	// MyCase); nil for Smokeball, which has no matter custom fields.
	FieldValues map[string]int
}

// newPMSFake returns the driver of kind's fake in sb.
func newPMSFake(t *testing.T, sb *sandbox.Sandbox, kind string) pmsFake {
	t.Helper()
	switch kind {
	case "clio":
		return clioFake{sb}
	case "mycase":
		return myCaseFake{sb}
	case "smokeball":
		return smokeballFake{sb}
	}
	t.Fatalf("no fake for practice-management system %q", kind)
	return nil
}

// callNoteMarkers counts the "Zoom meeting ID: <uuid>" lines of the call
// notes in f, by meeting uuid: one per posted call note.
func callNoteMarkers(f pmsFake) map[string]int {
	markers := map[string]int{}
	for _, body := range f.noteBodies() {
		for _, line := range strings.Split(body, "\n") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(line), jobs.CallNoteMarker("")); ok {
				markers[id]++
			}
		}
	}
	return markers
}

// scanIDs calls get for ids 1, 2, … until 100 ids in a row are missing
// (the fakes number each kind of record from 1, and these tests delete
// nothing).
func scanIDs(get func(id int64) bool) {
	for id, misses := int64(1), 0; misses < 100; id++ {
		if get(id) {
			misses = 0
		} else {
			misses++
		}
	}
}

// ------------------------------------------------------------------ Clio

type clioFake struct{ sb *sandbox.Sandbox }

func (clioFake) kind() string { return "clio" }

func (f clioFake) addClient(t *testing.T, first, last, email, phone string) string {
	t.Helper()
	c, err := f.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: first, LastName: last, Email: email, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(c.ID, 10)
}

// addMatter: Clio numbers a matter itself (its display number); number
// is not used.
func (f clioFake) addMatter(t *testing.T, clientID, _, desc string) string {
	t.Helper()
	m, err := f.sb.Clio().CreateMatter(cliofake.MatterInput{Description: desc, ClientID: mustInt(t, clientID)})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(m.ID, 10)
}

func (f clioFake) addDocument(t *testing.T, matterID, name string, body []byte) {
	t.Helper()
	if _, err := f.sb.Clio().AddDocument(mustInt(t, matterID), name, body); err != nil {
		t.Fatal(err)
	}
}

func (f clioFake) noteBodies() []string {
	var out []string
	for _, n := range f.sb.Clio().Notes() {
		out = append(out, n.Detail)
	}
	return out
}

func (f clioFake) notes() int { return len(f.sb.Clio().Notes()) }

func (f clioFake) matters() []fakeMatter {
	var out []fakeMatter
	scanIDs(func(id int64) bool {
		m, ok := f.sb.Clio().Matter(id)
		if !ok {
			return false
		}
		fm := fakeMatter{ID: strconv.FormatInt(id, 10), Number: m.CustomNumber, FieldValues: map[string]int{}}
		for _, v := range m.CustomFieldValues {
			if v.CustomField != nil && v.ID != nil {
				fm.FieldValues[strconv.FormatInt(v.CustomField.ID, 10)]++
			}
		}
		out = append(out, fm)
		return true
	})
	return out
}

func (f clioFake) contactEmails() map[string]int {
	out := map[string]int{}
	for _, c := range f.sb.Clio().Contacts(0) {
		for _, e := range c.EmailAddresses {
			out[strings.ToLower(strings.TrimSpace(e.Address))]++
		}
	}
	return out
}

// ---------------------------------------------------------------- MyCase

type myCaseFake struct{ sb *sandbox.Sandbox }

func (myCaseFake) kind() string { return "mycase" }

func (f myCaseFake) addClient(t *testing.T, first, last, email, phone string) string {
	t.Helper()
	p, err := f.sb.MyCase().CreatePerson(mycasefake.PersonInput{FirstName: first, LastName: last, Email: email, CellPhone: phone})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(p.ID, 10)
}

// addMatter opens a case named desc (MyCase's case names are unique: the
// caller gives each its own).
func (f myCaseFake) addMatter(t *testing.T, clientID, number, desc string) string {
	t.Helper()
	c, err := f.sb.MyCase().CreateCase(mycasefake.CaseInput{Name: desc, CaseNumber: number, Status: "open",
		PracticeArea: "General", ClientIDs: []int64{mustInt(t, clientID)}})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(c.ID, 10)
}

func (f myCaseFake) addDocument(t *testing.T, matterID, name string, body []byte) {
	t.Helper()
	if _, err := f.sb.MyCase().AddDocument(mustInt(t, matterID), name, body); err != nil {
		t.Fatal(err)
	}
}

func (f myCaseFake) noteBodies() []string {
	var out []string
	for _, n := range f.sb.MyCase().Notes() {
		out = append(out, n.Note)
	}
	return out
}

func (f myCaseFake) notes() int { return len(f.sb.MyCase().Notes()) }

func (f myCaseFake) matters() []fakeMatter {
	var out []fakeMatter
	scanIDs(func(id int64) bool {
		c, ok := f.sb.MyCase().Case(id)
		if !ok {
			return false
		}
		fm := fakeMatter{ID: strconv.FormatInt(id, 10), Number: c.CaseNumber, FieldValues: map[string]int{}}
		for _, v := range c.CustomFieldValues {
			fm.FieldValues[strconv.FormatInt(v.CustomField.ID, 10)]++
		}
		out = append(out, fm)
		return true
	})
	return out
}

func (f myCaseFake) contactEmails() map[string]int {
	out := map[string]int{}
	scanIDs(func(id int64) bool {
		p, ok := f.sb.MyCase().Person(id)
		if ok && strings.TrimSpace(p.Email) != "" {
			out[strings.ToLower(strings.TrimSpace(p.Email))]++
		}
		return ok
	})
	return out
}

// ------------------------------------------------------------- Smokeball

type smokeballFake struct{ sb *sandbox.Sandbox }

func (smokeballFake) kind() string { return "smokeball" }

func (f smokeballFake) addClient(t *testing.T, first, last, email, phone string) string {
	t.Helper()
	c, err := f.sb.Smokeball().CreateContact(smokeballfake.PersonInput{FirstName: first, LastName: last, Email: email, Cell: phone})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// addMatter opens a matter of the first matter type, with clientID as its
// client.
func (f smokeballFake) addMatter(t *testing.T, clientID, number, desc string) string {
	t.Helper()
	m, err := f.sb.Smokeball().CreateMatter(smokeballfake.MatterInput{Number: number, Description: desc, MatterType: "General",
		ClientIDs: []string{clientID}})
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func (f smokeballFake) addDocument(t *testing.T, matterID, name string, body []byte) {
	t.Helper()
	if _, err := f.sb.Smokeball().AddFile(matterID, name, body); err != nil {
		t.Fatal(err)
	}
}

// smokeballIDs reads the ids of the fake's contacts and matters from its
// snapshot (its admin methods read one record by id, and Smokeball's ids
// are GUIDs, not a sequence to scan). Writes accepted but not applied yet
// are not in it: the checks run after Firmsync waited for its writes.
func (f smokeballFake) smokeballIDs() (contacts, matters []string) {
	b, err := f.sb.Smokeball().Snapshot()
	if err != nil {
		panic(err)
	}
	var st struct {
		Contacts struct {
			IDs []string `json:"ids"`
		} `json:"contacts"`
		Matters struct {
			IDs []string `json:"ids"`
		} `json:"matters"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		panic(fmt.Sprintf("reading the smokeball fake's snapshot: %v", err))
	}
	return st.Contacts.IDs, st.Matters.IDs
}

// noteBodies are the contacts' notes texts: the Smokeball adapter appends
// each call note to its contact's one text.
func (f smokeballFake) noteBodies() []string {
	ids, _ := f.smokeballIDs()
	var out []string
	for _, id := range ids {
		c, ok := f.sb.Smokeball().Contact(id)
		if !ok {
			continue
		}
		switch {
		case c.Person != nil && c.Person.Notes != "":
			out = append(out, c.Person.Notes)
		case c.Company != nil && c.Company.Notes != "":
			out = append(out, c.Company.Notes)
		}
	}
	return out
}

// notes counts the call notes in the contacts' notes texts by their
// marker lines.
func (f smokeballFake) notes() int {
	n := 0
	for _, c := range callNoteMarkers(f) {
		n += c
	}
	return n
}

func (f smokeballFake) matters() []fakeMatter {
	_, ids := f.smokeballIDs()
	var out []fakeMatter
	for _, id := range ids {
		if m, ok := f.sb.Smokeball().Matter(id); ok {
			out = append(out, fakeMatter{ID: m.ID, Number: m.Number})
		}
	}
	return out
}

func (f smokeballFake) contactEmails() map[string]int {
	ids, _ := f.smokeballIDs()
	out := map[string]int{}
	for _, id := range ids {
		c, ok := f.sb.Smokeball().Contact(id)
		if !ok || c.IsDeleted {
			continue
		}
		email := ""
		switch {
		case c.Person != nil:
			email = c.Person.Email
		case c.Company != nil:
			email = c.Company.Email
		}
		if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
			out[email]++
		}
	}
	return out
}

func mustInt(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q is not a number: %v", id, err)
	}
	return n
}
