package engine

import (
	"fmt"
	"time"

	"github.com/firmsync/firmsync/core/store"
)

// A problem (store.Problem) opens when Fail parks an item and closes when
// a later Done for the item is logged (in the log's own transaction) or
// reported unchanged (Run.Done), from any trigger. The functions here are
// the person's side: put problems back in line, or dismiss them.

// Requeue puts items back in line: per job, each key's attempts start over
// and its next attempt is due now, so a targeted run (or the retry loop,
// should the app stop first) tries it at once even when it was parked.
func (e *Engine) Requeue(keys map[string][]string) error {
	for j, ks := range keys {
		for _, k := range ks {
			err := e.o.Store.UpdateLedger(retryJob(j), k, func(en *store.LedgerEntry, found bool) error {
				en.Job, en.Key = retryJob(j), k
				en.Attempts = 0
				en.State = stateWaiting
				en.NextAttempt = e.o.Now()
				return nil
			})
			if err != nil {
				return fmt.Errorf("putting %s %s back in line: %w", j, k, err)
			}
		}
	}
	return nil
}

// ProblemKeys returns the item keys of the open problems, per job (of job
// only, when job is not "").
func (e *Engine) ProblemKeys(job string) (map[string][]string, error) {
	ps, err := e.o.Store.OpenProblems(job)
	if err != nil {
		return nil, err
	}
	keys := map[string][]string{}
	for _, p := range ps {
		if _, ok := e.jobs[p.Job]; ok {
			keys[p.Job] = append(keys[p.Job], p.Key)
		}
	}
	return keys, nil
}

// Dismiss closes job's open problem for each key as dismissed, with a log
// record saying so, and parks the item: Firmsync stops retrying it on its
// own (a schedule holds parked items) until its source changes, a webhook
// names it, or someone presses Retry. It returns how many were open.
func (e *Engine) Dismiss(job string, keys []string) (int, error) {
	n := 0
	for _, k := range keys {
		p, found, err := e.o.Store.ProblemOf(job, k)
		if err != nil {
			return n, err
		}
		if !found || p.State != store.ProblemOpen {
			continue
		}
		err = e.o.Store.UpdateLedger(retryJob(job), k, func(en *store.LedgerEntry, found bool) error {
			en.Job, en.Key = retryJob(job), k
			en.State = stateParked
			en.NextAttempt = time.Time{} // parked items are held, never due
			if en.Extra == nil {
				en.Extra = map[string]string{}
			}
			en.Extra["dismissed"] = "true"
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("parking dismissed %s %s: %w", job, k, err)
		}
		note := store.LogRecord{
			Time: e.o.Now(), Job: job, ItemKey: k, Platform: p.Platform, Action: "dismiss", Status: store.LogSkipped,
			Object: p.Object, SourceID: p.SourceID,
			Message: "Dismissed: Firmsync leaves this item alone until it changes at its source or someone presses Retry",
		}
		closed, err := e.o.Store.CloseProblem(job, k, store.ProblemDismissed, &note)
		if err != nil {
			return n, err
		}
		if closed {
			n++
		}
	}
	return n, nil
}
