package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// Recordings is the "recordings" job: each Zoom cloud-recorded meeting
// becomes ONE note (per note target) on the matching contact of the
// practice-management system (Clio, MyCase or Smokeball, through the pms
// seam) and/or Lawmatics contact, with the meeting's facts, its AI summary, its
// transcript (cut at the firm's limit) and a link to the recording.
//
// Matching: the meeting's participants (Zoom lists the host first, then
// attendees in join order), minus the firm's own Zoom account (the
// connected user's email, and the participant entry of that user), are
// tried in that order, case-insensitively, against each target's contacts;
// the first participant with a match wins. When several contacts share that
// email, the one with the lowest id wins. Each target is matched on its
// own; a meeting is posted to every target that matched, and parked as
// needs attention (with the emails tried) only when no target matched.
//
// Readiness: a meeting whose transcript or AI summary Zoom has not produced
// yet is skipped (reported as skipped, watermark held) and posted on a
// later run or webhook once both are there; after PostWithoutAfter since the
// meeting ended it is posted without the missing part, and the note says so.
//
// Crash safety: ledger key "meeting:<uuid>"; before each note create the
// intent records the contact; after it, the note id. Open intents are
// reconciled at the start of every run by looking for the note's marker
// line ("Zoom meeting ID: <uuid>") among that contact's notes.
//
// Lost database: the platforms, not the ledger, say what was posted. A
// ready meeting the ledger has no attempt for on a target (firmsync.db
// deleted, a new PC, an old backup restored) gets the same marker search
// on its matched contact before a note is posted there, and a found note
// is linked instead. That is one notes listing per target, only for
// meetings about to be posted: a meeting the ledger knows, or one still
// waiting for Zoom, costs nothing extra.
type Recordings struct{ Deps }

// Name is the job's name.
func (j *Recordings) Name() string { return "recordings" }

// recordingsMargin is how far before the watermark each listing starts:
// Zoom files a recording under its start date (in an unspecified time
// zone), and a long meeting's recording can be ready after a later short
// one's. Meetings already done cost only a ledger read.
const recordingsMargin = 48 * time.Hour

// recordingsTargets are the note targets in the order notes are posted:
// the practice-management systems (a firm has one), then Lawmatics. Ledger
// extras are per target ("clio.note", "mycase.contact").
func recordingsTargets() []string { return append(slices.Clone(pms.Kinds), "lawmatics") }

// recordingsPlatformName is a target's name for people.
func recordingsPlatformName(t string) string {
	if t == "lawmatics" {
		return "Lawmatics"
	}
	return pms.Name(t)
}

// recMatch is the contact a target's note goes on.
type recMatch struct {
	id, name, email string
}

// recRun is one run's state.
type recRun struct {
	r       *engine.Run
	s       Settings
	zc      *zoom.Client
	pm      pms.System        // nil unless the practice-management system is a target
	lc      *lawmatics.Client // nil unless Lawmatics is a target
	targets []string

	me        *zoom.Identity
	pmByEmail map[string][]pms.Contact
	lmByEmail map[string]lawmatics.Contact // nil until loaded

	recon  map[string]map[string]string // key → ledger extra after reconciliation
	done   map[string]bool              // keys reconciliation finished
	unsure map[string]error             // keys whose reconciliation could not look
	open   []string                     // keys with an intent still open
}

// Run lists the recordings since the watermark (or fetches the targeted
// meetings) and posts a note for each ready, matched meeting.
func (j *Recordings) Run(ctx context.Context, r *engine.Run) error {
	s := Defaults()
	if j.Settings != nil {
		s = j.Settings()
	}
	s = s.Normalize()
	zc, err := j.Platforms.Zoom(ctx)
	if err != nil {
		return recordingsPlatformErr("zoom", err)
	}
	rr := &recRun{r: r, s: s, zc: zc, pmByEmail: map[string][]pms.Contact{},
		recon: map[string]map[string]string{}, done: map[string]bool{}, unsure: map[string]error{}}
	for _, t := range recordingsTargets() {
		if !slices.Contains(s.NoteTargets, t) {
			continue
		}
		rr.targets = append(rr.targets, t)
		switch {
		case pms.Valid(t):
			if rr.pm, err = j.Platforms.PMS(ctx); err != nil {
				return recordingsPlatformErr(t, err)
			}
			if rr.pm.Kind() != t {
				return fmt.Errorf("the note target %s is not the firm's practice-management system (%s)", t, rr.pm.Kind())
			}
		case t == "lawmatics":
			if rr.lc, err = j.Platforms.Lawmatics(ctx); err != nil {
				return recordingsPlatformErr("lawmatics", err)
			}
		}
	}
	if len(rr.targets) == 0 {
		return fmt.Errorf("%w: no note target (%s or Lawmatics) is chosen in settings", engine.ErrSkipRun, pms.Name(s.PracticeManagement))
	}
	if err := rr.reconcile(ctx); err != nil {
		return err
	}
	if r.Targeted() {
		return rr.runTargeted(ctx)
	}
	return rr.runFull(ctx)
}

func recordingsPlatformErr(p string, err error) error {
	if notConnected(err) {
		return fmt.Errorf("%w: %s is not connected", engine.ErrSkipRun, p)
	}
	return fmt.Errorf("connecting to %s: %w", p, err)
}

// fatal reports whether err ends the run rather than one item.
func (rr *recRun) fatal(ctx context.Context, err error) bool {
	return httpx.IsReconnect(err) || ctx.Err() != nil
}

// runFull processes every meeting recorded since the watermark (less the
// margin; the first run looks back Settings.Lookback), plus any meeting
// with an open intent the listing did not return.
func (rr *recRun) runFull(ctx context.Context) error {
	r := rr.r
	prev, err := r.Watermark("")
	if err != nil {
		return err
	}
	now := r.Now().UTC()
	from := prev.Add(-recordingsMargin)
	if prev.IsZero() {
		from = now.Add(-rr.s.Lookback)
	}
	if from.After(now) {
		from = now
	}
	var meetings []zoom.Meeting
	listed := map[string]bool{}
	err = rr.zc.Recordings(ctx, from, now, func(m zoom.Meeting) error {
		meetings = append(meetings, m)
		listed["meeting:"+m.UUID] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing Zoom recordings since %s: %w", from.Format(time.DateOnly), err)
	}
	mark := engine.NewMark(prev)
	for _, key := range rr.open {
		if listed[key] {
			continue
		}
		m, ok, err := rr.fetch(ctx, key)
		if err != nil {
			return err
		}
		if ok {
			meetings = append(meetings, m)
		}
	}
	sort.SliceStable(meetings, func(a, b int) bool { return meetings[a].StartTime.Before(meetings[b].StartTime) })
	r.Progress(0, len(meetings))
	for i, m := range meetings {
		ok, err := rr.process(ctx, m)
		if err != nil {
			return err
		}
		if ok {
			mark.OK(m.StartTime)
		} else {
			mark.Hold(m.StartTime)
		}
		r.Progress(i+1, len(meetings))
	}
	return r.SetWatermark("", mark.Value())
}

// runTargeted processes exactly the meetings named "meeting:<uuid>".
func (rr *recRun) runTargeted(ctx context.Context) error {
	var keys []string
	for _, id := range rr.r.Trigger.ObjectIDs {
		if strings.HasPrefix(id, "meeting:") && len(id) > len("meeting:") && !slices.Contains(keys, id) {
			keys = append(keys, id)
		}
	}
	rr.r.Progress(0, len(keys))
	for i, key := range keys {
		m, ok, err := rr.fetch(ctx, key)
		if err != nil {
			return err
		}
		if ok {
			if _, err := rr.process(ctx, m); err != nil {
				return err
			}
		}
		rr.r.Progress(i+1, len(keys))
	}
	return nil
}

// fetch gets one meeting's recording by its item key. ok is false when the
// item was reported (gone, or failed to load).
func (rr *recRun) fetch(ctx context.Context, key string) (zoom.Meeting, bool, error) {
	uuid := strings.TrimPrefix(key, "meeting:")
	item := engine.Item{Key: key, Platform: "zoom", Action: "read recording", Object: "Zoom meeting " + uuid, SourceID: uuid}
	m, err := rr.zc.MeetingRecordings(ctx, uuid)
	switch {
	case err == nil:
		if m.UUID == "" {
			m.UUID = uuid
		}
		return m, true, nil
	case rr.fatal(ctx, err):
		return zoom.Meeting{}, false, err
	case errors.Is(err, zoom.ErrNotFound):
		item.Change, item.Message = engine.Skipped, "the recording no longer exists in Zoom (deleted?); no note posted"
		rr.r.Done(item)
	default:
		rr.r.Fail(item, err, false)
	}
	return zoom.Meeting{}, false, nil
}

// reconcile settles the creates a crash left open: for each target whose
// contact the intent recorded but whose note it did not, the contact's
// notes are searched for the meeting's marker. A found note is recorded;
// an intent whose every matched target has its note is finished. What is
// not found is created when the meeting is processed.
func (rr *recRun) reconcile(ctx context.Context) error {
	r := rr.r
	ents, err := openIntents(r)
	if err != nil {
		return err
	}
	for _, en := range ents {
		if !strings.HasPrefix(en.Key, "meeting:") {
			continue
		}
		marker := CallNoteMarker(strings.TrimPrefix(en.Key, "meeting:"))
		extra := map[string]string{}
		for k, v := range en.Extra {
			extra[k] = v
		}
		add := map[string]string{}
		for _, t := range recordingsTargets() {
			cid := extra[t+".contact"]
			if cid == "" || extra[t+".note"] != "" {
				continue
			}
			id, found, err := rr.findNote(ctx, t, cid, marker)
			switch {
			case err != nil && rr.fatal(ctx, err):
				return err
			case err != nil:
				rr.unsure[en.Key] = err
			case found:
				add[t+".note"] = id
				extra[t+".note"] = id
			}
		}
		if len(add) > 0 {
			if err := beginIntent(r, en.Key, add); err != nil {
				return fmt.Errorf("recording a reconciled note of %s: %w", en.Key, err)
			}
		}
		rr.recon[en.Key] = extra
		if _, bad := rr.unsure[en.Key]; !bad && recordingsAllPosted(extra) {
			if err := finish(r, en.Key, recordingsPrimary(extra), Fingerprint(extra[recordingsSubjectKey]), nil); err != nil {
				return fmt.Errorf("finishing reconciled %s: %w", en.Key, err)
			}
			rr.done[en.Key] = true
			continue
		}
		rr.open = append(rr.open, en.Key)
	}
	return nil
}

// recordingsSubjectKey is the ledger extra key holding the note's subject.
const recordingsSubjectKey = "subject"

// recordingsAllPosted reports whether every target the meeting matched
// (extra "targets") has its note.
func recordingsAllPosted(extra map[string]string) bool {
	ts := strings.Split(extra["targets"], ",")
	n := 0
	for _, t := range ts {
		if t == "" {
			continue
		}
		n++
		if extra[t+".note"] == "" {
			return false
		}
	}
	return n > 0
}

// recordingsPrimary is the ledger's target id: the first note posted.
func recordingsPrimary(extra map[string]string) string {
	for _, t := range recordingsTargets() {
		if id := extra[t+".note"]; id != "" {
			return t + ":" + id
		}
	}
	return ""
}

// findNote looks for a note holding marker among a contact's notes.
func (rr *recRun) findNote(ctx context.Context, target, contactID, marker string) (string, bool, error) {
	switch {
	case pms.Valid(target):
		if rr.pm == nil || rr.pm.Kind() != target {
			return "", false, fmt.Errorf("%s is not a note target any more; cannot check for the note", recordingsPlatformName(target))
		}
		var found string
		errFound := errors.New("found")
		err := rr.pm.ContactNotes(ctx, contactID, func(n pms.Note) error {
			if strings.Contains(n.Body, marker) {
				found = n.ID
				return errFound
			}
			return nil
		})
		if errors.Is(err, errFound) {
			return found, true, nil
		}
		if errors.Is(err, pms.ErrNotFound) {
			return "", false, nil // the contact is gone, so is any note on it
		}
		return "", false, err
	case target == "lawmatics":
		if rr.lc == nil {
			return "", false, errors.New("lawmatics is not a note target any more; cannot check for the note")
		}
		notes, err := rr.lc.Notes(ctx, lawmatics.NotableContact, contactID)
		if err != nil {
			if httpx.KindOf(err) == httpx.KindNotFound {
				return "", false, nil
			}
			return "", false, err
		}
		for _, n := range notes {
			if strings.Contains(n.Attributes.Body, marker) {
				return n.ID, true, nil
			}
		}
		return "", false, nil
	}
	return "", false, fmt.Errorf("unknown note target %q", target)
}

// process handles one meeting. ok says whether the watermark may pass it.
// A returned error ends the run.
func (rr *recRun) process(ctx context.Context, m zoom.Meeting) (ok bool, err error) {
	r := rr.r
	key := "meeting:" + m.UUID
	subject := CallNoteSubject(m.Topic, m.StartTime)
	base := engine.Item{Key: key, Platform: "zoom", Action: "post note", Object: subject, SourceID: m.UUID}

	ln, found, err := link(r, key)
	if err != nil {
		return false, fmt.Errorf("reading the ledger for %s: %w", key, err)
	}
	if rr.done[key] || found && ln.State == store.LedgerDone {
		base.Change, base.ExternalID = engine.Unchanged, ln.TargetID
		r.Done(base)
		return true, nil
	}
	if r.Hold(key, false) {
		return false, nil
	}
	if uerr, bad := rr.unsure[key]; bad {
		r.Fail(base, fmt.Errorf("could not check whether the note was already posted, so not posting it again yet: %w", uerr), false)
		return false, nil
	}
	extra := map[string]string{}
	for k, v := range ln.Extra {
		extra[k] = v
	}
	for k, v := range rr.recon[key] {
		extra[k] = v
	}

	// Who the meeting was with.
	parts, err := rr.zc.Participants(ctx, m.UUID)
	if err != nil && !errors.Is(err, zoom.ErrNotFound) {
		return rr.itemErr(ctx, base, fmt.Errorf("reading the participants: %w", err))
	}
	me, err := rr.identity(ctx)
	if err != nil {
		return rr.itemErr(ctx, base, fmt.Errorf("reading the firm's Zoom account: %w", err))
	}
	host := recordingsHost(m, parts, me)
	emails := recordingsEmails(parts, me)
	matches := map[string]recMatch{}
	var matched []string
	for _, t := range rr.targets {
		if cid := extra[t+".contact"]; cid != "" { // an earlier attempt chose it
			matches[t] = recMatch{id: cid, name: extra[t+".name"], email: extra[t+".email"]}
			matched = append(matched, t)
			continue
		}
		mt, ok, err := rr.match(ctx, t, emails)
		if err != nil {
			return rr.itemErr(ctx, base, fmt.Errorf("matching participants with %s contacts: %w", recordingsPlatformName(t), err))
		}
		if ok {
			matches[t] = mt
			matched = append(matched, t)
		}
	}
	if len(matched) == 0 {
		var where []string
		for _, t := range rr.targets {
			where = append(where, recordingsPlatformName(t))
		}
		tried := "no participant email besides the firm's own account"
		if len(emails) > 0 {
			tried = "emails tried: " + strings.Join(emails, ", ")
		}
		err := fmt.Errorf("%w: no %s contact matches this meeting's participants (%s)", engine.ErrNoMatch, strings.Join(where, " or "), tried)
		base.Details = map[string]string{"emails": strings.Join(emails, ", ")}
		r.Fail(base, err, true)
		return false, nil
	}

	// Is it ready? Never post half-done before the deadline. Deciding costs
	// no download: the transcript file is in the recording's listing.
	note := CallNote{Meeting: m, Host: host, TranscriptLimit: rr.s.TranscriptLimit, RecordingURL: recordingsURL(m)}
	_, note.HasTranscript = zoom.TranscriptFile(m)
	sum, err := rr.zc.Summary(ctx, m.UUID)
	switch {
	case err == nil:
		note.Summary = &sum
	case errors.Is(err, zoom.ErrNotReady) || errors.Is(err, zoom.ErrNotFound):
	default:
		return rr.itemErr(ctx, base, fmt.Errorf("reading the AI summary: %w", err))
	}
	var missing []string
	if !note.HasTranscript {
		missing = append(missing, "transcript")
	}
	if note.Summary == nil {
		missing = append(missing, "AI summary")
	}
	end := m.StartTime.Add(time.Duration(m.Duration) * time.Minute)
	deadline := end.Add(rr.s.PostWithoutAfter)
	if len(missing) > 0 {
		if r.Now().Before(deadline) {
			base.Change = engine.Skipped
			base.Message = fmt.Sprintf("waiting for Zoom's %s; the note is posted when it is ready, or without it after %s",
				strings.Join(missing, " and "), deadline.UTC().Format("Jan 02, 2006, 3:04 PM MST"))
			r.Done(base)
			return false, nil
		}
		wait := recordingsHours(rr.s.PostWithoutAfter)
		if note.Summary == nil {
			note.SummaryMissing = fmt.Sprintf("Zoom had no AI summary for this meeting %s after it ended; this note was posted without it.", wait)
		}
		if !note.HasTranscript {
			note.TranscriptMissing = fmt.Sprintf("Zoom had no transcript for this meeting %s after it ended; this note was posted without it. The recording may still have one.", wait)
		}
	}

	// Posted by an earlier sync the ledger does not remember? Checked only
	// now that the note would be posted, so a meeting waiting for Zoom costs
	// no lookup.
	adopted, err := rr.adopt(ctx, key, m.UUID, ln, matches, matched, subject, extra)
	if err != nil {
		return rr.itemErr(ctx, base, err)
	}
	body := ""
	if slices.ContainsFunc(matched, func(t string) bool { return extra[t+".note"] == "" }) {
		if note.HasTranscript {
			vtt, _, err := rr.zc.Transcript(ctx, m)
			if err != nil {
				return rr.itemErr(ctx, base, fmt.Errorf("downloading the transcript: %w", err))
			}
			note.Transcript = VTTToTranscript(vtt)
		}
		body = note.Body()
	}

	// Post, target by target.
	var dones []engine.Item
	type failure struct {
		it        engine.Item
		err       error
		permanent bool
	}
	var fails []failure
	for _, t := range rr.targets {
		mt, ok := matches[t]
		it := base
		it.Platform = t
		if !ok {
			it.Change = engine.Skipped
			it.Message = fmt.Sprintf("no %s contact matches the participants (emails tried: %s); posted to the other target only",
				recordingsPlatformName(t), strings.Join(emails, ", "))
			dones = append(dones, it)
			continue
		}
		who := mt.name
		if who == "" {
			who = "#" + mt.id
		}
		it.Object = fmt.Sprintf("%s → %s contact %s", subject, recordingsPlatformName(t), who)
		it.Details = map[string]string{"contact_id": mt.id, "matched_email": mt.email}
		if id := extra[t+".note"]; id != "" {
			if adopted[t] {
				it.Change, it.ExternalID = engine.Unchanged, id
				it.Message = fmt.Sprintf("an earlier sync already posted this note on the %s contact (the local database did not know it); linked it instead of posting again",
					recordingsPlatformName(t))
				// Counted as unchanged, but logged: a rebuild should say what it linked.
				lg := it
				lg.Action = "link note"
				r.Log(lg, store.LogSuccess)
				dones = append(dones, it)
			}
			continue // posted by an earlier attempt (or found by reconciliation)
		}
		if r.DryRun {
			it.Change = engine.Created
			dones = append(dones, it)
			continue
		}
		if err := beginIntent(r, key, map[string]string{
			t + ".contact": mt.id, t + ".name": mt.name, t + ".email": mt.email,
			"targets": strings.Join(matched, ","), recordingsSubjectKey: subject,
		}); err != nil {
			return false, fmt.Errorf("recording the intent for %s: %w", key, err)
		}
		noteID, err := rr.createNote(ctx, t, mt.id, subject, body, m.StartTime)
		if err != nil {
			if rr.fatal(ctx, err) {
				return false, err
			}
			if httpx.KindOf(err) == httpx.KindNotFound {
				// The contact was deleted since it was matched: match again next time.
				if err := beginIntent(r, key, map[string]string{t + ".contact": "", t + ".name": "", t + ".email": ""}); err != nil {
					return false, fmt.Errorf("recording the intent for %s: %w", key, err)
				}
			}
			fails = append(fails, failure{it, fmt.Errorf("posting the note on %s contact %s: %w", recordingsPlatformName(t), who, err),
				httpx.KindOf(err) == httpx.KindValidation})
			continue
		}
		extra[t+".note"] = noteID
		if err := beginIntent(r, key, map[string]string{t + ".note": noteID}); err != nil {
			return false, fmt.Errorf("recording note %s of %s: %w", noteID, key, err)
		}
		it.Change, it.ExternalID = engine.Created, noteID
		dones = append(dones, it)
	}
	if len(dones) == 0 && len(fails) == 0 {
		base.Change, base.ExternalID = engine.Unchanged, recordingsPrimary(extra)
		base.Message = "the note was already posted (found after an interrupted run)"
		dones = append(dones, base)
	}
	// Successes first: Done clears the item's retry state, Fail sets it.
	for _, it := range dones {
		r.Done(it)
	}
	for _, f := range fails {
		r.Fail(f.it, f.err, f.permanent)
	}
	if len(fails) > 0 || r.DryRun {
		return len(fails) == 0, nil
	}
	if err := finish(r, key, recordingsPrimary(extra), Fingerprint(subject), map[string]string{"targets": strings.Join(matched, ",")}); err != nil {
		return false, fmt.Errorf("recording the notes of %s: %w", key, err)
	}
	return true, nil
}

// adopt looks for the meeting's note on each matched target that no
// attempt in the ledger covers: the platforms, not the ledger, are the
// source of truth, and after a lost, replaced or restored database an
// earlier sync's note is only there. It costs one listing of the
// contact's notes per such target, and nothing for meetings the ledger
// knows (they never get here) or targets an intent covers (reconcile
// searched those). A found note is recorded in extra and in the intent
// (not in a dry run), and found says which targets were found so.
func (rr *recRun) adopt(ctx context.Context, key, uuid string, ln Link, matches map[string]recMatch, matched []string, subject string, extra map[string]string) (found map[string]bool, err error) {
	marker := CallNoteMarker(uuid)
	for _, t := range matched {
		if extra[t+".note"] != "" || ln.Extra[t+".contact"] != "" {
			continue
		}
		mt := matches[t]
		id, ok, err := rr.findNote(ctx, t, mt.id, marker)
		if err != nil {
			return nil, fmt.Errorf("checking %s contact %s for a note posted by an earlier sync: %w", recordingsPlatformName(t), mt.id, err)
		}
		if !ok {
			continue
		}
		if err := beginIntent(rr.r, key, map[string]string{
			t + ".contact": mt.id, t + ".name": mt.name, t + ".email": mt.email, t + ".note": id,
			"targets": strings.Join(matched, ","), recordingsSubjectKey: subject,
		}); err != nil {
			return nil, fmt.Errorf("recording the found note %s of %s: %w", id, key, err)
		}
		extra[t+".note"] = id
		if found == nil {
			found = map[string]bool{}
		}
		found[t] = true
	}
	return found, nil
}

// itemErr fails the item (or the run, for a reconnect or cancellation).
func (rr *recRun) itemErr(ctx context.Context, it engine.Item, err error) (bool, error) {
	if rr.fatal(ctx, err) {
		return false, err
	}
	rr.r.Fail(it, err, httpx.KindOf(err) == httpx.KindValidation)
	return false, nil
}

// identity is the connected Zoom user, read once per run.
func (rr *recRun) identity(ctx context.Context) (zoom.Identity, error) {
	if rr.me != nil {
		return *rr.me, nil
	}
	me, err := rr.zc.Me(ctx)
	if err != nil {
		return zoom.Identity{}, err
	}
	rr.me = &me
	return me, nil
}

// recordingsEmails lists the participants' emails to match, in Zoom's
// order (host first, then join order), lower-cased, without duplicates and
// without the firm's own account.
func recordingsEmails(parts []zoom.Participant, me zoom.Identity) []string {
	own := strings.ToLower(strings.TrimSpace(me.Email))
	var out []string
	for _, p := range parts {
		e := strings.ToLower(strings.TrimSpace(p.UserEmail))
		if e == "" || e == own || (me.ID != "" && p.ID == me.ID) || slices.Contains(out, e) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// recordingsHost names the meeting's host: "Name <email>".
func recordingsHost(m zoom.Meeting, parts []zoom.Participant, me zoom.Identity) string {
	for _, p := range parts {
		if m.HostID != "" && p.ID == m.HostID {
			return recordingsPerson(p.Name, p.UserEmail)
		}
	}
	if m.HostID == "" || m.HostID == me.ID {
		return recordingsPerson(me.Name, me.Email)
	}
	return "Zoom user " + m.HostID
}

func recordingsPerson(name, email string) string {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case name != "":
		return name
	}
	return email
}

// recordingsURL is the link to the recording: the MP4's play URL, else
// any file's.
func recordingsURL(m zoom.Meeting) string {
	for _, f := range m.RecordingFiles {
		if f.FileType == zoom.FileTypeMP4 && f.PlayURL != "" {
			return f.PlayURL
		}
	}
	for _, f := range m.RecordingFiles {
		if f.PlayURL != "" {
			return f.PlayURL
		}
	}
	return ""
}

// recordingsHours says a duration for people: "24 hours", "90 minutes".
func recordingsHours(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d >= time.Minute:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return "shortly"
}

// match finds the first email with a contact on target.
func (rr *recRun) match(ctx context.Context, target string, emails []string) (recMatch, bool, error) {
	for _, e := range emails {
		switch {
		case pms.Valid(target):
			cs, ok := rr.pmByEmail[e]
			if !ok {
				var err error
				if cs, err = rr.pm.ContactsByEmail(ctx, e); err != nil {
					return recMatch{}, false, err
				}
				rr.pmByEmail[e] = cs
			}
			if len(cs) > 0 {
				best := slices.MinFunc(cs, func(a, b pms.Contact) int { return pms.CompareIDs(a.ID, b.ID) })
				return recMatch{id: best.ID, name: best.Name, email: e}, true, nil
			}
		case target == "lawmatics":
			if err := rr.loadLawmatics(ctx); err != nil {
				return recMatch{}, false, err
			}
			if c, ok := rr.lmByEmail[e]; ok {
				name := strings.TrimSpace(c.Attributes.FirstName + " " + c.Attributes.LastName)
				return recMatch{id: c.ID, name: name, email: e}, true, nil
			}
		}
	}
	return recMatch{}, false, nil
}

// loadLawmatics indexes the Lawmatics contacts by email, once per run
// (the client has no search by email; one listing serves every meeting).
func (rr *recRun) loadLawmatics(ctx context.Context) error {
	if rr.lmByEmail != nil {
		return nil
	}
	idx := map[string]lawmatics.Contact{}
	lower := func(a, b string) bool { // numeric ids compare as numbers
		x, ex := strconv.ParseInt(a, 10, 64)
		y, ey := strconv.ParseInt(b, 10, 64)
		if ex == nil && ey == nil {
			return x < y
		}
		return a < b
	}
	err := rr.lc.Contacts(ctx, lawmatics.ContactQuery{}, func(c lawmatics.Contact) error {
		for _, e := range []string{c.Attributes.Email, c.Attributes.EmailAddress} {
			e = strings.ToLower(strings.TrimSpace(e))
			if e == "" {
				continue
			}
			if old, ok := idx[e]; !ok || lower(c.ID, old.ID) {
				idx[e] = c
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	rr.lmByEmail = idx
	return nil
}

// createNote posts the note and returns its id.
func (rr *recRun) createNote(ctx context.Context, target, contactID, subject, body string, start time.Time) (string, error) {
	switch {
	case pms.Valid(target):
		return rr.pm.CreateContactNote(ctx, contactID, pms.NoteWrite{Subject: subject, Body: body, Date: start.UTC()})
	case target == "lawmatics":
		n, err := rr.lc.CreateNote(ctx, lawmatics.NotableContact, contactID, subject, body)
		if err != nil {
			return "", err
		}
		return n.ID, nil
	}
	return "", fmt.Errorf("unknown note target %q", target)
}
