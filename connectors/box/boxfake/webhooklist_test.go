package boxfake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/firmsync/firmsync/connectors/box/boxfake"
)

// TestWebhookListIsMiniAndTakesLimitUpTo1000 checks GET /2.0/webhooks
// against Box's OAS: limit may be up to 1000 (larger is clamped), and
// each entry is a Webhook--Mini carrying only id, type and target.
func TestWebhookListIsMiniAndTakesLimitUpTo1000(t *testing.T) {
	e := newEnv(t, boxfake.Options{})
	const n = 205
	for i := range n {
		dir := e.mkdir("0", fmt.Sprint("Matter ", i))
		wantStatus(t, e.hook(dir, "folder", "https://hooks.example.com/box", "FOLDER.TRASHED"), http.StatusCreated)
	}
	type page struct {
		Limit      int               `json:"limit"`
		NextMarker *string           `json:"next_marker"`
		Entries    []json.RawMessage `json:"entries"`
	}
	for _, tc := range []struct {
		query     string
		limit     int
		entries   int
		morePages bool
	}{
		{"?limit=1000", 1000, n, false},
		{"?limit=5000", 1000, n, false}, // clamped, not refused
		{"?limit=200", 200, 200, true},
		{"", 100, 100, true}, // Box's default page
	} {
		r := e.do("GET", "/2.0/webhooks"+tc.query, nil)
		wantStatus(t, r, http.StatusOK)
		var p page
		r.json(t, &p)
		if p.Limit != tc.limit || len(p.Entries) != tc.entries || (p.NextMarker != nil) != tc.morePages {
			t.Errorf("%q: limit %d, %d entries, next_marker %v; want %d, %d, more pages %v",
				tc.query, p.Limit, len(p.Entries), p.NextMarker, tc.limit, tc.entries, tc.morePages)
		}
		for _, raw := range p.Entries {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(raw, &fields); err != nil {
				t.Fatal(err)
			}
			keys := make([]string, 0, len(fields))
			for k := range fields {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, []string{"id", "target", "type"}) {
				t.Fatalf("%q: entry %s has %v; a Webhook--Mini has only id, target, type", tc.query, raw, keys)
			}
			var target map[string]json.RawMessage
			if err := json.Unmarshal(fields["target"], &target); err != nil || len(target) != 2 || target["id"] == nil || target["type"] == nil {
				t.Fatalf("%q: target %s, want {id, type}", tc.query, fields["target"])
			}
		}
	}
}
