// Package zoom holds the Zoom API v2 wire types shared by the Firmsync Zoom
// client and its fake (package zoomfake). No HTTP code lives here.
package zoom

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Error is the body of a non-2xx Zoom API v2 response:
// {"code":124,"message":"Invalid access token."}. Validation errors (code 300)
// add Errors.
type Error struct {
	Code       int          `json:"code"`             // Zoom error code, e.g. 124, 300, 1001, 3301
	Message    string       `json:"message"`          // human-readable message
	Errors     []FieldError `json:"errors,omitempty"` // per-field validation failures
	StatusCode int          `json:"-"`                // HTTP status, filled by the client
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("zoom: %d %s", e.Code, e.Message)
	if e.StatusCode != 0 {
		s = fmt.Sprintf("zoom: HTTP %d: code %d: %s", e.StatusCode, e.Code, e.Message)
	}
	for _, fe := range e.Errors {
		s += fmt.Sprintf("; %s: %s", fe.Field, fe.Message)
	}
	return s
}

// FieldError names one invalid request field.
type FieldError struct {
	Field   string `json:"field"`   // e.g. "phone_numbers[0]"
	Message string `json:"message"` // e.g. "Invalid field."
}

// Error codes seen in Zoom API v2 responses.
const (
	CodeValidation      = 300  // invalid request field or parameter (HTTP 400)
	CodeInvalidToken    = 124  // invalid or expired access token (HTTP 401)
	CodeMissingScope    = 104  // token lacks a required scope
	CodeUserNotExist    = 1001 // user does not exist (HTTP 404)
	CodeMeetingNotExist = 3001 // meeting does not exist (HTTP 404)
	CodeNoRecording     = 3301 // there is no recording for this meeting (HTTP 404)
	CodeRateLimited     = 429  // rate limit body code (the value is uncertain in the facts)
)

// OAuthError is the body of a failed /oauth/token or /oauth/revoke call:
// {"reason":"Invalid Token!","error":"invalid_grant"}.
type OAuthError struct {
	Reason     string `json:"reason"` // e.g. "Invalid Token!"
	ErrorCode  string `json:"error"`  // invalid_grant, invalid_request, invalid_client, unsupported_grant_type
	StatusCode int    `json:"-"`      // HTTP status, filled by the client
}

// Error implements error.
func (e *OAuthError) Error() string {
	return fmt.Sprintf("zoom oauth: HTTP %d: %s: %s", e.StatusCode, e.ErrorCode, e.Reason)
}

// TokenResponse is the body of a successful POST /oauth/token.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"` // "bearer"
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in"` // seconds, typically 3599
	Scope        string `json:"scope"`      // space-separated
	APIURL       string `json:"api_url,omitempty"`
}

// RevokeResponse is the body of a successful POST /oauth/revoke.
type RevokeResponse struct {
	Status string `json:"status"` // "success"
}

// User is GET /v2/users/{userId}.
type User struct {
	ID            string    `json:"id"`
	FirstName     string    `json:"first_name"`
	LastName      string    `json:"last_name"`
	DisplayName   string    `json:"display_name"`
	Email         string    `json:"email"`
	Type          int       `json:"type"` // 1 basic, 2 licensed
	RoleName      string    `json:"role_name"`
	PMI           int64     `json:"pmi"`
	Timezone      string    `json:"timezone"`
	Verified      int       `json:"verified"`
	CreatedAt     time.Time `json:"created_at"`
	Status        string    `json:"status"` // "active"
	AccountID     string    `json:"account_id"`
	AccountNumber int64     `json:"account_number"`
	Language      string    `json:"language"`
}

// MeetingType is a meeting's type (1 instant, 2 scheduled, 3 recurring no
// fixed time, 8 recurring fixed time, ...). Zoom's recordings schema declares
// it a string enum ("1".."9","99") while webhook objects carry a number, so it
// unmarshals from both and marshals as the schema's string.
type MeetingType int

// MarshalJSON writes the type as a JSON string, as the recordings schema does.
func (t MeetingType) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.Itoa(int(t)))
}

// UnmarshalJSON accepts 2 and "2".
func (t *MeetingType) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*t = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("zoom: meeting type %s: %w", b, err)
	}
	*t = MeetingType(n)
	return nil
}

// Recording file types (file_type).
const (
	FileTypeMP4        = "MP4"
	FileTypeM4A        = "M4A"
	FileTypeChat       = "CHAT"
	FileTypeTranscript = "TRANSCRIPT"
	FileTypeCC         = "CC"
	FileTypeSummary    = "SUMMARY"
	FileTypeTimeline   = "TIMELINE"
)

// RecordingFile is one file of a cloud recording.
type RecordingFile struct {
	ID             string    `json:"id,omitempty"`
	MeetingID      string    `json:"meeting_id"` // the meeting UUID
	RecordingStart time.Time `json:"recording_start"`
	RecordingEnd   time.Time `json:"recording_end"`
	FileType       string    `json:"file_type"`           // MP4, M4A, TRANSCRIPT, SUMMARY, ...
	FileExtension  string    `json:"file_extension"`      // MP4, M4A, VTT, JSON, ...
	FileName       string    `json:"file_name,omitempty"` // webhook objects only
	FileSize       int64     `json:"file_size,omitempty"`
	PlayURL        string    `json:"play_url,omitempty"`
	DownloadURL    string    `json:"download_url"`
	Status         string    `json:"status,omitempty"`         // "completed"
	RecordingType  string    `json:"recording_type,omitempty"` // shared_screen_with_speaker_view, audio_only, audio_transcript, summary
	DeletedTime    string    `json:"deleted_time,omitempty"`   // trash listings only
}

// Meeting is one meeting instance with its cloud recording, as returned by
// GET /v2/users/{userId}/recordings (list item) and GET /v2/meetings/{id}/recordings.
type Meeting struct {
	UUID                  string          `json:"uuid"`
	ID                    int64           `json:"id"`
	AccountID             string          `json:"account_id"`
	HostID                string          `json:"host_id"`
	Topic                 string          `json:"topic"`
	Type                  MeetingType     `json:"type"`
	StartTime             time.Time       `json:"start_time"`
	Duration              int             `json:"duration"` // minutes
	TotalSize             int64           `json:"total_size"`
	RecordingCount        int             `json:"recording_count"`
	RecordingPlayPasscode string          `json:"recording_play_passcode,omitempty"`
	RecordingFiles        []RecordingFile `json:"recording_files"`
	DownloadAccessToken   string          `json:"download_access_token,omitempty"` // include_fields=download_access_token
}

// RecordingList is GET /v2/users/{userId}/recordings.
type RecordingList struct {
	From          string    `json:"from"` // yyyy-mm-dd
	To            string    `json:"to"`   // yyyy-mm-dd
	PageCount     int       `json:"page_count"`
	PageSize      int       `json:"page_size"`
	TotalRecords  int       `json:"total_records"`
	NextPageToken string    `json:"next_page_token"` // "" when done
	Meetings      []Meeting `json:"meetings"`
}

// SummaryDetail is one labelled section of an AI Companion summary.
type SummaryDetail struct {
	Label   string `json:"label"`
	Summary string `json:"summary"`
}

// EditedSummary is what the host changed after AI Companion wrote the
// summary. Unlike the top-level summary_details (an array of labelled
// sections), Zoom's types make the edited summary_details ONE string: the
// host's whole edited text. There is no edited overview. Both fields are
// optional; an absent edited_summary means the host edited nothing.
type EditedSummary struct {
	SummaryDetails string   `json:"summary_details,omitempty"`
	NextSteps      []string `json:"next_steps,omitempty"`
}

// Edited reports whether e holds any host edit.
func (e *EditedSummary) Edited() bool {
	if e == nil {
		return false
	}
	if strings.TrimSpace(e.SummaryDetails) != "" {
		return true
	}
	for _, s := range e.NextSteps {
		if strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

// MeetingSummary is GET /v2/meetings/{meetingUUID}/meeting_summary and the
// payload.object of meeting.summary_completed.
type MeetingSummary struct {
	MeetingHostID                string          `json:"meeting_host_id"`
	MeetingHostEmail             string          `json:"meeting_host_email"`
	MeetingUUID                  string          `json:"meeting_uuid"`
	MeetingID                    int64           `json:"meeting_id"`
	MeetingTopic                 string          `json:"meeting_topic"`
	MeetingStartTime             time.Time       `json:"meeting_start_time"`
	MeetingEndTime               time.Time       `json:"meeting_end_time"`
	SummaryStartTime             time.Time       `json:"summary_start_time"`
	SummaryEndTime               time.Time       `json:"summary_end_time"`
	SummaryCreatedTime           time.Time       `json:"summary_created_time"`
	SummaryLastModifiedTime      time.Time       `json:"summary_last_modified_time"`
	SummaryLastModifiedUserID    string          `json:"summary_last_modified_user_id,omitempty"`
	SummaryLastModifiedUserEmail string          `json:"summary_last_modified_user_email,omitempty"`
	SummaryTitle                 string          `json:"summary_title"`
	SummaryContent               string          `json:"summary_content,omitempty"` // Markdown; the current field
	SummaryDocURL                string          `json:"summary_doc_url,omitempty"`
	SummaryOverview              string          `json:"summary_overview"`         // deprecated, still returned
	SummaryDetails               []SummaryDetail `json:"summary_details"`          // deprecated, still returned
	NextSteps                    []string        `json:"next_steps"`               // deprecated, still returned
	EditedSummary                *EditedSummary  `json:"edited_summary,omitempty"` // the host's edits, if any (GET and meeting.summary_updated; not in meeting.summary_completed)
}

// Participant is one entry of GET /v2/past_meetings/{meetingUUID}/participants.
type Participant struct {
	ID        string    `json:"id"` // account user ID; empty for guests
	Name      string    `json:"name"`
	UserEmail string    `json:"user_email"`
	JoinTime  time.Time `json:"join_time"`
	LeaveTime time.Time `json:"leave_time"`
	Duration  int       `json:"duration"` // seconds
}

// ParticipantList is GET /v2/past_meetings/{meetingUUID}/participants.
type ParticipantList struct {
	PageCount     int           `json:"page_count"`
	PageSize      int           `json:"page_size"`
	TotalRecords  int           `json:"total_records"`
	NextPageToken string        `json:"next_page_token"`
	Participants  []Participant `json:"participants"`
}

// ExternalContact is a Zoom Phone external contact (list item and GET body).
type ExternalContact struct {
	ExternalContactID string   `json:"external_contact_id"`
	ID                string   `json:"id"` // caller-defined key (or generated)
	Name              string   `json:"name"`
	Email             string   `json:"email,omitempty"`
	ExtensionNumber   string   `json:"extension_number,omitempty"`
	PhoneNumbers      []string `json:"phone_numbers"`
	Description       string   `json:"description,omitempty"`
	RoutingPath       string   `json:"routing_path,omitempty"`
	AutoCallRecorded  bool     `json:"auto_call_recorded"`
}

// ExternalContactList is GET /v2/phone/external_contacts.
type ExternalContactList struct {
	ExternalContacts []ExternalContact `json:"external_contacts"`
	NextPageToken    string            `json:"next_page_token"`
	PageSize         int               `json:"page_size"`
	TotalRecords     int               `json:"total_records"`
}

// CreateExternalContactRequest is the body of POST /v2/phone/external_contacts.
type CreateExternalContactRequest struct {
	Name             string   `json:"name"` // required, ≤255
	Email            string   `json:"email,omitempty"`
	ExtensionNumber  string   `json:"extension_number,omitempty"`
	PhoneNumbers     []string `json:"phone_numbers,omitempty"` // E.164; required without extension_number
	Description      string   `json:"description,omitempty"`
	ID               string   `json:"id,omitempty"` // caller's own key
	RoutingPath      string   `json:"routing_path,omitempty"`
	AutoCallRecorded bool     `json:"auto_call_recorded,omitempty"`
}

// CreateExternalContactResponse is the 201 body of POST /v2/phone/external_contacts.
type CreateExternalContactResponse struct {
	Name              string `json:"name"`
	ExternalContactID string `json:"external_contact_id"`
}

// UpdateExternalContactRequest is the body of PATCH
// /v2/phone/external_contacts/{id}; nil fields are left unchanged.
type UpdateExternalContactRequest struct {
	Name             *string  `json:"name,omitempty"`
	Email            *string  `json:"email,omitempty"`
	ExtensionNumber  *string  `json:"extension_number,omitempty"`
	PhoneNumbers     []string `json:"phone_numbers,omitempty"`
	Description      *string  `json:"description,omitempty"`
	RoutingPath      *string  `json:"routing_path,omitempty"`
	AutoCallRecorded *bool    `json:"auto_call_recorded,omitempty"`
}

// Webhook event names.
const (
	EventURLValidation       = "endpoint.url_validation"
	EventRecordingCompleted  = "recording.completed"
	EventTranscriptCompleted = "recording.transcript_completed"
	EventSummaryCompleted    = "meeting.summary_completed"
)

// Webhook request headers.
const (
	HeaderRequestTimestamp = "x-zm-request-timestamp"
	HeaderSignature        = "x-zm-signature"
	HeaderRequestID        = "x-zm-request-id"
	HeaderTrackingID       = "x-zm-trackingid"
)

// WebhookEvent is the envelope of every webhook POST.
type WebhookEvent struct {
	Event         string          `json:"event"`
	EventTS       int64           `json:"event_ts"`                 // epoch milliseconds
	DownloadToken string          `json:"download_token,omitempty"` // recording events only
	Payload       json.RawMessage `json:"payload"`
}

// URLValidationPayload is the payload of endpoint.url_validation.
type URLValidationPayload struct {
	PlainToken string `json:"plainToken"`
}

// URLValidationResponse is the reply to endpoint.url_validation:
// EncryptedToken = hex(HMAC-SHA256(secret token, PlainToken)).
type URLValidationResponse struct {
	PlainToken     string `json:"plainToken"`
	EncryptedToken string `json:"encryptedToken"`
}

// RecordingObject is payload.object of recording.completed and
// recording.transcript_completed.
type RecordingObject struct {
	ID             int64           `json:"id"`
	UUID           string          `json:"uuid"`
	HostID         string          `json:"host_id"`
	AccountID      string          `json:"account_id"`
	Topic          string          `json:"topic"`
	Type           int             `json:"type"` // a number here, unlike the REST schema
	StartTime      time.Time       `json:"start_time"`
	Password       string          `json:"password"`
	Timezone       string          `json:"timezone"`
	HostEmail      string          `json:"host_email"`
	Duration       int             `json:"duration"`
	ShareURL       string          `json:"share_url"`
	TotalSize      int64           `json:"total_size"`
	RecordingCount int             `json:"recording_count"`
	RecordingFiles []RecordingFile `json:"recording_files"`
}

// RecordingPayload is the payload of recording.completed and
// recording.transcript_completed.
type RecordingPayload struct {
	AccountID string          `json:"account_id"`
	Object    RecordingObject `json:"object"`
}

// SummaryPayload is the payload of meeting.summary_completed.
type SummaryPayload struct {
	AccountID string         `json:"account_id"`
	Object    MeetingSummary `json:"object"`
}
