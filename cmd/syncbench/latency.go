package main

// Scenario 4: event → effect latency through the webhook receiver. An
// App runs always-on (App.Run) on Firmsync's synced data directory and
// sandbox; the bench plays a lawyer opening matters and Zoom calls ending,
// one at a time, and watches the fakes' state every 10 ms for the effect.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/secrets"
)

// LatencyEvent is one kind of event's latencies.
type LatencyEvent struct {
	Event     string    `json:"event"`
	Effect    string    `json:"effect"`
	N         int       `json:"n"`
	TimedOut  int       `json:"timed_out"`
	MedianSec float64   `json:"median_sec"`
	P95Sec    float64   `json:"p95_sec"`
	MaxSec    float64   `json:"max_sec"`
	Samples   []float64 `json:"samples_sec"`
	// The baseline's polling delay, analytically: an event waits for the
	// next scheduled run, uniformly over the interval.
	BaselineEvery     string  `json:"baseline_every"`
	BaselineMedianSec float64 `json:"baseline_median_sec"`
	BaselineP95Sec    float64 `json:"baseline_p95_sec"`
}

// LatencyScenario is scenario 4.
type LatencyScenario struct {
	Matter  LatencyEvent `json:"new_matter"`
	Meeting LatencyEvent `json:"meeting_ended"`
}

const effectTimeout = 60 * time.Second

func (sb *syncBench) latency(ctx context.Context) (*LatencyScenario, error) {
	info := sb.fs.Info()
	app, err := core.Open(ctx, core.Options{DataDir: sb.data, ExternalSandbox: &info, Secrets: secrets.NewMemory()})
	if err != nil {
		return nil, err
	}
	defer app.Close()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Run(rctx) }()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case <-app.Ready():
	case err := <-done:
		return nil, fmt.Errorf("running Firmsync: %w", err)
	case <-time.After(2 * time.Minute):
		return nil, fmt.Errorf("firmsync did not start within 2 minutes")
	}
	if err := sb.awaitWebhooks(app); err != nil {
		return nil, err
	}
	sb.awaitQuiet(2*time.Second, 2*time.Minute) // start-up catch-up and retries settle first

	n := sb.cfg.events
	sc := &LatencyScenario{
		Matter: LatencyEvent{Event: "new matter in Clio", Effect: "Box folder tree + Clio custom field", N: n,
			BaselineEvery: "15 min (folders schedule)"},
		Meeting: LatencyEvent{Event: "Zoom meeting ended", Effect: "call note in Clio", N: n,
			BaselineEvery: "24 h (recordings schedule, daily 07:00)"},
	}
	analytic(&sc.Matter, 15*time.Minute)
	analytic(&sc.Meeting, 24*time.Hour)
	subs := len(jobs.Defaults().SubfolderTemplate)
	for i := 0; i < n; i++ {
		in := cliofake.MatterInput{Description: fmt.Sprintf("Latency %d — New matter", i+1), Status: "Open"}
		if len(sb.f.contacts) > 0 {
			in.ClientID = sb.f.contacts[i%len(sb.f.contacts)]
		}
		t0 := time.Now()
		m, err := sb.fs.Clio().CreateMatter(in)
		if err != nil {
			return nil, err
		}
		ok := waitFor(ctx, func() bool { return matterDone(sb.fs, m.ID, subs) })
		record(&sc.Matter, ok, t0)
	}
	sb.cfg.progressf("latency: new matter median %.2f s", sc.Matter.MedianSec)
	for i := 0; i < n && len(sb.f.emails) > 0; i++ {
		email := sb.f.emails[(i*7)%len(sb.f.emails)]
		t0 := time.Now()
		mt, err := sb.fs.Zoom().EndMeeting(meeting(fmt.Sprintf("Latency call %d", i+1), email, time.Now().Add(-20*time.Minute)))
		if err != nil {
			return nil, err
		}
		marker := jobs.CallNoteMarker(mt.UUID)
		ok := waitFor(ctx, func() bool { return noteDone(sb.fs, marker) })
		record(&sc.Meeting, ok, t0)
	}
	sb.cfg.progressf("latency: meeting ended median %.2f s", sc.Meeting.MedianSec)
	return sc, nil
}

// awaitWebhooks waits until Firmsync's Clio webhooks are enabled and its
// Zoom console URL is validated.
func (sb *syncBench) awaitWebhooks(app *core.App) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		url := app.ReceiverURL()
		matter := false
		for _, w := range sb.fs.Clio().Webhooks() {
			if w.Model == "matter" && w.Status == "enabled" && url != "" && strings.HasPrefix(w.URL, url) {
				matter = true
			}
		}
		if matter && sb.fs.Zoom().WebhookValidated() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("firmsync's webhooks were not registered within 2 minutes")
}

// awaitQuiet waits until the sandbox saw no request for quiet (at most max).
func (sb *syncBench) awaitQuiet(quiet, limit time.Duration) {
	total := func() int { return statsDelta(sandbox.Stats{}, sb.fs.StatsSnapshot()).Total() }
	last, since := total(), time.Now()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && time.Since(since) < quiet {
		time.Sleep(100 * time.Millisecond)
		if n := total(); n != last {
			last, since = n, time.Now()
		}
	}
}

// waitFor polls done every 10 ms until it holds (true) or effectTimeout
// passes (false).
func waitFor(ctx context.Context, done func() bool) bool {
	t0 := time.Now()
	for time.Since(t0) < effectTimeout && ctx.Err() == nil {
		if done() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// record adds one latency, from just before the admin call that made the
// event (t0) to the moment the effect was seen.
func record(ev *LatencyEvent, ok bool, t0 time.Time) {
	d := time.Since(t0)
	if !ok {
		ev.TimedOut++
	}
	ev.Samples = append(ev.Samples, d.Seconds())
	ev.MedianSec = median(ev.Samples)
	ev.P95Sec = quantile(ev.Samples, 0.95)
	ev.MaxSec = quantile(ev.Samples, 1)
}

// analytic fills the baseline's expected delay for a schedule of every d.
func analytic(ev *LatencyEvent, d time.Duration) {
	ev.BaselineMedianSec = d.Seconds() * 0.5
	ev.BaselineP95Sec = d.Seconds() * 0.95
}

// matterDone: the matter's custom field holds a Box folder id, and that
// folder has the subfolder template.
func matterDone(sb *sandbox.Sandbox, id int64, subs int) bool {
	m, ok := sb.Clio().Matter(id)
	if !ok {
		return false
	}
	folder := ""
	for _, v := range m.CustomFieldValues {
		if v.FieldName == jobs.Defaults().FolderFieldName && v.Value != nil {
			folder = strings.Trim(fmt.Sprint(v.Value), `"`)
		}
	}
	if folder == "" {
		return false
	}
	_, items, err := sb.Box().Folder(folder)
	if err != nil {
		return false
	}
	n := 0
	for _, it := range items {
		if it.Type == "folder" {
			n++
		}
	}
	return n >= subs
}

// noteDone: a Clio note carries the meeting's marker.
func noteDone(sb *sandbox.Sandbox, marker string) bool {
	for _, n := range sb.Clio().Notes() {
		if strings.Contains(n.Detail, marker) {
			return true
		}
	}
	return false
}
