package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultPort is the loopback port of the OAuth redirect listener. The
// redirect URI to register in each platform's developer console is
// RedirectURI(DefaultPort, platform).
const DefaultPort = 53682

// DefaultTimeout is how long Connect waits for the browser.
const DefaultTimeout = 5 * time.Minute

// ErrDeclined means the user pressed Deny (or the platform refused) in the
// browser.
var ErrDeclined = errors.New("access was declined in the browser")

// ErrPortInUse means the loopback redirect listener could not start.
var ErrPortInUse = errors.New("the sign-in port is not available")

// ErrTimeout means nobody finished the browser step in time.
var ErrTimeout = errors.New("timed out waiting for the browser")

// RedirectURI is the loopback redirect URI for a platform at port.
func RedirectURI(port int, platform string) string {
	return "http://127.0.0.1:" + strconv.Itoa(port) + "/" + platform + "/callback"
}

// FlowOptions configures Connect.
type FlowOptions struct {
	Port    int           // loopback port; 0 means DefaultPort; -1 picks a free port (tests)
	Timeout time.Duration // 0 means DefaultTimeout
	// OpenURL shows the authorize page to the user: the system browser in
	// the GUI, xdg-open or a printed URL headless, an automatic approver in
	// the sandbox.
	OpenURL    func(ctx context.Context, url string) error
	HTTPClient *http.Client // for the token exchange; nil means the default
	// Logger gets a rate-limited note of requests the loopback listener
	// ignored (wrong or missing state, wrong path); nil discards them.
	Logger *slog.Logger
}

// Connect runs the authorization-code flow: it opens the platform's
// authorize page, waits on a loopback listener for the redirect carrying
// this sign-in's state (compared in constant time) and exchanges the code
// (with the PKCE verifier where the platform uses PKCE). Requests without
// the right state are answered and ignored, so a stray or hostile request
// cannot end the sign-in; only the timeout or ctx does.
func Connect(ctx context.Context, p Provider, c Credentials, o FlowOptions) (*oauth2.Token, error) {
	if c.ClientID == "" {
		return nil, fmt.Errorf("connecting %s: no client id; enter your %s developer app's client id and secret under \"Developer app\" on the Connections tab (or run `firmsync app set %s --client-id ID`)", p.Platform, p.Platform, p.Platform)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	port := o.Port
	if port == 0 {
		port = DefaultPort
	}
	if port < 0 {
		port = 0
	}
	raw, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("connecting %s: %w: 127.0.0.1:%d (%v); close the program that uses it, or change the sign-in port in Settings → Signing in (then register the new redirect URI with each developer app)", p.Platform, ErrPortInUse, port, err)
	}
	ln := newLimitListener(raw, maxCallbackConns)
	defer ln.Close()
	port = ln.Addr().(*net.TCPAddr).Port
	redirect := RedirectURI(port, p.Platform)
	cfg := p.config(c, redirect)

	state, err := randomString(32)
	if err != nil {
		return nil, err
	}
	var opts []oauth2.AuthCodeOption
	verifier := ""
	if p.PKCE {
		verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	for k, v := range p.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	authURL := cfg.AuthCodeURL(state, opts...)

	cb := newCallback(p.Platform, state, &strayLog{log: o.Logger, platform: p.Platform, now: time.Now})
	srv := &http.Server{
		Handler:           cb,
		ReadHeaderTimeout: callbackHeaderTimeout,
		ReadTimeout:       2 * callbackHeaderTimeout,
		WriteTimeout:      2 * callbackHeaderTimeout,
		MaxHeaderBytes:    maxCallbackHeaderBytes,
		// The server's own complaints (accept errors under a flood, bad
		// requests) would otherwise go to stderr once per connection.
		ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelDebug),
	}
	// One request per connection: an idle keep-alive connection would hold
	// one of the few slots of the limit listener.
	srv.SetKeepAlivesEnabled(false)
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if o.OpenURL != nil {
		if err := o.OpenURL(ctx, authURL); err != nil {
			return nil, fmt.Errorf("connecting %s: opening the browser: %w", p.Platform, err)
		}
	}
	defer func() {
		if n := cb.stray.ignored(); n > 0 {
			o.Logger.Info("the sign-in listener ignored requests that were not the awaited sign-in", "platform", p.Platform, "ignored", n)
		}
	}()
	var res callbackResult
	select {
	case res = <-cb.done:
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("connecting %s: %w after %v", p.Platform, ErrTimeout, o.Timeout)
		}
		return nil, ctx.Err()
	}
	if res.err != nil {
		return nil, fmt.Errorf("connecting %s: %w", p.Platform, res.err)
	}
	if o.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, o.HTTPClient)
	}
	var exOpts []oauth2.AuthCodeOption
	if verifier != "" {
		exOpts = append(exOpts, oauth2.VerifierOption(verifier))
	}
	tok, err := cfg.Exchange(ctx, res.code, exOpts...)
	if err != nil {
		return nil, fmt.Errorf("connecting %s: exchanging the code for a token: %w", p.Platform, describeOAuthError(err))
	}
	return tok, nil
}

type callbackResult struct {
	code string
	err  error
}

// callback is the redirect handler. Only a GET of our path carrying our
// state decides the outcome, once; everything else (another path, no or a
// wrong state, a second answer) gets a short page and changes nothing.
type callback struct {
	path  string // "/<platform>/callback"
	state string
	stray *strayLog
	done  chan callbackResult // buffered: the one send never blocks

	mu      sync.Mutex // guards decided
	decided bool
}

func newCallback(platform, state string, stray *strayLog) *callback {
	return &callback{path: "/" + platform + "/callback", state: state, stray: stray, done: make(chan callbackResult, 1)}
}

func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != cb.path {
		cb.stray.note(r.URL.Path, "not the callback path")
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		cb.stray.note(r.URL.Path, "method "+r.Method)
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(cb.state)) != 1 {
		why := "wrong state"
		if !q.Has("state") {
			why = "no state"
		}
		cb.stray.note(r.URL.Path, why)
		page(w, http.StatusBadRequest, "This is not the sign-in Firmsync is waiting for",
			"Firmsync ignored this answer and is still waiting for the sign-in it started. Finish that one in the tab Firmsync opened, or press Connect again.")
		return
	}
	cb.mu.Lock()
	first := !cb.decided
	cb.decided = true
	cb.mu.Unlock()
	if !first {
		page(w, http.StatusBadRequest, "This sign-in link was already used", "Go back to Firmsync and press Connect again if you need to.")
		return
	}
	var res callbackResult
	switch {
	case q.Get("error") == "access_denied":
		res.err = ErrDeclined
	case q.Get("error") != "":
		res.err = fmt.Errorf("the platform refused: %s %s", q.Get("error"), q.Get("error_description"))
	case q.Get("code") == "":
		res.err = errors.New("the browser's answer carried no authorization code")
	default:
		res.code = q.Get("code")
	}
	if res.err != nil {
		page(w, http.StatusBadRequest, "Firmsync was not connected", res.err.Error()+". You can close this tab.")
	} else {
		page(w, http.StatusOK, "Firmsync is connected", "You can close this tab and go back to Firmsync.")
	}
	cb.done <- res
}

var pageTmpl = template.Must(template.New("p").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;color:#222}h1{font-size:1.4rem}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>`))

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, struct{ Title, Text string }{title, text})
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
