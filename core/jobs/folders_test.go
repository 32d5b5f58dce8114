package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/store"
)

// foldRun runs a job with a context that is never cancelled (see crunWith
// in contacts_test.go for why).
func foldRun(e *env, job string, t engine.Trigger, o engine.RunOptions) engine.Result {
	e.t.Helper()
	r := e.eng.Run(context.Background(), job, t, o)
	if r.Err != nil {
		e.t.Fatalf("%s run: %v", job, r.Err)
	}
	return r
}

func foldFull(e *env, job string) engine.Result {
	e.t.Helper()
	return foldRun(e, job, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
}

func foldTarget(e *env, job string, keys ...string) engine.Result {
	e.t.Helper()
	return foldRun(e, job, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: keys}, engine.RunOptions{})
}

func foldFault(t *testing.T, e *env, f map[string]any) {
	t.Helper()
	b, _ := json.Marshal(f)
	resp, err := http.Post(e.sb.AdminURL()+"/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("adding fault %v: %s", f, resp.Status)
	}
}

// foldMatters lists every Clio matter through the API.
func foldMatters(t *testing.T, e *env) []clio.Matter {
	t.Helper()
	ctx := context.Background()
	c, err := e.plat.Clio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []clio.Matter
	if err := c.Matters(ctx, clio.MatterQuery{}, func(m clio.Matter) error { out = append(out, m); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// foldRootItems maps folder name → id in the Box matters folder.
func foldRootItems(t *testing.T, e *env) map[string]string {
	t.Helper()
	_, items, err := e.sb.Box().Folder(e.sb.BoxRoot())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, it := range items {
		if _, dup := out[it.Name]; dup {
			t.Errorf("two items named %q in the matters folder", it.Name)
		}
		out[it.Name] = it.ID
	}
	return out
}

// foldFieldValues returns a matter's value records of the "Box Folder ID"
// field, as the fake holds them (no API call: the fakes rate-limit).
func foldFieldValues(t *testing.T, e *env, id int64) []string {
	t.Helper()
	m, ok := e.sb.Clio().Matter(id)
	if !ok {
		t.Fatalf("matter %d not found", id)
	}
	var out []string
	for _, v := range m.CustomFieldValues {
		if v.CustomField != nil && v.CustomField.Name == "Box Folder ID" && v.ID != nil {
			s, _ := v.Value.(string)
			out = append(out, s)
		}
	}
	return out
}

// foldCheckFolder asserts a matter's folder: linked, named, with the
// subfolders, and its id in the custom field exactly once.
func foldCheckFolder(t *testing.T, e *env, m clio.Matter, root map[string]string) string {
	t.Helper()
	name := jobs.FolderNameForTest(m.DisplayNumber, m.Description)
	id, ok := root[name]
	if !ok {
		t.Errorf("matter %d: no folder %q in Box", m.ID, name)
		return ""
	}
	en, found, err := e.st.Ledger("folders", "matter:"+strconv.FormatInt(m.ID, 10))
	if err != nil || !found || en.TargetID != id || en.State != store.LedgerDone {
		t.Errorf("matter %d: ledger %+v (found %v, err %v), want done → %s", m.ID, en, found, err, id)
	}
	_, items, err := e.sb.Box().Folder(id)
	if err != nil {
		t.Fatal(err)
	}
	var subs []string
	for _, it := range items {
		if it.Type == "folder" {
			subs = append(subs, it.Name)
		}
	}
	want := jobs.DefaultSubfolders()
	sort.Strings(want)
	sort.Strings(subs)
	if strings.Join(subs, ",") != strings.Join(want, ",") {
		t.Errorf("matter %d: subfolders %v, want %v", m.ID, subs, want)
	}
	if vals := foldFieldValues(t, e, m.ID); len(vals) != 1 || vals[0] != id {
		t.Errorf("matter %d: Box Folder ID values %v, want exactly [%s]", m.ID, vals, id)
	}
	return id
}

func foldWanted(ms []clio.Matter) (want, closed []clio.Matter) {
	for _, m := range ms {
		if m.Status == "Closed" {
			closed = append(closed, m)
		} else {
			want = append(want, m)
		}
	}
	return want, closed
}

func TestFoldersFirmSync(t *testing.T) {
	e := newEnv(t, envOptions{})
	ms := foldMatters(t, e)
	want, closed := foldWanted(ms)
	if len(ms) != 12 || len(closed) != 1 {
		t.Fatalf("demo firm: %d matters, %d closed; want 12 and 1", len(ms), len(closed))
	}

	res := foldFull(e, "folders")
	c := res.Run.Counts
	if res.Run.Status != "succeeded" || c.Created != len(want)+1 || c.Failed != 0 { // +1: the custom field
		t.Fatalf("first run: %s %+v, want %d created (matters + field)", res.Run.Status, c, len(want)+1)
	}
	root := foldRootItems(t, e)
	if len(root) != len(want) {
		t.Errorf("matters folder holds %d items, want %d: %v", len(root), len(want), root)
	}
	for _, m := range want {
		foldCheckFolder(t, e, m, root)
	}
	for _, m := range closed {
		if _, ok := root[jobs.FolderNameForTest(m.DisplayNumber, m.Description)]; ok {
			t.Errorf("closed matter %d got a folder", m.ID)
		}
		// A webhook about the closed matter makes no folder either.
		res := foldTarget(e, "folders", "matter:"+strconv.FormatInt(m.ID, 10))
		if c := res.Run.Counts; c.Skipped != 1 || c.Created != 0 {
			t.Errorf("closed matter webhook: %+v", c)
		}
	}
	created := 0
	for _, l := range e.logs("folders", store.LogSuccess) {
		if l.Action == "create folder" {
			created++
		}
	}
	if created != len(want) {
		t.Errorf("%d create folder log records, want %d", created, len(want))
	}

	// Second run: nothing to do, only the incremental listing.
	before := e.writes()
	res = foldFull(e, "folders")
	c = res.Run.Counts
	if c.Created+c.Updated+c.Failed != 0 || c.APICalls > 2 {
		t.Errorf("second run: %+v, want nothing created or updated and ≤ 2 API calls", c)
	}
	if after := e.writes(); after["box"] != before["box"] || after["clio"] != before["clio"] {
		t.Errorf("second run wrote: before %v after %v", before, after)
	}
	if len(foldRootItems(t, e)) != len(want) {
		t.Error("second run changed the matters folder")
	}

	// A matter webhook (e.g. the echo of our own field write) costs a read, no write.
	res = foldTarget(e, "folders", "matter:"+strconv.FormatInt(want[0].ID, 10))
	if c := res.Run.Counts; c.Created+c.Updated+c.Failed != 0 || c.Unchanged != 1 {
		t.Errorf("matter webhook: %+v", c)
	}

	// A description edited in Clio: the folder is not renamed.
	if _, err := e.sb.Clio().UpdateMatter(want[1].ID, cliofake.MatterPatch{Description: "Renamed in Clio"}); err != nil {
		t.Fatal(err)
	}
	res = foldFull(e, "folders")
	if c := res.Run.Counts; c.Created+c.Updated+c.Failed != 0 {
		t.Errorf("after a description edit: %+v, want no change", c)
	}
	foldCheckFolder(t, e, want[1], foldRootItems(t, e))

	// A new matter: one folder more.
	nm, err := e.sb.Clio().CreateMatter(cliofake.MatterInput{Description: "Estate — Doe / Smith: 50% share", Status: "Pending"})
	if err != nil {
		t.Fatal(err)
	}
	res = foldFull(e, "folders")
	if c := res.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Errorf("new matter run: %+v", c)
	}
	foldCheckFolder(t, e, nm, foldRootItems(t, e))
}

func TestFoldersDryRun(t *testing.T) {
	e := newEnv(t, envOptions{})
	before := e.writes()
	dry := foldRun(e, "folders", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if after := e.writes(); after["box"] != before["box"] || after["clio"] != before["clio"] {
		t.Fatalf("dry run wrote: before %v after %v", before, after)
	}
	if len(foldRootItems(t, e)) != 0 {
		t.Fatal("dry run made folders")
	}
	real := foldFull(e, "folders")
	planned := map[string]bool{}
	for _, p := range dry.Planned {
		planned[p.Key+" "+p.Action] = true
	}
	done := map[string]bool{}
	for _, l := range e.logs("folders", store.LogSuccess) {
		done[l.ItemKey+" "+l.Action] = true
	}
	if len(planned) != real.Run.Counts.Created || len(planned) != len(done) {
		t.Errorf("dry run planned %d, real run created %d (%d logged)", len(planned), real.Run.Counts.Created, len(done))
	}
	for k := range done {
		if !planned[k] {
			t.Errorf("real run did %q, not planned", k)
		}
	}
	if _, ok := planned["customfield:Box Folder ID create custom field"]; !ok {
		t.Errorf("the custom field is not planned: %v", planned)
	}
}

func TestFoldersAdoptsExistingFolder(t *testing.T) {
	e := newEnv(t, envOptions{})
	m := foldMatters(t, e)[0]
	name := jobs.FolderNameForTest(m.DisplayNumber, m.Description)
	pre, err := e.sb.Box().CreateFolder(e.sb.BoxRoot(), strings.ToUpper(name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.Box().CreateFolder(pre.ID, "Pleadings"); err != nil {
		t.Fatal(err)
	}
	res := foldFull(e, "folders")
	if res.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v", res.Run.Counts)
	}
	root := foldRootItems(t, e)
	if root[strings.ToUpper(name)] != pre.ID {
		t.Fatalf("the existing folder is gone: %v", root)
	}
	if _, dup := root[name]; dup {
		t.Fatal("a duplicate folder was made")
	}
	en, _, _ := e.st.Ledger("folders", "matter:"+strconv.FormatInt(m.ID, 10))
	if en.TargetID != pre.ID {
		t.Errorf("linked to %s, want the existing %s", en.TargetID, pre.ID)
	}
	_, items, _ := e.sb.Box().Folder(pre.ID)
	if len(items) != 6 {
		t.Errorf("existing folder has %d items, want the 6 subfolders", len(items))
	}
	if vals := foldFieldValues(t, e, m.ID); len(vals) != 1 || vals[0] != pre.ID {
		t.Errorf("field values %v", vals)
	}
}

func TestFoldersTrashedFolderIsRecreated(t *testing.T) {
	e := newEnv(t, envOptions{})
	foldFull(e, "folders")
	ms, _ := foldWanted(foldMatters(t, e))
	m := ms[2]
	key := "matter:" + strconv.FormatInt(m.ID, 10)
	old, _, _ := e.st.Ledger("folders", key)
	if err := e.sb.Box().DeleteItem(old.TargetID); err != nil {
		t.Fatal(err)
	}
	// Box's FOLDER.TRASHED webhook names the folder.
	res := foldTarget(e, "folders", "boxfolder:"+old.TargetID)
	if c := res.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("run: %+v", c)
	}
	now, _, _ := e.st.Ledger("folders", key)
	if now.TargetID == "" || now.TargetID == old.TargetID {
		t.Fatalf("relinked to %q (was %q)", now.TargetID, old.TargetID)
	}
	if id := foldCheckFolder(t, e, m, foldRootItems(t, e)); id != now.TargetID {
		t.Errorf("folder %s, ledger %s", id, now.TargetID)
	}
	var noted bool
	for _, l := range e.logs("folders", store.LogSuccess) {
		if l.ItemKey == key && l.Action == "recreate folder" && strings.Contains(l.Message, "deleted or trashed in Box") {
			noted = true
		}
	}
	if !noted {
		t.Error("the dropped link is not in the log")
	}

	// A trashed folder found by a full run (the matter changed in Clio).
	m2 := ms[3]
	key2 := "matter:" + strconv.FormatInt(m2.ID, 10)
	old2, _, _ := e.st.Ledger("folders", key2)
	if err := e.sb.Box().DeleteItem(old2.TargetID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.Clio().UpdateMatter(m2.ID, cliofake.MatterPatch{Status: "Open"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.Clio().UpdateMatter(m2.ID, cliofake.MatterPatch{Description: m2.Description + " (edited)"}); err != nil {
		t.Fatal(err)
	}
	res = foldFull(e, "folders")
	if c := res.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("full run: %+v", c)
	}
	now2, _, _ := e.st.Ledger("folders", key2)
	if now2.TargetID == old2.TargetID {
		t.Fatal("not relinked")
	}
	if vals := foldFieldValues(t, e, m2.ID); len(vals) != 1 || vals[0] != now2.TargetID {
		t.Errorf("field values %v, want [%s]", vals, now2.TargetID)
	}
	// A Box folder that is not a matter folder.
	res = foldTarget(e, "folders", "boxfolder:999999")
	if c := res.Run.Counts; c.Skipped != 1 || c.Created+c.Failed != 0 {
		t.Errorf("unknown folder: %+v", c)
	}
}

func TestFoldersAwkwardNames(t *testing.T) {
	e := newEnv(t, envOptions{})
	descs := []string{
		"Müller / Schäfer: Scheidung — Sorgerecht",
		"李 v. 王: 合同纠纷",
		`Doe "Big" <Co> | A*B? C\D.`,
		strings.Repeat("Very long description of the matter ", 10),
	}
	var made []clio.Matter
	for _, d := range descs {
		m, err := e.sb.Clio().CreateMatter(cliofake.MatterInput{Description: d})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, m)
	}
	res := foldFull(e, "folders")
	if res.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v; %v", res.Run.Counts, e.logs("folders", store.LogFailed))
	}
	root := foldRootItems(t, e)
	for _, m := range made {
		id := foldCheckFolder(t, e, m, root)
		f, _, err := e.sb.Box().Folder(id)
		if err != nil {
			t.Fatal(err)
		}
		checkFolderName(t, f.Name)
	}
}

// A crash between the intent and the ledger result: the folder exists in
// Box, the ledger holds only the intent.
func TestFoldersOpenIntentIsReconciled(t *testing.T) {
	e := newEnv(t, envOptions{})
	m := foldMatters(t, e)[0]
	name := jobs.FolderNameForTest(m.DisplayNumber, m.Description)
	made, err := e.sb.Box().CreateFolder(e.sb.BoxRoot(), name)
	if err != nil {
		t.Fatal(err)
	}
	key := "matter:" + strconv.FormatInt(m.ID, 10)
	if err := e.st.PutLedger(store.LedgerEntry{Job: "folders", Key: key, State: store.LedgerIntent,
		Extra: map[string]string{"name": name, "parent": e.sb.BoxRoot()}}); err != nil {
		t.Fatal(err)
	}
	res := foldFull(e, "folders")
	if res.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v", res.Run.Counts)
	}
	root := foldRootItems(t, e)
	if root[name] != made.ID {
		t.Fatalf("folder %q is %s, want the one made before the crash %s", name, root[name], made.ID)
	}
	foldCheckFolder(t, e, m, root)
	want, _ := foldWanted(foldMatters(t, e))
	if len(root) != len(want) {
		t.Errorf("%d folders, want %d", len(root), len(want))
	}
}

func TestFoldersFieldRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	// Clio answers 403 for custom fields (the sandbox's faults match paths,
	// not methods, so this refuses the field lookup: the same outcome as a
	// refused create).
	foldFault(t, e, map[string]any{"platform": "clio", "path_prefix": "/api/v4/custom_fields", "status": 403, "count": 1})
	res := foldFull(e, "folders")
	want, _ := foldWanted(foldMatters(t, e))
	c := res.Run.Counts
	// The listing of custom fields is the request that got the 403 here, or the create:
	// either way the field is unavailable and one needs-attention item says so.
	att := e.logs("folders", store.LogNeedsAttention)
	if len(att) != 1 || att[0].ItemKey != "customfield:Box Folder ID" || !strings.Contains(att[0].Error, "Settings → Custom Fields") {
		t.Fatalf("needs attention: %+v (counts %+v)", att, c)
	}
	if c.Created != len(want) {
		t.Errorf("created %d folders, want %d (%+v)", c.Created, len(want), c)
	}
	if len(foldRootItems(t, e)) != len(want) {
		t.Error("folders missing")
	}
	// The person fixes it and presses Retry.
	if _, err := e.eng.RetryItems(context.Background(), "folders", nil); err != nil {
		t.Fatal(err)
	}
	res = foldTarget(e, "folders", "customfield:Box Folder ID")
	if c := res.Run.Counts; c.Failed != 0 || c.Updated != len(want) {
		t.Fatalf("retry: %+v", c)
	}
	root := foldRootItems(t, e)
	for _, m := range want {
		foldCheckFolder(t, e, m, root)
	}
	res = foldFull(e, "folders")
	if c := res.Run.Counts; c.Created+c.Updated+c.Failed != 0 {
		t.Errorf("after the fix: %+v", c)
	}
}

func TestFoldersBoxNotConnected(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.disconnect("box")
	res := foldFull(e, "folders")
	if res.Run.Status != "skipped" || !strings.Contains(res.Run.Error, "box is not connected") {
		t.Errorf("run: %s %q", res.Run.Status, res.Run.Error)
	}
}

func TestFoldersBoxTroubleIsRetried(t *testing.T) {
	e := newEnv(t, envOptions{})
	want, _ := foldWanted(foldMatters(t, e))
	// The connection drops on the first folder create (a POST is not replayed).
	foldFault(t, e, map[string]any{"platform": "box", "path_prefix": "/2.0/folders", "drop": true, "count": 1})
	res := foldFull(e, "folders")
	failed := e.logs("folders", store.LogFailed)
	if res.Run.Counts.Failed != 1 || len(failed) != 1 {
		t.Fatalf("run: %+v, failed %v", res.Run.Counts, failed)
	}
	var failedAt time.Time
	for _, m := range want {
		if "matter:"+strconv.FormatInt(m.ID, 10) == failed[0].ItemKey {
			failedAt = m.UpdatedAt
		}
	}
	wm, _ := e.st.Watermark("folders")
	if mark, err := time.Parse(time.RFC3339Nano, wm); err != nil || mark.After(failedAt) {
		t.Errorf("watermark %q passed the failed matter (updated %v)", wm, failedAt)
	}
	if _, err := e.eng.RetryItems(context.Background(), "folders", nil); err != nil {
		t.Fatal(err)
	}
	res = foldFull(e, "folders")
	if res.Run.Counts.Failed != 0 {
		t.Fatalf("second run: %+v", res.Run.Counts)
	}
	root := foldRootItems(t, e)
	if len(root) != len(want) {
		t.Errorf("%d folders, want %d", len(root), len(want))
	}
	for _, m := range want {
		foldCheckFolder(t, e, m, root)
	}
}

// foldLoseDatabase replaces the env's store and engine with empty ones over
// the same platforms: firmsync.db deleted, a new PC.
func foldLoseDatabase(t *testing.T, e *env) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "firmsync.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	e.eng = engine.New(engine.Options{Store: st, Bus: e.bus})
	for _, j := range jobs.All(jobs.Deps{Platforms: e.plat, Settings: e.getSettings}) {
		e.eng.Register(j)
	}
}

// foldCalls is the requests per endpoint of one platform since before.
func foldCalls(e *env, platform string, before map[string]int) map[string]int {
	out := map[string]int{}
	for ep, n := range e.sb.StatsSnapshot().Platforms[platform].Endpoints {
		if n -= before[ep]; n != 0 {
			out[ep] = n
		}
	}
	return out
}

// foldSubfolders is the names of the folders in a Box folder, sorted.
func foldSubfolders(t *testing.T, e *env, id string) []string {
	t.Helper()
	_, items, err := e.sb.Box().Folder(id)
	if err != nil {
		t.Fatalf("Box folder %s: %v", id, err)
	}
	var subs []string
	for _, it := range items {
		if it.Type == "folder" {
			subs = append(subs, it.Name)
		}
	}
	sort.Strings(subs)
	return subs
}

// After a lost database the matters' folders are recognised on Box (by
// the folder id in each matter's field, else by name) instead of made a
// second time, at one listing per matter.
func TestFoldersRebuildAfterLostDatabase(t *testing.T) {
	type world struct {
		want  []clio.Matter
		links map[int64]string // matter → folder id after the first sync
		fid   int64            // the "Box Folder ID" field
	}
	cases := []struct {
		name string
		// prep changes the platforms after the database was lost; it
		// returns the matter whose folder must be new ("" none).
		prep             func(t *testing.T, e *env, w world) int64
		created, updated int
	}{
		{name: "intact"},
		{
			// The folder name no longer matches: only the field finds it.
			name: "description edited since",
			prep: func(t *testing.T, e *env, w world) int64 {
				if _, err := e.sb.Clio().UpdateMatter(w.want[0].ID, cliofake.MatterPatch{Description: "Renamed after the sync"}); err != nil {
					t.Fatal(err)
				}
				return 0
			},
		},
		{
			name: "a subfolder missing",
			prep: func(t *testing.T, e *env, w world) int64 {
				_, items, _ := e.sb.Box().Folder(w.links[w.want[1].ID])
				for _, it := range items {
					if it.Name == "Pleadings" {
						if err := e.sb.Box().DeleteItem(it.ID); err != nil {
							t.Fatal(err)
						}
					}
				}
				return 0
			},
			updated: 1,
		},
		{
			// The field lost the id: the folder of the matter's name is adopted.
			name: "field empty, folder found by name",
			prep: func(t *testing.T, e *env, w world) int64 {
				ctx := context.Background()
				c, _ := e.plat.Clio(ctx)
				if err := c.SetMatterCustomField(ctx, w.want[2].ID, w.fid, ""); err != nil {
					t.Fatal(err)
				}
				return 0
			},
			updated: 1,
		},
		{
			name: "folder trashed in Box",
			prep: func(t *testing.T, e *env, w world) int64 {
				if err := e.sb.Box().DeleteItem(w.links[w.want[3].ID]); err != nil {
					t.Fatal(err)
				}
				return w.want[3].ID
			},
			created: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			if res := foldFull(e, "folders"); res.Run.Counts.Failed != 0 {
				t.Fatalf("first sync: %+v", res.Run.Counts)
			}
			w := world{links: map[int64]string{}}
			w.want, _ = foldWanted(foldMatters(t, e))
			for _, m := range w.want {
				en, _, _ := e.st.Ledger("folders", "matter:"+strconv.FormatInt(m.ID, 10))
				w.links[m.ID] = en.TargetID
				w.fid, _ = strconv.ParseInt(en.Extra["field_id"], 10, 64)
			}
			foldLoseDatabase(t, e)
			var fresh int64
			if tc.prep != nil {
				fresh = tc.prep(t, e, w)
			}
			boxBefore := e.sb.StatsSnapshot().Platforms["box"].Endpoints
			writes := e.writes()

			res := foldFull(e, "folders")
			c := res.Run.Counts
			if c.Created != tc.created || c.Updated != tc.updated || c.Failed != 0 ||
				c.Unchanged != len(w.want)-tc.created-tc.updated {
				t.Errorf("rebuild: %+v, want %d created, %d updated, the rest unchanged", c, tc.created, tc.updated)
			}
			if tc.created+tc.updated == 0 {
				if after := e.writes(); after["box"] != writes["box"] || after["clio"] != writes["clio"] {
					t.Errorf("rebuild wrote: %v → %v", writes, after)
				}
			}
			// One listing of each matter's folder, nothing else on Box for
			// the matters that are intact.
			calls := foldCalls(e, "box", boxBefore)
			if n := calls["GET /2.0/folders/{id}/items"]; n != len(w.want) {
				t.Errorf("%d Box folder listings for %d matters: %v", n, len(w.want), calls)
			}
			if n := calls["GET /2.0/folders/{id}"]; n != 0 {
				t.Errorf("%d Box folder reads besides the listings: %v", n, calls)
			}
			root := foldRootItems(t, e)
			if len(root) != len(w.want) {
				t.Errorf("%d folders in the matters folder, want %d: %v", len(root), len(w.want), root)
			}
			inRoot := map[string]bool{}
			for _, id := range root {
				inRoot[id] = true
			}
			subs := jobs.DefaultSubfolders()
			sort.Strings(subs)
			for _, m := range w.want {
				en, found, _ := e.st.Ledger("folders", "matter:"+strconv.FormatInt(m.ID, 10))
				switch {
				case !found || en.State != store.LedgerDone:
					t.Errorf("matter %d: not linked: %+v", m.ID, en)
					continue
				case m.ID == fresh && en.TargetID == w.links[m.ID]:
					t.Errorf("matter %d: still linked to its trashed folder %s", m.ID, en.TargetID)
				case m.ID != fresh && en.TargetID != w.links[m.ID]:
					t.Errorf("matter %d: linked to %s, want its folder %s", m.ID, en.TargetID, w.links[m.ID])
				}
				if !inRoot[en.TargetID] {
					t.Errorf("matter %d: folder %s is not in the matters folder", m.ID, en.TargetID)
				}
				if got := foldSubfolders(t, e, en.TargetID); strings.Join(got, ",") != strings.Join(subs, ",") {
					t.Errorf("matter %d: subfolders %v, want %v", m.ID, got, subs)
				}
				if vals := foldFieldValues(t, e, m.ID); len(vals) != 1 || vals[0] != en.TargetID {
					t.Errorf("matter %d: field values %v, want [%s]", m.ID, vals, en.TargetID)
				}
			}

			// The ledger is whole again: the next run only lists.
			res = foldFull(e, "folders")
			if c := res.Run.Counts; c.Created+c.Updated+c.Failed != 0 || c.APICalls > 2 {
				t.Errorf("run after the rebuild: %+v, want nothing done and ≤ 2 API calls", c)
			}
		})
	}
}
