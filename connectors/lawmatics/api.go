// Package lawmatics holds the wire types of the Lawmatics API v1
// (https://api.lawmatics.com/v1). It contains no HTTP code: the API client
// and the fake server in lawmaticsfake both speak these types.
//
// Responses use a JSON:API-like envelope: {"data":{"id":"25","type":"contact",
// "attributes":{…},"relationships":{…}}}. Record ids are strings; ids nested
// in attributes (custom-field ids) are numbers in most of the vendor's
// examples and strings in the newest one, so FieldID accepts both. Which
// attributes come back depends on the request's fields parameter, so every
// attribute may be missing (zero), and list rows carry "relationships":{}.
package lawmatics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is how Lawmatics writes timestamps: 2018-10-17T18:17:15.722-07:00.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// DateLayout is how Lawmatics writes plain dates (birthdate, date custom
// fields): 1991-06-28.
const DateLayout = "2006-01-02"

// Time is a Lawmatics timestamp or date. It accepts any RFC 3339 form, a
// plain date (2024-05-01, read as midnight UTC with DateOnly set), a
// date-time without zone (read as UTC), and JSON null or "" (the zero value).
//
// Some attributes have no confirmed form: converted_date is null in every
// vendor example, and a Rails *_date column would render as a plain date
// while a timestamp column would not, so both must be read.
type Time struct {
	time.Time
	// DateOnly says the value is a calendar date without a time of day; it
	// then marshals with DateLayout.
	DateOnly bool
}

// MarshalJSON writes t with TimeLayout (DateLayout when DateOnly), or null
// for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	if t.DateOnly {
		return []byte(`"` + t.Format(DateLayout) + `"`), nil
	}
	return []byte(`"` + t.Format(TimeLayout) + `"`), nil
}

// UnmarshalJSON reads a timestamp, a plain date or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	*t = Time{}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("lawmatics time: %w", err)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t.Time = v
		return nil
	}
	if v, err := time.Parse(DateLayout, s); err == nil {
		t.Time, t.DateOnly = v, true
		return nil
	}
	if v, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		t.Time = v
		return nil
	}
	return fmt.Errorf("lawmatics time %q: not an RFC 3339 timestamp or a YYYY-MM-DD date", s)
}

// Resource type names as they appear in the "type" member.
const (
	TypeContact      = "contact"
	TypeProspect     = "prospect"
	TypeNote         = "note"
	TypeFile         = "file" // although the files list links to /v1/documents
	TypeUser         = "user"
	TypeSubStatus    = "sub_status" // lists; single-record writes say "prospect_sub_status"
	TypePracticeArea = "practice_area"
	TypeCustomField  = "custom_field"
)

// Matter (prospect) statuses. A new prospect is StatusPNC; "hired" is the
// only signal that a matter was retained.
const (
	StatusPNC   = "pnc"
	StatusHired = "hired"
	StatusLost  = "lost"
)

// CaseTypeFieldName is the name of the prospect custom field that carries
// the firm's case type. Lawmatics has no built-in case-type attribute; the
// firm models it as a picklist custom field (field_type "list") whose
// options are labels such as "Custody only".
const CaseTypeFieldName = "Case Type"

// Custom field types (field_type) the vendor documents.
const (
	FieldTypeList          = "list" // picklist: value is the option id, formatted_value its label
	FieldTypeMultiPicklist = "multi_picklist"
	FieldTypeString        = "string"
	FieldTypeText          = "text"
	FieldTypeBoolean       = "boolean"
	FieldTypeDate          = "date"
	FieldTypeDateTime      = "datetime"
)

// Ref points at another resource inside a relationship.
type Ref struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// ToOne is a to-one relationship; Data is nil when unset (JSON null).
type ToOne struct {
	Data *Ref `json:"data"`
}

// ToMany is a to-many relationship.
type ToMany struct {
	Data []Ref `json:"data"`
}

// FieldID is a custom-field (or list option) id nested in attributes. The
// vendor's examples write it as a number (6435) in most places and as a
// string ("6435") in the newest one, so it reads both; it writes a number.
type FieldID int64

// MarshalJSON writes the id as a JSON number.
func (id FieldID) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(id), 10), nil
}

// UnmarshalJSON reads a JSON number or a string holding one.
func (id *FieldID) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*id = 0
		return nil
	}
	if u, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(u)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("lawmatics custom field id %s: not an integer", b)
	}
	*id = FieldID(n)
	return nil
}

// String returns the id in decimal.
func (id FieldID) String() string { return strconv.FormatInt(int64(id), 10) }

// CustomField is one custom field value on a contact or prospect:
// {"id":6435,"name":"Case Type","field_type":"list","value":"3240",
// "formatted_value":"Custody only"}.
type CustomField struct {
	ID             FieldID `json:"id"`              // the field definition's id
	Name           string  `json:"name"`            // e.g. CaseTypeFieldName
	FieldType      string  `json:"field_type"`      // FieldTypeList, FieldTypeString, ...
	Value          any     `json:"value"`           // raw value (a list's option id, a bool, ...); nil when unset
	FormattedValue string  `json:"formatted_value"` // what a person sees (a list's option label, "Yes", ...)
}

// RawValue returns Value as text ("" when unset): the option id of a list
// field, the text of a string field.
func (f CustomField) RawValue() string {
	switch v := f.Value.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(f.Value)
}

// Label returns what a person sees in Lawmatics: the option label
// (formatted_value) of a list field, the value of a string or text field,
// and for other types formatted_value when given, else the raw value. It
// is "" when the field is unset.
func (f CustomField) Label() string {
	if f.Value == nil {
		return ""
	}
	switch strings.ToLower(f.FieldType) {
	case FieldTypeList, FieldTypeMultiPicklist:
		// value is the option id ("3240"), meaningless to a person; only
		// when formatted_value is missing is it better than nothing.
		if l := strings.TrimSpace(f.FormattedValue); l != "" {
			return l
		}
	case FieldTypeString, FieldTypeText:
		if v := f.RawValue(); v != "" {
			return v
		}
		return strings.TrimSpace(f.FormattedValue)
	default:
		if l := strings.TrimSpace(f.FormattedValue); l != "" {
			return l
		}
	}
	return f.RawValue()
}

// CustomFieldValue sets one custom field in a create or update body; a nil
// Value clears it. For a list field Value is the option id.
type CustomFieldValue struct {
	ID    FieldID `json:"id"`
	Value any     `json:"value"`
}

// InlineNote adds a note in a contact or prospect create/update body.
type InlineNote struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

// ContactAttributes are a contact's attributes (fields=all).
type ContactAttributes struct {
	FirstName    string        `json:"first_name"`
	MiddleName   string        `json:"middle_name"`
	LastName     string        `json:"last_name"`
	NamePrefix   string        `json:"name_prefix"`
	NameSuffix   string        `json:"name_suffix"`
	Email        string        `json:"email"`
	EmailAddress string        `json:"email_address"`
	Phone        string        `json:"phone"`
	PhoneNumber  string        `json:"phone_number"`
	Birthdate    string        `json:"birthdate"`
	Employer     string        `json:"employer"`
	Occupation   string        `json:"occupation"`
	Gender       string        `json:"gender"`
	Timezone     string        `json:"timezone"`
	ContactType  string        `json:"contact_type"` // e.g. "PNC", "Client"
	CustomFields []CustomField `json:"custom_fields"`
	CreatedAt    Time          `json:"created_at"`
	UpdatedAt    Time          `json:"updated_at"`
}

// ContactRelationships are a contact's relationships.
type ContactRelationships struct {
	Prospects ToMany `json:"prospects"`
	CreatedBy ToOne  `json:"created_by"`
	Client    ToOne  `json:"client"`
	Company   ToOne  `json:"company"`
}

// Contact is a person behind one or more matters.
type Contact struct {
	ID            string               `json:"id"`
	Type          string               `json:"type"`
	Attributes    ContactAttributes    `json:"attributes"`
	Relationships ContactRelationships `json:"relationships"`
}

// ContactWrite is the body of POST/PUT /v1/contacts. Nil fields are left out.
type ContactWrite struct {
	FirstName    *string            `json:"first_name,omitempty"`
	LastName     *string            `json:"last_name,omitempty"`
	Email        *string            `json:"email,omitempty"`
	Phone        *string            `json:"phone,omitempty"`
	Notes        []InlineNote       `json:"notes,omitempty"`
	CustomFields []CustomFieldValue `json:"custom_fields,omitempty"`
}

// ProspectAttributes are a prospect's (matter's) attributes (fields=all).
// The firm's case type is the custom field named CaseTypeFieldName.
type ProspectAttributes struct {
	CaseTitle           string        `json:"case_title"`
	CaseNumber          string        `json:"case_number"`
	CaseBlurb           string        `json:"case_blurb"`
	Status              string        `json:"status"`     // StatusPNC, StatusHired or StatusLost (old records: "active")
	SubStatus           string        `json:"sub_status"` // the sub-status name, or the status capitalised ("Pnc") when none
	TypeOfBilling       string        `json:"type_of_billing"`
	EstimatedValueCents *int64        `json:"estimated_value_cents"`
	ActualValueCents    *int64        `json:"actual_value_cents"`
	LeadCostCents       *int64        `json:"lead_cost_cents"`
	ConvertedDate       *Time         `json:"converted_date"` // [U] probably the hire date; a date or a date-time
	FirstName           string        `json:"first_name"`
	LastName            string        `json:"last_name"`
	Email               string        `json:"email"`
	Phone               string        `json:"phone"`
	CustomFields        []CustomField `json:"custom_fields"`
	CreatedAt           Time          `json:"created_at"`
	UpdatedAt           Time          `json:"updated_at"`
}

// CustomField returns the custom field with the given name, if present.
func (a ProspectAttributes) CustomField(name string) (CustomField, bool) {
	for _, f := range a.CustomFields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return CustomField{}, false
}

// CaseType returns the firm's case type as a person sees it (the label of
// the CaseTypeFieldName picklist, e.g. "Custody only"; see
// CustomField.Label), or "" when unset or not selected by fields.
func (a ProspectAttributes) CaseType() string {
	f, ok := a.CustomField(CaseTypeFieldName)
	if !ok {
		return ""
	}
	return f.Label()
}

// ProspectRelationships are a prospect's relationships. Single records
// carry them; list rows have none ("relationships":{}) unless a
// relationship is named in fields. The sub-status is an attribute, not a
// relationship.
type ProspectRelationships struct {
	Contact      ToOne  `json:"contact"`
	PracticeArea ToOne  `json:"practice_area"`
	Documents    ToMany `json:"documents"`
	Notes        ToMany `json:"notes"`
}

// Prospect is a Lawmatics matter (API name "prospect").
type Prospect struct {
	ID            string                `json:"id"`
	Type          string                `json:"type"`
	Attributes    ProspectAttributes    `json:"attributes"`
	Relationships ProspectRelationships `json:"relationships"`
}

// ProspectWrite is the body of POST/PUT /v1/prospects. Nil fields are left out.
type ProspectWrite struct {
	ContactID      *string            `json:"contact_id,omitempty"`
	MatchContactBy *string            `json:"match_contact_by,omitempty"` // email, phone or name
	CaseTitle      *string            `json:"case_title,omitempty"`
	CaseNumber     *string            `json:"case_number,omitempty"`
	CaseBlurb      *string            `json:"case_blurb,omitempty"`
	Status         *string            `json:"status,omitempty"`
	SubStatusID    *string            `json:"sub_status_id,omitempty"`
	PracticeAreaID *string            `json:"practice_area_id,omitempty"`
	FirstName      *string            `json:"first_name,omitempty"`
	LastName       *string            `json:"last_name,omitempty"`
	Email          *string            `json:"email,omitempty"`
	Phone          *string            `json:"phone,omitempty"`
	Notes          []InlineNote       `json:"notes,omitempty"`
	CustomFields   []CustomFieldValue `json:"custom_fields,omitempty"`
}

// NoteAttributes are a note's attributes.
type NoteAttributes struct {
	Name      string `json:"name"`
	Body      string `json:"body"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// NoteRelationships are a note's relationships. Notable (type "prospect",
// "contact" or "company") is shown on reads; a create response has none.
type NoteRelationships struct {
	Notable *ToOne `json:"notable,omitempty"`
}

// Note is a note on a prospect or contact.
type Note struct {
	ID            string            `json:"id"`
	Type          string            `json:"type"`
	Attributes    NoteAttributes    `json:"attributes"`
	Relationships NoteRelationships `json:"relationships"`
}

// NoteWrite is the body of POST /v1/notes.
type NoteWrite struct {
	Name        string `json:"name"`
	Body        string `json:"body"`
	NotableType string `json:"notable_type"` // "Prospect" or "Contact"
	NotableID   int64  `json:"notable_id"`
}

// FileAttributes are a file's metadata.
type FileAttributes struct {
	Name      string `json:"name"`
	FileName  string `json:"file_name"`
	FileType  string `json:"file_type"` // MIME type
	FileSize  int64  `json:"file_size"`
	FileURL   string `json:"file_url"` // short-lived pre-signed download URL; needs no token
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// FileRelationships are a file's relationships.
type FileRelationships struct {
	Documentable ToOne `json:"documentable"` // prospect or contact; nil for firm files
}

// File is a document stored in Lawmatics.
type File struct {
	ID            string            `json:"id"`
	Type          string            `json:"type"`
	Attributes    FileAttributes    `json:"attributes"`
	Relationships FileRelationships `json:"relationships"`
}

// UserAttributes are a Lawmatics user's attributes.
type UserAttributes struct {
	Name      string `json:"name"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// User is a Lawmatics user (GET /v1/users/me is the token's account).
type User struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Attributes UserAttributes `json:"attributes"`
}

// SubStatusAttributes are a sub-status's attributes.
type SubStatusAttributes struct {
	Name      string `json:"name"`
	Status    string `json:"status"` // the parent status
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// SubStatus is a firm-defined sub-status under pnc, hired or lost. Its
// relationships (prospects, created_by) are kept raw: list rows carry none.
type SubStatus struct {
	ID            string                     `json:"id"`
	Type          string                     `json:"type"` // TypeSubStatus; "prospect_sub_status" in write replies
	Attributes    SubStatusAttributes        `json:"attributes"`
	Relationships map[string]json.RawMessage `json:"relationships"`
}

// PracticeAreaAttributes are a practice area's attributes.
type PracticeAreaAttributes struct {
	Name      string `json:"name"`
	Color     string `json:"color,omitempty"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// CustomFieldOption is one choice of a list (picklist) custom field. Its id
// is what a record's value holds and what a write sends.
type CustomFieldOption struct {
	ID   FieldID `json:"id"`
	Name string  `json:"name"` // the label a person sees (a record's formatted_value)
}

// CustomFieldDefAttributes are a custom field definition's attributes
// (GET /v1/custom_fields).
type CustomFieldDefAttributes struct {
	Name         string              `json:"name"`
	FieldType    string              `json:"field_type"`              // FieldTypeList, ...
	Type         string              `json:"type"`                    // the entity: "Prospect" (matters), "Contact", "Client", "Company", "PracticeArea"
	Visibility   string              `json:"visibility,omitempty"`    // "default", "starred", "hidden"
	PracticeArea string              `json:"practice_area,omitempty"` // for type PracticeArea
	LookupType   string              `json:"lookup_type,omitempty"`   // for field_type lookup
	ListOptions  []CustomFieldOption `json:"list_options,omitempty"`  // for list and multi_picklist
	CreatedAt    Time                `json:"created_at"`
	UpdatedAt    Time                `json:"updated_at"`
}

// CustomFieldDef is a firm-defined custom field (type TypeCustomField).
type CustomFieldDef struct {
	ID         string                   `json:"id"`
	Type       string                   `json:"type"`
	Attributes CustomFieldDefAttributes `json:"attributes"`
}

// PracticeArea is a firm-defined practice area.
type PracticeArea struct {
	ID         string                 `json:"id"`
	Type       string                 `json:"type"`
	Attributes PracticeAreaAttributes `json:"attributes"`
}

// Single is the envelope of a one-record response.
type Single[T any] struct {
	Data T `json:"data"`
}

// ListMeta is a list response's paging summary.
type ListMeta struct {
	TotalPages   int `json:"total_pages"`
	LimitPerPage int `json:"limit_per_page"` // always PageSize
	TotalEntries int `json:"total_entries"`
}

// ListLinks are a list response's links: relative, singular
// ("/v1/contact?page=7"). Next and Prev are absent at the ends.
type ListLinks struct {
	Self string `json:"self"`
	Next string `json:"next,omitempty"`
	Prev string `json:"prev,omitempty"`
}

// List is the envelope of a list response.
type List[T any] struct {
	Data  []T       `json:"data"`
	Meta  ListMeta  `json:"meta"`
	Links ListLinks `json:"links"`
}

// PageSize is the fixed number of records per list page.
const PageSize = 25

// ErrorObject is one entry of an error response.
type ErrorObject struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

// Error is an API error response: {"errors":[{"status":404,"title":"Not found",
// "detail":"…"}]}. StatusCode is the HTTP status (not on the wire).
type Error struct {
	StatusCode int           `json:"-"`
	Errors     []ErrorObject `json:"errors"`
}

// Error implements error.
func (e *Error) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("lawmatics: HTTP %d", e.StatusCode)
	}
	parts := make([]string, 0, len(e.Errors))
	for _, o := range e.Errors {
		s := o.Title
		if o.Detail != "" {
			s += ": " + o.Detail
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("lawmatics: HTTP %d: %s", e.StatusCode, strings.Join(parts, "; "))
}

// TokenRequest is the body of POST /oauth/token (form or JSON encoded).
type TokenRequest struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	GrantType    string `json:"grant_type"` // only "authorization_code"
	Code         string `json:"code"`
	RedirectURI  string `json:"redirect_uri"`
}

// TokenResponse is the reply of POST /oauth/token. There is no expires_in
// and no refresh_token: Lawmatics access tokens never expire.
type TokenResponse struct {
	TokenType   string `json:"token_type"` // "bearer"
	AccessToken string `json:"access_token"`
	CreatedAt   int64  `json:"created_at"` // unix seconds
}

// OAuthError is an OAuth error reply, e.g. {"error":"invalid_grant",
// "error_description":"…"}.
type OAuthError struct {
	StatusCode  int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// Error implements error.
func (e *OAuthError) Error() string {
	return fmt.Sprintf("lawmatics oauth: HTTP %d: %s: %s", e.StatusCode, e.Code, e.Description)
}

// Outbound webhook headers and event names.
const (
	HeaderSignature      = "X-Lawmatics-Signature"
	HeaderTimestamp      = "X-Lawmatics-Timestamp" // unix seconds
	EventMatterConverted = "matter.converted"
)

var (
	_ error = (*Error)(nil)
	_ error = (*OAuthError)(nil)
)
