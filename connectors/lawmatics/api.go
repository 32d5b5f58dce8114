// Package lawmatics holds the wire types of the Lawmatics API v1
// (https://api.lawmatics.com/v1). It contains no HTTP code: the API client
// and the fake server in lawmaticsfake both speak these types.
//
// Responses use a JSON:API-like envelope: {"data":{"id":"25","type":"contact",
// "attributes":{…},"relationships":{…}}}. Ids are strings; nested objects
// such as custom-field ids are numbers. Which attributes come back depends on
// the request's fields parameter, so every attribute may be missing (zero).
package lawmatics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TimeLayout is how Lawmatics writes timestamps: 2018-10-17T18:17:15.722-07:00.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Time is a Lawmatics timestamp. It marshals with TimeLayout and accepts any
// RFC 3339 form (and JSON null, which leaves the zero value).
type Time struct {
	time.Time
}

// MarshalJSON writes t with TimeLayout, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Format(TimeLayout) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 timestamp or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("lawmatics time: %w", err)
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("lawmatics time %q: %w", s, err)
	}
	t.Time = v
	return nil
}

// Resource type names as they appear in the "type" member.
const (
	TypeContact      = "contact"
	TypeProspect     = "prospect"
	TypeNote         = "note"
	TypeFile         = "document" // [U] the files list links to /v1/documents; clients must not depend on it
	TypeUser         = "user"
	TypeSubStatus    = "sub_status"
	TypePracticeArea = "practice_area"
)

// Matter (prospect) statuses. A new prospect is StatusPNC; "hired" is the
// only signal that a matter was retained.
const (
	StatusPNC   = "pnc"
	StatusHired = "hired"
	StatusLost  = "lost"
)

// CaseTypeFieldName is the name of the prospect custom field that carries
// the firm's case type (divorce_standard, custody_only, ...). Lawmatics has
// no built-in case-type attribute; the firm models it as a custom field.
const CaseTypeFieldName = "Case Type"

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

// CustomField is one custom field value on a contact or prospect.
type CustomField struct {
	ID             int64  `json:"id"`              // the field definition's id (a number)
	Name           string `json:"name"`            // e.g. CaseTypeFieldName
	FieldType      string `json:"field_type"`      // e.g. "select", "text"
	Value          any    `json:"value"`           // raw value; nil when unset
	FormattedValue string `json:"formatted_value"` // display form
}

// CustomFieldValue sets one custom field in a create or update body; a nil
// Value clears it.
type CustomFieldValue struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
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
	Status              string        `json:"status"`        // StatusPNC, StatusHired or StatusLost
	SubStatus           string        `json:"sub_status"`    // sub-status name, "" when none
	PracticeArea        string        `json:"practice_area"` // practice area name, "" when none
	TypeOfBilling       string        `json:"type_of_billing"`
	EstimatedValueCents *int64        `json:"estimated_value_cents"`
	ActualValueCents    *int64        `json:"actual_value_cents"`
	LeadCostCents       *int64        `json:"lead_cost_cents"`
	ConvertedDate       *Time         `json:"converted_date"` // [U] probably the hire time
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

// CaseType returns the firm's case type (the CaseTypeFieldName custom
// field), or "" when unset or not selected by fields.
func (a ProspectAttributes) CaseType() string {
	f, ok := a.CustomField(CaseTypeFieldName)
	if !ok || f.Value == nil {
		return ""
	}
	return fmt.Sprint(f.Value)
}

// ProspectRelationships are a prospect's relationships.
type ProspectRelationships struct {
	Contact      ToOne  `json:"contact"`
	PracticeArea ToOne  `json:"practice_area"`
	SubStatus    ToOne  `json:"sub_status"`
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
	Name   string `json:"name"`
	Status string `json:"status"` // the parent status
}

// SubStatus is a firm-defined sub-status under pnc, hired or lost.
type SubStatus struct {
	ID         string              `json:"id"`
	Type       string              `json:"type"`
	Attributes SubStatusAttributes `json:"attributes"`
}

// PracticeAreaAttributes are a practice area's attributes.
type PracticeAreaAttributes struct {
	Name string `json:"name"`
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

// WebhookEvent is an outbound webhook delivery body. [U] The real payload
// shape is undocumented; this is the fake's reading.
type WebhookEvent struct {
	Event     string   `json:"event"`      // EventMatterConverted
	ID        string   `json:"id"`         // event id, the same on every retry
	CreatedAt Time     `json:"created_at"` // when the event happened
	Data      Prospect `json:"data"`       // the converted prospect, fields=all
}

var (
	_ error = (*Error)(nil)
	_ error = (*OAuthError)(nil)
)
