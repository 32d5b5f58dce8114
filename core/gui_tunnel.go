package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core/webhook"
)

// guiReceiver is the running webhook receiver (nil until Run listens).
func (a *App) guiReceiver() *webhook.Receiver {
	a.bgMu.Lock()
	defer a.bgMu.Unlock()
	return a.receiver
}

// EffectiveTunnelURL is the public base the platforms deliver webhooks to:
// the tunnel URL setting, or in sandbox mode the receiver's own address.
func (a *App) EffectiveTunnelURL() string { return a.tunnelURL() }

// TestTunnel proves the tunnel reaches this Firmsync: it asks the receiver
// for a one-time nonce and fetches TUNNEL/healthz?nonce=N through the
// tunnel. The message says, in plain words, what worked; the error says
// what did not and what to do about it.
func (a *App) TestTunnel(ctx context.Context) (string, error) {
	tunnel := a.EffectiveTunnelURL()
	if tunnel == "" {
		return "", errors.New("no tunnel URL is set: start a tunnel (for example cloudflared) to 127.0.0.1 and paste its https:// address in Tunnel URL")
	}
	if err := validateTunnel(tunnel); err != nil {
		return "", err
	}
	rcv := a.guiReceiver()
	if rcv == nil {
		return "", errors.New("Firmsync's webhook receiver is not running yet: wait a few seconds and try again")
	}
	nonce := rcv.NewNonce()
	target := strings.TrimSuffix(tunnel, "/") + "/healthz?nonce=" + url.QueryEscape(nonce)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", fmt.Errorf("tunnel URL %q cannot be used: %w", tunnel, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("%s did not answer within 15 seconds: check that the tunnel program is running", tunnel)
		}
		return "", fmt.Errorf("could not reach %s (%v): check that the tunnel program is running and the address is right", tunnel, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	port := a.Settings().WebhookPort
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the tunnel answered HTTP %d: make sure it forwards to 127.0.0.1:%d, where Firmsync listens", resp.StatusCode, port)
	}
	var out struct {
		Service string `json:"service"`
		NonceOK bool   `json:"nonce_ok"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Service != "firmsync" {
		return "", fmt.Errorf("something answered at %s, but it is not Firmsync: make sure the tunnel forwards to 127.0.0.1:%d", tunnel, port)
	}
	if !out.NonceOK {
		return "", fmt.Errorf("a different Firmsync answered at %s: make sure the tunnel forwards to this computer's port %d", tunnel, port)
	}
	return "The tunnel works: the platforms can reach Firmsync at " + tunnel + ".", nil
}
