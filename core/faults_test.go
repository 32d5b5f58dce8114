package core_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// faultEnv is one fault-matrix cell's world: a sandbox App on the demo
// firm, the in-memory keychain it uses, and a clock the cell can move.
type faultEnv struct {
	t     *testing.T
	ctx   context.Context
	app   *core.App
	sb    *sandbox.Sandbox
	sec   *secrets.Memory
	shift atomic.Int64 // how far the App's clock is ahead of the wall clock

	extraNotes int      // meetings the cell added (each needs one note)
	extraHired []string // case numbers of prospects the cell hired
	work       int      // how many times addWork ran
}

func openFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	e := &faultEnv{t: t, ctx: context.Background(), sec: secrets.NewMemory()}
	app, err := core.Open(e.ctx, core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: e.sec,
		Now:            func() time.Time { return time.Now().Add(time.Duration(e.shift.Load())) },
		SandboxOptions: sandbox.Options{RateLimits: fastLimits()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	e.app, e.sb = app, app.SandboxInstance()
	return e
}

func (e *faultEnv) sync() core.SyncResult {
	e.t.Helper()
	return e.app.Sync(e.ctx, nil, false)
}

func (e *faultEnv) fault(f sandbox.Fault) {
	e.t.Helper()
	if err := sandbox.Admin(e.ctx, e.sb.AdminURL(), http.MethodPost, "/faults", f, nil); err != nil {
		e.t.Fatal(err)
	}
}

func (e *faultEnv) clearFaults() {
	e.t.Helper()
	if err := sandbox.Admin(e.ctx, e.sb.AdminURL(), http.MethodDelete, "/faults", nil, nil); err != nil {
		e.t.Fatal(err)
	}
}

func (e *faultEnv) tokens(action, platform string) {
	e.t.Helper()
	if err := sandbox.Admin(e.ctx, e.sb.AdminURL(), http.MethodPost, "/tokens/"+action, map[string]string{"platform": platform}, nil); err != nil {
		e.t.Fatal(err)
	}
}

func (e *faultEnv) faulted(p string) int { return e.sb.StatsSnapshot().Platforms[p].Faulted }

// lastLogID is the newest log record's id (0 for none).
func (e *faultEnv) lastLogID() uint64 {
	recs, err := e.app.Store().QueryLog(store.LogQuery{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(recs) == 0 {
		return 0
	}
	return recs[0].ID
}

// logAfter returns the log records written after id, oldest first.
func (e *faultEnv) logAfter(id uint64) []store.LogRecord {
	recs, err := e.app.Store().QueryLog(store.LogQuery{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.LogRecord
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].ID > id {
			out = append(out, recs[i])
		}
	}
	return out
}

func describe(res core.SyncResult) string {
	var b strings.Builder
	for _, j := range res.Jobs {
		fmt.Fprintf(&b, "\n  %-10s %-9s c=%d u=%d s=%d d=%d f=%d calls=%d %dms %s", j.Job, j.Status, j.Created, j.Updated, j.Skipped, j.Deleted, j.Failed, j.APICalls, j.DurationMS, j.Error)
	}
	return b.String()
}

func describeLog(recs []store.LogRecord) string {
	var b strings.Builder
	for _, r := range recs {
		if r.Status == store.LogSuccess || r.Status == store.LogSkipped {
			continue
		}
		fmt.Fprintf(&b, "\n  %s %s %s [%s] %s | %s | %s", r.Job, r.Platform, r.Action, r.Status, r.ItemKey, r.Message, r.Error)
	}
	return b.String()
}

// ---------------------------------------------------------------- helpers

// connectAll connects every platform up front, so a fault never lands on
// the sandbox's automatic sign-in instead of on the sync it is aimed at.
func (e *faultEnv) connectAll() {
	e.t.Helper()
	for _, p := range core.Platforms() {
		if _, err := e.app.Connect(e.ctx, p, core.ConnectOptions{}); err != nil {
			e.t.Fatalf("connect %s: %v", p, err)
		}
	}
}

func (e *faultEnv) connStatus(p string) core.ConnectionStatus {
	e.t.Helper()
	st, err := e.app.Status(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range st.Connections {
		if c.Platform == p {
			return c
		}
	}
	e.t.Fatalf("no status for %s", p)
	return core.ConnectionStatus{}
}

// allConnected asserts no platform lost its connection.
func (e *faultEnv) allConnected() {
	e.t.Helper()
	for _, p := range core.Platforms() {
		if c := e.connStatus(p); c.Status != store.ConnConnected {
			e.t.Errorf("%s connection is %q (%s), want connected", p, c.Status, c.LastError)
		}
	}
}

func (e *faultEnv) endpointCount(p, ep string) int {
	return e.sb.StatsSnapshot().Platforms[p].Endpoints[ep]
}

func (e *faultEnv) openIntents() []store.LedgerEntry {
	e.t.Helper()
	var out []store.LedgerEntry
	for _, j := range core.Jobs() {
		es, err := e.app.Store().LedgerEntries(j, store.LedgerIntent)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, es...)
	}
	return out
}

func jobResult(res core.SyncResult, job string) core.JobResult {
	for _, j := range res.Jobs {
		if j.Job == job {
			return j
		}
	}
	return core.JobResult{Job: job}
}

// isBaselineTrouble reports whether a log record is one of the demo firm's
// own needs-attention items: the walk-in callers' meetings nobody in Clio
// matches. Every fault-free sync of the demo firm parks those.
func isBaselineTrouble(r store.LogRecord) bool {
	return r.Job == core.JobRecordings && r.Status == store.LogNeedsAttention && strings.Contains(r.Error, "no match")
}

// trouble returns the log records that are neither success nor skip nor
// the demo firm's own needs-attention items.
func trouble(recs []store.LogRecord) []store.LogRecord {
	var out []store.LogRecord
	for _, r := range recs {
		if r.Status == store.LogSuccess || r.Status == store.LogSkipped || isBaselineTrouble(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// baselineFailed is how many items a fault-free first sync of the demo firm
// fails: the two walk-in callers' meetings (parked: no contact matches).
const baselineFailed = 2

// clean asserts a sync went exactly as a fault-free one: no job error, no
// failure beyond the demo firm's own, no trouble in the log.
func (e *faultEnv) clean(what string, res core.SyncResult, since uint64, wantFailed int) {
	e.t.Helper()
	for _, j := range res.Jobs {
		if j.Error != "" {
			e.t.Errorf("%s: job %s failed: %s", what, j.Job, j.Error)
		}
	}
	if res.Failed != wantFailed {
		e.t.Errorf("%s: %d failures, want %d:%s", what, res.Failed, wantFailed, describe(res))
	}
	if tr := trouble(e.logAfter(since)); len(tr) > 0 {
		e.t.Errorf("%s: unexpected trouble in the log:%s", what, describeLog(tr))
	}
}

// failedWillRetry asserts the items that failed in a run are exactly n
// failed-will-retry records of job on platform, each naming cause, and
// that nothing was parked as needs attention because of the fault.
func (e *faultEnv) failedWillRetry(since uint64, job, platform string, n int, cause ...string) {
	e.t.Helper()
	tr := trouble(e.logAfter(since))
	got := 0
	for _, r := range tr {
		ok := r.Job == job && (platform == "" || r.Platform == platform) && r.Status == store.LogFailed &&
			strings.Contains(r.Message, "will retry") && r.ItemKey != ""
		for _, c := range cause {
			ok = ok && strings.Contains(r.Error, c)
		}
		if !ok {
			e.t.Errorf("unexpected log record (want %s/%s failed-will-retry naming %q): %s", job, platform, cause, describeLog([]store.LogRecord{r}))
			continue
		}
		got++
	}
	if got != n {
		e.t.Errorf("%d %s items failed-will-retry, want %d:%s", got, job, n, describeLog(tr))
	}
}

// recover clears the faults, runs a sync, retries every failed or parked
// item (as a person pressing Retry), syncs again for the follow-ups, and
// checks that one more sync then has nothing left to do.
func (e *faultEnv) recover() {
	e.t.Helper()
	e.clearFaults()
	e.sync()
	if _, err := e.app.Retry(e.ctx, "", nil); err != nil {
		e.t.Fatalf("retry: %v", err)
	}
	e.sync()
	since := e.lastLogID()
	res := e.sync()
	for _, j := range res.Jobs {
		if j.Error != "" || j.Failed != 0 || j.Created != 0 || j.Updated != 0 || j.Deleted != 0 {
			e.t.Errorf("a sync after recovery still had work or trouble:%s%s", describe(res), describeLog(e.logAfter(since)))
			break
		}
	}
	e.allConnected()
	if in := e.openIntents(); len(in) > 0 {
		e.t.Errorf("open intents after recovery: %+v", in)
	}
	e.nothingLost()
}

// ---------------------------------------------------------------- nothing lost

// demoHired are the case numbers of the demo firm's hired prospects (the
// seed hires the first max(2, prospects/3) of them, numbered LM-1000 up).
var demoHired = []string{"LM-1000", "LM-1001"}

// demoNotes is how many call notes the demo firm's meetings make: eight
// recordings, less the two walk-in callers (no contact) and the one whose
// transcript is still processing.
const demoNotes = 5

// nothingLost checks the fakes: every expected object exactly once.
func (e *faultEnv) nothingLost() {
	e.t.Helper()
	t, sb := e.t, e.sb
	// Zoom external contacts: exactly one per usable Clio contact, no
	// other, none twice.
	want := map[string]bool{}
	emails := map[string]int{}
	for id := int64(1); id < 2000; id++ {
		c, ok := sb.Clio().Contact(id)
		if !ok {
			continue
		}
		for _, a := range c.EmailAddresses {
			if emails[strings.ToLower(a.Address)]++; emails[strings.ToLower(a.Address)] == 2 {
				t.Errorf("two Clio contacts have the email %s", a.Address)
			}
		}
		raw := ""
		if c.PrimaryPhoneNumber != nil {
			raw = *c.PrimaryPhoneNumber
		}
		if strings.TrimSpace(raw) == "" {
			for _, p := range c.PhoneNumbers {
				if raw == "" || p.Primary {
					raw = p.Number
				}
			}
		}
		if _, err := jobs.NormalizePhone(raw, "US"); err == nil {
			want[fmt.Sprintf("clio-%d", id)] = true
		}
	}
	have := map[string]int{}
	for _, c := range sb.Zoom().ExternalContacts() {
		have[c.ID]++
	}
	for id := range want {
		if have[id] != 1 {
			t.Errorf("Zoom holds contact %s %d times, want 1", id, have[id])
		}
	}
	for id, n := range have {
		if !want[id] && !strings.HasPrefix(id, sandbox.SeedPhoneContactPrefix) { // the demo firm's own directory
			t.Errorf("Zoom holds contact %s (%d times) that no usable Clio contact explains", id, n)
		}
	}
	if len(want) < 20 {
		t.Errorf("only %d usable Clio contacts: the demo firm changed?", len(want))
	}

	// Box: one folder per open or pending matter, named by its display
	// number, holding its id in the matter's custom field; nothing else.
	_, items, err := sb.Box().Folder(sb.BoxRoot())
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string]string{} // id → name
	for _, it := range items {
		if it.Type == "folder" {
			folders[it.ID] = it.Name
		}
	}
	numbers := map[string]int{}
	open := 0
	for id := int64(1); id < 2000; id++ {
		m, ok := sb.Clio().Matter(id)
		if !ok {
			continue
		}
		if strings.HasPrefix(m.CustomNumber, "LM-") {
			numbers[m.CustomNumber]++
		}
		if !strings.EqualFold(m.Status, "open") && !strings.EqualFold(m.Status, "pending") {
			continue
		}
		open++
		n := 0
		for _, name := range folders {
			if strings.HasPrefix(name, m.DisplayNumber+" ") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("matter %s has %d Box folders, want 1", m.DisplayNumber, n)
		}
		fid := ""
		for _, v := range m.CustomFieldValues {
			if v.CustomField != nil && v.FieldName == "Box Folder ID" {
				fid = strings.Trim(toString(v.Value), `"`)
			}
		}
		if name, ok := folders[fid]; !ok || !strings.HasPrefix(name, m.DisplayNumber+" ") {
			t.Errorf("matter %s's Box Folder ID %q is not its live folder", m.DisplayNumber, fid)
		}
	}
	if len(folders) != open {
		t.Errorf("%d matter folders in Box for %d open or pending matters", len(folders), open)
	}

	// Documents: every file once (Box refuses a second of the same name in
	// a folder, so count them against a fault-free run's).
	files := 0
	for id := range folders {
		_, sub, err := sb.Box().Folder(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sub {
			if s.Type == "file" {
				files++
			}
		}
	}
	if files != demoFiles {
		t.Errorf("%d documents in the matter folders, want %d", files, demoFiles)
	}

	// Clio notes: one per meeting marker.
	markers := noteMarkers(sb)
	for id, n := range markers {
		if n != 1 {
			t.Errorf("meeting %s has %d notes, want 1", id, n)
		}
	}
	if len(markers) != demoNotes+e.extraNotes {
		t.Errorf("%d meetings have notes, want %d", len(markers), demoNotes+e.extraNotes)
	}

	// Intake: one Clio matter per hired prospect's case number.
	for _, n := range append(demoHired, e.extraHired...) {
		if numbers[n] != 1 {
			t.Errorf("intake matter %s exists %d times, want 1", n, numbers[n])
		}
		delete(numbers, n)
	}
	for n, c := range numbers {
		t.Errorf("intake matter %s (%d times) was never hired", n, c)
	}
}

// demoFiles is how many documents the demo firm's open and pending matters
// hold (the closed matter's stay out of Box).
const demoFiles = 18

// addWork is what people do between syncs: a new client with a phone, a
// call with them that Zoom recorded, and a prospect hired in Lawmatics.
func (e *faultEnv) addWork() (contactID int64, meetingUUID string) {
	e.t.Helper()
	i := e.work
	e.work++
	email := fmt.Sprintf("fault.client%d@example.com", i)
	c, err := e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: "Fault", LastName: fmt.Sprintf("Client%d", i), Email: email,
		Phone: fmt.Sprintf("(415) 555-%04d", 7000+i)})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := e.sb.Zoom().EndMeeting(zoomfake.MeetingInput{Topic: fmt.Sprintf("Fault call %d", i), HostEmail: "owner@sandbox.zoom.test",
		Participants: []string{email}, Duration: 10, Start: time.Now().Add(-30 * time.Minute),
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Fault Client", Text: "Hello."}}, Summary: &zoomfake.Summary{Overview: "Hello."}})
	if err != nil {
		e.t.Fatal(err)
	}
	number := fmt.Sprintf("LM-F%03d", i)
	p, err := e.sb.Lawmatics().CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Intake", LastName: fmt.Sprintf("Fault%d", i),
		Email: fmt.Sprintf("fault.intake%d@example.com", i), CaseTitle: fmt.Sprintf("Fault intake %d", i), CaseNumber: number, CaseType: "divorce_standard"})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.sb.Lawmatics().Hire(p.ID); err != nil {
		e.t.Fatal(err)
	}
	e.extraNotes++
	e.extraHired = append(e.extraHired, number)
	return c.ID, m.UUID
}

// hasNote reports whether Clio holds a note for the meeting.
func (e *faultEnv) hasNote(uuid string) bool {
	for _, n := range e.sb.Clio().Notes() {
		if strings.Contains(n.Detail, jobs.CallNoteMarker(uuid)) {
			return true
		}
	}
	return false
}

func (e *faultEnv) hasIntakeMatter(number string) bool {
	for id := int64(1); id < 2000; id++ {
		if m, ok := e.sb.Clio().Matter(id); ok && m.CustomNumber == number {
			return true
		}
	}
	return false
}

func (e *faultEnv) hasZoomContact(id string) bool { return e.zoomPathID(id) != "" }

// zoomPathID is the external_contact_id of the Zoom contact whose id field
// is ours ("" when there is none).
func (e *faultEnv) zoomPathID(id string) string {
	for _, c := range e.sb.Zoom().ExternalContacts() {
		if c.ID == id {
			return c.ExternalContactID
		}
	}
	return ""
}

// ---------------------------------------------------------------- the matrix

// faultCell is one platform × fault.
type faultCell struct {
	platform, fault string
	skip            string // why the cell does not apply
	run             func(e *faultEnv)
}

// TestFaultMatrix injects each fault on each platform through the
// sandbox's admin API and asserts its designed outcome (DESIGN.md, "Errors
// and what the user is told"): the run's and the items' status and
// message, the connection's status, and that after the fault is gone,
// a sync and Retry leave every expected object in the fakes exactly once.
func TestFaultMatrix(t *testing.T) {
	var cells []faultCell
	for _, p := range core.Platforms() {
		cells = append(cells, transportCells(p)...)
		cells = append(cells, tokenCells(p)...)
		cells = append(cells, targetDeletedCell(p), validationCell(p))
	}
	for _, c := range cells {
		t.Run(c.platform+"/"+c.fault, func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			t.Parallel()
			start := time.Now()
			e := openFaultEnv(t)
			c.run(e)
			t.Logf("%s/%s took %v", c.platform, c.fault, time.Since(start).Round(time.Millisecond))
		})
	}
}

// outcome is what a transport fault should come to.
type outcome struct {
	// absorbed: the client rode it out (Retry-After, or backoff for an
	// idempotent request), so the run is exactly a fault-free one.
	absorbed bool
	// Otherwise n items of job failed and will be retried (never parked:
	// the fault is transient), each error naming cause...
	job   string
	n     int
	cause []string
	// ...or, for a listing the run cannot do without, the job's run
	// failed naming runCause (its watermark stays, so the next run
	// relists).
	runCause string
}

// transportTarget names the requests of the first sync a fault aims at.
type transportTarget struct {
	prefix string // "METHOD /path" aims at that method only
	want   outcome
}

// transportCells are the HTTP-level faults: 429 storm, 500 and 503 bursts,
// dropped connections, slow responses and a sync cut short by a deadline.
// Each is aimed (path_prefix) at a request the demo firm's first sync
// makes, so where it lands and what it must come to are known:
//   - an idempotent read (GET) is retried by httpx and the run is clean;
//   - a create (POST) is never replayed after a 5xx or a broken connection
//     (its effect is unknown), so the item fails and will retry; Zoom's
//     external-contact create carries our own id and is marked replay-safe;
//   - a 429 is retried even for a create (refused before any effect), up
//     to 3 times after Retry-After; a storm of 5 outlasts one request's
//     retries, and the 5th is absorbed by the next request.
func transportCells(p string) []faultCell {
	// Requests of the first sync per platform. Lawmatics is only read
	// (contacts and notes go to Clio with the default settings), so its
	// faults all land on idempotent GETs.
	var storm, burst500, burst503, drop transportTarget
	var read string
	switch p {
	case core.Clio:
		read = "/api/v4/contacts.json" // intake's client lookups, the contacts listing
		storm = transportTarget{read, outcome{job: core.JobIntake, n: 1, cause: []string{"rate limited"}}}
		// Note creates: a sync first looks for an earlier note (a GET, retried).
		burst500 = transportTarget{"POST /api/v4/notes.json", outcome{job: core.JobRecordings, n: 2, cause: []string{"500"}}}
		burst503 = transportTarget{read, outcome{absorbed: true}}
		drop = transportTarget{"POST /api/v4/notes.json", outcome{job: core.JobRecordings, n: 2, cause: []string{"POST"}}}
	case core.Lawmatics:
		read = "/v1/prospects"
		storm = transportTarget{read, outcome{runCause: "rate limited"}}
		burst500 = transportTarget{read, outcome{absorbed: true}}
		burst503 = transportTarget{"/v1/files", outcome{absorbed: true}}
		drop = transportTarget{read, outcome{absorbed: true}}
	case core.Zoom:
		read = "/v2/past_meetings" // participants of each recorded meeting
		storm = transportTarget{read, outcome{job: core.JobRecordings, n: 1, cause: []string{"rate limited"}}}
		burst500 = transportTarget{"/v2/phone/external_contacts", outcome{absorbed: true}}
		burst503 = transportTarget{read, outcome{absorbed: true}}
		drop = transportTarget{"/v2/phone/external_contacts", outcome{absorbed: true}}
	case core.Box:
		// The first sync only writes to Box: folder creates and uploads.
		read = "/2.0/folders"
		storm = transportTarget{"/2.0/folders", outcome{job: core.JobFolders, n: 1, cause: []string{"rate limited"}}}
		burst500 = transportTarget{"/2.0/folders", outcome{job: core.JobFolders, n: 2, cause: []string{"500"}}}
		burst503 = transportTarget{"/api/2.0/files/content", outcome{job: core.JobDocuments, n: 2, cause: []string{"503"}}}
		drop = transportTarget{"/2.0/folders", outcome{job: core.JobFolders, n: 2, cause: []string{"POST"}}}
	}
	one := func(name string, f sandbox.Fault, tt transportTarget, faults int) faultCell {
		f.Platform, f.PathPrefix = p, tt.prefix
		if m, path, ok := strings.Cut(tt.prefix, " "); ok {
			f.Method, f.PathPrefix = m, path
		}
		return faultCell{platform: p, fault: name, run: func(e *faultEnv) {
			e.connectAll()
			e.fault(f)
			since := e.lastLogID()
			res := e.sync()
			if got := e.faulted(p); got != faults {
				e.t.Errorf("%d requests met the fault, want %d", got, faults)
			}
			e.expect(res, since, tt.want)
			e.allConnected()
			e.recover()
		}}
	}
	return []faultCell{
		one("429-storm", sandbox.Fault{Status: http.StatusTooManyRequests, Count: 5, RetryAfter: 1}, storm, stormMet(storm.want)),
		one("500-burst", sandbox.Fault{Status: http.StatusInternalServerError, Count: 2}, burst500, 2),
		one("503-burst", sandbox.Fault{Status: http.StatusServiceUnavailable, Count: 2, RetryAfter: 1}, burst503, 2),
		one("connection-drop", sandbox.Fault{Drop: true, Count: 2}, drop, 2),
		slowCell(p, read),
		timeoutCell(p, read),
	}
}

// stormMet is how many requests of the first sync meet a storm of 5: all
// of them, unless the one request that failed was the platform's last in
// the sync (a listing that ended its run).
func stormMet(o outcome) int {
	if o.runCause != "" {
		return 4
	}
	return 5
}

// expect asserts a faulted sync's outcome.
func (e *faultEnv) expect(res core.SyncResult, since uint64, o outcome) {
	e.t.Helper()
	switch {
	case o.absorbed:
		e.clean("the faulted sync", res, since, baselineFailed)
	case o.runCause != "":
		failedRuns := 0
		for _, j := range res.Jobs {
			if j.Error == "" {
				continue
			}
			failedRuns++
			if j.Status != "failed" || !strings.Contains(j.Error, o.runCause) {
				e.t.Errorf("job %s: status %q error %q, want failed naming %q", j.Job, j.Status, j.Error, o.runCause)
			}
		}
		if failedRuns != 1 {
			e.t.Errorf("%d runs failed, want 1:%s", failedRuns, describe(res))
		}
		if tr := trouble(e.logAfter(since)); len(tr) > 0 {
			e.t.Errorf("items failed too:%s", describeLog(tr))
		}
	default:
		for _, j := range res.Jobs {
			if j.Error != "" {
				e.t.Errorf("job %s's run failed (%s); the fault should fail items only", j.Job, j.Error)
			}
		}
		if j := jobResult(res, o.job); j.Status != "partial" {
			e.t.Errorf("job %s ended %q, want partial:%s", o.job, j.Status, describe(res))
		}
		e.failedWillRetry(since, o.job, "", o.n, o.cause...)
	}
}

// slowCell: a response that takes 1.2 s (the clients have no overall
// timeout, only a 60 s wait for headers) is simply waited for.
func slowCell(p, prefix string) faultCell {
	return faultCell{platform: p, fault: "slow-response", run: func(e *faultEnv) {
		e.connectAll()
		e.fault(sandbox.Fault{Platform: p, PathPrefix: prefix, DelayMS: 1200})
		since := e.lastLogID()
		start := time.Now()
		res := e.sync()
		if d := time.Since(start); d < 1200*time.Millisecond || e.faulted(p) != 1 {
			e.t.Errorf("the slow response was not met: sync took %v, %d faulted", d, e.faulted(p))
		}
		e.clean("the slow sync", res, since, baselineFailed)
		e.allConnected()
		e.recover()
	}}
}

// timeoutCell: a request that hangs is cut by the caller's deadline on
// Sync. The run ends (failed, naming the deadline); nothing is parked;
// and the very next sync, with the platform answering again, leaves
// nothing lost.
func timeoutCell(p, prefix string) faultCell {
	return faultCell{platform: p, fault: "timeout", run: func(e *faultEnv) {
		e.connectAll()
		e.fault(sandbox.Fault{Platform: p, PathPrefix: prefix, DelayMS: 30_000})
		since := e.lastLogID()
		// The caller gives up once the hanging request is under way (a
		// fixed short deadline could expire first on a busy machine, before
		// the sync even reached it); 60 s is only a ceiling.
		ctx, cancel := context.WithTimeout(e.ctx, 60*time.Second)
		go func() {
			for ctx.Err() == nil && e.faulted(p) < 1 {
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			cancel()
		}()
		res := e.app.Sync(ctx, nil, false)
		cancel()
		if e.faulted(p) != 1 {
			e.t.Errorf("the hanging request was not met")
		}
		cut := false
		for _, j := range res.Jobs {
			if strings.Contains(j.Error, "context canceled") || strings.Contains(j.Error, "deadline exceeded") {
				cut = true
			}
		}
		if !cut {
			e.t.Errorf("no run was cut by the deadline:%s", describe(res))
		}
		// Sync returns at the deadline; let the cut runs wind down. The
		// deadline is the run's end, not the items' fault: none of them is
		// marked failed (that would hold it back for the retry delay and
		// spend one of its attempts) or parked.
		e.app.Engine().Wait()
		if tr := trouble(e.logAfter(since)); len(tr) > 0 {
			e.t.Errorf("the deadline failed items:%s", describeLog(tr))
		}
		e.allConnected()
		e.clearFaults()
		since = e.lastLogID()
		res = e.sync()
		if tr := trouble(e.logAfter(since)); len(tr) > 0 || res.Failed > baselineFailed {
			e.t.Errorf("the sync after the deadline still failed:%s%s", describe(res), describeLog(tr))
		}
		e.nothingLost()
		e.recover()
	}}
}

// ---------------------------------------------------------------- tokens

// jobsUsing lists the jobs that talk to platform p with the default
// settings (contacts come from Clio, notes go to Clio).
func jobsUsing(p string) map[string]bool {
	switch p {
	case core.Clio:
		return map[string]bool{core.JobIntake: true, core.JobContacts: true, core.JobFolders: true, core.JobDocuments: true, core.JobRecordings: true}
	case core.Lawmatics:
		return map[string]bool{core.JobIntake: true}
	case core.Zoom:
		return map[string]bool{core.JobContacts: true, core.JobRecordings: true}
	}
	return map[string]bool{core.JobFolders: true, core.JobDocuments: true}
}

func tokenPath(p string) string {
	if p == core.Box {
		return "POST /oauth2/token"
	}
	return "POST /oauth/token"
}

func (e *faultEnv) expireNow(p string) {
	switch p {
	case core.Clio:
		e.sb.Clio().ExpireTokens()
	case core.Zoom:
		e.sb.Zoom().ExpireTokens()
	case core.Box:
		e.sb.Box().ExpireTokens()
	default:
		e.sb.Lawmatics().ExpireTokens()
	}
}

func tokenCells(p string) []faultCell {
	expired := faultCell{platform: p, fault: "token-expired-mid-run", run: func(e *faultEnv) { tokenExpiredMidRun(e, p) }}
	reused := faultCell{platform: p, fault: "refresh-token-reused", run: func(e *faultEnv) { refreshTokenReused(e, p) }}
	switch p {
	case core.Lawmatics:
		expired.skip = "Lawmatics access tokens never expire (the sandbox's expire is a no-op) and there is no refresh token"
		reused.skip = "Lawmatics has no refresh tokens"
	case core.Clio:
		reused.skip = "Clio keeps its refresh token across refreshes (no rotation), so using it again is legitimate, not a reuse"
	}
	return []faultCell{expired, reused, {platform: p, fault: "token-revoked", run: func(e *faultEnv) { tokenRevoked(e, p) }}}
}

// tokenExpiredMidRun: the platform expires the access token while a sync
// runs; the next request's 401 is answered with one refresh, and the sync
// goes on as if nothing happened.
func tokenExpiredMidRun(e *faultEnv, p string) {
	e.connectAll()
	before, err := e.sec.Get(e.ctx, auth.TokenKey(p))
	if err != nil {
		e.t.Fatal(err)
	}
	refreshes := e.endpointCount(p, tokenPath(p))
	// Expire at the first item of the first job that uses p, so later
	// requests of the same sync meet the 401.
	first := map[string]string{core.Clio: core.JobIntake, core.Zoom: core.JobContacts, core.Box: core.JobFolders}[p]
	sub := e.app.Bus().Subscribe(events.ItemLogged)
	expired := make(chan struct{})
	go func() {
		defer close(expired)
		defer sub.Unsubscribe()
		for ev := range sub.C() {
			if rec, ok := ev.Data.(store.LogRecord); ok && rec.Job == first {
				e.expireNow(p)
				return
			}
		}
	}()
	since := e.lastLogID()
	res := e.sync()
	select {
	case <-expired:
	case <-time.After(5 * time.Second):
		e.t.Fatal("the token was never expired mid-run")
	}
	e.clean("the sync whose token expired", res, since, baselineFailed)
	if n := e.endpointCount(p, tokenPath(p)) - refreshes; n != 1 {
		e.t.Errorf("%d token refreshes during the sync, want 1", n)
	}
	after, _ := e.sec.Get(e.ctx, auth.TokenKey(p))
	if after == before {
		e.t.Error("the refreshed token was not saved to the keychain")
	}
	e.allConnected()
	e.recover()
}

// refreshTokenReused: Zoom and Box rotate refresh tokens. A stale token
// pair written back over the live one (an old backup, a second install) is
// refused at the next refresh: the connection is marked reconnect needed,
// the runs that need the platform fail saying "reconnect", and nothing is
// half-written. Reconnecting brings everything across exactly once.
func refreshTokenReused(e *faultEnv, p string) {
	e.connectAll()
	e.clean("the first sync", e.sync(), 0, baselineFailed)
	key := auth.TokenKey(p)
	old, err := e.sec.Get(e.ctx, key)
	if err != nil {
		e.t.Fatal(err)
	}
	e.expireNow(p)
	if _, err := e.app.TestConnection(e.ctx, p); err != nil {
		e.t.Fatalf("refresh after expiry: %v", err)
	}
	if cur, _ := e.sec.Get(e.ctx, key); cur == old {
		e.t.Fatal("the refresh did not rotate the token")
	}
	// The stale pair comes back, as it would be by now: expired.
	tok, err := secrets.DecodeToken(old)
	if err != nil {
		e.t.Fatal(err)
	}
	tok.Expiry = time.Now().Add(-time.Minute)
	stale, err := secrets.EncodeToken(tok)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.sec.Set(e.ctx, key, stale); err != nil {
		e.t.Fatal(err)
	}
	e.expireNow(p) // the live access token lapses too
	e.reconnectNeeded(p)
}

// tokenRevoked: the user (or an admin) revoked Firmsync's access in the
// platform. The refresh is refused (Lawmatics has none to try): reconnect
// needed, shown in status; the runs that need the platform fail saying
// "reconnect"; nothing is half-written; reconnecting recovers everything.
func tokenRevoked(e *faultEnv, p string) {
	e.connectAll()
	e.clean("the first sync", e.sync(), 0, baselineFailed)
	e.tokens("revoke", p)
	e.reconnectNeeded(p)
}

// reconnectNeeded runs a sync over new work with p's access dead and
// checks the designed outcome, then reconnects and recovers.
func (e *faultEnv) reconnectNeeded(p string) {
	e.t.Helper()
	contactID, uuid := e.addWork()
	number := e.extraHired[len(e.extraHired)-1]
	_, rootItems, _ := e.sb.Box().Folder(e.sb.BoxRoot())
	since := e.lastLogID()
	res := e.sync()
	uses := jobsUsing(p)
	for _, j := range res.Jobs {
		switch {
		case uses[j.Job] && (j.Status != "failed" || !strings.Contains(strings.ToLower(j.Error), "reconnect")):
			e.t.Errorf("job %s needs %s: status %q error %q, want failed saying reconnect", j.Job, p, j.Status, j.Error)
		case !uses[j.Job] && j.Error != "":
			e.t.Errorf("job %s does not need %s but failed: %s", j.Job, p, j.Error)
		}
	}
	c := e.connStatus(p)
	if c.Status != store.ConnReconnectNeeded || !strings.Contains(c.LastError, "Reconnect "+p) {
		e.t.Errorf("%s connection %q (%s), want reconnect_needed saying so", p, c.Status, c.LastError)
	}
	for _, o := range core.Platforms() {
		if c := e.connStatus(o); o != p && c.Status != store.ConnConnected {
			e.t.Errorf("%s connection %q, want connected", o, c.Status)
		}
	}
	// A dead connection is the run's trouble, not the items': nothing is
	// parked or left failed, and nothing is half-written.
	if tr := trouble(e.logAfter(since)); len(tr) > 0 {
		e.t.Errorf("items failed on a dead connection:%s", describeLog(tr))
	}
	// (An intent may stay open for a create the platform refused with the
	// 401: the next run reconciles it before creating anything.)
	if uses[core.JobContacts] && e.hasZoomContact(fmt.Sprintf("clio-%d", contactID)) {
		e.t.Error("the new contact reached Zoom")
	}
	if uses[core.JobRecordings] && e.hasNote(uuid) {
		e.t.Error("the new call's note was posted")
	}
	if uses[core.JobIntake] && e.hasIntakeMatter(number) {
		e.t.Error("the new intake matter was created")
	}
	if _, items, _ := e.sb.Box().Folder(e.sb.BoxRoot()); uses[core.JobFolders] && len(items) != len(rootItems) {
		e.t.Errorf("Box matter folders went from %d to %d", len(rootItems), len(items))
	}
	// The user reconnects.
	if _, err := e.app.Connect(e.ctx, p, core.ConnectOptions{}); err != nil {
		e.t.Fatalf("reconnect %s: %v", p, err)
	}
	e.recover()
}

// ---------------------------------------------------------------- targets

func targetDeletedCell(p string) faultCell {
	c := faultCell{platform: p, fault: "target-deleted"}
	switch p {
	case core.Clio:
		c.run = clioContactDeleted
	case core.Zoom:
		c.run = zoomContactDeleted
	case core.Box:
		c.run = boxFolderTrashed
	default:
		c.skip = "Firmsync writes nothing to Lawmatics with the default settings (contacts and notes go to Clio), so there is no target to delete"
	}
	return c
}

// clioContactDeleted: a contact deleted in Clio between runs is removed
// from Zoom by the next run that checks for deletions (at most daily: the
// App's clock is moved a day on).
func clioContactDeleted(e *faultEnv) {
	e.connectAll()
	e.sync()
	var gone int64
	for id := int64(1); id < 2000 && gone == 0; id++ {
		if !e.hasZoomContact(fmt.Sprintf("clio-%d", id)) {
			continue
		}
		if err := e.sb.Clio().DeleteContact(id); err == nil { // a matter's client cannot be deleted
			gone = id
		}
	}
	if gone == 0 {
		e.t.Fatal("no deletable Clio contact with a Zoom contact")
	}
	e.shift.Store(int64(25 * time.Hour))
	// A day on, the meeting whose transcript Zoom never finished is posted
	// without it (PostWithoutAfter): one more note.
	e.extraNotes++
	since := e.lastLogID()
	res := e.sync()
	e.clean("the sync after the deletion", res, since, 0)
	if j := jobResult(res, core.JobContacts); j.Deleted != 1 {
		e.t.Errorf("contacts deleted %d, want 1:%s", j.Deleted, describe(res))
	}
	found := false
	for _, r := range e.logAfter(since) {
		if r.ItemKey == fmt.Sprintf("clio:%d", gone) && r.Action == "delete contact" && r.Status == store.LogSuccess && strings.Contains(r.Message, "deleted in Clio") {
			found = true
		}
	}
	if !found {
		e.t.Errorf("no log record of the removal:%s", describeLog(e.logAfter(since)))
	}
	if e.hasZoomContact(fmt.Sprintf("clio-%d", gone)) {
		e.t.Error("the deleted contact is still in Zoom")
	}
	e.recover()
}

// zoomContactDeleted: a person deletes a synced contact in Zoom. Firmsync
// notices when the contact next changes in Clio (the update meets Zoom's
// 404, the link is dropped and the contact is created again, once), and
// otherwise at the daily check, which also lists Zoom's contacts.
func zoomContactDeleted(e *faultEnv) {
	e.connectAll()
	e.sync()
	var id int64
	for i := int64(1); i < 2000 && id == 0; i++ {
		if e.hasZoomContact(fmt.Sprintf("clio-%d", i)) {
			id = i
		}
	}
	key := fmt.Sprintf("clio-%d", id)
	zid := e.zoomPathID(key)
	tok := e.sb.Zoom().IssueToken()
	req, _ := http.NewRequestWithContext(e.ctx, http.MethodDelete, e.sb.BaseURL(core.Zoom)+"/v2/phone/external_contacts/"+zid, nil)
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		e.t.Fatalf("deleting Zoom contact %s as a user: %v %v", zid, resp, err)
	}
	resp.Body.Close()
	c, _ := e.sb.Clio().Contact(id)
	if _, err := e.sb.Clio().UpdateContact(id, cliofake.ContactInput{FirstName: c.FirstName, LastName: c.LastName + "-Smythe"}); err != nil {
		e.t.Fatal(err)
	}
	since := e.lastLogID()
	res := e.sync()
	e.clean("the sync after the deletion", res, since, 0)
	found := false
	for _, r := range e.logAfter(since) {
		if r.ItemKey == fmt.Sprintf("clio:%d", id) && r.Action == "create contact" && r.Status == store.LogSuccess {
			found = true
		}
	}
	if !found || !e.hasZoomContact(key) {
		e.t.Errorf("the contact deleted in Zoom was not created again:%s", describeLog(e.logAfter(since)))
	}
	// Without any change in Clio, the daily check notices the deletion too.
	zid = e.zoomPathID(key) // created again: Zoom gave it a new id
	req, _ = http.NewRequestWithContext(e.ctx, http.MethodDelete, e.sb.BaseURL(core.Zoom)+"/v2/phone/external_contacts/"+zid, nil)
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		e.t.Fatalf("deleting Zoom contact %s again: %v %v", zid, resp, err)
	}
	resp.Body.Close()
	// Make the daily check due (without moving the clock, which would also
	// post the demo meeting still waiting for its transcript).
	if err := e.app.Store().SetWatermark("contacts/deletions", time.Now().Add(-25*time.Hour).UTC().Format(time.RFC3339Nano)); err != nil {
		e.t.Fatal(err)
	}
	e.sync()
	if !e.hasZoomContact(key) {
		e.t.Errorf("the daily check did not bring back the contact deleted in Zoom")
	}
	e.recover()
}

// boxFolderTrashed: a person trashes a matter's Box folder. Box's
// FOLDER.TRASHED webhook (dispatched here exactly as the receiver would)
// has the folders job drop the link and make the folder again, relinked
// in the matter's custom field; the next sync uploads the matter's
// documents into it.
func boxFolderTrashed(e *faultEnv) {
	e.connectAll()
	e.sync()
	_, items, _ := e.sb.Box().Folder(e.sb.BoxRoot())
	var old, name string
	for _, it := range items {
		if _, sub, _ := e.sb.Box().Folder(it.ID); len(sub) > len(jobs.DefaultSubfolders()) { // it holds documents
			old, name = it.ID, it.Name
			break
		}
	}
	if old == "" {
		e.t.Fatal("no matter folder with documents")
	}
	if err := e.sb.Box().DeleteItem(old); err != nil {
		e.t.Fatal(err)
	}
	since := e.lastLogID()
	keys := core.Targets(store.WebhookEvent{Platform: core.Box, Type: "FOLDER.TRASHED", Resource: "folder:" + old})
	r := e.app.Engine().Run(e.ctx, core.JobFolders, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: keys[core.JobFolders]}, engine.RunOptions{})
	if r.Err != nil || r.Run.Status != "succeeded" || r.Run.Counts.Created != 1 {
		e.t.Fatalf("the webhook's folders run: %+v %v", r.Run, r.Err)
	}
	found := false
	for _, l := range e.logAfter(since) {
		if l.Action == "recreate folder" && l.Status == store.LogSuccess && strings.Contains(l.Message, "deleted or trashed in Box") && l.ExternalID != old {
			found = true
		}
	}
	if !found {
		e.t.Errorf("no log record of the folder made again:%s", describeLog(e.logAfter(since)))
	}
	_, items, _ = e.sb.Box().Folder(e.sb.BoxRoot())
	again := 0
	for _, it := range items {
		if it.Name == name && it.ID != old {
			again++
		}
	}
	if again != 1 {
		e.t.Errorf("folder %q made %d times", name, again)
	}
	e.sync()
	e.recover()
}

// ---------------------------------------------------------------- 422

// validationCell: the platform refuses a create's data. The item is parked
// as needs attention with the platform's own message (no automatic retry
// can fix data); a sync leaves it parked; Retry after the cause is fixed
// creates it exactly once.
func validationCell(p string) faultCell {
	c := faultCell{platform: p, fault: "422-validation"}
	var f sandbox.Fault
	var job string
	var n int
	switch p {
	case core.Clio:
		f, job, n = sandbox.Fault{PathPrefix: "/api/v4/matters.json", Status: http.StatusUnprocessableEntity, Count: 2}, core.JobIntake, 2
	case core.Zoom:
		f, job, n = sandbox.Fault{PathPrefix: "/v2/phone/external_contacts", Status: http.StatusUnprocessableEntity}, core.JobContacts, 1
	case core.Box:
		// Box says 400 bad_request where others say 422.
		f, job, n = sandbox.Fault{PathPrefix: "/2.0/folders", Status: http.StatusBadRequest}, core.JobFolders, 1
	default:
		c.skip = "Firmsync only reads from Lawmatics with the default settings, and a validation refusal answers a write"
		return c
	}
	f.Platform = p
	c.run = func(e *faultEnv) {
		e.connectAll()
		e.fault(f)
		since := e.lastLogID()
		res := e.sync()
		if j := jobResult(res, job); j.Status != "partial" || j.Error != "" {
			e.t.Errorf("job %s: %q %q, want partial", job, j.Status, j.Error)
		}
		var parked []store.LogRecord
		for _, r := range trouble(e.logAfter(since)) {
			if r.Job == job && r.Status == store.LogNeedsAttention && strings.Contains(r.Error, "injected fault") &&
				strings.Contains(r.Message, "the platform refused the data") {
				parked = append(parked, r)
				continue
			}
			e.t.Errorf("unexpected log record:%s", describeLog([]store.LogRecord{r}))
		}
		if len(parked) != n {
			e.t.Fatalf("%d items parked, want %d", len(parked), n)
		}
		// The cause is fixed; the next sync fails nothing.
		e.clearFaults()
		since = e.lastLogID()
		res = e.sync()
		if res.Failed != 0 || len(trouble(e.logAfter(since))) > 0 {
			e.t.Errorf("the sync after the fix failed:%s%s", describe(res), describeLog(trouble(e.logAfter(since))))
		}
		retried := 1
		switch p {
		case core.Clio:
			// Intake marks a refused create's intent "refused": the parked
			// prospects wait for Retry.
			for _, n := range demoHired {
				if e.hasIntakeMatter(n) {
					e.t.Errorf("intake matter %s made without Retry", n)
				}
			}
		default:
			if j := jobResult(res, job); j.Created != 0 {
				e.t.Errorf("a parked %s item was created without Retry: %+v", job, j)
			}
		}
		// Retry exactly the parked items, by their log ids.
		var ids []uint64
		for _, r := range parked {
			ids = append(ids, r.ID)
		}
		rr, err := e.app.Retry(e.ctx, "", ids)
		if err != nil {
			e.t.Fatal(err)
		}
		if j := jobResult(rr, job); j.Failed != 0 || j.Error != "" || (j.Created > 0) != (retried > 0) {
			e.t.Errorf("retry: %+v", rr)
		}
		e.recover()
	}
	return c
}
