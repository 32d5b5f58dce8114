package main

// The report: one Markdown table (and the same as JSON), with the command
// line and the machine on top and the notes that qualify the numbers below.

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/core/pms"
)

// Report is everything the bench measured.
type Report struct {
	Command    string           `json:"command"`
	PMS        string           `json:"pms,omitempty"` // the practice-management system; "" = Clio
	Machine    Machine          `json:"machine"`
	Started    time.Time        `json:"started"`
	TookSec    float64          `json:"took_sec"`
	Scale      float64          `json:"scale"`
	Size       sandbox.Size     `json:"size"`
	Repeat     int              `json:"repeat"`
	RateWindow string           `json:"rate_window"`
	Skipped    []string         `json:"skipped,omitempty"`
	Initial    *SyncScenario    `json:"initial,omitempty"`
	Quiet      *SyncScenario    `json:"quiet,omitempty"`
	Busy       *SyncScenario    `json:"busy,omitempty"`
	Latency    *LatencyScenario `json:"latency,omitempty"`
	Duplicates *Duplicates      `json:"duplicates,omitempty"`
	Move       *MoveResult      `json:"move,omitempty"`
	Idle       *IdleScenario    `json:"idle,omitempty"`
	CLI        *CLIResult       `json:"cli,omitempty"`
	Errors     []string         `json:"errors,omitempty"`
	Rows       []Row            `json:"rows"`
	Notes      []string         `json:"notes"`
}

// Row is one line of the table.
type Row struct {
	Scenario string `json:"scenario"`
	Metric   string `json:"metric"`
	Firmsync string `json:"firmsync"`
	Baseline string `json:"baseline"`
	Goal     string `json:"goal"`
	Result   string `json:"result"` // "met", "NOT met" or ""
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// med is the median of f over a scenario side's runs.
func med(sides []Side, f func(Side) float64) float64 {
	xs := make([]float64, len(sides))
	for i, s := range sides {
		xs[i] = f(s)
	}
	return median(xs)
}

// medianSide is the run whose wall time is the median (for breakdowns).
func medianSide(sides []Side) Side {
	if len(sides) == 0 {
		return Side{}
	}
	s := append([]Side(nil), sides...)
	sort.Slice(s, func(i, j int) bool { return s[i].WallSec < s[j].WallSec })
	return s[len(s)/2]
}

func secs(s float64) string {
	switch {
	case s >= 3600:
		return fmt.Sprintf("%.1f h", s/3600)
	case s >= 120:
		return fmt.Sprintf("%.1f min", s/60)
	case s >= 10:
		return fmt.Sprintf("%.0f s", s)
	case s >= 1:
		return fmt.Sprintf("%.1f s", s)
	}
	return fmt.Sprintf("%.0f ms", s*1000)
}

func count(n float64) string {
	v := int(math.Round(n))
	s := fmt.Sprint(v)
	if v < 10000 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func pct(a, b float64) string {
	if b == 0 {
		return "—"
	}
	p := a / b * 100
	if p < 10 {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// build turns the measurements into rows and notes.
func (r *Report) build(bud Budgets) {
	add := func(sc, metric, f, b, goal, res string) {
		r.Rows = append(r.Rows, Row{Scenario: sc, Metric: metric, Firmsync: f, Baseline: b, Goal: goal, Result: res})
	}
	wall := func(s Side) float64 { return s.WallSec }
	calls := func(s Side) float64 { return float64(s.Calls) }
	if sc := r.Initial; sc != nil {
		const name = "1. Initial sync"
		add(name, "wall time", secs(med(sc.Firmsync, wall)), secs(med(sc.Baseline, wall)), "", "")
		add(name, "API calls", count(med(sc.Firmsync, calls)), count(med(sc.Baseline, calls)), "", "")
		fr, frOK := pacingMedian(sc.Firmsync)
		br, brOK := pacingMedian(sc.Baseline)
		res := verdict(fr >= 0.9)
		if !frOK {
			res = "not measurable: no budget bound"
		}
		add(name, "achieved ÷ allowed request rate on the bottleneck", pacingCell(fr, frOK, medianSide(sc.Firmsync)), pacingCell(br, brOK, medianSide(sc.Baseline)), "≥ 0.9", res)
		f429 := med(sc.Firmsync, func(s Side) float64 { return float64(s.Got429) })
		b429 := med(sc.Baseline, func(s Side) float64 { return float64(s.Got429) })
		fShare := f429 / math.Max(1, med(sc.Firmsync, calls))
		add(name, "429s received", fmt.Sprintf("%s (%s)", count(f429), pct(f429, med(sc.Firmsync, calls))),
			fmt.Sprintf("%s (%s)", count(b429), pct(b429, med(sc.Baseline, calls))), "≤ 1% of requests", verdict(fShare <= 0.01))
		fp := med(sc.Firmsync, func(s Side) float64 { return float64(s.Failed) })
		fw := med(sc.Firmsync, func(s Side) float64 { return float64(s.Retrying) })
		nm := med(sc.Firmsync, func(s Side) float64 { return float64(s.NoMatch) })
		bf := med(sc.Baseline, func(s Side) float64 { return float64(s.Failed) })
		bd := med(sc.Baseline, func(s Side) float64 { return float64(s.Dropped) })
		add(name, "permanent failures", fmt.Sprintf("%s (+%s failed and waiting for a retry; +%s parked: no matching contact, by design)", count(fp), count(fw), count(nm)),
			fmt.Sprintf("%s (+%s dropped silently)", count(bf), count(bd)), "0", verdict(fp == 0))
	}
	if sc := r.Quiet; sc != nil {
		const name = "2. Quiet-day sync"
		f, b := med(sc.Firmsync, calls), med(sc.Baseline, calls)
		add(name, "API calls", fmt.Sprintf("%s (%s of baseline)", count(f), pct(f, b)), count(b), "≤ 5% of baseline's", verdict(b > 0 && f <= 0.05*b))
		add(name, "wall time", secs(med(sc.Firmsync, wall)), secs(med(sc.Baseline, wall)), "", "")
	}
	if sc := r.Busy; sc != nil {
		const name = "3. Busy-day sync (1% changed)"
		f, b := med(sc.Firmsync, calls), med(sc.Baseline, calls)
		add(name, "API calls", fmt.Sprintf("%s (%s of baseline)", count(f), pct(f, b)), count(b), "", "")
		fw, bw := med(sc.Firmsync, wall), med(sc.Baseline, wall)
		add(name, "wall time", fmt.Sprintf("%s (%s of baseline)", secs(fw), pct(fw, bw)), secs(bw), "", "")
	}
	if l := r.Latency; l != nil {
		for _, ev := range l.Events() {
			name := "4. Event → effect: " + ev.Event + " → " + ev.Effect
			base := fmt.Sprintf("median %s, p95 %s (polling every %s; analytic)", secs(ev.BaselineMedianSec), secs(ev.BaselineP95Sec), ev.BaselineEvery)
			if ev.NoWebhook != "" {
				add(name, "latency", ev.NoWebhook, base, "median < 2 s, p95 < 5 s where the system sends webhooks", "no webhook: found by the schedule")
				continue
			}
			ok := ev.TimedOut == 0 && ev.MedianSec < 2 && ev.P95Sec < 5
			f := fmt.Sprintf("median %s, p95 %s (n=%d", secs(ev.MedianSec), secs(ev.P95Sec), len(ev.Samples))
			if ev.TimedOut > 0 {
				f += fmt.Sprintf(", %d timed out at %s", ev.TimedOut, effectTimeout)
			}
			f += ")"
			add(name, "latency", f, base, "median < 2 s, p95 < 5 s", verdict(ok))
		}
	}
	if d := r.Duplicates; d != nil {
		add("Duplicates (scenarios 1–4)", "objects made twice: contacts (same email), matters (same number), call notes (same meeting), Box folders (same name), Box files (same name in one folder)",
			d.Firmsync.String(), d.Baseline.String(), "0", verdict(d.Firmsync.Total() == 0))
	}
	if m := r.Move; m != nil {
		from := m.From
		if from == "" {
			from = "Clio"
		}
		add("5. Memory and CPU", fmt.Sprintf("peak RSS growth moving a %s document %s → Box", size(m.Bytes), from),
			fmt.Sprintf("%.1f MiB (%.1f → %.1f MiB; %.0f MiB/s)", m.GrowthMiB, m.RSSBeforeMiB, m.RSSPeakMiB, m.MiBPerSec), "—", "< 64 MiB", verdict(m.Moved && m.GrowthMiB < 64))
	}
	if sc := r.Idle; sc != nil && sc.Serve != nil {
		i := sc.Serve
		add("5. Memory and CPU", fmt.Sprintf("`firmsync serve` idle %s (4 platforms connected, firm in sync): RSS", secs(i.Seconds)), mib(i), "—", "< 40 MiB", verdict(i.RSSMaxMiB < 40))
		add("5. Memory and CPU", fmt.Sprintf("`firmsync serve` idle %s: CPU", secs(i.Seconds)), fmt.Sprintf("%.2f%% of a core", i.CPUPercent), "—", "< 1%", verdict(i.CPUPercent < 1))
		if d := sc.Desktop; d != nil {
			add("5. Memory and CPU", fmt.Sprintf("desktop app hidden in the tray, idle %s: RSS (reported; no goal)", secs(d.Seconds)), mib(d), "—", "", "")
			add("5. Memory and CPU", fmt.Sprintf("desktop app hidden in the tray, idle %s: CPU", secs(d.Seconds)), fmt.Sprintf("%.2f%% of a core", d.CPUPercent), "—", "< 1%", verdict(d.CPUPercent < 1))
		} else {
			add("5. Memory and CPU", "desktop app hidden in the tray, idle: RSS and CPU", sc.DesktopHow, "—", "< 1% CPU", "not measurable here")
		}
	}
	if c := r.CLI; c != nil {
		add("5. Memory and CPU", fmt.Sprintf("`firmsync status` with %s log records", count(float64(c.Records))), fmt.Sprintf("%.0f ms (median of %d)", c.StatusMed, len(c.StatusMS)), "—", "< 200 ms", verdict(c.StatusMed < 200))
		add("5. Memory and CPU", fmt.Sprintf("`firmsync log --limit 100` with %s log records", count(float64(c.Records))), fmt.Sprintf("%.0f ms (median of %d)", c.LogMed, len(c.LogMS)), "—", "< 200 ms", verdict(c.LogMed < 200))
	}
	r.notes(bud)
}

// mib describes an idle process's memory.
func mib(i *IdleResult) string {
	return fmt.Sprintf("%.1f MiB max (%.1f anonymous + %.1f file-backed)", i.RSSMaxMiB, i.AnonMiB, i.FileMiB)
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (r *Report) notes(bud Budgets) {
	n := func(format string, a ...any) { r.Notes = append(r.Notes, fmt.Sprintf(format, a...)) }
	n("Medians over %d runs per timed scenario. Firmsync runs as a child process (core.Open with ExternalSandbox, then App.Sync one job at a time); the baseline is the seed's design re-implemented in the bench with the same API clients (same pacing, retries and page sizes) on a second sandbox seeded identically, with the same limits. API calls are what the sandbox received (file transfers and OAuth included).", r.Repeat)
	sys := r.PMS
	if sys == "" {
		sys = sandbox.Clio
	}
	if bud.Window > 0 && sys == sandbox.Clio {
		n("Rate-limit windows are scaled to %s (sandbox RateWindow) for speed. Clio's client follows it from the X-RateLimit-Reset header; Zoom, Box and Lawmatics send no reset time, so their clients scale their own budget clocks by the window the sandbox announces (core does so since d2f0b78; the baseline builds its clients the same way). Budgets: Clio %s per token, Zoom %s, Box %s, Lawmatics %s.",
			bud.Window, bud.describe(sandbox.Clio), bud.describe(sandbox.Zoom), bud.describe(sandbox.Box), bud.describe(sandbox.Lawmatics))
		w := bud.Window.Seconds()
		best := w / math.Ceil(w+0.005)
		at := fmt.Sprintf("At %s a window opened just after a whole second ends %s before the next whole second, so a Clio-bound run can reach about %.2f; a window opened at another moment (the job was busy with another platform) can still lose the rest of a second once.",
			bud.Window, secs(math.Ceil(w+0.005)-w), best)
		if math.Ceil(w+0.005)-w > 0.995 || best < 0.9 {
			at = fmt.Sprintf("At %s that rounding alone caps a Clio-bound run at about %.2f.", bud.Window, best)
		}
		n("Clio's X-RateLimit-Reset is whole Unix seconds. A client that waits for it opens its next window just after a whole second, and a window that ends after the following whole second costs the rest of that second: windows of whole seconds lose up to a second each (2 s: at most 0.67 of the allowed rate), which the real 60 s window makes negligible (1/61). %s --rate-window 15s or more measures within 1/16 whatever the alignment, at the cost of a much longer run.", at)
	} else if bud.Window > 0 {
		n("Rate-limit windows are scaled to %s (sandbox RateWindow) for speed; one-second windows (Zoom, MyCase, Smokeball) by the same factor. %s, Zoom, Box and Lawmatics send no reset time, so their clients scale their own budget clocks by the window the sandbox announces (core/platforms.go; the baseline builds its clients the same way). Budgets: %s %s, Zoom %s, Box %s, Lawmatics %s.",
			bud.Window, pms.Name(sys), pms.Name(sys), bud.describe(sys), bud.describe(sandbox.Zoom), bud.describe(sandbox.Box), bud.describe(sandbox.Lawmatics))
	}
	if sys == sandbox.Smokeball {
		n("Smokeball's client (Firmsync's and so the baseline's) paces itself to 5 requests per window across all endpoints (core/platforms.go), while Smokeball allows 5 per window per endpoint: the achieved ÷ allowed ratio measures the client's pacing against the platform's allowance, so a ratio far under 1 on a Smokeball-bound job is that choice of pacer. Smokeball writes answer 202 and apply later; the seam waits for them (polling reads, counted as calls).")
	}
	models := "Clio and Zoom are modelled as fixed windows, Box and Lawmatics as rolling ones, as their clients keep them."
	switch sys {
	case sandbox.MyCase:
		models = "MyCase and Zoom are modelled as fixed windows (MyCase's from its first request, as the fake keeps it), Box and Lawmatics as rolling ones, as their clients keep them."
	case sandbox.Smokeball:
		models = "Smokeball as a token bucket per endpoint (5 a window, burst 5, as the fake keeps it), Zoom as fixed windows, Box and Lawmatics as rolling ones, as their clients keep them."
	}
	n("Achieved ÷ allowed: the least time the budgets allow for the requests the run made (each platform's requests admitted as early as its budget allows, job after job in the run's order, budgets carried over between jobs, no time for anything else) divided by the time the run took. The bottleneck is the platform that schedule waits for last in each job. %s", models)
	if sys != sandbox.Clio {
		n("Baseline on %s: the seed's strategy (written for Clio) run against %s through the practice-management seam (core/pms), with the clients and pacers Firmsync uses: every contact listed every run and written to Zoom; one contact search per meeting participant; all matters listed, the Box matters folder listed per matter to find its folder by name; each matter's documents listed and re-uploaded by name (%s); hired prospects each searched by email and phone. Its request counts are what %s's API needs for that strategy.",
			pms.Name(sys), pms.Name(sys), map[string]string{sandbox.MyCase: "the folder id read from the case's custom field, as on Clio",
				sandbox.Smokeball: "Smokeball has no matter fields, so the documents job, too, lists the Box matters folder per matter to find the folder; Smokeball lists files per matter only"}[sys], pms.Name(sys))
	}
	if sc := r.Initial; sc != nil {
		s := medianSide(sc.Firmsync)
		var parts []string
		for _, jp := range s.JobPace {
			if jp.Bound() {
				parts = append(parts, fmt.Sprintf("%s %.2f (waits last for %s, %d requests under %s: at least %s; took %s)", jp.Job, jp.Ratio, jp.Platform, jp.Requests, jp.Budget, secs(jp.NeedSec), secs(jp.WallSec)))
			} else {
				parts = append(parts, fmt.Sprintf("%s not rate-bound (took %s)", jp.Job, secs(jp.WallSec)))
			}
		}
		n("Initial sync, Firmsync per job (median run): %s.", strings.Join(parts, "; "))
		n("Initial sync, Firmsync jobs: %s.", strings.Join(s.Jobs, "; "))
		b := medianSide(sc.Baseline)
		n("Initial sync, baseline jobs: %s.", strings.Join(b.Jobs, "; "))
		if len(s.Samples) > 0 {
			n("Firmsync failure samples: %s.", strings.Join(s.Samples, " | "))
		}
		if len(b.Samples) > 0 {
			n("Baseline failure samples: %s.", strings.Join(b.Samples, " | "))
		}
		n("Permanent failures count items parked as needs attention for any reason but a missing match. The demo firm has meetings with callers nobody knows (1 in 4) on purpose: Firmsync parks them with a Retry action; the baseline drops them (and contacts without a usable phone) silently.")
	}
	if sc := r.Quiet; sc != nil {
		s := medianSide(sc.Firmsync)
		n("Quiet day, Firmsync jobs: %s.", strings.Join(s.Jobs, "; "))
		page := map[string]int{sandbox.Clio: 200, sandbox.MyCase: mycase.MaxPageSize, sandbox.Smokeball: smokeball.MaxPageSize}[sys]
		n("The quiet day runs right after the initial sync, within 24 h, so two things differ from a real next day. Firmsync's once-a-day check for contacts deleted in %s (a full contact listing, about %d requests at this size, plus a Zoom listing) is not in it. And Firmsync's watermarks trail each run's start by a few minutes (5 for folders and documents, 1 for contacts), so this soon it lists again everything the initial sync saw change (already linked: listing calls only), which a day later it would not.",
			pms.Name(sys), (r.Size.Contacts+page-1)/page)
	}
	if sc := r.Busy; sc != nil && len(sc.Busy) > 0 {
		b := sc.Busy[0]
		n("Busy day: %d contacts' phones edited, %d new matters, %d new documents, %d meetings ended, %d prospects hired, on both sandboxes, before each run.",
			b.ContactsEdited, b.NewMatters, b.NewDocuments, b.NewMeetings, b.NewHires)
		s := medianSide(sc.Firmsync)
		n("Busy day, Firmsync jobs: %s.", strings.Join(s.Jobs, "; "))
		bs := medianSide(sc.Baseline)
		n("Busy day, baseline jobs: %s.", strings.Join(bs.Jobs, "; "))
	}
	if r.Latency != nil {
		n("Latency: an always-on App (App.Run) on Firmsync's synced data and sandbox; one event at a time, the fakes' state polled every 10 ms, timed from the admin call to the effect. The baseline's delay is analytic: an event waits for the next scheduled run, uniformly over the interval (median = half of it, p95 = 95%% of it).")
		switch sys {
		case sandbox.MyCase:
			n("MyCase sends webhooks for cases and clients only, none for documents or notes: a new document reaches Box at the documents job's next scheduled run (daily 06:00 by default), so no latency is claimed for it. The new case and new client rows go through MyCase's webhooks; the call note through Zoom's.")
		case sandbox.Smokeball:
			n("Smokeball sends webhooks for contacts, matters and files (files.updated); the call note comes through Zoom's webhook and is written to the contact's notes (Smokeball applies the write after answering 202; the effect is timed until the note is there).")
		}
	}
	if d := r.Duplicates; d != nil {
		n("Duplicates: counted on each side's sandbox after the scenarios above, from the fakes' state: contacts sharing an email, matters sharing a number, call notes naming the same Zoom meeting, folders in the Box matters folder and files in one Box folder whose names differ only by a \" (n)\" suffix.")
	}
	if m := r.Move; m != nil {
		n("Large document: %s; %s. Growth = peak resident memory during the documents job minus resident memory just before it (%s). The child's peak over its whole life (rusage) was %.1f MiB; Box received it in %d requests.",
			size(m.Bytes), m.Source, m.PeakHow, m.ProcMaxMiB, m.BoxRequests)
	}
	if sc := r.Idle; sc != nil && sc.Serve != nil {
		i := sc.Serve
		n("Idle: the real binary on Firmsync's data directory after the scenarios above (the firm in sync), wired to the bench's sandbox in the bench process (`%s`, the sandbox's admin URL): schedules on, webhook receiver listening, webhooks registered. Measured once it settled (%s after start: every job had run and had a next run, and for 2 s in a row it used under 2%% of a core and sent no request); RSS sampled every 250 ms (RssAnon and RssFile from /proc/PID/status), CPU from /proc/PID/stat. File-backed pages are mostly the binary's own code mapped from disk (the binary is %.0f MiB: the Fyne GUI is linked in); anonymous memory is what the process allocated.",
			i.Command, secs(i.SettleSec), i.BinaryMiB)
		if d := sc.Desktop; d != nil {
			n("Desktop app: `%s` on %s; settled %s after start. While hidden, Fyne's main loop is slowed from 60 to 5 turns a second (ui/idle.go).", d.Command, sc.DesktopHow, secs(d.SettleSec))
		}
		for _, c := range []struct {
			what string
			r    *IdleResult
		}{{"the self-contained demo `firmsync serve --sandbox` (the fake platforms live in the same process)", sc.Demo},
			{"`firmsync serve` with nothing connected", sc.Plain}} {
			if p := c.r; p != nil {
				n("For comparison, %s, idle %s: %s, %.2f%% of a core.", c.what, secs(p.Seconds), mib(p), p.CPUPercent)
			}
		}
	}
	if c := r.CLI; c != nil {
		n("CLI latency: the real binary, process start to exit, on a data directory with %s log records written with core/store (no instance running, so it opens the database itself). Status: %s ms; log: %s ms.",
			count(float64(c.Records)), floats(c.StatusMS), floats(c.LogMS))
	}
	for _, e := range r.Errors {
		n("Error: %s", e)
	}
}

func floats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, ", ")
}

// markdown writes the report for the README.
func (r *Report) markdown(w io.Writer) {
	fmt.Fprintf(w, "```\n%s\n```\n\n", r.Command)
	fmt.Fprintf(w, "Machine: %s, %d cores, %s, %s", r.Machine.CPU, r.Machine.Cores, r.Machine.OS, r.Machine.Go)
	if r.Machine.MemMB > 0 {
		fmt.Fprintf(w, ", %d MiB RAM", r.Machine.MemMB)
	}
	in := ""
	if r.PMS != "" && r.PMS != sandbox.Clio {
		in = " in " + pms.Name(r.PMS)
	}
	fmt.Fprintf(w, ". Firm%s: %d contacts, %d matters, %d recordings, %d documents, %d prospects (scale %g). Rate window %s. Took %s.\n\n",
		in, r.Size.Contacts, r.Size.Matters, r.Size.Recordings, r.Size.Documents, r.Size.Prospects, r.Scale, r.RateWindow, secs(r.TookSec))
	fmt.Fprintln(w, "| Scenario | Metric | Firmsync | Baseline | Goal | Result |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", cell(row.Scenario), cell(row.Metric), cell(row.Firmsync), cell(row.Baseline), cell(row.Goal), cell(row.Result))
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "\nSkipped: %s.\n", strings.Join(r.Skipped, ", "))
	}
	fmt.Fprintln(w)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}

func cell(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// writeJSON writes the report as indented JSON.
func (r *Report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// pacingMedian is the median whole-run pacing ratio over the runs in which
// some budget bound.
func pacingMedian(sides []Side) (float64, bool) {
	var xs []float64
	for _, s := range sides {
		if s.Pacing.Bound() && s.Pacing.WallSec > 0 {
			xs = append(xs, s.Pacing.Ratio)
		}
	}
	return median(xs), len(xs) > 0
}

func pacingCell(ratio float64, ok bool, s Side) string {
	if !ok {
		return "— (every platform's requests fit in one burst of its budget)"
	}
	return fmt.Sprintf("%.3f (%s of %s; bound by %s)", ratio, secs(s.Pacing.NeedSec), secs(s.Pacing.WallSec), s.Pacing.Platform)
}
