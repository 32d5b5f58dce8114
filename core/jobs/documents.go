package jobs

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// Documents is the "documents" job: the documents of every matter of the
// practice-management system (Clio, MyCase or Smokeball, through the pms
// seam) that has a Box folder (the folders job's ledger) go to that
// folder, or to its subfolder settings.DocumentSubfolder. Content is
// streamed from the system's download into Box's upload (the Box client spools small files
// to a temporary file to hash them, and sends files from 20 MiB on in
// parts); nothing holds a whole file in memory.
//
// Ledger "doc:<id>" → Box file id, Extra "version" = the system's version
// uploaded. A new version there becomes a new version of the same Box
// file. A name clash with a different file in Box: the same content is
// adopted; otherwise settings.NameClash decides ("version": upload as a
// new version of that file, which Box keeps in its history; "keep_both":
// upload as "<name> (Clio <id>).<ext>", the system's name in it). A file
// that belongs to another document is never overwritten: that clash
// always keeps both. Documents deleted at the source are left in Box
// (nothing here deletes).
//
// Cost: a full run makes one listing of the documents changed since the
// watermark across all matters (updated_since, no matter filter), however
// many matters are linked, where the system lists across matters (Clio,
// MyCase); Smokeball lists per matter. A matter seen for the first time, or whose Box
// folder changed, is listed in full once (ledger "matter:<id>" records
// that it was).
//
// The ledger is a cache of what Box holds: a matter listed in full (first
// time, or after a lost or replaced database) also gets one listing of its
// Box upload folder, on its first unlinked document, and a document whose
// name (or keep-both name) is there as a file of the same size is linked
// to that file without a transfer; a different size makes a new version
// of it (the keep-both file is the document's own; a plain name follows
// NameClash). Matters already listed skip that listing: their new
// documents are uploaded directly and a 409 settles a clash.
type Documents struct{ Deps }

// Name implements engine.Job.
func (j *Documents) Name() string { return "documents" }

// documentsMarkSlack: see foldersMarkSlack.
const documentsMarkSlack = 5 * time.Minute

// Ledger Extra keys of the documents job.
const (
	docsExtraVersion      = "version"       // the source's version (Clio: version id or uuid) in Box
	docsExtraMatterFolder = "matter_folder" // the matter folder id the file went under
	docsExtraFolder       = "folder"        // the folder the file is in (matter folder or its subfolder)
	docsExtraName         = "name"          // the Box file name chosen
	docsExtraMatter       = "matter"        // the source's matter id
	// Intent only:
	docsExtraIntent        = "intent" // "upload" (a new file) or "version" (onto TargetID)
	docsExtraPendingVer    = "pending_version"
	docsExtraPendingFolder = "pending_matter_folder"
)

// docsMatter is a matter with a Box folder.
type docsMatter struct {
	id     string
	folder string // the matter's Box folder id
	label  string
}

type docsRun struct {
	j   *Documents
	r   *engine.Run
	s   Settings
	pms pms.System
	box *box.Client

	linked map[string]docsMatter
	upload map[string]string // matter id → the folder documents go to
	owners map[string]string // Box file id → the doc key linked to it (lazy)
	seen   map[string]bool   // documents handled in this run
	// fresh: per matter, whether it is not yet listed in full (its Box
	// folder is looked at before uploading); boxItems: a Box folder's
	// items by lower-cased name, listed once per run.
	fresh    map[string]bool
	boxItems map[string]map[string]box.Item
	done     int
	docsSub  string
}

// Run implements engine.Job.
func (j *Documents) Run(ctx context.Context, r *engine.Run) error {
	s := Defaults()
	if j.Settings != nil {
		s = j.Settings()
	}
	s = s.Normalize()
	sys, err := j.Platforms.PMS(ctx)
	if err != nil {
		if notConnected(err) {
			return fmt.Errorf("%w: %s is not connected", engine.ErrSkipRun, s.PracticeManagement)
		}
		return fmt.Errorf("connecting to %s: %w", s.PracticeManagement, err)
	}
	bx, err := j.Platforms.Box(ctx)
	if err != nil {
		if notConnected(err) {
			return fmt.Errorf("%w: box is not connected", engine.ErrSkipRun)
		}
		return fmt.Errorf("connecting to box: %w", err)
	}
	dr := &docsRun{j: j, r: r, s: s, pms: sys, box: bx, upload: map[string]string{}, seen: map[string]bool{},
		fresh: map[string]bool{}, boxItems: map[string]map[string]box.Item{}, docsSub: strings.TrimSpace(s.DocumentSubfolder)}
	if err := dr.loadLinked(); err != nil {
		return err
	}
	if err := dr.reconcile(ctx); err != nil {
		return err
	}
	if r.Targeted() {
		return dr.targeted(ctx)
	}
	return dr.full(ctx)
}

// loadLinked reads which matters have a Box folder from the folders job's
// ledger.
func (dr *docsRun) loadLinked() error {
	entries, err := dr.r.Store().LedgerEntries((&Folders{}).Name(), store.LedgerDone)
	if err != nil {
		return fmt.Errorf("reading the matter folder links: %w", err)
	}
	dr.linked = map[string]docsMatter{}
	for _, en := range entries {
		id, ok := foldersParseID(en.Key, "matter:")
		if !ok || en.TargetID == "" {
			continue
		}
		label := "Matter " + id
		if n := en.Extra[foldersExtraName]; n != "" {
			label = "Matter " + n
		}
		dr.linked[id] = docsMatter{id: id, folder: en.TargetID, label: label}
	}
	return nil
}

func (dr *docsRun) sortedMatters() []docsMatter {
	out := make([]docsMatter, 0, len(dr.linked))
	for _, m := range dr.linked {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b docsMatter) int { return pms.CompareIDs(a.id, b.id) })
	return out
}

// reconcile settles uploads a crashed run left open: a file of the
// intended name in the intended folder whose content is the source
// document's (SHA-1 of a fresh download) is ours and gets linked; else
// the intent stays and the document is uploaded when next processed
// (where a clash is handled as usual).
func (dr *docsRun) reconcile(ctx context.Context) error {
	intents, err := openIntents(dr.r)
	if err != nil {
		return err
	}
	for _, en := range intents {
		id, ok := foldersParseID(en.Key, "doc:")
		if !ok || en.Extra[docsExtraPendingVer] == "" {
			continue
		}
		fileID, sha, err := dr.intentTarget(ctx, en)
		if err != nil {
			if runEnding(ctx, err) {
				return err
			}
			dr.j.logger().Warn("could not check an interrupted upload; it is retried when the document is next listed", "doc", id, "err", err)
			continue
		}
		if fileID == "" {
			continue
		}
		sum, err := dr.hashDocument(ctx, id)
		if errors.Is(err, pms.ErrNotFound) {
			dr.j.logger().Info("a document with an open upload intent is gone from "+dr.sysName()+"; dropping the intent", "doc", id)
			if err := forget(dr.r, en.Key); err != nil {
				return fmt.Errorf("dropping the intent for %s: %w", en.Key, err)
			}
			continue
		}
		if err != nil {
			if runEnding(ctx, err) {
				return err
			}
			dr.j.logger().Warn("could not hash a document to check an interrupted upload", "doc", id, "err", err)
			continue
		}
		if !strings.EqualFold(sum, sha) {
			continue // not (or no longer) our content: processed as usual
		}
		if err := dr.finishDoc(en.Key, fileID, en.Extra[docsExtraPendingVer], en.Extra[docsExtraPendingFolder],
			en.Extra[docsExtraFolder], en.Extra[docsExtraName], en.Extra[docsExtraMatter]); err != nil {
			return err
		}
		dr.j.logger().Info("finished an interrupted upload", "doc", id, "file", fileID)
	}
	return nil
}

// intentTarget finds the Box file an open intent may have produced and its
// SHA-1 ("" when there is none).
func (dr *docsRun) intentTarget(ctx context.Context, en store.LedgerEntry) (string, string, error) {
	if en.Extra[docsExtraIntent] == "version" && en.TargetID != "" {
		f, err := dr.box.File(ctx, en.TargetID)
		if errors.Is(err, box.ErrNotFound) {
			return "", "", nil
		}
		if err != nil {
			return "", "", err
		}
		return f.ID, f.SHA1, nil
	}
	folder, name := en.Extra[docsExtraFolder], en.Extra[docsExtraName]
	if folder == "" || name == "" {
		return "", "", nil
	}
	var id, sha string
	stop := errors.New("found")
	err := dr.box.Items(ctx, folder, func(it box.Item) error {
		if it.Type == "file" && strings.EqualFold(it.Name, name) {
			id, sha = it.ID, it.SHA1
			if sha == "" && it.FileVersion != nil {
				sha = it.FileVersion.SHA1
			}
			return stop
		}
		return nil
	})
	if errors.Is(err, box.ErrNotFound) {
		return "", "", nil
	}
	if err != nil && !errors.Is(err, stop) {
		return "", "", err
	}
	return id, sha, nil
}

// full handles the documents changed since the watermark in linked
// matters (one listing across matters), and all documents of a linked
// matter not listed before.
func (dr *docsRun) full(ctx context.Context) error {
	r := dr.r
	prev, err := r.Watermark("")
	if err != nil {
		return err
	}
	start := r.Now()
	mark := engine.NewMark(prev)
	// Matters listed before need only what changed since the watermark:
	// one listing across all matters finds it, however many there are.
	// Matters not listed yet (newly linked) are listed in full, each once.
	matters := dr.sortedMatters()
	recent := map[string][]pms.Document{}
	listed := make([]bool, len(matters)) // listed in full before
	var scannedIDs []string
	for i, m := range matters {
		ok, err := dr.scanned(m)
		if err != nil {
			return err
		}
		listed[i] = ok
		if ok {
			scannedIDs = append(scannedIDs, m.id)
		}
	}
	if len(scannedIDs) > 0 {
		err := dr.pms.Documents(ctx, pms.DocumentQuery{MatterIDs: scannedIDs, UpdatedSince: prev}, func(d pms.Document) error {
			recent[d.MatterID] = append(recent[d.MatterID], d)
			return nil
		})
		if err != nil {
			if runEnding(ctx, err) {
				return err
			}
			// Nothing recent could be read: keep the watermark and say so.
			r.Fail(engine.Item{Key: "documents:recent", Platform: dr.pms.Kind(), Action: "list documents", Object: "Documents changed in " + dr.sysName()}, err, false)
			return nil
		}
	}
	for i, m := range matters {
		scanned := listed[i]
		var docs []pms.Document
		var err error
		if scanned {
			docs = recent[m.id]
		} else {
			docs, err = dr.list(ctx, m, time.Time{})
		}
		if err != nil {
			if runEnding(ctx, err) {
				return err
			}
			r.Fail(engine.Item{Key: foldersMatterKey(m.id), Platform: dr.pms.Kind(), Action: "list documents", Object: m.label,
				SourceID: m.id}, err, false)
			if scanned {
				mark.Hold(prev)
			}
			continue
		}
		allOK := true
		for _, d := range docs {
			ok, err := dr.process(ctx, m, d)
			if err != nil {
				return err
			}
			switch {
			case ok:
				mark.OK(d.UpdatedAt)
			case scanned:
				mark.Hold(d.UpdatedAt)
			default:
				allOK = false // the matter is listed in full again next run
			}
		}
		if !scanned && allOK {
			if err := dr.markScanned(m); err != nil {
				return err
			}
		}
	}
	r.Progress(dr.done, dr.done)
	next := mark.Value()
	if limit := start.Add(-documentsMarkSlack); next.After(limit) {
		next = limit
	}
	if err := r.SetWatermark("", next); err != nil {
		return fmt.Errorf("saving the documents watermark: %w", err)
	}
	return nil
}

// scanned reports whether every document of m was once listed into its
// current folder (so listing changes since the watermark is enough).
func (dr *docsRun) scanned(m docsMatter) (bool, error) {
	l, found, err := link(dr.r, foldersMatterKey(m.id))
	if err != nil {
		return false, fmt.Errorf("reading the documents ledger: %w", err)
	}
	return found && l.State == store.LedgerDone && l.TargetID == m.folder, nil
}

func (dr *docsRun) markScanned(m docsMatter) error {
	if err := finish(dr.r, foldersMatterKey(m.id), m.folder, "", nil); err != nil {
		return fmt.Errorf("recording that matter %s's documents are listed: %w", m.id, err)
	}
	return nil
}

// list returns a matter's documents updated since (zero: all).
func (dr *docsRun) list(ctx context.Context, m docsMatter, since time.Time) ([]pms.Document, error) {
	var docs []pms.Document
	err := dr.pms.Documents(ctx, pms.DocumentQuery{MatterIDs: []string{m.id}, UpdatedSince: since}, func(d pms.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the documents of %s matter %s: %w", dr.sysName(), m.id, err)
	}
	return docs, nil
}

// targeted handles "doc:<id>" and "matter:<id>" (all of a matter's
// documents).
func (dr *docsRun) targeted(ctx context.Context) error {
	r := dr.r
	for _, key := range r.Trigger.ObjectIDs {
		switch {
		case strings.HasPrefix(key, "matter:"):
			id, _ := foldersParseID(key, "matter:")
			m, ok := dr.linked[id]
			if !ok {
				r.Done(engine.Item{Key: key, Platform: "box", Action: "upload documents", Object: fmt.Sprintf("%s matter %s", dr.sysName(), id),
					SourceID: id, Change: engine.Skipped, Message: "no Box folder yet"})
				continue
			}
			docs, err := dr.list(ctx, m, time.Time{})
			if err != nil {
				if runEnding(ctx, err) {
					return err
				}
				r.Fail(engine.Item{Key: key, Platform: dr.pms.Kind(), Action: "list documents", Object: m.label, SourceID: id}, err, false)
				continue
			}
			allOK := true
			for _, d := range docs {
				if dr.seen[d.ID] {
					continue
				}
				ok, err := dr.process(ctx, m, d)
				if err != nil {
					return err
				}
				allOK = allOK && ok
			}
			if allOK {
				if err := dr.markScanned(m); err != nil {
					return err
				}
			}
			r.Done(engine.Item{Key: key, Platform: "box", Action: "upload documents", Object: m.label,
				SourceID: id, ExternalID: m.folder, Change: engine.Unchanged})
		case strings.HasPrefix(key, "doc:"):
			id, ok := foldersParseID(key, "doc:")
			if !ok || dr.seen[id] {
				continue
			}
			if err := dr.targetDoc(ctx, key, id); err != nil {
				return err
			}
		default:
			r.Done(engine.Item{Key: key, Platform: "box", Action: "upload file", Object: key, Change: engine.Skipped, Message: "not an item of the documents job"})
		}
	}
	r.Progress(dr.done, dr.done)
	return nil
}

// targetDoc reads one document and processes it if its matter has a Box
// folder. A document whose upload to the system is not finished is read
// too (the seam lists it with no Version): process skips it as not
// finished instead of reporting it gone.
func (dr *docsRun) targetDoc(ctx context.Context, key string, id string) error {
	r := dr.r
	doc, err := dr.pms.Document(ctx, id)
	gone := errors.Is(err, pms.ErrNotFound)
	if err != nil && !gone {
		if runEnding(ctx, err) {
			return err
		}
		r.Fail(engine.Item{Key: key, Platform: dr.pms.Kind(), Action: "find document", Object: fmt.Sprintf("%s document %s", dr.sysName(), id),
			SourceID: id}, fmt.Errorf("reading %s document %s: %w", dr.sysName(), id, err), false)
		return nil
	}
	if !gone && doc.MatterID != "" {
		if m, ok := dr.linked[doc.MatterID]; ok {
			_, err := dr.process(ctx, m, doc)
			return err
		}
	}
	msg := "no Box folder yet: the document's matter has no Box folder"
	if gone {
		msg = "the document is no longer in " + dr.sysName()
	}
	r.Done(engine.Item{Key: key, Platform: "box", Action: "upload file", Object: fmt.Sprintf("%s document %s", dr.sysName(), id),
		SourceID: id, Change: engine.Skipped, Message: msg})
	return nil
}

// sysName is the practice-management system's name ("Clio").
func (dr *docsRun) sysName() string { return pms.Name(dr.pms.Kind()) }

// docsName is the Box name of a document.
func docsName(d pms.Document) string { return box.SanitizeName(docsRawName(d)) }

// docsRawName is the document's name as the system has it, before it is
// made safe for Box (the log keeps it when the two differ).
func docsRawName(d pms.Document) string {
	n := strings.TrimSpace(d.Name)
	if n == "" {
		n = "Document " + d.ID
	}
	return n
}

// docsKeepBothName is "<stem> (Clio <id>)<ext>" (the system's name and the
// document's id), shortened in the stem so that the suffix survives Box's
// length limit. A Smokeball id names its matter and file; the file's part
// alone is unique.
func docsKeepBothName(name, system, id string) string {
	if i := strings.LastIndexByte(id, '.'); i >= 0 {
		id = id[i+1:]
	}
	ext := path.Ext(name)
	if len(ext) > 16 || len(ext) == len(name) || strings.ContainsRune(ext, ' ') {
		ext = ""
	}
	stem := strings.TrimSuffix(name, ext)
	suffix := fmt.Sprintf(" (%s %s)", system, id)
	if max := box.MaxNameBytes - len(suffix) - len(ext); len(stem) > max {
		for max > 0 && !utf8.RuneStart(stem[max]) {
			max--
		}
		stem = strings.TrimRight(stem[:max], " ")
	}
	return box.SanitizeName(stem + suffix + ext)
}

// process brings one document's Box file up to date. ok is false when the
// item failed or is held; err is a run-level error (reconnect).
func (dr *docsRun) process(ctx context.Context, m docsMatter, d pms.Document) (ok bool, err error) {
	r := dr.r
	dr.seen[d.ID] = true
	dr.done++
	r.Progress(dr.done, -1)
	key := "doc:" + d.ID
	raw := docsRawName(d)
	name := box.SanitizeName(raw)
	it := engine.Item{Key: key, Platform: "box", Action: "upload file", Object: fmt.Sprintf("Document %q (%s)", name, m.label),
		SourceID: d.ID, Details: renamedDetails(raw, name)}
	ver := d.Version
	if ver == "" {
		it.Change, it.Message = engine.Skipped, "the document's upload to "+dr.sysName()+" is not finished"
		r.Done(it)
		return true, nil
	}
	l, found, err := link(r, key)
	if err != nil {
		return false, fmt.Errorf("reading the document link %s: %w", key, err)
	}
	linked := found && l.TargetID != "" && l.Extra[docsExtraMatterFolder] == m.folder
	if linked && l.State == store.LedgerDone && l.Extra[docsExtraVersion] == ver {
		it.ExternalID, it.Change = l.TargetID, engine.Unchanged
		r.Done(it)
		return true, nil
	}
	if r.Hold(key, false) {
		return false, nil
	}
	fail := func(err error) (bool, error) {
		if runEnding(ctx, err) {
			return false, err
		}
		r.Fail(it, err, httpx.KindOf(err) == httpx.KindValidation)
		return false, nil
	}
	folder, err := dr.uploadFolder(ctx, m)
	if err != nil {
		return fail(err)
	}
	var note string
	// target is the Box file the document's new content goes to as a
	// version: the linked one, or its own file found in Box.
	var target, targetFolder, targetName string
	var clash *box.Item // a same-name item in Box that is not (known to be) this document
	if linked {
		target, targetFolder, targetName = l.TargetID, l.Extra[docsExtraFolder], l.Extra[docsExtraName]
	} else {
		if found && l.TargetID != "" {
			note = "the matter's Box folder changed; uploaded into the new one."
		}
		pre, own, err := dr.inBox(ctx, m, folder, name, d.ID, key)
		if err != nil {
			return fail(err)
		}
		same := false // the file in Box is this document's content
		switch {
		case pre == nil || pre.Type != "file":
		case d.Size >= 0:
			same = pre.Size != nil && *pre.Size == d.Size
		default:
			// The system does not say the size (MyCase): compare the
			// content's SHA-1 with Box's, at the cost of one download,
			// only for a matter not yet listed in full (a rebuild).
			if sha := boxItemSHA1(*pre); sha != "" {
				sum, err := dr.hashDocument(ctx, d.ID)
				if err != nil {
					return fail(err)
				}
				same = strings.EqualFold(sum, sha)
			}
		}
		switch {
		case pre == nil:
		case same:
			// Firmsync's earlier upload (the ledger lost it): linked, not sent again.
			if err := dr.finishDoc(key, pre.ID, ver, m.folder, folder, pre.Name, m.id); err != nil {
				return false, err
			}
			it.Action, it.ExternalID, it.Change = "link existing file", pre.ID, engine.Unchanged
			it.Message = fmt.Sprintf("the document was already in Box as %q (same name and content); linked it", pre.Name)
			r.Log(it, store.LogSuccess) // nothing written, but a relink is worth a line in the log
			r.Done(it)
			return true, nil
		case own && pre.Type == "file":
			// "<name> (<system> <id>)" is this document's own file: its content changed.
			target, targetFolder, targetName = pre.ID, folder, pre.Name
			note = fmt.Sprintf("the document was in Box as %q with other content; uploaded it as a new version.", pre.Name)
		default:
			clash = pre
		}
	}
	if target != "" {
		it.Action, it.ExternalID = "upload new version", target
		if r.DryRun {
			it.Change, it.Message = engine.Updated, note
			r.Done(it)
			return true, nil
		}
		if err := beginIntent(r, key, map[string]string{docsExtraIntent: "version", docsExtraPendingVer: ver,
			docsExtraPendingFolder: m.folder, docsExtraFolder: targetFolder, docsExtraName: targetName,
			docsExtraMatter: m.id}); err != nil {
			return false, fmt.Errorf("recording the upload intent of %s: %w", key, err)
		}
		f, err := dr.sendVersion(ctx, d, target)
		if err == nil {
			if err := dr.finishDoc(key, f.ID, ver, m.folder, targetFolder, f.Name, m.id); err != nil {
				return false, err
			}
			it.Change, it.Message = engine.Updated, note
			r.Done(it)
			return true, nil
		}
		if !errors.Is(err, box.ErrNotFound) {
			return fail(err)
		}
		note = fmt.Sprintf("Box file %s was deleted in Box; uploaded the document again.", target)
		dr.j.logger().Info("a linked Box file is gone; uploading the document again", "doc", d.ID, "file", target)
		it.ExternalID = ""
	}

	// A new file.
	it.Action = "upload file"
	if r.DryRun {
		it.Change, it.Message = engine.Created, note
		r.Done(it)
		return true, nil
	}
	res, err := dr.uploadNew(ctx, d, key, folder, name, m, clash)
	if err != nil {
		return fail(err)
	}
	if err := dr.finishDoc(key, res.fileID, ver, m.folder, folder, res.name, m.id); err != nil {
		return false, err
	}
	it.ExternalID, it.Action, it.Change = res.fileID, res.action, res.change
	it.Message = strings.TrimSpace(note + " " + res.message)
	if res.change == engine.Unchanged {
		r.Log(it, store.LogSuccess) // an adopted file: nothing written, but worth a line in the log
	}
	r.Done(it)
	return true, nil
}

// finishDoc records a document's Box file.
func (dr *docsRun) finishDoc(key, fileID, ver, matterFolder, folder, name, matter string) error {
	err := finish(dr.r, key, fileID, "", map[string]string{
		docsExtraVersion: ver, docsExtraMatterFolder: matterFolder, docsExtraFolder: folder, docsExtraName: name, docsExtraMatter: matter,
		docsExtraIntent: "", docsExtraPendingVer: "", docsExtraPendingFolder: "",
	})
	if err != nil {
		return fmt.Errorf("recording the Box file of %s: %w", key, err)
	}
	if dr.owners != nil {
		dr.owners[fileID] = key
	}
	return nil
}

// uploadFolder is the folder a matter's documents go to: the matter
// folder, or its settings.DocumentSubfolder (made or adopted once per run;
// not made in a dry run).
func (dr *docsRun) uploadFolder(ctx context.Context, m docsMatter) (string, error) {
	if dr.docsSub == "" || dr.r.DryRun {
		return m.folder, nil
	}
	if id, ok := dr.upload[m.id]; ok {
		return id, nil
	}
	id, _, err := dr.box.EnsureFolder(ctx, m.folder, box.SanitizeName(dr.docsSub))
	if err != nil {
		if errors.Is(err, box.ErrNotFound) {
			return "", fmt.Errorf("the matter's Box folder %s is gone; the folders job makes it again, then this document follows: %w", m.folder, err)
		}
		return "", fmt.Errorf("making the documents subfolder %q in Box folder %s: %w", dr.docsSub, m.folder, err)
	}
	dr.upload[m.id] = id
	return id, nil
}

// boxItemSHA1 is a listed file's SHA-1 ("" when Box did not say).
func boxItemSHA1(it box.Item) string {
	if it.SHA1 != "" {
		return it.SHA1
	}
	if it.FileVersion != nil {
		return it.FileVersion.SHA1
	}
	return ""
}

// docsUpload is the outcome of uploading a new file.
type docsUpload struct {
	fileID, name, action, message string
	change                        engine.Change
}

// inBox looks for the document's file in its Box folder, for a matter not
// yet listed in full (a first sync, or a rebuild after a lost database):
// the folder is listed once per run and the document's keep-both name
// (its own, by id) is looked for before its plain name. A file already
// linked to another document is not offered. own reports a keep-both
// match. Matters listed before cost nothing: nil.
func (dr *docsRun) inBox(ctx context.Context, m docsMatter, folder, name string, docID string, key string) (it *box.Item, own bool, err error) {
	fresh, ok := dr.fresh[m.id]
	if !ok {
		scanned, err := dr.scanned(m)
		if err != nil {
			return nil, false, err
		}
		fresh = !scanned
		dr.fresh[m.id] = fresh
	}
	if !fresh {
		return nil, false, nil
	}
	items, ok := dr.boxItems[folder]
	if !ok {
		items = map[string]box.Item{}
		err := dr.box.Items(ctx, folder, func(it box.Item) error {
			items[strings.ToLower(it.Name)] = it
			return nil
		})
		switch {
		case errors.Is(err, box.ErrNotFound):
			return nil, false, fmt.Errorf("the Box folder %s is gone; the folders job makes it again, then this document follows: %w", folder, err)
		case err != nil:
			return nil, false, fmt.Errorf("listing Box folder %s to find the matter's documents already there: %w", folder, err)
		}
		dr.boxItems[folder] = items
	}
	for i, n := range []string{docsKeepBothName(name, dr.sysName(), docID), name} {
		found, ok := items[strings.ToLower(n)]
		if !ok {
			continue
		}
		if found.Type == "file" {
			o, err := dr.owner(found.ID)
			if err != nil {
				return nil, false, err
			}
			if o != "" && o != key {
				continue // another document's file: the upload's 409 settles it
			}
		}
		return &found, i == 0, nil
	}
	return nil, false, nil
}

// uploadNew uploads a document as a new file, handling a name clash. pre
// is an item of that name the folder's listing showed whose content is not
// the document's (a different size), or nil: the clash is then handled
// without a doomed upload first.
func (dr *docsRun) uploadNew(ctx context.Context, d pms.Document, key, folder, name string, m docsMatter, pre *box.Item) (docsUpload, error) {
	intent := func(n string) error {
		err := beginIntent(dr.r, key, map[string]string{docsExtraIntent: "upload", docsExtraName: n, docsExtraFolder: folder,
			docsExtraPendingVer: d.Version, docsExtraPendingFolder: m.folder, docsExtraMatter: m.id})
		if err != nil {
			return fmt.Errorf("recording the upload intent of %s: %w", key, err)
		}
		return nil
	}
	if err := intent(name); err != nil {
		return docsUpload{}, err
	}
	var (
		f       box.File
		sum     string
		err     error
		ce      *box.ConflictError
		differs bool // the clashing file's content is known not to be the document's
	)
	if pre != nil {
		ce = &box.ConflictError{Code: "item_name_in_use", Type: pre.Type, ID: pre.ID, Name: pre.Name, SHA1: pre.SHA1}
		if ce.SHA1 == "" && pre.FileVersion != nil {
			ce.SHA1 = pre.FileVersion.SHA1
		}
		differs = pre.Type == "file"
	} else {
		f, sum, err = dr.sendNew(ctx, d, folder, name)
		if err == nil {
			return docsUpload{fileID: f.ID, name: f.Name, action: "upload file", change: engine.Created}, nil
		}
		if !errors.As(err, &ce) || ce.Code != "item_name_in_use" || ce.ID == "" {
			if errors.Is(err, box.ErrNotFound) {
				return docsUpload{}, fmt.Errorf("the Box folder %s is gone; the folders job makes it again, then this document follows: %w", folder, err)
			}
			return docsUpload{}, err
		}
	}
	if sum == "" && !differs {
		if sum, err = dr.hashDocument(ctx, d.ID); err != nil {
			return docsUpload{}, err
		}
	}
	if !differs && ce.Type == "file" && ce.SHA1 != "" && strings.EqualFold(ce.SHA1, sum) {
		return docsUpload{fileID: ce.ID, name: ce.Name, action: "link existing file", change: engine.Unchanged,
			message: fmt.Sprintf("a file with the same content was already in Box as %q; linked it", ce.Name)}, nil
	}
	owner, err := dr.owner(ce.ID)
	if err != nil {
		return docsUpload{}, err
	}
	if ce.Type == "file" && owner == "" && dr.s.NameClash != "keep_both" {
		f, err := dr.sendVersion(ctx, d, ce.ID)
		if err != nil {
			return docsUpload{}, err
		}
		return docsUpload{fileID: f.ID, name: f.Name, action: "upload as new version", change: engine.Updated,
			message: fmt.Sprintf("a different file named %q was already in Box; uploaded the document as a new version of it (Box keeps the earlier content in the file's version history)", ce.Name)}, nil
	}
	// Keep both: the document goes in under a name of its own.
	why := fmt.Sprintf("a different file named %q was already in Box", name)
	switch {
	case ce.Type != "file":
		why = fmt.Sprintf("a %s named %q is in the way", ce.Type, name)
	case owner != "":
		why = fmt.Sprintf("the file named %q belongs to another %s document (%s)", name, dr.sysName(), owner)
	}
	alt := docsKeepBothName(name, dr.sysName(), d.ID)
	if err := intent(alt); err != nil {
		return docsUpload{}, err
	}
	var altSum string
	f, altSum, err = dr.sendNew(ctx, d, folder, alt)
	if sum == "" {
		sum = altSum // the clash was known from the listing: no hash yet
	}
	if err == nil {
		return docsUpload{fileID: f.ID, name: f.Name, action: "upload file", change: engine.Created,
			message: why + fmt.Sprintf("; uploaded as %q", f.Name)}, nil
	}
	if !errors.As(err, &ce) || ce.Code != "item_name_in_use" || ce.Type != "file" || ce.ID == "" {
		return docsUpload{}, err
	}
	// "<name> (<system> <id>)" is this document's own name: same content is
	// adopted, other content becomes its new version.
	if ce.SHA1 != "" && strings.EqualFold(ce.SHA1, sum) {
		return docsUpload{fileID: ce.ID, name: ce.Name, action: "link existing file", change: engine.Unchanged,
			message: why + fmt.Sprintf("; the document was already in Box as %q; linked it", ce.Name)}, nil
	}
	if o, err := dr.owner(ce.ID); err != nil {
		return docsUpload{}, err
	} else if o != "" && o != key {
		return docsUpload{}, fmt.Errorf("%s, and %q belongs to %s: rename one of the files in Box, then press Retry", why, alt, o)
	}
	f, err = dr.sendVersion(ctx, d, ce.ID)
	if err != nil {
		return docsUpload{}, err
	}
	return docsUpload{fileID: f.ID, name: f.Name, action: "upload new version", change: engine.Updated,
		message: why + fmt.Sprintf("; uploaded as a new version of %q", f.Name)}, nil
}

// owner is the document key linked to a Box file ("" for none).
func (dr *docsRun) owner(fileID string) (string, error) {
	if dr.owners == nil {
		entries, err := dr.r.Store().LedgerEntries(dr.r.Job, "")
		if err != nil {
			return "", fmt.Errorf("reading the documents ledger: %w", err)
		}
		dr.owners = map[string]string{}
		for _, en := range entries {
			if strings.HasPrefix(en.Key, "doc:") && en.TargetID != "" {
				dr.owners[en.TargetID] = en.Key
			}
		}
	}
	return dr.owners[fileID], nil
}

// open starts a document's download, with its size.
func (dr *docsRun) open(ctx context.Context, d pms.Document) (io.ReadCloser, int64, error) {
	rc, size, err := dr.pms.Download(ctx, d.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("downloading %s document %s: %w", dr.sysName(), d.ID, err)
	}
	if size < 0 {
		size = d.Size
	}
	if size < 0 {
		rc.Close()
		return nil, 0, fmt.Errorf("downloading %s document %s: its size is unknown", dr.sysName(), d.ID)
	}
	return rc, size, nil
}

// docsHashReader hashes what passes through it and counts it.
type docsHashReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *docsHashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// sendNew streams a document into a new Box file. sum is the content's
// SHA-1 when the whole content passed (a small file is spooled before Box
// answers), else "".
func (dr *docsRun) sendNew(ctx context.Context, d pms.Document, folder, name string) (box.File, string, error) {
	rc, size, err := dr.open(ctx, d)
	if err != nil {
		return box.File{}, "", err
	}
	defer rc.Close()
	hr := &docsHashReader{r: rc, h: sha1.New()}
	f, err := dr.box.UploadFile(ctx, folder, name, size, hr, "")
	var sum string
	if hr.n == size {
		sum = hex.EncodeToString(hr.h.Sum(nil))
	}
	if err != nil {
		return box.File{}, sum, fmt.Errorf("uploading %s document %s to Box folder %s: %w", dr.sysName(), d.ID, folder, err)
	}
	return f, sum, nil
}

// sendVersion streams a document into a new version of a Box file.
func (dr *docsRun) sendVersion(ctx context.Context, d pms.Document, fileID string) (box.File, error) {
	rc, size, err := dr.open(ctx, d)
	if err != nil {
		return box.File{}, err
	}
	defer rc.Close()
	f, err := dr.box.UploadVersion(ctx, fileID, "", size, rc, "")
	if err != nil {
		return box.File{}, fmt.Errorf("uploading %s document %s as a new version of Box file %s: %w", dr.sysName(), d.ID, fileID, err)
	}
	return f, nil
}

// hashDocument is the SHA-1 of a document's latest content, streamed.
func (dr *docsRun) hashDocument(ctx context.Context, id string) (string, error) {
	rc, _, err := dr.pms.Download(ctx, id)
	if err != nil {
		return "", fmt.Errorf("downloading %s document %s to compare it: %w", dr.sysName(), id, err)
	}
	defer rc.Close()
	h := sha1.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("downloading %s document %s to compare it: %w", dr.sysName(), id, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
