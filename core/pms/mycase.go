package pms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/mycase"
)

// myCaseSkew: MyCase documents no order for its listings [U], so a change
// made while a listing pages may land on a page already read; a minute
// before the listing's start covers it, as for Clio.
const myCaseSkew = time.Minute

// MyCaseSystem is MyCase behind the seam. MyCase keeps people (its
// "clients") and companies in separate lists; the contacts are its
// people, whom staff call (a company's number is its switchboard).
type MyCaseSystem struct{ c *mycase.Client }

// NewMyCase wraps a connected MyCase client.
func NewMyCase(c *mycase.Client) *MyCaseSystem { return &MyCaseSystem{c: c} }

// Client is the wrapped client (webhook upkeep manages subscriptions with
// it).
func (s *MyCaseSystem) Client() *mycase.Client { return s.c }

// Kind implements System.
func (s *MyCaseSystem) Kind() string { return MyCase }

// ListingSkew implements System.
func (s *MyCaseSystem) ListingSkew() time.Duration { return myCaseSkew }

// Contacts implements System.
func (s *MyCaseSystem) Contacts(ctx context.Context, since time.Time, fn func(Contact) error) error {
	return s.c.People(ctx, mycase.PeopleQuery{UpdatedAfter: since}, func(p mycase.Person) error { return fn(myCasePerson(p)) })
}

// Contact implements System.
func (s *MyCaseSystem) Contact(ctx context.Context, id string) (Contact, error) {
	n, err := numericID("mycase", id)
	if err != nil {
		return Contact{}, err
	}
	p, err := s.c.Person(ctx, n)
	if err != nil {
		return Contact{}, myCaseErr(err)
	}
	return myCasePerson(p), nil
}

// myCasePerson maps a person: MyCase keeps one email and named phone
// fields; the mobile is the one to call first.
func myCasePerson(p mycase.Person) Contact {
	phone := ""
	for _, v := range []string{p.CellPhoneNumber, p.WorkPhoneNumber, p.HomePhoneNumber} {
		if strings.TrimSpace(v) != "" {
			phone = v
			break
		}
	}
	return Contact{
		ID:        strconv.FormatInt(p.ID, 10),
		Name:      PersonName(p.FirstName, p.LastName, ""),
		Email:     strings.TrimSpace(p.Email),
		Phone:     phone,
		UpdatedAt: p.UpdatedAt,
	}
}

// myCaseErr marks MyCase's not-found as the seam's.
func myCaseErr(err error) error {
	if errors.Is(err, mycase.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// numericID parses the id of a system whose ids are numbers.
func numericID(system, id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s id %q is not a number", system, id)
	}
	return n, nil
}

// Matters implements System. MyCase knows two statuses (open, closed) and
// filters by one at a time, so the statuses are kept here.
func (s *MyCaseSystem) Matters(ctx context.Context, q MatterQuery, fn func(Matter) error) error {
	return s.c.Cases(ctx, mycase.CaseQuery{UpdatedAfter: q.UpdatedSince}, func(c mycase.Case) error {
		m := myCaseMatter(c)
		if !statusIn(m.Status, q.Statuses) {
			return nil
		}
		return fn(m)
	})
}

// Matter implements System.
func (s *MyCaseSystem) Matter(ctx context.Context, id string) (Matter, error) {
	n, err := numericID("mycase", id)
	if err != nil {
		return Matter{}, err
	}
	c, err := s.c.Case(ctx, n)
	if err != nil {
		return Matter{}, myCaseErr(err)
	}
	return myCaseMatter(c), nil
}

// MatterField implements System: a short_text custom field for cases.
func (s *MyCaseSystem) MatterField(ctx context.Context, name string) (string, error) {
	fields, err := s.c.CustomFields(ctx)
	if err != nil {
		return "", fmt.Errorf("listing MyCase custom fields: %w", err)
	}
	for _, f := range fields {
		if strings.EqualFold(f.ParentType, "case") && strings.EqualFold(strings.TrimSpace(f.Name), name) {
			return strconv.FormatInt(f.ID, 10), nil
		}
	}
	return "", nil
}

// CreateMatterField implements System; a refusal as invalid may mean the
// field was made in between, and that one is used.
func (s *MyCaseSystem) CreateMatterField(ctx context.Context, name string) (string, error) {
	f, err := s.c.CreateCustomField(ctx, name, "case", "short_text")
	if err == nil {
		return strconv.FormatInt(f.ID, 10), nil
	}
	if httpx.KindOf(err) == httpx.KindValidation {
		if id, ferr := s.MatterField(ctx, name); ferr == nil && id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("creating the MyCase case custom field %q: %w", name, err)
}

// SetMatterField implements System. MyCase answers the write with no
// body, so the case is read back for its new version: one request now
// saves the folders job a check of every case it wrote on its next run
// (it would not know the change for its own).
func (s *MyCaseSystem) SetMatterField(ctx context.Context, matterID, fieldID, value string) (string, error) {
	mid, err := numericID("mycase", matterID)
	if err != nil {
		return "", err
	}
	fid, err := numericID("mycase", fieldID)
	if err != nil {
		return "", err
	}
	if err := s.c.SetCaseCustomField(ctx, mid, fid, value); err != nil {
		return "", myCaseErr(err)
	}
	c, err := s.c.Case(ctx, mid)
	if err != nil {
		return "", nil // written; its version stays unknown and the next run checks once
	}
	return myCaseMatter(c).Version, nil
}

// myCaseMatter maps a case. A case has a name (required, unique) and an
// optional case number; updated_at is its version.
func myCaseMatter(c mycase.Case) Matter {
	m := Matter{
		ID:           strconv.FormatInt(c.ID, 10),
		Number:       strings.TrimSpace(c.CaseNumber),
		CustomNumber: strings.TrimSpace(c.CaseNumber),
		Description:  strings.TrimSpace(c.Name),
		Status:       strings.ToLower(c.Status),
		Version:      c.UpdatedAt.UTC().Format(time.RFC3339Nano),
		UpdatedAt:    c.UpdatedAt,
	}
	if len(c.Clients) > 0 {
		m.ClientID = strconv.FormatInt(c.Clients[0].ID, 10)
	}
	for _, v := range c.CustomFieldValues {
		if v.Value == nil {
			continue
		}
		if m.Fields == nil {
			m.Fields = map[string]string{}
		}
		m.Fields[strconv.FormatInt(v.CustomField.ID, 10)] = v.String()
	}
	return m
}

// Documents implements System. One case is listed on its own (that
// listing takes no filters, so the time is checked here); several are
// found in one firm-wide listing of what changed.
func (s *MyCaseSystem) Documents(ctx context.Context, q DocumentQuery, fn func(Document) error) error {
	switch len(q.MatterIDs) {
	case 0:
		return nil
	case 1:
		cid, err := numericID("mycase", q.MatterIDs[0])
		if err != nil {
			return err
		}
		return s.c.CaseDocuments(ctx, cid, func(d mycase.Document) error {
			if !q.UpdatedSince.IsZero() && d.UpdatedAt.Before(q.UpdatedSince) {
				return nil
			}
			return fn(myCaseDocument(d))
		})
	}
	want := make(map[string]bool, len(q.MatterIDs))
	for _, id := range q.MatterIDs {
		want[id] = true
	}
	return s.c.Documents(ctx, mycase.DocumentQuery{UpdatedAfter: q.UpdatedSince}, func(d mycase.Document) error {
		if doc := myCaseDocument(d); want[doc.MatterID] {
			return fn(doc)
		}
		return nil
	})
}

// Document implements System.
func (s *MyCaseSystem) Document(ctx context.Context, id string) (Document, error) {
	n, err := numericID("mycase", id)
	if err != nil {
		return Document{}, err
	}
	d, err := s.c.Document(ctx, n)
	if err != nil {
		return Document{}, myCaseErr(err)
	}
	return myCaseDocument(d), nil
}

// Download implements System.
func (s *MyCaseSystem) Download(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	n, err := numericID("mycase", id)
	if err != nil {
		return nil, 0, err
	}
	rc, size, err := s.c.Download(ctx, n)
	if err != nil {
		return nil, 0, myCaseErr(err)
	}
	return rc, size, nil
}

// myCaseDocument maps a document. MyCase's document carries no version
// or size: its updated_at stands for the version [U: that a new version
// moves the document's updated_at is not documented; the fake does], and
// the size comes with the download. The file name (with its extension) is
// preferred over the title.
func myCaseDocument(d mycase.Document) Document {
	out := Document{ID: strconv.FormatInt(d.ID, 10), Name: strings.TrimSpace(d.Filename), Size: -1, UpdatedAt: d.UpdatedAt,
		Version: d.UpdatedAt.UTC().Format(time.RFC3339Nano)}
	if out.Name == "" {
		out.Name = strings.TrimSpace(d.Name)
	}
	if d.Case != nil {
		out.MatterID = strconv.FormatInt(d.Case.ID, 10)
	}
	return out
}

// ContactsByEmail implements System.
func (s *MyCaseSystem) ContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	ps, err := s.c.FindPeopleByEmail(ctx, email)
	return myCasePeople(ps), err
}

// ContactsByPhone implements System.
func (s *MyCaseSystem) ContactsByPhone(ctx context.Context, phone string) ([]Contact, error) {
	ps, err := s.c.FindPeopleByPhone(ctx, phone)
	return myCasePeople(ps), err
}

func myCasePeople(ps []mycase.Person) []Contact {
	out := make([]Contact, len(ps))
	for i, p := range ps {
		out[i] = myCasePerson(p)
	}
	return out
}

// ContactNotes implements System.
func (s *MyCaseSystem) ContactNotes(ctx context.Context, contactID string, fn func(Note) error) error {
	n, err := numericID("mycase", contactID)
	if err != nil {
		return err
	}
	err = s.c.ClientNotes(ctx, n, func(nt mycase.Note) error {
		return fn(Note{ID: strconv.FormatInt(nt.ID, 10), Subject: nt.Subject, Body: nt.Note})
	})
	return myCaseErr(err)
}

// CreateContactNote implements System.
func (s *MyCaseSystem) CreateContactNote(ctx context.Context, contactID string, w NoteWrite) (string, error) {
	n, err := numericID("mycase", contactID)
	if err != nil {
		return "", err
	}
	nt, err := s.c.CreateClientNote(ctx, n, mycase.NoteWrite{Subject: w.Subject, Note: w.Body, Date: w.Date.UTC()})
	if err != nil {
		return "", myCaseErr(err)
	}
	return strconv.FormatInt(nt.ID, 10), nil
}

// CreateContact implements System: a MyCase client (person), the phone as
// the mobile number.
func (s *MyCaseSystem) CreateContact(ctx context.Context, w ContactWrite) (Contact, error) {
	p, err := s.c.CreatePerson(ctx, mycase.PersonWrite{FirstName: w.FirstName, LastName: w.LastName, Email: w.Email, CellPhoneNumber: w.Phone})
	if err != nil {
		return Contact{}, err
	}
	return myCasePerson(p), nil
}

// MattersByKey implements System. MyCase's case listing has no filter by
// custom field, so every case is listed and compared here (only for a
// prospect the ledger does not know: a new hire, or after a lost
// database).
func (s *MyCaseSystem) MattersByKey(ctx context.Context, fieldID, value string) ([]Matter, error) {
	if fieldID == "" {
		return nil, nil // MyCase cases have no external key besides custom fields
	}
	var out []Matter
	err := s.c.Cases(ctx, mycase.CaseQuery{}, func(c mycase.Case) error {
		if m := myCaseMatter(c); strings.TrimSpace(m.Fields[fieldID]) == value {
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// CreateMatter implements System: a case named by the description (MyCase
// requires case names to be unique and refuses a taken one as invalid),
// its case number, and its practice area by name.
func (s *MyCaseSystem) CreateMatter(ctx context.Context, m MatterCreate) (Matter, error) {
	cid, err := numericID("mycase", m.ClientID)
	if err != nil {
		return Matter{}, err
	}
	c, err := s.c.CreateCase(ctx, mycase.CaseWrite{Name: m.Description, CaseNumber: m.Number, Status: "open",
		PracticeArea: m.PracticeAreaID, OpenedDate: time.Now().UTC().Format(time.DateOnly), Clients: []mycase.IDRef{{ID: cid}}})
	if err != nil {
		return Matter{}, err
	}
	return myCaseMatter(c), nil
}

// PracticeAreas implements System. A case names its practice area by
// name, so the name is also the id CreateMatter takes.
func (s *MyCaseSystem) PracticeAreas(ctx context.Context) ([]PracticeArea, error) {
	pas, err := s.c.PracticeAreas(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PracticeArea, len(pas))
	for i, pa := range pas {
		out[i] = PracticeArea{ID: pa.Name, Name: pa.Name}
	}
	return out, nil
}

// UploadDocument implements System: MyCase's document record, then the
// bytes to its storage URL; resuming sends them as a new version of the
// record a failed attempt left.
func (s *MyCaseSystem) UploadDocument(ctx context.Context, matterID, name string, size int64, body io.Reader, resume string) (Document, error) {
	cid, err := numericID("mycase", matterID)
	if err != nil {
		return Document{}, err
	}
	if resume != "" {
		did, err := numericID("mycase", resume)
		if err != nil {
			return Document{}, err
		}
		if err := s.c.UploadVersion(ctx, did, size, body); err != nil {
			return Document{}, myCaseErr(err)
		}
		d, err := s.c.Document(ctx, did)
		if err != nil {
			return Document{}, myCaseErr(err)
		}
		return myCaseDocument(d), nil
	}
	d, err := s.c.Upload(ctx, cid, name, name, size, body)
	if err != nil {
		var ue *mycase.UploadError
		if errors.As(err, &ue) && ue.DocumentID != 0 {
			return Document{}, &UploadError{DocumentID: strconv.FormatInt(ue.DocumentID, 10), Err: err}
		}
		return Document{}, myCaseErr(err)
	}
	doc := myCaseDocument(d)
	doc.MatterID, doc.Size = matterID, size
	return doc, nil
}

// SearchContacts implements System through MyCase's name and email
// filters.
func (s *MyCaseSystem) SearchContacts(ctx context.Context, query string, limit int) ([]Contact, error) {
	ps, err := s.c.SearchPeople(ctx, query, limit)
	return myCasePeople(ps), err
}

// ApplyDelay implements System: MyCase creates at once (201 with the
// record).
func (s *MyCaseSystem) ApplyDelay() time.Duration { return 0 }
