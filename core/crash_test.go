package core_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core"
)

// crashKills is how many SIGKILLs the crash test delivers: 20 in CI, more
// with FIRMSYNC_SOAK_KILLS (make soak uses 200).
func crashKills() int {
	if n, err := strconv.Atoi(os.Getenv("FIRMSYNC_SOAK_KILLS")); err == nil && n > 0 {
		return n
	}
	return 20
}

// TestCrashAnywhereLeavesNoDuplicateAndNoGap kills a syncing Firmsync with
// SIGKILL at random moments, restarts it each time, lets a last run finish,
// and then checks the fake platforms: every expected object exists exactly
// once. It runs once per practice-management system, the child syncing as
// a firm on that system.
func TestCrashAnywhereLeavesNoDuplicateAndNoGap(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, sys := range pmsKinds {
		t.Run(sys, func(t *testing.T) { crashSoak(t, sys, crashKillsFor(sys)) })
	}
}

// crashKillsFor is how many SIGKILLs the soak delivers to a firm on sys:
// crashKills() for Clio and MyCase; for Smokeball three quarters of it
// (15 in CI; never under 10), so the three systems together stay within a
// few minutes under -race on a busy CI machine: Smokeball applies every
// write some 300 ms after accepting it and Firmsync waits for each, so
// each crash's worth of new work (a client, a matter, a call note, an
// intake) costs it seconds, not milliseconds.
func crashKillsFor(sys string) int {
	n := crashKills()
	if sys != "smokeball" {
		return n
	}
	return max(10, n*3/4)
}

func crashSoak(t *testing.T, sys string, kills int) {
	size := sandbox.Size{Contacts: 60, Matters: 16, Documents: 30, Recordings: 16, Prospects: 9}
	// Generous budgets: this test is about crash safety, not pacing.
	sb := soakSandbox(t, size)
	pm := newPMSFake(t, sb, sys)
	info, _ := json.Marshal(sb.Info())
	data := t.TempDir()
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))

	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FIRMSYNC_CHILD=sync", "FIRMSYNC_SANDBOX="+string(info), "FIRMSYNC_DATA="+data,
			"FIRMSYNC_PMS="+sys)
		return cmd
	}
	// Half the kills come at a random moment within a typical run's span
	// (learnt from the runs that finish), so they land anywhere, start-up
	// included. The other half come right after the child's n-th write to
	// the platforms (n at random): a write the platform has answered and
	// the ledger may not have recorded yet, and, since every run goes on
	// from where the last one stopped, later and later in the sync, so
	// every job gets interrupted, not only the first (on Smokeball, whose
	// every create waits for the write to apply, timed kills would rarely
	// get past the intake job).
	killed, midWrite := 0, 0
	span := 400 * time.Millisecond
	var made activity
	for i := 0; i < kills; i++ {
		// People keep working between crashes, so every run has creates
		// to interrupt.
		made.add(t, sb, pm, i)
		cmd := child()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		writes := sandboxWrites(sb)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var killNow <-chan time.Time
		stopPoll := make(chan struct{})
		if rng.IntN(2) == 0 {
			// Kill somewhere within a typical run's span.
			killNow = time.After(time.Duration(rng.Int64N(int64(span))) + time.Millisecond)
		} else {
			// Kill right after the n-th write (polled: the stats count a
			// request once the fake has answered it).
			n := 1 + rng.IntN(40)
			c := make(chan time.Time, 1)
			killNow = c
			go func() {
				tick := time.NewTicker(time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stopPoll:
						return
					case now := <-tick.C:
						if sandboxWrites(sb)-writes >= n {
							c <- now
							return
						}
					}
				}
			}()
		}
		select {
		case <-killNow:
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
			if sandboxWrites(sb) > writes {
				midWrite++
			}
		case err := <-done:
			span = (span + time.Since(started)) / 2
			if err != nil && !strings.Contains(out.String(), `"jobs"`) {
				t.Fatalf("child %d failed to start: %v\n%s", i, err, out.String())
			}
		}
		close(stopPoll)
	}
	killWrites := sandboxWrites(sb)
	// Let it finish, twice: the second run must change nothing. The final
	// runs come later than the kills, as the next runs of a real office
	// do: past the time an accepted create may take to show (Smokeball),
	// during which an interrupted create is looked for, not made again,
	// and past the retry back-off of the items the kills failed.
	for round := 0; round < 2; round++ {
		cmd := child()
		cmd.Env = append(cmd.Env, "FIRMSYNC_CLOCK_AHEAD=20m")
		out, err := cmd.CombinedOutput()
		if err != nil && !bytes.Contains(out, []byte(`"jobs"`)) {
			t.Fatalf("final run %d: %v\n%s", round, err, out)
		}
		if round == 1 {
			var res core.SyncResult
			line := out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:]
			if err := json.Unmarshal(bytes.TrimSpace(line), &res); err != nil {
				t.Fatalf("final output: %v\n%s", err, out)
			}
			for _, j := range res.Jobs {
				if j.Created != 0 || j.Updated != 0 || j.Failed != 0 || j.Error != "" {
					t.Errorf("run after recovery still changed or failed things: %+v", j)
				}
			}
		}
	}
	// How far the killed runs got (their writes against those of the
	// runs that finished the sync) says where the kills landed; not
	// asserted: it depends on the machine's speed.
	t.Logf("%s: %d of %d runs killed mid-sync with SIGKILL, %d of them after the run had written; the killed runs made %d writes, the final runs %d",
		sys, killed, kills, midWrite, killWrites, sandboxWrites(sb)-killWrites)
	if os.Getenv("FIRMSYNC_DEBUG_CRASH") != "" {
		out, _ := child().CombinedOutput()
		t.Logf("a last child said: %s", out)
	}
	checkExactlyOnce(t, sb, pm)
	made.check(t, sb, pm)
}

// sandboxWrites counts the writes the platforms have answered so far.
func sandboxWrites(sb *sandbox.Sandbox) int {
	n := 0
	for _, p := range sb.StatsSnapshot().Platforms {
		n += p.Writes
	}
	return n
}

// activity is what the test adds between crashes, to check afterwards.
type activity struct {
	meetings  []string // meeting UUIDs with a matching participant
	prospects []string // hired prospect ids
	emails    []string
}

// add plays people at work between two crashes: a new client with a
// matter and a document in the practice-management system, a Zoom call
// with that client, and a hired Lawmatics prospect.
func (a *activity) add(t *testing.T, sb *sandbox.Sandbox, pm pmsFake, i int) {
	t.Helper()
	email := fmt.Sprintf("crash.client%d@example.com", i)
	c := pm.addClient(t, "Crash", fmt.Sprintf("Client%d", i), email, fmt.Sprintf("(415) 555-%04d", 3000+i))
	// Clio numbers its matters itself; the others get a number as staff
	// would give one (MyCase's case names must be unique: this one is).
	m := pm.addMatter(t, c, fmt.Sprintf("C%05d-Client%d", i+1, i), fmt.Sprintf("Crash matter %d: lease / review", i))
	pm.addDocument(t, m, fmt.Sprintf("Crash doc %d.pdf", i), bytes.Repeat([]byte{byte(i)}, 4096+i))
	mt, err := sb.Zoom().EndMeeting(zoomfake.MeetingInput{Topic: fmt.Sprintf("Crash call %d", i), HostEmail: "owner@sandbox.zoom.test",
		Participants: []string{email}, Duration: 10, Start: time.Now().Add(-30 * time.Minute),
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Crash Client", Text: "Hello."}}, Summary: &zoomfake.Summary{Overview: "Hello."}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sb.Lawmatics().CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Intake", LastName: fmt.Sprintf("Person%d", i),
		Email: fmt.Sprintf("intake%d@example.com", i), CaseTitle: fmt.Sprintf("Intake %d", i), CaseNumber: fmt.Sprintf("LM-C%04d", i), CaseType: "divorce_standard"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Lawmatics().Hire(p.ID); err != nil {
		t.Fatal(err)
	}
	a.meetings = append(a.meetings, mt.UUID)
	a.prospects = append(a.prospects, p.ID)
	a.emails = append(a.emails, email)
}

// check asserts everything added between crashes arrived exactly once.
func (a *activity) check(t *testing.T, sb *sandbox.Sandbox, pm pmsFake) {
	t.Helper()
	sys := pm.kind()
	notes := callNoteMarkers(pm)
	for _, uuid := range a.meetings {
		if notes[uuid] != 1 {
			t.Errorf("meeting %s has %d notes in %s, want 1", uuid, notes[uuid], sys)
		}
	}
	numbers := map[string]int{}
	docs := map[string]int{}
	for _, m := range pm.matters() {
		numbers[m.Number]++
	}
	for i := range a.prospects {
		if n := numbers[fmt.Sprintf("LM-C%04d", i)]; n != 1 {
			t.Errorf("intake %d has %d %s matters, want 1", i, n, sys)
		}
	}
	// Every crash matter has a Box folder holding its one document.
	_, items, _ := sb.Box().Folder(sb.BoxRoot())
	for _, it := range items {
		if !strings.Contains(it.Name, "Crash matter") {
			continue
		}
		_, sub, _ := sb.Box().Folder(it.ID)
		for _, s := range sub {
			if s.Type == "file" {
				docs[s.Name]++
			}
		}
	}
	for i := range a.meetings {
		if n := docs[fmt.Sprintf("Crash doc %d.pdf", i)]; n != 1 {
			t.Errorf("crash doc %d is in Box %d times, want 1", i, n)
		}
	}
	// Each new client was made once, by the test, and each hired person
	// once, by the intake job (or found: none of them was a client).
	emails := pm.contactEmails()
	for i := range a.prospects {
		for _, e := range []string{a.emails[i], fmt.Sprintf("intake%d@example.com", i)} {
			if emails[e] != 1 {
				t.Errorf("%s has %d contacts with email %s, want 1", sys, emails[e], e)
			}
		}
	}
	zc := map[string]bool{}
	for _, c := range sb.Zoom().ExternalContacts() {
		zc[c.Email] = true
	}
	for _, e := range a.emails {
		if !zc[e] {
			t.Errorf("contact %s never reached Zoom", e)
		}
	}
}

// checkExactlyOnce asserts every object the demo firm implies exists once.
func checkExactlyOnce(t *testing.T, sb *sandbox.Sandbox, pm pmsFake) {
	t.Helper()
	sys := pm.kind()
	// Zoom contacts: their id field is our key, which Zoom keeps unique; check no
	// contact id appears twice and every usable contact is there.
	seen := map[string]int{}
	for _, c := range sb.Zoom().ExternalContacts() {
		seen[c.ID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("zoom contact %s exists %d times", id, n)
		}
	}
	if len(seen) == 0 {
		t.Error("no Zoom contacts were created")
	}
	// Notes: one per meeting marker (Smokeball: one marker line per
	// meeting in all the contacts' notes texts together).
	markers := callNoteMarkers(pm)
	for id, n := range markers {
		if n != 1 {
			t.Errorf("meeting %s has %d notes in %s", id, n, sys)
		}
	}
	if len(markers) == 0 {
		t.Errorf("no call notes were posted to %s", sys)
	}
	// Box: one folder per name under the root, each with one of each subfolder
	// and one file per name.
	_, items, err := sb.Box().Folder(sb.BoxRoot())
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, it := range items {
		names[strings.ToLower(it.Name)]++
		_, sub, err := sb.Box().Folder(it.ID)
		if err != nil {
			t.Fatal(err)
		}
		inner := map[string]int{}
		for _, s := range sub {
			inner[strings.ToLower(s.Name)]++
		}
		for n, c := range inner {
			if c != 1 {
				t.Errorf("folder %q holds %q %d times", it.Name, n, c)
			}
		}
	}
	for n, c := range names {
		if c != 1 {
			t.Errorf("matter folder %q exists %d times", n, c)
		}
	}
	if len(names) == 0 {
		t.Error("no matter folders were created")
	}
	// Contacts in the practice-management system: the demo firm's people
	// have an email each, and a hired prospect is matched to the client of
	// that email or made once, so no email is on two contacts.
	for e, n := range pm.contactEmails() {
		if n != 1 {
			t.Errorf("%s has %d contacts with email %s", sys, n, e)
		}
	}
	// Intake: one matter per hired prospect's case number, and (where the
	// system has matter custom fields: Clio, MyCase) no field of a matter
	// written twice (the Box folder id, the prospect id).
	numbers := map[string]int{}
	for _, m := range pm.matters() {
		if strings.HasPrefix(m.Number, "LM-") {
			numbers[m.Number]++
		}
		for f, c := range m.FieldValues {
			if c > 1 {
				t.Errorf("%s matter %s has %d values for custom field %s", sys, m.ID, c, f)
			}
		}
	}
	for n, c := range numbers {
		if c != 1 {
			t.Errorf("intake matter %s exists %d times in %s", n, c, sys)
		}
	}
	if len(numbers) == 0 {
		t.Errorf("no intake matters were created in %s", sys)
	}
}

// noteMarkers counts Clio's call notes by the Zoom meeting each names
// (callNoteMarkers of the Clio fake; the fault tests use it).
func noteMarkers(sb *sandbox.Sandbox) map[string]int { return callNoteMarkers(clioFake{sb}) }
