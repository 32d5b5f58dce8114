package engine

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// Change is what happened to one item's target.
type Change string

// Changes.
const (
	Created   Change = "created"
	Updated   Change = "updated"
	Unchanged Change = "unchanged"
	Deleted   Change = "deleted"
	Skipped   Change = "skipped"
)

// Item is one item's outcome, as a job reports it.
type Item struct {
	Key        string // stable item key, e.g. "contact:clio-12"; used for retry
	Platform   string // the platform acted on
	Action     string // e.g. "create contact", "upload file", "post note"
	Object     string // a human label: "Matter 00012-Smith — Divorce"
	SourceID   string
	ExternalID string
	Message    string
	Details    map[string]string
	Change     Change // for successes and skips
}

// Planned is one write a dry run would make.
type Planned struct {
	Job      string `json:"job"`
	Action   string `json:"action"`
	Platform string `json:"platform"`
	Object   string `json:"object"`
	Key      string `json:"key"`
}

// Run is handed to a job for one run: it carries the trigger, takes the
// job's item outcomes and progress, and applies the retry policy.
type Run struct {
	e       *Engine
	Job     string
	Trigger Trigger
	DryRun  bool
	id      uint64

	mu       sync.Mutex   // guards the fields below
	counts   store.Counts // per-run counts
	logs     []store.LogRecord
	retrying map[string]store.LedgerEntry // items with retry state at run start
	problems map[string]bool              // items with an open problem (see store.Problem)
	planned  []Planned
	done     int
	total    int
}

func newRun(e *Engine, job string, t Trigger, ro RunOptions) *Run {
	return &Run{e: e, Job: job, Trigger: t, DryRun: ro.DryRun, total: -1}
}

// ID is the run record's id (0 for dry runs).
func (r *Run) ID() uint64 { return r.id }

// Now is the engine's clock.
func (r *Run) Now() time.Time { return r.e.o.Now() }

// Targeted reports whether the run is about specific objects only.
func (r *Run) Targeted() bool { return len(r.Trigger.ObjectIDs) > 0 }

// Wants reports whether a targeted run covers key (always true for a full run).
func (r *Run) Wants(key string) bool {
	return !r.Targeted() || slices.Contains(r.Trigger.ObjectIDs, key)
}

// Store gives jobs the state store (ledger, watermarks, settings).
func (r *Run) Store() *store.Store { return r.e.o.Store }

func (r *Run) loadRetryState() error {
	entries, err := r.e.o.Store.LedgerEntries(retryJob(r.Job), "")
	if err != nil {
		return fmt.Errorf("reading %s retry state: %w", r.Job, err)
	}
	r.retrying = make(map[string]store.LedgerEntry, len(entries))
	for _, en := range entries {
		r.retrying[en.Key] = en
	}
	open, err := r.e.o.Store.OpenProblems(r.Job)
	if err != nil {
		return fmt.Errorf("reading %s problems: %w", r.Job, err)
	}
	r.problems = make(map[string]bool, len(open))
	for _, p := range open {
		r.problems[p.Key] = true
	}
	return nil
}

// Hold says whether an item should be left alone in this run: it is parked
// (waits for a person or a change at the source), or it failed and its next
// attempt is not due yet. A targeted run for exactly this item (a retry or
// a webhook about it) never holds it. The watermark must still not pass a
// held item (see Mark.Hold).
func (r *Run) Hold(key string, sourceChanged bool) bool {
	r.mu.Lock()
	en, ok := r.retrying[key]
	r.mu.Unlock()
	if !ok || (r.Targeted() && r.Wants(key)) || sourceChanged {
		return false
	}
	if en.State == stateParked {
		return true
	}
	return en.NextAttempt.After(r.Now())
}

// Progress reports items done out of total (-1 when unknown).
func (r *Run) Progress(done, total int) {
	r.mu.Lock()
	r.done, r.total = done, total
	r.mu.Unlock()
	r.e.o.Bus.Publish(events.RunProgress, events.RunData{Job: r.Job, RunID: r.id, Trigger: r.Trigger.Kind, Done: done, Total: total})
}

// Plan records a write a dry run would make (and does nothing else).
func (r *Run) Plan(it Item) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.planned = append(r.planned, Planned{Job: r.Job, Action: it.Action, Platform: it.Platform, Object: it.Object, Key: it.Key})
	switch it.Change {
	case Created:
		r.counts.Created++
	case Updated:
		r.counts.Updated++
	case Deleted:
		r.counts.Deleted++
	}
}

// Done records an item that succeeded, was unchanged, or was skipped on
// purpose. It clears any retry state the item had.
func (r *Run) Done(it Item) {
	if r.DryRun {
		if it.Change == Skipped || it.Change == Unchanged {
			r.count(it.Change)
			return
		}
		r.Plan(it)
		return
	}
	r.count(it.Change)
	status := store.LogSuccess
	if it.Change == Skipped {
		status = store.LogSkipped
	}
	if it.Change != Unchanged { // unchanged items are counted, not logged: a quiet day leaves a quiet log
		r.addLog(it, status, "")
	}
	r.mu.Lock()
	_, had := r.retrying[it.Key]
	delete(r.retrying, it.Key)
	problem := r.problems[it.Key]
	delete(r.problems, it.Key)
	r.mu.Unlock()
	if had {
		if err := r.e.o.Store.DeleteLedger(retryJob(r.Job), it.Key); err != nil {
			r.e.o.Logger.Error("clearing retry state", "job", r.Job, "item", it.Key, "err", err)
		}
	}
	// A logged outcome closes the item's problem in the transaction that
	// writes it; an unchanged item writes no record (the fix happened
	// elsewhere, e.g. a crash-interrupted note found on the contact), so
	// its problem is closed here.
	if problem && it.Change == Unchanged && it.Key != "" {
		if _, err := r.e.o.Store.CloseProblem(r.Job, it.Key, store.ProblemFixed, nil); err != nil {
			r.e.o.Logger.Error("closing a fixed problem", "job", r.Job, "item", it.Key, "err", err)
		}
	}
}

// Fail records an item that failed, applying the retry policy: the item is
// retried after the policy's delay, or parked as needs attention once its
// attempts are used up. Errors that only a person can fix (a validation
// refusal, a missing match) can be parked at once with permanent=true.
// It reports whether the item is now parked.
func (r *Run) Fail(it Item, err error, permanent bool) bool {
	r.count("failed")
	if r.DryRun {
		return false
	}
	pol := r.e.Policy(r.Job)
	var parked bool
	var attempts int
	uerr := r.e.o.Store.UpdateLedger(retryJob(r.Job), it.Key, func(en *store.LedgerEntry, found bool) error {
		en.Job, en.Key = retryJob(r.Job), it.Key
		en.Attempts++
		attempts = en.Attempts
		en.LastError = err.Error()
		if en.Extra == nil {
			en.Extra = map[string]string{}
		}
		en.Extra["object"], en.Extra["platform"], en.Extra["action"] = it.Object, it.Platform, it.Action
		if permanent || en.Attempts >= pol.Attempts {
			en.State = stateParked
			en.NextAttempt = time.Time{}
			parked = true
		} else {
			en.State = stateWaiting
			en.NextAttempt = r.Now().Add(pol.Delay(en.Attempts))
		}
		r.mu.Lock()
		r.retrying[it.Key] = *en
		if parked {
			r.problems[it.Key] = true
		}
		r.mu.Unlock()
		return nil
	})
	if uerr != nil {
		r.e.o.Logger.Error("recording an item failure", "job", r.Job, "item", it.Key, "err", uerr)
	}
	status := store.LogFailed
	msg := fmt.Sprintf("attempt %d of %d failed; will retry", attempts, pol.Attempts)
	if parked {
		status = store.LogNeedsAttention
		msg = "needs attention: " + advice(err)
		r.e.o.Bus.Publish(events.NeedsAttention, events.AttentionData{
			Job: r.Job, Platform: it.Platform, Item: it.Object, Message: err.Error(), Incident: r.Job + "/" + it.Key,
		})
	}
	if it.Message == "" {
		it.Message = msg
	}
	r.addLog(it, status, err.Error())
	return parked
}

// advice says in plain words what a person can do about err.
func advice(err error) string {
	switch {
	case httpx.IsReconnect(err):
		return "reconnect the platform, then press Retry"
	case httpx.KindOf(err) == httpx.KindForbidden:
		return "reconnect with a user who has the missing permission, then press Retry"
	case httpx.KindOf(err) == httpx.KindValidation:
		return "the platform refused the data; correct it at the source, then press Retry"
	case errors.Is(err, ErrNoMatch):
		return "no matching record was found; add it or fix the email, then press Retry"
	}
	return "it kept failing; press Retry once the cause is fixed"
}

// ErrNoMatch marks an item that found nothing to attach to (e.g. a meeting
// with no matching contact).
var ErrNoMatch = errors.New("no match")

func (r *Run) count(c Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch c {
	case Created:
		r.counts.Created++
	case Updated:
		r.counts.Updated++
	case Unchanged:
		r.counts.Unchanged++
	case Deleted:
		r.counts.Deleted++
	case Skipped:
		r.counts.Skipped++
	case "failed":
		r.counts.Failed++
	}
}

func (r *Run) countsSnapshot() store.Counts {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts
}

// logBatch is how many log records are buffered before a write.
const logBatch = 200

func (r *Run) addLog(it Item, status, errMsg string) {
	rec := store.LogRecord{
		Time: r.Now(), RunID: r.id, Job: r.Job, Platform: it.Platform, Action: it.Action, Status: status,
		Object: it.Object, SourceID: it.SourceID, ExternalID: it.ExternalID, Message: it.Message, Error: errMsg,
		Details: it.Details, ItemKey: it.Key,
	}
	r.mu.Lock()
	r.logs = append(r.logs, rec)
	full := len(r.logs) >= logBatch
	r.mu.Unlock()
	r.e.o.Bus.Publish(events.ItemLogged, rec)
	if full || status != store.LogSuccess {
		if err := r.flush(); err != nil {
			r.e.o.Logger.Error("writing the item log", "job", r.Job, "err", err)
		}
	}
}

// flush writes buffered log records.
func (r *Run) flush() error {
	r.mu.Lock()
	logs := r.logs
	r.logs = nil
	r.mu.Unlock()
	if len(logs) == 0 {
		return nil
	}
	if _, err := r.e.o.Store.AppendLog(logs...); err != nil {
		return fmt.Errorf("writing %d log records: %w", len(logs), err)
	}
	return nil
}

// Log writes a free-form record for the run (e.g. "Clio matter 12 closed:
// link marked closed"), not tied to retry state.
func (r *Run) Log(it Item, status string) {
	if r.DryRun {
		return
	}
	r.addLog(it, status, "")
}

// Watermark reads the job's stored time watermark (part names a sub-mark,
// e.g. "clio" for the contacts job's Clio source).
func (r *Run) Watermark(part string) (time.Time, error) {
	v, err := r.e.o.Store.Watermark(r.markKey(part))
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("watermark %s is corrupt: %w", r.markKey(part), err)
	}
	return t, nil
}

// SetWatermark stores the mark unless this is a dry run or a targeted run
// (which saw only some objects, so proves nothing about the rest).
func (r *Run) SetWatermark(part string, t time.Time) error {
	if r.DryRun || r.Targeted() || t.IsZero() {
		return nil
	}
	return r.e.o.Store.SetWatermark(r.markKey(part), t.UTC().Format(time.RFC3339Nano))
}

func (r *Run) markKey(part string) string {
	if part == "" {
		return r.Job
	}
	return r.Job + "/" + part
}
