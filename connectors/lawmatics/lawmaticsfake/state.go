package lawmaticsfake

import (
	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// state is everything Snapshot saves. Server.mu guards it.
type state struct {
	NextID        int64                      // one id counter for every record kind
	Contacts      map[int64]*contactRec      // by id
	Prospects     map[int64]*prospectRec     // by id
	Notes         map[int64]*noteRec         // by id
	Files         map[int64]*fileRec         // by id
	SubStatuses   map[int64]*subStatusRec    // by id
	PracticeAreas map[int64]*practiceAreaRec // by id
	CustomFields  []customFieldDef           // firm-defined custom fields
	Tokens        map[string]int64           // access token → created_at (unix); tokens never expire
	Codes         map[string]codeRec         // authorization code → grant
	User          lawmatics.UserAttributes   // the account's user (GET /v1/users/me)
	Webhook       webhookConfig              // the Settings > Webhooks endpoint
	Deliveries    []Delivery                 // webhook delivery log
	SignKey       string                     // signs the fake pre-signed file URLs
}

type contactRec struct {
	ID     int64
	Attrs  lawmatics.ContactAttributes // stored attributes; derived ones are filled on render
	Custom map[int64]any               // custom field id → value
}

type prospectRec struct {
	ID             int64
	ContactID      int64 // 0 when none (contact deleted)
	PracticeAreaID int64
	SubStatusID    int64
	Attrs          lawmatics.ProspectAttributes // person fields are a fallback; the contact's win
	Custom         map[int64]any
}

type noteRec struct {
	ID          int64
	NotableType string // "Prospect" or "Contact"
	NotableID   int64
	Attrs       lawmatics.NoteAttributes
}

type fileRec struct {
	ID               int64
	DocumentableType string // "prospect", "contact" or "firm"
	DocumentableID   int64
	Attrs            lawmatics.FileAttributes // FileURL is filled on render
	Content          []byte
}

type subStatusRec struct {
	ID    int64
	Attrs lawmatics.SubStatusAttributes
}

type practiceAreaRec struct {
	ID    int64
	Attrs lawmatics.PracticeAreaAttributes
}

// customFieldDef is a firm-defined custom field.
type customFieldDef struct {
	ID        int64
	Entity    string   // "contact" or "prospect"
	Name      string   // e.g. lawmatics.CaseTypeFieldName
	FieldType string   // "select" or "text"
	Options   []string // allowed values of a select field
}

type codeRec struct {
	RedirectURI string
	Expires     int64 // unix seconds
}

// CaseTypeFieldID is the id of the seeded prospect custom field "Case Type".
const CaseTypeFieldID = 1001

// CaseTypes returns the firm's case-type values (the options of the seeded
// "Case Type" field).
func CaseTypes() []string {
	return []string{"divorce_standard", "custody_only", "immigration_asylum", "personal_injury_auto", "estate_planning_will"}
}

func newState() state {
	st := state{
		NextID:        1,
		Contacts:      map[int64]*contactRec{},
		Prospects:     map[int64]*prospectRec{},
		Notes:         map[int64]*noteRec{},
		Files:         map[int64]*fileRec{},
		SubStatuses:   map[int64]*subStatusRec{},
		PracticeAreas: map[int64]*practiceAreaRec{},
		Tokens:        map[string]int64{},
		Codes:         map[string]codeRec{},
		User:          lawmatics.UserAttributes{Name: "Sandbox Admin", FirstName: "Sandbox", LastName: "Admin", Email: "admin@sandbox-firm.example"},
		Webhook:       webhookConfig{Secret: randomHex(32), Active: true},
		SignKey:       randomHex(32),
	}
	// The firm's case type is a prospect custom field: Lawmatics has no
	// built-in case-type attribute, and intake maps it to a Clio practice area.
	st.CustomFields = []customFieldDef{{ID: CaseTypeFieldID, Entity: "prospect", Name: lawmatics.CaseTypeFieldName, FieldType: "select", Options: CaseTypes()}}
	for _, n := range []string{"Family Law", "Immigration", "Personal Injury", "Estate Planning"} {
		st.addPracticeArea(n)
	}
	for _, ss := range [][2]string{{"New Lead", "pnc"}, {"Consult Scheduled", "pnc"}, {"Retained", "hired"}, {"Declined", "lost"}} {
		id := st.newID()
		st.SubStatuses[id] = &subStatusRec{ID: id, Attrs: lawmatics.SubStatusAttributes{Name: ss[0], Status: ss[1]}}
	}
	return st
}

func (st *state) newID() int64 {
	id := st.NextID
	st.NextID++
	return id
}

func (st *state) addPracticeArea(name string) int64 {
	id := st.newID()
	st.PracticeAreas[id] = &practiceAreaRec{ID: id, Attrs: lawmatics.PracticeAreaAttributes{Name: name}}
	return id
}

func (st *state) customFieldDefs(entity string) []customFieldDef {
	var out []customFieldDef
	for _, d := range st.CustomFields {
		if d.Entity == entity {
			out = append(out, d)
		}
	}
	return out
}

// renderCustom lists every custom field of entity, unset ones with null values.
func (st *state) renderCustom(entity string, vals map[int64]any) []lawmatics.CustomField {
	out := []lawmatics.CustomField{}
	for _, d := range st.customFieldDefs(entity) {
		f := lawmatics.CustomField{ID: d.ID, Name: d.Name, FieldType: d.FieldType}
		if v, ok := vals[d.ID]; ok && v != nil {
			f.Value = v
			f.FormattedValue = formatValue(v)
		}
		out = append(out, f)
	}
	return out
}

// fillMaps replaces nil maps (from an old or sparse snapshot) with empty ones.
func (st *state) fillMaps() {
	if st.Contacts == nil {
		st.Contacts = map[int64]*contactRec{}
	}
	if st.Prospects == nil {
		st.Prospects = map[int64]*prospectRec{}
	}
	if st.Notes == nil {
		st.Notes = map[int64]*noteRec{}
	}
	if st.Files == nil {
		st.Files = map[int64]*fileRec{}
	}
	if st.SubStatuses == nil {
		st.SubStatuses = map[int64]*subStatusRec{}
	}
	if st.PracticeAreas == nil {
		st.PracticeAreas = map[int64]*practiceAreaRec{}
	}
	if st.Tokens == nil {
		st.Tokens = map[string]int64{}
	}
	if st.Codes == nil {
		st.Codes = map[string]codeRec{}
	}
	for _, c := range st.Contacts {
		if c.Custom == nil {
			c.Custom = map[int64]any{}
		}
	}
	for _, p := range st.Prospects {
		if p.Custom == nil {
			p.Custom = map[int64]any{}
		}
	}
	if st.NextID < 1 {
		st.NextID = 1
	}
}
