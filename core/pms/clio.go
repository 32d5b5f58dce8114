package pms

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
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
	n, err := clioID(id)
	if err != nil {
		return Contact{}, err
	}
	ct, err := s.c.Contact(ctx, n)
	if err != nil {
		return Contact{}, clioErr(err)
	}
	return clioContact(ct), nil
}

// clioID parses a Clio id; Clio's ids are numbers.
func clioID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("clio id %q is not a number", id)
	}
	return n, nil
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
		Name:      personName(ct.FirstName, ct.LastName, ct.Name),
		Email:     strings.TrimSpace(email),
		Phone:     phone,
		UpdatedAt: ct.UpdatedAt,
	}
}

// personName is "First Last", or fallback (e.g. a company's name).
func personName(first, last, fallback string) string {
	n := strings.Join(strings.Fields(first+" "+last), " ")
	if n == "" {
		n = strings.Join(strings.Fields(fallback), " ")
	}
	return n
}
