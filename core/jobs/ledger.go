package jobs

import (
	"errors"
	"fmt"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/store"
)

// Link is a job's record of one source object's target, as kept in the
// ledger.
type Link struct {
	Key         string
	TargetID    string
	Fingerprint string
	State       string // store.LedgerIntent or store.LedgerDone
	Extra       map[string]string
}

// link reads the ledger entry for key.
func link(r *engine.Run, key string) (Link, bool, error) {
	e, ok, err := r.Store().Ledger(r.Job, key)
	if err != nil || !ok {
		return Link{}, ok, err
	}
	return Link{Key: key, TargetID: e.TargetID, Fingerprint: e.Fingerprint, State: e.State, Extra: e.Extra}, true, nil
}

// beginIntent writes, before a remote create, that it is about to happen,
// with what a later reconciliation needs to find the object (extra). A
// dry run writes nothing.
func beginIntent(r *engine.Run, key string, extra map[string]string) error {
	if r.DryRun {
		return nil
	}
	return r.Store().UpdateLedger(r.Job, key, func(e *store.LedgerEntry, found bool) error {
		e.Job, e.Key = r.Job, key
		e.State = store.LedgerIntent
		e.IntentAt = r.Now()
		if e.Extra == nil {
			e.Extra = map[string]string{}
		}
		for k, v := range extra {
			e.Extra[k] = v
		}
		return nil
	})
}

// finish records that key's target exists as fingerprinted.
func finish(r *engine.Run, key, targetID, fingerprint string, extra map[string]string) error {
	if r.DryRun {
		return nil
	}
	return r.Store().UpdateLedger(r.Job, key, func(e *store.LedgerEntry, found bool) error {
		e.Job, e.Key = r.Job, key
		e.State = store.LedgerDone
		e.TargetID = targetID
		e.Fingerprint = fingerprint
		e.DoneAt = r.Now()
		if e.Extra == nil {
			e.Extra = map[string]string{}
		}
		for k, v := range extra {
			e.Extra[k] = v
		}
		return nil
	})
}

// forget drops key's link (its target was deleted, so the next sync
// recreates it, or the source is gone).
func forget(r *engine.Run, key string) error {
	if r.DryRun {
		return nil
	}
	return r.Store().DeleteLedger(r.Job, key)
}

// openIntents lists the job's creates whose outcome is unknown (the
// process died between intent and result).
func openIntents(r *engine.Run) ([]store.LedgerEntry, error) {
	es, err := r.Store().LedgerEntries(r.Job, store.LedgerIntent)
	if err != nil {
		return nil, fmt.Errorf("reading open intents: %w", err)
	}
	return es, nil
}

// notConnected reports whether err means a platform is not connected.
func notConnected(err error) bool { return errors.Is(err, ErrNotConnected) }
