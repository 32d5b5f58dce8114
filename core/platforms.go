package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// Vendor credentials, compiled in for a vendor build with
// -ldflags "-X github.com/firmsync/firmsync/core.vendorClioID=…". Firms
// using their own developer apps enter theirs in Settings instead, which
// wins. These are read-only at run time.
var (
	vendorClioID, vendorClioSecret           string
	vendorZoomID, vendorZoomSecret           string
	vendorBoxID, vendorBoxSecret             string
	vendorLawmaticsID, vendorLawmaticsSecret string
	vendorMyCaseID, vendorMyCaseSecret       string
	vendorSmokeballID, vendorSmokeballSecret string
)

// endpoints are one platform's base URLs.
type endpoints struct {
	API    string
	OAuth  string
	Upload string // Box only
}

// platforms owns the API clients and token sources of the connected
// platforms and implements jobs.Platforms.
type platforms struct {
	app *App

	mu      sync.Mutex              // guards clients
	clients map[string]any          // platform → *clio.Client etc.
	sources map[string]*auth.Source // platform → token source
}

func newPlatforms(a *App) *platforms {
	return &platforms{app: a, clients: map[string]any{}, sources: map[string]*auth.Source{}}
}

// endpoints returns where a platform lives: the sandbox's fakes, or the
// real hosts (Clio by region).
func (a *App) endpoints(platform, region string) (endpoints, error) {
	if a.inSandbox() {
		info := a.sandboxInfo()
		p := info.Platforms[platform]
		return endpoints{API: p.APIBase, OAuth: p.OAuthBase, Upload: p.UploadBase}, nil
	}
	switch platform {
	case Clio:
		if region == "" {
			region = "us"
		}
		api, oauth, err := clio.Hosts(region)
		if err != nil {
			return endpoints{}, err
		}
		return endpoints{API: api, OAuth: oauth}, nil
	case Zoom:
		return endpoints{API: zoom.DefaultAPIBase, OAuth: zoom.DefaultOAuthBase}, nil
	case Box:
		return endpoints{API: box.DefaultAPIBase, OAuth: box.DefaultOAuthBase, Upload: box.DefaultUploadBase}, nil
	case Lawmatics:
		return endpoints{API: lawmatics.DefaultAPIBase, OAuth: lawmatics.DefaultOAuthBase}, nil
	case MyCase:
		return endpoints{API: mycase.DefaultAPIBase, OAuth: mycase.DefaultOAuthBase}, nil
	case Smokeball:
		api, oauth, err := smokeball.Hosts(region)
		if err != nil {
			return endpoints{}, err
		}
		return endpoints{API: api, OAuth: oauth}, nil
	}
	return endpoints{}, fmt.Errorf("unknown platform %q", platform)
}

// provider returns a platform's OAuth setup.
func (a *App) provider(platform string, ep endpoints) (auth.Provider, error) {
	var e httpx.OAuthEndpoints
	switch platform {
	case Clio:
		e = clio.Endpoints(ep.OAuth)
	case Zoom:
		e = zoom.Endpoints(ep.OAuth)
	case Box:
		e = box.Endpoints(ep.OAuth)
	case Lawmatics:
		e = lawmatics.EndpointsFor(ep.OAuth, ep.API)
	case MyCase:
		e = mycase.Endpoints(ep.OAuth)
	case Smokeball:
		e = smokeball.Endpoints(ep.OAuth)
	default:
		return auth.Provider{}, fmt.Errorf("unknown platform %q", platform)
	}
	return auth.NewProvider(platform, e.AuthURL, e.TokenURL, e.PKCE, e.BasicAuth, e.Refresh, e.AuthParams), nil
}

// whoAmI asks a platform which account authz's token belongs to.
func (a *App) whoAmI(ctx context.Context, platform string, ep endpoints, authz httpx.Authorizer) (Identity, error) {
	switch platform {
	case MyCase:
		return mycase.New(mycase.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: authz}).Me(ctx)
	case Smokeball:
		key, err := a.smokeballKey(ctx)
		if err != nil {
			return Identity{}, err
		}
		return smokeball.New(smokeball.Options{APIBase: ep.API, AuthBase: ep.OAuth, APIKey: key, Auth: authz}).Me(ctx)
	}
	return whoAmIBuiltin(ctx, platform, ep, authz)
}

// whoAmIBuiltin asks the platforms that need nothing but a token.
func whoAmIBuiltin(ctx context.Context, platform string, ep endpoints, authz httpx.Authorizer) (Identity, error) {
	switch platform {
	case Clio:
		return clio.New(clio.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: authz}).Me(ctx)
	case Zoom:
		return zoom.New(zoom.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: authz}).Me(ctx)
	case Box:
		return box.New(box.Options{APIBase: ep.API, UploadBase: ep.Upload, OAuthBase: ep.OAuth, Auth: authz}).Me(ctx)
	case Lawmatics:
		return lawmatics.New(lawmatics.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: authz}).Me(ctx)
	}
	return Identity{}, fmt.Errorf("unknown platform %q", platform)
}

// Credentials returns the developer app a platform connects with: the
// sandbox's, the firm's own (from the keychain), or the vendor's.
func (a *App) credentials(ctx context.Context, platform string) (auth.Credentials, error) {
	if a.inSandbox() {
		p := a.sandboxInfo().Platforms[platform]
		return auth.Credentials{ClientID: p.ClientID, ClientSecret: p.ClientSecret}, nil
	}
	id, err := a.secrets.Get(ctx, secrets.Key(platform, "client_id"))
	if err == nil {
		sec, err := a.secrets.Get(ctx, secrets.Key(platform, "client_secret"))
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return auth.Credentials{}, err
		}
		return auth.Credentials{ClientID: id, ClientSecret: sec}, nil
	}
	if !errors.Is(err, secrets.ErrNotFound) {
		return auth.Credentials{}, err
	}
	return vendorCredentials(platform), nil
}

// vendorCredentials returns the compiled-in developer app, if any.
func vendorCredentials(platform string) auth.Credentials {
	switch platform {
	case Clio:
		return auth.Credentials{ClientID: vendorClioID, ClientSecret: vendorClioSecret}
	case Zoom:
		return auth.Credentials{ClientID: vendorZoomID, ClientSecret: vendorZoomSecret}
	case Box:
		return auth.Credentials{ClientID: vendorBoxID, ClientSecret: vendorBoxSecret}
	case Lawmatics:
		return auth.Credentials{ClientID: vendorLawmaticsID, ClientSecret: vendorLawmaticsSecret}
	case MyCase:
		return auth.Credentials{ClientID: vendorMyCaseID, ClientSecret: vendorMyCaseSecret}
	case Smokeball:
		return auth.Credentials{ClientID: vendorSmokeballID, ClientSecret: vendorSmokeballSecret}
	}
	return auth.Credentials{}
}

// smokeballKey is the x-api-key Smokeball issued the firm's developer app
// (Smokeball requires it on every call, next to the token): the sandbox's,
// or the one in the keychain. It is a secret like the client secret.
func (a *App) smokeballKey(ctx context.Context) (string, error) {
	if a.inSandbox() {
		return a.sandboxInfo().Platforms[Smokeball].APIKey, nil
	}
	key, err := a.secrets.Get(ctx, secrets.Key(Smokeball, "api_key"))
	if errors.Is(err, secrets.ErrNotFound) {
		return "", fmt.Errorf("smokeball: no API key is saved; enter the API key Smokeball issued your app on the Smokeball card (Connections → Developer app): %w", jobs.ErrNotConnected)
	}
	return key, err
}

// CredentialHint says whether a platform has a client id and shows it
// masked, for the settings screen.
func (a *App) CredentialHint(ctx context.Context, platform string) (clientID string, hasSecret bool) {
	c, err := a.credentials(ctx, platform)
	if err != nil {
		return "", false
	}
	return c.ClientID, c.ClientSecret != ""
}

// source returns (building once) the token source of a connected platform.
func (p *platforms) source(ctx context.Context, platform string) (*auth.Source, endpoints, error) {
	a := p.app
	conn, err := a.store.Connection(platform)
	if err != nil {
		return nil, endpoints{}, err
	}
	if a.inSandbox() && conn.Status == store.ConnConnected {
		// Sandbox tokens live in memory: a new process reconnects.
		if _, err := auth.LoadToken(ctx, a.secrets, platform); err != nil {
			conn.Status = store.ConnDisconnected
		}
	}
	if conn.Status == store.ConnDisconnected || conn.Status == "" {
		if a.inSandbox() {
			if _, err := a.Connect(ctx, platform, ConnectOptions{}); err != nil {
				return nil, endpoints{}, fmt.Errorf("connecting %s to the sandbox: %w", platform, err)
			}
			conn, _ = a.store.Connection(platform)
		} else {
			return nil, endpoints{}, fmt.Errorf("%s: %w", platform, jobs.ErrNotConnected)
		}
	}
	if conn.Status == store.ConnReconnectNeeded {
		return nil, endpoints{}, fmt.Errorf("%s needs reconnecting: %w", platform, httpx.ErrReconnect)
	}
	ep, err := a.endpoints(platform, conn.Region)
	if err != nil {
		return nil, endpoints{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.sources[platform]; ok {
		return s, ep, nil
	}
	prov, err := a.provider(platform, ep)
	if err != nil {
		return nil, endpoints{}, err
	}
	creds, err := a.credentials(ctx, platform)
	if err != nil {
		return nil, endpoints{}, err
	}
	s := auth.NewSource(prov, creds, a.secrets, auth.SourceOptions{
		OnFatal: func(err error) { a.markReconnect(platform, err) },
	})
	p.sources[platform] = s
	return s, ep, nil
}

// reset drops cached clients (after connect or disconnect).
func (p *platforms) reset(platform string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.clients, platform)
	delete(p.sources, platform)
}

func clientFor[T any](ctx context.Context, p *platforms, platform string, build func(src *auth.Source, ep endpoints, log *slog.Logger) T) (T, error) {
	var zero T
	src, ep, err := p.source(ctx, platform)
	if err != nil {
		return zero, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[platform].(T); ok {
		return c, nil
	}
	c := build(src, ep, p.app.Logger())
	p.clients[platform] = c
	return c, nil
}

// scaled is d on the platforms' clock: d itself for the real platforms,
// shorter in a sandbox with scaled rate-limit windows. Clio says when its
// window resets; the other platforms do not, so their clients' own budget
// clocks must follow the fakes' scaled windows.
func (a *App) scaled(d time.Duration) time.Duration {
	if !a.inSandbox() {
		return d
	}
	return a.sandboxInfo().Scaled(d)
}

// Clio implements jobs.Platforms. A firm on another practice-management
// system has no Clio: the jobs still written against Clio wait.
func (p *platforms) Clio(ctx context.Context) (*clio.Client, error) {
	if kind := p.app.PracticeManagement(); kind != Clio {
		return nil, fmt.Errorf("clio (this firm runs %s): %w", pms.Name(kind), jobs.ErrNotConnected)
	}
	return clientFor(ctx, p, Clio, func(src *auth.Source, ep endpoints, log *slog.Logger) *clio.Client {
		return clio.New(clio.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: src, Logger: log})
	})
}

// Zoom implements jobs.Platforms.
func (p *platforms) Zoom(ctx context.Context) (*zoom.Client, error) {
	return clientFor(ctx, p, Zoom, func(src *auth.Source, ep endpoints, log *slog.Logger) *zoom.Client {
		return zoom.New(zoom.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: src, Logger: log,
			Pacer: &httpx.Pacer{DefaultReset: p.app.scaled(time.Second)}})
	})
}

// Box implements jobs.Platforms.
func (p *platforms) Box(ctx context.Context) (*box.Client, error) {
	return clientFor(ctx, p, Box, func(src *auth.Source, ep endpoints, log *slog.Logger) *box.Client {
		pacer := box.DefaultPacer()
		pacer.Window = p.app.scaled(pacer.Window)
		return box.New(box.Options{APIBase: ep.API, UploadBase: ep.Upload, OAuthBase: ep.OAuth, Auth: src, Logger: log, Pacer: pacer})
	})
}

// Lawmatics implements jobs.Platforms.
func (p *platforms) Lawmatics(ctx context.Context) (*lawmatics.Client, error) {
	return clientFor(ctx, p, Lawmatics, func(src *auth.Source, ep endpoints, log *slog.Logger) *lawmatics.Client {
		pacer := lawmatics.DefaultPacer()
		pacer.Window = p.app.scaled(pacer.Window)
		return lawmatics.New(lawmatics.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: src, Logger: log, Pacer: pacer})
	})
}

// PMS implements jobs.Platforms: the firm's practice-management system
// (jobs setting PracticeManagement) behind the seam.
func (p *platforms) PMS(ctx context.Context) (pms.System, error) {
	switch kind := p.app.Settings().Jobs.Normalize().PracticeManagement; kind {
	case pms.Clio:
		c, err := p.Clio(ctx)
		if err != nil {
			return nil, err
		}
		return pms.NewClio(c), nil
	case pms.MyCase:
		c, err := clientFor(ctx, p, MyCase, func(src *auth.Source, ep endpoints, log *slog.Logger) *mycase.Client {
			pacer := &httpx.Pacer{Limit: mycase.RateLimit, Window: p.app.scaled(time.Second)}
			return mycase.New(mycase.Options{APIBase: ep.API, OAuthBase: ep.OAuth, Auth: src, Logger: log, Pacer: pacer})
		})
		if err != nil {
			return nil, err
		}
		return pms.NewMyCase(c), nil
	case pms.Smokeball:
		key, err := p.app.smokeballKey(ctx)
		if err != nil {
			return nil, err
		}
		c, err := clientFor(ctx, p, Smokeball, func(src *auth.Source, ep endpoints, log *slog.Logger) *smokeball.Client {
			// Smokeball's token bucket: 5 a second, burst 5.
			pacer := &httpx.Pacer{Limit: 5, Window: p.app.scaled(time.Second)}
			return smokeball.New(smokeball.Options{APIBase: ep.API, AuthBase: ep.OAuth, APIKey: key, Auth: src, Logger: log, Pacer: pacer})
		})
		if err != nil {
			return nil, err
		}
		return pms.NewSmokeball(c), nil
	default:
		return nil, fmt.Errorf("practice-management system %q: %w", kind, jobs.ErrNotConnected)
	}
}

var _ jobs.Platforms = (*platforms)(nil)

// markReconnect records that only the user can fix a platform's access.
// A platform that is not connected stays as it is: a run still in flight
// when the user (or Clio's deauthorization) disconnected it fails on the
// deleted token, and that must not turn a deliberate disconnect into a
// "reconnect" alarm.
func (a *App) markReconnect(platform string, cause error) {
	disconnected := false
	err := a.store.UpdateConnection(platform, func(c *store.Connection) error {
		if c.Status != store.ConnConnected && c.Status != store.ConnReconnectNeeded {
			disconnected = true
			return nil
		}
		c.Platform = platform
		// The first reason stands: later runs failing on the same dead
		// token say less. Only Clio's own word that the access was
		// removed (its deauthorization callback) replaces it.
		if c.Status == store.ConnReconnectNeeded && c.LastError != "" && !errors.Is(cause, errAccessRemoved) {
			return nil
		}
		c.Status = store.ConnReconnectNeeded
		c.LastError = "Reconnect " + platform + ": " + cause.Error()
		return nil
	})
	if err != nil {
		a.Logger().Error("marking reconnect needed", "platform", platform, "err", err)
	}
	a.platforms.reset(platform)
	if disconnected {
		return
	}
	a.bus.Publish(events.ConnectionChanged, events.ConnectionData{Platform: platform, Status: store.ConnReconnectNeeded, Error: cause.Error()})
	a.bus.Publish(events.NeedsAttention, events.AttentionData{Platform: platform, Message: "Reconnect " + platform, Incident: "reconnect/" + platform})
	a.Logger().Warn("connection needs reconnecting", "platform", platform, "err", cause)
}

// tokenExpiry reads a connected platform's token expiry for status.
func (a *App) tokenExpiry(ctx context.Context, platform string) time.Time {
	t, err := auth.LoadToken(ctx, a.secrets, platform)
	if err != nil {
		return time.Time{}
	}
	return t.Expiry
}
