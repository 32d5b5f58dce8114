package core

import (
	"context"
	"errors"
	"fmt"
)

// SandboxProspect is a Lawmatics prospect the sandbox panel can mark hired.
type SandboxProspect struct {
	ID    string
	Label string // "Jane Doe — Divorce" for a picker
}

// SandboxProspects lists up to limit prospects that are not hired yet, as
// a person looking at Lawmatics sees them (the fake's own view: no API
// call, so it never competes with a sync for the rate limit).
func (a *App) SandboxProspects(ctx context.Context, limit int) ([]SandboxProspect, error) {
	if a.sandbox == nil {
		return nil, errors.New("not in sandbox mode")
	}
	var out []SandboxProspect
	for _, p := range a.sandbox.Lawmatics().Prospects() {
		at := p.Attributes
		if at.Status == "hired" {
			continue
		}
		label := fmt.Sprintf("%s %s", at.FirstName, at.LastName)
		if at.CaseTitle != "" {
			label += " — " + at.CaseTitle
		}
		out = append(out, SandboxProspect{ID: p.ID, Label: label})
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// SandboxContactEmails returns up to limit email addresses of Clio
// contacts, so a simulated meeting can have a participant the recordings
// job will match (sandbox mode only; read from the fake directly).
func (a *App) SandboxContactEmails(ctx context.Context, limit int) ([]string, error) {
	if a.sandbox == nil {
		return nil, errors.New("not in sandbox mode")
	}
	var out []string
	for _, c := range a.sandbox.Clio().Contacts(0) {
		for _, e := range c.EmailAddresses {
			if e.Address != "" {
				out = append(out, e.Address)
				break
			}
		}
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}
