package boxfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fake on loopback with a ready token.
type env struct {
	t     *testing.T
	fake  *boxfake.Server
	srv   *httptest.Server
	clock *clock
	token string
}

func newEnv(t *testing.T, opts boxfake.Options) *env {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.StorageDir == "" {
		opts.StorageDir = t.TempDir()
	}
	f := boxfake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(func() {
		srv.Close()
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &env{t: t, fake: f, srv: srv, clock: c, token: f.IssueToken().Access}
}

// resp is a finished response.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

// boxErr decodes a ClientError body and checks status and code.
func (r resp) wantError(t *testing.T, status int, code string) box.Error {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	var e box.Error
	r.json(t, &e)
	if e.Type != "error" || e.Status != status || e.Code != code || e.RequestID == "" || e.HelpURL == "" {
		t.Fatalf("error = %+v, want type error, status %d, code %q, request_id and help_url", e, status, code)
	}
	return e
}

// do sends a request; body may be nil, a []byte, a string or a value to encode as JSON.
func (e *env) do(method, path string, body any, hdr ...string) resp {
	e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	url := path
	if strings.HasPrefix(path, "/") {
		url = e.srv.URL + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

func wantStatus(t *testing.T, r resp, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
}

// mkdir creates a folder over the API and returns its id.
func (e *env) mkdir(parent, name string) string {
	e.t.Helper()
	r := e.do("POST", "/2.0/folders", map[string]any{"name": name, "parent": map[string]string{"id": parent}})
	wantStatus(e.t, r, http.StatusCreated)
	var f box.Folder
	r.json(e.t, &f)
	return f.ID
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func mapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
