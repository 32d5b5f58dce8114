package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/secrets"
)

// Where a platform's developer app comes from (AppCredentials.Source).
const (
	AppFromKeychain = "keychain" // the firm's own, entered with `firmsync app set` or in Settings
	AppBuiltIn      = "built-in" // compiled into a vendor build
	AppNone         = "none"     // none yet: Connect cannot start
)

// AppCredentials describes the developer app a platform connects with, as
// `firmsync app show` and the Connections guide show it. It never carries
// the client secret, only a hint of its last characters.
type AppCredentials struct {
	Platform   string `json:"platform"`
	Source     string `json:"source"` // AppFromKeychain, AppBuiltIn or AppNone
	ClientID   string `json:"client_id,omitempty"`
	SecretHint string `json:"secret_hint,omitempty"` // e.g. "••••wxyz"; empty: no secret stored
	// RedirectURI is what to register in the platform's developer console;
	// it follows the sign-in port setting.
	RedirectURI string `json:"redirect_uri"`
	// ApprovalRedirectURI (Clio only) is the second URI to register for
	// signing in without the local listener (`connect clio --paste-code`).
	ApprovalRedirectURI string `json:"approval_redirect_uri,omitempty"`
	// NeedsAPIKey (Smokeball only): the platform also issues an API key
	// (x-api-key) that every call carries; APIKeyHint masks the stored one.
	NeedsAPIKey bool   `json:"needs_api_key,omitempty"`
	APIKeyHint  string `json:"api_key_hint,omitempty"`
}

// AppCredentials reads a platform's developer app from the App's keychain.
func (a *App) AppCredentials(ctx context.Context, platform string) (AppCredentials, error) {
	region := ""
	if c, err := a.store.Connection(platform); err == nil {
		region = c.Region
	}
	return ReadAppCredentials(ctx, a.secrets, platform, a.Settings().OAuthPort, region)
}

// SaveAppCredentials checks and stores the firm's own developer app for a
// platform. The next Connect (and token refresh) uses it.
func (a *App) SaveAppCredentials(ctx context.Context, platform, clientID, clientSecret string) error {
	if err := SaveAppCredentials(ctx, a.secrets, platform, clientID, clientSecret); err != nil {
		return err
	}
	a.platforms.reset(platform)     // a cached token source holds the old app
	a.webhookKeys.forgetClientIDs() // Smokeball signs deliveries with the app's client id
	a.Logger().Info("developer app saved", "platform", platform, "client_id", strings.TrimSpace(clientID))
	return nil
}

// ReadAppCredentials reads a platform's developer app from sec. It is for
// callers without an App of their own (the CLI while another Firmsync owns
// the data directory): the keychain is shared by every process. port is the
// sign-in port setting (0: the default); clioRegion picks Clio's host for
// the approval URI ("" for us).
func ReadAppCredentials(ctx context.Context, sec secrets.Store, platform string, port int, clioRegion string) (AppCredentials, error) {
	if !IsPlatform(platform) {
		return AppCredentials{}, fmt.Errorf("unknown platform %q (valid: %s)", platform, strings.Join(AllPlatforms(), ", "))
	}
	if port == 0 {
		port = auth.DefaultPort
	}
	ac := AppCredentials{Platform: platform, Source: AppNone, RedirectURI: auth.RedirectURI(port, platform)}
	if platform == Clio {
		if clioRegion == "" {
			clioRegion = "us"
		}
		if _, oauth, err := clio.Hosts(clioRegion); err == nil {
			ac.ApprovalRedirectURI = clio.ApprovalRedirectURI(oauth)
		}
	}
	if platform == Smokeball {
		ac.NeedsAPIKey = true
		k, err := sec.Get(ctx, secrets.Key(platform, "api_key"))
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return AppCredentials{}, fmt.Errorf("reading the Smokeball API key: %w", err)
		}
		ac.APIKeyHint = SecretHint(k)
	}
	id, err := sec.Get(ctx, secrets.Key(platform, "client_id"))
	switch {
	case err == nil:
		ac.Source, ac.ClientID = AppFromKeychain, id
		s, err := sec.Get(ctx, secrets.Key(platform, "client_secret"))
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return AppCredentials{}, fmt.Errorf("reading the %s client secret: %w", PlatformTitle(platform), err)
		}
		ac.SecretHint = SecretHint(s)
	case errors.Is(err, secrets.ErrNotFound):
		if v := vendorCredentials(platform); v.ClientID != "" {
			ac.Source, ac.ClientID, ac.SecretHint = AppBuiltIn, v.ClientID, SecretHint(v.ClientSecret)
		}
	default:
		return AppCredentials{}, fmt.Errorf("reading the %s client id: %w", PlatformTitle(platform), err)
	}
	return ac, nil
}

// SaveAPIKey checks and stores the API key a platform issued the firm's
// developer app (Smokeball's x-api-key), as a person pasted it.
func (a *App) SaveAPIKey(ctx context.Context, platform, key string) error {
	if err := SaveAPIKey(ctx, a.secrets, platform, key); err != nil {
		return err
	}
	a.platforms.reset(platform) // a cached client holds the old key
	a.Logger().Info("API key saved", "platform", platform)
	return nil
}

// SaveAPIKey is App.SaveAPIKey for callers without an App of their own
// (the CLI while another Firmsync owns the data directory).
func SaveAPIKey(ctx context.Context, sec secrets.Store, platform, key string) error {
	if platform != Smokeball {
		return fmt.Errorf("%s issues no API key besides the client id and secret", PlatformTitle(platform))
	}
	key = strings.TrimSpace(key)
	if err := checkCredential("API key", key); err != nil {
		return err
	}
	if err := sec.Set(ctx, secrets.Key(platform, "api_key"), key); err != nil {
		return fmt.Errorf("saving the %s API key: %w", PlatformTitle(platform), err)
	}
	return nil
}

// SaveAppCredentials checks a developer app's client id and secret as a
// person pasted them (surrounding blanks and a final newline are dropped)
// and stores them in sec under the keys Connect reads.
func SaveAppCredentials(ctx context.Context, sec secrets.Store, platform, clientID, clientSecret string) error {
	if !IsPlatform(platform) {
		return fmt.Errorf("unknown platform %q (valid: %s)", platform, strings.Join(AllPlatforms(), ", "))
	}
	clientID, clientSecret = strings.TrimSpace(clientID), strings.TrimSpace(clientSecret)
	if err := checkCredential("client id", clientID); err != nil {
		return err
	}
	if err := checkCredential("client secret", clientSecret); err != nil {
		return err
	}
	// The id goes in last: ReadAppCredentials and Connect take a stored id
	// as "the firm's app is set", so a failure in between must not leave a
	// new id paired with no (or an old) secret.
	if err := sec.Delete(ctx, secrets.Key(platform, "client_id")); err != nil {
		return fmt.Errorf("replacing the %s developer app: %w", PlatformTitle(platform), err)
	}
	if err := sec.Set(ctx, secrets.Key(platform, "client_secret"), clientSecret); err != nil {
		return fmt.Errorf("saving the %s client secret: %w", PlatformTitle(platform), err)
	}
	if err := sec.Set(ctx, secrets.Key(platform, "client_id"), clientID); err != nil {
		return fmt.Errorf("saving the %s client id: %w", PlatformTitle(platform), err)
	}
	return nil
}

// checkCredential rejects what no platform issues as a client id or
// secret: nothing, blanks or control characters inside (a paste of two
// lines), or more than the keychain holds. The message never repeats the
// value: it may be a secret.
func checkCredential(what, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("the %s is empty", what)
	case len(v) > secrets.MaxValueLen:
		return fmt.Errorf("the %s is %d bytes long; no platform issues one over %d", what, len(v), secrets.MaxValueLen)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return fmt.Errorf("the %s contains spaces, line breaks or control characters; paste it again, on one line", what)
	}
	return nil
}

// SecretHint masks a secret for display: its last four characters when it
// is long enough that they give nothing useful away, else only that one
// exists. An empty secret gives "".
func SecretHint(s string) string {
	const mask = "••••"
	r := []rune(s)
	switch {
	case len(r) == 0:
		return ""
	case len(r) < 12:
		return mask
	}
	return mask + string(r[len(r)-4:])
}
