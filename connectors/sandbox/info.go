package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
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
	lt := s.lawmatics.IssueToken()
	in.Platforms[Lawmatics] = PlatformInfo{
		APIBase: s.addrs[Lawmatics] + "/v1", OAuthBase: s.addrs[Lawmatics],
		Token: lt.Access, ClientID: "sandbox-lawmatics-client", ClientSecret: "sandbox-lawmatics-secret",
		WebhookSecret: s.lawmatics.SigningSecret(),
	}
	return in
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
