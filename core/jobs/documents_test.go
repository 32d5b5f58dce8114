package jobs_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/store"
)

// docsLinked runs the folders job and returns matter id → Box folder id.
func docsLinked(t *testing.T, e *env) map[int64]string {
	t.Helper()
	if res := foldFull(e, "folders"); res.Run.Counts.Failed != 0 {
		t.Fatalf("folders run: %+v", res.Run.Counts)
	}
	es, err := e.st.LedgerEntries("folders", store.LedgerDone)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, en := range es {
		if id, err := strconv.ParseInt(strings.TrimPrefix(en.Key, "matter:"), 10, 64); err == nil && strings.HasPrefix(en.Key, "matter:") {
			out[id] = en.TargetID
		}
	}
	return out
}

// docsOf lists the documents of the given matters through the API.
func docsOf(t *testing.T, e *env, matters map[int64]string) map[int64]clio.Document {
	t.Helper()
	ctx := context.Background()
	c, _ := e.plat.Clio(ctx)
	out := map[int64]clio.Document{}
	for id := range matters {
		if err := c.Documents(ctx, id, clio.DocumentQuery{}, func(d clio.Document) error { out[d.ID] = d; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func docsSHA(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }

// docsFile is the Box file linked to a document.
func docsFile(t *testing.T, e *env, docID int64) string {
	t.Helper()
	en, ok, err := e.st.Ledger("documents", "doc:"+strconv.FormatInt(docID, 10))
	if err != nil || !ok || en.State != store.LedgerDone || en.TargetID == "" {
		t.Fatalf("doc %d: ledger %+v found %v err %v", docID, en, ok, err)
	}
	return en.TargetID
}

// docsCheck asserts that the document's Box file holds its Clio content and
// sits in folder.
func docsCheck(t *testing.T, e *env, docID int64, folder string) string {
	t.Helper()
	fid := docsFile(t, e, docID)
	want, ok := e.sb.Clio().DocumentContent(docID)
	if !ok {
		t.Fatalf("doc %d has no content", docID)
	}
	got, err := e.sb.Box().FileContent(fid)
	if err != nil {
		t.Fatalf("doc %d: Box file %s: %v", docID, fid, err)
	}
	if docsSHA(got) != docsSHA(want) {
		t.Errorf("doc %d: Box file %s has sha1 %s, Clio %s", docID, fid, docsSHA(got), docsSHA(want))
	}
	_, items, err := e.sb.Box().Folder(folder)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range items {
		found = found || it.ID == fid
	}
	if !found {
		t.Errorf("doc %d: file %s is not in folder %s", docID, fid, folder)
	}
	return fid
}

// docsFileCount counts the live files in Box.
func docsFileCount(e *env) int { return len(e.sb.Box().Files()) }

func TestDocumentsFirmSync(t *testing.T) {
	e := newEnv(t, envOptions{})
	linked := docsLinked(t, e)
	docs := docsOf(t, e, linked)
	if len(docs) == 0 {
		t.Fatal("no documents in linked matters")
	}
	res := foldFull(e, "documents")
	if c := res.Run.Counts; c.Created != len(docs) || c.Failed != 0 || res.Run.Status != "succeeded" {
		t.Fatalf("first run: %s %+v, want %d created", res.Run.Status, c, len(docs))
	}
	for id, d := range docs {
		docsCheck(t, e, id, linked[d.Matter.ID])
	}
	if n := docsFileCount(e); n != len(docs) {
		t.Errorf("%d files in Box, want %d (documents of closed matters stay out)", n, len(docs))
	}

	// Second run: one listing of recent changes across all matters,
	// however many matters are linked, and nothing else.
	before := e.writes()
	res = foldFull(e, "documents")
	if c := res.Run.Counts; c.Created+c.Updated+c.Failed != 0 || c.APICalls != 1 {
		t.Errorf("second run: %+v, want nothing done and 1 API call (%d matters linked)", c, len(linked))
	}
	if after := e.writes(); after["box"] != before["box"] {
		t.Errorf("second run wrote to Box: %v → %v", before, after)
	}

	// A new version in Clio → a new version of the same Box file.
	var d clio.Document
	for _, x := range docs {
		if d.ID == 0 || x.ID < d.ID {
			d = x
		}
	}
	oldFile := docsFile(t, e, d.ID)
	oldBox, _ := e.sb.Box().FileContent(oldFile)
	nd, err := e.sb.Clio().AddDocument(d.Matter.ID, d.Name, []byte("version two of "+d.Name))
	if err != nil {
		t.Fatal(err)
	}
	if nd.ID != d.ID {
		t.Fatalf("AddDocument made document %d, want a new version of %d", nd.ID, d.ID)
	}
	res = foldFull(e, "documents")
	if c := res.Run.Counts; c.Updated != 1 || c.Created+c.Failed != 0 {
		t.Fatalf("new version run: %+v", c)
	}
	if f := docsCheck(t, e, d.ID, linked[d.Matter.ID]); f != oldFile {
		t.Errorf("new version went to file %s, want %s", f, oldFile)
	}
	if nowBox, _ := e.sb.Box().FileContent(oldFile); docsSHA(nowBox) == docsSHA(oldBox) {
		t.Error("Box content did not change")
	}
	if n := docsFileCount(e); n != len(docs) {
		t.Errorf("%d files, want %d", n, len(docs))
	}

	// A webhook for one document (version three).
	if _, err := e.sb.Clio().AddDocument(d.Matter.ID, d.Name, []byte("version three")); err != nil {
		t.Fatal(err)
	}
	res = foldTarget(e, "documents", "doc:"+strconv.FormatInt(d.ID, 10))
	if c := res.Run.Counts; c.Updated != 1 || c.Created+c.Failed != 0 {
		t.Fatalf("targeted run: %+v", c)
	}
	docsCheck(t, e, d.ID, linked[d.Matter.ID])

	// A new document on a linked matter, by webhook (its matter unknown to the ledger).
	added, err := e.sb.Clio().AddDocument(d.Matter.ID, "Späte Notiz: a/b.txt", []byte("late note"))
	if err != nil {
		t.Fatal(err)
	}
	res = foldTarget(e, "documents", "doc:"+strconv.FormatInt(added.ID, 10))
	if c := res.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("new document webhook: %+v", c)
	}
	docsCheck(t, e, added.ID, linked[d.Matter.ID])
	res = foldFull(e, "documents")
	if c := res.Run.Counts; c.Created+c.Updated+c.Failed != 0 {
		t.Errorf("run after webhooks: %+v", c)
	}
}

func TestDocumentsDryRun(t *testing.T) {
	e := newEnv(t, envOptions{})
	docsLinked(t, e)
	before := e.writes()
	dry := foldRun(e, "documents", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if after := e.writes(); after["box"] != before["box"] || after["clio"] != before["clio"] {
		t.Fatalf("dry run wrote: %v → %v", before, after)
	}
	real := foldFull(e, "documents")
	planned := map[string]bool{}
	for _, p := range dry.Planned {
		planned[p.Key] = true
	}
	if len(planned) != real.Run.Counts.Created || len(dry.Planned) != len(planned) {
		t.Errorf("planned %d (%d distinct), created %d", len(dry.Planned), len(planned), real.Run.Counts.Created)
	}
	for _, l := range e.logs("documents", store.LogSuccess) {
		if !planned[l.ItemKey] {
			t.Errorf("real run did %s %q, not planned", l.Action, l.ItemKey)
		}
	}
}

func TestDocumentsLargeFileIsChunked(t *testing.T) {
	e := newEnv(t, envOptions{})
	linked := docsLinked(t, e)
	foldFull(e, "documents")
	var mid int64
	for id := range linked {
		mid = id
		break
	}
	big := make([]byte, 30<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i+8 <= len(big); i += 8 {
		v := rng.Uint64()
		for k := range 8 {
			big[i+k] = byte(v >> (8 * k))
		}
	}
	d, err := e.sb.Clio().AddDocument(mid, "Deposition video.mp4", big)
	if err != nil {
		t.Fatal(err)
	}
	before := e.sb.StatsSnapshot().Platforms["box"].Endpoints
	res := foldFull(e, "documents")
	if c := res.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("run: %+v", c)
	}
	fid := docsCheck(t, e, d.ID, linked[mid])
	after := e.sb.StatsSnapshot().Platforms["box"].Endpoints
	sessions := 0
	for ep, n := range after {
		if strings.Contains(ep, "upload_sessions") {
			sessions += n - before[ep]
		}
	}
	if sessions == 0 {
		t.Errorf("no upload session used for 30 MB: %v", after)
	}
	f, _, err := e.sb.Box().Folder(linked[mid])
	if err != nil {
		t.Fatal(err)
	}
	_ = f
	if got, _ := e.sb.Box().FileContent(fid); len(got) != len(big) {
		t.Errorf("Box holds %d bytes, want %d", len(got), len(big))
	}
}

// docsClashSetup links the folders, picks a document and puts a file of the
// same name into its matter folder before the documents job runs.
func docsClashSetup(t *testing.T, e *env, content func(clio.Document) []byte) (clio.Document, string, string) {
	t.Helper()
	linked := docsLinked(t, e)
	docs := docsOf(t, e, linked)
	var d clio.Document
	for _, x := range docs {
		if d.ID == 0 || x.ID < d.ID {
			d = x
		}
	}
	folder := linked[d.Matter.ID]
	f, err := e.sb.Box().UploadFile(folder, strings.ToLower(d.Name), content(d))
	if err != nil {
		t.Fatal(err)
	}
	return d, folder, f.ID
}

func TestDocumentsNameClash(t *testing.T) {
	t.Run("same content is adopted", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		d, folder, pre := docsClashSetup(t, e, func(d clio.Document) []byte { b, _ := e.sb.Clio().DocumentContent(d.ID); return b })
		files := docsFileCount(e)
		res := foldFull(e, "documents")
		if res.Run.Counts.Failed != 0 {
			t.Fatalf("run: %+v", res.Run.Counts)
		}
		if got := docsCheck(t, e, d.ID, folder); got != pre {
			t.Errorf("linked %s, want the existing %s", got, pre)
		}
		if n := docsFileCount(e); n != files+res.Run.Counts.Created {
			t.Errorf("%d files after, %d before, %d created", n, files, res.Run.Counts.Created)
		}
	})
	t.Run("version", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		d, folder, pre := docsClashSetup(t, e, func(clio.Document) []byte { return []byte("someone else's file") })
		res := foldFull(e, "documents")
		if res.Run.Counts.Failed != 0 || res.Run.Counts.Updated != 1 {
			t.Fatalf("run: %+v", res.Run.Counts)
		}
		if got := docsCheck(t, e, d.ID, folder); got != pre {
			t.Errorf("linked %s, want a new version of %s", got, pre)
		}
		found := false
		for _, l := range e.logs("documents", store.LogSuccess) {
			found = found || (l.Action == "upload as new version" && strings.Contains(l.Message, "version history"))
		}
		if !found {
			t.Error("the clash is not explained in the log")
		}
	})
	t.Run("keep both", func(t *testing.T) {
		e := newEnv(t, envOptions{Settings: func(s *jobs.Settings) { s.NameClash = "keep_both" }})
		d, folder, pre := docsClashSetup(t, e, func(clio.Document) []byte { return []byte("someone else's file") })
		res := foldFull(e, "documents")
		if res.Run.Counts.Failed != 0 {
			t.Fatalf("run: %+v", res.Run.Counts)
		}
		got := docsCheck(t, e, d.ID, folder)
		if got == pre {
			t.Fatal("the other file was overwritten")
		}
		if b, _ := e.sb.Box().FileContent(pre); string(b) != "someone else's file" {
			t.Errorf("the other file changed: %q", b)
		}
		_, items, _ := e.sb.Box().Folder(folder)
		want := jobs.DocsKeepBothNameForTest(d.Name, d.ID)
		named := false
		for _, it := range items {
			named = named || (it.ID == got && it.Name == want)
		}
		if !named {
			t.Errorf("no file %q (%s) in the folder: %+v", want, got, items)
		}
	})
}

func TestDocumentsDroppedUploadCompletesNextRun(t *testing.T) {
	e := newEnv(t, envOptions{})
	linked := docsLinked(t, e)
	docs := docsOf(t, e, linked)
	foldFault(t, e, map[string]any{"platform": "box", "path_prefix": "/api/2.0/files", "drop": true})
	res := foldFull(e, "documents")
	if c := res.Run.Counts; c.Failed != 1 || c.Created != len(docs)-1 {
		t.Fatalf("run with a dropped upload: %+v", c)
	}
	if _, err := e.eng.RetryItems(context.Background(), "documents", nil); err != nil {
		t.Fatal(err)
	}
	res = foldFull(e, "documents")
	if c := res.Run.Counts; c.Failed != 0 || c.Created != 1 {
		t.Fatalf("next run: %+v", c)
	}
	for id, d := range docs {
		docsCheck(t, e, id, linked[d.Matter.ID])
	}
	if n := docsFileCount(e); n != len(docs) {
		t.Errorf("%d files, want %d (no duplicate)", n, len(docs))
	}
}

// A crash after Box stored the upload but before the ledger recorded it.
func TestDocumentsOpenIntentIsReconciled(t *testing.T) {
	e := newEnv(t, envOptions{})
	linked := docsLinked(t, e)
	docs := docsOf(t, e, linked)
	var d clio.Document
	for _, x := range docs {
		if d.ID == 0 || x.ID < d.ID {
			d = x
		}
	}
	folder := linked[d.Matter.ID]
	content, _ := e.sb.Clio().DocumentContent(d.ID)
	made, err := e.sb.Box().UploadFile(folder, d.Name, content)
	if err != nil {
		t.Fatal(err)
	}
	key := "doc:" + strconv.FormatInt(d.ID, 10)
	err = e.st.PutLedger(store.LedgerEntry{Job: "documents", Key: key, State: store.LedgerIntent, Extra: map[string]string{
		"intent": "upload", "name": d.Name, "folder": folder, "pending_version": strconv.FormatInt(d.LatestDocumentVersion.ID, 10),
		"pending_matter_folder": folder, "matter": strconv.FormatInt(d.Matter.ID, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	res := foldFull(e, "documents")
	if c := res.Run.Counts; c.Failed != 0 || c.Created != len(docs)-1 {
		t.Fatalf("run: %+v", c)
	}
	if got := docsCheck(t, e, d.ID, folder); got != made.ID {
		t.Errorf("linked %s, want the file stored before the crash %s", got, made.ID)
	}
	if n := docsFileCount(e); n != len(docs) {
		t.Errorf("%d files, want %d", n, len(docs))
	}
}

func TestDocumentsMatterWithoutFolder(t *testing.T) {
	e := newEnv(t, envOptions{})
	linked := docsLinked(t, e)
	foldFull(e, "documents")
	m, err := e.sb.Clio().CreateMatter(cliofakeMatter("New matter with papers"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.sb.Clio().AddDocument(m.ID, "Retainer.pdf", []byte("retainer"))
	if err != nil {
		t.Fatal(err)
	}
	res := foldTarget(e, "documents", "matter:"+strconv.FormatInt(m.ID, 10))
	if c := res.Run.Counts; c.Skipped != 1 || c.Created != 0 {
		t.Fatalf("matter without folder: %+v", c)
	}
	if l := e.logs("documents", store.LogSkipped); len(l) == 0 || !strings.Contains(l[len(l)-1].Message, "no Box folder yet") {
		t.Errorf("skip reason: %+v", l)
	}
	res = foldFull(e, "documents")
	if c := res.Run.Counts; c.Created != 0 || c.Failed != 0 {
		t.Fatalf("documents run before the folder: %+v", c)
	}
	// Move the documents watermark well past the document, then link the matter.
	linked = docsLinked(t, e)
	res = foldFull(e, "documents")
	if c := res.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("documents run after the folder: %+v", c)
	}
	docsCheck(t, e, d.ID, linked[m.ID])
}

func TestDocumentsFollowRecreatedFolder(t *testing.T) {
	e := newEnv(t, envOptions{Settings: func(s *jobs.Settings) { s.DocumentSubfolder = "Correspondence" }})
	linked := docsLinked(t, e)
	docs := docsOf(t, e, linked)
	res := foldFull(e, "documents")
	if res.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v", res.Run.Counts)
	}
	var d clio.Document
	for _, x := range docs {
		if d.ID == 0 || x.ID < d.ID {
			d = x
		}
	}
	sub := func(folder string) string {
		_, items, err := e.sb.Box().Folder(folder)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Type == "folder" && it.Name == "Correspondence" {
				return it.ID
			}
		}
		t.Fatalf("no Correspondence subfolder in %s", folder)
		return ""
	}
	docsCheck(t, e, d.ID, sub(linked[d.Matter.ID]))
	// A person trashes the matter folder; the folders job makes it again.
	if err := e.sb.Box().DeleteItem(linked[d.Matter.ID]); err != nil {
		t.Fatal(err)
	}
	foldTarget(e, "folders", "boxfolder:"+linked[d.Matter.ID])
	linked = docsLinked(t, e)
	res = foldFull(e, "documents")
	if c := res.Run.Counts; c.Failed != 0 || c.Created == 0 {
		t.Fatalf("run after the folder was made again: %+v", c)
	}
	for id, x := range docs {
		if x.Matter.ID == d.Matter.ID {
			docsCheck(t, e, id, sub(linked[d.Matter.ID]))
		}
	}
}

func cliofakeMatter(desc string) cliofake.MatterInput { return cliofake.MatterInput{Description: desc} }

// A document whose upload to Clio is still running (Clio's index hides it
// unless show_uncompleted) is skipped as unfinished, not reported as gone.
func TestDocumentsTargetedUnfinishedUploadIsNotGone(t *testing.T) {
	e := newEnv(t, envOptions{})
	linked := docsLinked(t, e)
	var matterID int64
	for id := range linked {
		matterID = max(matterID, id)
	}
	ctx := context.Background()
	c, _ := e.plat.Clio(ctx)
	_, err := c.Upload(ctx, clio.Parent{ID: matterID, Type: "Matter"}, "scan.pdf", 10, strings.NewReader("short"))
	var ue *clio.UploadError
	if !errors.As(err, &ue) || ue.DocumentID == 0 {
		t.Fatalf("upload: %v, want an UploadError after step 1", err)
	}
	res := foldTarget(e, "documents", "doc:"+strconv.FormatInt(ue.DocumentID, 10))
	if c := res.Run.Counts; c.Skipped != 1 || c.Created != 0 || c.Failed != 0 {
		t.Fatalf("targeted run: %+v", c)
	}
	if l := e.logs("documents", store.LogSkipped); len(l) == 0 || !strings.Contains(l[len(l)-1].Message, "not finished") {
		t.Errorf("skip reason: %+v, want the upload is not finished", l)
	}
}

// After a lost database the documents already in their Box folders are
// linked again (same name and size) instead of uploaded a second time, at
// one listing of the Box folder per matter and no download.
func TestDocumentsRebuildAfterLostDatabase(t *testing.T) {
	type world struct {
		docs   map[int64]clio.Document
		linked map[int64]string // matter → Box folder
		files  map[int64]string // document → Box file after the first sync
		first  clio.Document    // the document with the lowest id
	}
	cases := []struct {
		name     string
		settings func(*jobs.Settings)
		setup    func(t *testing.T, e *env, linked map[int64]string, docs map[int64]clio.Document) // before the first sync
		// prep changes the platforms after the database was lost; it
		// returns the document that must end in a new Box file (0 none).
		prep             func(t *testing.T, e *env, w world) int64
		created, updated int
		otherFiles       int // files in Box that are no document's
	}{
		{name: "intact"},
		{
			// A new Clio version while the database was lost: a new version
			// of the same Box file, not a second file.
			name: "same name, other size",
			prep: func(t *testing.T, e *env, w world) int64 {
				if _, err := e.sb.Clio().AddDocument(w.first.Matter.ID, w.first.Name, []byte("a longer second version of the document")); err != nil {
					t.Fatal(err)
				}
				return 0
			},
			updated: 1,
		},
		{
			name: "file deleted in Box",
			prep: func(t *testing.T, e *env, w world) int64 {
				if err := e.sb.Box().DeleteItem(w.files[w.first.ID]); err != nil {
					t.Fatal(err)
				}
				return w.first.ID
			},
			created: 1,
		},
		{
			// The document went in as "<name> (Clio <id>)" beside a person's
			// file; both are recognised, the person's file is left alone.
			name:     "keep-both file",
			settings: func(s *jobs.Settings) { s.NameClash = "keep_both" },
			setup: func(t *testing.T, e *env, linked map[int64]string, docs map[int64]clio.Document) {
				var d clio.Document
				for _, x := range docs {
					if d.ID == 0 || x.ID < d.ID {
						d = x
					}
				}
				if _, err := e.sb.Box().UploadFile(linked[d.Matter.ID], d.Name, []byte("someone else's file")); err != nil {
					t.Fatal(err)
				}
			},
			otherFiles: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{Settings: tc.settings})
			w := world{linked: docsLinked(t, e), files: map[int64]string{}}
			w.docs = docsOf(t, e, w.linked)
			if tc.setup != nil {
				tc.setup(t, e, w.linked, w.docs)
			}
			if res := foldFull(e, "documents"); res.Run.Counts.Failed != 0 || res.Run.Counts.Created != len(w.docs) {
				t.Fatalf("first sync: %+v, want %d created", res.Run.Counts, len(w.docs))
			}
			withDocs := map[int64]bool{}
			for id, d := range w.docs {
				w.files[id] = docsFile(t, e, id)
				withDocs[d.Matter.ID] = true
				if w.first.ID == 0 || id < w.first.ID {
					w.first = d
				}
			}
			foldLoseDatabase(t, e)
			var fresh int64
			if tc.prep != nil {
				fresh = tc.prep(t, e, w)
			}
			if res := foldFull(e, "folders"); res.Run.Counts.Created+res.Run.Counts.Failed != 0 {
				t.Fatalf("folders rebuild: %+v", res.Run.Counts)
			}
			boxBefore := e.sb.StatsSnapshot().Platforms["box"].Endpoints
			clioBefore := e.sb.StatsSnapshot().Platforms["clio"].Endpoints
			writes := e.writes()

			res := foldFull(e, "documents")
			c := res.Run.Counts
			if c.Created != tc.created || c.Updated != tc.updated || c.Failed != 0 ||
				c.Unchanged != len(w.docs)-tc.created-tc.updated {
				t.Errorf("rebuild: %+v, want %d created, %d updated, the rest unchanged", c, tc.created, tc.updated)
			}
			if tc.created+tc.updated == 0 && e.writes()["box"] != writes["box"] {
				t.Errorf("rebuild wrote to Box: %v → %v", writes, e.writes())
			}
			boxCalls, clioCalls := foldCalls(e, "box", boxBefore), foldCalls(e, "clio", clioBefore)
			if n := boxCalls["GET /2.0/folders/{id}/items"]; n != len(withDocs) {
				t.Errorf("%d Box folder listings for %d matters with documents: %v", n, len(withDocs), boxCalls)
			}
			downloads := 0
			for ep, n := range clioCalls {
				if strings.HasSuffix(ep, "/download.json") { // then the storage GET it points to
					downloads += n
				}
			}
			if want := tc.created + tc.updated; downloads != want {
				t.Errorf("%d downloads from Clio, want %d (only what is sent): %v", downloads, want, clioCalls)
			}
			if n := docsFileCount(e); n != len(w.docs)+tc.otherFiles {
				t.Errorf("%d files in Box, want %d", n, len(w.docs)+tc.otherFiles)
			}
			for id, d := range w.docs {
				got := docsCheck(t, e, id, w.linked[d.Matter.ID])
				if id == fresh && got == w.files[id] || id != fresh && got != w.files[id] {
					t.Errorf("doc %d: linked to %s (was %s; new file wanted: %v)", id, got, w.files[id], id == fresh)
				}
			}
			if tc.otherFiles > 0 {
				_, items, _ := e.sb.Box().Folder(w.linked[w.first.Matter.ID])
				for _, it := range items {
					if b, _ := e.sb.Box().FileContent(it.ID); it.Name == w.first.Name && string(b) != "someone else's file" {
						t.Errorf("the person's file %q changed: %.40q", it.Name, b)
					}
				}
			}

			// The ledger is whole again: the next run is the one listing.
			res = foldFull(e, "documents")
			if c := res.Run.Counts; c.Created+c.Updated+c.Failed != 0 || c.APICalls != 1 {
				t.Errorf("run after the rebuild: %+v, want nothing done and 1 API call", c)
			}
		})
	}
}

// TestDocumentsSpoofedNameIsMadeSafeAndTheOriginalLogged: a document name
// from outside (an intake form) with a right-to-left override reaches Box
// without it, and the log keeps the original, quoted so it cannot reorder
// the line an office manager reads.
func TestDocumentsSpoofedNameIsMadeSafeAndTheOriginalLogged(t *testing.T) {
	e := newEnv(t, envOptions{})
	linked := docsLinked(t, e)
	foldFull(e, "documents")
	var mid int64
	for id := range linked {
		mid = id
		break
	}
	spoof := "contract\u202efdp.exe"
	d, err := e.sb.Clio().AddDocument(mid, spoof, []byte("not a pdf"))
	if err != nil {
		t.Fatal(err)
	}
	res := foldTarget(e, "documents", "doc:"+strconv.FormatInt(d.ID, 10))
	if c := res.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("run: %+v", c)
	}
	found := false
	for _, f := range e.sb.Box().Files() {
		if strings.ContainsRune(f.Name, '\u202e') {
			t.Errorf("Box holds %q", f.Name)
		}
		found = found || f.Name == "contractfdp.exe"
	}
	if !found {
		t.Error("no contractfdp.exe in Box")
	}
	var logged bool
	for _, r := range e.logs("documents", "") {
		if r.SourceID == strconv.FormatInt(d.ID, 10) {
			logged = true
			if got := r.Details["original_name"]; got != strconv.Quote(spoof) {
				t.Errorf("original_name %q, want %q", got, strconv.Quote(spoof))
			}
		}
	}
	if !logged {
		t.Fatal("no log record for the document")
	}
}
