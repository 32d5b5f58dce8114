package core

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"time"

	"golang.org/x/oauth2"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// ConnectOptions adjusts Connect.
type ConnectOptions struct {
	Region string // Clio region (us, eu, ca, au) or Smokeball region (us, au, uk); "" keeps the current one, default us
	// OpenURL shows the authorize page; nil means the system browser (or,
	// in sandbox mode, the sandbox's automatic approver). A sandbox connect
	// with an OpenURL waits for a person (or a test) to press Allow on the
	// fake's consent page, like a real connect.
	OpenURL func(ctx context.Context, url string) error
	Port    int // loopback redirect port; 0 means the setting (default auth.DefaultPort)
	Timeout time.Duration
	// PasteCode reads a code the user copied from Clio's approval page.
	// With it, Clio connects without the loopback listener when the port
	// cannot be used (or always, with PreferPaste).
	PasteCode   func(ctx context.Context) (string, error)
	PreferPaste bool
}

// Identity is the account a connection belongs to.
type Identity = httpx.Identity

// Connect runs the browser sign-in for a platform, saves the token in the
// keychain, fetches the account identity and records the connection.
func (a *App) Connect(ctx context.Context, platform string, o ConnectOptions) (Identity, error) {
	if !IsPlatform(platform) {
		return Identity{}, fmt.Errorf("unknown platform %q", platform)
	}
	a.connectMu.Lock()
	defer a.connectMu.Unlock()
	region := o.Region
	regional := platform == Clio || platform == Smokeball // each region is its own platform instance
	if regional && region == "" {
		if c, err := a.store.Connection(platform); err == nil && c.Region != "" {
			region = c.Region
		} else {
			region = "us"
		}
	}
	if !regional {
		region = ""
	}
	ep, err := a.endpoints(platform, region)
	if err != nil {
		return Identity{}, err
	}
	prov, err := a.provider(platform, ep)
	if err != nil {
		return Identity{}, err
	}
	creds, err := a.credentials(ctx, platform)
	if err != nil {
		return Identity{}, err
	}
	open := o.OpenURL
	port := o.Port
	if a.inSandbox() {
		if open == nil {
			open = sandbox.Approver{}.Open
		}
		if port == 0 {
			port = -1 // the fakes accept any loopback port
		}
	}
	if open == nil {
		open = OpenBrowser
	}
	if port == 0 {
		port = a.Settings().OAuthPort
	}
	var tok *oauth2.Token
	if platform == Clio && o.PasteCode != nil && o.PreferPaste {
		tok, err = auth.ConnectWithPastedCode(ctx, prov, creds, clio.ApprovalRedirectURI(ep.OAuth), open, o.PasteCode)
	} else {
		tok, err = auth.Connect(ctx, prov, creds, auth.FlowOptions{Port: port, Timeout: o.Timeout, OpenURL: open, Logger: a.Logger()})
		if errors.Is(err, auth.ErrPortInUse) && platform == Clio && o.PasteCode != nil {
			a.Logger().Info("sign-in port unavailable; using Clio's approval page instead", "err", err)
			tok, err = auth.ConnectWithPastedCode(ctx, prov, creds, clio.ApprovalRedirectURI(ep.OAuth), open, o.PasteCode)
		}
	}
	if err != nil {
		a.bus.Publish(events.ConnectionChanged, events.ConnectionData{Platform: platform, Status: "error", Error: err.Error()})
		return Identity{}, err
	}
	if err := auth.SaveToken(ctx, a.secrets, platform, tok); err != nil {
		return Identity{}, err
	}
	a.platforms.reset(platform)
	id, err := a.identity(ctx, platform, ep, tok)
	if err != nil {
		return Identity{}, fmt.Errorf("connected to %s, but reading the account failed: %w", platform, err)
	}
	err = a.store.UpdateConnection(platform, func(c *store.Connection) error {
		c.Platform = platform
		c.Status = store.ConnConnected
		c.AccountID, c.AccountName, c.AccountEmail = id.ID, id.Name, id.Email
		c.Region = region
		c.BaseURL = ep.API
		c.TokenExpiry = tok.Expiry
		c.ConnectedAt = time.Now()
		c.LastError = ""
		return nil
	})
	if err != nil {
		return Identity{}, err
	}
	a.bus.Publish(events.ConnectionChanged, events.ConnectionData{Platform: platform, Status: store.ConnConnected})
	a.requestUpkeep() // register this platform's webhooks
	a.Logger().Info("connected", "platform", platform, "account", id.Email, "region", region)
	return id, nil
}

// staticToken authorizes one identity call with a fresh token.
type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }
func (s staticToken) Refresh(context.Context, string) (string, error) {
	return "", errors.New("the new token was refused")
}

func (a *App) identity(ctx context.Context, platform string, ep endpoints, tok *oauth2.Token) (Identity, error) {
	return a.whoAmI(ctx, platform, ep, staticToken(tok.AccessToken))
}

// Disconnect revokes access where the platform supports it, deletes every
// secret of the platform and marks the connection disconnected. The log
// and the ledger stay, so reconnecting picks up where it left off.
func (a *App) Disconnect(ctx context.Context, platform string) error {
	if !IsPlatform(platform) {
		return fmt.Errorf("unknown platform %q", platform)
	}
	a.connectMu.Lock()
	defer a.connectMu.Unlock()
	conn, err := a.store.Connection(platform)
	if err != nil {
		return err
	}
	// Webhooks first: deleting them needs the token that revoking kills.
	a.unregisterWebhooks(ctx, platform)
	var revokeErr error
	if tok, err := auth.LoadToken(ctx, a.secrets, platform); err == nil {
		revokeErr = a.revoke(ctx, platform, conn.Region, tok)
	}
	if err := secrets.DeletePlatform(ctx, a.secrets, platform); err != nil {
		return fmt.Errorf("deleting %s secrets: %w", platform, err)
	}
	a.platforms.reset(platform)
	a.webhookKeys.forget()
	err = a.store.UpdateConnection(platform, func(c *store.Connection) error {
		c.Platform = platform
		c.Status = store.ConnDisconnected
		c.TokenExpiry = time.Time{}
		c.Webhooks = nil
		c.LastError = ""
		if revokeErr != nil {
			c.LastError = "revoking access failed (remove Firmsync in " + platform + "'s settings to be sure): " + revokeErr.Error()
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.bus.Publish(events.ConnectionChanged, events.ConnectionData{Platform: platform, Status: store.ConnDisconnected})
	a.Logger().Info("disconnected", "platform", platform, "revoke_error", revokeErr)
	return nil
}

func (a *App) revoke(ctx context.Context, platform, region string, tok *oauth2.Token) error {
	ep, err := a.endpoints(platform, region)
	if err != nil {
		return err
	}
	creds, err := a.credentials(ctx, platform)
	if err != nil {
		return err
	}
	st := staticToken(tok.AccessToken)
	switch platform {
	case Clio:
		return clio.New(clio.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: st}).Revoke(ctx, tok.AccessToken)
	case Zoom:
		return zoom.New(zoom.Options{APIBase: ep.API, OAuthBase: ep.OAuth}).Revoke(ctx, creds.ClientID, creds.ClientSecret, tok.AccessToken)
	case Box:
		return box.New(box.Options{APIBase: ep.API, UploadBase: ep.Upload, OAuthBase: ep.OAuth}).Revoke(ctx, creds.ClientID, creds.ClientSecret, tok.RefreshToken)
	}
	// Lawmatics and MyCase document no revoke endpoint, and Smokeball only a
	// logout page for the browser: disconnecting deletes their tokens here.
	return nil
}

// OpenBrowser opens url in the system browser (headless: the caller also
// prints it).
func OpenBrowser(ctx context.Context, url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.CommandContext(ctx, "open", url)
	case "windows":
		cmd = exec.CommandContext(ctx, "rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.CommandContext(ctx, "xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("opening a browser (open this address yourself): %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
