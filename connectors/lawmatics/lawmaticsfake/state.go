package lawmaticsfake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

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
	Custom map[int64]any               // custom field id → value (a list field's option id as a string)
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
	ID         int64
	Entity     string                        // "contact" or "prospect"
	Name       string                        // e.g. lawmatics.CaseTypeFieldName
	FieldType  string                        // lawmatics.FieldTypeList, FieldTypeString, ...
	Visibility string                        // "default", "starred" or "hidden"
	Options    []lawmatics.CustomFieldOption // the choices of a list field
	CreatedAt  lawmatics.Time
}

// UnmarshalJSON reads a definition from a Snapshot, including one saved
// before list fields had option ids (field type "select" with plain string
// options): the seeded Case Type field gets its current options, any other
// such field options numbered from 1.
func (d *customFieldDef) UnmarshalJSON(b []byte) error {
	type plain customFieldDef
	var v struct {
		plain
		Options json.RawMessage
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("custom field definition: %w", err)
	}
	*d = customFieldDef(v.plain)
	d.Options = nil
	if len(v.Options) == 0 || string(v.Options) == "null" {
		return nil
	}
	if err := json.Unmarshal(v.Options, &d.Options); err == nil {
		return nil
	}
	var names []string
	if err := json.Unmarshal(v.Options, &names); err != nil {
		return fmt.Errorf("custom field %d options: %w", d.ID, err)
	}
	if d.FieldType == "select" {
		d.FieldType = lawmatics.FieldTypeList
	}
	if d.ID == CaseTypeFieldID {
		d.Options = caseTypeOptions()
		return nil
	}
	for i, n := range names {
		d.Options = append(d.Options, lawmatics.CustomFieldOption{ID: lawmatics.FieldID(i + 1), Name: n})
	}
	return nil
}

// optionFor returns the list option a stored value names: its id, or (in a
// snapshot saved before option ids) its label or the label's slug.
func (d customFieldDef) optionFor(v any) (lawmatics.CustomFieldOption, bool) {
	if o, ok := d.option(v); ok {
		return o, true
	}
	s := strings.TrimSpace(scalarString(v))
	for _, o := range d.Options {
		if strings.EqualFold(o.Name, s) || slug(o.Name) == strings.ToLower(s) {
			return o, true
		}
	}
	return lawmatics.CustomFieldOption{}, false
}

// option returns the list option whose id is v (a number or its text).
func (d customFieldDef) option(v any) (lawmatics.CustomFieldOption, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(scalarString(v)), 10, 64)
	if err != nil {
		return lawmatics.CustomFieldOption{}, false
	}
	for _, o := range d.Options {
		if int64(o.ID) == id {
			return o, true
		}
	}
	return lawmatics.CustomFieldOption{}, false
}

// entityName is the definition's "type" attribute as the vendor writes it:
// matter fields say "Prospect".
func (d customFieldDef) entityName() string {
	switch d.Entity {
	case "prospect":
		return "Prospect"
	case "contact":
		return "Contact"
	}
	return d.Entity
}

type codeRec struct {
	RedirectURI string
	Expires     int64 // unix seconds
}

// CaseTypeFieldID is the id of the seeded prospect custom field "Case Type".
const CaseTypeFieldID = 1001

// caseTypeOptions are the choices of the seeded "Case Type" picklist: the
// labels a firm's staff see, with ids as Lawmatics numbers list options.
func caseTypeOptions() []lawmatics.CustomFieldOption {
	return []lawmatics.CustomFieldOption{
		{ID: 3240, Name: "Divorce (standard)"},
		{ID: 3241, Name: "Custody only"},
		{ID: 3242, Name: "Immigration — asylum"},
		{ID: 3243, Name: "Personal injury — auto"},
		{ID: 3244, Name: "Estate planning — will"},
	}
}

// CaseTypes returns the labels of the firm's case types (the options of the
// seeded "Case Type" picklist), as a person picks them in Lawmatics and as
// ProspectInput.CaseType takes them. On the wire a prospect's case type is
// the option id in value and this label in formatted_value.
func CaseTypes() []string {
	var out []string
	for _, o := range caseTypeOptions() {
		out = append(out, o.Name)
	}
	return out
}

// CaseTypeOptionID returns the option id of a case type given as its label
// (any case), its option id, or its label's old slug form
// ("divorce_standard", which seed scripts written before the picklist used).
func CaseTypeOptionID(caseType string) (int64, bool) {
	v := strings.TrimSpace(caseType)
	for _, o := range caseTypeOptions() {
		if strings.EqualFold(o.Name, v) || o.ID.String() == v || slug(o.Name) == strings.ToLower(v) {
			return int64(o.ID), true
		}
	}
	return 0, false
}

// slug lower-cases s and joins its runs of letters and digits with "_":
// "Immigration — asylum" → "immigration_asylum".
func slug(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			sep = false
		} else {
			sep = true
		}
	}
	return b.String()
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
		Webhook:       webhookConfig{Secret: newWebhookSecret(), Active: true},
		SignKey:       randomHex(32),
	}
	// The firm's case type is a prospect custom field: Lawmatics has no
	// built-in case-type attribute, and intake maps it to a Clio practice area.
	st.CustomFields = []customFieldDef{{ID: CaseTypeFieldID, Entity: "prospect", Name: lawmatics.CaseTypeFieldName,
		FieldType: lawmatics.FieldTypeList, Visibility: "starred", Options: caseTypeOptions()}}
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

// renderCustom lists every custom field of entity, unset ones with null
// values. A list field's value is the option id (as a string, as the
// vendor's examples show) and its formatted_value the option label.
func (st *state) renderCustom(entity string, vals map[int64]any) []lawmatics.CustomField {
	out := []lawmatics.CustomField{}
	for _, d := range st.customFieldDefs(entity) {
		f := lawmatics.CustomField{ID: lawmatics.FieldID(d.ID), Name: d.Name, FieldType: d.FieldType}
		if v, ok := vals[d.ID]; ok && v != nil {
			f.Value = v
			f.FormattedValue = formatValue(v)
			if o, ok := d.option(v); ok && d.FieldType == lawmatics.FieldTypeList {
				f.Value, f.FormattedValue = o.ID.String(), o.Name
			}
		}
		out = append(out, f)
	}
	return out
}

// migrateCustom rewrites list values saved before option ids (a label or
// slug such as "divorce_standard") to the option id, as the API stores them.
func (st *state) migrateCustom(entity string, vals map[int64]any) {
	for _, d := range st.customFieldDefs(entity) {
		v, ok := vals[d.ID]
		if !ok || v == nil || d.FieldType != lawmatics.FieldTypeList {
			continue
		}
		if o, ok := d.optionFor(v); ok {
			vals[d.ID] = o.ID.String()
		}
	}
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
		st.migrateCustom("contact", c.Custom)
	}
	for _, p := range st.Prospects {
		if p.Custom == nil {
			p.Custom = map[int64]any{}
		}
		st.migrateCustom("prospect", p.Custom)
	}
	if st.NextID < 1 {
		st.NextID = 1
	}
}
