package core_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/secrets"
)

func openFastSandboxApp(t *testing.T, dir string, sec secrets.Store) *core.App {
	t.Helper()
	app, err := core.Open(context.Background(), core.Options{DataDir: dir, Sandbox: true, Secrets: sec,
		SandboxOptions: sandbox.Options{RateLimits: fastLimits()}})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestFreshFirmDryRunThenSyncThenQuietDay: a dry run on a fresh firm lists
// what the real run then creates and writes nothing; the real run creates
// it; a second run creates and updates nothing and costs only the
// incremental listings.
func TestFreshFirmDryRunThenSyncThenQuietDay(t *testing.T) {
	ctx := context.Background()
	app := openFastSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	sb := app.SandboxInstance()
	for _, p := range core.Platforms() { // connect first: connecting is not a sync write
		if _, err := app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	before := sb.StatsSnapshot()
	dry := app.Sync(ctx, nil, true)
	after := sb.StatsSnapshot()
	for p, ps := range after.Platforms {
		if ps.Writes != before.Platforms[p].Writes {
			t.Errorf("dry run wrote to %s: %d writes", p, ps.Writes-before.Platforms[p].Writes)
		}
	}
	planned := map[string]int{}
	intakeMatters := 0
	for _, j := range dry.Jobs {
		planned[j.Job] = len(j.Planned)
		for _, p := range j.Planned {
			if j.Job == "intake" && p.Action == "create matter" {
				intakeMatters++
			}
		}
	}

	res := app.Sync(ctx, nil, false)
	for _, j := range res.Jobs {
		if j.Error != "" {
			t.Errorf("%s: %s", j.Job, j.Error)
		}
		if j.Created == 0 {
			t.Errorf("%s created nothing on a fresh firm", j.Job)
		}
	}
	// The dry run's plan matches the real run's writes job by job. A dry
	// run creates nothing, so the later jobs cannot see what the earlier
	// ones would create: the folders job's plan lacks the intake matters'
	// folders, and documents need folders that do not exist yet.
	for _, j := range res.Jobs {
		want := j.Created + j.Updated + j.Deleted
		switch j.Job {
		case "folders":
			want -= intakeMatters
		case "documents":
			continue
		}
		if planned[j.Job] != want {
			t.Errorf("%s: dry run planned %d writes, real run made %d", j.Job, planned[j.Job], want)
		}
	}
	if got := len(sb.Zoom().ExternalContacts()); got == 0 {
		t.Fatal("no Zoom contacts")
	}

	quiet := app.Sync(ctx, nil, false)
	calls := 0
	for _, j := range quiet.Jobs {
		if j.Created != 0 || j.Updated != 0 || j.Deleted != 0 || j.Failed != 0 {
			t.Errorf("quiet day changed things: %+v", j)
		}
		calls += j.APICalls
	}
	first := 0
	for _, j := range res.Jobs {
		first += j.APICalls
	}
	t.Logf("first sync %d API calls, quiet day %d", first, calls)
	if calls*10 > first {
		t.Errorf("quiet day cost %d API calls, over 10%% of the first sync's %d", calls, first)
	}
}

// TestNoSecretAnywhereOnDisk connects everything, syncs, forces a token
// refresh, disconnects one platform, and then scans every file Firmsync
// wrote (database, logs) for any token, refresh token or client secret.
func TestNoSecretAnywhereOnDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sec := secrets.NewMemory()
	app := openFastSandboxApp(t, dir, sec)
	for _, p := range core.Platforms() {
		if _, err := app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	app.Sync(ctx, nil, false)
	var needles []string
	collect := func() {
		for _, k := range sec.Keys() {
			v, err := sec.Get(ctx, k)
			if err != nil {
				continue
			}
			if strings.HasSuffix(k, "/token") {
				tok, err := auth.LoadToken(ctx, sec, strings.TrimSuffix(k, "/token"))
				if err == nil {
					needles = append(needles, tok.AccessToken, tok.RefreshToken)
				}
				continue
			}
			needles = append(needles, v)
		}
	}
	collect()
	// Force rotation: expire Zoom's and Box's access tokens, sync again.
	app.SandboxInstance().Zoom().ExpireTokens()
	app.SandboxInstance().Box().ExpireTokens()
	app.Sync(ctx, nil, false)
	collect()
	if err := app.Disconnect(ctx, "box"); err != nil {
		t.Fatal(err)
	}
	info := app.SandboxInstance().Info()
	for _, p := range info.Platforms {
		needles = append(needles, p.ClientSecret, p.WebhookSecret, p.WebhookPrimaryKey, p.WebhookSecondaryKey)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	var clean []string
	for _, n := range needles {
		if len(n) >= 8 {
			clean = append(clean, n)
		}
	}
	sort.Strings(clean)
	if len(clean) < 8 {
		t.Fatalf("too few secrets collected to make the scan meaningful: %d", len(clean))
	}
	scanned := 0
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		// DATA/sandbox is the fake platforms' own server-side state (a real
		// platform keeps its tokens too); it is not Firmsync's.
		if strings.HasPrefix(p, filepath.Join(dir, "sandbox")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		scanned++
		for _, n := range clean {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s contains a secret (%d chars, starts %q)", p, len(n), n[:4])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 2 {
		t.Fatalf("scanned %d files; expected the database and the log", scanned)
	}
}

// TestConnectionResetMidBodyLosesNothing cuts Clio's document downloads in
// the middle of the body: the documents job must not upload a partial
// file; it fails the items, and the retry uploads every document whole.
func TestConnectionResetMidBodyLosesNothing(t *testing.T) {
	ctx := context.Background()
	app := openFastSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	sb := app.SandboxInstance()
	app.Sync(ctx, []string{"intake", "folders"}, false)
	// Every document download is cut after 100 bytes, three times over.
	if err := sandbox.Admin(ctx, sb.AdminURL(), "POST", "/faults",
		map[string]any{"platform": "clio", "path_prefix": "/_s3/download", "truncate_after": 100, "count": 3}, nil); err != nil {
		t.Fatal(err)
	}
	first := app.Sync(ctx, []string{"documents"}, false)
	if first.Failed == 0 {
		t.Fatalf("no item failed although downloads were cut: %+v", first.Jobs)
	}
	// No partial file reached Box.
	for _, f := range sb.Box().Files() {
		b, err := sb.Box().FileContent(f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 100 || int64(len(b)) != f.Size {
			t.Fatalf("a truncated file reached Box: %s (%d bytes, size %d)", f.Name, len(b), f.Size)
		}
	}
	if _, err := app.Retry(ctx, "documents", nil); err != nil {
		t.Fatal(err)
	}
	res := app.Sync(ctx, []string{"documents"}, false)
	if res.Failed != 0 {
		t.Fatalf("after the retry: %+v", res.Jobs)
	}
	// Every Box file matches its Clio document byte for byte, once.
	names := map[string]int{}
	for _, f := range sb.Box().Files() {
		names[f.Parent.ID+"/"+f.Name]++
	}
	for n, c := range names {
		if c != 1 {
			t.Errorf("%s is in Box %d times", n, c)
		}
	}
	if len(names) == 0 {
		t.Fatal("no documents reached Box")
	}
}
