package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
)

// ConnectWithPastedCode runs the authorization-code flow without a local
// web server, for platforms that offer an approval page which shows the
// code (Clio's https://app.clio.com/oauth/approval): the user copies the
// code from that page and readCode returns it. Used when the loopback port
// cannot be used (a firewall, another program on the port).
func ConnectWithPastedCode(ctx context.Context, p Provider, c Credentials, approvalURI string,
	open func(ctx context.Context, url string) error, readCode func(ctx context.Context) (string, error)) (*oauth2.Token, error) {
	if c.ClientID == "" {
		return nil, fmt.Errorf("connecting %s: no client id; enter your %s developer app's client id and secret under \"Developer app\" on the Connections tab (or run `firmsync app set %s --client-id ID`)", p.Platform, p.Platform, p.Platform)
	}
	cfg := p.config(c, approvalURI)
	state, err := randomString(16)
	if err != nil {
		return nil, err
	}
	var opts []oauth2.AuthCodeOption
	for k, v := range p.AuthParams {
		if k == "redirect_on_decline" {
			continue // a decline must show on the approval page, not redirect
		}
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	if err := open(ctx, cfg.AuthCodeURL(state, opts...)); err != nil {
		return nil, fmt.Errorf("connecting %s: opening the browser: %w", p.Platform, err)
	}
	code, err := readCode(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting %s: reading the pasted code: %w", p.Platform, err)
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, errors.New("connecting " + p.Platform + ": no code was pasted")
	}
	tok, err := cfg.Exchange(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("connecting %s: exchanging the pasted code: %w", p.Platform, describeOAuthError(err))
	}
	return tok, nil
}
