package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core/webhook"
)

// tunnelTestTimeout bounds one tunnel test: a tunnel program that accepts
// and never answers must not keep "Testing…" on screen.
const tunnelTestTimeout = 15 * time.Second

// guiReceiver is the running webhook receiver (nil until Run listens).
func (a *App) guiReceiver() *webhook.Receiver {
	a.bgMu.Lock()
	defer a.bgMu.Unlock()
	return a.receiver
}

// EffectiveTunnelURL is the public base the platforms deliver webhooks to:
// the tunnel URL setting, or in sandbox mode the receiver's own address.
func (a *App) EffectiveTunnelURL() string { return a.tunnelURL() }

// TestTunnel tests the saved tunnel URL (see TestTunnelURL).
func (a *App) TestTunnel(ctx context.Context) (string, error) {
	return a.TestTunnelURL(ctx, a.Settings().TunnelURL)
}

// TestTunnelURL proves that tunnel, the URL as typed (saved or not),
// reaches this Firmsync: it asks the receiver for a one-time nonce and
// fetches TUNNEL/healthz?nonce=N through the tunnel, so only this
// receiver can answer yes. The sandbox is no exception: its own loopback
// address is never tested in place of a typed URL. With no URL in the
// sandbox it says that none is needed, after checking the receiver the
// demo platforms deliver to. The message says in plain words what worked;
// the error what did not and what to do about it.
func (a *App) TestTunnelURL(ctx context.Context, tunnel string) (string, error) {
	tunnel = strings.TrimSuffix(strings.TrimSpace(tunnel), "/")
	direct := false
	if tunnel == "" {
		if !a.inSandbox() || a.EffectiveTunnelURL() == "" {
			return "", errors.New("no tunnel URL is set: start a tunnel (for example cloudflared) to 127.0.0.1 and paste its https:// address in Tunnel URL")
		}
		tunnel, direct = a.EffectiveTunnelURL(), true
	} else if err := validateTunnel(tunnel); err != nil {
		return "", err
	}
	rcv := a.guiReceiver()
	if rcv == nil {
		return "", errors.New("Firmsync's webhook receiver is not running yet: wait a few seconds and try again")
	}
	if err := a.fetchHealth(ctx, tunnel, rcv.NewNonce()); err != nil {
		return "", err
	}
	if direct {
		return "No tunnel is needed in the sandbox: the demo platforms deliver webhooks straight to Firmsync at " + tunnel + ", which answers.", nil
	}
	return "The tunnel works: the platforms can reach Firmsync at " + tunnel + ".", nil
}

// fetchHealth fetches tunnel/healthz with nonce and checks that this
// receiver, and no other program or other Firmsync, answered.
func (a *App) fetchHealth(ctx context.Context, tunnel, nonce string) error {
	target := tunnel + "/healthz?nonce=" + url.QueryEscape(nonce)
	ctx, cancel := context.WithTimeout(ctx, tunnelTestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("tunnel URL %q cannot be used: %w", tunnel, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return describeTunnelError(ctx, tunnel, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	port := a.Settings().WebhookPort
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered HTTP %d, so it does not lead to Firmsync: make sure the tunnel forwards to 127.0.0.1:%d, where Firmsync listens", tunnel, resp.StatusCode, port)
	}
	var out struct {
		Service string `json:"service"`
		NonceOK bool   `json:"nonce_ok"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Service != "firmsync" {
		return fmt.Errorf("something answered at %s, but it is not Firmsync: make sure the tunnel forwards to 127.0.0.1:%d", tunnel, port)
	}
	if !out.NonceOK {
		return fmt.Errorf("a different Firmsync answered at %s: make sure the tunnel forwards to this computer's port %d", tunnel, port)
	}
	return nil
}

// describeTunnelError says why a tunnel could not be reached, in words a
// person can act on.
func describeTunnelError(ctx context.Context, tunnel string, err error) error {
	var dns *net.DNSError
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s did not answer within %v: check that the tunnel program is running", tunnel, tunnelTestTimeout)
	case errors.As(err, &dns) && dns.IsNotFound:
		host := tunnel
		if u, perr := url.Parse(tunnel); perr == nil {
			host = u.Hostname()
		}
		return fmt.Errorf("the address %s does not exist (no such host): check it for typos; a quick tunnel gets a new address each time it starts, so copy the current one from the tunnel program", host)
	case errors.As(err, &dns):
		return fmt.Errorf("could not look up %s (%v): check this computer's internet connection", tunnel, dns.Err)
	}
	return fmt.Errorf("could not reach %s (%v): check that the tunnel program is running and the address is right", tunnel, err)
}
