package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/store"
)

const recOwner = "owner@sandbox.zoom.test"

// recPatient keeps the seeded pending-transcript meeting (a week old) held:
// the harness runs on real time, and the default 24 h would post it
// without its transcript at once.
func recPatient(s *jobs.Settings) { s.PostWithoutAfter = 90 * 24 * time.Hour }

// recRunWith runs the job like env.runWith, but runs again when the engine
// hands back a follow-up run that inherited the previous run's cancelled
// context (a coalescing race in the engine, reported).
func recRunWith(e *env, t engine.Trigger, o engine.RunOptions) engine.Result {
	e.t.Helper()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		r := e.eng.Run(ctx, "recordings", t, o)
		cancel()
		if errors.Is(r.Err, context.Canceled) && i < 5 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if r.Err != nil {
			e.t.Fatalf("recordings run: %v", r.Err)
		}
		return r
	}
}

// recMeeting is a seeded meeting and what the job should do with it.
type recMeeting struct {
	m         zoom.Meeting
	emails    []string // participants other than the host
	contactID int64    // matching Clio contact (0: none)
	pending   bool     // transcript not ready
}

// recSeeded lists the sandbox's meetings with their expected outcome.
func recSeeded(t *testing.T, e *env) []recMeeting {
	t.Helper()
	ctx := context.Background()
	zc, err := e.plat.Zoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := e.plat.Clio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var out []recMeeting
	err = zc.Recordings(ctx, now.AddDate(0, 0, -40), now, func(m zoom.Meeting) error {
		rm := recMeeting{m: m}
		_, ok := zoom.TranscriptFile(m)
		rm.pending = !ok
		parts, err := zc.Participants(ctx, m.UUID)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if !strings.EqualFold(p.UserEmail, recOwner) {
				rm.emails = append(rm.emails, p.UserEmail)
			}
		}
		for _, em := range rm.emails {
			cs, err := cc.FindContactsByEmail(ctx, em)
			if err != nil {
				return err
			}
			if len(cs) > 0 {
				rm.contactID = cs[0].ID
				break
			}
		}
		out = append(out, rm)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 8 {
		t.Fatalf("the demo firm has %d recorded meetings, want 8", len(out))
	}
	return out
}

// recNotes returns the Clio notes holding a meeting's marker.
func recNotes(e *env, uuid string) []clio.Note {
	var out []clio.Note
	for _, n := range e.sb.Clio().Notes() {
		if strings.Contains(n.Detail, jobs.CallNoteMarker(uuid)) {
			out = append(out, n)
		}
	}
	return out
}

func TestRecordingsFirmSync(t *testing.T) {
	e := newEnv(t, envOptions{Settings: recPatient})
	seeded := recSeeded(t, e)
	var matched, unmatched, pending []recMeeting
	for _, rm := range seeded {
		switch {
		case rm.contactID == 0:
			unmatched = append(unmatched, rm)
		case rm.pending:
			pending = append(pending, rm)
		default:
			matched = append(matched, rm)
		}
	}
	if len(unmatched) != 2 || len(pending) != 1 || len(matched) != 5 {
		t.Fatalf("seed: %d unmatched, %d pending, %d matched; want 2, 1, 5", len(unmatched), len(pending), len(matched))
	}
	// One matched meeting's UUID starts with '/' (double-encoded in every
	// Zoom path): it must get its note like the others.
	if n := len(slices.DeleteFunc(slices.Clone(matched), func(rm recMeeting) bool { return !strings.HasPrefix(rm.m.UUID, "/") })); n != 1 {
		t.Fatalf("%d matched meetings with a UUID starting with '/', want 1", n)
	}

	res := recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	c := res.Run.Counts
	if c.Created != 5 || c.Failed != 2 || c.Skipped != 1 {
		t.Errorf("first run counts %+v; want 5 created, 2 failed, 1 skipped", c)
	}
	if res.Run.Status != "partial" {
		t.Errorf("first run status %q, want partial", res.Run.Status)
	}
	if n := len(e.sb.Clio().Notes()); n != 5 {
		t.Errorf("%d Clio notes, want 5", n)
	}
	for _, rm := range matched {
		ns := recNotes(e, rm.m.UUID)
		if len(ns) != 1 {
			t.Fatalf("meeting %q: %d notes, want 1", rm.m.Topic, len(ns))
		}
		n := ns[0]
		wantSubject := fmt.Sprintf("Zoom call — %s (%s)", rm.m.Topic, rm.m.StartTime.UTC().Format("Jan 02, 2006"))
		if n.Subject != wantSubject {
			t.Errorf("subject %q, want %q", n.Subject, wantSubject)
		}
		if n.Contact == nil || n.Contact.ID != rm.contactID {
			t.Errorf("meeting %q: note on contact %+v, want %d", rm.m.Topic, n.Contact, rm.contactID)
		}
		for _, want := range []string{
			"Meeting: " + rm.m.Topic + "\n",
			"Date: " + rm.m.StartTime.UTC().Format("Jan 02, 2006"),
			fmt.Sprintf("Duration: %d minutes\n", rm.m.Duration),
			"Host: Sandbox Owner <" + recOwner + ">\n",
			"\nAI summary\nOverview: " + rm.m.Topic + " with ",
			"Documents: Client sent the requested documents.\nDeadline: Filing due Friday.\n",
			"Next steps:\n- Review documents\n- File by Friday\n",
			"\nCall transcript\nSandbox Owner: Thanks for joining. Let's go over where things stand.\n",
			"Sandbox Owner: Got them. Next step is to review and file by Friday.\n",
			"\nFull recording: http",
			"/rec/play/",
			"\nZoom meeting ID: " + rm.m.UUID + "\n",
		} {
			if !strings.Contains(n.Detail, want) {
				t.Errorf("meeting %q: note lacks %q:\n%s", rm.m.Topic, want, n.Detail)
			}
		}
		if strings.Contains(n.Detail, "-->") || strings.Contains(n.Detail, "WEBVTT") || strings.Contains(n.Detail, "truncated") {
			t.Errorf("raw VTT or truncation in the note:\n%s", n.Detail)
		}
	}
	for _, rm := range append(append([]recMeeting{}, unmatched...), pending...) {
		if ns := recNotes(e, rm.m.UUID); len(ns) != 0 {
			t.Errorf("meeting %q got %d notes, want none yet", rm.m.Topic, len(ns))
		}
	}

	// The unmatched meetings are parked with the emails they tried.
	attn := e.logs("recordings", store.LogNeedsAttention)
	if len(attn) != 2 {
		t.Fatalf("%d needs-attention records, want 2: %+v", len(attn), attn)
	}
	for _, rm := range unmatched {
		var rec *store.LogRecord
		for i := range attn {
			if attn[i].ItemKey == "meeting:"+rm.m.UUID {
				rec = &attn[i]
			}
		}
		if rec == nil {
			t.Fatalf("meeting %q not parked", rm.m.Topic)
		}
		for _, em := range rm.emails {
			if !strings.Contains(rec.Error, em) {
				t.Errorf("parked record does not name %s: %q", em, rec.Error)
			}
		}
		if strings.Contains(rec.Error, recOwner) {
			t.Errorf("parked record names the firm's own account: %q", rec.Error)
		}
	}
	// The pending one is held, saying why.
	skipped := e.logs("recordings", store.LogSkipped)
	if len(skipped) != 1 || skipped[0].ItemKey != "meeting:"+pending[0].m.UUID || !strings.Contains(skipped[0].Message, "waiting for Zoom's transcript") {
		t.Errorf("skipped records %+v; want the pending meeting, waiting for its transcript", skipped)
	}

	// The transcript arrives; the webhook's targeted run posts it.
	p := pending[0]
	if err := e.sb.Zoom().CompleteTranscript(p.m.UUID); err != nil {
		t.Fatal(err)
	}
	res = recRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"meeting:" + p.m.UUID}}, engine.RunOptions{})
	if res.Run.Counts.Created != 1 || res.Run.Counts.Failed != 0 {
		t.Errorf("targeted run counts %+v; want 1 created", res.Run.Counts)
	}
	if ns := recNotes(e, p.m.UUID); len(ns) != 1 || ns[0].Contact.ID != p.contactID || !strings.Contains(ns[0].Detail, "Call transcript\nSandbox Owner: Thanks") {
		t.Errorf("pending meeting's notes after its transcript came: %+v", ns)
	}

	// A second full run posts nothing and costs only the listing.
	before := e.writes()
	res = recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	c = res.Run.Counts
	if c.Created != 0 || c.Updated != 0 || c.Failed != 0 || c.Unchanged != 6 {
		t.Errorf("second run counts %+v; want 6 unchanged and nothing else", c)
	}
	if c.APICalls > 2 {
		t.Errorf("second run made %d API calls, want at most 2 (the recordings listing)", c.APICalls)
	}
	if after := e.writes(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second run wrote: %v → %v", before, after)
	}
	if n := len(e.sb.Clio().Notes()); n != 6 {
		t.Errorf("%d Clio notes after the second run, want 6", n)
	}

	// A webhook for a meeting already posted changes nothing.
	res = recRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"meeting:" + matched[0].m.UUID}}, engine.RunOptions{})
	if res.Run.Counts.Unchanged != 1 || res.Run.Counts.Created != 0 {
		t.Errorf("webhook for a posted meeting: %+v", res.Run.Counts)
	}

	// A parked meeting, once its participant is added to Clio, is posted by Retry.
	u := unmatched[0]
	ct, err := e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: "Walk", LastName: "In", Email: strings.ToUpper(u.emails[0])})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := e.eng.RetryItems(context.Background(), "recordings", nil)
	if err != nil || len(keys["recordings"]) != 2 {
		t.Fatalf("retry keys %v, %v", keys, err)
	}
	res = recRunWith(e, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: keys["recordings"]}, engine.RunOptions{})
	if res.Run.Counts.Created != 1 || res.Run.Counts.Failed != 1 {
		t.Errorf("retry counts %+v; want 1 created, 1 still unmatched", res.Run.Counts)
	}
	if ns := recNotes(e, u.m.UUID); len(ns) != 1 || ns[0].Contact.ID != ct.ID {
		t.Errorf("retried meeting's notes: %+v (want one on contact %d)", ns, ct.ID)
	}
}

func TestRecordingsDryRun(t *testing.T) {
	e := newEnv(t, envOptions{Settings: recPatient})
	before := e.writes()
	res := recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if after := e.writes(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("dry run wrote: %v → %v", before, after)
	}
	if n := len(e.sb.Clio().Notes()); n != 0 {
		t.Errorf("dry run made %d notes", n)
	}
	var planned []string
	for _, p := range res.Planned {
		if p.Action != "post note" || p.Platform != "clio" {
			t.Errorf("unexpected plan %+v", p)
		}
		planned = append(planned, p.Key+" "+p.Object)
	}
	if len(planned) != 5 {
		t.Errorf("dry run planned %d notes, want 5: %v", len(planned), planned)
	}
	if w, _ := e.st.Watermark("recordings"); w != "" {
		t.Errorf("dry run moved the watermark to %q", w)
	}
	if es, _ := e.st.LedgerEntries("recordings", ""); len(es) != 0 {
		t.Errorf("dry run wrote the ledger: %+v", es)
	}

	recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	var made []string
	for _, l := range e.logs("recordings", store.LogSuccess) {
		if l.Action == "post note" {
			made = append(made, l.ItemKey+" "+l.Object)
		}
	}
	sort.Strings(planned)
	sort.Strings(made)
	if strings.Join(planned, "\n") != strings.Join(made, "\n") {
		t.Errorf("dry run planned\n%s\nreal run posted\n%s", strings.Join(planned, "\n"), strings.Join(made, "\n"))
	}
}

// TestRecordingsReconcile leaves two intents open as a crash would: one
// whose note Clio already has, one whose create never happened.
func TestRecordingsReconcile(t *testing.T) {
	e := newEnv(t, envOptions{Settings: recPatient})
	seeded := recSeeded(t, e)
	var matched []recMeeting
	for _, rm := range seeded {
		if rm.contactID != 0 && !rm.pending {
			matched = append(matched, rm)
		}
	}
	ctx := context.Background()
	cc, _ := e.plat.Clio(ctx)
	made, posted := matched[0], matched[1]
	subject := jobs.CallNoteSubject(made.m.Topic, made.m.StartTime)
	n, err := cc.CreateNote(ctx, clio.NoteCreate{Type: "Contact", ContactID: made.contactID, Subject: subject,
		Detail: "Meeting: …\n\n" + jobs.CallNoteMarker(made.m.UUID) + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	for _, rm := range []recMeeting{made, posted} {
		err := e.st.PutLedger(store.LedgerEntry{Job: "recordings", Key: "meeting:" + rm.m.UUID, State: store.LedgerIntent,
			Extra: map[string]string{"clio.contact": strconv.FormatInt(rm.contactID, 10), "targets": "clio", "subject": subject}})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A dry run sees the found note and plans only the others.
	res := recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if len(res.Planned) != 4 {
		t.Errorf("dry run with a reconciled intent planned %d notes, want 4: %+v", len(res.Planned), res.Planned)
	}
	res = recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	if res.Run.Counts.Created != 4 {
		t.Errorf("counts %+v; want 4 created (one note was found)", res.Run.Counts)
	}
	for _, rm := range matched {
		if ns := recNotes(e, rm.m.UUID); len(ns) != 1 {
			t.Errorf("meeting %q has %d notes, want exactly 1", rm.m.Topic, len(ns))
		}
	}
	if ns := recNotes(e, made.m.UUID); len(ns) == 1 && ns[0].ID != n.ID {
		t.Errorf("the existing note %d was not adopted (got %d)", n.ID, ns[0].ID)
	}
	en, ok, err := e.st.Ledger("recordings", "meeting:"+made.m.UUID)
	if err != nil || !ok || en.State != store.LedgerDone || en.TargetID != "clio:"+strconv.FormatInt(n.ID, 10) {
		t.Errorf("ledger after reconciliation: %+v %v %v", en, ok, err)
	}
	if es, _ := e.st.LedgerEntries("recordings", store.LedgerIntent); len(es) != 0 {
		t.Errorf("intents left open: %+v", es)
	}
}

// recContact adds a Clio contact and returns its email.
func recContact(t *testing.T, e *env, first, last string) string {
	t.Helper()
	email := strings.ToLower(first+"."+last) + "@client.test"
	if _, err := e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: first, LastName: last, Email: email}); err != nil {
		t.Fatal(err)
	}
	return email
}

func recTargeted(e *env, uuid string) engine.Result {
	e.t.Helper()
	return recRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"meeting:" + uuid}}, engine.RunOptions{})
}

func TestRecordingsTruncation(t *testing.T) {
	e := newEnv(t, envOptions{Settings: func(s *jobs.Settings) { s.TranscriptLimit = 300 }})
	email := recContact(t, e, "Zoë", "Müller")
	var lines []zoomfake.TranscriptLine
	for i := range 60 {
		sp := "Sandbox Owner"
		if i%3 == 2 {
			sp = "Zoë Müller"
		}
		lines = append(lines, zoomfake.TranscriptLine{Speaker: sp, Text: fmt.Sprintf("Line %d — grüße, ünïcödé text.", i)})
	}
	m, err := e.sb.Zoom().EndMeeting(zoomfake.MeetingInput{Topic: "Long call", HostEmail: recOwner, Participants: []string{email},
		Duration: 45, TranscriptLines: lines, Summary: &zoomfake.Summary{Overview: "Long."}})
	if err != nil {
		t.Fatal(err)
	}
	if res := recTargeted(e, m.UUID); res.Run.Counts.Created != 1 {
		t.Fatalf("counts %+v", res.Run.Counts)
	}
	ns := recNotes(e, m.UUID)
	if len(ns) != 1 {
		t.Fatalf("%d notes", len(ns))
	}
	body := ns[0].Detail
	_, rest, _ := strings.Cut(body, "\nCall transcript\n")
	tr, notice, ok := strings.Cut(rest, "\n[Transcript shortened to its first ")
	if !ok {
		t.Fatalf("no truncation line:\n%s", body)
	}
	if n := len([]rune(tr)); n > 300 || n < 260 {
		t.Errorf("kept %d characters of transcript, want at most 300 (and not far below)", n)
	}
	if !strings.HasPrefix(tr, "Sandbox Owner: Line 0 — grüße, ünïcödé text. Line 1") {
		t.Errorf("transcript starts %q", tr[:min(len(tr), 80)])
	}
	// Cut between whole words: the last one kept is one the speakers said.
	words := map[string]bool{"Line": true, "—": true, "grüße,": true, "ünïcödé": true, "text.": true, "Sandbox": true, "Owner:": true, "Zoë": true, "Müller:": true}
	if f := strings.Fields(tr); !words[f[len(f)-1]] && strings.Trim(f[len(f)-1], "0123456789") != "" {
		t.Errorf("transcript cut inside a word: ends %q", tr[max(0, len(tr)-40):])
	}
	if !strings.Contains(notice, "(the note limit is 300). The full transcript is with the Zoom recording: "+recordingsPlayURL(m)+"]\n") {
		t.Errorf("the notice does not say where the full transcript is: %q", notice[:min(len(notice), 300)])
	}
	if !strings.Contains(rest, "\nFull recording: http") {
		t.Errorf("no recording link after the transcript:\n%s", body)
	}
}

// recordingsPlayURL is the MP4's play URL, the note's recording link.
func recordingsPlayURL(m zoom.Meeting) string {
	for _, f := range m.RecordingFiles {
		if f.FileType == zoom.FileTypeMP4 {
			return f.PlayURL
		}
	}
	return ""
}

// A 6,000-character answer used to leave only the lines before it: the cut
// went back to the last line break.
func TestRecordingsLongTurnKept(t *testing.T) {
	e := newEnv(t, envOptions{})
	email := recContact(t, e, "Ingrid", "Larsen")
	answer := strings.TrimSpace(strings.Repeat("Then the landlord said the deposit was gone. ", 134)) // ~6,000 characters
	m, err := e.sb.Zoom().EndMeeting(zoomfake.MeetingInput{Topic: "Deposit", HostEmail: recOwner, Participants: []string{email},
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Sandbox Owner", Text: "What happened?"}, {Speaker: "Ingrid Larsen", Text: answer}},
		Summary:         &zoomfake.Summary{Overview: "Deposit."}})
	if err != nil {
		t.Fatal(err)
	}
	if res := recTargeted(e, m.UUID); res.Run.Counts.Created != 1 {
		t.Fatalf("counts %+v", res.Run.Counts)
	}
	ns := recNotes(e, m.UUID)
	if len(ns) != 1 {
		t.Fatalf("%d notes", len(ns))
	}
	_, rest, _ := strings.Cut(ns[0].Detail, "\nCall transcript\n")
	tr, notice, ok := strings.Cut(rest, "\n[Transcript shortened to its first ")
	if !ok {
		t.Fatalf("no truncation line:\n%.500s", rest)
	}
	if n := len([]rune(tr)); n < 4950 || n > 5000 {
		t.Errorf("kept %d characters of the transcript, want nearly the 5,000 the limit allows", n)
	}
	if !strings.HasPrefix(tr, "Sandbox Owner: What happened?\nIngrid Larsen: Then the landlord said") {
		t.Errorf("transcript starts %.100q", tr)
	}
	f := strings.Fields(tr)
	if last := f[len(f)-1]; !slices.Contains(strings.Fields(answer), last) {
		t.Errorf("transcript cut inside a word: ends %q", last)
	}
	if !strings.Contains(notice, "The full transcript is with the Zoom recording: "+recordingsPlayURL(m)+"]") {
		t.Errorf("notice %.300q", notice)
	}
}

// A host who edited the AI summary in Zoom gets the edited text in the
// note. Zoom sends edited_summary.summary_details as a string, which the
// client used to refuse (it expected the array of the top-level field), so
// the meeting failed and no note was posted. The meeting's UUID starts
// with '/', which Zoom wants double-encoded in every path.
func TestRecordingsHostEditedSummaryAndSlashUUID(t *testing.T) {
	e := newEnv(t, envOptions{})
	email := recContact(t, e, "Amara", "Silva")
	uuid := "/eDiTeD+sLaSh/uuid12345=="
	m, err := e.sb.Zoom().EndMeeting(zoomfake.MeetingInput{Topic: "Fee agreement", HostEmail: recOwner, Participants: []string{email}, UUID: uuid,
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Sandbox Owner", Text: "Shall we agree the fee?"}},
		Summary: &zoomfake.Summary{Overview: "AI overview.", Details: []zoom.SummaryDetail{{Label: "Fees", Summary: "AI wording."}},
			NextSteps: []string{"AI step"}},
		EditedSummary: &zoomfake.EditedSummary{Text: "Client agreed to a flat fee of $2,500.\nRetainer due Monday.", NextSteps: []string{"Send the fee agreement"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	if res.Run.Counts.Failed != 2 || res.Run.Counts.Created != 6 { // the seed's 5 ready matches + this one; its 2 walk-ins
		t.Errorf("counts %+v", res.Run.Counts)
	}
	ns := recNotes(e, uuid)
	if len(ns) != 1 {
		t.Fatalf("%d notes for the edited meeting", len(ns))
	}
	body := ns[0].Detail
	for _, want := range []string{
		"\nAI summary\n(Edited by the host in Zoom.)\nClient agreed to a flat fee of $2,500.\nRetainer due Monday.\nNext steps:\n- Send the fee agreement\n",
		"\nCall transcript\nSandbox Owner: Shall we agree the fee?\n",
		"\nZoom meeting ID: " + uuid + "\n",
		"\nFull recording: " + recordingsPlayURL(m) + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("note lacks %q:\n%s", want, body)
		}
	}
	for _, not := range []string{"AI overview", "AI wording", "AI step"} {
		if strings.Contains(body, not) {
			t.Errorf("note carries the unedited %q:\n%s", not, body)
		}
	}
	// The webhook's targeted run finds it done.
	if res := recTargeted(e, uuid); res.Run.Counts.Unchanged != 1 || res.Run.Counts.Created != 0 || res.Run.Counts.Failed != 0 {
		t.Errorf("targeted run for the slash UUID: %+v", res.Run.Counts)
	}
}

func TestRecordingsPostWithoutAfter(t *testing.T) {
	e := newEnv(t, envOptions{})
	email := recContact(t, e, "Ada", "Lovelace")
	m, err := e.sb.Zoom().EndMeeting(zoomfake.MeetingInput{Topic: "No summary call", HostEmail: recOwner, Participants: []string{email},
		TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "Ada Lovelace", Text: "Hello."}},
		Summary:         &zoomfake.Summary{Overview: "Never released."}, SummaryPending: true})
	if err != nil {
		t.Fatal(err)
	}
	res := recTargeted(e, m.UUID)
	if res.Run.Counts.Skipped != 1 || res.Run.Counts.Created != 0 || len(recNotes(e, m.UUID)) != 0 {
		t.Fatalf("before the deadline: %+v, %d notes", res.Run.Counts, len(recNotes(e, m.UUID)))
	}
	e.setSettings(func(s *jobs.Settings) { s.PostWithoutAfter = time.Nanosecond })
	res = recTargeted(e, m.UUID)
	if res.Run.Counts.Created != 1 {
		t.Fatalf("after the deadline: %+v", res.Run.Counts)
	}
	ns := recNotes(e, m.UUID)
	if len(ns) != 1 {
		t.Fatalf("%d notes", len(ns))
	}
	if !strings.Contains(ns[0].Detail, "AI summary\nZoom had no AI summary for this meeting") || !strings.Contains(ns[0].Detail, "posted without it") ||
		!strings.Contains(ns[0].Detail, "Call transcript\nAda Lovelace: Hello.\n") || strings.Contains(ns[0].Detail, "Never released") {
		t.Errorf("note posted without its summary:\n%s", ns[0].Detail)
	}
	// The summary arriving later does not post a second note.
	if err := e.sb.Zoom().CompleteSummary(m.UUID); err != nil {
		t.Fatal(err)
	}
	if res = recTargeted(e, m.UUID); res.Run.Counts.Unchanged != 1 || len(recNotes(e, m.UUID)) != 1 {
		t.Errorf("after the late summary: %+v, %d notes", res.Run.Counts, len(recNotes(e, m.UUID)))
	}
}

// recFault makes the sandbox fail the next count requests under a path.
func recFault(t *testing.T, e *env, platform, prefix string, status, count int) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"platform": platform, "path_prefix": prefix, "status": status, "count": count})
	resp, err := http.Post(e.sb.AdminURL()+"/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("setting a fault: %s", resp.Status)
	}
}

func TestRecordingsFailures(t *testing.T) {
	t.Run("zoom not connected skips the run", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		e.disconnect("zoom")
		res := recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
		if res.Run.Status != "skipped" || !strings.Contains(res.Run.Error, "zoom is not connected") {
			t.Errorf("run %+v", res.Run)
		}
	})
	t.Run("clio not connected skips the run", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		e.disconnect("clio")
		if res := recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{}); res.Run.Status != "skipped" {
			t.Errorf("run %+v", res.Run)
		}
	})
	t.Run("a refused note create is parked, not lost, and posted by Retry", func(t *testing.T) {
		e := newEnv(t, envOptions{Settings: recPatient})
		recFault(t, e, "clio", "/api/v4/notes", 422, 1)
		res := recRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
		if res.Run.Counts.Created != 4 || res.Run.Counts.Failed != 3 {
			t.Errorf("counts %+v; want 4 created, 3 failed (1 refused + 2 unmatched)", res.Run.Counts)
		}
		if n := len(e.logs("recordings", store.LogNeedsAttention)); n != 3 {
			t.Errorf("%d parked, want 3 (the 422 is for a person)", n)
		}
		keys, err := e.eng.RetryItems(context.Background(), "recordings", nil)
		if err != nil {
			t.Fatal(err)
		}
		res = recRunWith(e, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: keys["recordings"]}, engine.RunOptions{})
		if res.Run.Counts.Created != 1 {
			t.Errorf("retry counts %+v", res.Run.Counts)
		}
		if n := len(e.sb.Clio().Notes()); n != 5 {
			t.Errorf("%d notes, want 5", n)
		}
	})
	t.Run("a revoked Zoom token fails the run for reconnect", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		e.sb.Zoom().RevokeTokens()
		r := e.eng.Run(context.Background(), "recordings", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
		if r.Err == nil || r.Run.Status != "failed" {
			t.Errorf("run %+v err %v", r.Run, r.Err)
		}
		if w, _ := e.st.Watermark("recordings"); w != "" {
			t.Errorf("watermark moved to %q", w)
		}
	})
}

func TestRecordingsLawmaticsTarget(t *testing.T) {
	e := newEnv(t, envOptions{Settings: func(s *jobs.Settings) { s.NoteTargets = []string{"clio", "lawmatics"} }})
	both := recContact(t, e, "Bea", "Both")
	lmOnly := "lena.lm@client.test"
	lc1, err := e.sb.Lawmatics().CreateContact(lawmaticsfake.ContactInput{FirstName: "Bea", LastName: "Both", Email: strings.ToUpper(both)})
	if err != nil {
		t.Fatal(err)
	}
	lc2, err := e.sb.Lawmatics().CreateContact(lawmaticsfake.ContactInput{FirstName: "Lena", LastName: "Lm", Email: lmOnly})
	if err != nil {
		t.Fatal(err)
	}
	in := func(topic, email string) zoomfake.MeetingInput {
		return zoomfake.MeetingInput{Topic: topic, HostEmail: recOwner, Participants: []string{"nobody@else.test", email},
			TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "X", Text: "hi"}}, Summary: &zoomfake.Summary{Overview: "o"}}
	}
	m1, err := e.sb.Zoom().EndMeeting(in("Both call", both))
	if err != nil {
		t.Fatal(err)
	}
	m2, err := e.sb.Zoom().EndMeeting(in("Lawmatics call", lmOnly))
	if err != nil {
		t.Fatal(err)
	}
	res := recRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"meeting:" + m1.UUID, "meeting:" + m2.UUID}}, engine.RunOptions{})
	if c := res.Run.Counts; c.Created != 3 || c.Skipped != 1 || c.Failed != 0 {
		t.Errorf("counts %+v; want 3 notes (2 Lawmatics, 1 Clio) and Clio skipped for the second", c)
	}
	lmNotes := map[string]string{} // marker → notable id
	for _, n := range e.sb.Lawmatics().Notes() {
		for _, m := range []zoom.Meeting{m1, m2} {
			if strings.Contains(n.Attributes.Body, jobs.CallNoteMarker(m.UUID)) {
				if _, dup := lmNotes[m.UUID]; dup {
					t.Errorf("two Lawmatics notes for %s", m.Topic)
				}
				id := ""
				if n.Relationships.Notable != nil {
					id = n.Relationships.Notable.Data.ID
				}
				lmNotes[m.UUID] = id
				if n.Attributes.Name != jobs.CallNoteSubject(m.Topic, m.StartTime) {
					t.Errorf("Lawmatics note name %q", n.Attributes.Name)
				}
			}
		}
	}
	if lmNotes[m1.UUID] != lc1.ID || lmNotes[m2.UUID] != lc2.ID {
		t.Errorf("Lawmatics notes on %v; want %s on %s and %s on %s", lmNotes, m1.Topic, lc1.ID, m2.Topic, lc2.ID)
	}
	if len(recNotes(e, m1.UUID)) != 1 || len(recNotes(e, m2.UUID)) != 0 {
		t.Errorf("Clio notes: %d and %d, want 1 and 0", len(recNotes(e, m1.UUID)), len(recNotes(e, m2.UUID)))
	}
	res = recRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"meeting:" + m1.UUID, "meeting:" + m2.UUID}}, engine.RunOptions{})
	if c := res.Run.Counts; c.Created != 0 || c.Unchanged != 2 {
		t.Errorf("second run %+v", c)
	}
}

// recLoseDatabase replaces the env's store and engine with empty ones over
// the same platforms: firmsync.db deleted, a new PC, a reinstall.
func recLoseDatabase(t *testing.T, e *env) {
	t.Helper()
	e.eng.Wait()
	st, err := store.Open(filepath.Join(t.TempDir(), "firmsync.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	e.eng = engine.New(engine.Options{Store: st, Bus: e.bus})
	for _, j := range jobs.All(jobs.Deps{Platforms: e.plat, Settings: e.getSettings}) {
		e.eng.Register(j)
	}
}

// recCalls is how many requests one endpoint of a platform has served.
func recCalls(e *env, platform, endpoint string) int {
	return e.sb.StatsSnapshot().Platforms[platform].Endpoints[endpoint]
}

// recMarked counts each platform's notes carrying a call-note marker, by
// meeting UUID.
func recMarked(e *env) (clioNotes, lmNotes map[string]int) {
	clioNotes, lmNotes = map[string]int{}, map[string]int{}
	uuidOf := func(body string) string {
		_, after, ok := strings.Cut(body, jobs.CallNoteMarker(""))
		if !ok {
			return ""
		}
		return strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
	}
	for _, n := range e.sb.Clio().Notes() {
		if u := uuidOf(n.Detail); u != "" {
			clioNotes[u]++
		}
	}
	for _, n := range e.sb.Lawmatics().Notes() {
		if u := uuidOf(n.Attributes.Body); u != "" {
			lmNotes[u]++
		}
	}
	return clioNotes, lmNotes
}

const (
	recClioNotesEP = "GET /api/v4/notes.json"
	recLMNotesEP   = "GET /v1/notes"
)

// TestRecordingsRebuildAfterLostDatabase syncs a firm posting to both note
// targets, loses the database and syncs again: every note is recognised
// by its marker on the matched contact (one notes listing per posted
// target, nothing for meetings still waiting), none is posted twice, and
// with the ledger back a known meeting costs no lookup. A meeting whose
// note exists on one target only gets the other one.
func TestRecordingsRebuildAfterLostDatabase(t *testing.T) {
	e := newEnv(t, envOptions{Settings: func(s *jobs.Settings) {
		recPatient(s)
		s.NoteTargets = []string{"clio", "lawmatics"}
	}})
	both := recContact(t, e, "Bea", "Both")
	if _, err := e.sb.Lawmatics().CreateContact(lawmaticsfake.ContactInput{FirstName: "Bea", LastName: "Both", Email: both}); err != nil {
		t.Fatal(err)
	}
	lmOnly := "lena.lm@client.test"
	if _, err := e.sb.Lawmatics().CreateContact(lawmaticsfake.ContactInput{FirstName: "Lena", LastName: "Lm", Email: lmOnly}); err != nil {
		t.Fatal(err)
	}
	in := func(topic, email string) zoomfake.MeetingInput {
		return zoomfake.MeetingInput{Topic: topic, HostEmail: recOwner, Participants: []string{email},
			TranscriptLines: []zoomfake.TranscriptLine{{Speaker: "X", Text: "hi"}}, Summary: &zoomfake.Summary{Overview: "o"}}
	}
	for _, m := range []zoomfake.MeetingInput{in("Both call", both), in("Lawmatics call", lmOnly)} {
		if _, err := e.sb.Zoom().EndMeeting(m); err != nil {
			t.Fatal(err)
		}
	}
	full := engine.Trigger{Kind: engine.TriggerManual}
	first := recRunWith(e, full, engine.RunOptions{})
	if first.Run.Counts.Created == 0 {
		t.Fatalf("first run created nothing: %+v", first.Run.Counts)
	}
	clioBefore, lmBefore := recMarked(e)
	if len(clioBefore) == 0 || len(lmBefore) < 2 {
		t.Fatalf("first run posted %d Clio and %d Lawmatics notes; the test needs both targets", len(clioBefore), len(lmBefore))
	}
	linked := map[string]string{}
	done, err := e.st.LedgerEntries("recordings", store.LedgerDone)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range done {
		linked[en.Key] = en.TargetID
	}

	recLoseDatabase(t, e)
	w, clioLists, lmLists := e.writes(), recCalls(e, "clio", recClioNotesEP), recCalls(e, "lawmatics", recLMNotesEP)

	// A dry run already sees that nothing is to be posted.
	if dry := recRunWith(e, full, engine.RunOptions{DryRun: true}); len(dry.Planned) != 0 {
		t.Errorf("dry run after the loss plans %d notes: %+v", len(dry.Planned), dry.Planned)
	}
	clioLists, lmLists = recCalls(e, "clio", recClioNotesEP), recCalls(e, "lawmatics", recLMNotesEP)

	res := recRunWith(e, full, engine.RunOptions{})
	if c := res.Run.Counts; c.Created != 0 || c.Unchanged != first.Run.Counts.Created {
		t.Errorf("rebuild counts %+v; want 0 created and the first run's %d notes linked", c, first.Run.Counts.Created)
	}
	clioAfter, lmAfter := recMarked(e)
	if !maps.Equal(clioAfter, clioBefore) || !maps.Equal(lmAfter, lmBefore) {
		t.Errorf("notes after the rebuild: Clio %v Lawmatics %v; before: %v %v", clioAfter, lmAfter, clioBefore, lmBefore)
	}
	if got := e.writes(); got["clio"] != w["clio"] || got["lawmatics"] != w["lawmatics"] {
		t.Errorf("the rebuild wrote to the platforms: before %v after %v", w, got)
	}
	// One notes listing per posted note (each contact here has few notes:
	// one page), none for the meetings still waiting or unmatched.
	if n := recCalls(e, "clio", recClioNotesEP) - clioLists; n != len(clioBefore) {
		t.Errorf("the rebuild listed Clio notes %d times, want %d (one per note)", n, len(clioBefore))
	}
	if n := recCalls(e, "lawmatics", recLMNotesEP) - lmLists; n != len(lmBefore) {
		t.Errorf("the rebuild listed Lawmatics notes %d times, want %d (one per note)", n, len(lmBefore))
	}
	done, err = e.st.LedgerEntries("recordings", store.LedgerDone)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != len(linked) {
		t.Errorf("%d meetings linked after the rebuild, %d before", len(done), len(linked))
	}
	for _, en := range done {
		if linked[en.Key] != en.TargetID {
			t.Errorf("%s linked to %s after the rebuild, %s before", en.Key, en.TargetID, linked[en.Key])
		}
	}
	if es, _ := e.st.LedgerEntries("recordings", store.LedgerIntent); len(es) != 0 {
		t.Errorf("intents left open: %+v", es)
	}

	// Normal days: with the ledger back, known meetings cost no lookup.
	clioLists, lmLists = recCalls(e, "clio", recClioNotesEP), recCalls(e, "lawmatics", recLMNotesEP)
	if c := recRunWith(e, full, engine.RunOptions{}).Run.Counts; c.Created != 0 {
		t.Errorf("third run %+v", c)
	}
	if n, m := recCalls(e, "clio", recClioNotesEP)-clioLists, recCalls(e, "lawmatics", recLMNotesEP)-lmLists; n+m != 0 {
		t.Errorf("a run over known meetings listed notes %d (Clio) and %d (Lawmatics) times, want none", n, m)
	}

	// Partial: an earlier sync posted a new meeting's Clio note, then the
	// database was lost before its Lawmatics note. Only that one is posted.
	m3, err := e.sb.Zoom().EndMeeting(in("Half call", both))
	if err != nil {
		t.Fatal(err)
	}
	recLoseDatabase(t, e)
	cc, _ := e.plat.Clio(context.Background())
	cs, err := cc.FindContactsByEmail(context.Background(), both)
	if err != nil || len(cs) != 1 {
		t.Fatalf("Bea's Clio contact: %v %v", cs, err)
	}
	pre, err := cc.CreateNote(context.Background(), clio.NoteCreate{Type: "Contact", ContactID: cs[0].ID,
		Subject: jobs.CallNoteSubject(m3.Topic, m3.StartTime), Detail: "Meeting: Half call\n\n" + jobs.CallNoteMarker(m3.UUID) + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	res = recTargeted(e, m3.UUID)
	if c := res.Run.Counts; c.Created != 1 || c.Unchanged != 1 || c.Failed != 0 {
		t.Errorf("partial counts %+v; want the Lawmatics note created and the Clio one linked", c)
	}
	clioAfter, lmAfter = recMarked(e)
	if clioAfter[m3.UUID] != 1 || lmAfter[m3.UUID] != 1 {
		t.Errorf("the half-posted meeting has %d Clio and %d Lawmatics notes, want 1 and 1", clioAfter[m3.UUID], lmAfter[m3.UUID])
	}
	en, ok, err := e.st.Ledger("recordings", "meeting:"+m3.UUID)
	if err != nil || !ok || en.State != store.LedgerDone || en.Extra["clio.note"] != strconv.FormatInt(pre.ID, 10) || en.Extra["lawmatics.note"] == "" {
		t.Errorf("ledger of the half-posted meeting: %+v %v %v", en, ok, err)
	}
	var msg bool
	for _, rec := range e.logs("recordings", "") {
		msg = msg || rec.ItemKey == "meeting:"+m3.UUID && strings.Contains(rec.Message, "earlier sync already posted")
	}
	if !msg {
		t.Error("no log record says the Clio note was found and linked")
	}
}
