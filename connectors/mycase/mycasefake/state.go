package mycasefake

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// table holds records by id plus their ids in ascending order, so a page
// is found by binary search.
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
		i, _ := slices.BinarySearch(t.ids, id)
		t.ids = slices.Insert(t.ids, i, id)
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
	for id, v := range m {
		t.m[id] = v
		t.ids = append(t.ids, id)
	}
	slices.Sort(t.ids)
	return nil
}

// address is a postal address.
type address struct {
	Address1 string `json:"address1"`
	Address2 string `json:"address2"`
	City     string `json:"city"`
	State    string `json:"state"`
	ZipCode  string `json:"zip_code"`
	Country  string `json:"country"`
}

// cfValue is a stored custom field value; Value is a string, a
// json.Number or a bool as written.
type cfValue struct {
	FieldID   int64     `json:"field_id"`
	Value     any       `json:"value"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// person is a stored client (person).
type person struct {
	ID          int64     `json:"id"`
	FirstName   string    `json:"first_name"`
	MiddleName  string    `json:"middle_name"`
	LastName    string    `json:"last_name"`
	Email       string    `json:"email"`
	Cell        string    `json:"cell"`
	Work        string    `json:"work"`
	Home        string    `json:"home"`
	Fax         string    `json:"fax"`
	Notes       string    `json:"notes"`
	Birthdate   string    `json:"birthdate"`
	Address     address   `json:"address"`
	PeopleGroup int64     `json:"people_group"`
	Archived    bool      `json:"archived"`
	CFV         []cfValue `json:"cfv"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// staffLink is a firm member on a case.
type staffLink struct {
	ID                int64 `json:"id"`
	LeadLawyer        bool  `json:"lead_lawyer"`
	OriginatingLawyer bool  `json:"originating_lawyer"`
}

// caseRec is a stored case.
type caseRec struct {
	ID                 int64       `json:"id"`
	Name               string      `json:"name"`
	CaseNumber         string      `json:"case_number"`
	Description        string      `json:"description"`
	Status             string      `json:"status"`
	PracticeArea       string      `json:"practice_area"`
	CaseStage          string      `json:"case_stage"`
	OpenedDate         string      `json:"opened_date"`
	ClosedDate         string      `json:"closed_date"`
	SolDate            string      `json:"sol_date"`
	OutstandingBalance json.Number `json:"outstanding_balance"`
	BillingContact     int64       `json:"billing_contact"`
	Clients            []int64     `json:"clients"`
	Companies          []int64     `json:"companies"`
	Staff              []staffLink `json:"staff"`
	CFV                []cfValue   `json:"cfv"`
	CreatedAt          time.Time   `json:"created_at"`
	UpdatedAt          time.Time   `json:"updated_at"`
}

// noteRec is a stored note; exactly one of ClientID, CaseID is set.
type noteRec struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"`
	Note      string    `json:"note"`
	Date      string    `json:"date"`
	ClientID  int64     `json:"client_id"`
	CaseID    int64     `json:"case_id"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// folderRec is a document folder; Path "" is a case's root folder.
type folderRec struct {
	ID     int64  `json:"id"`
	CaseID int64  `json:"case_id"`
	Path   string `json:"path"`
}

// docRec is a stored document.
type docRec struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Filename     string    `json:"filename"`
	Path         string    `json:"path"`
	Description  string    `json:"description"`
	AssignedDate string    `json:"assigned_date"`
	CaseID       int64     `json:"case_id"`
	FolderID     int64     `json:"folder_id"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// versionRec is one version of a document with its bytes.
type versionRec struct {
	ID         int64     `json:"id"`
	DocumentID int64     `json:"document_id"`
	Version    int       `json:"version"`
	Content    []byte    `json:"content,omitempty"`
	Received   bool      `json:"received"` // bytes were PUT to put_url
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// namedRec is a practice area or case stage.
type namedRec struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type listOption struct {
	Key       string    `json:"key"`
	Option    string    `json:"option"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// fieldRec is a custom field definition.
type fieldRec struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	ParentType  string       `json:"parent_type"`
	FieldType   string       `json:"field_type"`
	ListOptions []listOption `json:"list_options"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// subRec is a webhook subscription.
type subRec struct {
	ID      string   `json:"id"`
	Model   string   `json:"model"`
	URL     string   `json:"url"`
	Actions []string `json:"actions"`
	HMACKey string   `json:"hmac_key"`
	Seq     int64    `json:"seq"` // creation order
}

// staffRec is the connected firm member.
type staffRec struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// signedURL is a put_url or download URL token.
type signedURL struct {
	VersionID int64     `json:"version_id"`
	ACL       string    `json:"acl,omitempty"` // the x-amz-acl the PUT must carry
	ExpiresAt time.Time `json:"expires_at"`
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
	Access    string    `json:"access"` // the access token most recently issued for it
	ExpiresAt time.Time `json:"expires_at"`
	Used      bool      `json:"used"` // rotated away (single-use refresh)
}

// state is everything Snapshot saves.
type state struct {
	NextID        map[string]int64         `json:"next_id"`
	FirmUUID      string                   `json:"firm_uuid"`
	FirmName      string                   `json:"firm_name"`
	Me            staffRec                 `json:"me"`
	People        table[person]            `json:"people"`
	Cases         table[caseRec]           `json:"cases"`
	Notes         table[noteRec]           `json:"notes"`
	Folders       table[folderRec]         `json:"folders"`
	Documents     table[docRec]            `json:"documents"`
	Versions      table[versionRec]        `json:"versions"`
	PracticeAreas table[namedRec]          `json:"practice_areas"`
	CaseStages    table[namedRec]          `json:"case_stages"`
	Fields        table[fieldRec]          `json:"custom_fields"`
	Subs          map[string]*subRec       `json:"subscriptions"`
	Uploads       map[string]*signedURL    `json:"uploads"`
	Downloads     map[string]*signedURL    `json:"downloads"`
	Codes         map[string]*authCode     `json:"codes"`
	Access        map[string]*accessToken  `json:"access"`
	Refresh       map[string]*refreshToken `json:"refresh"`
}

func newState() *state {
	return &state{
		NextID:    map[string]int64{},
		FirmUUID:  randomUUID(),
		FirmName:  "Rivera & Sloane LLP",
		Subs:      map[string]*subRec{},
		Uploads:   map[string]*signedURL{},
		Downloads: map[string]*signedURL{},
		Codes:     map[string]*authCode{},
		Access:    map[string]*accessToken{},
		Refresh:   map[string]*refreshToken{},
	}
}

func randomUUID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// seedLocked adds the connected staff member, practice areas and case
// stages.
func (s *Server) seedLocked() {
	now := s.now()
	s.st.Me = staffRec{ID: s.nextIDLocked("staff"), Email: "alex.rivera@example-law.test", FirstName: "Alex", LastName: "Rivera",
		Title: "Partner", CreatedAt: now, UpdatedAt: now}
	for _, name := range []string{"Family Law", "Immigration", "Personal Injury", "Estate Planning", "Criminal Defense"} {
		s.addNamedLocked(&s.st.PracticeAreas, "practice_area", name)
	}
	for _, name := range []string{"Intake", "Discovery", "Trial", "Settlement"} {
		s.addNamedLocked(&s.st.CaseStages, "case_stage", name)
	}
}

func (s *Server) addNamedLocked(t *table[namedRec], kind, name string) *namedRec {
	now := s.now()
	n := &namedRec{ID: s.nextIDLocked(kind), Name: name, CreatedAt: now, UpdatedAt: now}
	t.put(n.ID, n)
	return n
}

// Snapshot returns the whole state (records, files, tokens, subscriptions,
// id counters) as JSON.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st)
	if err != nil {
		return nil, fmt.Errorf("mycasefake snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the whole state with one saved by Snapshot.
func (s *Server) Restore(b []byte) error {
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return fmt.Errorf("mycasefake restore: %w", err)
	}
	// Custom field values come back from JSON as float64; keep numbers
	// exact as written.
	for _, p := range st.People.all() {
		fixValues(p.CFV)
	}
	for _, c := range st.Cases.all() {
		fixValues(c.CFV)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	s.rate = rateWindow{}
	return nil
}

func fixValues(vs []cfValue) {
	for i, v := range vs {
		if f, ok := v.Value.(float64); ok {
			vs[i].Value = json.Number(fmt.Sprint(f))
		}
	}
}
