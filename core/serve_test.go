package core_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/secrets"
)

// awaitRun waits for a webhook-triggered run of job covering key.
func awaitRun(t *testing.T, sub *events.Subscription, job string, timeout time.Duration) events.RunData {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-sub.C():
			d := ev.Data.(events.RunData)
			if d.Job == job && d.Trigger == "webhook" {
				return d
			}
		case <-deadline:
			t.Fatalf("no webhook-triggered %s run within %v", job, timeout)
		}
	}
}

// TestWebhooksMakeEffectsAppearWithinSeconds runs the always-on services on
// the sandbox and plays a lawyer opening a matter and a Zoom call ending:
// the matter's Box folder tree and custom field, and the call note, must
// appear within 5 seconds each.
func TestWebhooksMakeEffectsAppearWithinSeconds(t *testing.T) {
	// Generous budgets: this test times webhooks, not pacing.
	app, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory(),
		SandboxOptions: sandbox.Options{RateLimits: fastLimits()}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := app.Bus().Subscribe(events.RunFinished)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	<-app.Ready()
	// Let the first full sync (catch-up at start) finish before timing events.
	settle(t, app, first)

	sub := app.Bus().Subscribe(events.RunFinished)
	defer sub.Unsubscribe()
	sb := app.SandboxInstance()

	start := time.Now()
	m, err := sb.Clio().CreateMatter(cliofake.MatterInput{Description: "Nguyen — Lease review", Status: "Open"})
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the webhook-triggered folders runs until the effect shows.
	folderID := ""
	deadline := time.After(5 * time.Second)
	for folderID == "" {
		select {
		case ev := <-sub.C():
			if d := ev.Data.(events.RunData); d.Job != core.JobFolders {
				continue
			}
			got, _ := sb.Clio().Matter(m.ID)
			for _, v := range got.CustomFieldValues {
				if v.CustomField != nil && v.FieldName == "Box Folder ID" && v.Value != nil {
					folderID = strings.Trim(toString(v.Value), `"`)
				}
			}
		case <-deadline:
			got, _ := sb.Clio().Matter(m.ID)
			t.Fatalf("no Box folder id on matter %d within 5 s: %+v", m.ID, got.CustomFieldValues)
		}
	}
	latency := time.Since(start)
	f, items, err := sb.Box().Folder(folderID)
	if err != nil || !strings.Contains(f.Name, "Lease review") || len(items) != 6 {
		t.Fatalf("folder %+v items %d err %v", f, len(items), err)
	}
	t.Logf("new matter → Box folder tree + custom field: %v", latency)

	start = time.Now()
	_, err = sb.Zoom().EndMeeting(zoomfake.MeetingInput{
		Topic: "Lease review call", HostEmail: "owner@sandbox.zoom.test", Participants: []string{firstClientEmail(t, app)},
		Duration: 25, TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Sandbox Owner", Text: "Let's review the lease."}},
		Summary: &zoomfake.Summary{Overview: "Reviewed the lease."},
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline = time.After(5 * time.Second)
	for {
		d := awaitRun(t, sub, core.JobRecordings, 5*time.Second)
		if d.Created > 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("no call note within 5 s")
		default:
		}
	}
	t.Logf("meeting ended → Clio note: %v", time.Since(start))
	found := false
	for _, n := range sb.Clio().Notes() {
		if strings.Contains(n.Subject, "Lease review call") {
			found = true
		}
	}
	if !found {
		t.Fatal("the call note is not in Clio")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The events behind both effects were marked processed (events that
	// arrived during shutdown stay queued for the next start, by design).
	evs, err := app.Store().WebhookEvents(1000)
	if err != nil {
		t.Fatal(err)
	}
	matterDone := false
	for _, ev := range evs {
		if ev.Platform == "clio" && ev.Resource == strconv.FormatInt(m.ID, 10) && ev.Processed {
			matterDone = true
		}
	}
	if !matterDone {
		t.Fatal("the matter's webhook event was not marked processed")
	}
}

// runSettled opens a sandbox app with generous budgets, starts its
// background services and waits for the first sync (settle). quit stops
// the services and returns Run's error; the test's cleanup calls it too.
func runSettled(t *testing.T) (app *core.App, quit func() error) {
	t.Helper()
	app = openFastSandboxApp(t, t.TempDir(), secrets.NewMemory())
	t.Cleanup(func() { app.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	first := app.Bus().Subscribe(events.RunFinished)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	var once sync.Once
	var runErr error
	quit = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { _ = quit() })
	<-app.Ready()
	settle(t, app, first)
	return app, quit
}

// settle waits until every job has finished its first run and Clio's
// webhooks are registered.
func settle(t *testing.T, app *core.App, sub *events.Subscription) {
	t.Helper()
	defer sub.Unsubscribe()
	finished := map[string]bool{}
	deadline := time.After(90 * time.Second)
	for len(finished) < len(core.Jobs()) {
		select {
		case ev := <-sub.C():
			finished[ev.Data.(events.RunData).Job] = true
		case <-deadline:
			t.Fatalf("first sync did not finish within 90 s: finished %v", finished)
		}
	}
	if conn, _ := app.Store().Connection(core.Clio); len(conn.Webhooks) < 3 {
		if err := app.UpkeepWebhooks(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// fastLimits lifts every fake's request budget.
func fastLimits() map[string]int {
	return map[string]int{"clio": 1_000_000, "lawmatics": 1_000_000, "box": 1_000_000, "zoom": 1_000_000,
		"mycase": 1_000_000, "smokeball": 1_000_000}
}

func firstClientEmail(t *testing.T, app *core.App) string {
	t.Helper()
	var ids []int64
	for id := int64(1); id < 40; id++ {
		if c, ok := app.SandboxInstance().Clio().Contact(id); ok && len(c.EmailAddresses) > 0 {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	c, _ := app.SandboxInstance().Clio().Contact(ids[0])
	return c.EmailAddresses[0].Address
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := jsonMarshal(v)
	return string(b)
}
