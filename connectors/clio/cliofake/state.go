package cliofake

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

// table holds records by id plus their ids in ascending order, so a page is
// found by binary search and costs O(page), not O(total).
type table[T any] struct {
	m   map[int64]*T
	ids []int64 // ascending
}

func (t *table[T]) get(id int64) (*T, bool) {
	v, ok := t.m[id]
	return v, ok
}

func (t *table[T]) put(id int64, v *T) {
	if t.m == nil {
		t.m = map[int64]*T{}
	}
	if _, ok := t.m[id]; !ok {
		if n := len(t.ids); n == 0 || t.ids[n-1] < id {
			t.ids = append(t.ids, id)
		} else {
			i, _ := slices.BinarySearch(t.ids, id)
			t.ids = slices.Insert(t.ids, i, id)
		}
	}
	t.m[id] = v
}

func (t *table[T]) del(id int64) {
	if _, ok := t.m[id]; !ok {
		return
	}
	delete(t.m, id)
	if i, ok := slices.BinarySearch(t.ids, id); ok {
		t.ids = slices.Delete(t.ids, i, i+1)
	}
}

// all returns the records in id order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.ids))
	for _, id := range t.ids {
		out = append(out, t.m[id])
	}
	return out
}

// MarshalJSON implements json.Marshaler.
func (t table[T]) MarshalJSON() ([]byte, error) {
	if t.m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(t.m)
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *table[T]) UnmarshalJSON(b []byte) error {
	var m map[int64]*T
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	t.m, t.ids = map[int64]*T{}, nil
	for id := range m {
		t.ids = append(t.ids, id)
	}
	slices.Sort(t.ids)
	for id, v := range m {
		t.m[id] = v
	}
	return nil
}

// docVersion is a stored document version with its bytes.
type docVersion struct {
	Version    clio.DocumentVersion `json:"version"`
	DocumentID int64                `json:"document_id"`
	Content    []byte               `json:"content,omitempty"`
	Received   bool                 `json:"received"` // bytes were PUT to put_url
}

type authCode struct {
	RedirectURI string    `json:"redirect_uri"`
	ExpiresAt   time.Time `json:"expires_at"`
}

type accessToken struct {
	Refresh   string    `json:"refresh"`
	ExpiresAt time.Time `json:"expires_at"`
}

type refreshToken struct {
	Access string `json:"access"` // the access token most recently issued for it
}

// state is everything Snapshot saves.
type state struct {
	NextID        map[string]int64           `json:"next_id"`
	EtagSeq       int64                      `json:"etag_seq"`
	SignKey       []byte                     `json:"sign_key"` // signs put/download URLs
	WhoAmI        int64                      `json:"who_am_i"`
	Users         table[clio.User]           `json:"users"`
	Contacts      table[clio.Contact]        `json:"contacts"`
	Matters       table[clio.Matter]         `json:"matters"`
	PracticeAreas table[clio.PracticeArea]   `json:"practice_areas"`
	CustomFields  table[clio.CustomField]    `json:"custom_fields"`
	Notes         table[clio.Note]           `json:"notes"`
	Documents     table[clio.Document]       `json:"documents"`
	Versions      table[docVersion]          `json:"versions"`
	Uploads       map[string]int64           `json:"uploads"` // version uuid → version id
	Folders       table[clio.Folder]         `json:"folders"`
	RootFolder    int64                      `json:"root_folder"`     // the account's one root folder
	ContactFolder map[int64]int64            `json:"contact_folders"` // contact → its documents folder
	Webhooks      table[clio.Webhook]        `json:"webhooks"`
	HookSeen      map[int64]map[int64]string `json:"hook_seen"`      // webhook → record → last delivered projection
	ClientMatters map[int64]int              `json:"client_matters"` // contact → number of matters it is client of
	Codes         map[string]*authCode       `json:"codes"`
	Access        map[string]*accessToken    `json:"access"`
	Refresh       map[string]*refreshToken   `json:"refresh"`
}

func newState() *state {
	return &state{
		NextID:        map[string]int64{},
		SignKey:       []byte(randomHex(16)),
		Uploads:       map[string]int64{},
		HookSeen:      map[int64]map[int64]string{},
		ClientMatters: map[int64]int{},
		ContactFolder: map[int64]int64{},
		Codes:         map[string]*authCode{},
		Access:        map[string]*accessToken{},
		Refresh:       map[string]*refreshToken{},
	}
}

// seedLocked adds the who_am_i attorney, the account's root folder and the
// default practice areas.
func (s *Server) seedLocked() {
	now := s.now()
	u := &clio.User{
		ID: s.nextIDLocked("user"), Etag: s.etagLocked(), Name: "Alex Rivera", FirstName: "Alex", LastName: "Rivera",
		Email: "alex.rivera@example-law.test", Enabled: true, SubscriptionType: "Attorney",
		TimeZone: "Eastern Time (US & Canada)", CreatedAt: now, UpdatedAt: now,
	}
	s.st.Users.put(u.ID, u)
	s.st.WhoAmI = u.ID
	s.rootFolderLocked()
	for _, name := range []string{"Family Law", "Immigration", "Personal Injury", "Estate Planning", "Criminal Defense", "General"} {
		pa := &clio.PracticeArea{ID: s.nextIDLocked("practice_area"), Etag: s.etagLocked(), Name: name, CreatedAt: now, UpdatedAt: now}
		s.st.PracticeAreas.put(pa.ID, pa)
	}
}

// Snapshot returns the whole state (records, tokens, webhooks, id counters)
// as JSON.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st)
	if err != nil {
		return nil, fmt.Errorf("cliofake snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the whole state with one saved by Snapshot.
func (s *Server) Restore(b []byte) error {
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return fmt.Errorf("cliofake restore: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	s.rate = map[string]*rateWindow{}
	return nil
}
