package jobs_test

// A per-system driver for the cross-system tests (systems_test.go): what a
// person does in Clio, MyCase or Smokeball (through each fake's admin
// methods, which act as the system's own UI would), and what the tests
// read back from the fakes to check the jobs' writes. Expectations are
// read through the pms seam (e.plat.PMS); the jobs' effects are checked
// against the fakes' own state wherever a fake exposes it, so a seam
// adapter that misreads a system cannot hide its own mistakes.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/core/pms"
)

// sysSystems are the practice-management systems every scenario runs
// against.
var sysSystems = []string{pms.Clio, pms.MyCase, pms.Smokeball}

// sysNote is a note on a contact as the system holds it.
type sysNote struct {
	contactID string
	body      string
}

// sysDriver acts in one practice-management system like a person in its
// UI, and reads back what the jobs wrote there.
type sysDriver interface {
	kind() string
	// zoomID is the id of a contact's Zoom external contact.
	zoomID(contactID string) string
	addClient(t *testing.T, first, last, email, phone string) string
	editClientEmail(t *testing.T, id, email string)
	deleteClient(t *testing.T, id string)
	// setMatterStatus sets "open" or "closed" (each system's spelling).
	setMatterStatus(t *testing.T, id, status string)
	addDocument(t *testing.T, matterID, name string, body []byte) string
	// docContent is a document's current bytes (seam document id).
	docContent(t *testing.T, id string) ([]byte, bool)
	// notes is every note on a contact (Smokeball: each contact's notes
	// text is its one note).
	notes(t *testing.T) []sysNote
	// hasFields reports whether the system has matter custom fields.
	hasFields() bool
	// fieldValues is what the matter holds in its custom field named
	// name, one entry per value record (nil when none).
	fieldValues(t *testing.T, matterID, name string) []string
	// externalKey is the matter's own external key (Smokeball's
	// externalSystemId); "" elsewhere.
	externalKey(t *testing.T, matterID string) string
	// settle applies the writes the system accepted but has not applied
	// yet (Smokeball answers 202 and applies later).
	settle(t *testing.T)
}

func newSysDriver(e *env, kind string) sysDriver {
	switch kind {
	case pms.Clio:
		return &clioDriver{e: e}
	case pms.MyCase:
		return &myCaseDriver{e: e}
	case pms.Smokeball:
		return &smokeballDriver{e: e}
	}
	panic("unknown system " + kind)
}

// sysSeam is the env's system behind the seam, for expectations.
func sysSeam(t *testing.T, e *env) pms.System {
	t.Helper()
	s, err := e.plat.PMS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sysInt(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q is not a number", id)
	}
	return n
}

func sysText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// ---------------------------------------------------------------- Clio

type clioDriver struct{ e *env }

func (d *clioDriver) kind() string                   { return pms.Clio }
func (d *clioDriver) zoomID(contactID string) string { return "clio-" + contactID }
func (d *clioDriver) hasFields() bool                { return true }
func (d *clioDriver) settle(*testing.T)              {}

func (d *clioDriver) addClient(t *testing.T, first, last, email, phone string) string {
	t.Helper()
	c, err := d.e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: first, LastName: last, Email: email, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(c.ID, 10)
}

func (d *clioDriver) editClientEmail(t *testing.T, id, email string) {
	t.Helper()
	if _, err := d.e.sb.Clio().UpdateContact(sysInt(t, id), cliofake.ContactInput{Email: email}); err != nil {
		t.Fatal(err)
	}
}

func (d *clioDriver) deleteClient(t *testing.T, id string) {
	t.Helper()
	if err := d.e.sb.Clio().DeleteContact(sysInt(t, id)); err != nil {
		t.Fatal(err)
	}
}

func (d *clioDriver) setMatterStatus(t *testing.T, id, status string) {
	t.Helper()
	if _, err := d.e.sb.Clio().UpdateMatter(sysInt(t, id), cliofake.MatterPatch{Status: status}); err != nil {
		t.Fatal(err)
	}
}

func (d *clioDriver) addDocument(t *testing.T, matterID, name string, body []byte) string {
	t.Helper()
	doc, err := d.e.sb.Clio().AddDocument(sysInt(t, matterID), name, body)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(doc.ID, 10)
}

func (d *clioDriver) docContent(t *testing.T, id string) ([]byte, bool) {
	t.Helper()
	return d.e.sb.Clio().DocumentContent(sysInt(t, id))
}

func (d *clioDriver) notes(*testing.T) []sysNote {
	var out []sysNote
	for _, n := range d.e.sb.Clio().Notes() {
		if n.Contact != nil {
			out = append(out, sysNote{contactID: strconv.FormatInt(n.Contact.ID, 10), body: n.Detail})
		}
	}
	return out
}

func (d *clioDriver) fieldValues(t *testing.T, matterID, name string) []string {
	t.Helper()
	m, ok := d.e.sb.Clio().Matter(sysInt(t, matterID))
	if !ok {
		t.Fatalf("Clio matter %s not found", matterID)
	}
	var out []string
	for _, v := range m.CustomFieldValues {
		fname := v.FieldName
		if v.CustomField != nil && v.CustomField.Name != "" {
			fname = v.CustomField.Name
		}
		if strings.EqualFold(fname, name) && v.ID != nil {
			out = append(out, sysText(v.Value))
		}
	}
	return out
}

func (d *clioDriver) externalKey(*testing.T, string) string { return "" }

// ---------------------------------------------------------------- MyCase

type myCaseDriver struct{ e *env }

func (d *myCaseDriver) kind() string                   { return pms.MyCase }
func (d *myCaseDriver) zoomID(contactID string) string { return "mycase-" + contactID }
func (d *myCaseDriver) hasFields() bool                { return true }
func (d *myCaseDriver) settle(*testing.T)              {}

func (d *myCaseDriver) addClient(t *testing.T, first, last, email, phone string) string {
	t.Helper()
	p, err := d.e.sb.MyCase().CreatePerson(mycasefake.PersonInput{FirstName: first, LastName: last, Email: email, CellPhone: phone})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(p.ID, 10)
}

func (d *myCaseDriver) editClientEmail(t *testing.T, id, email string) {
	t.Helper()
	if _, err := d.e.sb.MyCase().UpdatePerson(sysInt(t, id), mycasefake.PersonInput{Email: email}); err != nil {
		t.Fatal(err)
	}
}

func (d *myCaseDriver) deleteClient(t *testing.T, id string) {
	t.Helper()
	if err := d.e.sb.MyCase().DeletePerson(sysInt(t, id)); err != nil {
		t.Fatal(err)
	}
}

func (d *myCaseDriver) setMatterStatus(t *testing.T, id, status string) {
	t.Helper()
	if _, err := d.e.sb.MyCase().UpdateCase(sysInt(t, id), mycasefake.CasePatch{Status: strings.ToLower(status)}); err != nil {
		t.Fatal(err)
	}
}

func (d *myCaseDriver) addDocument(t *testing.T, matterID, name string, body []byte) string {
	t.Helper()
	doc, err := d.e.sb.MyCase().AddDocument(sysInt(t, matterID), name, body)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(doc.ID, 10)
}

func (d *myCaseDriver) docContent(t *testing.T, id string) ([]byte, bool) {
	t.Helper()
	return d.e.sb.MyCase().DocumentContent(sysInt(t, id))
}

func (d *myCaseDriver) notes(*testing.T) []sysNote {
	var out []sysNote
	for _, n := range d.e.sb.MyCase().Notes() {
		if n.Client != nil {
			out = append(out, sysNote{contactID: strconv.FormatInt(n.Client.ID, 10), body: n.Note})
		}
	}
	return out
}

// fieldValues finds the field's id by name (MyCase's case values name
// only the field id) and reads the case's values of it from the fake.
func (d *myCaseDriver) fieldValues(t *testing.T, matterID, name string) []string {
	t.Helper()
	fid, err := sysSeam(t, d.e).MatterField(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if fid == "" {
		return nil
	}
	c, ok := d.e.sb.MyCase().Case(sysInt(t, matterID))
	if !ok {
		t.Fatalf("MyCase case %s not found", matterID)
	}
	var out []string
	for _, v := range c.CustomFieldValues {
		if strconv.FormatInt(v.CustomField.ID, 10) == fid && v.Value != nil {
			out = append(out, strings.TrimSpace(v.String()))
		}
	}
	return out
}

func (d *myCaseDriver) externalKey(*testing.T, string) string { return "" }

// ---------------------------------------------------------------- Smokeball

type smokeballDriver struct{ e *env }

func (d *smokeballDriver) kind() string                   { return pms.Smokeball }
func (d *smokeballDriver) zoomID(contactID string) string { return "sb-" + contactID }
func (d *smokeballDriver) hasFields() bool                { return false }

// settle applies every write Smokeball accepted (202) and waits for them.
func (d *smokeballDriver) settle(*testing.T) {
	f := d.e.sb.Smokeball()
	f.Flush()
	f.Wait()
}

func (d *smokeballDriver) addClient(t *testing.T, first, last, email, phone string) string {
	t.Helper()
	c, err := d.e.sb.Smokeball().CreateContact(smokeballfake.PersonInput{FirstName: first, LastName: last, Email: email, Cell: phone})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func (d *smokeballDriver) editClientEmail(t *testing.T, id, email string) {
	t.Helper()
	if _, err := d.e.sb.Smokeball().UpdateContact(id, smokeballfake.PersonInput{Email: email}); err != nil {
		t.Fatal(err)
	}
}

// deleteClient deletes a contact the way Smokeball can: its fake has no
// admin delete, so it is Smokeball's DELETE /contacts/{id} (which flags
// the contact isDeleted after the usual 202), served in process so the
// sandbox does not count it as the jobs' traffic, then applied at once.
func (d *smokeballDriver) deleteClient(t *testing.T, id string) {
	t.Helper()
	f := d.e.sb.Smokeball()
	info := d.e.plat.info.Platforms[pms.Smokeball]
	req := httptest.NewRequest(http.MethodDelete, "/contacts/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+info.Token)
	req.Header.Set("x-api-key", info.APIKey)
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	if rec.Code/100 != 2 {
		t.Fatalf("deleting Smokeball contact %s: HTTP %d %s", id, rec.Code, rec.Body.String())
	}
	d.settle(t) // Flush applies every accepted write before it returns
	if c, ok := f.Contact(id); !ok || !c.IsDeleted {
		t.Fatalf("Smokeball contact %s is not flagged deleted after its delete was applied", id)
	}
}

func (d *smokeballDriver) setMatterStatus(t *testing.T, id, status string) {
	t.Helper()
	s := strings.ToUpper(status[:1]) + strings.ToLower(status[1:])
	if _, err := d.e.sb.Smokeball().UpdateMatter(id, smokeballfake.MatterPatch{Status: s}); err != nil {
		t.Fatal(err)
	}
}

func (d *smokeballDriver) addDocument(t *testing.T, matterID, name string, body []byte) string {
	t.Helper()
	f, err := d.e.sb.Smokeball().AddFile(matterID, name, body)
	if err != nil {
		t.Fatal(err)
	}
	return matterID + "." + f.ID
}

func (d *smokeballDriver) docContent(t *testing.T, id string) ([]byte, bool) {
	t.Helper()
	m, f, ok := strings.Cut(id, ".")
	if !ok {
		t.Fatalf("Smokeball document id %q is not <matter>.<file>", id)
	}
	return d.e.sb.Smokeball().FileContent(m, f)
}

// notes reads each contact's notes text from the fake; the contacts are
// enumerated through the seam (the fake has no admin listing), deleted
// ones included by their absence being irrelevant to notes checks.
func (d *smokeballDriver) notes(t *testing.T) []sysNote {
	t.Helper()
	var ids []string
	if err := sysSeam(t, d.e).Contacts(context.Background(), time.Time{}, func(c pms.Contact) error {
		ids = append(ids, c.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var out []sysNote
	for _, id := range ids {
		c, ok := d.e.sb.Smokeball().Contact(id)
		if !ok {
			continue
		}
		text := ""
		switch {
		case c.Person != nil:
			text = c.Person.Notes
		case c.Company != nil:
			text = c.Company.Notes
		}
		if text != "" {
			out = append(out, sysNote{contactID: id, body: text})
		}
	}
	return out
}

func (d *smokeballDriver) fieldValues(*testing.T, string, string) []string { return nil }

func (d *smokeballDriver) externalKey(t *testing.T, matterID string) string {
	t.Helper()
	m, ok := d.e.sb.Smokeball().Matter(matterID)
	if !ok {
		t.Fatalf("Smokeball matter %s not found", matterID)
	}
	return m.ExternalSystemID
}
