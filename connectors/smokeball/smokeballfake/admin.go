package smokeballfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// This file holds the "a person did it in Smokeball" methods. They apply
// at once (the UI is not queued) and fire the webhooks Smokeball would,
// with source "UI" [U].

// PersonInput describes a person created or edited in the UI. Empty fields
// are left unchanged by UpdateContact.
type PersonInput struct {
	FirstName, MiddleName, LastName string
	Email                           string
	Phone                           string // e.g. "(312) 555-0100": split into areaCode and number
	Cell                            string
	Notes                           string
}

// MatterInput describes a matter opened in the UI.
type MatterInput struct {
	Number       string
	Description  string
	MatterTypeID string   // "" = MatterType by name, else the first matter type
	MatterType   string   // a matter type name, with MatterTypeID ""
	ClientIDs    []string // nil = ClientName, else the first contact, else a new one
	ClientName   string   // "First Last" of a new client, with ClientIDs nil
	ClientRole   string   // "" = the type's first representative option
	Status       string   // "" = Open
	IsLead       bool
}

// MatterPatch is an edit of a matter in the UI; empty fields are unchanged.
type MatterPatch struct {
	Number, Description, Status string
}

// splitPhone splits a free-form number into Smokeball's areaCode and
// number: ten North American digits (after an optional leading 1) become
// 3 + 7; anything else is kept as typed in number [U: how Smokeball's own
// screens store a foreign number is undocumented; keeping its "+44" is
// what a person typing it sees again], so its country code survives.
func splitPhone(s string) map[string]string {
	var d strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			d.WriteRune(r)
		}
	}
	digits := d.String()
	if len(digits) == 11 && digits[0] == '1' {
		digits = digits[1:]
	}
	if len(digits) == 10 {
		return map[string]string{"areaCode": digits[:3], "number": digits[3:]}
	}
	return map[string]string{"number": strings.TrimSpace(s)}
}

func setRaw(m map[string]json.RawMessage, k string, v any) {
	b, _ := json.Marshal(v)
	m[k] = b
}

func applyPerson(p map[string]json.RawMessage, in PersonInput) {
	for k, v := range map[string]string{"firstName": in.FirstName, "middleName": in.MiddleName, "lastName": in.LastName, "email": in.Email, "notes": in.Notes} {
		if v != "" {
			setRaw(p, k, v)
		}
	}
	if in.Phone != "" {
		setRaw(p, "phone", splitPhone(in.Phone))
	}
	if in.Cell != "" {
		setRaw(p, "cell", splitPhone(in.Cell))
	}
}

// CreateContact adds a person contact, firing contact.created.
func (s *Server) CreateContact(in PersonInput) (smokeball.Contact, error) {
	if in.FirstName == "" && in.LastName == "" {
		return smokeball.Contact{}, errors.New("smokeballfake create contact: a first or last name is required")
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	c := s.createPersonLocked(in)
	return toContact(contactView(s.lastBase, c)), nil
}

func (s *Server) createPersonLocked(in PersonInput) *contactRec {
	p := map[string]json.RawMessage{}
	applyPerson(p, in)
	c := &contactRec{ID: newGUID(), Person: p}
	s.putContactLocked(s.uiOriginLocked(), c, "contact.created")
	return c
}

// UpdateContact edits a person's fields, firing contact.updated.
func (s *Server) UpdateContact(id string, in PersonInput) (smokeball.Contact, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	cur, ok := s.st.Contacts.get(id)
	if !ok || cur.Person == nil {
		return smokeball.Contact{}, fmt.Errorf("smokeballfake update contact %s: no such person", id)
	}
	next := *cur
	next.Person = map[string]json.RawMessage{}
	for k, v := range cur.Person {
		next.Person[k] = v
	}
	applyPerson(next.Person, in)
	s.putContactLocked(s.uiOriginLocked(), &next, "contact.updated")
	return toContact(contactView(s.lastBase, &next)), nil
}

// Contact returns a contact as the API renders it.
func (s *Server) Contact(id string) (smokeball.Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.Contacts.get(id)
	if !ok {
		return smokeball.Contact{}, false
	}
	return toContact(contactView(s.lastBase, c)), true
}

// CreateMatter opens a matter, firing matter.created.
func (s *Server) CreateMatter(in MatterInput) (smokeball.Matter, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	m := &matterRec{ID: newGUID(), Number: in.Number, Description: in.Description, MatterTypeID: in.MatterTypeID,
		ClientIDs: slices.Clone(in.ClientIDs), ClientRole: in.ClientRole, Status: in.Status, IsLead: in.IsLead}
	if m.Status == "" {
		m.Status = "Open"
	}
	if i := slices.IndexFunc(MatterStatuses, func(x string) bool { return strings.EqualFold(x, m.Status) }); i >= 0 {
		m.Status = MatterStatuses[i]
	} else {
		return smokeball.Matter{}, fmt.Errorf("smokeballfake create matter: unknown status %q", in.Status)
	}
	if m.MatterTypeID == "" {
		for _, t := range s.st.MatterTypes.all() {
			if in.MatterType == "" || strings.EqualFold(t.Name, in.MatterType) {
				m.MatterTypeID = t.ID
				break
			}
		}
	}
	if len(m.ClientIDs) == 0 {
		if in.ClientName == "" && len(s.st.Contacts.IDs) > 0 {
			m.ClientIDs = []string{s.st.Contacts.IDs[0]}
		} else {
			name := in.ClientName
			if name == "" {
				name = "Jordan Client"
			}
			first, last, _ := strings.Cut(name, " ")
			m.ClientIDs = []string{s.createPersonLocked(PersonInput{FirstName: first, LastName: last}).ID}
		}
	}
	if err := s.checkMatterLocked(m); err != nil {
		return smokeball.Matter{}, fmt.Errorf("smokeballfake create matter: %w", err)
	}
	m.OpenedDate = s.now()
	s.putMatterLocked(s.uiOriginLocked(), m, "matter.created")
	return toMatter(s.matterViewLocked(s.lastBase, m)), nil
}

// UpdateMatter edits a matter, firing matter.updated (and matter.closed
// when it closes).
func (s *Server) UpdateMatter(id string, p MatterPatch) (smokeball.Matter, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	cur, ok := s.st.Matters.get(id)
	if !ok {
		return smokeball.Matter{}, fmt.Errorf("smokeballfake update matter %s: not found", id)
	}
	next := *cur
	if p.Number != "" {
		next.Number = p.Number
	}
	if p.Description != "" {
		next.Description = p.Description
	}
	if p.Status != "" {
		i := slices.IndexFunc(MatterStatuses, func(x string) bool { return strings.EqualFold(x, p.Status) })
		if i < 0 {
			return smokeball.Matter{}, fmt.Errorf("smokeballfake update matter %s: unknown status %q", id, p.Status)
		}
		next.Status = MatterStatuses[i]
	}
	o := s.uiOriginLocked()
	closed := next.Status == "Closed" && cur.Status != "Closed"
	if closed {
		next.ClosedDate = s.now()
	}
	s.putMatterLocked(o, &next, "matter.updated")
	if closed {
		s.emitLocked("matter.closed", o, s.matterViewLocked(o.base, &next))
	}
	return toMatter(s.matterViewLocked(s.lastBase, &next)), nil
}

// Matter returns a matter as the API renders it.
func (s *Server) Matter(id string) (smokeball.Matter, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.st.Matters.get(id)
	if !ok {
		return smokeball.Matter{}, false
	}
	return toMatter(s.matterViewLocked(s.lastBase, m)), true
}

// AddFile puts an uploaded file in a matter's root folder, firing
// files.updated.
func (s *Server) AddFile(matterID, name string, content []byte) (smokeball.File, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	if _, ok := s.st.Matters.get(matterID); !ok {
		return smokeball.File{}, fmt.Errorf("smokeballfake add file: matter %s not found", matterID)
	}
	base, ext := splitName(name)
	now := s.now()
	f := &fileRec{ID: newGUID(), MatterID: matterID, Name: base, Extension: ext, OwnerID: s.st.UserID, DateCreated: now}
	s.st.Files.put(f.ID, f)
	s.storeContentLocked(s.uiOriginLocked(), f, slices.Clone(content))
	return toFile(s.fileViewLocked(s.lastBase, f)), nil
}

// FileContent returns the bytes of a file's current version.
func (s *Server) FileContent(matterID, fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.st.Files.get(fileID)
	if !ok || f.MatterID != matterID || !f.IsUploaded {
		return nil, false
	}
	return slices.Clone(f.Content), true
}

// Files returns a matter's files as the API renders them.
func (s *Server) Files(matterID string) []smokeball.File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []smokeball.File
	for _, f := range s.st.Files.all() {
		if f.MatterID == matterID {
			out = append(out, toFile(s.fileViewLocked(s.lastBase, f)))
		}
	}
	return out
}

// AddMemo adds a memo to a matter, firing memo.created.
func (s *Server) AddMemo(matterID, title, text string) (smokeball.Memo, error) {
	s.mu.Lock()
	defer s.unlockAndFlush()
	if _, ok := s.st.Matters.get(matterID); !ok {
		return smokeball.Memo{}, fmt.Errorf("smokeballfake add memo: matter %s not found", matterID)
	}
	m := &memoRec{ID: newGUID(), MatterID: matterID, Title: title, Text: text}
	s.addMemoLocked(s.uiOriginLocked(), m)
	return s.toMemoLocked(m), nil
}

func (s *Server) toMemoLocked(m *memoRec) smokeball.Memo {
	b, _ := json.Marshal(s.memoViewLocked(s.lastBase, m))
	var out smokeball.Memo
	json.Unmarshal(b, &out)
	return out
}

// Memos returns every memo, oldest first.
func (s *Server) Memos() []smokeball.Memo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []smokeball.Memo
	for _, m := range s.st.Memos.all() {
		out = append(out, s.toMemoLocked(m))
	}
	return out
}

// AddMatterType adds a matter type for location (its id ends "_"+location).
func (s *Server) AddMatterType(name, category, location string, roles []string) smokeball.MatterType {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.addMatterTypeLocked(name, category, location, roles)
	return smokeball.MatterType{ID: t.ID, Name: t.Name, Category: t.Category, Location: t.Location, RepresentativeOptions: slices.Clone(t.RepresentativeOptions)}
}

// MatterTypes returns every matter type.
func (s *Server) MatterTypes() []smokeball.MatterType {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []smokeball.MatterType
	for _, t := range s.st.MatterTypes.all() {
		out = append(out, smokeball.MatterType{ID: t.ID, Name: t.Name, Category: t.Category, Location: t.Location, RepresentativeOptions: slices.Clone(t.RepresentativeOptions)})
	}
	return out
}

// Firm returns the firm's account id and name (GET /firm's id and name).
func (s *Server) Firm() (id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.AccountID, s.st.FirmName
}

// UserID is the id of the firm's user the fake's tokens act as; webhooks
// carry it.
func (s *Server) UserID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.UserID
}

// ClientID is the registered app's client id (part of every webhook
// signature).
func (s *Server) ClientID() string { return s.opts.ClientID }

// APIKey is the issued x-api-key.
func (s *Server) APIKey() string { return s.opts.APIKey }
