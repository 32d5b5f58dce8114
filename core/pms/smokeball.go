package pms

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// smokeballSkew: Smokeball applies writes after answering 202, and a
// record's lastUpdated can be the time of the request, not of when it
// became visible; a minute before a listing's start covers both that and
// a change made while the listing pages.
const smokeballSkew = time.Minute

// SmokeballSystem is Smokeball behind the seam.
type SmokeballSystem struct {
	c *smokeball.Client

	mu    sync.Mutex
	types []smokeball.MatterType // nil until listed

	clock func() time.Time // tests; nil = time.Now
}

// NewSmokeball wraps a connected Smokeball client.
func NewSmokeball(c *smokeball.Client) *SmokeballSystem { return &SmokeballSystem{c: c} }

// Client is the wrapped client (webhook upkeep manages the subscription
// with it).
func (s *SmokeballSystem) Client() *smokeball.Client { return s.c }

// Kind implements System.
func (s *SmokeballSystem) Kind() string { return Smokeball }

// ListingSkew implements System.
func (s *SmokeballSystem) ListingSkew() time.Duration { return smokeballSkew }

// Contacts implements System. Deleted contacts (Smokeball keeps them,
// flagged, and lists them) are left out, so a complete listing lacks
// them as it lacks a contact deleted in Clio.
func (s *SmokeballSystem) Contacts(ctx context.Context, since time.Time, fn func(Contact) error) error {
	return s.c.Contacts(ctx, smokeball.ContactQuery{UpdatedSince: since}, func(c smokeball.Contact) error {
		if c.IsDeleted {
			return nil
		}
		return fn(smokeballContact(c))
	})
}

// Contact implements System; a deleted contact is not found.
func (s *SmokeballSystem) Contact(ctx context.Context, id string) (Contact, error) {
	c, err := s.c.Contact(ctx, id)
	if err != nil {
		return Contact{}, smokeballErr(err)
	}
	if c.IsDeleted {
		return Contact{}, fmt.Errorf("smokeball contact %s is deleted: %w", id, ErrNotFound)
	}
	return smokeballContact(c), nil
}

// smokeballContact maps a person or a company; the mobile is the number
// to call first.
func smokeballContact(c smokeball.Contact) Contact {
	out := Contact{ID: c.ID, UpdatedAt: c.LastUpdated}
	switch {
	case c.Person != nil:
		p := c.Person
		out.Name = PersonName(p.FirstName, p.LastName, "")
		out.Email = strings.TrimSpace(p.Email)
		out.Phone = smokeballPhone(p.Cell, p.Phone, p.Phone2)
	case c.Company != nil:
		out.Name = strings.Join(strings.Fields(c.Company.Name), " ")
		out.Email = strings.TrimSpace(c.Company.Email)
		out.Phone = smokeballPhone(c.Company.Phone)
	}
	return out
}

// smokeballPhone is the first number given, as "area number" (Smokeball
// splits the area code off).
func smokeballPhone(phones ...*smokeball.Phone) string {
	for _, p := range phones {
		if p == nil || strings.TrimSpace(p.Number) == "" {
			continue
		}
		return strings.TrimSpace(strings.TrimSpace(p.AreaCode) + " " + strings.TrimSpace(p.Number))
	}
	return ""
}

// smokeballErr marks Smokeball's not-found as the seam's.
func smokeballErr(err error) error {
	if errors.Is(err, smokeball.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// ContactsByEmail implements System.
func (s *SmokeballSystem) ContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	cs, err := s.c.FindContactsByEmail(ctx, email)
	return smokeballContacts(cs), err
}

// ContactsByPhone implements System.
func (s *SmokeballSystem) ContactsByPhone(ctx context.Context, phone string) ([]Contact, error) {
	cs, err := s.c.FindContactsByPhone(ctx, phone)
	return smokeballContacts(cs), err
}

// smokeballContacts maps found contacts, leaving out deleted ones.
func smokeballContacts(cs []smokeball.Contact) []Contact {
	out := make([]Contact, 0, len(cs))
	for _, c := range cs {
		if !c.IsDeleted {
			out = append(out, smokeballContact(c))
		}
	}
	return out
}

// smokeballNotesID names a contact's notes text, Smokeball's only place
// for a note on a contact (its memos belong to matters).
func smokeballNotesID(contactID string) string { return contactID + "#notes" }

// ContactNotes implements System: the contact's notes text is its one
// note.
func (s *SmokeballSystem) ContactNotes(ctx context.Context, contactID string, fn func(Note) error) error {
	c, err := s.c.Contact(ctx, contactID)
	if err != nil {
		return smokeballErr(err)
	}
	if c.IsDeleted {
		return fmt.Errorf("smokeball contact %s is deleted: %w", contactID, ErrNotFound)
	}
	if text := smokeballNotes(c); text != "" {
		return fn(Note{ID: smokeballNotesID(contactID), Body: text})
	}
	return nil
}

// smokeballNotes is a person's or company's notes text.
func smokeballNotes(c smokeball.Contact) string {
	switch {
	case c.Person != nil:
		return c.Person.Notes
	case c.Company != nil:
		return c.Company.Notes
	}
	return ""
}

// smokeballNoteGap separates notes in a contact's notes text.
const smokeballNoteGap = "\n\n----\n\n"

// CreateContactNote implements System. Smokeball contacts have no notes
// list, only a notes text; the note is appended to it (the text read is
// sent back with the note after it, in the one read the write needs). The
// write applies after Smokeball answers 202, so the note is waited for:
// the next note on the same contact must read a text that has this one,
// or it would replace it.
func (s *SmokeballSystem) CreateContactNote(ctx context.Context, contactID string, w NoteWrite) (string, error) {
	note := strings.TrimSpace(w.Subject + "\n" + w.Body)
	_, err := s.c.EditContactNotes(ctx, contactID, func(c smokeball.Contact) (string, error) {
		if c.IsDeleted {
			return "", fmt.Errorf("smokeball contact %s is deleted: %w", contactID, ErrNotFound)
		}
		text := smokeballNotes(c)
		if strings.TrimSpace(text) != "" {
			text = strings.TrimRight(text, "\n") + smokeballNoteGap
		}
		return text + note, nil
	})
	if err != nil {
		return "", smokeballErr(err)
	}
	_, err = s.c.WaitContactUntil(ctx, contactID, func(c smokeball.Contact) bool { return strings.Contains(smokeballNotes(c), note) })
	if errors.Is(err, smokeball.ErrNotApplied) {
		return "", fmt.Errorf("smokeball accepted the note on contact %s but had not applied it yet; "+
			"it is looked for before it is written again: %w", contactID, err)
	}
	if err != nil {
		return "", smokeballErr(err)
	}
	return smokeballNotesID(contactID), nil
}

// Matters implements System. Leads are prospects, not matters yet, and
// are left out; statuses are compared here (Smokeball filters by one).
func (s *SmokeballSystem) Matters(ctx context.Context, q MatterQuery, fn func(Matter) error) error {
	return s.c.Matters(ctx, smokeball.MatterQuery{UpdatedSince: q.UpdatedSince}, func(m smokeball.Matter) error {
		if m.IsLead {
			return nil
		}
		mm := smokeballMatter(m)
		if !statusIn(mm.Status, q.Statuses) {
			return nil
		}
		return fn(mm)
	})
}

// Matter implements System.
func (s *SmokeballSystem) Matter(ctx context.Context, id string) (Matter, error) {
	m, err := s.c.Matter(ctx, id)
	if err != nil {
		return Matter{}, smokeballErr(err)
	}
	return smokeballMatter(m), nil
}

// MatterField implements System: Smokeball keeps a matter's own data in
// layouts an integration cannot define, so there is no field to hold the
// Box folder id.
func (s *SmokeballSystem) MatterField(context.Context, string) (string, error) {
	return "", ErrNoMatterFields
}

// CreateMatterField implements System (see MatterField).
func (s *SmokeballSystem) CreateMatterField(context.Context, string) (string, error) {
	return "", ErrNoMatterFields
}

// SetMatterField implements System (see MatterField).
func (s *SmokeballSystem) SetMatterField(context.Context, string, string, string) (string, error) {
	return "", ErrNoMatterFields
}

// smokeballMatter maps a matter: its number, and its description (else
// Smokeball's generated title).
func smokeballMatter(m smokeball.Matter) Matter {
	out := Matter{
		ID:           m.ID,
		Number:       strings.TrimSpace(m.Number),
		CustomNumber: strings.TrimSpace(m.Number),
		Description:  strings.TrimSpace(m.Description),
		Status:       strings.ToLower(m.Status),
		Version:      m.VersionID,
		UpdatedAt:    m.LastUpdated,
	}
	if out.Description == "" {
		out.Description = strings.TrimSpace(m.Title)
	}
	if len(m.ClientIDs) > 0 {
		out.ClientID = m.ClientIDs[0]
	}
	out.ExternalKey = m.ExternalSystemID
	return out
}

// Smokeball's file ids are per matter: the seam's document id names both,
// "<matter id>.<file id>" (GUIDs hold no dot).
func smokeballDocID(matterID, fileID string) string { return matterID + "." + fileID }

func smokeballSplitDoc(id string) (matterID, fileID string, err error) {
	m, f, ok := strings.Cut(id, ".")
	if !ok || m == "" || f == "" {
		return "", "", fmt.Errorf("smokeball document id %q is not <matter id>.<file id>", id)
	}
	return m, f, nil
}

// Documents implements System. Smokeball lists files per matter only and
// has no changed-since filter, so listing every matter on every run would
// cost one request per matter (at 5 a second). A changed-since query lists
// instead the files of the matters Smokeball reports changed since then,
// plus a rotating share of the others (smokeballSlots of them, one slot
// per quarter hour): a file added without its matter changing [U: whether
// it changes the matter is undocumented] and whose files.updated webhook
// was lost is still found within a day. Those rotation listings pass on
// every file, however old: the job's ledger tells what it already has.
func (s *SmokeballSystem) Documents(ctx context.Context, q DocumentQuery, fn func(Document) error) error {
	want := q.MatterIDs
	rotated := map[string]bool{}
	if !q.UpdatedSince.IsZero() && len(q.MatterIDs) > 1 {
		changed := map[string]bool{}
		err := s.c.Matters(ctx, smokeball.MatterQuery{UpdatedSince: q.UpdatedSince.Add(-smokeballSkew)}, func(m smokeball.Matter) error {
			changed[m.ID] = true
			return nil
		})
		if err != nil {
			return smokeballErr(err)
		}
		slot := smokeballSlot(s.now())
		want = nil
		for _, id := range q.MatterIDs {
			switch {
			case changed[id]:
				want = append(want, id)
			case smokeballMatterSlot(id) == slot:
				want = append(want, id)
				rotated[id] = true
			}
		}
	}
	for _, mid := range want {
		since := q.UpdatedSince
		if rotated[mid] {
			since = time.Time{}
		}
		err := s.c.Files(ctx, mid, func(f smokeball.File) error {
			if f.IsDeleted || (!since.IsZero() && f.DateModified.Before(since)) {
				return nil
			}
			return fn(smokeballDocument(mid, f))
		})
		if err != nil {
			return smokeballErr(err)
		}
	}
	return nil
}

// smokeballSlots is how many quarter-hour slots the rotation of
// Documents spreads the matters over: a day's worth.
const smokeballSlots = 96

// smokeballSlot is the rotation slot of time t.
func smokeballSlot(t time.Time) uint32 { return uint32(t.Unix()/int64(15*60)) % smokeballSlots }

// smokeballMatterSlot is the slot a matter's files are listed in.
func smokeballMatterSlot(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32() % smokeballSlots
}

func (s *SmokeballSystem) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// Document implements System; a deleted file is not found.
func (s *SmokeballSystem) Document(ctx context.Context, id string) (Document, error) {
	mid, fid, err := smokeballSplitDoc(id)
	if err != nil {
		return Document{}, err
	}
	f, err := s.c.File(ctx, mid, fid)
	if err != nil {
		return Document{}, smokeballErr(err)
	}
	if f.IsDeleted {
		return Document{}, fmt.Errorf("smokeball file %s is deleted: %w", id, ErrNotFound)
	}
	return smokeballDocument(mid, f), nil
}

// Download implements System.
func (s *SmokeballSystem) Download(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	mid, fid, err := smokeballSplitDoc(id)
	if err != nil {
		return nil, 0, err
	}
	rc, size, err := s.c.Download(ctx, mid, fid)
	if err != nil {
		return nil, 0, smokeballErr(err)
	}
	return rc, size, nil
}

// smokeballDocument maps a file: its version is versionId once the bytes
// are uploaded.
func smokeballDocument(matterID string, f smokeball.File) Document {
	d := Document{ID: smokeballDocID(matterID, f.ID), MatterID: matterID, Name: strings.TrimSpace(f.FullName()),
		Size: f.SizeBytes, UpdatedAt: f.DateModified}
	if f.IsUploaded {
		d.Version = f.VersionID
	}
	return d
}

// CreateContact implements System: Smokeball accepts the person (202) and
// shows it a moment later; the contact is returned once it is there.
func (s *SmokeballSystem) CreateContact(ctx context.Context, w ContactWrite) (Contact, error) {
	p := smokeball.Person{FirstName: w.FirstName, LastName: w.LastName, Email: w.Email}
	if w.Phone != "" {
		p.Cell = &smokeball.Phone{Number: w.Phone}
	}
	a, err := s.c.CreateContact(ctx, p)
	if err != nil {
		return Contact{}, err
	}
	if w.OnAccepted != nil {
		if err := w.OnAccepted(a.ID); err != nil {
			return Contact{}, err
		}
	}
	c, err := s.c.WaitContact(ctx, a.ID)
	if errors.Is(err, smokeball.ErrNotFound) {
		return Contact{}, &PendingError{What: "contact", ID: a.ID, Err: err}
	}
	if err != nil {
		return Contact{}, fmt.Errorf("waiting for Smokeball to apply the new contact %s: %w", a.ID, err)
	}
	return smokeballContact(c), nil
}

// MattersByKey implements System: Smokeball matters have no custom fields;
// the external key is the matter's externalSystemId, compared here over
// every matter (the search fields Smokeball documents do not include it).
func (s *SmokeballSystem) MattersByKey(ctx context.Context, fieldID, value string) ([]Matter, error) {
	if fieldID != "" {
		return nil, ErrNoMatterFields
	}
	var out []Matter
	err := s.c.Matters(ctx, smokeball.MatterQuery{}, func(m smokeball.Matter) error {
		if m.ExternalSystemID == value {
			out = append(out, smokeballMatter(m))
		}
		return nil
	})
	return out, err
}

// CreateMatter implements System. Smokeball requires a matter type, and
// the client's role must be one the type offers: its first. The external
// key goes with the create (externalSystemId). The 202 is followed by a
// wait until the matter shows; the id is known from the 202, so a wait
// that gives up is found again by its key, never created twice.
func (s *SmokeballSystem) CreateMatter(ctx context.Context, m MatterCreate) (Matter, error) {
	role := ""
	if m.PracticeAreaID != "" {
		t, err := s.matterType(ctx, m.PracticeAreaID)
		if err != nil {
			return Matter{}, err
		}
		if len(t.RepresentativeOptions) > 0 {
			role = t.RepresentativeOptions[0]
		}
	}
	a, err := s.c.CreateMatter(ctx, smokeball.MatterWrite{ExternalSystemID: m.ExternalKey, Number: m.Number,
		MatterTypeID: m.PracticeAreaID, Description: m.Description, Status: "Open", ClientRole: role, ClientIDs: []string{m.ClientID}})
	if err != nil {
		return Matter{}, err
	}
	if m.OnAccepted != nil {
		if err := m.OnAccepted(a.ID); err != nil {
			return Matter{}, err
		}
	}
	out, err := s.c.WaitMatter(ctx, a.ID)
	if errors.Is(err, smokeball.ErrNotFound) {
		return Matter{}, &PendingError{What: "matter", ID: a.ID, Err: err}
	}
	if err != nil {
		return Matter{}, fmt.Errorf("waiting for Smokeball to apply the new matter %s: %w", a.ID, err)
	}
	return smokeballMatter(out), nil
}

// matterType finds one matter type by id (from the cached list).
func (s *SmokeballSystem) matterType(ctx context.Context, id string) (smokeball.MatterType, error) {
	ts, err := s.matterTypes(ctx)
	if err != nil {
		return smokeball.MatterType{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return smokeball.MatterType{}, fmt.Errorf("smokeball matter type %s: %w", id, ErrNotFound)
}

// matterTypes lists the matter types once per adapter.
func (s *SmokeballSystem) matterTypes(ctx context.Context) ([]smokeball.MatterType, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.types != nil {
		return s.types, nil
	}
	ts, err := s.c.MatterTypes(ctx, "")
	if err != nil {
		return nil, err
	}
	s.types = ts
	return ts, nil
}

// PracticeAreas implements System: Smokeball's matter types. A type is
// per location (a US state): a name found in several locations keeps its
// plain name for the first location (in Smokeball's order), so a mapping
// that says "Financing" still finds a type, and the others are told apart
// by their location, "Financing (NY)".
func (s *SmokeballSystem) PracticeAreas(ctx context.Context) ([]PracticeArea, error) {
	ts, err := s.matterTypes(ctx)
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	out := make([]PracticeArea, len(ts))
	for i, t := range ts {
		name := t.Name
		if named[strings.ToLower(t.Name)] && t.Location != "" {
			name += " (" + t.Location + ")"
		}
		named[strings.ToLower(t.Name)] = true
		out[i] = PracticeArea{ID: t.ID, Name: name}
	}
	return out, nil
}

// UploadDocument implements System: Smokeball's file record and upload
// URL, then the bytes; resuming asks for a new upload URL for the record
// a failed attempt left.
func (s *SmokeballSystem) UploadDocument(ctx context.Context, matterID, name string, size int64, body io.Reader, resume string) (Document, error) {
	fid := ""
	if resume != "" {
		_, f, err := smokeballSplitDoc(resume)
		if err != nil {
			return Document{}, err
		}
		if err := s.c.UploadVersion(ctx, matterID, f, size, body); err != nil {
			return Document{}, smokeballErr(err)
		}
		fid = f
	} else {
		f, err := s.c.Upload(ctx, matterID, "", name, size, body)
		if err != nil {
			var ue *smokeball.UploadError
			if errors.As(err, &ue) && ue.FileID != "" {
				return Document{}, &UploadError{DocumentID: smokeballDocID(matterID, ue.FileID), Err: err}
			}
			return Document{}, smokeballErr(err)
		}
		fid = f
	}
	return Document{ID: smokeballDocID(matterID, fid), MatterID: matterID, Name: name, Size: size}, nil
}

// SearchContacts implements System with Smokeball's wildcard search.
func (s *SmokeballSystem) SearchContacts(ctx context.Context, query string, limit int) ([]Contact, error) {
	cs, err := s.c.SearchContacts(ctx, query, limit)
	return smokeballContacts(cs), err
}

// smokeballApplyDelay bounds how long an accepted Smokeball write may take
// to show [U: Smokeball states no figure; its client waits 30 s, and a
// crash may come right after the 202, so twice that and a margin].
const smokeballApplyDelay = 2 * time.Minute

// ApplyDelay implements System.
func (s *SmokeballSystem) ApplyDelay() time.Duration { return smokeballApplyDelay }
