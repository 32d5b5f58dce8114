package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

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

func TestStateMismatchAndSecondCallbackAreRejected(t *testing.T) {
	sb := startSandbox(t)
	p, c := lawmaticsProvider(sb)
	second := make(chan int, 1)
	open := func(ctx context.Context, authURL string) error {
		cb := strings.Replace(authURL, authURL, "", 1) // unused; build the callback by hand below
		_ = cb
		redirect := redirectFrom(t, authURL)
		go func() {
			resp, err := http.Get(redirect + "?code=abc&state=forged")
			if err == nil {
				resp.Body.Close()
			}
			resp2, err := http.Get(redirect + "?code=abc&state=forged-again")
			if err == nil {
				second <- resp2.StatusCode
				resp2.Body.Close()
			}
		}()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := auth.Connect(ctx, p, c, auth.FlowOptions{Port: -1, OpenURL: open})
	if err == nil || !strings.Contains(err.Error(), "state mismatch") {
		t.Fatalf("got %v", err)
	}
	select {
	case code := <-second:
		if code != http.StatusBadRequest && code != 0 {
			t.Fatalf("second callback answered %d", code)
		}
	case <-time.After(3 * time.Second):
		// The listener closed after the first callback: also a rejection.
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
	if err == nil || !strings.Contains(err.Error(), "Settings") {
		t.Fatalf("got %v", err)
	}
}

// rotatingSetup connects Zoom and returns a keychain holding its token.
func rotatingSetup(t *testing.T) (*sandbox.Sandbox, auth.Provider, auth.Credentials, *secrets.Memory, *authToken) {
	sb := startSandbox(t)
	p, c := zoomProvider(sb)
	tok, err := connect(t, p, c, "allow")
	if err != nil {
		t.Fatal(err)
	}
	st := secrets.NewMemory()
	if err := st.Set(context.Background(), auth.TokenKey("zoom"), mustEncode(t, tok)); err != nil {
		t.Fatal(err)
	}
	return sb, p, c, st, tok
}

func TestRefreshAheadOfExpiryRotatesAndSavesFirst(t *testing.T) {
	sb, p, c, st, tok := rotatingSetup(t)
	later := func() time.Time { return time.Now().Add(57 * time.Minute) } // inside the 5-minute window
	var savedBeforeUse string
	var src *auth.Source
	src = auth.NewSource(p, c, st, auth.SourceOptions{Now: later, AfterSave: func() {
		v, _ := st.Get(context.Background(), auth.TokenKey("zoom"))
		savedBeforeUse = v
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
	// The old refresh token is dead (rotation); the saved one is live.
	oldSrc := auth.NewSource(p, c, secretsWith(t, tok), auth.SourceOptions{})
	if _, err := oldSrc.Refresh(context.Background(), tok.access); !httpx.IsReconnect(err) {
		t.Fatalf("reusing the rotated refresh token: %v", err)
	}
	_ = sb
}

func TestCrashBetweenSaveAndUseDoesNotStrandTheConnection(t *testing.T) {
	sb, p, c, st, tok := rotatingSetup(t)
	crashed := errors.New("crash")
	src := auth.NewSource(p, c, st, auth.SourceOptions{AfterSave: func() { panic(crashed) }})
	func() {
		defer func() { recover() }()
		_, _ = src.Refresh(context.Background(), tok.access)
	}()
	// A new process starts from the keychain alone.
	fresh := auth.NewSource(p, c, st, auth.SourceOptions{})
	zc := zoom.New(zoom.Options{APIBase: sb.BaseURL("zoom") + "/v2", Auth: fresh})
	if _, err := zc.Me(context.Background()); err != nil {
		t.Fatalf("after the crash: %v", err)
	}
	if _, err := fresh.Refresh(context.Background(), "whatever"); err != nil {
		t.Fatalf("the saved refresh token is not live: %v", err)
	}
}

func TestConcurrentRefreshersRefreshOnce(t *testing.T) {
	sb, p, c, st, tok := rotatingSetup(t)
	src := auth.NewSource(p, c, st, auth.SourceOptions{})
	before := tokenCalls(t, sb)
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
	if n := tokenCalls(t, sb) - before; n != 1 {
		t.Fatalf("%d refreshes for 8 concurrent callers, want 1", n)
	}
}

func TestRevokedTokenMeansReconnect(t *testing.T) {
	sb, p, c, st, _ := rotatingSetup(t)
	var fatal error
	src := auth.NewSource(p, c, st, auth.SourceOptions{OnFatal: func(err error) { fatal = err }})
	sb.Zoom().RevokeTokens()
	zc := zoom.New(zoom.Options{APIBase: sb.BaseURL("zoom") + "/v2", Auth: src})
	_, err := zc.Me(context.Background())
	if !httpx.IsReconnect(err) || fatal == nil {
		t.Fatalf("err %v, fatal %v", err, fatal)
	}
}

func TestNonRefreshingPlatformReconnectsOn401(t *testing.T) {
	sb := startSandbox(t)
	p, c := lawmaticsProvider(sb)
	tok, err := connect(t, p, c, "allow")
	if err != nil {
		t.Fatal(err)
	}
	src := auth.NewSource(p, c, secretsWith(t, tok), auth.SourceOptions{})
	sb.Lawmatics().RevokeTokens()
	lc := lawmatics.New(lawmatics.Options{APIBase: sb.BaseURL("lawmatics") + "/v1", Auth: src})
	if _, err := lc.Me(context.Background()); !httpx.IsReconnect(err) {
		t.Fatalf("got %v", err)
	}
}
