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
// contacts, the practice-management system's notes (Smokeball: call notes
// in the contacts' notes texts), matters and intake matters, Box folders
// and files under the demo firm's root.
func platformObjects(t *testing.T, sb *sandbox.Sandbox, pm pmsFake) map[string]int {
	t.Helper()
	sys := pm.kind()
	out := map[string]int{
		"zoom contacts":  len(sb.Zoom().ExternalContacts()),
		sys + " notes":   pm.notes(),
		sys + " matters": 0,
	}
	for _, m := range pm.matters() {
		if strings.HasPrefix(m.Number, "LM-") {
			out[sys+" intake matters"]++
		}
		out[sys+" matters"]++
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
// Content transfers are not pages: Clio's and Smokeball's …/download,
// MyCase's /v1/documents/{id}/data and the storage URLs (…/_s3/download/…),
// and Smokeball's GET …/files/{id}/upload, which hands out an upload URL.
func listingCalls(st sandbox.Stats) int {
	n := 0
	for _, p := range st.Platforms {
		for ep, c := range p.Endpoints {
			if strings.HasPrefix(ep, "GET ") && !strings.HasSuffix(ep, "{id}") && !strings.HasSuffix(ep, "{id}.json") && !strings.Contains(ep, "/download") &&
				!strings.HasSuffix(ep, "/data") && !strings.HasSuffix(ep, "/upload") {
				n += c
			}
		}
	}
	return n
}

// boxContentUploads counts the requests that send file content to Box
// (a new file, a new version, an upload session's parts).
func boxContentUploads(st sandbox.Stats) int {
	n := 0
	for ep, c := range st.Platforms[sandbox.Box].Endpoints {
		if !strings.HasPrefix(ep, "GET ") && strings.Contains(ep, " /api/2.0/files") {
			n += c
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
// cost of about one lookup per item on top of the listings. It runs once
// per practice-management system.
func TestRebuildAfterALostDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuild drill skipped in -short mode")
	}
	for _, sys := range pmsKinds {
		t.Run(sys, func(t *testing.T) { rebuildDrill(t, sys) })
	}
}

func rebuildDrill(t *testing.T, sys string) {
	k := rebuildScale()
	size := sandbox.Size{Contacts: 60 * k, Matters: 16 * k, Documents: 30 * k, Recordings: 16 * k, Prospects: 9 * k}
	sb := soakSandbox(t, size)
	pm := newPMSFake(t, sb, sys)
	info := sb.Info()
	ctx := context.Background()
	sync := func(dir string) core.SyncResult {
		t.Helper()
		app, err := core.Open(ctx, core.Options{DataDir: dir, ExternalSandbox: &info, Secrets: secrets.NewMemory(), PMS: sys})
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
	before := platformObjects(t, sb, pm)
	checkExactlyOnce(t, sb, pm)

	// The data directory is gone: a new, empty one.
	stats0 := sb.StatsSnapshot()
	rebuilt := sync(t.TempDir())
	stats1 := sb.StatsSnapshot()
	after := platformObjects(t, sb, pm)
	for what, n := range before {
		if after[what] != n {
			t.Errorf("%s: %d before the rebuild, %d after", what, n, after[what])
		}
	}
	checkExactlyOnce(t, sb, pm)

	items := 0
	for _, j := range rebuilt.Jobs {
		if j.Error != "" {
			t.Errorf("rebuild: %s: %s", j.Job, j.Error)
		}
		if j.Created != 0 {
			t.Errorf("rebuild: %s created %d objects the platforms already had", j.Job, j.Created)
		}
		t.Logf("rebuild: %s: %d created, %d updated, %d unchanged, %d skipped, %d failed", j.Job, j.Created, j.Updated, j.Unchanged, j.Skipped, j.Failed)
		items += j.Created + j.Updated + j.Unchanged + j.Skipped + j.Failed
	}
	// Every document is in Box already, with the content it has in the
	// practice-management system: sending it again (as a new version)
	// would be a duplicate in the file's version history.
	if n := boxContentUploads(diffStats(stats0, stats1)); n != 0 {
		t.Errorf("the %s rebuild sent document content to Box %d times; every document was there already with that content", sys, n)
	}
	// The listing pages are those of the first sync, which had to read
	// everything too: per-item lookups the rebuild adds (a contact's notes,
	// a matter by its prospect field) count against the 1.1 × items.
	calls := totalCalls(diffStats(stats0, stats1))
	lists := listingCalls(firstStats)
	goal := int(1.1*float64(items)) + lists
	t.Logf("%s rebuild drill (scale %d): %d items, %d API calls (first sync: %d calls, %d of them listing pages); goal ≤ 1.1 × items + listing pages = %d; objects %v",
		sys, k, items, calls, totalCalls(firstStats), lists, goal, after)
	if calls > goal || os.Getenv("FIRMSYNC_DEBUG_REBUILD") != "" {
		if calls > goal {
			t.Errorf("the %s rebuild made %d API calls, over the goal of %d", sys, calls, goal)
		}
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
