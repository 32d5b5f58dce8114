package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// Folders is the "folders" job: every matter of the practice-management
// system (Clio, MyCase or Smokeball, through the pms seam) in one of the
// chosen statuses (default open and pending) gets a Box folder "<number> —
// <description>" under the firm's matters folder, with the subfolder
// template inside, and the folder's id is written back to a matter custom
// field (default "Box Folder ID") where the system offers one (Smokeball
// does not: there the link lives in the ledger, and a rebuild adopts the
// folder by name).
//
// Links are by folder id, never by name (ledger "matter:<id>" → folder
// id). A matter whose description changes later is NOT renamed in Box:
// people rename and reorganise matter folders in Box themselves, and a
// rename by Firmsync would undo their work (or collide with a folder they
// made); the id link keeps working whatever the folder is called. A Box
// 409 item_name_in_use on create adopts the existing folder (Box compares
// names case-insensitively), so neither a person's folder of that name
// nor a re-run after a crash can produce a duplicate. A linked folder that
// Box answers 404 for (deleted or trashed by a person) is unlinked (and
// that is logged) and made again in the same run. Writes go one matter
// at a time.
//
// The ledger is a cache of what the platforms hold: after a lost or
// replaced database (a new PC, an old backup) a matter without a link is
// first looked up by the folder id in its own custom field, with one
// listing of that folder (it proves the folder is live and shows which
// subfolders are there; only missing ones are made). Only when the field
// names no live folder is the folder made by name, where the 409 adopts a
// folder of that name. An adopted folder's subfolders are checked with one
// listing, not one create per subfolder.
type Folders struct{ Deps }

// Name implements engine.Job.
func (j *Folders) Name() string { return "folders" }

// foldersMarkSlack keeps the watermark this far behind the run's start:
// an updated-since listing is not a snapshot, so a matter changed
// while a run pages could otherwise fall below the mark unseen. Relisting
// a few minutes of matters is free (they are unchanged by etag).
const foldersMarkSlack = 5 * time.Minute

// Ledger Extra keys of the folders job (the documents job reads "name").
const (
	foldersExtraName       = "name"        // the folder name at creation (intent: the name to look up)
	foldersExtraParent     = "parent"      // the parent folder id at creation
	foldersExtraEtag       = "etag"        // the matter's version (Clio: etag) after Firmsync last touched it
	foldersExtraFieldID    = "field_id"    // the matter custom field written
	foldersExtraFieldValue = "field_value" // the folder id written to it ("" = not yet)
)

func foldersMatterKey(id string) string { return "matter:" + id }

// foldersFieldKey is the item key of the custom field itself (its creation
// can need a person: a missing permission).
func foldersFieldKey(name string) string { return "customfield:" + name }

// foldersMatterLabel is how a matter is named to the office manager. The
// description can come from a public intake form, so invisible and
// direction-changing characters are dropped: they would reorder the log
// line (the raw text is kept in the item's details).
func foldersMatterLabel(m pms.Matter) string {
	d := strings.TrimSpace(strings.Map(func(r rune) rune {
		if box.IsInvisibleRune(r) {
			return -1
		}
		return r
	}, m.Description))
	switch {
	case m.Number == "" && d == "":
		return "Matter " + m.ID
	case m.Number == "":
		return "Matter " + d
	case d == "":
		return "Matter " + m.Number
	}
	return "Matter " + m.Number + " — " + d
}

// foldersRun is one run's state.
type foldersRun struct {
	j    *Folders
	r    *engine.Run
	s    Settings
	pms  pms.System
	box  *box.Client
	subs []string // sanitized subfolder names
	fp   string   // fingerprint of subs

	seen map[string]bool // matters handled in this run

	// owners maps a linked folder id to its matter key (lazy): a folder id
	// in a matter's field that is already another matter's folder is not
	// adopted twice.
	owners map[string]string

	fieldLooked bool
	fieldID     string // "": unavailable in this run
	fieldNote   string
	noFields    bool // the system has no matter field to write (Smokeball)
}

// Run implements engine.Job.
func (j *Folders) Run(ctx context.Context, r *engine.Run) error {
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
	fr := &foldersRun{j: j, r: r, s: s, pms: sys, box: bx, seen: map[string]bool{}}
	for _, sf := range s.SubfolderTemplate {
		if sf = strings.TrimSpace(sf); sf != "" {
			fr.subs = append(fr.subs, box.SanitizeName(sf))
		}
	}
	fr.fp = Fingerprint(struct{ Subfolders []string }{fr.subs})

	if err := fr.reconcile(ctx); err != nil {
		return err
	}
	if r.Targeted() {
		return fr.targeted(ctx)
	}
	return fr.full(ctx)
}

// reconcile finishes creates a crashed run left open: EnsureFolder adopts
// a folder that was made (the 409), so processing the matter again is the
// lookup.
func (fr *foldersRun) reconcile(ctx context.Context) error {
	intents, err := openIntents(fr.r)
	if err != nil {
		return err
	}
	for _, en := range intents {
		id, ok := foldersParseID(en.Key, "matter:")
		if !ok {
			continue
		}
		if fr.r.Hold(en.Key, false) {
			// The create was refused and the item is parked (or waits for
			// its next attempt): it runs again on Retry or when due, not on
			// every run (which would re-fail and re-notify each time).
			continue
		}
		m, err := fr.pms.Matter(ctx, id)
		if errors.Is(err, pms.ErrNotFound) {
			fr.j.logger().Info("a matter with an open folder intent is gone from "+fr.sysName()+"; dropping the intent", "matter", id)
			if err := forget(fr.r, en.Key); err != nil {
				return fmt.Errorf("dropping the intent for %s: %w", en.Key, err)
			}
			continue
		}
		if err != nil {
			if runEnding(ctx, err) {
				return err
			}
			fr.r.Fail(engine.Item{Key: en.Key, Platform: "box", Action: "create folder", Object: en.Extra[foldersExtraName],
				SourceID: id}, fmt.Errorf("reading matter %s to finish an interrupted folder create: %w", id, err), false)
			continue
		}
		if _, err := fr.process(ctx, m, true); err != nil {
			return err
		}
	}
	return nil
}

// full lists the matters changed since the watermark.
func (fr *foldersRun) full(ctx context.Context) error {
	r := fr.r
	prev, err := r.Watermark("")
	if err != nil {
		return err
	}
	start := r.Now()
	var matters []pms.Matter
	err = fr.pms.Matters(ctx, pms.MatterQuery{UpdatedSince: prev, Statuses: fr.s.MatterStatuses}, func(m pms.Matter) error {
		matters = append(matters, m)
		return nil
	})
	if err != nil {
		if runEnding(ctx, err) {
			return err
		}
		return fmt.Errorf("listing %s matters changed since %s: %w", fr.sysName(), prev.Format(time.RFC3339), err)
	}
	mark := engine.NewMark(prev)
	for i, m := range matters {
		r.Progress(i, len(matters))
		key := foldersMatterKey(m.ID)
		switch {
		case fr.seen[m.ID]:
			mark.OK(m.UpdatedAt)
			continue
		case r.Hold(key, false):
			mark.Hold(m.UpdatedAt)
			continue
		}
		ok, err := fr.process(ctx, m, false)
		if err != nil {
			return err
		}
		if ok {
			mark.OK(m.UpdatedAt)
		} else {
			mark.Hold(m.UpdatedAt)
		}
	}
	r.Progress(len(matters), len(matters))
	if err := fr.pendingFields(ctx); err != nil {
		return err
	}
	next := mark.Value()
	if limit := start.Add(-foldersMarkSlack); next.After(limit) {
		next = limit
	}
	if err := r.SetWatermark("", next); err != nil {
		return fmt.Errorf("saving the folders watermark: %w", err)
	}
	return nil
}

// targeted handles "matter:<id>", "boxfolder:<id>" and the custom field's
// own "customfield:<name>" (a retry after a person fixed it).
func (fr *foldersRun) targeted(ctx context.Context) error {
	r := fr.r
	ids := r.Trigger.ObjectIDs
	for i, key := range ids {
		r.Progress(i, len(ids))
		switch {
		case strings.HasPrefix(key, "matter:"):
			id, ok := foldersParseID(key, "matter:")
			if !ok {
				r.Done(engine.Item{Key: key, Platform: "box", Action: "check folder", Object: key, Change: engine.Skipped, Message: "not a matter id"})
				continue
			}
			if fr.seen[id] {
				continue
			}
			if err := fr.targetMatter(ctx, key, id, false); err != nil {
				return err
			}
		case strings.HasPrefix(key, "boxfolder:"):
			if err := fr.targetBoxFolder(ctx, key, strings.TrimPrefix(key, "boxfolder:")); err != nil {
				return err
			}
		case strings.HasPrefix(key, "customfield:"):
			if err := fr.pendingFields(ctx); err != nil {
				return err
			}
		default:
			r.Done(engine.Item{Key: key, Platform: "box", Action: "check folder", Object: key, Change: engine.Skipped, Message: "not an item of the folders job"})
		}
	}
	r.Progress(len(ids), len(ids))
	return nil
}

// targetMatter re-checks one matter (force: also when Clio says it did not
// change, e.g. because its folder was trashed in Box).
func (fr *foldersRun) targetMatter(ctx context.Context, key string, id string, force bool) error {
	r := fr.r
	it := engine.Item{Key: key, Platform: "box", Action: "check folder", Object: fmt.Sprintf("%s matter %s", fr.sysName(), id), SourceID: id}
	m, err := fr.pms.Matter(ctx, id)
	if errors.Is(err, pms.ErrNotFound) {
		it.Change, it.Message = engine.Skipped, "the matter no longer exists in "+fr.sysName()+"; its Box folder, if any, is left as it is"
		r.Done(it)
		return nil
	}
	if err != nil {
		if runEnding(ctx, err) {
			return err
		}
		r.Fail(it, fmt.Errorf("reading %s matter %s: %w", fr.sysName(), id, err), false)
		return nil
	}
	if l, found, err := link(r, key); err != nil {
		return fmt.Errorf("reading the folder link of matter %s: %w", id, err)
	} else if (!found || l.TargetID == "") && !slices.ContainsFunc(fr.s.MatterStatuses, func(s string) bool { return strings.EqualFold(s, m.Status) }) {
		it.Object, it.Change = foldersMatterLabel(m), engine.Skipped
		it.Message = fmt.Sprintf("the matter is %s; folders are made for %s matters", m.Status, strings.Join(fr.s.MatterStatuses, " and "))
		r.Done(it)
		return nil
	}
	_, err = fr.process(ctx, m, force)
	return err
}

// targetBoxFolder re-checks the matter linked to a Box folder a person
// changed (a FOLDER.TRASHED webhook: the folder is made again).
func (fr *foldersRun) targetBoxFolder(ctx context.Context, key, folderID string) error {
	entries, err := fr.r.Store().LedgerEntries(fr.r.Job, "")
	if err != nil {
		return fmt.Errorf("reading the folders ledger: %w", err)
	}
	for _, en := range entries {
		if en.TargetID != folderID || folderID == "" {
			continue
		}
		if id, ok := foldersParseID(en.Key, "matter:"); ok {
			if fr.seen[id] {
				return nil
			}
			return fr.targetMatter(ctx, en.Key, id, true)
		}
	}
	fr.r.Done(engine.Item{Key: key, Platform: "box", Action: "check folder", Object: "Box folder " + folderID, ExternalID: folderID,
		Change: engine.Skipped, Message: "not a matter folder linked by Firmsync"})
	return nil
}

// process brings one matter's folder up to date. ok is false when the
// item failed (the watermark must not pass it); err is a run-level error
// (reconnect).
func (fr *foldersRun) process(ctx context.Context, m pms.Matter, force bool) (ok bool, err error) {
	r := fr.r
	fr.seen[m.ID] = true
	key := foldersMatterKey(m.ID)
	it := engine.Item{Key: key, Platform: "box", Action: "check folder", Object: foldersMatterLabel(m), SourceID: m.ID}
	fail := func(err error, permanent bool) (bool, error) {
		if runEnding(ctx, err) {
			return false, err
		}
		r.Fail(it, err, permanent || httpx.KindOf(err) == httpx.KindValidation)
		return false, nil
	}
	l, found, err := link(r, key)
	if err != nil {
		return false, fmt.Errorf("reading the folder link of matter %s: %w", m.ID, err)
	}
	var note, gone string
	if found && l.TargetID != "" {
		it.ExternalID = l.TargetID
		if !force && l.State == store.LedgerDone && l.Fingerprint == fr.fp && l.Extra[foldersExtraEtag] != "" && l.Extra[foldersExtraEtag] == m.Version {
			it.Change = engine.Unchanged // nothing changed since Firmsync last touched it
			r.Done(it)
			return true, nil
		}
		_, err := fr.box.Folder(ctx, l.TargetID)
		switch {
		case errors.Is(err, box.ErrNotFound):
			note = fmt.Sprintf("Box folder %s was deleted or trashed in Box; the link was dropped and a new folder made", l.TargetID)
			fr.j.logger().Info("a linked matter folder is gone from Box; dropping the link and making it again",
				"matter", m.ID, "folder", l.TargetID)
			if err := forget(r, key); err != nil {
				return false, fmt.Errorf("dropping the folder link of matter %s: %w", m.ID, err)
			}
			gone = l.TargetID
			it.ExternalID = ""
		case err != nil:
			return fail(fmt.Errorf("checking Box folder %s of the matter: %w", l.TargetID, err), false)
		default:
			return fr.refresh(ctx, m, l, it)
		}
	}

	name := folderName(m.Number, m.Description)
	it.Details = folderNameDetails(m.Number, m.Description)
	root := fr.s.BoxRootFolderID

	// Not linked: the folder the matter's own field names, if it is live.
	handled, ok, fieldNote, err := fr.adoptFromField(ctx, m, it, name, root, gone)
	if handled || err != nil {
		return ok, err
	}
	note = strings.TrimSpace(note + " " + fieldNote)

	// Create (or adopt by name) the folder.
	it.Action = "create folder"
	if gone != "" {
		it.Action = "recreate folder"
	}
	if r.DryRun {
		it.Change, it.Message = engine.Created, strings.TrimSpace(note+" "+fmt.Sprintf("folder %q with %d subfolders", name, len(fr.subs)))
		fr.fieldIDFor(ctx) // plans the custom field when it is missing
		r.Done(it)
		return true, nil
	}
	if err := beginIntent(r, key, map[string]string{foldersExtraName: name, foldersExtraParent: root}); err != nil {
		return false, fmt.Errorf("recording the folder intent of matter %s: %w", m.ID, err)
	}
	id, created, err := fr.box.EnsureFolder(ctx, root, name)
	if err != nil {
		var ce *box.ConflictError
		if errors.As(err, &ce) && ce.Type == "file" {
			return fail(fmt.Errorf("a file named %q is in the matters folder where the matter's folder belongs; rename or move it, then press Retry: %w", name, err), true)
		}
		return fail(fmt.Errorf("creating Box folder %q: %w", name, err), false)
	}
	it.ExternalID = id
	var have map[string]string // nil: a new folder, nothing in it yet
	if !created {
		it.Action = "link existing folder"
		note = strings.TrimSpace(note + " " + fmt.Sprintf("a folder named %q was already there; it is now the matter's folder", name))
		if have, err = fr.children(ctx, id); err != nil {
			return fail(fmt.Errorf("listing the existing Box folder %q: %w", name, err), false)
		}
	}
	subNote, _, err := fr.ensureSubfolders(ctx, id, have)
	if err != nil {
		return fail(err, false)
	}
	extra := map[string]string{foldersExtraName: name, foldersExtraParent: root, foldersExtraEtag: "", foldersExtraFieldValue: ""}
	if err := finish(r, key, id, fr.fp, extra); err != nil {
		return false, fmt.Errorf("recording the folder of matter %s: %w", m.ID, err)
	}
	fr.own(id, key)
	var fieldErr error
	if fr.fieldID != "" && m.Fields[fr.fieldID] == id {
		// The field already names this folder (e.g. a crash after the
		// field write): record it rather than write it again.
		fieldErr = fr.recordField(m.ID, fr.fieldID, id, m.Version)
		fr.fieldNote = ""
	} else {
		fieldErr = fr.writeField(ctx, m.ID, id)
		if fieldErr == nil && fr.noFields {
			// Nothing was written to the matter: its version as listed
			// stays right, and the next run skips it.
			fieldErr = fr.recordField(m.ID, "", id, m.Version)
		}
	}
	it.Change = engine.Created
	if !created {
		it.Change = engine.Updated
	}
	it.Message = strings.TrimSpace(strings.Join([]string{note, subNote, fr.fieldNote}, " "))
	if fieldErr != nil {
		return fail(fieldErr, false)
	}
	r.Done(it)
	return true, nil
}

// refresh handles a linked matter whose folder still exists: subfolders
// when the template changed, the custom field when it lost the id. The
// folder is never renamed (see Folders).
func (fr *foldersRun) refresh(ctx context.Context, m pms.Matter, l Link, it engine.Item) (bool, error) {
	r := fr.r
	changed := false
	var notes []string
	if l.Fingerprint != fr.fp {
		changed = true
		it.Action = "update subfolders"
		if !r.DryRun {
			have, err := fr.children(ctx, l.TargetID)
			if err != nil {
				err = fmt.Errorf("listing the matter's Box folder %s: %w", l.TargetID, err)
			}
			var n string
			if err == nil {
				n, _, err = fr.ensureSubfolders(ctx, l.TargetID, have)
			}
			if err != nil {
				if runEnding(ctx, err) {
					return false, err
				}
				r.Fail(it, err, false)
				return false, nil
			}
			notes = append(notes, n)
		}
	}
	fid := l.Extra[foldersExtraFieldID]
	needField := !fr.noFields && (fid == "" || m.Fields[fid] != l.TargetID)
	if !r.DryRun {
		// Store the fingerprint now; the etag after the field write.
		if err := finish(r, l.Key, l.TargetID, fr.fp, map[string]string{foldersExtraEtag: m.Version}); err != nil {
			return false, fmt.Errorf("recording the folder of matter %s: %w", m.ID, err)
		}
	}
	if needField {
		if it.Action == "check folder" {
			it.Action = "write folder id"
		}
		changed = true
		if !r.DryRun {
			if err := fr.writeField(ctx, m.ID, l.TargetID); err != nil {
				if runEnding(ctx, err) {
					return false, err
				}
				r.Fail(it, err, httpx.KindOf(err) == httpx.KindValidation)
				return false, nil
			}
			notes = append(notes, fr.fieldNote)
		} else {
			fr.fieldIDFor(ctx)
		}
	}
	it.Change = engine.Unchanged
	if changed {
		it.Change = engine.Updated
	}
	it.Message = strings.TrimSpace(strings.Join(notes, " "))
	r.Done(it)
	return true, nil
}

// ensureSubfolders makes the template's subfolders that are missing from
// the matter folder. have is what the folder holds (lower-cased name →
// item type, from children), nil for a folder just made (empty), so a
// present subfolder costs nothing. A file in the way of a subfolder is
// left alone and said. made counts the subfolders created.
func (fr *foldersRun) ensureSubfolders(ctx context.Context, folderID string, have map[string]string) (note string, made int, err error) {
	var blocked []string
	for _, sf := range fr.subs {
		switch have[strings.ToLower(sf)] {
		case "folder":
			continue
		case "":
		default:
			blocked = append(blocked, sf)
			continue
		}
		// EnsureFolder still adopts on a 409: a subfolder made since the
		// listing (a person, another device) is not an error.
		_, created, err := fr.box.EnsureFolder(ctx, folderID, sf)
		if err != nil {
			var ce *box.ConflictError
			if errors.As(err, &ce) && ce.Type == "file" {
				blocked = append(blocked, sf)
				continue
			}
			return "", made, fmt.Errorf("creating subfolder %q in Box folder %s: %w", sf, folderID, err)
		}
		if created {
			made++
		}
	}
	if len(blocked) > 0 {
		return fmt.Sprintf("subfolders not made because a file of that name is there: %s.", strings.Join(blocked, ", ")), made, nil
	}
	return "", made, nil
}

// missingSubfolders counts the template's subfolders a folder lacks (for a
// dry run's plan).
func (fr *foldersRun) missingSubfolders(have map[string]string) int {
	n := 0
	for _, sf := range fr.subs {
		if _, ok := have[strings.ToLower(sf)]; !ok {
			n++
		}
	}
	return n
}

// children lists a folder once: lower-cased name → item type (Box names
// are unique in a folder case-insensitively). A missing or trashed
// folder fails with box.ErrNotFound.
func (fr *foldersRun) children(ctx context.Context, folderID string) (map[string]string, error) {
	have := map[string]string{}
	err := fr.box.Items(ctx, folderID, func(it box.Item) error {
		have[strings.ToLower(it.Name)] = it.Type
		return nil
	})
	if err != nil {
		return nil, err
	}
	return have, nil
}

// adoptFromField links an unlinked matter to the Box folder its custom
// field names, when that folder is live and no other matter's: the record
// the platforms keep of Firmsync's earlier work when the ledger was lost.
// One listing of the folder checks it and its subfolders; only missing
// subfolders are made. handled reports that the matter is dealt with (ok
// and err as for process); otherwise note says why the field's folder was
// not taken ("" when the field is empty) and the caller makes the folder.
// gone is a folder id just found deleted, not looked up again.
func (fr *foldersRun) adoptFromField(ctx context.Context, m pms.Matter, it engine.Item, name, root, gone string) (handled, ok bool, note string, err error) {
	r := fr.r
	key := foldersMatterKey(m.ID)
	if len(m.Fields) == 0 {
		return false, false, "", nil // no value at all: not worth the field lookup
	}
	fid, err := fr.fieldIDFor(ctx)
	if err != nil {
		if runEnding(ctx, err) {
			return true, false, "", err
		}
		// Without the field the folder is made by name (a 409 adopts it).
		fr.j.logger().Warn("could not look up the folder id field", "err", err)
		return false, false, "", nil
	}
	if fid == "" {
		return false, false, "", nil
	}
	cand := strings.TrimSpace(m.Fields[fid])
	if cand == "" || cand == gone {
		return false, false, "", nil
	}
	if !foldersBoxID(cand) || cand == root || cand == "0" {
		return false, false, fmt.Sprintf("The matter's %q field held %q, which is not a matter folder id; it is replaced.", fr.s.FolderFieldName, cand), nil
	}
	if owner, err := fr.owner(cand); err != nil {
		return true, false, "", err
	} else if owner != "" && owner != key {
		return false, false, fmt.Sprintf("The matter's %q field named Box folder %s, which is the folder of %s; it is replaced.", fr.s.FolderFieldName, cand, owner), nil
	}
	have, err := fr.children(ctx, cand)
	if errors.Is(err, box.ErrNotFound) {
		return false, false, fmt.Sprintf("The matter's %q field named Box folder %s, which is no longer in Box; it is replaced.", fr.s.FolderFieldName, cand), nil
	}
	it.Action, it.ExternalID = "link existing folder", cand
	if err != nil {
		if runEnding(ctx, err) {
			return true, false, "", err
		}
		r.Fail(it, fmt.Errorf("checking Box folder %s named by the matter's %q field: %w", cand, fr.s.FolderFieldName, err), false)
		return true, false, "", nil
	}
	msg := fmt.Sprintf("the matter's %q field names Box folder %s; linked it", fr.s.FolderFieldName, cand)
	if r.DryRun {
		it.Change = engine.Unchanged
		if n := fr.missingSubfolders(have); n > 0 {
			it.Change, it.Action = engine.Updated, "update subfolders"
			msg += fmt.Sprintf(" and made %d missing subfolders", n)
		}
		it.Message = msg
		r.Done(it)
		return true, true, "", nil
	}
	subNote, made, err := fr.ensureSubfolders(ctx, cand, have)
	if err != nil {
		if runEnding(ctx, err) {
			return true, false, "", err
		}
		r.Fail(it, err, httpx.KindOf(err) == httpx.KindValidation)
		return true, false, "", nil
	}
	// The etag is the matter's own: nothing was written to it, so the next
	// run skips the matter until it changes.
	extra := map[string]string{foldersExtraName: name, foldersExtraParent: root, foldersExtraEtag: m.Version,
		foldersExtraFieldID: fid, foldersExtraFieldValue: cand}
	if err := finish(r, key, cand, fr.fp, extra); err != nil {
		return true, false, "", fmt.Errorf("recording the folder of matter %s: %w", m.ID, err)
	}
	fr.own(cand, key)
	it.Change = engine.Unchanged
	if made > 0 {
		it.Change = engine.Updated
		msg += fmt.Sprintf(" and made %d missing subfolders", made)
	}
	it.Message = strings.TrimSpace(msg + ". " + subNote)
	if it.Change == engine.Unchanged {
		r.Log(it, store.LogSuccess) // nothing written, but a relink is worth a line in the log
	}
	r.Done(it)
	return true, true, "", nil
}

// foldersBoxID reports whether s looks like a Box item id (digits).
func foldersBoxID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// owner is the matter key linked to a Box folder ("" for none).
func (fr *foldersRun) owner(folderID string) (string, error) {
	if fr.owners == nil {
		entries, err := fr.r.Store().LedgerEntries(fr.r.Job, store.LedgerDone)
		if err != nil {
			return "", fmt.Errorf("reading the folders ledger: %w", err)
		}
		fr.owners = map[string]string{}
		for _, en := range entries {
			if strings.HasPrefix(en.Key, "matter:") && en.TargetID != "" {
				fr.owners[en.TargetID] = en.Key
			}
		}
	}
	return fr.owners[folderID], nil
}

// own records a new link in the owners map once it is loaded.
func (fr *foldersRun) own(folderID, key string) {
	if fr.owners != nil && !fr.r.DryRun {
		fr.owners[folderID] = key
	}
}

// writeField writes the folder id to the matter's custom field, recording
// it (and the matter's new etag, so the echo of this write is not taken
// for a change) in the ledger. A field that cannot be had is not an error
// of the matter: it waits in the ledger (field_value "") for pendingFields.
func (fr *foldersRun) writeField(ctx context.Context, matterID string, folderID string) error {
	fr.fieldNote = ""
	fid, err := fr.fieldIDFor(ctx)
	if err != nil {
		return err
	}
	if fr.noFields {
		return nil // nowhere to write it: the ledger is the link
	}
	if fid == "" {
		fr.fieldNote = fmt.Sprintf("The folder id is not in %s yet: the matter field %q is missing (see needs attention).", fr.sysName(), fr.s.FolderFieldName)
		return nil
	}
	etag, err := fr.pms.SetMatterField(ctx, matterID, fid, folderID)
	if err != nil {
		return fmt.Errorf("writing the Box folder id to the %q field of %s matter %s: %w", fr.s.FolderFieldName, fr.sysName(), matterID, err)
	}
	// An empty etag stays unknown, so the next listing checks the matter once more.
	return fr.recordField(matterID, fid, folderID, etag)
}

// recordField records in the ledger that the matter's field fid holds
// folderID, and the matter's etag since ("" = unknown).
func (fr *foldersRun) recordField(matterID, fid, folderID, etag string) error {
	if fr.r.DryRun {
		return nil
	}
	extra := map[string]string{foldersExtraFieldID: fid, foldersExtraFieldValue: folderID}
	if etag != "" {
		extra[foldersExtraEtag] = etag
	}
	return fr.r.Store().UpdateLedger(fr.r.Job, foldersMatterKey(matterID), func(e *store.LedgerEntry, found bool) error {
		if e.Extra == nil {
			e.Extra = map[string]string{}
		}
		for k, v := range extra {
			e.Extra[k] = v
		}
		return nil
	})
}

// fieldIDFor finds the folder-id custom field, creating it (a text field)
// when missing. "" with a nil error means it is unavailable in this run
// (creation refused: a needs-attention item says so; or the system has
// no matter fields, noFields) or, in a dry run, that it would be created.
func (fr *foldersRun) fieldIDFor(ctx context.Context) (string, error) {
	if fr.fieldLooked {
		return fr.fieldID, nil
	}
	r := fr.r
	name := fr.s.FolderFieldName
	key := foldersFieldKey(name)
	it := engine.Item{Key: key, Platform: fr.pms.Kind(), Action: "create custom field", Object: fmt.Sprintf("%s matter field %q", fr.sysName(), name)}
	waiting := r.Hold(key, false) // refused before and waiting for a person
	id, err := fr.pms.MatterField(ctx, name)
	if errors.Is(err, pms.ErrNoMatterFields) {
		fr.fieldLooked, fr.noFields = true, true
		return "", nil
	}
	if err != nil {
		if httpx.KindOf(err) != httpx.KindForbidden {
			return "", err
		}
		fr.fieldLooked = true
		if !waiting {
			fr.fieldRefused(it, err)
		}
		return "", nil
	}
	fr.fieldLooked = true
	if id != "" {
		fr.fieldID = id
		if waiting || (r.Targeted() && r.Wants(key)) {
			it.Action, it.ExternalID, it.Change = "find custom field", id, engine.Unchanged
			r.Done(it) // clears the needs-attention state
		}
		return id, nil
	}
	if waiting {
		return "", nil
	}
	if r.DryRun {
		it.Change = engine.Created
		r.Done(it)
		return "", nil
	}
	id, err = fr.pms.CreateMatterField(ctx, name)
	if err != nil {
		if runEnding(ctx, err) {
			return "", err
		}
		if k := httpx.KindOf(err); k != httpx.KindForbidden && k != httpx.KindValidation {
			r.Fail(it, err, false)
			return "", nil
		}
		fr.fieldRefused(it, err)
		return "", nil
	}
	fr.fieldID = id
	it.ExternalID, it.Change = id, engine.Created
	r.Done(it)
	return id, nil
}

// fieldRefused parks the custom field as needing a person.
func (fr *foldersRun) fieldRefused(it engine.Item, err error) {
	name := fr.s.FolderFieldName
	sys := fr.sysName()
	fr.r.Fail(it, fmt.Errorf("%s refused to look up or create the matter custom field %q that holds each matter's Box folder id. "+
		"Add a text field named %q for matters in %s (%s), or reconnect %s with a user "+
		"allowed to manage custom fields, then press Retry: %w", sys, name, name, sys, fieldsWhere(fr.pms.Kind()), sys, err), true)
}

// fieldsWhere is where a person adds a custom field in each system.
func fieldsWhere(kind string) string {
	if kind == pms.MyCase {
		return "Settings → Custom Fields → Cases"
	}
	return "Settings → Custom Fields"
}

// sysName is the practice-management system's name ("Clio").
func (fr *foldersRun) sysName() string { return pms.Name(fr.pms.Kind()) }

// pendingFields writes the folder id to matters whose field write had to
// wait (the field was missing), once the field can be had. It costs
// nothing while no matter waits.
func (fr *foldersRun) pendingFields(ctx context.Context) error {
	r := fr.r
	entries, err := r.Store().LedgerEntries(r.Job, store.LedgerDone)
	if err != nil {
		return fmt.Errorf("reading the folders ledger: %w", err)
	}
	var waiting []store.LedgerEntry
	for _, en := range entries {
		id, ok := foldersParseID(en.Key, "matter:")
		if ok && !fr.seen[id] && en.TargetID != "" && en.Extra[foldersExtraFieldValue] != en.TargetID && !r.Hold(en.Key, false) {
			waiting = append(waiting, en)
		}
	}
	forField := r.Targeted() && r.Wants(foldersFieldKey(fr.s.FolderFieldName))
	if len(waiting) == 0 && !forField {
		return nil
	}
	fid, err := fr.fieldIDFor(ctx)
	if err != nil {
		if runEnding(ctx, err) {
			return err
		}
		fr.j.logger().Warn("the folder id field is not available", "err", err)
		return nil
	}
	if fid == "" && !r.DryRun {
		return nil
	}
	for _, en := range waiting {
		id, _ := foldersParseID(en.Key, "matter:")
		fr.seen[id] = true
		it := engine.Item{Key: en.Key, Platform: fr.pms.Kind(), Action: "write folder id", Object: "Matter folder " + en.Extra[foldersExtraName],
			SourceID: id, ExternalID: en.TargetID, Change: engine.Updated}
		if r.DryRun {
			r.Done(it)
			continue
		}
		if err := fr.writeField(ctx, id, en.TargetID); err != nil {
			if runEnding(ctx, err) {
				return err
			}
			r.Fail(it, err, httpx.KindOf(err) == httpx.KindValidation || errors.Is(err, pms.ErrNotFound))
			continue
		}
		r.Done(it)
	}
	return nil
}

// foldersParseID reads the id of a key such as "matter:12" (Smokeball's
// ids are GUIDs).
func foldersParseID(key, prefix string) (string, bool) {
	id, ok := strings.CutPrefix(key, prefix)
	return id, ok && id != "" && !strings.ContainsAny(id, " /\\?#")
}
