package core_test

import (
	"bytes"
	"context"
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

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
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
// once.
func TestCrashAnywhereLeavesNoDuplicateAndNoGap(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	size := sandbox.Size{Contacts: 60, Matters: 16, Documents: 30, Recordings: 16, Prospects: 9}
	// Generous budgets: this test is about crash safety, not pacing.
	sb, err := sandbox.Start(sandbox.Options{Size: size, Seed: 42, RateLimits: fastLimits()})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	info, _ := json.Marshal(sb.Info())
	data := t.TempDir()
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))

	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FIRMSYNC_CHILD=sync", "FIRMSYNC_SANDBOX="+string(info), "FIRMSYNC_DATA="+data)
		return cmd
	}
	// First, learn how long an uninterrupted sync would take on a copy of
	// nothing: kill points are spread over that span.
	kills := crashKills()
	killed := 0
	span := 400 * time.Millisecond
	var made activity
	for i := 0; i < kills; i++ {
		// People keep working between crashes, so every run has creates
		// to interrupt.
		made.add(t, sb, i)
		cmd := child()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill somewhere within a typical run's span, learnt from the
		// runs that finished first.
		wait := time.Duration(rng.Int64N(int64(span))) + time.Millisecond
		started := time.Now()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-time.After(wait):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
		case err := <-done:
			span = (span + time.Since(started)) / 2
			if err != nil && !strings.Contains(out.String(), `"jobs"`) {
				t.Fatalf("child %d failed to start: %v\n%s", i, err, out.String())
			}
		}
	}
	// Let it finish, twice: the second run must change nothing.
	for round := 0; round < 2; round++ {
		cmd := child()
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
	t.Logf("%d of %d runs killed mid-sync with SIGKILL", killed, kills)
	if os.Getenv("FIRMSYNC_DEBUG_CRASH") != "" {
		out, _ := child().CombinedOutput()
		t.Logf("a last child said: %s", out)
	}
	checkExactlyOnce(t, sb)
	made.check(t, sb)
}

// activity is what the test adds between crashes, to check afterwards.
type activity struct {
	meetings  []string // meeting UUIDs with a matching participant
	prospects []string // hired prospect ids
	emails    []string
}

func (a *activity) add(t *testing.T, sb *sandbox.Sandbox, i int) {
	t.Helper()
	email := fmt.Sprintf("crash.client%d@example.com", i)
	c, err := sb.Clio().CreateContact(cliofake.ContactInput{FirstName: "Crash", LastName: fmt.Sprintf("Client%d", i), Email: email, Phone: fmt.Sprintf("(415) 555-%04d", 3000+i)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sb.Clio().CreateMatter(cliofake.MatterInput{Description: fmt.Sprintf("Crash matter %d: lease / review", i), ClientID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Clio().AddDocument(m.ID, fmt.Sprintf("Crash doc %d.pdf", i), bytes.Repeat([]byte{byte(i)}, 4096+i)); err != nil {
		t.Fatal(err)
	}
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
func (a *activity) check(t *testing.T, sb *sandbox.Sandbox) {
	t.Helper()
	notes := map[string]int{}
	for _, n := range sb.Clio().Notes() {
		for _, uuid := range a.meetings {
			if strings.Contains(n.Detail, jobs.CallNoteMarker(uuid)) {
				notes[uuid]++
			}
		}
	}
	for _, uuid := range a.meetings {
		if notes[uuid] != 1 {
			t.Errorf("meeting %s has %d notes, want 1", uuid, notes[uuid])
		}
	}
	numbers := map[string]int{}
	docs := map[string]int{}
	for id := int64(1); id < 2000; id++ {
		m, ok := sb.Clio().Matter(id)
		if !ok {
			continue
		}
		numbers[m.CustomNumber]++
	}
	for i := range a.prospects {
		if n := numbers[fmt.Sprintf("LM-C%04d", i)]; n != 1 {
			t.Errorf("intake %d has %d Clio matters, want 1", i, n)
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

// noteMarkers counts Clio's call notes by the Zoom meeting each names.
func noteMarkers(sb *sandbox.Sandbox) map[string]int {
	markers := map[string]int{}
	for _, n := range sb.Clio().Notes() {
		for _, line := range strings.Split(n.Detail, "\n") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(line), "Zoom meeting ID: "); ok {
				markers[id]++
			}
		}
	}
	return markers
}

// checkExactlyOnce asserts every object the demo firm implies exists once.
func checkExactlyOnce(t *testing.T, sb *sandbox.Sandbox) {
	t.Helper()
	// Zoom contacts: their id field is our key, which Zoom keeps unique; check no
	// contact id appears twice and every usable Clio contact is there.
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
	// Notes: one per meeting marker.
	markers := noteMarkers(sb)
	for id, n := range markers {
		if n != 1 {
			t.Errorf("meeting %s has %d notes", id, n)
		}
	}
	if len(markers) == 0 {
		t.Error("no call notes were posted")
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
	// Intake: one Clio matter per hired prospect's case number, and each
	// matter's Box folder id written once.
	numbers := map[string]int{}
	for id := int64(1); id < 500; id++ {
		m, ok := sb.Clio().Matter(id)
		if !ok {
			continue
		}
		if strings.HasPrefix(m.CustomNumber, "LM-") {
			numbers[m.CustomNumber]++
		}
		perField := map[int64]int{}
		for _, v := range m.CustomFieldValues {
			if v.CustomField != nil && v.ID != nil {
				perField[v.CustomField.ID]++
			}
		}
		for f, c := range perField {
			if c > 1 {
				t.Errorf("matter %d has %d values for custom field %d", id, c, f)
			}
		}
	}
	for n, c := range numbers {
		if c != 1 {
			t.Errorf("intake matter %s exists %d times", n, c)
		}
	}
	if len(numbers) == 0 {
		t.Error("no intake matters were created")
	}
	_ = fmt.Sprint()
	_ = context.Background
}
