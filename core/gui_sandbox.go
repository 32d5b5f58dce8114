package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// errSandboxFound stops a listing once enough was found.
var errSandboxFound = errors.New("found enough")

// SandboxProspect is a Lawmatics prospect the sandbox panel can mark hired.
type SandboxProspect struct {
	ID    string
	Label string // "Jane Doe — Divorce" for a picker
}

// SandboxProspects lists up to limit prospects that are not hired yet, read
// through the app's own Lawmatics client (sandbox mode only).
func (a *App) SandboxProspects(ctx context.Context, limit int) ([]SandboxProspect, error) {
	if a.sandbox == nil {
		return nil, errors.New("not in sandbox mode")
	}
	c, err := a.platforms.Lawmatics(ctx)
	if err != nil {
		return nil, err
	}
	var out []SandboxProspect
	err = c.Prospects(ctx, lawmatics.ProspectQuery{Status: lawmatics.StatusPNC}, func(p lawmatics.Prospect) error {
		at := p.Attributes
		label := fmt.Sprintf("%s %s", at.FirstName, at.LastName)
		if at.CaseTitle != "" {
			label += " — " + at.CaseTitle
		}
		out = append(out, SandboxProspect{ID: p.ID, Label: label})
		if len(out) >= limit {
			return errSandboxFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errSandboxFound) {
		return nil, err
	}
	return out, nil
}

// SandboxContactEmails returns up to limit email addresses of Clio
// contacts, so a simulated meeting can have a participant the recordings
// job will match (sandbox mode only).
func (a *App) SandboxContactEmails(ctx context.Context, limit int) ([]string, error) {
	if a.sandbox == nil {
		return nil, errors.New("not in sandbox mode")
	}
	c, err := a.platforms.Clio(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	err = c.Contacts(ctx, clio.ContactQuery{}, func(ct clio.Contact) error {
		if ct.PrimaryEmailAddress != nil && *ct.PrimaryEmailAddress != "" {
			out = append(out, *ct.PrimaryEmailAddress)
		}
		if len(out) >= limit {
			return errSandboxFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errSandboxFound) {
		return nil, err
	}
	return out, nil
}
