package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func ledgerKeys(es []LedgerEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Job+"/"+e.Key)
	}
	return out
}

func TestLedgerEntriesFilterByJobAndState(t *testing.T) {
	s := openTest(t)
	for _, e := range []LedgerEntry{
		{Job: "matters", Key: "matter:2", State: LedgerDone},
		{Job: "matters", Key: "matter:1", State: LedgerIntent},
		{Job: "matters", Key: "matter:3", State: LedgerParked},
		{Job: "matters2", Key: "matter:1", State: LedgerIntent},
		{Job: "contacts", Key: "contact:1", State: LedgerIntent},
	} {
		if err := s.PutLedger(e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		job, state string
		want       []string
	}{
		{"matters", "", []string{"matters/matter:1", "matters/matter:2", "matters/matter:3"}},
		{"matters", LedgerIntent, []string{"matters/matter:1"}},
		{"matters", LedgerDone, []string{"matters/matter:2"}},
		{"matter", "", nil},
		{"", LedgerIntent, []string{"contacts/contact:1", "matters/matter:1", "matters2/matter:1"}},
		{"", "", []string{"contacts/contact:1", "matters/matter:1", "matters/matter:2", "matters/matter:3", "matters2/matter:1"}},
		{"contacts", LedgerDone, nil},
	}
	for _, tt := range tests {
		got, err := s.LedgerEntries(tt.job, tt.state)
		if err != nil {
			t.Fatal(err)
		}
		if keys := ledgerKeys(got); !reflect.DeepEqual(keys, tt.want) {
			t.Errorf("LedgerEntries(%q, %q) = %v; want %v", tt.job, tt.state, keys, tt.want)
		}
	}
}

func TestLedgerPutGetDelete(t *testing.T) {
	s := openTest(t)
	at := time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)
	want := LedgerEntry{
		Job: "matters", Key: "matter:7", TargetID: "folder:99", Fingerprint: "abc",
		State: LedgerDone, IntentAt: at, DoneAt: at.Add(time.Second), Extra: map[string]string{"path": "/Clients/Doe"},
	}
	if err := s.PutLedger(want); err != nil {
		t.Fatal(err)
	}
	got, found, err := s.Ledger("matters", "matter:7")
	if err != nil || !found || !reflect.DeepEqual(got, want) {
		t.Errorf("Ledger = %+v, %v, %v; want %+v", got, found, err, want)
	}
	if _, found, _ := s.Ledger("matters", "matter:8"); found {
		t.Error("Ledger found an absent key")
	}
	if err := s.DeleteLedger("matters", "matter:7"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLedger("matters", "matter:7"); err != nil {
		t.Errorf("deleting an absent entry: %v", err)
	}
	if es, _ := s.LedgerEntries("", LedgerDone); len(es) != 0 {
		t.Errorf("state index kept a deleted entry: %+v", es)
	}
	if err := s.PutLedger(LedgerEntry{Job: "matters"}); err == nil {
		t.Error("PutLedger without key succeeded")
	}
}

func TestUpdateLedger(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		seed      *LedgerEntry
		fn        func(e *LedgerEntry, found bool) error
		wantErr   error
		wantState string // "" = no entry afterwards
		wantAtt   int
	}{
		{
			name: "creates an intent when absent",
			fn: func(e *LedgerEntry, found bool) error {
				if found || e.Job != "matters" || e.Key != "matter:1" {
					return errors.New("unexpected starting entry")
				}
				e.State, e.Attempts = LedgerIntent, 1
				return nil
			},
			wantState: LedgerIntent, wantAtt: 1,
		},
		{
			name: "moves intent to done",
			seed: &LedgerEntry{Job: "matters", Key: "matter:1", State: LedgerIntent, Attempts: 1},
			fn: func(e *LedgerEntry, found bool) error {
				if !found {
					return errors.New("not found")
				}
				e.State, e.TargetID = LedgerDone, "box:1"
				e.Key = "other" // ignored
				return nil
			},
			wantState: LedgerDone, wantAtt: 1,
		},
		{
			name: "error leaves entry as it was",
			seed: &LedgerEntry{Job: "matters", Key: "matter:1", State: LedgerIntent, Attempts: 2},
			fn: func(e *LedgerEntry, _ bool) error {
				e.State = LedgerParked
				return errBoom
			},
			wantErr: errBoom, wantState: LedgerIntent, wantAtt: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			if tt.seed != nil {
				if err := s.PutLedger(*tt.seed); err != nil {
					t.Fatal(err)
				}
			}
			err := s.UpdateLedger("matters", "matter:1", tt.fn)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("UpdateLedger = %v; want %v", err, tt.wantErr)
			}
			got, found, err := s.Ledger("matters", "matter:1")
			if err != nil || !found || got.State != tt.wantState || got.Attempts != tt.wantAtt || got.Key != "matter:1" {
				t.Errorf("entry = %+v, %v, %v; want state %s attempts %d", got, found, err, tt.wantState, tt.wantAtt)
			}
			byState, _ := s.LedgerEntries("matters", tt.wantState)
			if len(byState) != 1 {
				t.Errorf("state index for %s holds %d entries", tt.wantState, len(byState))
			}
			all, _ := s.LedgerEntries("", "")
			if len(all) != 1 {
				t.Errorf("ledger holds %d entries, want 1", len(all))
			}
		})
	}
}
