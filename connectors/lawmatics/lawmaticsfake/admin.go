package lawmaticsfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// This file is the Go admin API: what the sandbox, seeding and tests use to
// act as the firm's staff or as Lawmatics itself.

// Token is a ready credential for the registered app.
type Token struct {
	Access    string // Bearer access token
	Refresh   string // always "": Lawmatics has no refresh grant
	ExpiresIn int    // always 0: Lawmatics access tokens never expire
}

// IssueToken returns a new access token for the registered app, as if the
// OAuth flow had just completed.
func (s *Server) IssueToken() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Token{Access: s.issueTokenLocked().AccessToken}
}

// RevokeTokens kills every access token and pending code. Lawmatics has no
// revoke endpoint; this models deleting the developer app (after which, per
// reports, its tokens stop working) or support revoking access.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Tokens = map[string]int64{}
	s.st.Codes = map[string]codeRec{}
}

// ExpireTokens does nothing: Lawmatics access tokens never expire, so there
// is nothing a clock could make stale. Use RevokeTokens to make them fail.
func (s *Server) ExpireTokens() {}

// SetUser sets the account identity GET /v1/users/me reports.
func (s *Server) SetUser(name, email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	first, last, _ := strings.Cut(name, " ")
	s.st.User = lawmatics.UserAttributes{Name: name, FirstName: first, LastName: last, Email: email}
}

// ContactInput is a contact as a staff member types it in.
type ContactInput struct {
	FirstName, LastName string
	Email, Phone        string
}

// CreateContact adds a contact as the app's UI would.
func (s *Server) CreateContact(in ContactInput) (lawmatics.Contact, error) {
	if strings.TrimSpace(in.FirstName) == "" {
		return lawmatics.Contact{}, fmt.Errorf("create contact: first name can't be blank")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &contactRec{ID: s.st.newID(), Custom: map[int64]any{}}
	c.Attrs = lawmatics.ContactAttributes{FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Phone: in.Phone, CreatedAt: s.stamp()}
	c.Attrs.UpdatedAt = c.Attrs.CreatedAt
	s.st.Contacts[c.ID] = c
	return s.contactLocked(c), nil
}

// ProspectInput is a matter as a staff member types it in. Without
// ContactID the contact is matched by email, then created.
type ProspectInput struct {
	ContactID           string // existing contact id; "" to match by Email or create
	FirstName, LastName string
	Email, Phone        string
	CaseTitle           string
	CaseNumber          string // "" for auto-numbering
	CaseBlurb           string
	CaseType            string // an option of the "Case Type" picklist: CaseTypes() or AddCaseType's, by label, option id or the label's slug; stored as the option id; "" for none
	PracticeArea        string // practice area name; created when new; "" for none
	Status              string // "" means pnc; "hired" also converts (fires matter.converted)
}

// CreateProspect adds a matter as the app's UI would.
func (s *Server) CreateProspect(in ProspectInput) (lawmatics.Prospect, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := params{"first_name": in.FirstName, "last_name": in.LastName, "email": in.Email, "phone": in.Phone,
		"case_title": in.CaseTitle, "case_blurb": in.CaseBlurb}
	if in.CaseNumber != "" {
		p["case_number"] = in.CaseNumber
	}
	if in.Status != "" {
		p["status"] = in.Status
	}
	if in.ContactID != "" {
		p["contact_id"] = in.ContactID
	} else if in.Email != "" {
		p["match_contact_by"] = "email"
	}
	if in.CaseType != "" {
		def, _ := s.caseTypeDefLocked()
		opt, ok := def.optionFor(in.CaseType)
		if !ok {
			return lawmatics.Prospect{}, fmt.Errorf("create prospect: case type %q is not an option of the %q picklist", in.CaseType, lawmatics.CaseTypeFieldName)
		}
		p["custom_fields"] = []any{map[string]any{"id": float64(CaseTypeFieldID), "value": opt.ID.String()}}
	}
	if in.PracticeArea != "" {
		id := int64(0)
		for _, pa := range s.st.PracticeAreas {
			if strings.EqualFold(pa.Attrs.Name, in.PracticeArea) {
				id = pa.ID
			}
		}
		if id == 0 {
			id = s.st.addPracticeArea(in.PracticeArea)
		}
		p["practice_area_id"] = float64(id)
	}
	rec, msg := s.createProspectLocked(p)
	if msg != "" {
		return lawmatics.Prospect{}, fmt.Errorf("create prospect: %s", msg)
	}
	return s.prospectLocked(rec), nil
}

// AddCaseType adds an option to the firm's "Case Type" picklist, as an
// admin does in Lawmatics' settings, and returns it with its new id.
func (s *Server) AddCaseType(label string) (lawmatics.CustomFieldOption, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return lawmatics.CustomFieldOption{}, fmt.Errorf("add case type: the label is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	def, i := s.caseTypeDefLocked()
	if i < 0 {
		return lawmatics.CustomFieldOption{}, fmt.Errorf("add case type: the %q field is gone", lawmatics.CaseTypeFieldName)
	}
	next := lawmatics.FieldID(1)
	for _, o := range def.Options {
		if strings.EqualFold(o.Name, label) {
			return lawmatics.CustomFieldOption{}, fmt.Errorf("add case type: %q already exists", label)
		}
		next = max(next, o.ID+1)
	}
	o := lawmatics.CustomFieldOption{ID: next, Name: label}
	s.st.CustomFields[i].Options = append(s.st.CustomFields[i].Options, o)
	return o, nil
}

// caseTypeDefLocked returns the "Case Type" definition and its index (-1
// when missing). The caller holds s.mu.
func (s *Server) caseTypeDefLocked() (customFieldDef, int) {
	for i, d := range s.st.CustomFields {
		if d.ID == CaseTypeFieldID {
			return d, i
		}
	}
	return customFieldDef{}, -1
}

// Hire marks a prospect hired as a staff member does: status hired,
// converted_date now, and a matter.converted webhook. Hiring a hired
// prospect is a no-op.
func (s *Server) Hire(prospectID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prospectByIDLocked(prospectID)
	if err != nil {
		return fmt.Errorf("hire: %w", err)
	}
	if p.Attrs.Status == lawmatics.StatusHired {
		return nil
	}
	p.Attrs.Status = lawmatics.StatusHired
	if ss := s.st.SubStatuses[p.SubStatusID]; ss != nil && ss.Attrs.Status != lawmatics.StatusHired {
		p.SubStatusID = 0
	}
	s.convertLocked(p)
	return nil
}

// AddFile uploads a file onto a prospect as a staff member does. Its
// FileURL is relative (there is no request to take a host from).
func (s *Server) AddFile(prospectID, name string, content []byte) (lawmatics.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prospectByIDLocked(prospectID)
	if err != nil {
		return lawmatics.File{}, fmt.Errorf("add file: %w", err)
	}
	f, msg := s.addFileLocked("matter", p.ID, name, name, contentType(name, content), content)
	if msg != "" {
		return lawmatics.File{}, fmt.Errorf("add file: %s", msg)
	}
	return s.fileLocked(f, ""), nil
}

// Prospect returns a prospect with all attributes, as GET with fields=all would.
func (s *Server) Prospect(id string) (lawmatics.Prospect, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prospectByIDLocked(id)
	if err != nil {
		return lawmatics.Prospect{}, false
	}
	return s.prospectLocked(p), true
}

// Prospects returns every prospect in id order, as a person browsing
// Lawmatics sees them (no API call, no rate limit).
func (s *Server) Prospects() []lawmatics.Prospect {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.st.Prospects))
	for id := range s.st.Prospects {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]lawmatics.Prospect, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.prospectLocked(s.st.Prospects[id]))
	}
	return out
}

// Contact returns a contact with all attributes.
func (s *Server) Contact(id string) (lawmatics.Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := parseID(id)
	c := s.st.Contacts[n]
	if c == nil {
		return lawmatics.Contact{}, false
	}
	return s.contactLocked(c), true
}

// Notes returns every note, oldest first, with its notable relationship.
func (s *Server) Notes() []lawmatics.Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lawmatics.Note
	for _, id := range slices.Sorted(maps.Keys(s.st.Notes)) {
		out = append(out, s.noteLocked(s.st.Notes[id], true))
	}
	return out
}

func (s *Server) prospectByIDLocked(id string) (*prospectRec, error) {
	n, _ := parseID(id)
	p := s.st.Prospects[n]
	if p == nil {
		return nil, fmt.Errorf("prospect %q not found", id)
	}
	return p, nil
}

// Snapshot returns the whole state (records, files, tokens, webhook
// settings and log, id counter) as JSON.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the state with a Snapshot. Deliveries in flight keep
// running but no longer update the log.
func (s *Server) Restore(b []byte) error {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	st.fillMaps()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	s.notifyLocked()
	return nil
}
