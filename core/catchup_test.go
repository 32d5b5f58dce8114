package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
)

// TestMatterMissedWithoutAHookIsCaughtUpWhenTheHookReturns: a platform
// sends nothing for what changed while Firmsync's webhook was missing
// (deleted in Clio, suspended after a night with the tunnel down, not yet
// confirmed after connecting). When upkeep creates the hook again, a full
// run of the jobs it feeds must find that work now, not at the next
// schedule (15 minutes, or a day).
func TestMatterMissedWithoutAHookIsCaughtUpWhenTheHookReturns(t *testing.T) {
	app, _ := runSettled(t)
	ctx := context.Background()

	sb := app.SandboxInstance()
	info := sb.Info().Platforms["clio"]
	c := clio.New(clio.Options{APIBase: info.APIBase, OAuthBase: info.OAuthBase, Auth: staticAuth(info.Token)})
	for _, h := range sb.Clio().Webhooks() {
		if h.Model == "matter" {
			if err := c.DeleteWebhook(ctx, h.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	m, err := sb.Clio().CreateMatter(cliofake.MatterInput{Description: "Okafor — Lease dispute", Status: "Open"})
	if err != nil {
		t.Fatal(err)
	}

	sub := app.Bus().Subscribe(events.RunFinished)
	defer sub.Unsubscribe()
	// Saving the settings asks for an upkeep, as the hourly tick would.
	if err := app.SaveSettings(app.Settings()); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(60 * time.Second)
	for {
		select {
		case ev := <-sub.C():
			d := ev.Data.(events.RunData)
			if d.Job != core.JobFolders || d.Trigger != "catch-up" {
				continue
			}
			got, _ := sb.Clio().Matter(m.ID)
			for _, v := range got.CustomFieldValues {
				if v.FieldName == "Box Folder ID" && v.Value != nil && strings.Trim(toString(v.Value), `"`) != "" {
					return
				}
			}
			// A catch-up from the first connect may end just now: wait
			// for the one that follows the hook's return.
		case <-deadline:
			t.Fatalf("no catch-up run gave matter %d its folder within 60 s of the hook's return (hooks now %+v)", m.ID, sb.Clio().Webhooks())
		}
	}
}
