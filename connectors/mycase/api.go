// Package mycase is Firmsync's client for the MyCase Open API v1 (the
// vendor's Stoplight documents; facts in apis/mycase.md). This file holds
// the wire types shared by the client and its fake (package mycasefake).
//
// MyCase sends bare JSON arrays and objects (no envelope), integer ids
// (webhook subscription ids are strings), nested references as {"id":…},
// and ISO-8601 timestamps. Several response fields are typed string|null in
// the vendor's schema; they are plain Go strings here, so null reads as "".
package mycase

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IDRef names a record by id: "case":{"id":1}, "clients":[{"id":2}].
type IDRef struct {
	ID int64 `json:"id"`
}

// ErrorSource says what an error is about: a JSON pointer into the request
// body, or the query parameter at fault. MyCase sets one of them.
type ErrorSource struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
}

// ErrorItem is one entry of an error reply.
type ErrorItem struct {
	Description string       `json:"description"`
	Source      *ErrorSource `json:"source,omitempty"`
}

// ErrorBody is MyCase's error reply: {"errors":[{"description","source"}]}.
type ErrorBody struct {
	Errors []ErrorItem `json:"errors"`
}

// TokenResponse is the reply of POST /tokens. FirmUUID comes only with the
// authorization-code grant; a refresh reply carries a new RefreshToken.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"` // "Bearer"
	Scope        string `json:"scope"`      // space separated
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"` // 86400
	FirmUUID     string `json:"firm_uuid,omitempty"`
}

// Staff is a firm member (GET /v1/me, /v1/staff).
type Staff struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Type      string    `json:"type"`
	Title     string    `json:"title"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Firm is GET /v1/firm. URL identifies the firm.
type Firm struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Person is a MyCase client (a person; companies are separate records).
type Person struct {
	ID              int64     `json:"id"`
	FirstName       string    `json:"first_name"`
	MiddleName      string    `json:"middle_name"`
	LastName        string    `json:"last_name"`
	Email           string    `json:"email"`
	CellPhoneNumber string    `json:"cell_phone_number"`
	WorkPhoneNumber string    `json:"work_phone_number"`
	HomePhoneNumber string    `json:"home_phone_number"`
	FaxPhoneNumber  string    `json:"fax_phone_number"`
	Notes           string    `json:"notes"` // firm-internal, hidden from the client
	Archived        bool      `json:"archived"`
	Cases           []IDRef   `json:"cases"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// UnmarshalJSON reads timestamps leniently (see parseTime).
func (p *Person) UnmarshalJSON(b []byte) error {
	type plain Person
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt)
	return nil
}

// PersonWrite is the body of POST /v1/clients. MyCase requires first_name
// and last_name.
type PersonWrite struct {
	FirstName       string `json:"first_name,omitempty"`
	LastName        string `json:"last_name,omitempty"`
	Email           string `json:"email,omitempty"`
	CellPhoneNumber string `json:"cell_phone_number,omitempty"`
	WorkPhoneNumber string `json:"work_phone_number,omitempty"`
	HomePhoneNumber string `json:"home_phone_number,omitempty"`
	Notes           string `json:"notes,omitempty"`
}

// CustomFieldValue is a custom field's value on a case or client. Value is
// a string, a json.Number or a bool as MyCase sends it (the schema allows
// all three); nil when null. Use String for a text form.
type CustomFieldValue struct {
	CustomField IDRef `json:"custom_field"`
	Value       any   `json:"value"`
}

// UnmarshalJSON keeps numbers exact (json.Number, not float64).
func (v *CustomFieldValue) UnmarshalJSON(b []byte) error {
	var aux struct {
		CustomField IDRef           `json:"custom_field"`
		Value       json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	v.CustomField, v.Value = aux.CustomField, nil
	if len(aux.Value) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(aux.Value))
	d.UseNumber()
	return d.Decode(&v.Value)
}

// String renders the value as text: strings as they are, numbers as sent,
// booleans as "true"/"false", null as "".
func (v CustomFieldValue) String() string {
	switch x := v.Value.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v.Value)
}

// Case is a MyCase case (a matter). Nullable fields (case_number,
// opened_date, practice_area, case_stage) read as "" when null.
type Case struct {
	ID                int64              `json:"id"`
	Name              string             `json:"name"`
	CaseNumber        string             `json:"case_number"`
	Description       string             `json:"description"`
	Status            string             `json:"status"` // open | closed
	PracticeArea      string             `json:"practice_area"`
	CaseStage         string             `json:"case_stage"`
	OpenedDate        string             `json:"opened_date"` // YYYY-MM-DD
	Clients           []IDRef            `json:"clients"`
	Companies         []IDRef            `json:"companies"`
	CustomFieldValues []CustomFieldValue `json:"custom_field_values"`
	CreatedAt         time.Time          `json:"created_at"`
	UpdatedAt         time.Time          `json:"updated_at"`
}

// UnmarshalJSON reads timestamps leniently (see parseTime).
func (c *Case) UnmarshalJSON(b []byte) error {
	type plain Case
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt)
	return nil
}

// CustomFieldValue returns the value of custom field id on the case.
func (c Case) CustomFieldValue(id int64) (CustomFieldValue, bool) {
	for _, v := range c.CustomFieldValues {
		if v.CustomField.ID == id {
			return v, true
		}
	}
	return CustomFieldValue{}, false
}

// CaseWrite is the body of POST and PUT /v1/cases. MyCase requires name
// (also on PUT) and validates it as unique. PracticeArea is a practice
// area's name (case-insensitive; an unknown name becomes blank).
type CaseWrite struct {
	Name              string             `json:"name,omitempty"`
	CaseNumber        string             `json:"case_number,omitempty"`
	Description       string             `json:"description,omitempty"`
	Status            string             `json:"status,omitempty"` // open | closed
	PracticeArea      string             `json:"practice_area,omitempty"`
	OpenedDate        string             `json:"opened_date,omitempty"` // YYYY-MM-DD
	Clients           []IDRef            `json:"clients,omitempty"`
	CustomFieldValues []CustomFieldValue `json:"custom_field_values,omitempty"`
}

// PracticeArea is an entry of the firm's practice-area list.
type PracticeArea struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UnmarshalJSON reads timestamps leniently (see parseTime).
func (p *PracticeArea) UnmarshalJSON(b []byte) error {
	type plain PracticeArea
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt)
	return nil
}

// ListOption is a choice of a list custom field.
type ListOption struct {
	Key    string `json:"key"`
	Option string `json:"option"`
}

// CustomField defines a custom field.
type CustomField struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	ParentType  string       `json:"parent_type"` // case | client | company | expense | time | time_and_expense
	FieldType   string       `json:"field_type"`  // short_text | long_text | numeric | boolean | date | list | currency
	ListOptions []ListOption `json:"list_options"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// UnmarshalJSON reads timestamps leniently (see parseTime).
func (f *CustomField) UnmarshalJSON(b []byte) error {
	type plain CustomField
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(f)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	f.CreatedAt, f.UpdatedAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt)
	return nil
}

// CustomFieldWrite is the body of POST /v1/custom_fields.
type CustomFieldWrite struct {
	Name       string `json:"name"`
	ParentType string `json:"parent_type"`
	FieldType  string `json:"field_type"`
}

// Note is a note on a case, client or company. Date is as MyCase sends it:
// a date or a date-time (see DateTime).
type Note struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"`
	Note      string    `json:"note"`
	Date      string    `json:"date"`
	Client    *IDRef    `json:"client"`
	Case      *IDRef    `json:"case"`
	Company   *IDRef    `json:"company"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UnmarshalJSON reads timestamps leniently (see parseTime).
func (n *Note) UnmarshalJSON(b []byte) error {
	type plain Note
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(n)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	n.CreatedAt, n.UpdatedAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt)
	return nil
}

// DateTime parses Date (a date, or a date-time with or without a zone).
func (n Note) DateTime() (time.Time, bool) {
	t, err := parseTime(n.Date)
	return t, err == nil && !t.IsZero()
}

// NoteWrite is a new note. MyCase requires subject, note and date.
type NoteWrite struct {
	Subject string
	Note    string
	Date    time.Time // zero = now
}

// noteBody is the wire form of NoteWrite.
type noteBody struct {
	Subject string `json:"subject"`
	Note    string `json:"note"`
	Date    string `json:"date"`
}

// Document is a file's record. MyCase reports no size or MIME type.
type Document struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Filename    string    `json:"filename"`
	Path        string    `json:"path"`
	Description string    `json:"description"`
	Case        *IDRef    `json:"case"` // nil for a firm-level document
	Folder      *IDRef    `json:"folder"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// UnmarshalJSON reads timestamps leniently (see parseTime).
func (d *Document) UnmarshalJSON(b []byte) error {
	type plain Document
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(d)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	d.CreatedAt, d.UpdatedAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt)
	return nil
}

// DocumentWrite is the body of POST /v1/cases/{id}/documents. Path holds
// the folders and the document's name ("a/b/name"); folders are created.
type DocumentWrite struct {
	Path         string `json:"path"`
	Filename     string `json:"filename"`
	Description  string `json:"description,omitempty"`
	AssignedDate string `json:"assigned_date,omitempty"`
}

// UploadTarget is the pre-signed S3 PUT of a document or version create
// reply: PUT the bytes to PutURL with PutHeaders and Content-Type
// application/octet-stream, without the bearer token.
type UploadTarget struct {
	PutURL     string            `json:"put_url"`
	PutHeaders map[string]string `json:"put_headers"`
}

// documentPost is the reply of a document create.
type documentPost struct {
	Document
	UploadTarget
}

// UnmarshalJSON is needed because the embedded Document's own
// UnmarshalJSON would otherwise swallow the whole object.
func (d *documentPost) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &d.Document); err != nil {
		return err
	}
	return json.Unmarshal(b, &d.UploadTarget)
}

// DocumentVersion is one version of a document.
type DocumentVersion struct {
	ID       int64  `json:"id"`
	Version  int    `json:"version"`
	Document IDRef  `json:"document"`
	SelfURL  string `json:"self_url"`
	UploadTarget
}

// Subscription is a webhook subscription. Its id is a string.
type Subscription struct {
	ID      string   `json:"id"`
	Model   string   `json:"model"` // case | client | company | event | lead | message
	URL     string   `json:"url"`
	Actions []string `json:"actions"` // created | updated | deleted
	HMACKey string   `json:"hmac_key"`
}

// subscriptionWrite is the body of POST /v1/webhooks/subscriptions.
type subscriptionWrite struct {
	Model   string   `json:"model"`
	URL     string   `json:"url"`
	Actions []string `json:"actions"`
}

// flexTime decodes a timestamp leniently: null and "" are the zero time.
type flexTime time.Time

func (t *flexTime) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == nil {
		*t = flexTime{}
		return nil
	}
	v, err := parseTime(*s)
	if err != nil {
		return err
	}
	*t = flexTime(v)
	return nil
}

// parseTime reads MyCase's ISO-8601 forms. [U] The time-zone guide says a
// timestamp without an offset means UTC; replies are documented only as
// "ISO 8601", so RFC 3339, offset without colon, no offset, and a bare
// date are all accepted.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("mycase: unreadable timestamp %q", s)
}

// formatTime renders a filter timestamp: UTC, whole seconds (rounded down,
// so an inclusive filter still includes the instant asked for).
func formatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
