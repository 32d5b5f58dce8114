package jobs

// The "intake" job: Lawmatics prospects that became hired → a contact in
// the practice-management system (Clio, MyCase or Smokeball, through the
// pms seam; matched by email, then by E.164 phone; created only when
// nothing matches), a matter (description = case title, number = case
// number, practice area or matter type through the firm's case-type
// mapping), and the prospect's files as documents on that matter. Matter
// status changes flow back into the link kept in the ledger.
//
// What follows says "Clio" for the practice-management system. The other
// systems differ only where the seam says: MyCase keeps the prospect id in
// a case custom field as Clio does (its listing has no filter by it, so
// the lookup lists the cases); Smokeball has no custom fields, and the
// prospect id goes into the matter's externalSystemId with the create
// itself, so a crash cannot part the two.
//
// Crash safety
//
// A matter create is not idempotent, so before CreateMatter the ledger gets
// an intent "prospect:<id>" holding the client contact id, the case number
// and the case title; right after the create the matter id is added to the
// intent, the Lawmatics prospect id is written into the Clio matter custom
// field "Lawmatics Prospect ID", and the intent is finished. At the start
// of every run an open intent is reconciled, before anything is created
// again: by the matter id when the intent has one, else by the custom field
// value (Clio's custom_field_values[<field id>] filter), else, as a
// fallback, by custom_number = case number (or description = case title
// when the prospect has no case number) among the matters of the intent's
// client that changed since the intent was written. Found → the matter is
// adopted (custom field written, link finished); not found → the prospect
// is created when it is processed.
//
// The residual window is a crash after Clio made the matter but before its
// reply reached the ledger (so neither the matter id nor the custom field
// exists anywhere): the custom_number fallback closes it, since the matter
// was created with the case number and for the client recorded in the
// intent. A prospect without a case number is matched by description (the
// case title) instead; only a second matter of the same client with the
// same title made in that hour could be confused with it, and then one of
// them is adopted: no duplicate, at worst a link to its twin.
//
// A contact create needs no lookup of its own: the next attempt matches the
// new contact by email or phone. Its id is also recorded in the intent, so
// a prospect with neither email nor usable phone reuses it too (only a
// crash inside that create could then leave a second contact).
//
// Each file is its own ledger entry "lmfile:<id>": intent (matter id, name,
// size) before the three-step upload, finished with the Clio document id.
// An open file intent is reconciled by a fully uploaded document of that
// name and size on the matter that no other file claims. An upload that
// failed after Clio made the document record is retried as a new version of
// that record, so no stray records pile up.
//
// Lost database
//
// The platforms, not the ledger, say what was made. A prospect the ledger
// knows nothing of (new, or firmsync.db deleted, a new PC, an old backup
// restored) is first looked for in Clio by its "Lawmatics Prospect ID"
// (one filtered listing; none when the field does not exist yet) and a
// found matter is linked, without a client lookup. A file the ledger knows
// nothing of, bound for a matter this run did not create, is looked for
// among the matter's documents (one listing per prospect) by name and size
// and linked when a completed document no other file claims matches. Known
// prospects and files cost nothing extra. Not recoverable this way: a
// matter made just before a crash that also lost the database (no field
// written yet: a second matter is made), and a matter deleted in Clio
// whose "deleted" link was lost (it is made again).
//
// Status flow-back
//
// A Clio matter's status becomes the link's Extra["link_status"] (Open and
// Pending → active, Closed → closed; a deleted matter → deleted, and it is
// not recreated) and is logged. Nothing is written to Lawmatics: its API
// has no field for a matter's status in Clio (the seed firm only showed the
// link status on its own screens), and changing the prospect's status or
// sub-status would corrupt the intake pipeline the firm reports on.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// IntakeFieldName is the Clio matter custom field that holds the Lawmatics
// prospect id of an intake matter.
const IntakeFieldName = "Lawmatics Prospect ID"

// Link statuses kept in the ledger entry's Extra["link_status"].
const (
	intakeLinkActive  = "active"
	intakeLinkClosed  = "closed"
	intakeLinkDeleted = "deleted"
)

// intakePendingWait is how long a create the system accepted but had not
// applied (Smokeball's 202) is waited for before the prospect may be
// created again.
const intakePendingWait = time.Hour

// intakeReconcileSlack is how far before an intent the custom_number
// fallback looks for the matter (clock differences between this PC and
// Clio).
const intakeReconcileSlack = time.Hour

// Intake is the "intake" job: hired Lawmatics prospects → Clio contact,
// matter and documents; Clio matter status → the link.
type Intake struct{ Deps }

// Name implements engine.Job.
func (j *Intake) Name() string { return "intake" }

// intakeRun is one run's state.
type intakeRun struct {
	j    *Intake
	r    *engine.Run
	s    Settings
	lm   *lawmatics.Client
	pm   pms.System
	kind string // pm.Kind()

	fieldID      string // the "Lawmatics Prospect ID" field; "" until found or created
	fieldPlanned bool   // a dry run planned its creation
	noField      bool   // the system has no matter fields: the prospect id is the matter's external key

	areas map[string]string // lower-case practice area name → id; nil until loaded

	adopted    map[string]pms.Matter // prospect keys whose matter a reconcile found (a dry run cannot finish them)
	adoptedDoc map[string]string     // file keys whose document a reconcile found
	claimed    map[string]bool       // document ids linked to a file; nil until read (claimedDocs)
	unresolved map[string]error      // intents whose lookup failed: nothing is created for them this run
	reconciled []string              // prospect ids of open intents: processed even when not listed
}

// sys is the practice-management system's name ("Clio").
func (x *intakeRun) sys() string { return pms.Name(x.kind) }

// intakeExternalKey is a matter's external key naming its prospect.
func intakeExternalKey(pid string) string { return "lawmatics:" + pid }

// statusPrefix starts the key of a targeted status check ("clio-matter:12").
func (x *intakeRun) statusPrefix() string { return x.kind + "-matter:" }

// intakeNumber is how a matter is named in messages: its number, else
// its description, else its id.
func intakeNumber(m pms.Matter) string {
	return cmp.Or(strings.TrimSpace(m.Number), strings.TrimSpace(m.Description), m.ID)
}

// Run implements engine.Job.
func (j *Intake) Run(ctx context.Context, r *engine.Run) error {
	lm, err := j.Platforms.Lawmatics(ctx)
	if err != nil {
		if notConnected(err) {
			return fmt.Errorf("%w: lawmatics is not connected", engine.ErrSkipRun)
		}
		return fmt.Errorf("opening lawmatics: %w", err)
	}
	s := j.Settings().Normalize()
	pm, err := j.Platforms.PMS(ctx)
	if err != nil {
		if notConnected(err) {
			return fmt.Errorf("%w: %s is not connected", engine.ErrSkipRun, s.PracticeManagement)
		}
		return fmt.Errorf("opening %s: %w", s.PracticeManagement, err)
	}
	x := &intakeRun{
		j: j, r: r, s: s, lm: lm, pm: pm, kind: pm.Kind(),
		adopted: map[string]pms.Matter{}, adoptedDoc: map[string]string{}, unresolved: map[string]error{},
	}
	if err := x.reconcile(ctx); err != nil {
		return err
	}
	if r.Targeted() {
		return x.targeted(ctx)
	}
	if err := x.fullProspects(ctx); err != nil {
		return err
	}
	return x.fullStatus(ctx)
}

// intakeFatal reports whether err ends the run rather than one item.
func intakeFatal(ctx context.Context, err error) bool {
	return err != nil && (httpx.IsReconnect(err) || ctx.Err() != nil)
}

func intakeProspectKey(id string) string { return "prospect:" + id }

// ---------------------------------------------------------------- reconcile

// reconcile looks up the target of every open intent before anything is
// created again.
func (x *intakeRun) reconcile(ctx context.Context) error {
	ents, err := openIntents(x.r)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, en := range ents {
		var err error
		var pid string
		switch {
		case strings.HasPrefix(en.Key, "prospect:"):
			pid = strings.TrimPrefix(en.Key, "prospect:")
			err = x.reconcileMatter(ctx, en)
		case strings.HasPrefix(en.Key, "lmfile:"):
			pid = en.Extra["prospect_id"]
			err = x.reconcileFile(ctx, en)
		default:
			continue
		}
		if intakeFatal(ctx, err) {
			return err
		}
		if err != nil {
			x.unresolved[en.Key] = err
			x.j.logger().Warn("intake: checking an interrupted create", "item", en.Key, "err", err)
		}
		if pid != "" && !seen[pid] && !x.settled(en) {
			seen[pid] = true
			x.reconciled = append(x.reconciled, pid)
		}
	}
	return nil
}

// settled reports whether an open intent needed no lookup: the create
// never started or was clearly refused.
func (x *intakeRun) settled(en store.LedgerEntry) bool {
	return strings.HasPrefix(en.Key, "prospect:") && (en.Extra["step"] != "matter" || en.Extra["refused"] == "1")
}

// reconcileMatter finds the matter of an open "prospect:<id>" intent.
func (x *intakeRun) reconcileMatter(ctx context.Context, en store.LedgerEntry) error {
	if x.settled(en) {
		return nil // the matter create never started, or Clio refused it: nothing to find
	}
	pid := strings.TrimPrefix(en.Key, "prospect:")
	var found *pms.Matter
	if id := en.Extra["matter_id"]; id != "" {
		m, err := x.pm.Matter(ctx, id)
		switch {
		case err == nil:
			found = &m
		case !errors.Is(err, pms.ErrNotFound):
			return err
		case en.Extra["pending"] == "1" && x.r.Now().Sub(en.IntentAt) < intakePendingWait:
			// Accepted and still not applied: nothing is made for this
			// prospect until it shows (or the wait runs out: a write the
			// system finally refused is reported to it, not made here).
			return fmt.Errorf("%s accepted matter %s at %s and has not applied it yet", x.sys(), id, en.IntentAt.Format(time.Kitchen))
		}
	}
	if found == nil {
		m, ok, err := x.findMatter(ctx, pid)
		if err != nil {
			return err
		}
		if ok {
			found = &m
		}
	}
	if found == nil {
		client := en.Extra["contact_id"]
		cn, desc := en.Extra["case_number"], en.Extra["description"]
		var since time.Time
		if !en.IntentAt.IsZero() {
			since = en.IntentAt.Add(-intakeReconcileSlack)
		}
		if client != "" && client != "0" {
			err := x.pm.Matters(ctx, pms.MatterQuery{UpdatedSince: since}, func(m pms.Matter) error {
				if found != nil || m.ClientID != client {
					return nil
				}
				if cn != "" && m.CustomNumber == cn || cn == "" && m.Description == desc {
					found = &m
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	if found == nil {
		if d := x.pm.ApplyDelay(); d > 0 && x.r.Now().Sub(en.IntentAt) < d {
			// The create may have been accepted just before the
			// interruption and not be showing yet (Smokeball applies
			// writes later): nothing is made until it could have shown.
			return fmt.Errorf("%s may have accepted this matter just before an interruption; looking again after %s",
				x.sys(), en.IntentAt.Add(d).Format(time.Kitchen))
		}
		return nil // not created: the prospect is created when it is processed
	}
	return x.adoptMatter(ctx, en.Key, *found, en.Fingerprint, true,
		fmt.Sprintf("%s matter %s was created before an interruption; linked it instead of creating another", x.sys(), intakeNumber(*found)))
}

// findMatter looks for the matter whose "Lawmatics Prospect ID" is pid
// (Clio: one filtered listing by custom_field_values[<field id>]), or,
// where the system has no fields, whose external key names pid. No field
// yet means no matter can carry the id.
func (x *intakeRun) findMatter(ctx context.Context, pid string) (pms.Matter, bool, error) {
	fid, err := x.field(ctx, false)
	if err != nil {
		return pms.Matter{}, false, err
	}
	var ms []pms.Matter
	switch {
	case x.noField:
		ms, err = x.pm.MattersByKey(ctx, "", intakeExternalKey(pid))
	case fid == "":
		return pms.Matter{}, false, nil
	default:
		ms, err = x.pm.MattersByKey(ctx, fid, pid)
	}
	if err != nil {
		return pms.Matter{}, false, err
	}
	for _, m := range ms {
		if slices.Contains(x.prospectIDs(m), pid) {
			return m, true, nil
		}
	}
	return pms.Matter{}, false, nil
}

// adoptMatter links the prospect of key to an existing Clio matter
// (writing the prospect id field on it when writeField is set) and logs
// why.
func (x *intakeRun) adoptMatter(ctx context.Context, key string, m pms.Matter, fp string, writeField bool, why string) error {
	pid := strings.TrimPrefix(key, "prospect:")
	if writeField {
		if err := x.writeProspectField(ctx, m.ID, pid); err != nil {
			return err
		}
	}
	mid := m.ID
	extra := map[string]string{"link_status": intakeLinkStatus(m.Status), "matter_number": m.Number,
		"matter_id": mid, "step": "", "prospect_id": pid, "pending": ""}
	if err := finish(x.r, key, mid, fp, extra); err != nil {
		return fmt.Errorf("writing the intake ledger: %w", err)
	}
	x.adopted[key] = m
	x.r.Log(engine.Item{
		Key: key, Platform: x.kind, Action: "link matter", Object: fmt.Sprintf("Matter %s — %s", intakeNumber(m), m.Description),
		SourceID: pid, ExternalID: mid, Message: why,
	}, store.LogSuccess)
	return nil
}

// reconcileFile finds the document of an open "lmfile:<id>" intent.
func (x *intakeRun) reconcileFile(ctx context.Context, en store.LedgerEntry) error {
	mid := en.Extra["matter_id"]
	name := en.Extra["name"]
	if mid == "" || mid == "0" || name == "" {
		return nil
	}
	size, err := strconv.ParseInt(en.Extra["size"], 10, 64)
	if err != nil {
		size = -1 // unknown: the name decides
	}
	claimed, err := x.claimedDocs()
	if err != nil {
		return err
	}
	var found *pms.Document
	err = x.pm.Documents(ctx, pms.DocumentQuery{MatterIDs: []string{mid}}, func(d pms.Document) error {
		if found == nil && intakeDocMatches(d, name, size, claimed) {
			found = &d
		}
		return nil
	})
	if errors.Is(err, pms.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if found == nil {
		return nil
	}
	if err := finish(x.r, en.Key, found.ID, "", map[string]string{"stray_doc": ""}); err != nil {
		return err
	}
	claimed[found.ID] = true
	x.adoptedDoc[en.Key] = found.ID
	return nil
}

// claimedDocs is the set of document ids the job's finished file
// links hold, read once per run and kept up to date by the adoptions
// (an upload's fresh document is never looked for again in the same run).
func (x *intakeRun) claimedDocs() (map[string]bool, error) {
	if x.claimed != nil {
		return x.claimed, nil
	}
	done, err := x.r.Store().LedgerEntries(x.r.Job, store.LedgerDone)
	if err != nil {
		return nil, fmt.Errorf("reading the intake ledger: %w", err)
	}
	x.claimed = map[string]bool{}
	for _, d := range done {
		if strings.HasPrefix(d.Key, "lmfile:") {
			x.claimed[d.TargetID] = true
		}
	}
	return x.claimed, nil
}

// intakeDocMatches reports whether a document is a Lawmatics file's
// completed upload: the same name, a fully uploaded latest version of the
// same size (when both sizes are known; size < 0 is unknown), and not
// another file's.
func intakeDocMatches(d pms.Document, name string, size int64, claimed map[string]bool) bool {
	if d.Name != name || claimed[d.ID] {
		return false
	}
	return d.Version != "" && (size < 0 || d.Size <= 0 || d.Size == size)
}

// ---------------------------------------------------------------- listings

// intakeWanted reports whether a prospect is one the job takes.
func intakeWanted(p lawmatics.Prospect, subStatus string) bool {
	if strings.EqualFold(p.Attributes.Status, lawmatics.StatusHired) {
		return true
	}
	return subStatus != "" && strings.EqualFold(strings.TrimSpace(p.Attributes.SubStatus), subStatus)
}

// fullProspects lists the prospects hired (or at the chosen sub-status)
// since the watermark and processes them, plus the prospects of open
// intents.
func (x *intakeRun) fullProspects(ctx context.Context) error {
	wm, err := x.r.Watermark("prospects")
	if err != nil {
		return err
	}
	mark := engine.NewMark(wm)
	sub := strings.TrimSpace(x.s.HiredSubStatus)
	q := lawmatics.ProspectQuery{UpdatedSince: wm}
	if !wm.IsZero() {
		// The Lawmatics client lists strictly after UpdatedSince (at
		// millisecond precision), but a mark held by a failed item must
		// see that item again.
		q.UpdatedSince = wm.Add(-time.Millisecond)
	}
	if sub == "" {
		q.Status = lawmatics.StatusHired
	}
	var list []lawmatics.Prospect
	listed := map[string]bool{}
	err = x.lm.Prospects(ctx, q, func(p lawmatics.Prospect) error {
		if intakeWanted(p, sub) {
			list = append(list, p)
			listed[p.ID] = true
		} else {
			mark.OK(p.Attributes.UpdatedAt.Time)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing hired Lawmatics prospects: %w", err)
	}
	// Open intents of prospects the listing did not return (a crash during
	// a targeted run): finish them now rather than leave a gap.
	var extra []string
	for _, pid := range x.reconciled {
		if !listed[pid] {
			extra = append(extra, pid)
		}
	}
	total := len(list) + len(extra)
	done := 0
	x.r.Progress(0, total)
	for _, p := range list {
		t := p.Attributes.UpdatedAt.Time
		if x.r.Hold(intakeProspectKey(p.ID), false) {
			mark.Hold(t)
		} else {
			ok, err := x.process(ctx, p)
			if err != nil {
				return err
			}
			if ok {
				mark.OK(t)
			} else {
				mark.Hold(t)
			}
		}
		done++
		x.r.Progress(done, total)
	}
	for _, pid := range extra {
		if !x.r.Hold(intakeProspectKey(pid), false) {
			if err := x.processID(ctx, pid); err != nil {
				return err
			}
		}
		done++
		x.r.Progress(done, total)
	}
	return x.r.SetWatermark("prospects", mark.Value())
}

// targeted handles a webhook's or a retry's object keys.
func (x *intakeRun) targeted(ctx context.Context) error {
	ids := x.r.Trigger.ObjectIDs
	x.r.Progress(0, len(ids))
	for i, key := range ids {
		var err error
		switch {
		case strings.HasPrefix(key, "prospect:"):
			err = x.processID(ctx, strings.TrimPrefix(key, "prospect:"))
		case strings.HasPrefix(key, "lmfile:"):
			var ln Link
			var found bool
			ln, found, err = link(x.r, key)
			if err == nil && found && ln.Extra["prospect_id"] != "" {
				err = x.processID(ctx, ln.Extra["prospect_id"])
			} else if err == nil {
				x.r.Done(engine.Item{Key: key, Platform: x.kind, Action: "upload document", Change: engine.Skipped,
					Message: "this Lawmatics file is not known to the intake job"})
			}
		case strings.HasPrefix(key, x.statusPrefix()):
			err = x.statusByID(ctx, strings.TrimPrefix(key, x.statusPrefix()))
		default:
			x.r.Done(engine.Item{Key: key, Change: engine.Skipped, Message: "not an intake item"})
		}
		if err != nil {
			return err
		}
		x.r.Progress(i+1, len(ids))
	}
	return nil
}

// processID fetches one prospect and processes it if it is hired.
func (x *intakeRun) processID(ctx context.Context, pid string) error {
	key := intakeProspectKey(pid)
	p, err := x.lm.Prospect(ctx, pid)
	if err != nil {
		if intakeFatal(ctx, err) {
			return err
		}
		it := engine.Item{Key: key, Platform: x.kind, Action: "create matter", Object: "Lawmatics matter " + pid, SourceID: pid}
		if httpx.KindOf(err) == httpx.KindNotFound {
			it.Change, it.Message = engine.Skipped, "the prospect no longer exists in Lawmatics"
			x.r.Done(it)
			return nil
		}
		x.r.Fail(it, fmt.Errorf("reading Lawmatics prospect %s: %w", pid, err), false)
		return nil
	}
	if !intakeWanted(p, strings.TrimSpace(x.s.HiredSubStatus)) {
		st := p.Attributes.Status
		if p.Attributes.SubStatus != "" {
			st += ", " + p.Attributes.SubStatus
		}
		x.r.Done(engine.Item{Key: key, Platform: x.kind, Action: "create matter", Object: intakeMatterLabel(p), SourceID: pid,
			Change: engine.Skipped, Message: fmt.Sprintf("the prospect is not hired (status %s); nothing to create", st)})
		return nil
	}
	_, err = x.process(ctx, p)
	return err
}

// ---------------------------------------------------------------- one prospect

// intakeMatterFP is what a matter was created from.
type intakeMatterFP struct {
	Description  string `json:"d"`
	CustomNumber string `json:"n"`
	PracticeArea string `json:"a"`
	ClientID     string `json:"c"`
}

func intakeMatterLabel(p lawmatics.Prospect) string {
	l := fmt.Sprintf("Matter %q", intakeDescription(p))
	if n := strings.TrimSpace(p.Attributes.CaseNumber); n != "" {
		l += " (" + n + ")"
	}
	return l
}

func intakePersonName(p lawmatics.Prospect) string {
	return strings.TrimSpace(strings.TrimSpace(p.Attributes.FirstName) + " " + strings.TrimSpace(p.Attributes.LastName))
}

func intakeDescription(p lawmatics.Prospect) string {
	if d := strings.TrimSpace(p.Attributes.CaseTitle); d != "" {
		return d
	}
	if n := intakePersonName(p); n != "" {
		return n + " — intake"
	}
	return "Lawmatics matter " + p.ID
}

// process brings one hired prospect to the practice-management system. ok is false when an item
// failed (it was reported); err only for run-ending errors.
func (x *intakeRun) process(ctx context.Context, p lawmatics.Prospect) (ok bool, err error) {
	key := intakeProspectKey(p.ID)
	label := intakeMatterLabel(p)
	if uerr, bad := x.unresolved[key]; bad {
		x.r.Fail(engine.Item{Key: key, Platform: x.kind, Action: "create matter", Object: label, SourceID: p.ID},
			fmt.Errorf("could not check whether the matter was already created before an interruption, so nothing was created: %w", uerr), false)
		return false, nil
	}
	ln, found, err := link(x.r, key)
	if err != nil {
		return false, fmt.Errorf("reading the intake ledger: %w", err)
	}
	updated := p.Attributes.UpdatedAt.Time.UTC().Format(time.RFC3339Nano)
	var matterID string
	message := "" // what the unchanged item says
	switch m, adopted := x.adopted[key]; {
	case adopted:
		matterID = m.ID
	case found && ln.State == store.LedgerDone && ln.TargetID != "":
		matterID = ln.TargetID
		if ln.Extra["link_status"] == intakeLinkDeleted {
			x.r.Done(engine.Item{Key: key, Platform: x.kind, Action: "upload document", Object: label, SourceID: p.ID,
				ExternalID: ln.TargetID, Change: engine.Unchanged, Message: "its " + x.sys() + " matter was deleted; not recreated"})
			return true, nil
		}
		if ln.Extra["files_done"] == "1" && ln.Extra["lm_updated"] == updated {
			x.r.Done(engine.Item{Key: key, Platform: x.kind, Action: "create matter", Object: label, SourceID: p.ID,
				ExternalID: ln.TargetID, Change: engine.Unchanged})
			return true, nil
		}
	}
	if matterID == "" && !found {
		// The ledger knows nothing of this prospect: new, or the database
		// was lost, replaced or restored from before its matter was made.
		// The matter's "Lawmatics Prospect ID" says which (one lookup, only
		// for prospects the ledger does not know).
		m, ok, err := x.findMatter(ctx, p.ID)
		if err != nil {
			it := engine.Item{Key: key, Platform: x.kind, Action: "create matter", Object: label, SourceID: p.ID}
			return false, x.fail(ctx, it, fmt.Errorf("looking for a %s matter already made for this prospect: %w", x.sys(), err))
		}
		if ok {
			why := fmt.Sprintf("%s matter %s already holds this prospect's Lawmatics Prospect ID (made by an earlier sync the local database does not remember); linked it instead of creating another", x.sys(), intakeNumber(m))
			if err := x.adoptMatter(ctx, key, m, "", false, why); err != nil {
				return false, err
			}
			matterID, message = m.ID, "linked the existing "+x.sys()+" matter "+intakeNumber(m)+" (made by an earlier sync)"
		}
	}
	reported := false
	fresh := false // the matter was made in this run: it has no documents yet
	if matterID == "" {
		var created bool
		matterID, created, err = x.createMatter(ctx, p, ln, found)
		if err != nil || !created {
			return false, err
		}
		reported, fresh = true, true
	}
	ok, wrote, err := x.files(ctx, p, matterID, fresh)
	if err != nil || !ok {
		return false, err
	}
	if !x.r.DryRun && matterID != "" {
		err := x.r.Store().UpdateLedger(x.r.Job, key, func(e *store.LedgerEntry, found bool) error {
			if e.Extra == nil {
				e.Extra = map[string]string{}
			}
			e.Extra["files_done"], e.Extra["lm_updated"] = "1", updated
			return nil
		})
		if err != nil {
			return false, fmt.Errorf("writing the intake ledger: %w", err)
		}
	}
	if !reported && !wrote {
		// Clears any retry state the item had.
		x.r.Done(engine.Item{Key: key, Platform: x.kind, Action: "create matter", Object: label, SourceID: p.ID,
			ExternalID: matterID, Change: engine.Unchanged, Message: message})
	}
	return true, nil
}

// fail reports a failed item, or returns err when it ends the run.
func (x *intakeRun) fail(ctx context.Context, it engine.Item, err error) error {
	if intakeFatal(ctx, err) {
		return err
	}
	permanent := httpx.KindOf(err) == httpx.KindValidation || errors.Is(err, engine.ErrNoMatch)
	x.r.Fail(it, err, permanent)
	return nil
}

// createMatter resolves the client and creates the matter (a dry run
// plans both). matterID is "" in dry runs; created is false when an item
// failed.
func (x *intakeRun) createMatter(ctx context.Context, p lawmatics.Prospect, ln Link, haveLink bool) (matterID string, created bool, err error) {
	key := intakeProspectKey(p.ID)
	item := engine.Item{Key: key, Platform: x.kind, Action: "create matter", Object: intakeMatterLabel(p), SourceID: p.ID}
	var prev map[string]string
	if haveLink && ln.State == store.LedgerIntent {
		prev = ln.Extra
	}

	clientID, clientNote, ok, err := x.resolveContact(ctx, p, prev)
	if err != nil || !ok {
		return "", false, err
	}

	// Practice area through the firm's mapping.
	var notes []string
	ct := strings.TrimSpace(p.Attributes.CaseType())
	area := intakeArea(x.s.CaseTypeMapping, p)
	if area == "" {
		area = strings.TrimSpace(x.s.FallbackPracticeArea)
		if ct == "" {
			notes = append(notes, fmt.Sprintf("the prospect has no case type; used the fallback practice area %q", area))
		} else {
			notes = append(notes, fmt.Sprintf("case type %q is not in the case-type mapping; used the fallback practice area %q", ct, area))
		}
	}
	var areaID string
	if area != "" {
		areaID, err = x.practiceArea(ctx, area)
		if err != nil {
			return "", false, x.fail(ctx, item, fmt.Errorf("reading %s %s: %w", x.sys(), x.areaWord(), err))
		}
		if areaID == "" {
			notes = append(notes, fmt.Sprintf("%s %q does not exist in %s; the matter was created without one", x.areaWord()[:len(x.areaWord())-1], area, x.sys()))
		}
	}

	fid, err := x.field(ctx, true)
	if err != nil {
		return "", false, x.fail(ctx, item, fmt.Errorf("preparing the %q custom field: %w", IntakeFieldName, err))
	}

	desc := intakeDescription(p)
	number := strings.TrimSpace(p.Attributes.CaseNumber)
	fp := Fingerprint(intakeMatterFP{Description: desc, CustomNumber: number, PracticeArea: area, ClientID: clientID})
	msg := func(prefix string) string {
		s := prefix + "; client: " + clientNote
		if areaID != "" {
			s += "; " + x.areaWord()[:len(x.areaWord())-1] + " " + area
		}
		for _, n := range notes {
			s += "; " + n
		}
		return s
	}
	if x.r.DryRun {
		item.Change, item.Message = engine.Created, msg("would be created")
		x.r.Done(item)
		return "", true, nil
	}

	if err := beginIntent(x.r, key, map[string]string{
		"step": "matter", "prospect_id": p.ID, "contact_id": clientID,
		"case_number": number, "description": desc, "refused": "", "matter_id": "", "pending": "",
	}); err != nil {
		return "", false, fmt.Errorf("writing the intake ledger: %w", err)
	}
	m, err := x.pm.CreateMatter(ctx, pms.MatterCreate{
		Description: desc, ClientID: clientID, Number: number, PracticeAreaID: areaID, ExternalKey: intakeExternalKey(p.ID),
		// Accepted, not applied yet (Smokeball): the id is kept at once,
		// and a later run waits for this matter instead of making another.
		OnAccepted: func(id string) error {
			return beginIntent(x.r, key, map[string]string{"matter_id": id, "pending": "1"})
		},
	})
	var pe *pms.PendingError
	if errors.As(err, &pe) {
		x.r.Fail(item, err, false)
		return "", false, nil
	}
	if err != nil {
		if k := httpx.KindOf(err); k == httpx.KindValidation || k == httpx.KindForbidden || k == httpx.KindNotFound {
			// A clear refusal: no matter was made, so the next run need not look.
			if err := beginIntent(x.r, key, map[string]string{"refused": "1"}); err != nil {
				return "", false, fmt.Errorf("writing the intake ledger: %w", err)
			}
		}
		return "", false, x.fail(ctx, item, err)
	}
	mid := m.ID
	if err := beginIntent(x.r, key, map[string]string{"matter_id": mid}); err != nil {
		return "", false, fmt.Errorf("writing the intake ledger: %w", err)
	}
	item.ExternalID, item.Change = mid, engine.Created
	item.Message = msg("created as " + x.sys() + " matter " + intakeNumber(m))
	x.r.Done(item)

	if !x.noField {
		if _, err := x.pm.SetMatterField(ctx, m.ID, fid, p.ID); err != nil {
			it := item
			it.Action, it.Change, it.Message = "update matter", "", ""
			// The intent stays open with the matter id: the next run adopts it.
			return "", false, x.fail(ctx, it, fmt.Errorf("recording the Lawmatics prospect id on %s matter %s: %w", x.sys(), intakeNumber(m), err))
		}
	}
	if err := finish(x.r, key, mid, fp, map[string]string{
		"link_status": intakeLinkStatus(m.Status), "matter_number": m.Number, "step": "", "files_done": "", "pending": "",
	}); err != nil {
		return "", false, fmt.Errorf("writing the intake ledger: %w", err)
	}
	return m.ID, true, nil
}

// areaWord is what the system calls the list a matter is filed under.
func (x *intakeRun) areaWord() string {
	if x.kind == pms.Smokeball {
		return "matter types"
	}
	return "practice areas"
}

// intakeArea returns the practice area the firm's mapping gives the
// prospect's case type, or "" when none. The table is keyed by the label a
// person picks in Lawmatics (CaseType: a picklist's formatted_value). A key
// that differs only in case, spacing or punctuation ("custody_only" for
// "Custody only") matches too, and so does the picklist option id in value
// ("3241"), which is what a table filled in from raw API values holds.
func intakeArea(mapping map[string]string, p lawmatics.Prospect) string {
	label := strings.TrimSpace(p.Attributes.CaseType())
	if label == "" {
		return ""
	}
	if a, ok := mapping[label]; ok {
		return strings.TrimSpace(a)
	}
	raw := ""
	if f, ok := p.Attributes.CustomField(lawmatics.CaseTypeFieldName); ok {
		raw = strings.TrimSpace(f.RawValue())
	}
	want := caseTypeSlug(label)
	// Sorted, so that two loose matches always resolve the same way.
	for _, k := range slices.Sorted(maps.Keys(mapping)) {
		key := strings.TrimSpace(k)
		if (want != "" && caseTypeSlug(key) == want) || (raw != "" && key == raw) {
			return strings.TrimSpace(mapping[k])
		}
	}
	return ""
}

// caseTypeSlug lower-cases s and joins its runs of letters and digits with
// "_": "Immigration — asylum" and "immigration_asylum" both give
// "immigration_asylum".
func caseTypeSlug(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			sep = false
		} else {
			sep = true
		}
	}
	return b.String()
}

// resolveContact finds the prospect's contact by email, then by E.164
// phone, or creates one. clientID is "" in a dry run that would create it.
func (x *intakeRun) resolveContact(ctx context.Context, p lawmatics.Prospect, prev map[string]string) (clientID string, note string, ok bool, err error) {
	key := intakeProspectKey(p.ID)
	name := intakePersonName(p)
	email := strings.TrimSpace(p.Attributes.Email)
	label := "Contact " + name
	if email != "" {
		label += " (" + email + ")"
	}
	item := engine.Item{Key: key, Platform: x.kind, Action: "create contact", Object: label, SourceID: p.ID}
	if id := prev["contact_id"]; id != "" && id != "0" {
		if prev["contact_pending"] == "1" {
			// Accepted by the system before an interruption: wait for it to
			// show rather than make another.
			if _, err := x.pm.Contact(ctx, id); err != nil {
				if errors.Is(err, pms.ErrNotFound) {
					err = fmt.Errorf("%s accepted the new contact %s and has not applied it yet; it is used once it shows", x.sys(), id)
				}
				return "", "", false, x.fail(ctx, item, err)
			}
			if err := beginIntent(x.r, key, map[string]string{"contact_pending": ""}); err != nil {
				return "", "", false, fmt.Errorf("writing the intake ledger: %w", err)
			}
		}
		return id, fmt.Sprintf("%s contact %s (found in an earlier attempt)", x.sys(), id), true, nil
	}
	pick := func(cs []pms.Contact) pms.Contact {
		return slices.MinFunc(cs, func(a, b pms.Contact) int { return pms.CompareIDs(a.ID, b.ID) })
	}
	if email != "" {
		cs, err := x.pm.ContactsByEmail(ctx, email)
		if err != nil {
			return "", "", false, x.fail(ctx, item, fmt.Errorf("looking up the client in %s by email: %w", x.sys(), err))
		}
		if len(cs) > 0 {
			c := pick(cs)
			return c.ID, fmt.Sprintf("existing %s contact %s (%s), matched by email", x.sys(), c.Name, c.ID), true, nil
		}
	}
	rawPhone := strings.TrimSpace(p.Attributes.Phone)
	phone, perr := NormalizePhone(rawPhone, x.s.PhoneRegion)
	if perr == nil {
		cs, err := x.pm.ContactsByPhone(ctx, phone)
		if err != nil {
			return "", "", false, x.fail(ctx, item, fmt.Errorf("looking up the client in %s by phone: %w", x.sys(), err))
		}
		if len(cs) > 0 {
			c := pick(cs)
			return c.ID, fmt.Sprintf("existing %s contact %s (%s), matched by phone %s", x.sys(), c.Name, c.ID, phone), true, nil
		}
	} else {
		phone = rawPhone // kept as typed: better than losing it
	}
	if name == "" {
		return "", "", false, x.fail(ctx, item, fmt.Errorf("%w: the prospect has no first or last name to create a %s contact with", engine.ErrNoMatch, x.sys()))
	}
	if d := x.pm.ApplyDelay(); d > 0 && prev["step"] == "contact" && !x.r.DryRun {
		// A contact create was interrupted before its answer arrived; the
		// system may still show it (Smokeball applies writes later).
		if at, err := time.Parse(time.RFC3339Nano, prev["contact_at"]); err == nil && x.r.Now().Sub(at) < d {
			return "", "", false, x.fail(ctx, item, fmt.Errorf("%s may have accepted this contact just before an interruption; looking again after %s",
				x.sys(), at.Add(d).Format(time.Kitchen)))
		}
	}
	msg := "no " + x.sys() + " contact has this email or phone"
	if x.r.DryRun {
		item.Change, item.Message = engine.Created, msg
		x.r.Done(item)
		return "", "new contact " + name, true, nil
	}
	if err := beginIntent(x.r, key, map[string]string{"step": "contact", "prospect_id": p.ID,
		"contact_at": x.r.Now().UTC().Format(time.RFC3339Nano)}); err != nil {
		return "", "", false, fmt.Errorf("writing the intake ledger: %w", err)
	}
	// A system that applies creates later (Smokeball) names the contact
	// before showing it: the id is kept at once, so the next attempt waits
	// for this contact instead of making another.
	accepted := func(id string) error {
		return beginIntent(x.r, key, map[string]string{"contact_id": id, "contact_pending": "1"})
	}
	c, err := x.pm.CreateContact(ctx, pms.ContactWrite{FirstName: p.Attributes.FirstName, LastName: p.Attributes.LastName, Email: email, Phone: phone,
		OnAccepted: accepted})
	var pe *pms.PendingError
	if errors.As(err, &pe) {
		x.r.Fail(item, err, false)
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, x.fail(ctx, item, err)
	}
	if err := beginIntent(x.r, key, map[string]string{"contact_id": c.ID, "contact_pending": ""}); err != nil {
		return "", "", false, fmt.Errorf("writing the intake ledger: %w", err)
	}
	item.ExternalID, item.Change, item.Message = c.ID, engine.Created, msg
	x.r.Done(item)
	return c.ID, fmt.Sprintf("new %s contact %s (%s)", x.sys(), c.Name, c.ID), true, nil
}

// practiceArea resolves a practice area (matter type) name to its id (""
// = none).
func (x *intakeRun) practiceArea(ctx context.Context, name string) (string, error) {
	if x.areas == nil {
		pas, err := x.pm.PracticeAreas(ctx)
		if err != nil {
			return "", err
		}
		x.areas = map[string]string{}
		for _, pa := range pas {
			k := strings.ToLower(strings.TrimSpace(pa.Name))
			if _, dup := x.areas[k]; !dup {
				x.areas[k] = pa.ID
			}
		}
	}
	return x.areas[strings.ToLower(strings.TrimSpace(name))], nil
}

// field returns the id of the "Lawmatics Prospect ID" matter custom field,
// creating it when create is set (a dry run plans it). "" = none; a
// system without matter fields sets noField (the external key serves).
func (x *intakeRun) field(ctx context.Context, create bool) (string, error) {
	if x.fieldID != "" || x.fieldPlanned || x.noField {
		return x.fieldID, nil
	}
	id, err := x.pm.MatterField(ctx, IntakeFieldName)
	if errors.Is(err, pms.ErrNoMatterFields) {
		x.noField = true
		return "", nil
	}
	if err != nil || id != "" || !create {
		x.fieldID = id
		return id, err
	}
	item := engine.Item{Key: "field:" + IntakeFieldName, Platform: x.kind, Action: "create custom field",
		Object: fmt.Sprintf("%s matter field %q", x.sys(), IntakeFieldName), Change: engine.Created,
		Message: "holds the Lawmatics prospect id of each intake matter"}
	if x.r.DryRun {
		x.fieldPlanned = true
		x.r.Done(item)
		return "", nil
	}
	id, err = x.pm.CreateMatterField(ctx, IntakeFieldName)
	if err != nil {
		return "", err
	}
	x.fieldID = id
	item.ExternalID = id
	x.r.Done(item)
	return x.fieldID, nil
}

// writeProspectField records the prospect id on the matter (a dry run
// writes nothing; a system without fields has it as the external key).
func (x *intakeRun) writeProspectField(ctx context.Context, matterID string, pid string) error {
	if x.r.DryRun {
		return nil
	}
	fid, err := x.field(ctx, true)
	if err != nil || x.noField {
		return err
	}
	_, err = x.pm.SetMatterField(ctx, matterID, fid, pid)
	return err
}

// ---------------------------------------------------------------- files

// files uploads the prospect's files that are not on the matter yet, one
// after another. A file the ledger knows nothing of is first looked for
// among the matter's documents (by name and size), unless the matter was
// made in this run (fresh): after a lost, replaced or restored database
// the upload may be there already. The documents are listed once per
// prospect, and only when such a file exists, so a prospect whose files
// are all linked costs nothing. ok is false when one failed (reported);
// wrote says whether any item was reported as written or planned.
func (x *intakeRun) files(ctx context.Context, p lawmatics.Prospect, matterID string, fresh bool) (ok, wrote bool, err error) {
	key := intakeProspectKey(p.ID)
	fs, err := x.lm.Files(ctx, p.ID)
	if err != nil {
		it := engine.Item{Key: key, Platform: x.kind, Action: "upload document", Object: intakeMatterLabel(p), SourceID: p.ID}
		return false, false, x.fail(ctx, it, fmt.Errorf("listing the prospect's Lawmatics files: %w", err))
	}
	ok = true
	var docs []pms.Document // the matter's documents; nil until listed
	for _, f := range fs {
		fkey := "lmfile:" + f.ID
		name := strings.TrimSpace(f.Attributes.Name)
		if name == "" {
			name = strings.TrimSpace(f.Attributes.FileName)
		}
		if name == "" {
			name = "Lawmatics file " + f.ID
		}
		item := engine.Item{Key: key, Platform: x.kind, Action: "upload document", SourceID: f.ID,
			Object: fmt.Sprintf("Document %q on %s", name, intakeMatterLabel(p))}
		if _, adopted := x.adoptedDoc[fkey]; adopted {
			continue
		}
		fl, found, err := link(x.r, fkey)
		if err != nil {
			return false, wrote, fmt.Errorf("reading the intake ledger: %w", err)
		}
		if found && fl.State == store.LedgerDone {
			continue
		}
		if uerr, bad := x.unresolved[fkey]; bad {
			x.r.Fail(item, fmt.Errorf("could not check whether the file was already uploaded before an interruption, so it was not uploaded again: %w", uerr), false)
			ok = false
			continue
		}
		if !found && !fresh && matterID != "" {
			if docs == nil {
				docs = []pms.Document{}
				err := x.pm.Documents(ctx, pms.DocumentQuery{MatterIDs: []string{matterID}}, func(d pms.Document) error {
					docs = append(docs, d)
					return nil
				})
				if err != nil && !errors.Is(err, pms.ErrNotFound) {
					if ferr := x.fail(ctx, item, fmt.Errorf("listing the documents already on the %s matter: %w", x.sys(), err)); ferr != nil {
						return false, wrote, ferr
					}
					return false, wrote, nil
				}
			}
			adopted, err := x.adoptFile(f, fkey, name, p.ID, matterID, docs)
			if err != nil {
				return false, wrote, err
			}
			if adopted != "" {
				item.ExternalID, item.Change = adopted, engine.Unchanged
				item.Message = "already on the " + x.sys() + " matter (uploaded by an earlier sync the local database does not remember); linked, not uploaded again"
				// Counted as unchanged, but logged: a rebuild should say what it linked.
				lg := item
				lg.Action = "link document"
				x.r.Log(lg, store.LogSuccess)
				x.r.Done(item)
				continue
			}
		}
		if x.r.DryRun || matterID == "" {
			item.Change, item.Message = engine.Created, "would be uploaded"
			x.r.Done(item)
			wrote = true
			continue
		}
		var stray string
		if found && fl.State == store.LedgerIntent {
			stray = fl.Extra["stray_doc"]
		}
		doc, err := x.upload(ctx, f, fkey, name, p.ID, matterID, stray)
		if err != nil {
			if ferr := x.fail(ctx, item, fmt.Errorf("uploading %q: %w", name, err)); ferr != nil {
				return false, wrote, ferr
			}
			ok = false
			continue
		}
		item.ExternalID, item.Change = doc.ID, engine.Created
		item.Message = fmt.Sprintf("%d bytes added to the %s matter", doc.Size, x.sys())
		x.r.Done(item)
		wrote = true
	}
	return ok, wrote, nil
}

// adoptFile links a file to the first of the matter's documents that is
// its upload and that no other file claims; 0 when there is none.
func (x *intakeRun) adoptFile(f lawmatics.File, fkey, name, pid string, matterID string, docs []pms.Document) (string, error) {
	claimed, err := x.claimedDocs()
	if err != nil {
		return "", err
	}
	size := f.Attributes.FileSize
	if size <= 0 {
		size = -1 // not in the listing: the name decides
	}
	for _, d := range docs {
		if !intakeDocMatches(d, name, size, claimed) {
			continue
		}
		did := d.ID
		if err := finish(x.r, fkey, did, "", map[string]string{
			"matter_id": matterID, "name": name, "prospect_id": pid, "stray_doc": "",
		}); err != nil {
			return "", fmt.Errorf("writing the intake ledger: %w", err)
		}
		claimed[did] = true
		x.adoptedDoc[fkey] = d.ID
		return d.ID, nil
	}
	return "", nil
}

// upload streams one Lawmatics file into a document on the matter (or as
// the content of the stray record a failed attempt left).
func (x *intakeRun) upload(ctx context.Context, f lawmatics.File, fkey, name, pid string, matterID, stray string) (pms.Document, error) {
	body, size, _, err := x.lm.DownloadFile(ctx, f.ID)
	if err != nil {
		return pms.Document{}, fmt.Errorf("downloading from Lawmatics: %w", err)
	}
	defer body.Close()
	var src io.Reader = body
	if size < 0 && f.Attributes.FileSize > 0 {
		size = f.Attributes.FileSize
	}
	if size < 0 {
		// The upload needs the size up front: spool to a temporary file.
		tmp, err := os.CreateTemp("", "firmsync-intake-*")
		if err != nil {
			return pms.Document{}, fmt.Errorf("spooling the download: %w", err)
		}
		defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
		n, err := io.Copy(tmp, body)
		if err != nil {
			return pms.Document{}, fmt.Errorf("downloading from Lawmatics: %w", err)
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return pms.Document{}, fmt.Errorf("spooling the download: %w", err)
		}
		src, size = tmp, n
	}
	mid := matterID
	if err := beginIntent(x.r, fkey, map[string]string{
		"matter_id": mid, "name": name, "size": strconv.FormatInt(size, 10), "prospect_id": pid,
	}); err != nil {
		return pms.Document{}, fmt.Errorf("writing the intake ledger: %w", err)
	}
	doc, err := x.pm.UploadDocument(ctx, matterID, name, size, src, stray)
	if err != nil {
		var ue *pms.UploadError
		switch {
		case errors.As(err, &ue) && ue.DocumentID != "":
			if lerr := beginIntent(x.r, fkey, map[string]string{"stray_doc": ue.DocumentID}); lerr != nil {
				return pms.Document{}, fmt.Errorf("writing the intake ledger: %w", lerr)
			}
		case stray != "" && errors.Is(err, pms.ErrNotFound):
			// The stray record is gone: the next attempt uploads afresh.
			if lerr := beginIntent(x.r, fkey, map[string]string{"stray_doc": ""}); lerr != nil {
				return pms.Document{}, fmt.Errorf("writing the intake ledger: %w", lerr)
			}
		}
		return pms.Document{}, err
	}
	if err := finish(x.r, fkey, doc.ID, "", map[string]string{"stray_doc": ""}); err != nil {
		return pms.Document{}, fmt.Errorf("writing the intake ledger: %w", err)
	}
	if x.claimed != nil {
		x.claimed[doc.ID] = true
	}
	if doc.Size <= 0 {
		doc.Size = size // what was sent, where the system does not say
	}
	return doc, nil
}

// ---------------------------------------------------------------- status flow-back

// intakeLinkStatus maps a matter status to the link status (a Smokeball
// matter can also be "deleted" or "cancelled": kept as said).
func intakeLinkStatus(clioStatus string) string {
	switch strings.ToLower(strings.TrimSpace(clioStatus)) {
	case "closed":
		return intakeLinkClosed
	case "open", "pending", "":
		return intakeLinkActive
	}
	return strings.ToLower(clioStatus)
}

// intakeLinks indexes the job's finished prospect links by matter id.
func (x *intakeRun) intakeLinks() (map[string]store.LedgerEntry, error) {
	es, err := x.r.Store().LedgerEntries(x.r.Job, store.LedgerDone)
	if err != nil {
		return nil, fmt.Errorf("reading the intake ledger: %w", err)
	}
	out := map[string]store.LedgerEntry{}
	for _, e := range es {
		if strings.HasPrefix(e.Key, "prospect:") && e.TargetID != "" {
			out[e.TargetID] = e
		}
	}
	return out, nil
}

// prospectIDs is what a matter's "Lawmatics Prospect ID" field holds (a
// value is recognised by the field's name or id), or its external key.
func (x *intakeRun) prospectIDs(m pms.Matter) []string {
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for name, v := range m.FieldNames {
		if strings.EqualFold(name, IntakeFieldName) {
			add(v)
		}
	}
	if x.fieldID != "" {
		if v, ok := m.Fields[x.fieldID]; ok {
			add(v)
		}
	}
	if pid, ok := strings.CutPrefix(m.ExternalKey, intakeExternalKey("")); ok {
		add(pid)
	}
	return out
}

// linkOf finds the link of a matter: by its "Lawmatics Prospect ID"
// value, else by the ledger's matter id.
func (x *intakeRun) linkOf(m pms.Matter, byTarget map[string]store.LedgerEntry) (store.LedgerEntry, bool, error) {
	mid := m.ID
	for _, pid := range x.prospectIDs(m) {
		e, ok, err := x.r.Store().Ledger(x.r.Job, intakeProspectKey(pid))
		if err != nil {
			return store.LedgerEntry{}, false, fmt.Errorf("reading the intake ledger: %w", err)
		}
		if ok && e.State == store.LedgerDone && e.TargetID == mid {
			return e, true, nil
		}
	}
	e, ok := byTarget[mid]
	return e, ok, nil
}

// fullStatus lists the matters changed since the "<kind>-status"
// watermark ("clio-status") and updates the links among them.
func (x *intakeRun) fullStatus(ctx context.Context) error {
	byTarget, err := x.intakeLinks()
	if err != nil {
		return err
	}
	if len(byTarget) == 0 {
		return nil // no intake matter yet: nothing can flow back
	}
	wm, err := x.r.Watermark(x.kind + "-status")
	if err != nil {
		return err
	}
	mark := engine.NewMark(wm)
	err = x.pm.Matters(ctx, pms.MatterQuery{UpdatedSince: wm}, func(m pms.Matter) error {
		e, ok, err := x.linkOf(m, byTarget)
		if err != nil {
			return err
		}
		if ok {
			if err := x.flowStatus(m.ID, m.Number, m.Description, m.Status, e); err != nil {
				return err
			}
		}
		mark.OK(m.UpdatedAt)
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing changed %s matters: %w", x.sys(), err)
	}
	return x.r.SetWatermark(x.kind+"-status", mark.Value())
}

// statusByID handles a targeted "<kind>-matter:<id>" ("clio-matter:12").
func (x *intakeRun) statusByID(ctx context.Context, sid string) error {
	key := x.statusPrefix() + sid
	byTarget, err := x.intakeLinks()
	if err != nil {
		return err
	}
	if _, ok := foldersParseID("matter:"+sid, "matter:"); !ok {
		x.r.Done(engine.Item{Key: key, Change: engine.Skipped, Message: "not a " + x.sys() + " matter id"})
		return nil
	}
	m, err := x.pm.Matter(ctx, sid)
	if err != nil {
		if intakeFatal(ctx, err) {
			return err
		}
		e, linked := byTarget[sid]
		if errors.Is(err, pms.ErrNotFound) {
			if !linked {
				x.r.Done(engine.Item{Key: key, Platform: x.kind, Action: "update intake link", SourceID: sid, Change: engine.Unchanged})
				return nil
			}
			return x.flowStatus(sid, e.Extra["matter_number"], "", "deleted", e)
		}
		x.r.Fail(engine.Item{Key: key, Platform: x.kind, Action: "update intake link", Object: x.sys() + " matter " + sid, SourceID: sid},
			fmt.Errorf("reading %s matter %s: %w", x.sys(), sid, err), false)
		return nil
	}
	e, linked, err := x.linkOf(m, byTarget)
	if err != nil {
		return err
	}
	if !linked {
		x.r.Done(engine.Item{Key: key, Platform: x.kind, Action: "update intake link", SourceID: sid, Change: engine.Unchanged,
			Message: "not an intake matter"})
		return nil
	}
	return x.flowStatus(m.ID, m.Number, m.Description, m.Status, e)
}

// flowStatus writes a matter's status into its link and logs a change.
// Nothing is written to Lawmatics (see the file comment).
func (x *intakeRun) flowStatus(mid string, number, desc, clioStatus string, e store.LedgerEntry) error {
	key := x.statusPrefix() + mid
	st := intakeLinkStatus(clioStatus)
	if clioStatus == "deleted" {
		st = intakeLinkDeleted
	}
	if number == "" {
		number = mid
	}
	obj := "Matter " + number
	if desc != "" {
		obj += " — " + desc
	}
	pid := strings.TrimPrefix(e.Key, "prospect:")
	item := engine.Item{Key: key, Platform: x.kind, Action: "update intake link", Object: obj, SourceID: mid, ExternalID: pid}
	if e.Extra["link_status"] == st {
		item.Change = engine.Unchanged
		x.r.Done(item)
		return nil
	}
	word := strings.ToLower(clioStatus)
	if err := finish(x.r, e.Key, e.TargetID, e.Fingerprint, map[string]string{"link_status": st, "clio_status": word}); err != nil {
		return fmt.Errorf("writing the intake ledger: %w", err)
	}
	item.Change = engine.Updated
	item.Message = fmt.Sprintf("%s matter %s %s: intake link marked %s", x.sys(), number, word, st)
	if st == intakeLinkDeleted {
		item.Message += " (the matter is not recreated)"
	}
	x.r.Done(item)
	return nil
}
