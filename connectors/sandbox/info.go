package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// Info is what `firmsync sandbox --json` prints: everything a client (an
// official SDK, curl, or Firmsync itself) needs to talk to the fakes.
type Info struct {
	Admin     string                  `json:"admin"`
	Platforms map[string]PlatformInfo `json:"platforms"`
	BoxRoot   string                  `json:"box_root_folder_id"`
	// RateWindowMS is the scaled rate-limit window in milliseconds (0: the
	// platforms' real windows). Clients of platforms that send no reset
	// time (Box, Lawmatics, Zoom) scale their own budgets' clocks by it.
	RateWindowMS int64 `json:"rate_window_ms,omitempty"`
	// Seeded names the demo objects an SDK most often trips over, read
	// back from the platforms as they are now.
	Seeded Seeded `json:"seeded"`
}

// Seeded lists, per platform, the demo objects that exercise what
// official SDKs must handle: a Clio custom field, Zoom Phone external
// contacts, and a Zoom meeting whose UUID starts with '/' (double-encoded
// in paths).
type Seeded struct {
	ClioCustomFields      []SeededCustomField `json:"clio_custom_fields"`
	ZoomExternalContacts  []SeededContact     `json:"zoom_phone_external_contacts"`
	ZoomSlashUUIDMeetings []SeededMeeting     `json:"zoom_slash_uuid_meetings"`
}

// SeededCustomField is a Clio custom field.
type SeededCustomField struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	ParentType string `json:"parent_type"`
	FieldType  string `json:"field_type"`
}

// SeededContact is a Zoom Phone external contact.
type SeededContact struct {
	ExternalContactID string `json:"external_contact_id"`
	ID                string `json:"id"`
	Name              string `json:"name"`
}

// SeededMeeting is a recorded Zoom meeting, with the path segment Zoom
// expects for its UUID.
type SeededMeeting struct {
	UUID        string `json:"uuid"`
	PathSegment string `json:"path_segment"` // the UUID URL-encoded twice
	Topic       string `json:"topic"`
}

// PlatformInfo describes one fake platform.
type PlatformInfo struct {
	APIBase      string `json:"api_base"`
	OAuthBase    string `json:"oauth_base"`
	UploadBase   string `json:"upload_base,omitempty"`
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in,omitempty"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	APIKey       string `json:"api_key,omitempty"` // Smokeball's x-api-key
	// Webhook signing material, as the platform's developer console shows it.
	WebhookSecret       string `json:"webhook_secret,omitempty"`        // Zoom secret token; Lawmatics signing secret
	WebhookPrimaryKey   string `json:"webhook_primary_key,omitempty"`   // Box
	WebhookSecondaryKey string `json:"webhook_secondary_key,omitempty"` // Box
}

// Info returns the sandbox's endpoints with a fresh developer token per
// platform (valid for the platform's access-token lifetime).
func (s *Sandbox) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{Admin: s.addrs["admin"] + "/_sandbox", Platforms: map[string]PlatformInfo{}, BoxRoot: s.boxRoot,
		RateWindowMS: s.o.RateWindow.Milliseconds()}
	ct := s.clio.IssueToken()
	in.Platforms[Clio] = PlatformInfo{
		APIBase: s.addrs[Clio] + "/api/v4", OAuthBase: s.addrs[Clio],
		Token: ct.Access, RefreshToken: ct.Refresh, ExpiresIn: ct.ExpiresIn,
		ClientID: "sandbox-clio-client", ClientSecret: "sandbox-clio-secret",
	}
	zt := s.zoom.IssueToken()
	in.Platforms[Zoom] = PlatformInfo{
		APIBase: s.addrs[Zoom] + "/v2", OAuthBase: s.addrs[Zoom],
		Token: zt.Access, RefreshToken: zt.Refresh, ExpiresIn: zt.ExpiresIn,
		ClientID: "sandbox-zoom-client", ClientSecret: "sandbox-zoom-secret",
		WebhookSecret: s.zoom.SecretToken(),
	}
	bt := s.box.IssueToken()
	pk, sk := s.box.SignatureKeys()
	in.Platforms[Box] = PlatformInfo{
		APIBase: s.addrs[Box] + "/2.0", OAuthBase: s.addrs[Box], UploadBase: s.addrs[Box] + "/api/2.0",
		Token: bt.Access, RefreshToken: bt.Refresh, ExpiresIn: bt.ExpiresIn,
		ClientID: "sandbox-box-client", ClientSecret: "sandbox-box-secret",
		WebhookPrimaryKey: pk, WebhookSecondaryKey: sk,
	}
	mt := s.mycase.IssueToken()
	in.Platforms[MyCase] = PlatformInfo{
		APIBase: s.addrs[MyCase], OAuthBase: s.addrs[MyCase],
		Token: mt.Access, RefreshToken: mt.Refresh, ExpiresIn: mt.ExpiresIn,
		ClientID: "sandbox-mycase-client", ClientSecret: "sandbox-mycase-secret",
	}
	st := s.smokeball.IssueToken()
	in.Platforms[Smokeball] = PlatformInfo{
		APIBase: s.addrs[Smokeball], OAuthBase: s.addrs[Smokeball],
		Token: st.Access, RefreshToken: st.Refresh, ExpiresIn: st.ExpiresIn,
		ClientID: s.smokeball.ClientID(), ClientSecret: "sandbox-smokeball-secret", APIKey: s.smokeball.APIKey(),
	}
	lt := s.lawmatics.IssueToken()
	in.Platforms[Lawmatics] = PlatformInfo{
		APIBase: s.addrs[Lawmatics] + "/v1", OAuthBase: s.addrs[Lawmatics],
		Token: lt.Access, ClientID: "sandbox-lawmatics-client", ClientSecret: "sandbox-lawmatics-secret",
		WebhookSecret: s.lawmatics.SigningSecret(),
	}
	in.Seeded = s.seededLocked()
	return in
}

// seededLocked reads the seeded objects back from the fakes. The Clio
// custom fields come through Clio's own API, in process and with a token
// of their own (so no client's rate window pays for it). A fake that
// cannot answer leaves its list empty: Info never fails. The caller holds
// s.mu.
func (s *Sandbox) seededLocked() Seeded {
	sd := Seeded{ClioCustomFields: []SeededCustomField{}, ZoomExternalContacts: []SeededContact{}, ZoomSlashUUIDMeetings: []SeededMeeting{}}
	req := httptest.NewRequest(http.MethodGet, "/api/v4/custom_fields.json?fields=id,name,parent_type,field_type&limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+s.clio.IssueToken().Access)
	rec := httptest.NewRecorder()
	s.clio.ServeHTTP(rec, req)
	var cf struct {
		Data []SeededCustomField `json:"data"`
	}
	if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &cf) == nil {
		sd.ClioCustomFields = append(sd.ClioCustomFields, cf.Data...)
	} else {
		s.o.Logger.Warn("sandbox info: listing Clio custom fields failed", "status", rec.Code)
	}
	for _, c := range s.zoom.ExternalContacts() {
		sd.ZoomExternalContacts = append(sd.ZoomExternalContacts, SeededContact{ExternalContactID: c.ExternalContactID, ID: c.ID, Name: c.Name})
	}
	for _, m := range s.zoom.Meetings() {
		if strings.HasPrefix(m.UUID, "/") || strings.Contains(m.UUID, "//") {
			sd.ZoomSlashUUIDMeetings = append(sd.ZoomSlashUUIDMeetings, SeededMeeting{UUID: m.UUID, PathSegment: zoom.EscapeMeetingID(m.UUID), Topic: m.Topic})
		}
	}
	return sd
}

// FetchInfo reads the Info of a sandbox running in another process from
// its admin URL (the "admin" field `firmsync sandbox --json` prints).
func FetchInfo(ctx context.Context, adminURL string) (Info, error) {
	u, err := url.Parse(strings.TrimSuffix(adminURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Info{}, fmt.Errorf("sandbox URL %q: want the admin URL `firmsync sandbox` prints, like http://127.0.0.1:PORT/_sandbox", adminURL)
	}
	if !strings.HasSuffix(u.Path, "/_sandbox") {
		u.Path += "/_sandbox"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+"/info", nil)
	if err != nil {
		return Info{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Info{}, fmt.Errorf("reaching the sandbox at %s (is `firmsync sandbox` running?): %w", u, err)
	}
	defer resp.Body.Close()
	var in Info
	if resp.StatusCode != http.StatusOK {
		return Info{}, fmt.Errorf("reading the sandbox at %s: HTTP %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&in); err != nil || len(in.Platforms) == 0 {
		return Info{}, fmt.Errorf("reading the sandbox at %s: not a Firmsync sandbox (%v)", u, err)
	}
	return in, nil
}
