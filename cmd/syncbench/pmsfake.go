package main

// The bench's hand on a sandbox's practice-management fake (Clio, MyCase
// or Smokeball): what a person does in its own UI (each admin method fires
// the webhooks that system would), and what the bench reads back to see an
// effect or count duplicates. Nothing here goes through the platforms'
// APIs, so none of it is counted as a call.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/core/pms"
)

// fakePMS is one sandbox's practice-management fake, seen by the bench.
type fakePMS interface {
	kind() string
	// readFirm collects the seeded ids; call it before anything syncs.
	readFirm(size sandbox.Size) firm
	editPhone(id, phone string) error
	// newMatter opens a matter as staff would (number "" = none; Clio
	// numbers its own), under the practice area area ("" = none or the
	// system's first).
	newMatter(desc, number, area, clientID string) (string, error)
	addDocument(matterID, name string, body []byte) error
	newContact(first, last, email, phone string) (string, error)
	// matterFieldValues are the values of a matter's custom fields ("" on
	// a system without them).
	matterFieldValues(id string) []string
	// noteHas: a note on the contact (for Clio and MyCase: any note) holds s.
	noteHas(contactID, s string) bool
	// people and matters are every contact's email and every matter's
	// number, for counting duplicates.
	people() []string
	matterNumbers() []string
	// notes are every note's text (Smokeball: each contact's notes text).
	notes() []string
}

// pmsOf is the fake of kind in sb.
func pmsOf(sb *sandbox.Sandbox, kind string) fakePMS {
	switch kind {
	case sandbox.MyCase:
		return myCaseFake{sb.MyCase()}
	case sandbox.Smokeball:
		return smokeballFake{sb.Smokeball()}
	}
	return clioFake{sb.Clio()}
}

func i64(id string) int64 { n, _ := strconv.ParseInt(id, 10, 64); return n }
func str(id int64) string { return strconv.FormatInt(id, 10) }

// --- Clio ---

type clioFake struct{ s *cliofake.Server }

func (clioFake) kind() string { return sandbox.Clio }

func (f clioFake) readFirm(size sandbox.Size) firm {
	var fm firm
	limit := int64(10*(size.Contacts+size.Matters+size.Documents) + 1000)
	for id := int64(1); id < limit && (len(fm.contacts) < size.Contacts || len(fm.matters) < size.Matters); id++ {
		if ct, ok := f.s.Contact(id); ok && len(fm.contacts) < size.Contacts {
			fm.contacts = append(fm.contacts, str(id))
			for _, e := range ct.EmailAddresses {
				if e.Address != "" {
					fm.emails = append(fm.emails, e.Address)
					fm.emailOwner = append(fm.emailOwner, str(id))
					break
				}
			}
		}
		if m, ok := f.s.Matter(id); ok {
			if st := strings.ToLower(m.Status); st == "open" || st == "pending" {
				fm.matters = append(fm.matters, str(id))
			}
		}
	}
	return fm
}

func (f clioFake) editPhone(id, phone string) error {
	_, err := f.s.UpdateContact(i64(id), cliofake.ContactInput{Phone: phone})
	return err
}

func (f clioFake) newMatter(desc, _, area, clientID string) (string, error) {
	in := cliofake.MatterInput{Description: desc, PracticeArea: area, Status: "Open"}
	if clientID != "" {
		in.ClientID = i64(clientID)
	}
	m, err := f.s.CreateMatter(in)
	return str(m.ID), err
}

func (f clioFake) addDocument(matterID, name string, body []byte) error {
	_, err := f.s.AddDocument(i64(matterID), name, body)
	return err
}

func (f clioFake) newContact(first, last, email, phone string) (string, error) {
	c, err := f.s.CreateContact(cliofake.ContactInput{FirstName: first, LastName: last, Email: email, Phone: phone})
	return str(c.ID), err
}

func (f clioFake) matterFieldValues(id string) []string {
	m, ok := f.s.Matter(i64(id))
	if !ok {
		return nil
	}
	var out []string
	for _, v := range m.CustomFieldValues {
		if v.FieldName == defaultSettings.FolderFieldName && v.Value != nil {
			out = append(out, strings.Trim(fmt.Sprint(v.Value), `"`))
		}
	}
	return out
}

func (f clioFake) noteHas(_, s string) bool {
	for _, n := range f.s.Notes() {
		if strings.Contains(n.Detail, s) {
			return true
		}
	}
	return false
}

func (f clioFake) people() []string {
	var out []string
	for _, c := range f.s.Contacts(0) {
		for _, e := range c.EmailAddresses {
			out = append(out, e.Address)
			break
		}
	}
	return out
}

func (f clioFake) matterNumbers() []string { return nil } // not counted for Clio (its table is unchanged)

func (f clioFake) notes() []string {
	var out []string
	for _, n := range f.s.Notes() {
		out = append(out, n.Detail)
	}
	return out
}

// --- MyCase ---

type myCaseFake struct{ s *mycasefake.Server }

func (myCaseFake) kind() string { return sandbox.MyCase }

// MyCase numbers people and cases each from 1; the bench deletes nothing,
// so both run without gaps.
func (f myCaseFake) readFirm(size sandbox.Size) firm {
	var fm firm
	for id := int64(1); len(fm.contacts) < size.Contacts; id++ {
		p, ok := f.s.Person(id)
		if !ok {
			break
		}
		fm.contacts = append(fm.contacts, str(id))
		if p.Email != "" {
			fm.emails = append(fm.emails, p.Email)
			fm.emailOwner = append(fm.emailOwner, str(id))
		}
	}
	for id := int64(1); ; id++ {
		c, ok := f.s.Case(id)
		if !ok {
			break
		}
		if strings.EqualFold(c.Status, "open") { // MyCase has no pending: the seed files pending as open
			fm.matters = append(fm.matters, str(id))
		}
	}
	return fm
}

func (f myCaseFake) editPhone(id, phone string) error {
	_, err := f.s.UpdatePerson(i64(id), mycasefake.PersonInput{CellPhone: phone})
	return err
}

func (f myCaseFake) newMatter(desc, number, area, clientID string) (string, error) {
	in := mycasefake.CaseInput{Name: desc, CaseNumber: number, Status: "open", PracticeArea: area}
	if clientID != "" {
		in.ClientIDs = []int64{i64(clientID)}
	}
	c, err := f.s.CreateCase(in)
	return str(c.ID), err
}

func (f myCaseFake) addDocument(matterID, name string, body []byte) error {
	_, err := f.s.AddDocument(i64(matterID), name, body)
	return err
}

func (f myCaseFake) newContact(first, last, email, phone string) (string, error) {
	p, err := f.s.CreatePerson(mycasefake.PersonInput{FirstName: first, LastName: last, Email: email, CellPhone: phone})
	return str(p.ID), err
}

func (f myCaseFake) matterFieldValues(id string) []string {
	c, ok := f.s.Case(i64(id))
	if !ok {
		return nil
	}
	var out []string
	for _, v := range c.CustomFieldValues {
		if s := v.String(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (f myCaseFake) noteHas(_, s string) bool {
	for _, n := range f.s.Notes() {
		if strings.Contains(n.Note, s) {
			return true
		}
	}
	return false
}

func (f myCaseFake) people() []string {
	var out []string
	for id := int64(1); ; id++ {
		p, ok := f.s.Person(id)
		if !ok {
			return out
		}
		out = append(out, p.Email)
	}
}

func (f myCaseFake) matterNumbers() []string {
	var out []string
	for id := int64(1); ; id++ {
		c, ok := f.s.Case(id)
		if !ok {
			return out
		}
		out = append(out, c.CaseNumber)
	}
}

func (f myCaseFake) notes() []string {
	var out []string
	for _, n := range f.s.Notes() {
		out = append(out, n.Note)
	}
	return out
}

// --- Smokeball ---

type smokeballFake struct{ s *smokeballfake.Server }

func (smokeballFake) kind() string { return sandbox.Smokeball }

// sbState is the part of the fake's snapshot the bench reads: the records
// in the order they were made (the fake has no admin listing).
type sbState struct {
	Contacts struct {
		M map[string]struct {
			Person    map[string]json.RawMessage `json:"person"`
			IsDeleted bool                       `json:"isDeleted"`
		} `json:"m"`
		IDs []string `json:"ids"`
	} `json:"contacts"`
	Matters struct {
		M map[string]struct {
			Number string `json:"number"`
			Status string `json:"status"`
			IsLead bool   `json:"isLead"`
		} `json:"m"`
		IDs []string `json:"ids"`
	} `json:"matters"`
}

func (f smokeballFake) state() sbState {
	var st sbState
	if b, err := f.s.Snapshot(); err == nil {
		_ = json.Unmarshal(b, &st)
	}
	return st
}

func rawString(m map[string]json.RawMessage, k string) string {
	var s string
	_ = json.Unmarshal(m[k], &s)
	return s
}

func (f smokeballFake) readFirm(size sandbox.Size) firm {
	var fm firm
	st := f.state()
	for _, id := range st.Contacts.IDs {
		if len(fm.contacts) == size.Contacts {
			break
		}
		fm.contacts = append(fm.contacts, id)
		if e := rawString(st.Contacts.M[id].Person, "email"); e != "" {
			fm.emails = append(fm.emails, e)
			fm.emailOwner = append(fm.emailOwner, id)
		}
	}
	for _, id := range st.Matters.IDs {
		m := st.Matters.M[id]
		if st := strings.ToLower(m.Status); !m.IsLead && (st == "open" || st == "pending") {
			fm.matters = append(fm.matters, id)
		}
	}
	return fm
}

func (f smokeballFake) editPhone(id, phone string) error {
	_, err := f.s.UpdateContact(id, smokeballfake.PersonInput{Cell: phone})
	return err
}

func (f smokeballFake) newMatter(desc, number, area, clientID string) (string, error) {
	in := smokeballfake.MatterInput{Description: desc, Number: number, MatterType: area, Status: "Open"}
	if clientID != "" {
		in.ClientIDs = []string{clientID}
	}
	m, err := f.s.CreateMatter(in)
	return m.ID, err
}

func (f smokeballFake) addDocument(matterID, name string, body []byte) error {
	_, err := f.s.AddFile(matterID, name, body)
	return err
}

func (f smokeballFake) newContact(first, last, email, phone string) (string, error) {
	c, err := f.s.CreateContact(smokeballfake.PersonInput{FirstName: first, LastName: last, Email: email, Cell: phone})
	return c.ID, err
}

func (smokeballFake) matterFieldValues(string) []string { return nil } // no matter fields

func (f smokeballFake) noteHas(contactID, s string) bool {
	c, ok := f.s.Contact(contactID)
	return ok && c.Person != nil && strings.Contains(c.Person.Notes, s)
}

func (f smokeballFake) people() []string {
	st := f.state()
	var out []string
	for _, id := range st.Contacts.IDs {
		if c := st.Contacts.M[id]; !c.IsDeleted {
			out = append(out, rawString(c.Person, "email"))
		}
	}
	return out
}

func (f smokeballFake) matterNumbers() []string {
	st := f.state()
	var out []string
	for _, id := range st.Matters.IDs {
		out = append(out, st.Matters.M[id].Number)
	}
	return out
}

func (f smokeballFake) notes() []string {
	st := f.state()
	var out []string
	for _, id := range st.Contacts.IDs {
		if n := rawString(st.Contacts.M[id].Person, "notes"); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// zoomContactID is the Zoom Phone external contact id Firmsync gives a
// contact of the system kind (core/jobs/contacts.go: "<prefix>-<id>").
func zoomContactID(kind, id string) string {
	if kind == pms.Smokeball {
		return "sb-" + id
	}
	return kind + "-" + id
}
