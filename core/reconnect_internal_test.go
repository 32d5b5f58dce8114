package core

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"

	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// TestMarkReconnectLeavesADisconnectedPlatformAlone: a run still in flight
// when Clio was disconnected fails on the deleted token; that must not
// raise a "reconnect" alarm for a platform nobody wants connected.
func TestMarkReconnectLeavesADisconnectedPlatformAlone(t *testing.T) {
	cases := []struct {
		before, after string
		alarm         bool
	}{
		{store.ConnConnected, store.ConnReconnectNeeded, true},
		{store.ConnReconnectNeeded, store.ConnReconnectNeeded, true},
		{store.ConnDisconnected, store.ConnDisconnected, false},
		{"", store.ConnDisconnected, false}, // never connected
	}
	for _, tc := range cases {
		t.Run("from "+tc.before, func(t *testing.T) {
			a, err := Open(context.Background(), Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory()})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if tc.before != "" {
				if err := a.store.UpdateConnection(Clio, func(c *store.Connection) error { c.Status = tc.before; return nil }); err != nil {
					t.Fatal(err)
				}
			}
			sub := a.Bus().Subscribe(events.NeedsAttention)
			defer sub.Unsubscribe()
			a.markReconnect(Clio, errors.New("the access token was refused"))
			c, err := a.store.Connection(Clio)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tc.after {
				t.Errorf("status %q, want %q", c.Status, tc.after)
			}
			alarm := false
			select {
			case <-sub.C():
				alarm = true
			default:
			}
			if alarm != tc.alarm {
				t.Errorf("needs-attention event: %v, want %v", alarm, tc.alarm)
			}
		})
	}
}

func TestClioHookDead(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name string
		hook clio.Webhook
		want string
	}{
		{"enabled", clio.Webhook{Status: "enabled", ExpiresAt: now.Add(time.Hour)}, ""},
		{"pending is not dead (upkeep confirms it)", clio.Webhook{Status: "pending", ExpiresAt: now.Add(time.Hour)}, ""},
		{"suspended", clio.Webhook{Status: "suspended", ExpiresAt: now.Add(time.Hour)}, "suspended"},
		{"lapsed", clio.Webhook{Status: "enabled", ExpiresAt: now.Add(-time.Second)}, "expired"},
		{"no expiry given", clio.Webhook{Status: "enabled"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := clioHookDead(tc.hook, now); got != tc.want {
				t.Fatalf("clioHookDead = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestReconnectReasonStaysTheClearest: the first reason a platform needs
// reconnecting stands against later runs failing on the same dead token,
// but Clio's own word that the access was removed replaces any reason, and
// nothing replaces it. (A run that held the old token while the
// deauthorization callback was answered fails after it: the user must
// still read why.)
func TestReconnectReasonStaysTheClearest(t *testing.T) {
	refused := errors.New("refreshing the clio token: invalid_grant")
	later := errors.New("listing matters: invalid_grant")
	cases := []struct {
		name  string
		marks []error
		want  error
	}{
		{"one reason", []error{refused}, refused},
		{"a later run says less", []error{refused, later}, refused},
		{"Clio's word replaces the first reason", []error{refused, errAccessRemoved}, errAccessRemoved},
		{"a run failing after Clio's word", []error{errAccessRemoved, refused}, errAccessRemoved},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Open(context.Background(), Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory()})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if err := a.store.UpdateConnection(Clio, func(c *store.Connection) error { c.Status = store.ConnConnected; return nil }); err != nil {
				t.Fatal(err)
			}
			for _, e := range tc.marks {
				a.markReconnect(Clio, e)
			}
			c, err := a.store.Connection(Clio)
			if err != nil {
				t.Fatal(err)
			}
			if want := "Reconnect clio: " + tc.want.Error(); c.LastError != want || c.Status != store.ConnReconnectNeeded {
				t.Errorf("%s: %q, want %s: %q", c.Status, c.LastError, store.ConnReconnectNeeded, want)
			}
		})
	}
}
