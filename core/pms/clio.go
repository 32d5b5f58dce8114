package pms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/httpx"
)

// clioSkew: Clio lists in id order, not by updated_at, so a contact
// updated during a long listing may already have been passed; a minute
// before the listing's start covers it.
const clioSkew = time.Minute

// ClioSystem is Clio Manage behind the seam.
type ClioSystem struct{ c *clio.Client }

// NewClio wraps a connected Clio client.
func NewClio(c *clio.Client) *ClioSystem { return &ClioSystem{c: c} }

// Client is the wrapped client, for the jobs that have not moved onto the
// seam yet.
func (s *ClioSystem) Client() *clio.Client { return s.c }

// Kind implements System.
func (s *ClioSystem) Kind() string { return Clio }

// ListingSkew implements System.
func (s *ClioSystem) ListingSkew() time.Duration { return clioSkew }

// Contacts implements System.
func (s *ClioSystem) Contacts(ctx context.Context, since time.Time, fn func(Contact) error) error {
	return s.c.Contacts(ctx, clio.ContactQuery{UpdatedSince: since}, func(ct clio.Contact) error { return fn(clioContact(ct)) })
}

// Contact implements System.
func (s *ClioSystem) Contact(ctx context.Context, id string) (Contact, error) {
	n, err := numericID("clio", id)
	if err != nil {
		return Contact{}, err
	}
	ct, err := s.c.Contact(ctx, n)
	if err != nil {
		return Contact{}, clioErr(err)
	}
	return clioContact(ct), nil
}

// clioErr marks Clio's not-found as the seam's.
func clioErr(err error) error {
	if errors.Is(err, clio.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// clioContact maps a contact: the primary email and phone, else the
// primary of the lists, else their first.
func clioContact(ct clio.Contact) Contact {
	email := ""
	if ct.PrimaryEmailAddress != nil {
		email = *ct.PrimaryEmailAddress
	}
	if email == "" {
		for _, e := range ct.EmailAddresses {
			if email == "" || e.Primary {
				email = e.Address
			}
			if e.Primary {
				break
			}
		}
	}
	phone := ""
	if ct.PrimaryPhoneNumber != nil {
		phone = *ct.PrimaryPhoneNumber
	}
	if strings.TrimSpace(phone) == "" {
		for _, p := range ct.PhoneNumbers {
			if phone == "" || p.Primary {
				phone = p.Number
			}
			if p.Primary {
				break
			}
		}
	}
	return Contact{
		ID:        strconv.FormatInt(ct.ID, 10),
		Name:      PersonName(ct.FirstName, ct.LastName, ct.Name),
		Email:     strings.TrimSpace(email),
		Phone:     phone,
		UpdatedAt: ct.UpdatedAt,
	}
}

// PersonName is "First Last", or fallback (e.g. a company's name), with
// blanks collapsed: how every system's person is named on screen and in
// Zoom.
func PersonName(first, last, fallback string) string {
	n := strings.Join(strings.Fields(first+" "+last), " ")
	if n == "" {
		n = strings.Join(strings.Fields(fallback), " ")
	}
	return n
}

// Matters implements System.
func (s *ClioSystem) Matters(ctx context.Context, q MatterQuery, fn func(Matter) error) error {
	return s.c.Matters(ctx, clio.MatterQuery{UpdatedSince: q.UpdatedSince, Status: q.Statuses}, func(m clio.Matter) error {
		return fn(clioMatter(m))
	})
}

// Matter implements System.
func (s *ClioSystem) Matter(ctx context.Context, id string) (Matter, error) {
	n, err := numericID("clio", id)
	if err != nil {
		return Matter{}, err
	}
	m, err := s.c.Matter(ctx, n)
	if err != nil {
		return Matter{}, clioErr(err)
	}
	return clioMatter(m), nil
}

// MatterField implements System: a text_line custom field for matters.
func (s *ClioSystem) MatterField(ctx context.Context, name string) (string, error) {
	fields, err := s.c.CustomFields(ctx, "Matter")
	if err != nil {
		return "", fmt.Errorf("listing Clio matter custom fields: %w", err)
	}
	for _, f := range fields {
		if !f.Deleted && strings.EqualFold(strings.TrimSpace(f.Name), name) {
			return strconv.FormatInt(f.ID, 10), nil
		}
	}
	return "", nil
}

// CreateMatterField implements System. Clio's field names are unique: a
// refusal as invalid may mean someone made it in between, and theirs is
// used.
func (s *ClioSystem) CreateMatterField(ctx context.Context, name string) (string, error) {
	f, err := s.c.CreateCustomField(ctx, name, "Matter", "text_line")
	if err == nil {
		return strconv.FormatInt(f.ID, 10), nil
	}
	if httpx.KindOf(err) == httpx.KindValidation {
		if id, ferr := s.MatterField(ctx, name); ferr == nil && id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("creating the Clio matter custom field %q: %w", name, err)
}

// SetMatterField implements System; Clio answers the write with the
// matter's new etag.
func (s *ClioSystem) SetMatterField(ctx context.Context, matterID, fieldID, value string) (string, error) {
	mid, err := numericID("clio", matterID)
	if err != nil {
		return "", err
	}
	fid, err := numericID("clio", fieldID)
	if err != nil {
		return "", err
	}
	etag, err := s.c.SetMatterCustomFieldEtag(ctx, mid, fid, value)
	if err != nil {
		return "", clioErr(err)
	}
	return etag, nil
}

// clioMatter maps a matter. Clio reads statuses capitalised ("Open").
func clioMatter(m clio.Matter) Matter {
	out := Matter{
		ID:           strconv.FormatInt(m.ID, 10),
		Number:       m.DisplayNumber,
		CustomNumber: m.CustomNumber,
		Description:  m.Description,
		Status:       strings.ToLower(m.Status),
		Version:      m.Etag,
		UpdatedAt:    m.UpdatedAt,
	}
	if m.Client != nil {
		out.ClientID = strconv.FormatInt(m.Client.ID, 10)
	}
	for _, v := range m.CustomFieldValues {
		if v.CustomField == nil || v.Value == nil {
			continue
		}
		if out.Fields == nil {
			out.Fields = map[string]string{}
		}
		val := clioValue(v.Value)
		out.Fields[strconv.FormatInt(v.CustomField.ID, 10)] = val
		for _, name := range []string{v.FieldName, v.CustomField.Name} {
			if name = strings.TrimSpace(name); name != "" {
				if out.FieldNames == nil {
					out.FieldNames = map[string]string{}
				}
				out.FieldNames[name] = val
			}
		}
	}
	return out
}

// clioValue renders a custom field value as text.
func clioValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// Documents implements System: Clio lists documents across matters, so
// one listing serves every matter asked for.
func (s *ClioSystem) Documents(ctx context.Context, q DocumentQuery, fn func(Document) error) error {
	if len(q.MatterIDs) == 0 {
		return nil
	}
	if len(q.MatterIDs) == 1 {
		mid, err := numericID("clio", q.MatterIDs[0])
		if err != nil {
			return err
		}
		return s.c.Documents(ctx, mid, clio.DocumentQuery{UpdatedSince: q.UpdatedSince}, func(d clio.Document) error {
			return fn(clioDocument(d))
		})
	}
	want := make(map[string]bool, len(q.MatterIDs))
	for _, id := range q.MatterIDs {
		want[id] = true
	}
	return s.c.Documents(ctx, 0, clio.DocumentQuery{UpdatedSince: q.UpdatedSince}, func(d clio.Document) error {
		if doc := clioDocument(d); want[doc.MatterID] {
			return fn(doc)
		}
		return nil
	})
}

// Document implements System. Clio fires "created" when an upload
// starts, while its index leaves unfinished uploads out unless asked:
// asking keeps such a document from being taken for gone.
func (s *ClioSystem) Document(ctx context.Context, id string) (Document, error) {
	n, err := numericID("clio", id)
	if err != nil {
		return Document{}, err
	}
	var out *Document
	err = s.c.Documents(ctx, 0, clio.DocumentQuery{IDs: []int64{n}, ShowUncompleted: true}, func(d clio.Document) error {
		if d.ID == n {
			doc := clioDocument(d)
			out = &doc
		}
		return nil
	})
	if err != nil {
		return Document{}, fmt.Errorf("reading Clio document %d: %w", n, err)
	}
	if out == nil {
		return Document{}, fmt.Errorf("clio document %d: %w", n, ErrNotFound)
	}
	return *out, nil
}

// Download implements System.
func (s *ClioSystem) Download(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	n, err := numericID("clio", id)
	if err != nil {
		return nil, 0, err
	}
	rc, size, err := s.c.Download(ctx, n)
	if err != nil {
		return nil, 0, clioErr(err)
	}
	return rc, size, nil
}

// clioDocument maps a document; its version is the latest version's id
// (or uuid) once that version is fully uploaded.
func clioDocument(d clio.Document) Document {
	out := Document{ID: strconv.FormatInt(d.ID, 10), Name: strings.TrimSpace(d.Name), Size: -1, UpdatedAt: d.UpdatedAt}
	if out.Name == "" {
		out.Name = strings.TrimSpace(d.Filename)
	}
	if d.Matter != nil {
		out.MatterID = strconv.FormatInt(d.Matter.ID, 10)
	}
	if d.Size > 0 {
		out.Size = d.Size
	}
	if v := d.LatestDocumentVersion; v != nil {
		out.Size = v.Size
		if v.FullyUploaded {
			out.Version = v.UUID
			if v.ID != 0 {
				out.Version = strconv.FormatInt(v.ID, 10)
			}
		}
	}
	return out
}

// ContactsByEmail implements System.
func (s *ClioSystem) ContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	cs, err := s.c.FindContactsByEmail(ctx, email)
	return clioContacts(cs), err
}

// ContactsByPhone implements System.
func (s *ClioSystem) ContactsByPhone(ctx context.Context, phone string) ([]Contact, error) {
	cs, err := s.c.FindContactsByPhone(ctx, phone)
	return clioContacts(cs), err
}

func clioContacts(cs []clio.Contact) []Contact {
	out := make([]Contact, len(cs))
	for i, c := range cs {
		out[i] = clioContact(c)
	}
	return out
}

// ContactNotes implements System.
func (s *ClioSystem) ContactNotes(ctx context.Context, contactID string, fn func(Note) error) error {
	n, err := numericID("clio", contactID)
	if err != nil {
		return err
	}
	err = s.c.Notes(ctx, "Contact", n, func(nt clio.Note) error {
		return fn(Note{ID: strconv.FormatInt(nt.ID, 10), Subject: nt.Subject, Body: nt.Detail})
	})
	return clioErr(err)
}

// CreateContactNote implements System.
func (s *ClioSystem) CreateContactNote(ctx context.Context, contactID string, w NoteWrite) (string, error) {
	n, err := numericID("clio", contactID)
	if err != nil {
		return "", err
	}
	nt, err := s.c.CreateNote(ctx, clio.NoteCreate{Type: "Contact", ContactID: n, Subject: w.Subject, Detail: w.Body, Date: w.Date.UTC()})
	if err != nil {
		return "", clioErr(err)
	}
	return strconv.FormatInt(nt.ID, 10), nil
}

// CreateContact implements System.
func (s *ClioSystem) CreateContact(ctx context.Context, w ContactWrite) (Contact, error) {
	cw := clio.ContactWrite{FirstName: &w.FirstName, LastName: &w.LastName}
	if w.Email != "" {
		cw.EmailAddresses = []clio.EmailAddressWrite{{Address: w.Email, Name: "Work"}}
	}
	if w.Phone != "" {
		cw.PhoneNumbers = []clio.PhoneNumberWrite{{Number: w.Phone, Name: "Mobile"}}
	}
	c, err := s.c.CreateContact(ctx, cw)
	if err != nil {
		return Contact{}, err
	}
	return clioContact(c), nil
}

// MattersByKey implements System with Clio's custom_field_values filter;
// the value is compared again here (the filter's matching rules are
// Clio's, and only an exact value is the key).
func (s *ClioSystem) MattersByKey(ctx context.Context, fieldID, value string) ([]Matter, error) {
	fid, err := numericID("clio", fieldID)
	if err != nil {
		return nil, err
	}
	var out []Matter
	err = s.c.Matters(ctx, clio.MatterQuery{CustomFieldValue: map[int64]string{fid: value}}, func(m clio.Matter) error {
		if mm := clioMatter(m); strings.TrimSpace(mm.Fields[fieldID]) == value {
			out = append(out, mm)
		}
		return nil
	})
	return out, err
}

// CreateMatter implements System. Clio has no slot for the external key
// on the matter itself: the caller writes it to a custom field.
func (s *ClioSystem) CreateMatter(ctx context.Context, m MatterCreate) (Matter, error) {
	cid, err := numericID("clio", m.ClientID)
	if err != nil {
		return Matter{}, err
	}
	mc := clio.MatterCreate{Description: m.Description, ClientID: cid, CustomNumber: m.Number, Status: "open"}
	if m.PracticeAreaID != "" {
		if mc.PracticeAreaID, err = numericID("clio", m.PracticeAreaID); err != nil {
			return Matter{}, err
		}
	}
	out, err := s.c.CreateMatter(ctx, mc)
	if err != nil {
		return Matter{}, err
	}
	return clioMatter(out), nil
}

// PracticeAreas implements System.
func (s *ClioSystem) PracticeAreas(ctx context.Context) ([]PracticeArea, error) {
	pas, err := s.c.PracticeAreas(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PracticeArea, len(pas))
	for i, pa := range pas {
		out[i] = PracticeArea{ID: strconv.FormatInt(pa.ID, 10), Name: pa.Name}
	}
	return out, nil
}

// UploadDocument implements System: Clio's three-step upload, onto the
// matter or, resuming, onto the record a failed attempt left.
func (s *ClioSystem) UploadDocument(ctx context.Context, matterID, name string, size int64, body io.Reader, resume string) (Document, error) {
	mid, err := numericID("clio", matterID)
	if err != nil {
		return Document{}, err
	}
	parent := clio.Parent{ID: mid, Type: "Matter"}
	if resume != "" {
		rid, err := numericID("clio", resume)
		if err != nil {
			return Document{}, err
		}
		parent = clio.Parent{ID: rid, Type: "Document"}
	}
	d, err := s.c.Upload(ctx, parent, name, size, body)
	if err != nil {
		var ue *clio.UploadError
		if errors.As(err, &ue) && ue.DocumentID != 0 {
			return Document{}, &UploadError{DocumentID: strconv.FormatInt(ue.DocumentID, 10), Err: err}
		}
		return Document{}, clioErr(err)
	}
	doc := clioDocument(d)
	if doc.MatterID == "" {
		doc.MatterID = matterID
	}
	return doc, nil
}

// SearchContacts implements System with Clio's own search.
func (s *ClioSystem) SearchContacts(ctx context.Context, query string, limit int) ([]Contact, error) {
	cs, err := s.c.SearchContacts(ctx, query, limit)
	return clioContacts(cs), err
}

// ApplyDelay implements System: Clio creates at once.
func (s *ClioSystem) ApplyDelay() time.Duration { return 0 }
