package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/secrets"
)

func startSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func zoomProvider(sb *sandbox.Sandbox) (auth.Provider, auth.Credentials) {
	e := zoom.Endpoints(sb.BaseURL("zoom"))
	return auth.NewProvider("zoom", e.AuthURL, e.TokenURL, e.PKCE, e.BasicAuth, e.Refresh, e.AuthParams),
		auth.Credentials{ClientID: "sandbox-zoom-client", ClientSecret: "sandbox-zoom-secret"}
}

func boxProvider(sb *sandbox.Sandbox) (auth.Provider, auth.Credentials) {
	e := box.Endpoints(sb.BaseURL("box"))
	return auth.NewProvider("box", e.AuthURL, e.TokenURL, e.PKCE, e.BasicAuth, e.Refresh, e.AuthParams),
		auth.Credentials{ClientID: "sandbox-box-client", ClientSecret: "sandbox-box-secret"}
}

func clioProvider(sb *sandbox.Sandbox) (auth.Provider, auth.Credentials) {
	e := clio.Endpoints(sb.BaseURL("clio"))
	return auth.NewProvider("clio", e.AuthURL, e.TokenURL, e.PKCE, e.BasicAuth, e.Refresh, e.AuthParams),
		auth.Credentials{ClientID: "sandbox-clio-client", ClientSecret: "sandbox-clio-secret"}
}

// me calls a platform's identity endpoint through src.
func me(sb *sandbox.Sandbox, platform string, src httpx.Authorizer) error {
	ctx := context.Background()
	switch platform {
	case "zoom":
		_, err := zoom.New(zoom.Options{APIBase: sb.BaseURL("zoom") + "/v2", Auth: src}).Me(ctx)
		return err
	case "box":
		_, err := box.New(box.Options{APIBase: sb.BaseURL("box") + "/2.0", UploadBase: sb.BaseURL("box") + "/api/2.0", Auth: src}).Me(ctx)
		return err
	case "clio":
		_, err := clio.New(clio.Options{APIBase: sb.BaseURL("clio") + "/api/v4", Auth: src}).Me(ctx)
		return err
	}
	_, err := lawmatics.New(lawmatics.Options{APIBase: sb.BaseURL("lawmatics") + "/v1", Auth: src}).Me(ctx)
	return err
}

var providers = map[string]func(*sandbox.Sandbox) (auth.Provider, auth.Credentials){
	"zoom": zoomProvider, "box": boxProvider, "clio": clioProvider, "lawmatics": lawmaticsProvider,
}

func lawmaticsProvider(sb *sandbox.Sandbox) (auth.Provider, auth.Credentials) {
	e := lawmatics.Endpoints(sb.BaseURL("lawmatics"))
	return auth.NewProvider("lawmatics", e.AuthURL, e.TokenURL, e.PKCE, e.BasicAuth, e.Refresh, e.AuthParams),
		auth.Credentials{ClientID: "sandbox-lawmatics-client", ClientSecret: "sandbox-lawmatics-secret"}
}

func connect(t *testing.T, p auth.Provider, c auth.Credentials, decision string) (*authToken, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := auth.Connect(ctx, p, c, auth.FlowOptions{Port: -1, OpenURL: sandbox.Approver{Decision: decision}.Open})
	if err != nil {
		return nil, err
	}
	return &authToken{access: tok.AccessToken, refresh: tok.RefreshToken, expiry: tok.Expiry}, nil
}

type authToken struct {
	access, refresh string
	expiry          time.Time
}

func TestConnectEndToEndWithPKCE(t *testing.T) {
	sb := startSandbox(t)
	p, c := zoomProvider(sb)
	tok, err := connect(t, p, c, "allow")
	if err != nil {
		t.Fatal(err)
	}
	if tok.access == "" || tok.refresh == "" || time.Until(tok.expiry) < 55*time.Minute {
		t.Fatalf("token %+v", tok)
	}
	st := secrets.NewMemory()
	if err := st.Set(context.Background(), auth.TokenKey("zoom"), mustEncode(t, tok)); err != nil {
		t.Fatal(err)
	}
	src := auth.NewSource(p, c, st, auth.SourceOptions{})
	zc := zoom.New(zoom.Options{APIBase: sb.BaseURL("zoom") + "/v2", Auth: src})
	me, err := zc.Me(context.Background())
	if err != nil || me.Email != "owner@sandbox.zoom.test" {
		t.Fatalf("identity %+v %v", me, err)
	}
}

func TestConnectWithoutRefreshTokens(t *testing.T) {
	sb := startSandbox(t)
	p, c := lawmaticsProvider(sb)
	tok, err := connect(t, p, c, "allow")
	if err != nil {
		t.Fatal(err)
	}
	if tok.access == "" || tok.refresh != "" || !tok.expiry.IsZero() {
		t.Fatalf("lawmatics token should never expire and have no refresh token: %+v", tok)
	}
}

func TestDenyIsAClearDeclinedError(t *testing.T) {
	sb := startSandbox(t)
	for _, pc := range []func(*sandbox.Sandbox) (auth.Provider, auth.Credentials){zoomProvider, lawmaticsProvider} {
		p, c := pc(sb)
		_, err := connect(t, p, c, "deny")
		if !errors.Is(err, auth.ErrDeclined) || !strings.Contains(err.Error(), "access was declined") {
			t.Fatalf("%s: got %v", p.Platform, err)
		}
	}
}

func TestConnectTimesOut(t *testing.T) {
	sb := startSandbox(t)
	p, c := lawmaticsProvider(sb)
	_, err := auth.Connect(context.Background(), p, c, auth.FlowOptions{Port: -1, Timeout: 200 * time.Millisecond,
		OpenURL: func(context.Context, string) error { return nil }})
	if !errors.Is(err, auth.ErrTimeout) {
		t.Fatalf("got %v", err)
	}
}

func TestMissingClientIDSaysWhereToEnterIt(t *testing.T) {
	sb := startSandbox(t)
	p, _ := zoomProvider(sb)
	_, err := auth.Connect(context.Background(), p, auth.Credentials{}, auth.FlowOptions{Port: -1})
	if err == nil || !strings.Contains(err.Error(), "Developer app\" on the Connections tab") || !strings.Contains(err.Error(), "firmsync app set zoom") {
		t.Fatalf("got %v", err)
	}
}

// refreshSetup connects a platform and returns a keychain holding its token.
func refreshSetup(t *testing.T, platform string) (*sandbox.Sandbox, auth.Provider, auth.Credentials, *secrets.Memory, *authToken) {
	sb := startSandbox(t)
	p, c := providers[platform](sb)
	tok, err := connect(t, p, c, "allow")
	if err != nil {
		t.Fatal(err)
	}
	st := secrets.NewMemory()
	if err := st.Set(context.Background(), auth.TokenKey(platform), mustEncode(t, tok)); err != nil {
		t.Fatal(err)
	}
	return sb, p, c, st, tok
}

func TestRefreshAheadOfExpirySavesFirst(t *testing.T) {
	for _, platform := range []string{"zoom", "box", "clio"} {
		t.Run(platform, func(t *testing.T) {
			sb, p, c, st, tok := refreshSetup(t, platform)
			// Inside the 5-minute window before expiry.
			later := func() time.Time { return tok.expiry.Add(-4 * time.Minute) }
			var savedBeforeUse string
			src := auth.NewSource(p, c, st, auth.SourceOptions{Now: later, AfterSave: func() {
				savedBeforeUse, _ = st.Get(context.Background(), auth.TokenKey(platform))
			}})
			got, err := src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got == tok.access {
				t.Fatal("token was not refreshed ahead of expiry")
			}
			if !strings.Contains(savedBeforeUse, got) {
				t.Fatal("the new token was not in the keychain before use")
			}
			if err := me(sb, platform, src); err != nil {
				t.Fatalf("the refreshed token does not work: %v", err)
			}
			// Rotating platforms killed the old refresh token; Clio's is reusable.
			oldSrc := auth.NewSource(p, c, secretsWith(t, platform, tok), auth.SourceOptions{})
			_, err = oldSrc.Refresh(context.Background(), tok.access)
			if platform == "clio" {
				if err != nil {
					t.Fatalf("Clio's refresh token should be reusable: %v", err)
				}
			} else if !httpx.IsReconnect(err) {
				t.Fatalf("reusing the rotated refresh token: %v", err)
			}
		})
	}
}

func TestCrashBetweenSaveAndUseDoesNotStrandTheConnection(t *testing.T) {
	for _, platform := range []string{"zoom", "box"} {
		t.Run(platform, func(t *testing.T) {
			sb, p, c, st, tok := refreshSetup(t, platform)
			crashed := errors.New("crash")
			src := auth.NewSource(p, c, st, auth.SourceOptions{AfterSave: func() { panic(crashed) }})
			func() {
				defer func() { recover() }()
				_, _ = src.Refresh(context.Background(), tok.access)
			}()
			// A new process starts from the keychain alone.
			fresh := auth.NewSource(p, c, st, auth.SourceOptions{})
			if err := me(sb, platform, fresh); err != nil {
				t.Fatalf("after the crash: %v", err)
			}
			if _, err := fresh.Refresh(context.Background(), "whatever"); err != nil {
				t.Fatalf("the saved refresh token is not live: %v", err)
			}
		})
	}
}

func TestConcurrentRefreshersRefreshOnce(t *testing.T) {
	for _, platform := range []string{"zoom", "box"} {
		t.Run(platform, func(t *testing.T) {
			sb, p, c, st, tok := refreshSetup(t, platform)
			src := auth.NewSource(p, c, st, auth.SourceOptions{})
			before := tokenCalls(sb, platform)
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := src.Refresh(context.Background(), tok.access)
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := tokenCalls(sb, platform) - before; n != 1 {
				t.Fatalf("%d refreshes for 8 concurrent callers, want 1", n)
			}
		})
	}
}

func TestRevokedTokenMeansReconnect(t *testing.T) {
	for _, platform := range []string{"zoom", "box", "clio"} {
		t.Run(platform, func(t *testing.T) {
			sb, p, c, st, _ := refreshSetup(t, platform)
			var fatal error
			src := auth.NewSource(p, c, st, auth.SourceOptions{OnFatal: func(err error) { fatal = err }})
			switch platform {
			case "zoom":
				sb.Zoom().RevokeTokens()
			case "box":
				sb.Box().RevokeTokens()
			case "clio":
				sb.Clio().RevokeTokens()
			}
			err := me(sb, platform, src)
			if !httpx.IsReconnect(err) || fatal == nil {
				t.Fatalf("err %v, fatal %v", err, fatal)
			}
		})
	}
}

func TestNonRefreshingPlatformReconnectsOn401(t *testing.T) {
	sb := startSandbox(t)
	p, c := lawmaticsProvider(sb)
	tok, err := connect(t, p, c, "allow")
	if err != nil {
		t.Fatal(err)
	}
	src := auth.NewSource(p, c, secretsWith(t, "lawmatics", tok), auth.SourceOptions{})
	sb.Lawmatics().RevokeTokens()
	if err := me(sb, "lawmatics", src); !httpx.IsReconnect(err) {
		t.Fatalf("got %v", err)
	}
}

// captureApproval records the body of the approval page the browser lands on.
type captureApproval struct {
	mu   sync.Mutex
	page string
}

func (c *captureApproval) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || r.URL.Path != "/oauth/approval" {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.mu.Lock()
	c.page = string(b)
	c.mu.Unlock()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp, nil
}

func TestClioPastedCodeFlowWithoutALocalServer(t *testing.T) {
	sb := startSandbox(t)
	p, c := clioProvider(sb)
	cap := &captureApproval{}
	open := sandbox.Approver{Client: &http.Client{Transport: cap}}.Open
	readCode := func(context.Context) (string, error) {
		cap.mu.Lock()
		defer cap.mu.Unlock()
		return clio.ParseApprovalCode(cap.page) // what a person copies from the page
	}
	tok, err := auth.ConnectWithPastedCode(context.Background(), p, c, clio.ApprovalRedirectURI(sb.BaseURL("clio")), open, readCode)
	if err != nil {
		t.Fatal(err)
	}
	st := secretsWith(t, "clio", &authToken{access: tok.AccessToken, refresh: tok.RefreshToken, expiry: tok.Expiry})
	if err := me(sb, "clio", auth.NewSource(p, c, st, auth.SourceOptions{})); err != nil {
		t.Fatalf("the pasted-code token does not work: %v", err)
	}
	_, err = auth.ConnectWithPastedCode(context.Background(), p, c, clio.ApprovalRedirectURI(sb.BaseURL("clio")), open,
		func(context.Context) (string, error) { return "not-a-code", nil })
	if !httpx.IsReconnect(err) || !strings.Contains(err.Error(), "pasted code") {
		t.Fatalf("a wrong code: %v", err)
	}
}
