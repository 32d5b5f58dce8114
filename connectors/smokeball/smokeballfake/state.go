package smokeballfake

import (
	"encoding/json"
	"fmt"
	"time"
)

// table holds records by id plus their ids in creation order (Smokeball
// lists oldest first).
type table[T any] struct {
	M   map[string]*T `json:"m"`
	IDs []string      `json:"ids"`
}

func (t *table[T]) get(id string) (*T, bool) {
	v, ok := t.M[id]
	return v, ok
}

func (t *table[T]) put(id string, v *T) {
	if t.M == nil {
		t.M = map[string]*T{}
	}
	if _, ok := t.M[id]; !ok {
		t.IDs = append(t.IDs, id)
	}
	t.M[id] = v
}

// all returns the records in creation order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.IDs))
	for _, id := range t.IDs {
		out = append(out, t.M[id])
	}
	return out
}

// contactRec is a stored contact. Person and Company are kept as the JSON
// objects written, so every field a client sends survives a read back.
type contactRec struct {
	ID               string                     `json:"id"`
	VersionID        string                     `json:"versionId"`
	ExternalSystemID string                     `json:"externalSystemId,omitempty"`
	Person           map[string]json.RawMessage `json:"person,omitempty"`
	Company          map[string]json.RawMessage `json:"company,omitempty"`
	IsDeleted        bool                       `json:"isDeleted"`
	LastUpdated      int64                      `json:"lastUpdated"` // ticks
}

type matterRec struct {
	ID               string    `json:"id"`
	VersionID        string    `json:"versionId"` // ticks of the last change, as a string
	ExternalSystemID string    `json:"externalSystemId,omitempty"`
	Number           string    `json:"number"`
	MatterTypeID     string    `json:"matterTypeId"`
	ClientIDs        []string  `json:"clientIds"`
	OtherSideIDs     []string  `json:"otherSideIds"`
	ClientRole       string    `json:"clientRole"`
	OtherSideRole    string    `json:"otherSideRole"`
	Description      string    `json:"description"`
	Status           string    `json:"status"`
	IsLead           bool      `json:"isLead"`
	OpenedDate       time.Time `json:"openedDate"`
	ClosedDate       time.Time `json:"closedDate"`
	LastUpdated      int64     `json:"lastUpdated"` // ticks
}

type matterTypeRec struct {
	ID                    string   `json:"id"`
	VersionID             string   `json:"versionId"`
	Name                  string   `json:"name"`
	Category              string   `json:"category"`
	Location              string   `json:"location"`
	RepresentativeOptions []string `json:"representativeOptions"`
	Lead                  bool     `json:"lead"` // type 1 (lead type)
}

type memoRec struct {
	ID          string    `json:"id"`
	MatterID    string    `json:"matterId"`
	Title       string    `json:"title"`
	Text        string    `json:"text"` // RTF
	PlainText   string    `json:"plainText"`
	CreatedDate time.Time `json:"createdDate"`
	CreatedBy   string    `json:"createdBy"`
	LastUpdated time.Time `json:"lastUpdated"`
}

type fileRec struct {
	ID           string    `json:"id"`
	MatterID     string    `json:"matterId"`
	VersionID    string    `json:"versionId"`
	FolderID     string    `json:"folderId"` // "" = root
	Name         string    `json:"name"`
	Extension    string    `json:"fileExtension"`
	OwnerID      string    `json:"ownerId"`
	DateCreated  time.Time `json:"dateCreated"`
	DateModified time.Time `json:"dateModified"`
	SizeBytes    int64     `json:"sizeBytes"`
	IsUploaded   bool      `json:"isUploaded"`
	IsDeleted    bool      `json:"isDeleted"`
	Content      []byte    `json:"content,omitempty"`
}

type hookRec struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Key         string    `json:"key"`
	EventTypes  []string  `json:"eventTypes"`
	URL         string    `json:"eventNotificationUrl"`
	Created     time.Time `json:"createdDateUtc"`
	Updated     time.Time `json:"updatedDateUtc"`
	LastUpdated int64     `json:"lastUpdated"`
}

type authCode struct {
	ClientID    string    `json:"clientId"`
	RedirectURI string    `json:"redirectUri"`
	Challenge   string    `json:"challenge"`
	Scope       string    `json:"scope"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

type accessToken struct {
	ClientID  string    `json:"clientId"`
	Refresh   string    `json:"refresh"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type refreshToken struct {
	ClientID  string    `json:"clientId"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// ticket is a pre-signed storage URL's grant.
type ticket struct {
	MatterID  string    `json:"matterId"`
	FileID    string    `json:"fileId"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// state is everything Snapshot saves.
type state struct {
	AccountID   string                       `json:"accountId"`
	UserID      string                       `json:"userId"`
	FirmName    string                       `json:"firmName"`
	FirmVersion string                       `json:"firmVersion"`
	LastTick    int64                        `json:"lastTick"`
	Contacts    table[contactRec]            `json:"contacts"`
	Matters     table[matterRec]             `json:"matters"`
	MatterTypes table[matterTypeRec]         `json:"matterTypes"`
	Memos       table[memoRec]               `json:"memos"`
	Files       table[fileRec]               `json:"files"`
	Folders     map[string]map[string]string `json:"folders"` // matter → folder path → folder id
	Webhooks    table[hookRec]               `json:"webhooks"`
	Uploads     map[string]*ticket           `json:"uploads"`
	Downloads   map[string]*ticket           `json:"downloads"`
	Staged      map[string][]byte            `json:"staged"` // file id → bytes PUT before the file record was applied
	Codes       map[string]*authCode         `json:"codes"`
	Access      map[string]*accessToken      `json:"access"`
	Refresh     map[string]*refreshToken     `json:"refresh"`
}

func newState() *state {
	return &state{
		Folders:   map[string]map[string]string{},
		Uploads:   map[string]*ticket{},
		Downloads: map[string]*ticket{},
		Staged:    map[string][]byte{},
		Codes:     map[string]*authCode{},
		Access:    map[string]*accessToken{},
		Refresh:   map[string]*refreshToken{},
	}
}

// seedLocked creates the firm, its user and a few matter types.
func (s *Server) seedLocked() {
	s.st.AccountID, s.st.UserID = newGUID(), newGUID()
	s.st.FirmName, s.st.FirmVersion = "Rivera & Associates", newGUID()
	for _, t := range []struct {
		name, category, location string
		roles                    []string
	}{
		{"Personal Injury", "Litigation", "IL", []string{"Plaintiff", "Defendant"}},
		{"Financing", "Real Estate", "IL", []string{"Borrower", "Lender"}},
		{"Dissolution of Marriage", "Family Law", "IL", []string{"Petitioner", "Respondent"}},
		{"Estate Planning", "Wills & Estates", "IL", []string{"Client"}},
	} {
		s.addMatterTypeLocked(t.name, t.category, t.location, t.roles)
	}
}

// Snapshot returns the whole state (records, tokens, subscriptions) as
// JSON. Writes accepted but not yet applied are not part of it.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st)
	if err != nil {
		return nil, fmt.Errorf("smokeballfake snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the whole state with one saved by Snapshot.
func (s *Server) Restore(b []byte) error {
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return fmt.Errorf("smokeballfake restore: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	s.rate = map[string]*bucket{}
	return nil
}
