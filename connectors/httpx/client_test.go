package httpx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// fakeAuth hands out tokens and counts refreshes.
type fakeAuth struct {
	mu        sync.Mutex
	token     string
	refreshes int
	fail      error
}

func (a *fakeAuth) Token(context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.token, nil
}

func (a *fakeAuth) Refresh(_ context.Context, refused string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return "", a.fail
	}
	a.refreshes++
	a.token = "fresh-token"
	return a.token, nil
}

// sleeps records the waits the client asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return nil
}

func newClient(t *testing.T, h http.HandlerFunc, auth httpx.Authorizer) (*httpx.Client, *sleeps, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &sleeps{}
	c := httpx.New(httpx.Options{
		Platform: "clio", Auth: auth, Sleep: s.sleep,
		DecodeError: func(_ int, _ http.Header, body []byte) (string, string) {
			return "", strings.TrimSpace(string(body))
		},
	})
	return c, s, srv.URL
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var n atomic.Int32
	c, s, url := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}, nil)
	var out struct{ OK bool }
	if err := c.JSON(context.Background(), "POST", url+"/x", map[string]int{"a": 1}, &out); err != nil {
		t.Fatal(err)
	}
	if !out.OK || n.Load() != 3 {
		t.Fatalf("out %+v after %d requests", out, n.Load())
	}
	if len(s.d) != 2 || s.d[0] != 7*time.Second || s.d[1] != 7*time.Second {
		t.Fatalf("waits %v, want two of 7s", s.d)
	}
	if c.RateLimited() != 2 {
		t.Fatalf("RateLimited %d", c.RateLimited())
	}
}

func TestRateLimitGivesUpAfterThreeRetries(t *testing.T) {
	var n atomic.Int32
	c, _, url := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, "slow down")
	}, nil)
	err := c.JSON(context.Background(), "GET", url+"/x", nil, nil)
	if !errors.Is(err, httpx.ErrRateLimited) || httpx.StatusOf(err) != 429 {
		t.Fatalf("got %v", err)
	}
	if n.Load() != 4 {
		t.Fatalf("%d requests, want 1 + 3 retries", n.Load())
	}
}

func TestServerErrorsRetryOnlyIdempotentRequests(t *testing.T) {
	cases := []struct {
		method string
		replay httpx.Replay
		want   int32 // requests made
	}{
		{"GET", httpx.ReplayAuto, 3},
		{"PUT", httpx.ReplayAuto, 3},
		{"POST", httpx.ReplayAuto, 1},
		{"PATCH", httpx.ReplayAuto, 1},
		{"POST", httpx.ReplaySafe, 3},
		{"GET", httpx.ReplayNever, 1},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			var n atomic.Int32
			c, s, url := newClient(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= 2 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				io.WriteString(w, "{}")
			}, nil)
			_, err := c.Do(context.Background(), &httpx.Request{Method: tc.method, URL: url, Replay: tc.replay})
			if n.Load() != tc.want {
				t.Fatalf("%d requests, want %d (err %v)", n.Load(), tc.want, err)
			}
			if tc.want == 1 {
				if httpx.KindOf(err) != httpx.KindServer || !httpx.Transient(err) {
					t.Fatalf("want a transient server error, got %v", err)
				}
				if !strings.Contains(err.Error(), "having trouble") {
					t.Errorf("message %q does not say the platform is having trouble", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.d) != 2 || s.d[1] < s.d[0]/2 {
				t.Fatalf("backoff waits %v", s.d)
			}
		})
	}
}

func TestUnauthorizedRefreshesOnceThenSaysReconnect(t *testing.T) {
	auth := &fakeAuth{token: "old-token"}
	var seen []string
	var mu sync.Mutex
	c, _, url := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Header.Get("Authorization") == "Bearer fresh-token" && r.URL.Path == "/ok" {
			io.WriteString(w, "{}")
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}, auth)
	if err := c.JSON(context.Background(), "GET", url+"/ok", nil, nil); err != nil {
		t.Fatalf("refresh then success: %v", err)
	}
	if auth.refreshes != 1 || len(seen) != 2 || seen[0] != "Bearer old-token" {
		t.Fatalf("refreshes %d, seen %v", auth.refreshes, seen)
	}
	err := c.JSON(context.Background(), "GET", url+"/always401", nil, nil)
	if !httpx.IsReconnect(err) {
		t.Fatalf("want reconnect, got %v", err)
	}
	if strings.Contains(err.Error(), "fresh-token") {
		t.Fatalf("error leaks the token: %v", err)
	}
	auth.fail = errors.Join(httpx.ErrReconnect, errors.New("invalid_grant"))
	auth.token = "stale"
	err = c.JSON(context.Background(), "GET", url+"/always401", nil, nil)
	if !httpx.IsReconnect(err) {
		t.Fatalf("a failed refresh must mean reconnect, got %v", err)
	}
}

func TestForbiddenNamesThePermission(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"scope":"phone:write:external_contact:admin"}`)
	}))
	defer srv.Close()
	c := httpx.New(httpx.Options{Platform: "zoom", Permission: func(_ http.Header, b []byte) string {
		return strings.Split(string(b), `"`)[3]
	}})
	err := c.JSON(context.Background(), "POST", srv.URL+"/v2/phone/external_contacts", map[string]string{}, nil)
	if httpx.KindOf(err) != httpx.KindForbidden || !strings.Contains(err.Error(), `reconnect with a user who has the "phone:write:external_contact:admin" permission`) {
		t.Fatalf("got %v", err)
	}
}

func TestErrorsCarryThePlatformMessageButNoQuery(t *testing.T) {
	c, _, url := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, "Description can't be blank")
	}, nil)
	err := c.JSON(context.Background(), "POST", url+"/api/v4/matters.json?access_token=sekrit", map[string]string{}, nil)
	if httpx.KindOf(err) != httpx.KindValidation || !strings.Contains(err.Error(), "Description can't be blank") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "sekrit") {
		t.Fatalf("error leaks the query: %v", err)
	}
}

func TestNetworkErrorsRetryIdempotentAndScrubURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // connection refused from now on
	s := &sleeps{}
	c := httpx.New(httpx.Options{Platform: "box", Sleep: s.sleep, ServerRetries: 2})
	_, err := c.Do(context.Background(), &httpx.Request{Method: "GET", URL: url + "/2.0/x?token=abc"})
	if httpx.KindOf(err) != httpx.KindNetwork || len(s.d) != 2 {
		t.Fatalf("err %v after %d waits", err, len(s.d))
	}
	if strings.Contains(err.Error(), "abc") {
		t.Fatalf("network error leaks the query: %v", err)
	}
}

func TestCancelledContextNeverRetries(t *testing.T) {
	var n atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		cancel()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := httpx.New(httpx.Options{Platform: "clio"})
	_, err := c.Do(ctx, &httpx.Request{Method: "GET", URL: srv.URL})
	if !errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}
}

func TestCounterCountsPerContext(t *testing.T) {
	c, _, url := newClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }, nil)
	var cnt httpx.Counter
	ctx := httpx.WithCounter(context.Background(), &cnt)
	for range 3 {
		if err := c.JSON(ctx, "GET", url, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.JSON(context.Background(), "GET", url, nil, nil)
	if cnt.Count() != 3 || c.Requests() != 4 {
		t.Fatalf("counter %d, client %d", cnt.Count(), c.Requests())
	}
}

func TestOKStatusReturnsResponse(t *testing.T) {
	c, _, url := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/signed")
		w.WriteHeader(http.StatusSeeOther)
	}, nil)
	c2 := httpx.New(httpx.Options{Platform: "clio", HTTPClient: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}})
	_ = c
	resp, err := c2.Do(context.Background(), &httpx.Request{Method: "GET", URL: url, OKStatus: []int{303}})
	if err != nil || resp.StatusCode != 303 || resp.Header.Get("Location") != "/signed" {
		t.Fatalf("resp %v err %v", resp, err)
	}
	resp.Body.Close()
}
