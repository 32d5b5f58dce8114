package main

// Scenario 4: event → effect latency through the webhook receiver. An
// App runs always-on (App.Run) on Firmsync's synced data directory and
// sandbox; the bench plays a lawyer opening matters and Zoom calls ending
// (on MyCase and Smokeball also adding contacts and documents), one at a
// time, through the fakes' admin methods (which fire the system's
// webhooks), and watches the fakes' state every 10 ms for the effect.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/pms"
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
	// NoWebhook, when set, says that the system sends no webhook for this
	// event, so Firmsync finds it by its schedule: no latency is measured.
	NoWebhook string `json:"no_webhook,omitempty"`
	// The baseline's polling delay, analytically: an event waits for the
	// next scheduled run, uniformly over the interval.
	BaselineEvery     string  `json:"baseline_every"`
	BaselineMedianSec float64 `json:"baseline_median_sec"`
	BaselineP95Sec    float64 `json:"baseline_p95_sec"`
}

// LatencyScenario is scenario 4. Contact and Document are measured on
// MyCase and Smokeball (Clio's table keeps its two events).
type LatencyScenario struct {
	Matter   LatencyEvent  `json:"new_matter"`
	Meeting  LatencyEvent  `json:"meeting_ended"`
	Contact  *LatencyEvent `json:"new_contact,omitempty"`
	Document *LatencyEvent `json:"new_document,omitempty"`
}

// Events lists the scenario's events in the table's order.
func (l *LatencyScenario) Events() []LatencyEvent {
	out := []LatencyEvent{l.Matter, l.Meeting}
	for _, ev := range []*LatencyEvent{l.Contact, l.Document} {
		if ev != nil {
			out = append(out, *ev)
		}
	}
	return out
}

const effectTimeout = 60 * time.Second

func (sb *syncBench) latency(ctx context.Context) (*LatencyScenario, error) {
	info := sb.fs.Info()
	app, err := core.Open(ctx, core.Options{DataDir: sb.data, ExternalSandbox: &info, Secrets: secrets.NewMemory(), PMS: sb.kind})
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
	sys := pms.Name(sb.kind)
	fk := pmsOf(sb.fs, sb.kind)
	sc := &LatencyScenario{
		Matter: LatencyEvent{Event: "new matter in " + sys, Effect: "Box folder tree + " + sys + " custom field", N: n,
			BaselineEvery: "15 min (folders schedule)"},
		Meeting: LatencyEvent{Event: "Zoom meeting ended", Effect: "call note in " + sys, N: n,
			BaselineEvery: "24 h (recordings schedule, daily 07:00)"},
	}
	switch sb.kind {
	case sandbox.MyCase:
		sc.Matter.Event = "new case in MyCase"
	case sandbox.Smokeball:
		sc.Matter.Effect = "Box folder tree (Smokeball has no matter fields: Firmsync keeps the link)"
		sc.Meeting.Effect = "call note in Smokeball (the contact's notes)"
	}
	analytic(&sc.Matter, 15*time.Minute)
	analytic(&sc.Meeting, 24*time.Hour)
	if sb.kind != sandbox.Clio {
		sc.Contact = &LatencyEvent{Event: "new contact in " + sys, Effect: "Zoom Phone external contact", N: n,
			BaselineEvery: "6 h (contacts schedule)"}
		sc.Document = &LatencyEvent{Event: "new document in " + sys, Effect: "file in the matter's Box folder", N: n,
			BaselineEvery: "24 h (documents schedule, daily 06:00)"}
		if sb.kind == sandbox.Smokeball {
			sc.Document.Event = "new file in Smokeball"
		}
		analytic(sc.Contact, 6*time.Hour)
		analytic(sc.Document, 24*time.Hour)
		if sb.kind == sandbox.MyCase {
			// MyCase sends webhooks for cases and clients only.
			sc.Document.N = 0
			sc.Document.NoWebhook = "no webhook (MyCase sends none for documents): found by the schedule (documents, daily 06:00)"
		}
	}
	subs := len(defaultSettings.SubfolderTemplate)
	for i := 0; i < n; i++ {
		client := ""
		if len(sb.f.contacts) > 0 {
			client = sb.f.contacts[i%len(sb.f.contacts)]
		}
		desc := fmt.Sprintf("Latency %d — New matter", i+1)
		t0 := time.Now()
		id, err := fk.newMatter(desc, fmt.Sprintf("L-%04d", i+1), "", client)
		if err != nil {
			return nil, err
		}
		ok := waitFor(ctx, func() bool { return matterDone(sb.fs, fk, id, desc, subs) })
		record(&sc.Matter, ok, t0)
	}
	sb.cfg.progressf("latency: new matter median %.2f s", sc.Matter.MedianSec)
	for i := 0; i < n && len(sb.f.emails) > 0; i++ {
		k := (i * 7) % len(sb.f.emails)
		email, owner := sb.f.emails[k], sb.f.emailOwner[k]
		t0 := time.Now()
		mt, err := sb.fs.Zoom().EndMeeting(meeting(fmt.Sprintf("Latency call %d", i+1), email, time.Now().Add(-20*time.Minute)))
		if err != nil {
			return nil, err
		}
		marker := jobs.CallNoteMarker(mt.UUID)
		ok := waitFor(ctx, func() bool { return fk.noteHas(owner, marker) })
		record(&sc.Meeting, ok, t0)
	}
	sb.cfg.progressf("latency: meeting ended median %.2f s", sc.Meeting.MedianSec)
	if sc.Contact != nil {
		for i := 0; i < n; i++ {
			t0 := time.Now()
			id, err := fk.newContact("Latency", fmt.Sprintf("Contact%02d", i+1), fmt.Sprintf("latency.contact.%d@example.com", i+1),
				fmt.Sprintf("(617) 555-%04d", 9000+i))
			if err != nil {
				return nil, err
			}
			want := zoomContactID(sb.kind, id)
			ok := waitFor(ctx, func() bool { return zoomHas(sb.fs, want) })
			record(sc.Contact, ok, t0)
		}
		sb.cfg.progressf("latency: new contact median %.2f s", sc.Contact.MedianSec)
	}
	if d := sc.Document; d != nil && d.NoWebhook == "" && len(sb.f.matters) > 0 {
		for i := 0; i < n; i++ {
			m := sb.f.matters[(i*5)%len(sb.f.matters)]
			name := fmt.Sprintf("Latency document %d.pdf", i+1)
			t0 := time.Now()
			if err := fk.addDocument(m, name, []byte("Latency document "+fmt.Sprint(i+1))); err != nil {
				return nil, err
			}
			ok := waitFor(ctx, func() bool { return boxHasFile(sb.fs, name) })
			record(d, ok, t0)
		}
		sb.cfg.progressf("latency: new document median %.2f s", d.MedianSec)
	}
	return sc, nil
}

// awaitWebhooks waits until Firmsync's webhooks on the practice-management
// system are subscribed at its receiver and its Zoom console URL is
// validated.
func (sb *syncBench) awaitWebhooks(app *core.App) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		url := app.ReceiverURL()
		pmsOK := false
		switch sb.kind {
		case sandbox.MyCase:
			models := map[string]bool{}
			for _, s := range sb.fs.MyCase().Subscriptions() {
				if url != "" && strings.HasPrefix(s.URL, url) {
					models[s.Model] = true
				}
			}
			pmsOK = models["case"] && models["client"]
		case sandbox.Smokeball:
			for _, h := range sb.fs.Smokeball().Webhooks() {
				if url != "" && strings.HasPrefix(h.EventNotificationURL, url) && slices.Contains(h.EventTypes, "matter.created") {
					pmsOK = true
				}
			}
		default:
			for _, w := range sb.fs.Clio().Webhooks() {
				if w.Model == "matter" && w.Status == "enabled" && url != "" && strings.HasPrefix(w.URL, url) {
					pmsOK = true
				}
			}
		}
		if pmsOK && sb.fs.Zoom().WebhookValidated() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("firmsync's webhooks were not registered within 2 minutes")
}

// awaitQuiet waits until the sandbox saw no request for quiet (at most max).
func (sb *syncBench) awaitQuiet(quiet, limit time.Duration) {
	total := func() int { return statsDelta(sb.kind, sandbox.Stats{}, sb.fs.StatsSnapshot()).Total() }
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

// matterDone: the matter's folder exists in Box with the subfolder
// template, and (where the system has matter fields) the matter's custom
// field holds its id. On Smokeball the folder is found by the matter's
// description in its name (Firmsync keeps the link in its own records).
func matterDone(sb *sandbox.Sandbox, fk fakePMS, id, desc string, subs int) bool {
	if fk.kind() == sandbox.Smokeball {
		_, items, err := sb.Box().Folder(sb.BoxRoot())
		if err != nil {
			return false
		}
		for _, it := range items {
			if it.Type == "folder" && strings.Contains(it.Name, desc) && hasSubfolders(sb, it.ID, subs) {
				return true
			}
		}
		return false
	}
	for _, folder := range fk.matterFieldValues(id) {
		if folder != "" && hasSubfolders(sb, folder, subs) {
			return true
		}
	}
	return false
}

// hasSubfolders: the Box folder exists and holds at least subs folders.
func hasSubfolders(sb *sandbox.Sandbox, folder string, subs int) bool {
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

// zoomHas: Zoom Phone has an external contact of that id.
func zoomHas(sb *sandbox.Sandbox, id string) bool {
	for _, c := range sb.Zoom().ExternalContacts() {
		if c.ID == id {
			return true
		}
	}
	return false
}

// boxHasFile: Box holds a live file of that name.
func boxHasFile(sb *sandbox.Sandbox, name string) bool {
	for _, f := range sb.Box().Files() {
		if f.Name == name {
			return true
		}
	}
	return false
}
