package core

import (
	"cmp"
	"context"
	"errors"
	"strings"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// SandboxProspect is a Lawmatics prospect the sandbox panel can mark hired.
type SandboxProspect struct {
	ID    string
	Label string // "Sofia Walsh — estate planning (#12)" for a picker
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
		if p.Attributes.Status == lawmatics.StatusHired {
			continue
		}
		out = append(out, SandboxProspect{ID: p.ID, Label: sandboxProspectLabel(p)})
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// sandboxProspectLabel is how the picker shows a lead: "Sofia Walsh —
// estate planning (#12)". Lawmatics case titles often start with the
// person's name already (the demo firm's all do); it is said once.
func sandboxProspectLabel(p lawmatics.Prospect) string {
	at := p.Attributes
	name := strings.TrimSpace(strings.TrimSpace(at.FirstName) + " " + strings.TrimSpace(at.LastName))
	title := strings.TrimSpace(at.CaseTitle)
	if name != "" {
		if rest, ok := strings.CutPrefix(title, name); ok {
			title = strings.TrimLeft(rest, " —–-:,")
		}
	}
	label := name
	switch {
	case label == "":
		label = cmp.Or(title, "Lead")
	case title != "":
		label += " — " + title
	}
	return label + " (#" + p.ID + ")"
}

// SandboxCreateMatter plays a person opening a matter in the firm's
// practice-management system (sandbox mode only) and returns how the
// system names it.
func (a *App) SandboxCreateMatter(description string) (string, error) {
	if a.sandbox == nil {
		return "", errors.New("not in sandbox mode")
	}
	return a.sandbox.CreateMatterIn(a.PracticeManagement(), description)
}

// SandboxContactEmails returns up to limit email addresses of the demo
// firm's contacts, so a simulated meeting can have a participant the
// recordings job will match (sandbox mode only; read from the fake
// directly). The demo firm has the same people in Clio, MyCase and
// Smokeball, so Clio's list serves every system.
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
