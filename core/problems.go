package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/store"
)

// Problems are the items that need a person (store.Problem): one per item
// however many attempts it took, closed by a later success from any
// trigger or by Dismiss. NeedsAttention is the one number the Overview
// banner, the tray, the Activity tab and `firmsync status --json` show.

// NeedsAttention returns the number of open problems.
func (a *App) NeedsAttention() (int, error) {
	n, err := a.store.CountProblems()
	if err != nil {
		return 0, fmt.Errorf("counting the items that need attention: %w", err)
	}
	return n, nil
}

// NeedsAttentionOf returns the number of open problems of one job.
func (a *App) NeedsAttentionOf(job string) (int, error) {
	ps, err := a.store.OpenProblems(job)
	if err != nil {
		return 0, fmt.Errorf("counting the %s items that need attention: %w", job, err)
	}
	return len(ps), nil
}

// Problems lists the open problems of job (every job when job is ""), the
// most recently attempted first.
func (a *App) Problems(job string) ([]store.Problem, error) {
	ps, err := a.store.OpenProblems(job)
	if err != nil {
		return nil, fmt.Errorf("listing the items that need attention: %w", err)
	}
	return ps, nil
}

// ProblemOf returns the problem (open or closed) of job's item key.
func (a *App) ProblemOf(job, key string) (store.Problem, bool, error) {
	return a.store.ProblemOf(job, key)
}

// RetryProblems puts job's open problems with the given item keys back in
// line and runs them now, one targeted run per job. No keys means every
// open problem of job (of every job when job is ""): Retry all.
func (a *App) RetryProblems(ctx context.Context, job string, keys []string) (SyncResult, error) {
	byJob, err := a.problemKeys(job, keys)
	if err != nil {
		return SyncResult{}, err
	}
	if err := a.engine.Requeue(byJob); err != nil {
		return SyncResult{}, err
	}
	return a.runRetries(ctx, byJob), nil
}

// DismissProblems closes job's open problems with the given item keys (all
// of job's, or every job's when job is "", when keys is empty) and parks
// their items, so Firmsync leaves them alone until they change at their
// source or someone presses Retry. It returns how many it closed.
func (a *App) DismissProblems(job string, keys []string) (int, error) {
	byJob, err := a.problemKeys(job, keys)
	if err != nil {
		return 0, err
	}
	n := 0
	for j, ks := range byJob {
		d, err := a.engine.Dismiss(j, ks)
		n += d
		if err != nil {
			return n, fmt.Errorf("dismissing %s items: %w", j, err)
		}
	}
	if n > 0 {
		a.Logger().Info("problems dismissed", "job", orEvery(job), "count", n)
	}
	return n, nil
}

// problemKeys resolves (job, keys) to the open problems' keys per job.
func (a *App) problemKeys(job string, keys []string) (map[string][]string, error) {
	if job != "" && !IsJob(job) {
		return nil, fmt.Errorf("there is no job %q", job)
	}
	if len(keys) > 0 {
		if job == "" {
			return nil, errors.New("name the job of the items")
		}
		return map[string][]string{job: keys}, nil
	}
	byJob, err := a.engine.ProblemKeys(job)
	if err != nil {
		return nil, fmt.Errorf("listing the items that need attention: %w", err)
	}
	return byJob, nil
}

func orEvery(job string) string {
	if job == "" {
		return "every job"
	}
	return job
}

// ContactChoice is one contact of the practice-management system offered
// for attaching a call.
type ContactChoice struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Label is how a person tells contacts apart: "Dana Scully <dana@x.com>".
func (c ContactChoice) Label() string {
	if c.Email == "" {
		return c.Name
	}
	return c.Name + " <" + c.Email + ">"
}

// maxContactChoices bounds a contact search: a person scans a short list.
const maxContactChoices = 25

// SearchContacts finds contacts of the firm's practice-management system
// whose name or email matches query (the system's own search), for the
// attach-a-call picker.
func (a *App) SearchContacts(ctx context.Context, query string) ([]ContactChoice, error) {
	query = strings.TrimSpace(query)
	if len([]rune(query)) < 2 {
		return nil, nil // one letter matches most of a firm
	}
	name := PlatformTitle(a.PracticeManagement())
	sys, err := a.platforms.PMS(ctx)
	if err != nil {
		return nil, fmt.Errorf("reaching %s to search contacts: %w", name, err)
	}
	cs, err := sys.SearchContacts(ctx, query, maxContactChoices)
	if err != nil {
		return nil, fmt.Errorf("searching %s contacts for %q: %w", name, query, err)
	}
	out := make([]ContactChoice, 0, len(cs))
	for _, c := range cs {
		out = append(out, ContactChoice{ID: c.ID, Name: c.Name, Email: c.Email})
	}
	return out, nil
}

// CanAttach reports whether p is a call that can be attached to a chosen
// contact: an open recordings problem whose meeting matched no contact
// (so no note exists anywhere to conflict with), while the firm's
// practice-management system is a note target.
func (a *App) CanAttach(p store.Problem) bool {
	if p.Job != JobRecordings || p.State != store.ProblemOpen || !strings.HasPrefix(p.Key, "meeting:") {
		return false
	}
	kind := a.PracticeManagement()
	if !slices.Contains(a.Settings().Jobs.NoteTargets, kind) {
		return false
	}
	en, found, err := a.store.Ledger(JobRecordings, p.Key)
	if err != nil {
		return false
	}
	return !found || en.State != store.LedgerDone && en.Extra[kind+".contact"] == "" && en.Extra[kind+".note"] == ""
}

// ErrCannotAttach is wrapped by AttachCall's refusals.
var ErrCannotAttach = errors.New("this call cannot be attached to a contact")

// AttachCall posts the note of a call that matched no contact (itemKey
// "meeting:<uuid>", an open recordings problem) on the contact of the
// practice-management system the user chose, and returns once the
// recordings job has run for it: the problem is closed when the note was
// posted, and the returned error says why when it was not.
//
// The note is posted by the recordings job itself, so it keeps the job's
// crash safety: the choice is written as the job's own intent for the
// meeting (ledger "recordings"/key, extra "<kind>.contact", "<kind>.name",
// "<kind>.email", e.g. "clio.contact"), exactly what the job writes before
// it creates a note and what it reads back as "an earlier attempt chose
// this contact". A run that dies after the choice reconciles the intent
// (looks for the note on that contact) before posting, so the note is
// never posted twice. TestAttachCallPostsTheNoteOnTheChosenContact pins
// this contract.
func (a *App) AttachCall(ctx context.Context, itemKey, contactID string) error {
	kind := a.PracticeManagement()
	name := PlatformTitle(kind)
	p, found, err := a.store.ProblemOf(JobRecordings, itemKey)
	if err != nil {
		return err
	}
	if !found || p.State != store.ProblemOpen {
		return fmt.Errorf("%w: %s does not need attention any more", ErrCannotAttach, itemKey)
	}
	if !a.CanAttach(p) {
		if !slices.Contains(a.Settings().Jobs.NoteTargets, kind) {
			return fmt.Errorf("%w: %s is not a note target (Settings → Call notes)", ErrCannotAttach, name)
		}
		return fmt.Errorf("%w: it already has a %s contact; press Retry instead", ErrCannotAttach, name)
	}
	sys, err := a.platforms.PMS(ctx)
	if err != nil {
		return fmt.Errorf("reaching %s to attach the call: %w", name, err)
	}
	c, err := sys.Contact(ctx, contactID)
	if err != nil {
		return fmt.Errorf("reading %s contact %s: %w", name, contactID, err)
	}
	// In line first: should Firmsync stop before the run below, the retry
	// loop runs the item at its next start and posts on the chosen contact.
	if err := a.engine.Requeue(map[string][]string{JobRecordings: {itemKey}}); err != nil {
		return err
	}
	err = a.store.UpdateLedger(JobRecordings, itemKey, func(en *store.LedgerEntry, found bool) error {
		if found && (en.State == store.LedgerDone || en.Extra[kind+".note"] != "") {
			return fmt.Errorf("%w: its note was posted meanwhile", ErrCannotAttach)
		}
		en.Job, en.Key = JobRecordings, itemKey
		en.State = store.LedgerIntent
		en.IntentAt = a.opts.Now()
		if en.Extra == nil {
			en.Extra = map[string]string{}
		}
		en.Extra[kind+".contact"] = c.ID
		en.Extra[kind+".name"] = c.Name
		en.Extra[kind+".email"] = "" // chosen by a person, not matched by an email
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording the chosen contact for %s: %w", itemKey, err)
	}
	a.Logger().Info("call attached to a contact", "item", itemKey, "system", kind, "contact", c.ID)
	r := a.engine.Run(ctx, JobRecordings, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: []string{itemKey}}, engine.RunOptions{})
	if r.Err != nil {
		return fmt.Errorf("posting the note on %s: %w", c.Name, r.Err)
	}
	after, _, err := a.store.ProblemOf(JobRecordings, itemKey)
	if err != nil {
		return err
	}
	if after.State == store.ProblemOpen {
		return fmt.Errorf("posting the note on %s failed: %s", c.Name, firstLine(cmpOr(after.Error, after.Message)))
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
