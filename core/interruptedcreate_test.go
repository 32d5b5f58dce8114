package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// TestQuitDuringASmokeballCreateMakesNoSecond: Smokeball accepts a create
// (202) and applies it a moment later. Firmsync is stopped right after
// Smokeball accepted the intake's new contact, or its new matter, and
// started again at once, before Smokeball has applied it: the restarted
// Firmsync waits for that record instead of making a second one, and the
// prospect ends with exactly one contact and one matter.
func TestQuitDuringASmokeballCreateMakesNoSecond(t *testing.T) {
	for _, endpoint := range []string{"POST /contacts", "POST /matters"} {
		t.Run(endpoint, func(t *testing.T) {
			sb := soakSandbox(t, sandbox.Size{Contacts: 4, Matters: 2, Documents: 1, Recordings: 1, Prospects: 1})
			info := sb.Info()
			dir := t.TempDir()
			var mu sync.Mutex
			var skew time.Duration // how far the apps' clock is ahead
			now := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(skew) }
			open := func() *core.App {
				app, err := core.Open(context.Background(), core.Options{DataDir: dir, ExternalSandbox: &info, Secrets: secrets.NewMemory(),
					PMS: core.Smokeball, Now: now})
				if err != nil {
					t.Fatal(err)
				}
				return app
			}
			app := open()
			if r := app.Sync(context.Background(), []string{core.JobIntake}, false); r.Failed > 0 {
				t.Fatalf("first sync: %+v", r)
			}
			p, err := sb.Lawmatics().CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Rae", LastName: "Quinn", Email: "rae.quinn@example.com",
				CaseTitle: "Quinn intake", CaseNumber: "LM-R0001", CaseType: "divorce_standard"})
			if err != nil {
				t.Fatal(err)
			}
			if err := sb.Lawmatics().Hire(p.ID); err != nil {
				t.Fatal(err)
			}
			before := sb.StatsSnapshot().Platforms[core.Smokeball].Endpoints[endpoint]
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				for sb.StatsSnapshot().Platforms[core.Smokeball].Endpoints[endpoint] == before && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
				cancel() // quit right after Smokeball accepted the create
			}()
			app.Sync(ctx, []string{core.JobIntake}, false)
			cancel()
			app.Close()

			pm := smokeballFake{sb}
			count := func() (matters, contacts int) {
				for _, m := range pm.matters() {
					if m.Number == "LM-R0001" {
						matters++
					}
				}
				return matters, pm.contactEmails()["rae.quinn@example.com"]
			}
			// Restarted at once, before Smokeball applied the create: this
			// run must wait for the accepted record, not make another.
			app = open()
			app.Sync(context.Background(), []string{core.JobIntake}, false)
			// Smokeball applies it; once the time an accepted create may take
			// to show has passed, the item's retry (pressed here rather than
			// after its back-off) finishes the intake.
			sb.Smokeball().Flush()
			mu.Lock()
			skew = 3 * time.Minute
			mu.Unlock()
			if _, err := app.RetryProblems(context.Background(), core.JobIntake, []string{"prospect:" + p.ID}); err != nil {
				t.Logf("retry: %v (nothing was waiting)", err)
			}
			app.Sync(context.Background(), []string{core.JobIntake}, false)
			app.Close()
			sb.Smokeball().Flush()
			if m, c := count(); m != 1 || c != 1 {
				t.Errorf("quit after %s was accepted: %d matters LM-R0001 and %d contacts rae.quinn@example.com, want 1 and 1", endpoint, m, c)
			}
		})
	}
}
