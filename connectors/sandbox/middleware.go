package sandbox

import (
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes the next requests to a platform fail, slow down or drop.
type Fault struct {
	Platform   string `json:"platform"`
	PathPrefix string `json:"path_prefix,omitempty"` // only paths starting with this
	Method     string `json:"method,omitempty"`      // only requests with this method; "" means any
	Status     int    `json:"status,omitempty"`      // answer with this status
	Count      int    `json:"count,omitempty"`       // for this many requests; 0 means 1
	DelayMS    int    `json:"delay_ms,omitempty"`    // wait before answering (or before passing through)
	Drop       bool   `json:"drop,omitempty"`        // cut the connection without an answer
	// TruncateAfter passes the request to the platform but cuts the
	// connection after this many bytes of the answer's body (a reset
	// mid-body); 0 means not at all.
	TruncateAfter int64 `json:"truncate_after,omitempty"`
	RetryAfter    int   `json:"retry_after,omitempty"` // with status 429/503: the Retry-After seconds (default 1)
}

type faults struct {
	mu   sync.Mutex // guards list
	list []*Fault
}

func (f *faults) add(ft Fault) {
	if ft.Count <= 0 {
		ft.Count = 1
	}
	f.mu.Lock()
	f.list = append(f.list, &ft)
	f.mu.Unlock()
}

func (f *faults) clear() {
	f.mu.Lock()
	f.list = nil
	f.mu.Unlock()
}

// take returns the first fault matching the request that acts before the
// platform answers, using one of its counts.
func (f *faults) take(platform, method, path string) (Fault, bool) {
	return f.takeIf(platform, path, func(ft *Fault) bool { return ft.TruncateAfter == 0 && (ft.Method == "" || ft.Method == method) })
}

// takeIf returns the first fault matching the request and pred, using one
// of its counts.
func (f *faults) takeIf(platform, path string, pred func(*Fault) bool) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.list {
		if ft.Platform != platform || !strings.HasPrefix(path, ft.PathPrefix) || !pred(ft) {
			continue
		}
		got := *ft
		ft.Count--
		if ft.Count <= 0 {
			f.list = append(f.list[:i], f.list[i+1:]...)
		}
		return got, true
	}
	return Fault{}, false
}

// stats counts requests per platform and endpoint.
type stats struct {
	mu       sync.Mutex // guards the maps
	requests map[string]map[string]int
	limited  map[string]int
	writes   map[string]int
	faulted  map[string]int
}

func newStats() *stats {
	s := &stats{}
	s.reset()
	return s
}

func (s *stats) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = map[string]map[string]int{}
	s.limited = map[string]int{}
	s.writes = map[string]int{}
	s.faulted = map[string]int{}
}

var idSegment = regexp.MustCompile(`/([0-9]+|[0-9a-f]{16,}|[A-Za-z0-9+_=%-]{20,})(\.json)?(/|$)`)

// endpoint turns a path into a template: ids become {id}.
func endpoint(method, path string) string {
	for {
		p := idSegment.ReplaceAllString(path, "/{id}$2$3")
		if p == path {
			break
		}
		path = p
	}
	return method + " " + path
}

func (s *stats) record(platform, method, path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.requests[platform]
	if m == nil {
		m = map[string]int{}
		s.requests[platform] = m
	}
	m[endpoint(method, path)]++
	if status == http.StatusTooManyRequests {
		s.limited[platform]++
	}
	if method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions && !strings.Contains(path, "/oauth") {
		s.writes[platform]++
	}
}

// Stats is the admin API's view of request counts.
type Stats struct {
	Platforms map[string]PlatformStats `json:"platforms"`
}

// PlatformStats counts one platform's requests.
type PlatformStats struct {
	Requests    int            `json:"requests"`
	Writes      int            `json:"writes"`
	RateLimited int            `json:"rate_limited"`
	Faulted     int            `json:"faulted"`
	Endpoints   map[string]int `json:"endpoints"`
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Platforms: map[string]PlatformStats{}}
	for _, p := range platforms() {
		ps := PlatformStats{Endpoints: map[string]int{}, RateLimited: s.limited[p], Writes: s.writes[p], Faulted: s.faulted[p]}
		keys := make([]string, 0, len(s.requests[p]))
		for k := range s.requests[p] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps.Endpoints[k] = s.requests[p][k]
			ps.Requests += s.requests[p][k]
		}
		out.Platforms[p] = ps
	}
	return out
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush keeps streaming downloads streaming.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// platformHandler wraps a fake with fault injection and counting.
func (s *Sandbox) platformHandler(p string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sandbox") {
			http.Error(w, "the sandbox admin API is not served on platform hosts", http.StatusNotFound)
			return
		}
		if ft, ok := s.faults.take(p, r.Method, r.URL.Path); ok {
			s.stats.mu.Lock()
			s.stats.faulted[p]++
			s.stats.mu.Unlock()
			if ft.DelayMS > 0 {
				select {
				case <-time.After(time.Duration(ft.DelayMS) * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
			if ft.Drop {
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						conn.Close()
						s.stats.record(p, r.Method, r.URL.Path, 0)
						return
					}
				}
				panic(http.ErrAbortHandler)
			}
			if ft.Status != 0 {
				if ft.Status == http.StatusTooManyRequests || ft.Status == http.StatusServiceUnavailable {
					ra := ft.RetryAfter
					if ra <= 0 {
						ra = 1
					}
					w.Header().Set("Retry-After", itoa(ra))
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(ft.Status)
				_, _ = w.Write([]byte(faultBody(p, ft.Status)))
				s.stats.record(p, r.Method, r.URL.Path, ft.Status)
				return
			}
		}
		rec := &statusRecorder{ResponseWriter: w}
		h := s.inner[p] // the fake, behind Options.Wrap when set
		if ft, ok := s.faults.takeIf(p, r.URL.Path, func(f *Fault) bool { return f.TruncateAfter > 0 }); ok {
			h = truncating(h, ft.TruncateAfter, w)
		}
		h.ServeHTTP(rec, r)
		s.stats.record(p, r.Method, r.URL.Path, rec.status)
	})
}

// truncating answers through h but cuts the connection once limit bytes
// of the body were sent: the client sees a reset in the middle of a body.
// raw is the server's own ResponseWriter (wrappers hide Hijack).
func truncating(h http.Handler, limit int64, raw http.ResponseWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &truncWriter{ResponseWriter: w, raw: raw, left: limit}
		defer func() {
			if p := recover(); p != nil && p != errTruncated {
				panic(p)
			}
		}()
		h.ServeHTTP(tw, r)
	})
}

var errTruncated = errors.New("sandbox: truncated on purpose")

type truncWriter struct {
	http.ResponseWriter
	raw  http.ResponseWriter
	left int64
}

func (t *truncWriter) Write(b []byte) (int, error) {
	if int64(len(b)) <= t.left {
		t.left -= int64(len(b))
		return t.ResponseWriter.Write(b)
	}
	_, _ = t.ResponseWriter.Write(b[:t.left])
	if f, ok := t.raw.(http.Flusher); ok {
		f.Flush()
	}
	if hj, ok := t.raw.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
	panic(errTruncated) // stop the fake's handler: the connection is gone
}

func (t *truncWriter) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Sandbox) fake(p string) http.Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch p {
	case Clio:
		return s.clio
	case MyCase:
		return s.mycase
	case Smokeball:
		return s.smokeball
	case Zoom:
		return s.zoom
	case Box:
		return s.box
	}
	return s.lawmatics
}

// faultBody answers an injected fault in the platform's own error shape.
func faultBody(p string, status int) string {
	msg := "injected fault"
	switch p {
	case Clio:
		return `{"error":{"type":"InjectedFault","message":"` + msg + `"}}`
	case Zoom:
		return `{"code":` + itoa(status) + `,"message":"` + msg + `"}`
	case Box:
		return `{"type":"error","status":` + itoa(status) + `,"code":"injected_fault","message":"` + msg + `","request_id":"sandbox"}`
	case MyCase:
		return `{"errors":[{"description":"` + msg + `","source":{}}]}`
	case Smokeball:
		return `{"type":"about:blank","title":"` + msg + `","status":` + itoa(status) + `}`
	}
	return `{"errors":[{"status":` + itoa(status) + `,"title":"Injected fault","detail":"` + msg + `"}]}`
}

func itoa(n int) string { return strconv.Itoa(n) }

// StatsSnapshot returns the request counts (as GET /_sandbox/stats does).
func (s *Sandbox) StatsSnapshot() Stats { return s.stats.snapshot() }
