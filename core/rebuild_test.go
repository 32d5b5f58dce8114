package core_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// rebuildScale is the drill's firm size factor: 1 in CI, more with
// FIRMSYNC_REBUILD_SCALE (make soak runs a bigger firm).
func rebuildScale() int {
	if n, err := strconv.Atoi(os.Getenv("FIRMSYNC_REBUILD_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1
}

// platformObjects counts what Firmsync writes on the platforms: Zoom
// contacts, Clio notes, Clio matters, Box folders and files under the
// demo firm's root.
func platformObjects(t *testing.T, sb *sandbox.Sandbox) map[string]int {
	t.Helper()
	out := map[string]int{
		"zoom contacts": len(sb.Zoom().ExternalContacts()),
		"clio notes":    len(sb.Clio().Notes()),
	}
	for id := int64(1); id < 100_000; id++ {
		m, ok := sb.Clio().Matter(id)
		if !ok {
			if id > 50 && out["clio matters"] == 0 {
				break
			}
			continue
		}
		if strings.HasPrefix(m.CustomNumber, "LM-") {
			out["clio intake matters"]++
		}
		out["clio matters"]++
	}
	var walk func(id string)
	walk = func(id string) {
		_, items, err := sb.Box().Folder(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Type == "folder" {
				out["box folders"]++
				walk(it.ID)
			} else {
				out["box files"]++
			}
		}
	}
	walk(sb.BoxRoot())
	return out
}

// listingCalls counts the GET requests on collection endpoints (paths that
// do not end in an id): the pages a sync must read whatever it knows.
func listingCalls(st sandbox.Stats) int {
	n := 0
	for _, p := range st.Platforms {
		for ep, c := range p.Endpoints {
			if strings.HasPrefix(ep, "GET ") && !strings.HasSuffix(ep, "{id}") && !strings.HasSuffix(ep, "{id}.json") && !strings.Contains(ep, "/download") {
				n += c
			}
		}
	}
	return n
}

func totalCalls(st sandbox.Stats) int {
	n := 0
	for _, p := range st.Platforms {
		n += p.Requests
	}
	return n
}

// TestRebuildAfterALostDatabase is the rebuild drill: a firm is synced in
// full, its data directory is lost (a new PC, a reinstall, a corrupt file
// deleted), and a sync from an empty one must recognise Firmsync's earlier
// work on the platforms: no duplicate anywhere, nothing missing, and at a
// cost of about one lookup per item on top of the listings.
func TestRebuildAfterALostDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuild drill skipped in -short mode")
	}
	k := rebuildScale()
	size := sandbox.Size{Contacts: 60 * k, Matters: 16 * k, Documents: 30 * k, Recordings: 16 * k, Prospects: 9 * k}
	sb, err := sandbox.Start(sandbox.Options{Size: size, Seed: 42, RateLimits: fastLimits()})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	info := sb.Info()
	ctx := context.Background()
	sync := func(dir string) core.SyncResult {
		t.Helper()
		app, err := core.Open(ctx, core.Options{DataDir: dir, ExternalSandbox: &info, Secrets: secrets.NewMemory()})
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		return app.Sync(ctx, nil, false)
	}

	stats00 := sb.StatsSnapshot()
	first := sync(t.TempDir())
	firstStats := diffStats(stats00, sb.StatsSnapshot())
	for _, j := range first.Jobs {
		if j.Error != "" {
			t.Fatalf("first sync: %s: %s", j.Job, j.Error)
		}
	}
	before := platformObjects(t, sb)
	checkExactlyOnce(t, sb)

	// The data directory is gone: a new, empty one.
	stats0 := sb.StatsSnapshot()
	rebuilt := sync(t.TempDir())
	stats1 := sb.StatsSnapshot()
	after := platformObjects(t, sb)
	for what, n := range before {
		if after[what] != n {
			t.Errorf("%s: %d before the rebuild, %d after", what, n, after[what])
		}
	}
	checkExactlyOnce(t, sb)

	items := 0
	for _, j := range rebuilt.Jobs {
		if j.Error != "" {
			t.Errorf("rebuild: %s: %s", j.Job, j.Error)
		}
		if j.Created != 0 {
			t.Errorf("rebuild: %s created %d objects the platforms already had", j.Job, j.Created)
		}
		items += j.Created + j.Updated + j.Unchanged + j.Skipped + j.Failed
	}
	// The listing pages are those of the first sync, which had to read
	// everything too: per-item lookups the rebuild adds (a contact's notes,
	// a matter by its prospect field) count against the 1.1 × items.
	calls := totalCalls(diffStats(stats0, stats1))
	lists := listingCalls(firstStats)
	goal := int(1.1*float64(items)) + lists
	t.Logf("rebuild drill (scale %d): %d items, %d API calls (first sync: %d calls, %d of them listing pages); goal ≤ 1.1 × items + listing pages = %d; objects %v",
		k, items, calls, totalCalls(firstStats), lists, goal, after)
	if calls > goal {
		t.Errorf("the rebuild made %d API calls, over the goal of %d", calls, goal)
		for p, ps := range diffStats(stats0, stats1).Platforms {
			for ep, n := range ps.Endpoints {
				t.Logf("rebuild: %s %s: %d calls (first sync %d)", p, ep, n, firstStats.Platforms[p].Endpoints[ep])
			}
		}
	}
}

// diffStats is b − a per platform and endpoint.
func diffStats(a, b sandbox.Stats) sandbox.Stats {
	out := sandbox.Stats{Platforms: map[string]sandbox.PlatformStats{}}
	for p, pb := range b.Platforms {
		pa := a.Platforms[p]
		d := sandbox.PlatformStats{Requests: pb.Requests - pa.Requests, Writes: pb.Writes - pa.Writes, Endpoints: map[string]int{}}
		for ep, n := range pb.Endpoints {
			if n -= pa.Endpoints[ep]; n != 0 {
				d.Endpoints[ep] = n
			}
		}
		out.Platforms[p] = d
	}
	return out
}
