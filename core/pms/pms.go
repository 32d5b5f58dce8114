// Package pms is the seam between Firmsync's sync jobs and the firm's
// practice-management system: Clio Manage, MyCase or Smokeball. The jobs
// speak only these types and this interface; each system's quirks (ids
// that are numbers or GUIDs, writes that apply later, a contact with one
// email or many, notes that only matters can carry) stay in its adapter
// (clio.go, mycase.go, smokeball.go) and its connector.
//
// The interface is shaped by what the jobs need, not by what the APIs
// offer: a job that has moved onto the seam calls nothing else of the
// system. Ids are the system's own, carried as text ("12" for Clio and
// MyCase, a GUID for Smokeball).
package pms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Kinds of practice-management system, as settings and ledger keys spell
// them.
const (
	Clio      = "clio"
	MyCase    = "mycase"
	Smokeball = "smokeball"
)

// Kinds lists every supported system in the order Settings offers them.
var Kinds = []string{Clio, MyCase, Smokeball}

// Name is a system's name as users know it ("" for an unknown kind).
func Name(kind string) string {
	switch kind {
	case Clio:
		return "Clio"
	case MyCase:
		return "MyCase"
	case Smokeball:
		return "Smokeball"
	}
	return ""
}

// Valid reports whether kind names a supported system.
func Valid(kind string) bool { return Name(kind) != "" }

// ErrNotFound means the record does not exist in the system (deleted, or
// never there). Adapters wrap their connector's not-found error with it.
var ErrNotFound = errors.New("not found")

// Contact is a person or company, reduced to what the jobs copy.
type Contact struct {
	ID        string    // the system's id
	Name      string    // display name: "First Last", or the company name
	Email     string    // the primary (or first) email; "" when none
	Phone     string    // the primary (or first) phone as written there; "" when none
	UpdatedAt time.Time // last change, as the system reports it
}

// Note is a note on a contact, as the jobs read it back.
type Note struct {
	ID      string
	Subject string
	Body    string
}

// NoteWrite is a new note.
type NoteWrite struct {
	Subject string
	Body    string
	Date    time.Time // when what it records happened
}

// Matter is a matter (MyCase calls it a case), reduced to what the jobs
// use.
type Matter struct {
	ID     string
	Number string // what staff call it: Clio's display number, MyCase's case number, Smokeball's number
	// CustomNumber is the number given at creation (MatterCreate.Number):
	// Clio's custom_number; the same as Number elsewhere.
	CustomNumber string
	Description  string // Clio's description, MyCase's case name, Smokeball's description (else its title)
	Status       string // lower case: "open", "pending", "closed" (others lower-cased as the system says them)
	// Version changes whenever the matter does (Clio's etag, MyCase's
	// updated_at, Smokeball's versionId): a job that recorded the version
	// after its own write knows an unchanged matter without comparing it.
	Version   string
	UpdatedAt time.Time
	// Fields holds the matter's custom field values that are set, as text,
	// by field id.
	Fields map[string]string
	// FieldNames holds the same values by field name, where the system
	// names the field in the matter itself (Clio); nil elsewhere.
	FieldNames  map[string]string
	ClientID    string // the client's contact id; "" when none
	ExternalKey string // see MatterCreate.ExternalKey; "" when none
}

// MatterQuery narrows a matter listing; the zero value lists every matter.
type MatterQuery struct {
	UpdatedSince time.Time // changed at or after; zero = all
	Statuses     []string  // "open", "pending", "closed"; nil = all
}

// Document is a document filed on a matter, reduced to what the jobs use.
type Document struct {
	// ID is the document's id, unique across the firm (Smokeball's file
	// ids are per matter: there it is "<matter id>.<file id>").
	ID       string
	MatterID string // "" when not on a matter
	Name     string // the file name as the system shows it
	// Version names the latest version's content; "" while its upload to
	// the system is not finished (nothing to copy yet).
	Version   string
	Size      int64 // the latest version's size; -1 when the system does not say
	UpdatedAt time.Time
}

// DocumentQuery narrows a document listing.
type DocumentQuery struct {
	// MatterIDs are the matters whose documents are wanted. A system that
	// lists across matters does so once and keeps these; one that lists per
	// matter (Smokeball) lists each.
	MatterIDs    []string
	UpdatedSince time.Time // changed at or after; zero = all
}

// ContactWrite is a new person.
type ContactWrite struct {
	FirstName, LastName string
	Email               string // "" = none
	Phone               string // "" = none; E.164 when it could be read, else as typed
	// OnAccepted: see Accepted.
	OnAccepted Accepted
}

// Accepted, when set on a create, is called with the new record's id as
// soon as a system that applies creates later (Smokeball: 202, then the
// record shows) has accepted it, before the wait for it: the caller
// records the id, so a crash or a quit during the wait cannot lead to a
// second create. Systems that create at once do not call it (the id comes
// back with the record). An error from it ends the create's wait.
type Accepted func(id string) error

// PracticeArea is one entry of the firm's list of practice areas (Clio,
// MyCase) or matter types (Smokeball), which a new matter is filed under.
type PracticeArea struct {
	ID   string // what MatterCreate.PracticeAreaID takes
	Name string
}

// MatterCreate is a new matter.
type MatterCreate struct {
	Description    string // Clio's description, MyCase's case name, Smokeball's description
	Number         string // the firm's own number for it ("" = none)
	ClientID       string // the client contact
	PracticeAreaID string // "" = none (a system that requires one refuses the create)
	// ExternalKey names the record the matter was made from (the
	// Lawmatics prospect). A system with a slot for it on the matter
	// itself (Smokeball's externalSystemId) writes it with the create, so
	// the key and the matter cannot be parted by a crash; the others need
	// a custom field written after (MatterField).
	ExternalKey string
	// OnAccepted: see Accepted.
	OnAccepted Accepted
}

// UploadError is a failed document upload that left a document record in
// the system (the record exists, its content did not arrive). Uploading
// again onto that record (UploadDocument's resume) makes no second one.
type UploadError struct {
	DocumentID string
	Err        error
}

func (e *UploadError) Error() string { return e.Err.Error() }
func (e *UploadError) Unwrap() error { return e.Err }

// PendingError is a create the system accepted but had not applied when
// the wait for it ended (Smokeball answers 202 and applies later). The
// record will exist under ID: a caller records the id and looks for it
// before ever creating again.
type PendingError struct {
	What string // "contact", "matter"
	ID   string
	Err  error
}

func (e *PendingError) Error() string {
	return fmt.Sprintf("the new %s %s was accepted but is not there yet: %v", e.What, e.ID, e.Err)
}
func (e *PendingError) Unwrap() error { return e.Err }

// ErrNoMatterFields means the system offers no custom field on matters
// that Firmsync could write (Smokeball's matter data lives in layouts its
// API does not let an integration define): the link stays in Firmsync's
// own records.
var ErrNoMatterFields = errors.New("no writable matter fields")

// System is one firm's practice-management system, connected.
type System interface {
	// Kind is Clio, MyCase or Smokeball.
	Kind() string

	// Contacts calls fn for every contact changed at or after since (every
	// contact when since is zero), in no promised order. A listing may miss
	// a change made while it runs; ListingSkew says how far before the
	// listing's start a watermark must stay so the next listing sees it.
	Contacts(ctx context.Context, since time.Time, fn func(Contact) error) error
	// Contact reads one contact; an error wrapping ErrNotFound when gone.
	Contact(ctx context.Context, id string) (Contact, error)
	// ListingSkew is how far before a listing's start its watermark is
	// capped (see Contacts).
	ListingSkew() time.Duration
	// ContactsByEmail returns the contacts having email as an address
	// (exact, case-insensitive), in no promised order.
	ContactsByEmail(ctx context.Context, email string) ([]Contact, error)
	// ContactsByPhone returns the contacts having phone as a number (the
	// same digits, however written).
	ContactsByPhone(ctx context.Context, phone string) ([]Contact, error)

	// SearchContacts returns up to limit contacts whose name or email
	// matches query, for a person picking one by hand.
	SearchContacts(ctx context.Context, query string, limit int) ([]Contact, error)

	// ContactNotes calls fn for every note on a contact; an error wrapping
	// ErrNotFound when the contact is gone.
	ContactNotes(ctx context.Context, contactID string, fn func(Note) error) error
	// CreateContactNote adds a note to a contact and returns its id. It is
	// not repeated after an unclear failure: look for it first.
	CreateContactNote(ctx context.Context, contactID string, n NoteWrite) (string, error)

	// ApplyDelay is how long a create the system accepted may take to
	// show (0 where creates show at once). A create interrupted before its
	// answer arrived is looked for that long before it may be made again.
	ApplyDelay() time.Duration

	// CreateContact creates a person and returns it once the system shows
	// it. Not repeated after an unclear failure: look it up first.
	CreateContact(ctx context.Context, w ContactWrite) (Contact, error)

	// Matters calls fn for every matter matching q, in no promised order.
	Matters(ctx context.Context, q MatterQuery, fn func(Matter) error) error
	// Matter reads one matter; an error wrapping ErrNotFound when gone.
	Matter(ctx context.Context, id string) (Matter, error)

	// MattersByKey returns the matters whose custom field fieldID holds
	// value exactly, or, with fieldID "", whose ExternalKey is value.
	MattersByKey(ctx context.Context, fieldID, value string) ([]Matter, error)
	// CreateMatter creates a matter (status open) and returns it once the
	// system shows it. Not repeated after an unclear failure: look it up
	// first (MattersByKey).
	CreateMatter(ctx context.Context, m MatterCreate) (Matter, error)
	// PracticeAreas lists the firm's practice areas (matter types).
	PracticeAreas(ctx context.Context) ([]PracticeArea, error)

	// MatterField finds the text custom field on matters named name
	// (case-insensitively): "" when there is none, ErrNoMatterFields when
	// the system has none to offer. A refusal keeps the platform's error
	// kind (httpx.KindForbidden: a person must add the field or grant the
	// permission).
	MatterField(ctx context.Context, name string) (id string, err error)
	// CreateMatterField creates that field (a field someone made in the
	// meantime is found instead).
	CreateMatterField(ctx context.Context, name string) (id string, err error)
	// SetMatterField writes value to a matter's custom field (an equal
	// value is left alone; "" clears it) and returns the matter's Version
	// after the write ("" when unknown).
	SetMatterField(ctx context.Context, matterID, fieldID, value string) (version string, err error)

	// Documents calls fn for every document of q's matters changed since
	// q.UpdatedSince, including those whose upload is not finished (their
	// Version is "").
	Documents(ctx context.Context, q DocumentQuery, fn func(Document) error) error
	// Document reads one document; an error wrapping ErrNotFound when gone.
	Document(ctx context.Context, id string) (Document, error)
	// Download opens a document's latest content and says its size (-1
	// when the system does not); the caller closes it.
	Download(ctx context.Context, id string) (io.ReadCloser, int64, error)
	// UploadDocument files size bytes as a new document named name on a
	// matter, or, with resume (an UploadError's DocumentID), as the
	// content of that record. A failure after the record was made is an
	// *UploadError.
	UploadDocument(ctx context.Context, matterID, name string, size int64, body io.Reader, resume string) (Document, error)
}

// statusIn reports whether status is one of statuses (all when none).
func statusIn(status string, statuses []string) bool {
	if len(statuses) == 0 {
		return true
	}
	for _, s := range statuses {
		if strings.EqualFold(strings.TrimSpace(s), status) {
			return true
		}
	}
	return false
}

// CompareIDs orders ids as numbers when both are (Clio's and MyCase's:
// shorter is smaller), else as text (Smokeball's GUIDs).
func CompareIDs(a, b string) int {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Every adapter is a System.
var (
	_ System = (*ClioSystem)(nil)
	_ System = (*MyCaseSystem)(nil)
	_ System = (*SmokeballSystem)(nil)
)
