package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// Contacts is the "contacts" job: the practice-management system's contacts
// (Clio, MyCase or Smokeball, through the pms seam) and/or Lawmatics
// contacts (setting ContactSources) → Zoom Phone external contacts.
//
//   - Each source contact with a usable phone becomes one Zoom external
//     contact whose id we choose: "clio-<id>", "mycase-<id>", "sb-<id>" or
//     "lm-<id>". Its ledger key is the item key "clio:<id>", "mycase:<id>",
//     "sb:<id>" or "lm:<id>", TargetID the Zoom id.
//   - Creates need no ledger intent: the id is ours, so a create repeated
//     after a crash answers 409 (zoom.ErrExists) and the job adopts the
//     existing contact (updating it if its fields differ). Killing the
//     process at any instant can therefore leave neither a duplicate nor a
//     gap: an unrecorded create is adopted by the next run that sees the
//     contact. (Open intents, which this job never writes, are still
//     reconciled at the start of a run the same way.)
//   - The mapped fields (name, email, E.164 phone, description) are
//     fingerprinted; Zoom is patched only when the fingerprint differs from
//     the ledger's.
//   - A contact without a usable phone (none, invalid, too short) is
//     skipped with the reason, not failed.
//   - Full runs are incremental per source (watermark parts "clio",
//     "mycase", "smokeball" and "lawmatics"). Deletions never show in an
//     updated_since listing, so at most once a day (watermark part
//     "deletions" holds the time of the last one) a full run lists every
//     contact of each source instead and
//     removes from Zoom what the ledger links but the source no longer has
//     (setting DeleteRemoved). A targeted run (webhook "clio:<id>") that
//     finds its contact gone deletes it from Zoom at once.
type Contacts struct{ Deps }

// Name is the job's name.
func (j *Contacts) Name() string { return "contacts" }

// contactsReconcileEvery is how often a full run compares the ledger with
// the complete source listings to find deleted contacts.
const contactsReconcileEvery = 24 * time.Hour

// contactsLawmatics is Lawmatics as a contact source.
const contactsLawmatics = "lawmatics"

// contactFields are the fields mapped to a Zoom external contact; their
// fingerprint decides whether Zoom needs an update.
type contactFields struct {
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Phones      []string `json:"phone_numbers"`
	Description string   `json:"description"`
}

// contactSrc is one source contact, reduced to what the job needs.
type contactSrc struct {
	Key       string    // "clio:12"
	ZoomID    string    // "clio-12"
	SourceID  string    // "12"
	Platform  string    // a pms kind ("clio", "mycase", "smokeball") or "lawmatics"
	Label     string    // "Contact Maria Garcia (Clio 12)"
	UpdatedAt time.Time // source updated_at
	Fields    contactFields
	PhoneErr  error // why there is no usable phone (nil when there is one)
}

// contactsRun is one run's state.
type contactsRun struct {
	j     *Contacts
	r     *engine.Run
	s     Settings
	zoom  *zoom.Client
	pms   pms.System        // nil when not a source or not connected
	lm    *lawmatics.Client // nil when not a source or not connected
	done  int               // items handled, for progress
	total int               // items expected, -1 when unknown (listings)
	// fatal is an error that ends the run (reconnect needed, cancelled),
	// met while syncing an item.
	fatal error
	// inZoom holds the ids of every Zoom external contact, listed during
	// the daily check; nil otherwise. A linked contact missing from it was
	// deleted in Zoom by a person and is created again.
	inZoom map[string]bool
	// seen holds, during the daily check, every source contact listed.
	seen map[string]contactSrc
	// ours indexes Zoom's external contacts by the id field Firmsync gave
	// them. It is listed on the first create Zoom refuses as existing (a
	// lost ledger: a new PC, a rebuild), so adopting n contacts costs one
	// listing, not one per contact; relisted at most once per run, when a
	// refused id is missing from it.
	ours     map[string]zoom.ExternalContact
	relisted bool
}

// recreateDeletedInZoom lists Zoom's contacts (once a day) and creates
// again the linked ones a person deleted in Zoom. A Zoom listing that
// fails only postpones this check: it is logged, not counted as a failure.
func (cr *contactsRun) recreateDeletedInZoom(ctx context.Context) error {
	ids := map[string]bool{}
	err := cr.zoom.ExternalContacts(ctx, func(c zoom.ExternalContact) error {
		ids[c.ExternalContactID] = true
		if c.ID != "" {
			ids[c.ID] = true
		}
		return nil
	})
	if err != nil {
		if contactsFatal(ctx, err) {
			return err
		}
		cr.j.logger().Warn("listing Zoom contacts for the daily check failed; trying again at the next check", "err", err)
		return nil
	}
	cr.inZoom = ids
	keys := make([]string, 0, len(cr.seen))
	for k := range cr.seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		l, ok, err := link(cr.r, k)
		if err != nil || !ok || l.State != store.LedgerDone || l.TargetID == "" || ids[l.TargetID] {
			continue
		}
		cr.sync(ctx, cr.seen[k])
		if cr.fatal != nil {
			return cr.fatal
		}
	}
	return nil
}

// Run syncs the contacts.
func (j *Contacts) Run(ctx context.Context, r *engine.Run) error {
	s := j.Settings().Normalize()
	zc, err := j.Platforms.Zoom(ctx)
	if notConnected(err) {
		return fmt.Errorf("%w: zoom is not connected", engine.ErrSkipRun)
	}
	if err != nil {
		return fmt.Errorf("connecting to zoom: %w", err)
	}
	cr := &contactsRun{j: j, r: r, s: s, zoom: zc, total: -1}
	connected := 0
	var missing []string
	for _, src := range s.ContactSources {
		var err error
		switch {
		case pms.Valid(src):
			cr.pms, err = j.Platforms.PMS(ctx)
		case src == contactsLawmatics:
			cr.lm, err = j.Platforms.Lawmatics(ctx)
		default:
			continue
		}
		if notConnected(err) {
			missing = append(missing, src)
			continue
		}
		if err != nil {
			return fmt.Errorf("connecting to %s: %w", src, err)
		}
		connected++
	}
	if connected == 0 {
		return fmt.Errorf("%w: no contact source (%s) is connected", engine.ErrSkipRun, strings.Join(s.ContactSources, ", "))
	}
	for _, src := range missing {
		// The other source still syncs; this one is reported, not silently
		// dropped.
		r.Done(engine.Item{Key: "source:" + src, Platform: src, Action: "list contacts",
			Object: contactsPlatformName(src) + " contacts", Change: engine.Skipped,
			Message: contactsPlatformName(src) + " is not connected: its contacts are not synced to Zoom"})
	}

	if err := cr.reconcileIntents(ctx); err != nil {
		return err
	}
	if r.Targeted() {
		return cr.runTargeted(ctx)
	}
	return cr.runFull(ctx)
}

// contactsPlatformName is a source's name as users know it.
func contactsPlatformName(src string) string {
	if src == contactsLawmatics {
		return "Lawmatics"
	}
	return pms.Name(src)
}

// contactsPrefix is the stem of a source's ledger keys ("clio" → "clio:12")
// and Zoom ids ("clio-12"). Smokeball's is short because its ids are
// GUIDs and Zoom's ids are bounded.
func contactsPrefix(src string) string {
	switch src {
	case contactsLawmatics:
		return "lm"
	case pms.Smokeball:
		return "sb"
	}
	return src
}

// reconcileIntents settles creates whose outcome is unknown. The job
// writes no intents itself (its Zoom ids are its own, see Contacts); an
// open one is resolved by syncing its contact again, whose create adopts
// the Zoom contact if it exists (409 on our id) and creates it otherwise.
func (cr *contactsRun) reconcileIntents(ctx context.Context) error {
	if cr.r.DryRun {
		return nil
	}
	open, err := openIntents(cr.r)
	if err != nil {
		return err
	}
	for _, e := range open {
		if err := cr.syncKey(ctx, e.Key); err != nil {
			return err
		}
	}
	return nil
}

// runTargeted syncs exactly the trigger's contacts.
func (cr *contactsRun) runTargeted(ctx context.Context) error {
	cr.total = len(cr.r.Trigger.ObjectIDs)
	for i, key := range cr.r.Trigger.ObjectIDs {
		if err := cr.syncKey(ctx, key); err != nil {
			return err
		}
		cr.r.Progress(i+1, cr.total)
	}
	return nil
}

// syncKey fetches one contact by its item key and syncs it; a contact gone
// from its source is removed from Zoom. Only a run-level error (reconnect,
// cancellation) is returned; item failures go to r.Fail.
func (cr *contactsRun) syncKey(ctx context.Context, key string) error {
	r := cr.r
	src, id, ok := contactsParseKey(key)
	if !ok {
		r.Done(engine.Item{Key: key, Platform: "zoom", Action: "sync contact", Object: key, Change: engine.Skipped,
			Message: "not a contact key (want clio:<id>, mycase:<id>, sb:<id> or lm:<id>)"})
		return nil
	}
	label := fmt.Sprintf("Contact %s %s", contactsPlatformName(src), id)
	item := engine.Item{Key: key, Platform: src, Action: "read contact", Object: label, SourceID: id}
	var (
		c     contactSrc
		err   error
		gone  bool
		avail bool
	)
	switch src {
	case cr.pmsKind():
		avail = true
		var ct pms.Contact
		ct, err = cr.pms.Contact(ctx, id)
		gone = errors.Is(err, pms.ErrNotFound)
		if err == nil {
			c = cr.fromPMS(ct)
		}
	case contactsLawmatics:
		if cr.lm == nil {
			break
		}
		avail = true
		var ct lawmatics.Contact
		ct, err = cr.lm.Contact(ctx, id)
		gone = httpx.KindOf(err) == httpx.KindNotFound
		if err == nil {
			c = cr.fromLawmatics(ct)
		}
	}
	if !avail {
		r.Done(engine.Item{Key: key, Platform: src, Action: "sync contact", Object: label, SourceID: id, Change: engine.Skipped,
			Message: contactsPlatformName(src) + " is not a connected contact source"})
		return nil
	}
	switch {
	case gone:
		return cr.removeGone(ctx, key, label, src, id)
	case err != nil:
		if contactsFatal(ctx, err) {
			return err
		}
		r.Fail(item, err, !httpx.Transient(err) && httpx.KindOf(err) != httpx.KindOther)
		return nil
	}
	cr.sync(ctx, c)
	return cr.fatal
}

// contactsFatal reports whether err ends the whole run rather than one
// item: a platform to reconnect, or the run cancelled.
func contactsFatal(ctx context.Context, err error) bool {
	return httpx.IsReconnect(err) || notConnected(err) || ctx.Err() != nil ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// contactsParseKey splits "clio:12" / "sb:<guid>" / "lm:34" into source
// and id.
func contactsParseKey(key string) (src, id string, ok bool) {
	for _, s := range append(slices.Clone(pms.Kinds), contactsLawmatics) {
		if rest, found := strings.CutPrefix(key, contactsPrefix(s)+":"); found {
			return s, rest, rest != ""
		}
	}
	return "", "", false
}

// pmsKind is the connected practice-management system's kind, "" when it
// is not a source of this run.
func (cr *contactsRun) pmsKind() string {
	if cr.pms == nil {
		return ""
	}
	return cr.pms.Kind()
}

// runFull syncs each source incrementally, reconciling deletions when due.
func (cr *contactsRun) runFull(ctx context.Context) error {
	r := cr.r
	last, err := r.Watermark("deletions")
	if err != nil {
		return err
	}
	reconcile := cr.s.DeleteRemoved && (last.IsZero() || r.Now().Sub(last) >= contactsReconcileEvery)
	started := r.Now()
	allReconciled := true
	var errs []error
	if reconcile {
		cr.seen = map[string]contactSrc{}
	}
	for _, src := range []string{cr.pmsKind(), contactsLawmatics} {
		if src == "" || src == contactsLawmatics && cr.lm == nil {
			continue
		}
		ok, err := cr.runSource(ctx, src, reconcile)
		if err != nil {
			if contactsFatal(ctx, err) {
				return err
			}
			errs = append(errs, err)
		}
		allReconciled = allReconciled && ok
	}
	if reconcile && len(errs) == 0 {
		if err := cr.recreateDeletedInZoom(ctx); err != nil {
			return err
		}
	}
	if reconcile && allReconciled {
		if err := r.SetWatermark("deletions", started); err != nil {
			return fmt.Errorf("saving the contacts deletion check time: %w", err)
		}
	}
	return errors.Join(errs...)
}

// runSource lists one source's contacts changed since its watermark (or
// all of them when reconciling deletions, or on the first run), syncs
// each, moves the watermark past what succeeded, and when reconciling
// removes from Zoom the linked contacts the source no longer has. It
// reports whether the complete listing (the deletion check) completed.
func (cr *contactsRun) runSource(ctx context.Context, src string, reconcile bool) (bool, error) {
	r := cr.r
	prev, err := r.Watermark(src)
	if err != nil {
		return false, err
	}
	full := reconcile || prev.IsZero()
	mark := engine.NewMark(prev)
	seen := map[string]bool{}
	handle := func(c contactSrc) error {
		seen[c.Key] = true
		if cr.seen != nil && c.PhoneErr == nil {
			cr.seen[c.Key] = c
		}
		if !prev.IsZero() && c.UpdatedAt.Before(prev) {
			return nil // listed for the deletion check only: synced before
		}
		if cr.sync(ctx, c) {
			mark.OK(c.UpdatedAt)
		} else {
			mark.Hold(c.UpdatedAt)
		}
		if cr.fatal != nil {
			return cr.fatal
		}
		return ctx.Err()
	}
	listStart := r.Now()
	switch src {
	case cr.pmsKind():
		since := prev
		if full {
			since = time.Time{}
		}
		err = cr.pms.Contacts(ctx, since, func(ct pms.Contact) error { return handle(cr.fromPMS(ct)) })
	case contactsLawmatics:
		q := lawmatics.ContactQuery{}
		if !full {
			// Lawmatics filters with "updated after"; a held item sits exactly
			// at the watermark, so ask from just before it.
			q.UpdatedSince = prev.Add(-time.Millisecond)
		}
		err = cr.lm.Contacts(ctx, q, func(ct lawmatics.Contact) error { return handle(cr.fromLawmatics(ct)) })
	}
	if cr.fatal != nil {
		return false, cr.fatal
	}
	if err != nil {
		// An incomplete listing proves nothing about the items not listed
		// yet: the watermark stays, and no deletion is inferred.
		return false, fmt.Errorf("listing %s contacts: %w", contactsPlatformName(src), err)
	}
	if full && cr.s.DeleteRemoved {
		if err := cr.removeUnseen(ctx, src, seen); err != nil {
			return false, err
		}
	}
	v := mark.Value()
	// A practice-management listing may miss a change made while it runs
	// (Clio lists in id order, not by update); the watermark stays far
	// enough before its start for the next listing to see it.
	if skew := cr.listingSkew(src); skew > 0 && v.After(listStart.Add(-skew)) {
		v = listStart.Add(-skew)
		if v.Before(prev) {
			v = prev
		}
	}
	if err := r.SetWatermark(src, v); err != nil {
		return false, fmt.Errorf("saving the %s contacts watermark: %w", src, err)
	}
	return true, nil
}

// removeUnseen removes from Zoom the contacts the ledger links to src but
// that the complete listing did not return (deleted at the source). A
// delete that fails is retried by the job's policy like any item (its
// retry is a targeted run, which finds the contact gone and deletes again).
func (cr *contactsRun) removeUnseen(ctx context.Context, src string, seen map[string]bool) error {
	entries, err := cr.r.Store().LedgerEntries(cr.r.Job, "")
	if err != nil {
		return fmt.Errorf("reading the contacts ledger: %w", err)
	}
	prefix := contactsPrefix(src) + ":"
	for _, e := range entries {
		if !strings.HasPrefix(e.Key, prefix) || seen[e.Key] || cr.r.Hold(e.Key, false) {
			continue
		}
		id := strings.TrimPrefix(e.Key, prefix)
		label := fmt.Sprintf("Contact %s %s", contactsPlatformName(src), id)
		if n := e.Extra["name"]; n != "" {
			label = fmt.Sprintf("Contact %s (%s %s)", n, contactsPlatformName(src), id)
		}
		if err := cr.removeGone(ctx, e.Key, label, src, id); err != nil {
			return err
		}
	}
	return nil
}

// removeGone handles a contact deleted at its source: its Zoom contact is
// deleted (setting DeleteRemoved) and the link dropped. A Zoom contact
// already gone counts as deleted. Only run-level errors are returned.
func (cr *contactsRun) removeGone(ctx context.Context, key, label, src, id string) error {
	r := cr.r
	l, ok, err := link(r, key)
	if err != nil {
		return err
	}
	srcName := contactsPlatformName(src)
	if !ok || l.TargetID == "" {
		if ok {
			_ = forget(r, key) // a failure memo only
		}
		r.Done(engine.Item{Key: key, Platform: src, Action: "sync contact", Object: label, SourceID: id, Change: engine.Skipped,
			Message: "not found in " + srcName + " (deleted there) and not in Zoom: nothing to do"})
		return nil
	}
	item := engine.Item{Key: key, Platform: "zoom", Action: "delete contact", Object: label, SourceID: id, ExternalID: l.TargetID}
	if !cr.s.DeleteRemoved {
		item.Change, item.Action = engine.Skipped, "sync contact"
		item.Message = "deleted in " + srcName + "; the Zoom contact is kept (removing deleted contacts is turned off)"
		r.Done(item)
		return nil
	}
	item.Message = "deleted in " + srcName
	if r.DryRun {
		item.Change = engine.Deleted
		r.Done(item)
		return nil
	}
	if err := cr.zoom.DeleteExternalContact(ctx, l.TargetID); err != nil && !errors.Is(err, zoom.ErrNotFound) {
		if contactsFatal(ctx, err) {
			return err
		}
		r.Fail(item, err, !httpx.Transient(err))
		return nil
	}
	if err := forget(r, key); err != nil {
		r.Fail(item, fmt.Errorf("dropping the link of a deleted contact: %w", err), false)
		return nil
	}
	item.Change = engine.Deleted
	r.Done(item)
	return nil
}

// fromPMS maps a practice-management contact.
func (cr *contactsRun) fromPMS(ct pms.Contact) contactSrc {
	kind := cr.pms.Kind()
	return cr.mapped(kind, ct.ID, ct.Name, ct.Email, ct.Phone, ct.UpdatedAt)
}

// listingSkew is how far before a listing's start a source's watermark
// stays (see pms.System.ListingSkew); Lawmatics filters by update time.
func (cr *contactsRun) listingSkew(src string) time.Duration {
	if src == cr.pmsKind() {
		return cr.pms.ListingSkew()
	}
	return 0
}

// fromLawmatics maps a Lawmatics contact.
func (cr *contactsRun) fromLawmatics(ct lawmatics.Contact) contactSrc {
	a := ct.Attributes
	email := cmpOrString(a.Email, a.EmailAddress)
	raw := cmpOrString(a.Phone, a.PhoneNumber)
	return cr.mapped(contactsLawmatics, ct.ID, pms.PersonName(a.FirstName, a.LastName, ""), email, raw, a.UpdatedAt.Time)
}

func cmpOrString(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return strings.TrimSpace(a)
	}
	return strings.TrimSpace(b)
}

func (cr *contactsRun) mapped(src, id, name, email, rawPhone string, updated time.Time) contactSrc {
	srcName := contactsPlatformName(src)
	desc := fmt.Sprintf("%s contact %s", srcName, id)
	if name == "" {
		name = desc
	}
	c := contactSrc{
		Key: contactsPrefix(src) + ":" + id, ZoomID: contactsPrefix(src) + "-" + id, SourceID: id, Platform: src, UpdatedAt: updated,
		Label:  fmt.Sprintf("Contact %s (%s %s)", name, srcName, id),
		Fields: contactFields{Name: contactsCut(name, 255), Email: strings.TrimSpace(email), Description: desc},
	}
	if len(c.Fields.Email) > 255 {
		c.Fields.Email = "" // Zoom refuses it; the contact is still worth having
	}
	phone, err := NormalizePhone(rawPhone, cr.s.PhoneRegion)
	if err != nil {
		c.PhoneErr = err
	} else {
		c.Fields.Phones = []string{phone}
	}
	return c
}

// contactsCut cuts s to at most n bytes on a character boundary.
func contactsCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// sync brings one listed or fetched contact's Zoom contact up to date and
// reports the outcome. It returns false when the item failed or is held
// (the watermark may not pass it).
func (cr *contactsRun) sync(ctx context.Context, c contactSrc) bool {
	r := cr.r
	if cr.total < 0 { // a listing; targeted runs count their keys
		defer func() {
			cr.done++
			r.Progress(cr.done, -1)
		}()
	}
	fp := Fingerprint(c.Fields)
	l, linked, err := link(r, c.Key)
	if err != nil {
		r.Fail(engine.Item{Key: c.Key, Platform: "zoom", Action: "sync contact", Object: c.Label, SourceID: c.SourceID}, err, false)
		return false
	}
	linked = linked && l.State == store.LedgerDone && l.TargetID != ""
	recreate := false
	if linked && cr.inZoom != nil && !cr.inZoom[l.TargetID] {
		// Deleted in Zoom by a person: the source still has it, so it
		// comes back (the link is by our id, so this is the same contact).
		linked, recreate = false, true
	}
	if r.Hold(c.Key, l.Extra["failed_fp"] != "" && l.Extra["failed_fp"] != fp) {
		return false
	}
	if c.PhoneErr != nil {
		msg := "no usable phone number"
		if s := strings.TrimPrefix(c.PhoneErr.Error(), ErrNoPhone.Error()+": "); s != "" && s != c.PhoneErr.Error() {
			msg += ": " + s
		}
		if linked {
			msg += "; the Zoom contact keeps its last number"
		} else if l.State == store.LedgerIntent {
			_ = forget(r, c.Key) // nothing to create: the intent is settled
		}
		r.Done(engine.Item{Key: c.Key, Platform: "zoom", Action: "sync contact", Object: c.Label, SourceID: c.SourceID,
			ExternalID: l.TargetID, Message: msg, Change: engine.Skipped})
		return true
	}
	if linked && l.Fingerprint == fp {
		r.Done(engine.Item{Key: c.Key, Platform: "zoom", Action: "update contact", Object: c.Label, SourceID: c.SourceID,
			ExternalID: l.TargetID, Change: engine.Unchanged})
		return true
	}
	if linked {
		return cr.update(ctx, c, l.TargetID, fp, false)
	}
	if recreate {
		cr.j.logger().Info("recreating a Zoom contact deleted in Zoom", "contact", c.Label)
	}
	return cr.create(ctx, c, fp)
}

// create creates c's Zoom contact with our id; a 409 adopts the existing
// one (a create whose result was never recorded, or a link lost).
func (cr *contactsRun) create(ctx context.Context, c contactSrc, fp string) bool {
	r := cr.r
	item := engine.Item{Key: c.Key, Platform: "zoom", Action: "create contact", Object: c.Label, SourceID: c.SourceID,
		ExternalID: c.ZoomID, Message: strings.Join(c.Fields.Phones, ", ")}
	if r.DryRun {
		item.Change = engine.Created
		r.Done(item)
		return true
	}
	zid, err := cr.zoom.CreateExternalContact(ctx, zoom.ExternalContactWrite{
		ID: c.ZoomID, Name: c.Fields.Name, Email: c.Fields.Email, PhoneNumbers: c.Fields.Phones, Description: c.Fields.Description,
	})
	if errors.Is(err, zoom.ErrExists) {
		return cr.adopt(ctx, c, fp)
	}
	if err != nil {
		return cr.fail(ctx, item, fp, err)
	}
	if zid == "" {
		return cr.adopt(ctx, c, fp) // created, but Zoom did not say under which id
	}
	item.ExternalID = zid
	if err := finish(r, c.Key, zid, fp, map[string]string{"name": c.Fields.Name, "failed_fp": ""}); err != nil {
		// The contact exists under our id; the next run adopts it.
		return cr.fail(ctx, item, fp, fmt.Errorf("recording the created Zoom contact: %w", err))
	}
	item.Change = engine.Created
	r.Done(item)
	return true
}

// adopt links the Zoom contact that already has c's id, updating it when
// its fields differ from c's.
func (cr *contactsRun) adopt(ctx context.Context, c contactSrc, fp string) bool {
	item := engine.Item{Key: c.Key, Platform: "zoom", Action: "update contact", Object: c.Label, SourceID: c.SourceID, ExternalID: c.ZoomID}
	ec, err := cr.zoomContactByOurID(ctx, c.ZoomID)
	if err != nil {
		return cr.fail(ctx, item, fp, fmt.Errorf("adopting the existing Zoom contact %s: %w", c.ZoomID, err))
	}
	have := contactFields{Name: ec.Name, Email: ec.Email, Phones: ec.PhoneNumbers, Description: ec.Description}
	if len(have.Phones) == 0 {
		have.Phones = nil
	}
	if Fingerprint(have) != fp {
		return cr.update(ctx, c, ec.ExternalContactID, fp, true)
	}
	if err := finish(cr.r, c.Key, ec.ExternalContactID, fp, map[string]string{"name": c.Fields.Name, "failed_fp": ""}); err != nil {
		return cr.fail(ctx, item, fp, fmt.Errorf("recording the adopted Zoom contact: %w", err))
	}
	item.ExternalID, item.Change = ec.ExternalContactID, engine.Unchanged
	cr.r.Done(item)
	return true
}

// zoomContactByOurID finds the Zoom contact created with our id. Zoom's
// paths take the external_contact_id Zoom generated, not ours, so the
// contact is found in the listing (see contactsRun.ours).
func (cr *contactsRun) zoomContactByOurID(ctx context.Context, id string) (zoom.ExternalContact, error) {
	if ec, ok := cr.ours[id]; ok {
		return ec, nil
	}
	if cr.ours != nil && cr.relisted {
		return zoom.ExternalContact{}, fmt.Errorf("zoom answered that %s exists but does not list it", id)
	}
	cr.relisted = cr.ours != nil
	ours := map[string]zoom.ExternalContact{}
	if err := cr.zoom.ExternalContacts(ctx, func(x zoom.ExternalContact) error {
		ours[x.ID] = x
		return nil
	}); err != nil {
		return zoom.ExternalContact{}, fmt.Errorf("listing Zoom's external contacts: %w", err)
	}
	cr.ours = ours
	if ec, ok := ours[id]; ok {
		return ec, nil
	}
	return zoom.ExternalContact{}, fmt.Errorf("zoom answered that %s exists but does not list it", id)
}

// update patches c's Zoom contact (targetID). A contact deleted in Zoom by
// a person is created again (once).
func (cr *contactsRun) update(ctx context.Context, c contactSrc, targetID, fp string, adopted bool) bool {
	r := cr.r
	item := engine.Item{Key: c.Key, Platform: "zoom", Action: "update contact", Object: c.Label, SourceID: c.SourceID,
		ExternalID: targetID, Message: strings.Join(c.Fields.Phones, ", ")}
	if adopted {
		item.Message = "adopted the existing Zoom contact; " + item.Message
	}
	if r.DryRun {
		item.Change = engine.Updated
		r.Done(item)
		return true
	}
	name, email, desc := c.Fields.Name, c.Fields.Email, c.Fields.Description
	err := cr.zoom.UpdateExternalContact(ctx, targetID, zoom.ExternalContactPatch{
		Name: &name, Email: &email, PhoneNumbers: c.Fields.Phones, Description: &desc,
	})
	if errors.Is(err, zoom.ErrNotFound) && !adopted {
		// Deleted in Zoom by a person: drop the link and create it again.
		if ferr := forget(r, c.Key); ferr != nil {
			return cr.fail(ctx, item, fp, ferr)
		}
		return cr.create(ctx, c, fp)
	}
	if err != nil {
		return cr.fail(ctx, item, fp, err)
	}
	if err := finish(r, c.Key, targetID, fp, map[string]string{"name": c.Fields.Name, "failed_fp": ""}); err != nil {
		return cr.fail(ctx, item, fp, fmt.Errorf("recording the updated Zoom contact: %w", err))
	}
	item.Change = engine.Updated
	r.Done(item)
	return true
}

// fail records an item failure: Zoom's refusals of the data (400/422, e.g.
// a number it does not take as E.164) are permanent, everything else is
// retried by the job's policy. The fingerprint that failed is remembered so
// a change at the source retries a held item at once.
func (cr *contactsRun) fail(ctx context.Context, item engine.Item, fp string, err error) bool {
	r := cr.r
	if contactsFatal(ctx, err) {
		// Not this item's fault: the whole run stops (the app asks to
		// reconnect), and the item is synced by the next run.
		if cr.fatal == nil {
			cr.fatal = err
		}
		return false
	}
	item.Message = "" // the engine says what happens next
	permanent := httpx.KindOf(err) == httpx.KindValidation || httpx.KindOf(err) == httpx.KindForbidden
	if !r.DryRun {
		uerr := r.Store().UpdateLedger(r.Job, item.Key, func(e *store.LedgerEntry, found bool) error {
			e.Job, e.Key = r.Job, item.Key
			if e.Extra == nil {
				e.Extra = map[string]string{}
			}
			e.Extra["failed_fp"] = fp
			return nil
		})
		if uerr != nil {
			cr.j.logger().Error("remembering a failed contact", "item", item.Key, "err", uerr)
		}
	}
	r.Fail(item, err, permanent)
	return false
}
