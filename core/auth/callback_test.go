package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/auth"
)

// logRecorder is a slog.Handler keeping every record, to check what the
// sign-in listener logs about strangers.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.records = append(l.records, r.Clone())
	l.mu.Unlock()
	return nil
}

// count returns how many records at level were kept, and all their text.
func (l *logRecorder) count(level slog.Level) (int, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	var b strings.Builder
	for _, r := range l.records {
		if r.Level != level {
			continue
		}
		n++
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.String())
			return true
		})
		b.WriteString("\n")
	}
	return n, b.String()
}

// callbackParts splits an authorize URL into the loopback callback URL,
// the listener's base (scheme and host) and this sign-in's state.
func callbackParts(t *testing.T, authURL string) (callback, base, state string) {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	callback = u.Query().Get("redirect_uri")
	cu, err := url.Parse(callback)
	if err != nil {
		t.Fatal(err)
	}
	return callback, cu.Scheme + "://" + cu.Host, u.Query().Get("state")
}

// stray is one request that is not the awaited sign-in.
type stray struct {
	name      string
	method    string
	target    func(callback, base, state string) string
	bigHeader bool // a 64 KiB header, past the listener's bound
	// mayReset: the server may cut the connection instead of answering
	// (it refuses oversized headers before the client has sent them all).
	mayReset   bool
	wantStatus int
	wantBody   string // part of the page it must answer with
}

var strays = []stray{
	{name: "wrong state", target: func(cb, _, _ string) string { return cb + "?code=forged-code&state=forged-state" },
		wantStatus: http.StatusBadRequest, wantBody: "not the sign-in Firmsync is waiting for"},
	{name: "no state", target: func(cb, _, _ string) string { return cb + "?code=forged-code" },
		wantStatus: http.StatusBadRequest, wantBody: "not the sign-in Firmsync is waiting for"},
	{name: "bare callback", target: func(cb, _, _ string) string { return cb },
		wantStatus: http.StatusBadRequest, wantBody: "not the sign-in Firmsync is waiting for"},
	{name: "error without state", target: func(cb, _, _ string) string { return cb + "?error=access_denied" },
		wantStatus: http.StatusBadRequest, wantBody: "not the sign-in Firmsync is waiting for"},
	{name: "error with a wrong state", target: func(cb, _, _ string) string { return cb + "?error=server_error&state=forged-state" },
		wantStatus: http.StatusBadRequest, wantBody: "not the sign-in Firmsync is waiting for"},
	{name: "empty state", target: func(cb, _, _ string) string { return cb + "?code=forged-code&state=" },
		wantStatus: http.StatusBadRequest, wantBody: "not the sign-in Firmsync is waiting for"},
	{name: "wrong path with the right state", target: func(_, base, st string) string {
		return base + "/other/callback?code=forged-code&state=" + url.QueryEscape(st)
	}, wantStatus: http.StatusNotFound},
	{name: "favicon", target: func(_, base, _ string) string { return base + "/favicon.ico" }, wantStatus: http.StatusNotFound},
	{name: "POST with the right state", method: http.MethodPost, target: func(cb, _, st string) string {
		return cb + "?code=forged-code&state=" + url.QueryEscape(st)
	}, wantStatus: http.StatusMethodNotAllowed},
	{name: "oversized headers", bigHeader: true, mayReset: true, target: func(cb, _, _ string) string { return cb + "?code=forged-code" },
		wantStatus: http.StatusRequestHeaderFieldsTooLarge},
}

// send makes one stray request and returns its status and body.
func (s stray) send(ctx context.Context, hc *http.Client, callback, base, state string) (int, string, error) {
	method := s.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, s.target(callback, base, state), nil)
	if err != nil {
		return 0, "", err
	}
	if s.bigHeader {
		req.Header.Set("X-Filler", strings.Repeat("a", 64<<10))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(b), err
}

func TestConnectIgnoresStrayRequestsUntilTheRightState(t *testing.T) {
	sb := startSandbox(t)
	cases := []struct {
		platform string
		decision string
		wantErr  error
	}{
		{platform: "lawmatics", decision: "allow"},
		{platform: "zoom", decision: "allow"},
		{platform: "clio", decision: "allow"},
		{platform: "box", decision: "allow"},
		// A decline carrying the right state still ends the sign-in.
		{platform: "zoom", decision: "deny", wantErr: auth.ErrDeclined},
		{platform: "clio", decision: "deny", wantErr: auth.ErrDeclined},
	}
	for _, tc := range cases {
		t.Run(tc.platform+"/"+tc.decision, func(t *testing.T) {
			p, c := providers[tc.platform](sb)
			logs := &logRecorder{}
			hc := &http.Client{Timeout: 5 * time.Second}
			var afterwards struct {
				status int
				err    error
			}
			open := func(ctx context.Context, authURL string) error {
				callback, base, state := callbackParts(t, authURL)
				for _, s := range strays {
					status, body, err := s.send(ctx, hc, callback, base, state)
					if err != nil {
						if !s.mayReset {
							t.Errorf("%s: %v", s.name, err)
						}
						continue
					}
					if status != s.wantStatus || !strings.Contains(body, s.wantBody) {
						t.Errorf("%s: answered %d %q, want %d with %q", s.name, status, body, s.wantStatus, s.wantBody)
					}
				}
				// The browser, with the right state, after all the strays.
				if err := (sandbox.Approver{Decision: tc.decision}).Open(ctx, authURL); err != nil {
					return err
				}
				// A second answer with the right state changes nothing: it
				// is refused, or the listener is already gone.
				again := stray{target: func(cb, _, st string) string { return cb + "?error=access_denied&state=" + url.QueryEscape(st) }}
				afterwards.status, _, afterwards.err = again.send(ctx, hc, callback, base, state)
				return nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			tok, err := auth.Connect(ctx, p, c, auth.FlowOptions{Port: -1, OpenURL: open, Logger: slog.New(logs)})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("the strays ended the sign-in: %v", err)
				}
				if tok.AccessToken == "" {
					t.Fatalf("no token: %+v", tok)
				}
				st := secretsWith(t, tc.platform, &authToken{access: tok.AccessToken, refresh: tok.RefreshToken, expiry: tok.Expiry})
				if err := me(sb, tc.platform, auth.NewSource(p, c, st, auth.SourceOptions{})); err != nil {
					t.Fatalf("the token does not work: %v", err)
				}
			}
			if afterwards.err == nil && afterwards.status != http.StatusBadRequest {
				t.Errorf("a second answer with the right state got %d", afterwards.status)
			}
			// Rate-limited: one warning for the whole burst, then a summary.
			warns, text := logs.count(slog.LevelWarn)
			if warns != 1 {
				t.Errorf("%d warnings for one burst of strays, want 1:\n%s", warns, text)
			}
			infos, summary := logs.count(slog.LevelInfo)
			if infos != 1 || !strings.Contains(summary, "ignored=") {
				t.Errorf("want one summary of ignored requests, got %d:\n%s", infos, summary)
			}
			if all := text + summary; strings.Contains(all, "forged") {
				t.Errorf("the log repeats a stranger's query:\n%s", all)
			}
		})
	}
}

func TestConnectSurvivesAFloodOfStrayRequests(t *testing.T) {
	sb := startSandbox(t)
	p, c := lawmaticsProvider(sb)
	const timeout = 1500 * time.Millisecond
	cases := []struct {
		name   string
		answer bool // the browser answers, mid-flood
	}{
		{name: "times out only at its timeout"},
		{name: "connects while the flood goes on", answer: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logRecorder{}
			var sent atomic.Int64
			var wg sync.WaitGroup
			floodCtx, stopFlood := context.WithCancel(context.Background())
			defer func() { stopFlood(); wg.Wait() }()
			open := func(ctx context.Context, authURL string) error {
				callback, base, state := callbackParts(t, authURL)
				for w := range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						hc := &http.Client{Timeout: 2 * time.Second}
						for i := w; floodCtx.Err() == nil; i++ {
							s := strays[i%len(strays)]
							if _, _, err := s.send(floodCtx, hc, callback, base, state); err == nil {
								sent.Add(1)
							}
							// A page's <img> loop, not a benchmark: leave the
							// machine's ephemeral ports to the other tests.
							time.Sleep(5 * time.Millisecond)
						}
					}()
				}
				if tc.answer {
					go func() {
						time.Sleep(timeout / 3)
						_ = sandbox.Approver{}.Open(ctx, authURL)
					}()
				}
				return nil
			}
			start := time.Now()
			tok, err := auth.Connect(context.Background(), p, c, auth.FlowOptions{Port: -1, Timeout: timeout, OpenURL: open, Logger: slog.New(logs)})
			elapsed := time.Since(start)
			stopFlood()
			wg.Wait()
			if n := sent.Load(); n < 20 {
				t.Fatalf("only %d stray requests were answered; the flood did not happen", n)
			}
			if tc.answer {
				if err != nil || tok.AccessToken == "" {
					t.Fatalf("the flood kept the browser's answer out: %v", err)
				}
			} else if !errors.Is(err, auth.ErrTimeout) || elapsed < timeout {
				t.Fatalf("after %v (timeout %v): %v", elapsed, timeout, err)
			}
			if warns, text := logs.count(slog.LevelWarn); warns != 1 {
				t.Errorf("%d warnings for %d strays within %v, want 1:\n%s", warns, sent.Load(), timeout, text)
			}
		})
	}
}
