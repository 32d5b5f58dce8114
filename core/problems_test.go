package core_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

// problemEnv is a small sandbox firm, connected and synced once, with
// unmatched calls added on demand.
type problemEnv struct {
	t   *testing.T
	ctx context.Context
	app *core.App
	sb  *sandbox.Sandbox
}

func openProblemEnv(t *testing.T) *problemEnv {
	t.Helper()
	ctx := context.Background()
	app, err := core.Open(ctx, core.Options{DataDir: t.TempDir(), Sandbox: true, Secrets: secrets.NewMemory(),
		SandboxOptions: sandbox.Options{RateLimits: fastLimits(),
			Size: sandbox.Size{Contacts: 4, Matters: 2, Documents: 2, Recordings: 1, Prospects: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	for _, p := range core.Platforms() {
		if _, err := app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e := &problemEnv{t: t, ctx: ctx, app: app, sb: app.SandboxInstance()}
	e.app.Sync(ctx, nil, false)
	if n := e.count(); n != 0 {
		// The demo firm may seed unknown callers; start from a clean slate.
		if _, err := app.DismissProblems("", nil); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// unmatchedCall ends a recorded Zoom call with email, whom no Clio contact
// has, and returns its item key.
func (e *problemEnv) unmatchedCall(topic, email string) string {
	e.t.Helper()
	m, err := e.sb.Zoom().EndMeeting(zoomfake.MeetingInput{Topic: topic, HostEmail: "owner@sandbox.zoom.test",
		Participants: []string{email}, Duration: 10, Start: time.Now().Add(-30 * time.Minute),
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Caller", Text: "Hello."}}, Summary: &zoomfake.Summary{Overview: "A call."}})
	if err != nil {
		e.t.Fatal(err)
	}
	return "meeting:" + m.UUID
}

func (e *problemEnv) count() int {
	e.t.Helper()
	n, err := e.app.NeedsAttention()
	if err != nil {
		e.t.Fatal(err)
	}
	// `firmsync status --json` reads the same number.
	st, err := e.app.Status(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	if st.NeedsAttention != n {
		e.t.Fatalf("status says %d need attention, the count %d", st.NeedsAttention, n)
	}
	return n
}

func (e *problemEnv) open(key string) bool {
	e.t.Helper()
	p, found, err := e.app.ProblemOf(core.JobRecordings, key)
	if err != nil {
		e.t.Fatal(err)
	}
	return found && p.State == store.ProblemOpen
}

// notesOn lists the notes holding the meeting's marker, by Clio contact id.
func (e *problemEnv) notesOn(key string) map[int64]int {
	out := map[int64]int{}
	marker := jobs.CallNoteMarker(strings.TrimPrefix(key, "meeting:"))
	for _, n := range e.sb.Clio().Notes() {
		if strings.Contains(n.Detail, marker) && n.Contact != nil {
			out[n.Contact.ID]++
		}
	}
	return out
}

// The defect: two unresolved calls read 2 → 3 → 5 as Retry and syncs
// added rows; after the contact was added and Retry said done, the count
// did not drop.
func TestProblemCountFallsAfterRetryAndDismiss(t *testing.T) {
	e := openProblemEnv(t)
	a := e.unmatchedCall("Call with a stranger", "stranger.one@example.com")
	b := e.unmatchedCall("Call with another stranger", "stranger.two@example.com")
	e.app.Sync(e.ctx, []string{core.JobRecordings}, false)
	if n := e.count(); n != 2 {
		t.Fatalf("%d need attention after two unmatched calls, want 2", n)
	}
	// Retry both (nothing fixed yet) and sync again: still two items.
	if _, err := e.app.RetryProblems(e.ctx, "", nil); err != nil {
		t.Fatal(err)
	}
	e.app.Sync(e.ctx, []string{core.JobRecordings}, false)
	if _, err := e.app.RetryProblems(e.ctx, core.JobRecordings, []string{a}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(); n != 2 {
		t.Fatalf("%d need attention after retries that changed nothing, want 2", n)
	}
	if rows, _ := e.app.Store().CountLog(store.LogQuery{Status: store.LogNeedsAttention}); rows <= 2 {
		t.Fatalf("only %d needs-attention rows: the retries did not run", rows)
	}
	// The missing contact is added; Retry posts the note and the count falls.
	if _, err := e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: "Stranger", LastName: "One", Email: "stranger.one@example.com"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.app.RetryProblems(e.ctx, core.JobRecordings, []string{a})
	if err != nil || res.Failed != 0 {
		t.Fatalf("retry = %+v, %v", res, err)
	}
	if n := e.count(); n != 1 || e.open(a) || !e.open(b) {
		t.Fatalf("after the fix: %d need attention (a open %v, b open %v), want 1 (b)", n, e.open(a), e.open(b))
	}
	if len(e.notesOn(a)) != 1 {
		t.Errorf("notes of the fixed call: %v", e.notesOn(a))
	}
	// Dismiss the other: zero, and a later schedule does not bring it back.
	if n, err := e.app.DismissProblems("", nil); err != nil || n != 1 {
		t.Fatalf("DismissProblems = %d, %v", n, err)
	}
	e.app.Sync(e.ctx, []string{core.JobRecordings}, false)
	if n := e.count(); n != 0 {
		t.Errorf("%d need attention after dismissing and a sync, want 0", n)
	}
}

func TestAttachCallPostsTheNoteOnTheChosenContact(t *testing.T) {
	e := openProblemEnv(t)
	key := e.unmatchedCall("Call from a new number", "someone.private@example.net")
	e.app.Sync(e.ctx, []string{core.JobRecordings}, false)
	if !e.open(key) {
		t.Fatal("the unmatched call did not open a problem")
	}
	p, _, _ := e.app.ProblemOf(core.JobRecordings, key)
	if !e.app.CanAttach(p) {
		t.Fatal("CanAttach = false for an unmatched call")
	}
	chosen, err := e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: "Dana", LastName: "Attachwell", Email: "dana.attachwell@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	found, err := e.app.SearchContacts(e.ctx, "attachwell")
	if err != nil || len(found) != 1 || found[0].ID != strconv.FormatInt(chosen.ID, 10) || !strings.Contains(found[0].Label(), "dana.attachwell@example.com") {
		t.Fatalf("search = %+v, %v; want the new contact", found, err)
	}
	before := e.count()
	if err := e.app.AttachCall(e.ctx, key, found[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := e.notesOn(key); len(got) != 1 || got[chosen.ID] != 1 {
		t.Errorf("notes of the call by contact = %v, want one on %d", got, chosen.ID)
	}
	if e.open(key) || e.count() != before-1 {
		t.Errorf("after attaching: open %v, count %d (was %d)", e.open(key), e.count(), before)
	}
	// Later syncs and a duplicate webhook-style retry post nothing more.
	e.app.Sync(e.ctx, []string{core.JobRecordings}, false)
	if _, err := e.app.RetryProblems(e.ctx, core.JobRecordings, []string{key}); err != nil {
		t.Fatal(err)
	}
	if got := e.notesOn(key); got[chosen.ID] != 1 || len(got) != 1 {
		t.Errorf("after more syncs the notes are %v", got)
	}
	if err := e.app.AttachCall(e.ctx, key, found[0].ID); !errors.Is(err, core.ErrCannotAttach) {
		t.Errorf("attaching a closed call again = %v, want ErrCannotAttach", err)
	}
}
