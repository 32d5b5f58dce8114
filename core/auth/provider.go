// Package auth connects Firmsync to a platform through the system browser
// (OAuth 2.0 authorization code with a loopback redirect, PKCE where the
// platform supports it) and keeps the resulting tokens fresh in the
// keychain.
package auth

import (
	"golang.org/x/oauth2"
)

// RefreshKind is how a platform treats refresh tokens.
type RefreshKind int

const (
	// RefreshNone: tokens never expire and cannot be refreshed (Lawmatics).
	RefreshNone RefreshKind = iota
	// RefreshReusable: one refresh token serves many refreshes (Clio).
	RefreshReusable
	// RefreshRotating: every refresh returns a new refresh token and kills
	// the old one (Zoom, Box). The new one must be saved before use.
	RefreshRotating
)

// Provider describes one platform's OAuth setup.
type Provider struct {
	Platform  string
	AuthURL   string
	TokenURL  string
	AuthStyle oauth2.AuthStyle // InHeader for Zoom (Basic), InParams for the rest
	PKCE      bool             // send an S256 code challenge
	Refresh   RefreshKind
	// AuthParams are extra authorize-URL parameters (Clio's
	// redirect_on_decline=true, so a Deny comes back to us).
	AuthParams map[string]string
	Scopes     []string
}

// Credentials are the firm's own developer app for a platform.
type Credentials struct {
	ClientID     string
	ClientSecret string
}

func (p Provider) config(c Credentials, redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  redirectURI,
		Scopes:       p.Scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   p.AuthURL,
			TokenURL:  p.TokenURL,
			AuthStyle: p.AuthStyle,
		},
	}
}

// NewProvider builds a Provider from a connector's OAuth facts.
func NewProvider(platform, authURL, tokenURL string, pkce, basicAuth bool, refresh string, params map[string]string) Provider {
	p := Provider{Platform: platform, AuthURL: authURL, TokenURL: tokenURL, PKCE: pkce, AuthParams: params, AuthStyle: oauth2.AuthStyleInParams}
	if basicAuth {
		p.AuthStyle = oauth2.AuthStyleInHeader
	}
	switch refresh {
	case "reusable":
		p.Refresh = RefreshReusable
	case "rotating":
		p.Refresh = RefreshRotating
	default:
		p.Refresh = RefreshNone
	}
	return p
}
