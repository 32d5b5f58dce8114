// Package clio holds the Clio Manage API v4 wire types shared by the Firmsync
// Clio client and its fake (package cliofake). No HTTP code lives here.
//
// A field tagged `clio:"null"` is one Clio sends as JSON null when it is
// unset (Clio never sends "" or 0 for it). The Go field stays a plain
// string so callers compare values simply (null decodes to ""); the fake
// renders the zero value as null.
package clio

import (
	"encoding/json"
	"fmt"
	"time"
)

// ErrorDetail is the inner object of an API error reply.
type ErrorDetail struct {
	Type    string `json:"type"`    // error class, e.g. "UploadNotFoundError"
	Message string `json:"message"` // human readable text
}

// Error is an API error reply: {"error":{"type":…,"message":…}}.
type Error struct {
	StatusCode int         `json:"-"`     // HTTP status, filled by the client
	Detail     ErrorDetail `json:"error"` // the body
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("clio: %d %s: %s", e.StatusCode, e.Detail.Type, e.Detail.Message)
}

// OAuthError is the OAuth-style error body used by /oauth/token and by 401
// replies for a bad token: {"error":"invalid_token","error_description":…}.
type OAuthError struct {
	StatusCode  int    `json:"-"`                           // HTTP status, filled by the client
	Code        string `json:"error"`                       // e.g. "invalid_token", "invalid_grant"
	Description string `json:"error_description,omitempty"` // human readable text
}

// Error implements error.
func (e *OAuthError) Error() string {
	return fmt.Sprintf("clio oauth: %d %s: %s", e.StatusCode, e.Code, e.Description)
}

// InvalidTokenDescription is the error_description of a 401 for an expired,
// revoked or unknown access token.
const InvalidTokenDescription = "The access token provided is expired, revoked, malformed or invalid for other reasons."

// TokenResponse is the reply of POST /oauth/token. A refresh_token grant
// reply carries no RefreshToken (keep the old one).
type TokenResponse struct {
	TokenType    string `json:"token_type"`              // "bearer"
	AccessToken  string `json:"access_token"`            // bearer token
	ExpiresIn    int    `json:"expires_in"`              // seconds (2592000 = 30 days)
	RefreshToken string `json:"refresh_token,omitempty"` // absent on refresh replies
}

// Paging is meta.paging of a list reply; absent links are omitted.
type Paging struct {
	Next     string `json:"next,omitempty"`     // full URL of the next page (carries page_token)
	Previous string `json:"previous,omitempty"` // full URL of the previous page
}

// ListMeta is the meta object of a list reply.
type ListMeta struct {
	Paging  Paging `json:"paging"`  // links
	Records int    `json:"records"` // total records matching the filters
}

// ListResponse is a list reply; Data holds the projected records.
type ListResponse[T any] struct {
	Data []T      `json:"data"`
	Meta ListMeta `json:"meta"`
}

// DataResponse is a single-record reply or a write body: {"data":{…}}.
type DataResponse[T any] struct {
	Data T `json:"data"`
}

// IDRef names a record by id in write bodies, e.g. "client":{"id":1}.
type IDRef struct {
	ID int64 `json:"id"`
}

// User is a Clio user (who_am_i).
type User struct {
	ID               int64     `json:"id"`
	Etag             string    `json:"etag"`
	Name             string    `json:"name"`
	FirstName        string    `json:"first_name"`
	LastName         string    `json:"last_name"`
	Email            string    `json:"email"`
	Enabled          bool      `json:"enabled"`
	SubscriptionType string    `json:"subscription_type"` // Attorney | NonAttorney
	TimeZone         string    `json:"time_zone"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// EmailAddress is one of a contact's email addresses.
type EmailAddress struct {
	ID      int64  `json:"id"`
	Etag    string `json:"etag"`
	Address string `json:"address"`
	Name    string `json:"name"` // Work | Home | Other
	Primary bool   `json:"primary"`
}

// PhoneNumber is one of a contact's phone numbers.
type PhoneNumber struct {
	ID      int64  `json:"id"`
	Etag    string `json:"etag"`
	Number  string `json:"number"`
	Name    string `json:"name"` // Work | Home | Mobile | Fax | Pager | Skype | Other
	Primary bool   `json:"primary"`
}

// Contact is a person or company.
type Contact struct {
	ID                  int64              `json:"id"`
	Etag                string             `json:"etag"`
	Name                string             `json:"name"`
	FirstName           string             `json:"first_name" clio:"null"` // null for a Company
	MiddleName          string             `json:"middle_name" clio:"null"`
	LastName            string             `json:"last_name" clio:"null"` // null for a Company
	Type                string             `json:"type"`                  // Person | Company
	Title               string             `json:"title" clio:"null"`
	PrimaryEmailAddress *string            `json:"primary_email_address"` // null when none
	PrimaryPhoneNumber  *string            `json:"primary_phone_number"`  // null when none
	IsClient            bool               `json:"is_client"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	EmailAddresses      []EmailAddress     `json:"email_addresses"`
	PhoneNumbers        []PhoneNumber      `json:"phone_numbers"`
	CustomFieldValues   []CustomFieldValue `json:"custom_field_values"`
}

// PracticeArea is a matter's practice area.
type PracticeArea struct {
	ID        int64     `json:"id"`
	Etag      string    `json:"etag"`
	Name      string    `json:"name"`
	Code      string    `json:"code" clio:"null"`
	Category  string    `json:"category" clio:"null"` // one of Clio's category enum (e.g. "family"), null when unset
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Matter is a case.
type Matter struct {
	ID                  int64              `json:"id"`
	Etag                string             `json:"etag"`
	Number              int64              `json:"number"`
	DisplayNumber       string             `json:"display_number"` // e.g. "00012-Lastname"
	CustomNumber        string             `json:"custom_number" clio:"null"`
	Description         string             `json:"description"`
	Status              string             `json:"status"` // Pending | Open | Closed (read); lower-case on write
	Billable            bool               `json:"billable"`
	OpenDate            *string            `json:"open_date"`    // YYYY-MM-DD or null
	CloseDate           *string            `json:"close_date"`   // YYYY-MM-DD or null
	PendingDate         *string            `json:"pending_date"` // YYYY-MM-DD or null
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	Client              *Contact           `json:"client"`
	PracticeArea        *PracticeArea      `json:"practice_area"`
	ResponsibleAttorney *User              `json:"responsible_attorney"`
	CustomFieldValues   []CustomFieldValue `json:"custom_field_values"`
	Folder              *Folder            `json:"folder"` // the matter's documents folder
}

// PicklistOption is one choice of a picklist custom field.
type PicklistOption struct {
	ID     int64  `json:"id"`
	Etag   string `json:"etag"`
	Option string `json:"option"`
}

// CustomField defines a custom field for matters or contacts.
type CustomField struct {
	ID              int64            `json:"id"`
	Etag            string           `json:"etag"`
	Name            string           `json:"name"`
	ParentType      string           `json:"parent_type"` // Matter | Contact
	FieldType       string           `json:"field_type"`  // text_line, picklist, date, …
	Displayed       bool             `json:"displayed"`
	Required        bool             `json:"required"`
	Deleted         bool             `json:"deleted"`
	DisplayOrder    int              `json:"display_order"`
	PicklistOptions []PicklistOption `json:"picklist_options"`
	CreatedAt       time.Time        `json:"created_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
}

// CustomFieldValue is a value of a custom field on a matter or contact. ID is
// a composite string such as "text_line-1", null for a displayed unset field.
type CustomFieldValue struct {
	ID          *string      `json:"id"`
	Etag        string       `json:"etag" clio:"null"` // null with a null ID
	FieldName   string       `json:"field_name"`
	Value       any          `json:"value"`
	CreatedAt   *time.Time   `json:"created_at"`
	UpdatedAt   *time.Time   `json:"updated_at"`
	CustomField *CustomField `json:"custom_field"`
}

// Note is a note on a matter or contact.
type Note struct {
	ID             int64     `json:"id"`
	Etag           string    `json:"etag"`
	Type           string    `json:"type"` // Matter | Contact
	Subject        string    `json:"subject"`
	Detail         string    `json:"detail"`
	DetailTextType string    `json:"detail_text_type"` // plain_text | rich_text
	Date           string    `json:"date"`             // YYYY-MM-DD
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Matter         *Matter   `json:"matter"`
	Contact        *Contact  `json:"contact"`
	Author         *User     `json:"author"`
}

// Parent names the container of a document or folder. Clio answers it as
// a Folder (Type "Folder"): a document uploaded with a Matter or Contact
// parent lands in that matter's or contact's documents folder, so its
// parent id is a folder id, never the matter id. As an upload target
// (Client.Upload) Type may also be "Matter", "Contact" or "Document".
type Parent struct {
	ID        int64     `json:"id"`
	Etag      string    `json:"etag"`
	Type      string    `json:"type"` // Folder (read); Matter | Folder | Contact | Document (upload target)
	Name      string    `json:"name"`
	Root      bool      `json:"root"`
	Locked    bool      `json:"locked"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PutHeader is a header the uploader must send with the PUT to put_url.
type PutHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DocumentVersion is one uploaded version of a document.
type DocumentVersion struct {
	ID            int64       `json:"id"`
	Etag          string      `json:"etag"`
	UUID          string      `json:"uuid"`
	Filename      string      `json:"filename"`
	Size          int64       `json:"size"`
	ContentType   string      `json:"content_type"`
	VersionNumber int         `json:"version_number"`
	FullyUploaded bool        `json:"fully_uploaded"`
	PutURL        string      `json:"put_url" clio:"null"` // null once fully uploaded
	PutHeaders    []PutHeader `json:"put_headers"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// Document is a file in Clio.
type Document struct {
	ID                    int64            `json:"id"`
	Etag                  string           `json:"etag"`
	Name                  string           `json:"name"`
	Filename              string           `json:"filename"`
	Size                  int64            `json:"size"`
	ContentType           string           `json:"content_type"`
	CreatedAt             time.Time        `json:"created_at"`
	UpdatedAt             time.Time        `json:"updated_at"`
	ReceivedAt            *time.Time       `json:"received_at"` // when the latest version's file arrived; null while the first upload is unfinished
	Parent                *Parent          `json:"parent"`
	Matter                *Matter          `json:"matter"`
	Contact               *Contact         `json:"contact"`
	LatestDocumentVersion *DocumentVersion `json:"latest_document_version"`
}

// Folder is a document folder. Root is true only for the account's one
// root folder; each matter has its own documents folder (Matter.Folder).
type Folder struct {
	ID        int64     `json:"id"`
	Etag      string    `json:"etag"`
	Type      string    `json:"type"` // always "Folder"
	Name      string    `json:"name"`
	Root      bool      `json:"root"`
	Locked    bool      `json:"locked"`
	Parent    *Parent   `json:"parent"`
	Matter    *Matter   `json:"matter"`
	Contact   *Contact  `json:"contact"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Webhook is a webhook subscription.
type Webhook struct {
	ID           int64     `json:"id"`
	Etag         string    `json:"etag"`
	URL          string    `json:"url"`
	Fields       string    `json:"fields"`
	SharedSecret string    `json:"shared_secret"`
	Model        string    `json:"model"`
	Status       string    `json:"status"` // pending | enabled | suspended
	Events       []string  `json:"events"`
	ExpiresAt    time.Time `json:"expires_at"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	User         *User     `json:"user"`
}

// WebhookMeta is the meta object of a webhook delivery.
type WebhookMeta struct {
	Event     string `json:"event"` // created, updated, deleted, matter_opened, …
	WebhookID int64  `json:"webhook_id"`
}

// WebhookDelivery is the body Clio POSTs to an enabled webhook; Data holds
// the record projected to the webhook's fields.
type WebhookDelivery struct {
	Data json.RawMessage `json:"data"`
	Meta WebhookMeta     `json:"meta"`
}

// WebhookHandshake is the body of the X-Hook-Secret handshake POST.
type WebhookHandshake struct {
	Data struct {
		WebhookID int64 `json:"webhook_id"`
	} `json:"data"`
}

// EmailAddressWrite is an email item in a contact write body.
type EmailAddressWrite struct {
	ID           int64  `json:"id,omitempty"`
	Address      string `json:"address,omitempty"`
	Name         string `json:"name,omitempty"`
	DefaultEmail *bool  `json:"default_email,omitempty"`
	Destroy      bool   `json:"_destroy,omitempty"`
}

// PhoneNumberWrite is a phone item in a contact write body.
type PhoneNumberWrite struct {
	ID            int64  `json:"id,omitempty"`
	Number        string `json:"number,omitempty"`
	Name          string `json:"name,omitempty"`
	DefaultNumber *bool  `json:"default_number,omitempty"`
	Destroy       bool   `json:"_destroy,omitempty"`
}

// CustomFieldValueWrite creates ({custom_field:{id},value}), updates
// ({id,value}) or deletes ({id,_destroy:true}) a custom field value.
type CustomFieldValueWrite struct {
	ID          string `json:"id,omitempty"`
	CustomField *IDRef `json:"custom_field,omitempty"`
	Value       any    `json:"value,omitempty"`
	Destroy     bool   `json:"_destroy,omitempty"`
}

// ContactWrite is the data of POST/PATCH /contacts.
type ContactWrite struct {
	Name              *string                 `json:"name,omitempty"`
	FirstName         *string                 `json:"first_name,omitempty"`
	MiddleName        *string                 `json:"middle_name,omitempty"`
	LastName          *string                 `json:"last_name,omitempty"`
	Type              *string                 `json:"type,omitempty"`
	Title             *string                 `json:"title,omitempty"`
	EmailAddresses    []EmailAddressWrite     `json:"email_addresses,omitempty"`
	PhoneNumbers      []PhoneNumberWrite      `json:"phone_numbers,omitempty"`
	CustomFieldValues []CustomFieldValueWrite `json:"custom_field_values,omitempty"`
}

// MatterWrite is the data of POST/PATCH /matters. Status is lower-case.
type MatterWrite struct {
	Description       *string                 `json:"description,omitempty"`
	Client            *IDRef                  `json:"client,omitempty"`
	Status            *string                 `json:"status,omitempty"` // open | closed | pending
	PracticeArea      *IDRef                  `json:"practice_area,omitempty"`
	CustomNumber      *string                 `json:"custom_number,omitempty"`
	Billable          *bool                   `json:"billable,omitempty"`
	CustomFieldValues []CustomFieldValueWrite `json:"custom_field_values,omitempty"`
}

// PracticeAreaWrite is the data of POST /practice_areas.
type PracticeAreaWrite struct {
	Name     string `json:"name"`
	Code     string `json:"code,omitempty"`
	Category string `json:"category,omitempty"`
}

// CustomFieldWrite is the data of POST /custom_fields.
type CustomFieldWrite struct {
	Name            string   `json:"name"`
	ParentType      string   `json:"parent_type"`
	FieldType       string   `json:"field_type"`
	Displayed       *bool    `json:"displayed,omitempty"`
	Required        bool     `json:"required,omitempty"`
	DisplayOrder    int      `json:"display_order,omitempty"`
	PicklistOptions []string `json:"picklist_options,omitempty"`
}

// NoteWrite is the data of POST /notes.
type NoteWrite struct {
	Type           string `json:"type"` // Matter | Contact
	Matter         *IDRef `json:"matter,omitempty"`
	Contact        *IDRef `json:"contact,omitempty"`
	Subject        string `json:"subject"`
	Detail         string `json:"detail"`
	Date           string `json:"date,omitempty"`
	DetailTextType string `json:"detail_text_type,omitempty"`
}

// ParentRef names a document's or folder's container in write bodies.
type ParentRef struct {
	ID   int64  `json:"id"`
	Type string `json:"type"` // Matter | Folder | Contact | Document (new version)
}

// DocumentWrite is the data of POST /documents (upload step 1) and PATCH
// /documents/{id} (step 3: UUID + FullyUploaded).
type DocumentWrite struct {
	Name          string     `json:"name,omitempty"`
	Parent        *ParentRef `json:"parent,omitempty"`
	ContentType   string     `json:"content_type,omitempty"`
	UUID          string     `json:"uuid,omitempty"`
	FullyUploaded *bool      `json:"fully_uploaded,omitempty"`
}

// FolderWrite is the data of POST /folders.
type FolderWrite struct {
	Name   string     `json:"name"`
	Parent *ParentRef `json:"parent"`
}

// WebhookWrite is the data of POST/PATCH /webhooks.
type WebhookWrite struct {
	URL       string     `json:"url,omitempty"`
	Model     string     `json:"model,omitempty"`
	Fields    string     `json:"fields,omitempty"`
	Events    []string   `json:"events,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}
