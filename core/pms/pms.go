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
}
