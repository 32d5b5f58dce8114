package sandbox_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
)

// TestWrapSeesEachPlatformsAnswersButNotFaults: Options.Wrap wraps every
// fake once, sees each request the fake answers with its status, and does
// not see the sandbox's own injected faults.
func TestWrapSeesEachPlatformsAnswersButNotFaults(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]int{}
	wraps := map[string]int{}
	wrap := func(p string, h http.Handler) http.Handler {
		mu.Lock()
		wraps[p]++
		mu.Unlock()
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &codeRecorder{ResponseWriter: w}
			h.ServeHTTP(rec, r)
			mu.Lock()
			seen[p] = append(seen[p], rec.code)
			mu.Unlock()
		})
	}
	sb := start(t, sandbox.Options{Size: sandbox.Size{Contacts: 2, Matters: 1, Documents: 1, Recordings: 1, Prospects: 1}, Wrap: wrap})
	in := sb.Info()
	for p, path := range map[string]string{
		sandbox.Clio: "/users/who_am_i.json", sandbox.Zoom: "/users/me", sandbox.Box: "/users/me", sandbox.Lawmatics: "/users/me",
	} {
		if code, _, body := do(t, "GET", in.Platforms[p].APIBase+path, in.Platforms[p].Token, nil); code != http.StatusOK {
			t.Fatalf("%s: %d %s", p, code, body)
		}
	}
	// An injected fault is the sandbox's answer, not the fake's.
	if code, _, body := do(t, "POST", in.Admin+"/faults", "", sandbox.Fault{Platform: sandbox.Box, Status: 503}); code >= 300 {
		t.Fatalf("adding a fault: %d %s", code, body)
	}
	if code, _, _ := do(t, "GET", in.Platforms[sandbox.Box].APIBase+"/users/me", in.Platforms[sandbox.Box].Token, nil); code != 503 {
		t.Fatalf("fault not injected: %d", code)
	}
	// Reset swaps the fakes; the wrapper still sees the new ones.
	if err := sb.Reset(0, sandbox.Size{Contacts: 1, Matters: 1, Documents: 1, Recordings: 1, Prospects: 1}); err != nil {
		t.Fatal(err)
	}
	in = sb.Info()
	if code, _, _ := do(t, "GET", in.Platforms[sandbox.Box].APIBase+"/users/me", in.Platforms[sandbox.Box].Token, nil); code != 200 {
		t.Fatalf("after reset: %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range []string{sandbox.Clio, sandbox.Zoom, sandbox.Box, sandbox.Lawmatics} {
		if wraps[p] != 1 {
			t.Errorf("%s wrapped %d times, want once", p, wraps[p])
		}
	}
	if got := seen[sandbox.Box]; len(got) != 2 || got[0] != 200 || got[1] != 200 {
		t.Errorf("box answers seen %v, want [200 200] (the 503 fault is not the fake's)", got)
	}
	for _, p := range []string{sandbox.Clio, sandbox.Zoom, sandbox.Lawmatics} {
		if got := seen[p]; len(got) != 1 || got[0] != 200 {
			t.Errorf("%s answers seen %v, want [200]", p, got)
		}
	}
}

type codeRecorder struct {
	http.ResponseWriter
	code int
}

func (r *codeRecorder) WriteHeader(c int) {
	if r.code == 0 {
		r.code = c
	}
	r.ResponseWriter.WriteHeader(c)
}

func (r *codeRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	return r.ResponseWriter.Write(b)
}
