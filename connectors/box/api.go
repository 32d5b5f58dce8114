// Package box holds the wire types of the Box Platform API 2.0 (api.box.com,
// upload.box.com, account.box.com). It has no HTTP code: the API client and
// the fake server in boxfake both speak these types.
package box

import (
	"encoding/json"
	"fmt"
	"time"
)

// Error is Box's ClientError body, returned with every non-2xx API response
// (except OAuth endpoints, which use OAuthError, and 401s, whose body is empty).
type Error struct {
	Type        string          `json:"type"`                   // always "error"
	Status      int             `json:"status"`                 // HTTP status
	Code        string          `json:"code"`                   // e.g. "item_name_in_use"
	Message     string          `json:"message"`                // human readable
	ContextInfo json.RawMessage `json:"context_info,omitempty"` // e.g. {"conflicts":...}; null or absent when none
	HelpURL     string          `json:"help_url,omitempty"`     // documentation link
	RequestID   string          `json:"request_id,omitempty"`   // also in the box-request-id header
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("box: %d %s: %s", e.Status, e.Code, e.Message)
}

// OAuthError is the body of a 4xx from /oauth2/token or /oauth2/revoke.
type OAuthError struct {
	ErrorCode        string `json:"error"`             // e.g. "invalid_grant"
	ErrorDescription string `json:"error_description"` // e.g. "Invalid refresh token"
}

// Error implements error.
func (e *OAuthError) Error() string {
	return fmt.Sprintf("box oauth: %s: %s", e.ErrorCode, e.ErrorDescription)
}

// AccessToken is the body of a 200 from POST /oauth2/token.
type AccessToken struct {
	AccessToken  string      `json:"access_token"`
	ExpiresIn    int         `json:"expires_in"` // seconds; 3600
	TokenType    string      `json:"token_type"` // "bearer"
	RefreshToken string      `json:"refresh_token"`
	RestrictedTo []FileScope `json:"restricted_to"` // [] for a normal token
}

// FileScope is one entry of a down-scoped token's restricted_to: a scope
// on one file or folder (Box's FileOrFolderScope).
type FileScope struct {
	Scope  string `json:"scope"` // e.g. "item_download"
	Object *Item  `json:"object,omitempty"`
}

// User is a Box user (GET /2.0/users/me, created_by).
type User struct {
	Type  string `json:"type"` // "user"
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Login string `json:"login,omitempty"`
}

// Ref names an item by id, as in {"parent":{"id":"0"}}.
type Ref struct {
	ID string `json:"id"`
}

// FileVersion is the mini file version inside a File.
type FileVersion struct {
	Type string `json:"type"` // "file_version"
	ID   string `json:"id"`
	SHA1 string `json:"sha1"`
}

// Item is a mini folder or file, as in listings, path collections and parents.
// Listings add whatever fields the request named (sha1, size, description...).
type Item struct {
	Type        string       `json:"type"` // "folder" or "file"
	ID          string       `json:"id"`
	Etag        string       `json:"etag,omitempty"`
	SequenceID  string       `json:"sequence_id,omitempty"`
	Name        string       `json:"name,omitempty"`
	SHA1        string       `json:"sha1,omitempty"`
	FileVersion *FileVersion `json:"file_version,omitempty"`
	Size        *int64       `json:"size,omitempty"`
	Description *string      `json:"description,omitempty"`
	ModifiedAt  *time.Time   `json:"modified_at,omitempty"`
}

// PathCollection lists the ancestors of an item, root first.
type PathCollection struct {
	TotalCount int    `json:"total_count"`
	Entries    []Item `json:"entries"`
}

// Order is one sort key of a listing.
type Order struct {
	By        string `json:"by"`        // "type", "name", "id", "date", "size"
	Direction string `json:"direction"` // "ASC" or "DESC"
}

// Items is a page of GET /2.0/folders/{id}/items and a folder's item_collection.
// Offset paging fills TotalCount/Offset/Order; marker paging fills
// NextMarker/PrevMarker (NextMarker is null on the last page).
type Items struct {
	TotalCount *int    `json:"total_count,omitempty"`
	Limit      int     `json:"limit"`
	Offset     *int    `json:"offset,omitempty"`
	Order      []Order `json:"order,omitempty"`
	NextMarker *string `json:"next_marker,omitempty"`
	PrevMarker *string `json:"prev_marker,omitempty"`
	Entries    []Item  `json:"entries"`
}

// Folder is a full folder.
type Folder struct {
	Type              string          `json:"type"` // "folder"
	ID                string          `json:"id"`
	Etag              string          `json:"etag"` // null for the root in Box; "" here
	SequenceID        string          `json:"sequence_id,omitempty"`
	Name              string          `json:"name"`
	Description       string          `json:"description"`
	Size              int64           `json:"size"`
	CreatedAt         *time.Time      `json:"created_at"`
	ModifiedAt        *time.Time      `json:"modified_at"`
	ContentCreatedAt  *time.Time      `json:"content_created_at"`
	ContentModifiedAt *time.Time      `json:"content_modified_at"`
	TrashedAt         *time.Time      `json:"trashed_at"`
	CreatedBy         *User           `json:"created_by,omitempty"`
	ModifiedBy        *User           `json:"modified_by,omitempty"`
	OwnedBy           *User           `json:"owned_by,omitempty"`
	PathCollection    PathCollection  `json:"path_collection"`
	Parent            *Item           `json:"parent"` // null for the root
	ItemStatus        string          `json:"item_status"`
	ItemCollection    *Items          `json:"item_collection,omitempty"`
	Metadata          json.RawMessage `json:"metadata,omitempty"` // only with fields=metadata.global.properties
}

// File is a full file.
type File struct {
	Type              string          `json:"type"` // "file"
	ID                string          `json:"id"`
	Etag              string          `json:"etag"`
	SequenceID        string          `json:"sequence_id,omitempty"`
	SHA1              string          `json:"sha1"` // hex
	Name              string          `json:"name"`
	Description       string          `json:"description"`
	Size              int64           `json:"size"`
	FileVersion       FileVersion     `json:"file_version"`
	CreatedAt         *time.Time      `json:"created_at"`
	ModifiedAt        *time.Time      `json:"modified_at"`
	ContentCreatedAt  *time.Time      `json:"content_created_at"`
	ContentModifiedAt *time.Time      `json:"content_modified_at"`
	TrashedAt         *time.Time      `json:"trashed_at"`
	CreatedBy         *User           `json:"created_by,omitempty"`
	ModifiedBy        *User           `json:"modified_by,omitempty"`
	OwnedBy           *User           `json:"owned_by,omitempty"`
	PathCollection    PathCollection  `json:"path_collection"`
	Parent            *Item           `json:"parent"`
	ItemStatus        string          `json:"item_status"`
	Metadata          json.RawMessage `json:"metadata,omitempty"`
}

// Files is the body of an upload or commit: {"total_count":1,"entries":[File]}.
type Files struct {
	TotalCount int    `json:"total_count"`
	Entries    []File `json:"entries"`
}

// CreateFolderRequest is the body of POST /2.0/folders.
type CreateFolderRequest struct {
	Name   string `json:"name"`
	Parent Ref    `json:"parent"`
}

// UpdateFolderRequest is the body of PUT /2.0/folders/{id}; nil fields are unchanged.
type UpdateFolderRequest struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Parent      *Ref    `json:"parent,omitempty"`
}

// UploadAttributes is the "attributes" part of a multipart upload, and the
// optional attributes of a chunked commit.
type UploadAttributes struct {
	Name              string     `json:"name,omitempty"`
	Parent            *Ref       `json:"parent,omitempty"` // new file only
	ContentCreatedAt  *time.Time `json:"content_created_at,omitempty"`
	ContentModifiedAt *time.Time `json:"content_modified_at,omitempty"`
}

// PreflightRequest is the body of OPTIONS /2.0/files/content (and /files/{id}/content).
type PreflightRequest struct {
	Name   string `json:"name,omitempty"`
	Size   int64  `json:"size,omitempty"`
	Parent *Ref   `json:"parent,omitempty"`
}

// PreflightResponse is a 200 from a preflight check.
type PreflightResponse struct {
	UploadURL   string `json:"upload_url"`
	UploadToken string `json:"upload_token"`
}

// FolderConflict is one entry of context_info.conflicts for a folder 409
// (an array for folders).
type FolderConflict struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Etag string `json:"etag,omitempty"`
	Name string `json:"name"`
}

// FileConflict is context_info.conflicts for a file upload 409 (a single
// object for files). Clients should accept an array too.
type FileConflict struct {
	Type        string       `json:"type"`
	ID          string       `json:"id"`
	Etag        string       `json:"etag,omitempty"`
	Name        string       `json:"name"`
	SHA1        string       `json:"sha1,omitempty"`
	FileVersion *FileVersion `json:"file_version,omitempty"`
}

// CreateUploadSessionRequest is the body of POST /api/2.0/files/upload_sessions
// (FolderID is empty for /files/{id}/upload_sessions).
type CreateUploadSessionRequest struct {
	FolderID string `json:"folder_id,omitempty"`
	FileSize int64  `json:"file_size"`
	FileName string `json:"file_name,omitempty"`
}

// SessionEndpoints are the absolute URLs of an upload session.
type SessionEndpoints struct {
	UploadPart string `json:"upload_part"`
	Commit     string `json:"commit"`
	Abort      string `json:"abort"`
	ListParts  string `json:"list_parts"`
	Status     string `json:"status"`
	LogEvent   string `json:"log_event,omitempty"`
}

// UploadSession is a chunked upload session.
type UploadSession struct {
	ID                string           `json:"id"`
	Type              string           `json:"type"` // "upload_session"
	PartSize          int64            `json:"part_size"`
	TotalParts        int              `json:"total_parts"`
	NumPartsProcessed int              `json:"num_parts_processed"`
	SessionExpiresAt  time.Time        `json:"session_expires_at"`
	SessionEndpoints  SessionEndpoints `json:"session_endpoints"`
}

// UploadPart describes one uploaded part.
type UploadPart struct {
	PartID string `json:"part_id"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
	SHA1   string `json:"sha1"` // hex
}

// UploadedPart is the body of a 200 from PUT upload_part.
type UploadedPart struct {
	Part UploadPart `json:"part"`
}

// UploadParts is the body of GET list_parts.
type UploadParts struct {
	TotalCount int          `json:"total_count"`
	Limit      int          `json:"limit"`
	Offset     int          `json:"offset"`
	Entries    []UploadPart `json:"entries"`
}

// CommitRequest is the body of POST commit.
type CommitRequest struct {
	Parts      []UploadPart      `json:"parts"`
	Attributes *UploadAttributes `json:"attributes,omitempty"`
}

// WebhookTarget is the item a webhook watches.
type WebhookTarget struct {
	ID   string `json:"id"`
	Type string `json:"type"` // "folder" or "file"
}

// Webhook is a v2 webhook.
type Webhook struct {
	ID        string        `json:"id"`
	Type      string        `json:"type"` // "webhook"
	Target    WebhookTarget `json:"target"`
	Address   string        `json:"address"`
	Triggers  []string      `json:"triggers"`
	CreatedBy *User         `json:"created_by,omitempty"`
	CreatedAt *time.Time    `json:"created_at,omitempty"`
}

// CreateWebhookRequest is the body of POST /2.0/webhooks.
type CreateWebhookRequest struct {
	Target   WebhookTarget `json:"target"`
	Address  string        `json:"address"`
	Triggers []string      `json:"triggers"`
}

// UpdateWebhookRequest is the body of PUT /2.0/webhooks/{id}; empty fields are unchanged.
type UpdateWebhookRequest struct {
	Target   *WebhookTarget `json:"target,omitempty"`
	Address  string         `json:"address,omitempty"`
	Triggers []string       `json:"triggers,omitempty"`
}

// WebhookMini is a webhook as GET /2.0/webhooks lists it (Box's
// Webhook--Mini): id, type and target only. The address, triggers and
// creator come from GET /2.0/webhooks/{id}.
type WebhookMini struct {
	ID     string        `json:"id"`
	Type   string        `json:"type"` // "webhook"
	Target WebhookTarget `json:"target"`
}

// Webhooks is the body of GET /2.0/webhooks.
type Webhooks struct {
	Limit      int           `json:"limit"`
	NextMarker *string       `json:"next_marker"`
	PrevMarker *string       `json:"prev_marker"`
	Entries    []WebhookMini `json:"entries"`
}

// WebhookRef names a webhook inside an event.
type WebhookRef struct {
	ID   string `json:"id"`
	Type string `json:"type"` // "webhook"
}

// WebhookEvent is the body Box POSTs to a webhook address. Box escapes
// non-ASCII as \uXXXX, so verify signatures against the raw bytes.
type WebhookEvent struct {
	Type           string          `json:"type"` // "webhook_event"
	ID             string          `json:"id"`   // stable across retries
	CreatedAt      time.Time       `json:"created_at"`
	Trigger        string          `json:"trigger"` // e.g. "FILE.UPLOADED"
	Webhook        WebhookRef      `json:"webhook"`
	CreatedBy      User            `json:"created_by"`
	Source         json.RawMessage `json:"source"` // the file or folder
	AdditionalInfo json.RawMessage `json:"additional_info"`
}

// Webhook delivery headers.
const (
	HeaderDeliveryID         = "BOX-DELIVERY-ID"
	HeaderDeliveryTimestamp  = "BOX-DELIVERY-TIMESTAMP"
	HeaderSignaturePrimary   = "BOX-SIGNATURE-PRIMARY"
	HeaderSignatureSecondary = "BOX-SIGNATURE-SECONDARY"
	HeaderSignatureVersion   = "BOX-SIGNATURE-VERSION"
	HeaderSignatureAlgorithm = "BOX-SIGNATURE-ALGORITHM"
)
