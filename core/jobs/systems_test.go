package jobs_test

// Every job against every practice-management system: the same scenario,
// table-driven over Clio, MyCase and Smokeball through the pms seam (the
// per-system driver is in systems_driver_test.go). The Clio-only tests of
// each job go deeper; these check that what a job promises holds for each
// system: one object per source object, quiet reruns, and no duplicate
// after the local database is lost.

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/pms"
	"github.com/firmsync/firmsync/core/store"
)

// sysEnv is a fresh sandbox whose jobs run against system kind.
func sysEnv(t *testing.T, kind string, size sandbox.Size, settings func(*jobs.Settings)) (*env, sysDriver) {
	t.Helper()
	e := newEnv(t, envOptions{PMS: kind, Size: size, Settings: settings})
	return e, newSysDriver(e, kind)
}

// sysRun runs a job in full once every earlier run has ended, with a
// context that is never cancelled (see contactsRunWith: a run started in
// the gap after another is coalesced into a follow-up bound to the
// earlier run's context), and settles the system's accepted writes.
func sysRun(e *env, d sysDriver, job string) engine.Result {
	e.t.Helper()
	e.eng.Wait()
	r := e.eng.Run(context.Background(), job, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	if r.Err != nil {
		e.t.Fatalf("%s run: %v", job, r.Err)
	}
	d.settle(e.t)
	return r
}

// sysLoseDatabase replaces the env's store and engine with empty ones over
// the same platforms: firmsync.db deleted, a new PC.
func sysLoseDatabase(t *testing.T, e *env) {
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

// sysLedger reads one ledger entry.
func sysLedger(t *testing.T, e *env, job, key string) (store.LedgerEntry, bool) {
	t.Helper()
	en, ok, err := e.st.Ledger(job, key)
	if err != nil {
		t.Fatal(err)
	}
	return en, ok
}

// sysQuiet fails unless a run created, updated, deleted and failed nothing.
func sysQuiet(t *testing.T, what string, r engine.Result) {
	t.Helper()
	if c := r.Run.Counts; c.Created+c.Updated+c.Deleted+c.Failed != 0 {
		t.Errorf("%s: counts %+v, want nothing created, updated, deleted or failed", what, c)
	}
}

// sysSameWrites fails when a platform served writes between two snapshots.
func sysSameWrites(t *testing.T, what string, before, after map[string]int, platforms ...string) {
	t.Helper()
	for _, p := range platforms {
		if after[p] != before[p] {
			t.Errorf("%s wrote to %s %d times", what, p, after[p]-before[p])
		}
	}
}

// ---------------------------------------------------------------- contacts

// sysContactWant is the Zoom external contact a system contact should
// become.
type sysContactWant struct {
	id, zoomID, name, email, phone, desc string
}

// sysContactWants lists the system's contacts through the seam: those with
// a usable phone, by Zoom id, and how many there are in all.
func sysContactWants(t *testing.T, e *env, d sysDriver) (map[string]sysContactWant, int) {
	t.Helper()
	out := map[string]sysContactWant{}
	n := 0
	err := sysSeam(t, e).Contacts(context.Background(), time.Time{}, func(c pms.Contact) error {
		n++
		phone, err := jobs.NormalizePhone(c.Phone, "US")
		if err != nil {
			return nil
		}
		w := sysContactWant{id: c.ID, zoomID: d.zoomID(c.ID), name: c.Name, email: c.Email, phone: phone,
			desc: pms.Name(d.kind()) + " contact " + c.ID}
		out[w.zoomID] = w
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, n
}

// sysCheckZoom asserts that Zoom holds exactly wants among the contacts
// Firmsync made.
func sysCheckZoom(t *testing.T, e *env, wants map[string]sysContactWant) {
	t.Helper()
	got := map[string]zoom.ExternalContact{}
	for _, c := range e.sb.Zoom().ExternalContacts() {
		if strings.HasPrefix(c.ID, sandbox.SeedPhoneContactPrefix) {
			continue // the demo firm's own directory
		}
		if _, dup := got[c.ID]; dup {
			t.Errorf("two Zoom contacts with id %s", c.ID)
		}
		got[c.ID] = c
	}
	for id := range got {
		if _, ok := wants[id]; !ok {
			t.Errorf("Zoom has contact %s (%s), which no system contact with a usable phone accounts for", id, got[id].Name)
		}
	}
	for id, w := range wants {
		c, ok := got[id]
		if !ok {
			t.Errorf("no Zoom contact %s for contact %s", id, w.id)
			continue
		}
		if c.Name != w.name || c.Email != w.email || !slices.Equal(c.PhoneNumbers, []string{w.phone}) || c.Description != w.desc {
			t.Errorf("Zoom contact %s = {name %q email %q phones %v description %q}, want {%q %q [%s] %q}",
				id, c.Name, c.Email, c.PhoneNumbers, c.Description, w.name, w.email, w.phone, w.desc)
		}
	}
}

func TestSystemsContacts(t *testing.T) {
	for _, sys := range sysSystems {
		t.Run(sys, func(t *testing.T) {
			t.Parallel()
			e, d := sysEnv(t, sys, sandbox.Size{Contacts: 12, Matters: 2}, nil)
			// A contact nobody's matter needs, to be deleted later (Clio
			// refuses to delete a matter's client).
			temp := d.addClient(t, "Temporary", "Caller", "temporary.caller@example.com", "(415) 555-0199")
			wants, all := sysContactWants(t, e, d)
			if len(wants) < 4 || len(wants) == all {
				t.Fatalf("%s firm: %d contacts, %d with a usable phone; want several of each kind", sys, all, len(wants))
			}
			if _, ok := wants[d.zoomID(temp)]; !ok {
				t.Fatalf("the added contact %s has no usable phone through the seam", temp)
			}

			r := sysRun(e, d, "contacts")
			if c := r.Run.Counts; r.Run.Status != store.RunSucceeded || c.Created != len(wants) || c.Skipped != all-len(wants) ||
				c.Updated != 0 || c.Deleted != 0 || c.Failed != 0 {
				t.Fatalf("first run: %s %+v, want %d created and %d skipped", r.Run.Status, c, len(wants), all-len(wants))
			}
			sysCheckZoom(t, e, wants)

			w := e.writes()
			sysQuiet(t, "second run", sysRun(e, d, "contacts"))
			sysSameWrites(t, "the second run", w, e.writes(), "zoom", sys)

			// An email edited in the system reaches Zoom on the next run.
			var edit sysContactWant
			for _, cw := range wants {
				if cw.id != temp && (edit.id == "" || pms.CompareIDs(cw.id, edit.id) < 0) {
					edit = cw
				}
			}
			d.editClientEmail(t, edit.id, "edited.address@example.org")
			r = sysRun(e, d, "contacts")
			if c := r.Run.Counts; c.Updated != 1 || c.Created != 0 || c.Deleted != 0 || c.Failed != 0 {
				t.Errorf("run after an email edit: %+v, want exactly 1 update", c)
			}
			wants, _ = sysContactWants(t, e, d)
			if got := wants[edit.zoomID].email; got != "edited.address@example.org" {
				t.Fatalf("the seam reads the edited email as %q", got)
			}
			sysCheckZoom(t, e, wants)

			// A contact deleted in the system leaves Zoom at the next
			// deletion check (at most daily; made due here).
			d.deleteClient(t, temp)
			if err := e.st.SetWatermark("contacts/deletions", time.Now().Add(-25*time.Hour).UTC().Format(time.RFC3339Nano)); err != nil {
				t.Fatal(err)
			}
			r = sysRun(e, d, "contacts")
			if c := r.Run.Counts; c.Deleted != 1 || c.Created != 0 || c.Updated != 0 || c.Failed != 0 {
				t.Errorf("deletion check after a delete: %+v, want exactly 1 deleted", c)
			}
			wants, _ = sysContactWants(t, e, d)
			if _, ok := wants[d.zoomID(temp)]; ok {
				t.Fatalf("the seam still lists deleted contact %s", temp)
			}
			sysCheckZoom(t, e, wants)
			if _, ok := sysLedger(t, e, "contacts", strings.Replace(d.zoomID(temp), "-", ":", 1)); ok {
				t.Errorf("the deleted contact %s is still linked in the ledger", temp)
			}
		})
	}
}

// A client's number typed in the system with its country code ("+44 …",
// as the demo firm's UK clients have it) is a usable number in every
// system, so the client reaches Zoom Phone whichever system the firm runs.
func TestSystemsContactsInternationalNumber(t *testing.T) {
	for _, sys := range sysSystems {
		t.Run(sys, func(t *testing.T) {
			t.Parallel()
			e, d := sysEnv(t, sys, sandbox.Size{Contacts: 1, Matters: 1}, nil)
			id := d.addClient(t, "Harriet", "Abbott", "harriet.abbott@example.co.uk", "+44 20 7946 0999")
			c, err := sysSeam(t, e).Contact(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if p, err := jobs.NormalizePhone(c.Phone, "US"); err != nil || p != "+442079460999" {
				t.Errorf("%s reads the number typed as %q back as %q (normalised %q, %v); want +442079460999", sys, "+44 20 7946 0999", c.Phone, p, err)
			}
			sysRun(e, d, "contacts")
			if z, ok := contactsInZoom(e)[d.zoomID(id)]; !ok || !slices.Equal(z.PhoneNumbers, []string{"+442079460999"}) {
				t.Errorf("Zoom contact %s: %+v (present %v), want the number +442079460999", d.zoomID(id), z, ok)
			}
		})
	}
}

// ---------------------------------------------------------------- recordings

// sysMeeting is a recorded meeting and the contact its note belongs on
// ("" when no participant is a contact of the system).
type sysMeeting struct {
	uuid, contactID string
	ready           bool // transcript there
}

// sysMeetings lists the sandbox's meetings and matches each with the
// system's contacts as the job promises: participants other than the
// firm's own account, in Zoom's order; the first email with a contact
// wins, the lowest id among several.
func sysMeetings(t *testing.T, e *env) []sysMeeting {
	t.Helper()
	ctx := context.Background()
	zc, err := e.plat.Zoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seam := sysSeam(t, e)
	now := time.Now().UTC()
	var out []sysMeeting
	err = zc.Recordings(ctx, now.AddDate(0, 0, -40), now, func(m zoom.Meeting) error {
		sm := sysMeeting{uuid: m.UUID}
		_, sm.ready = zoom.TranscriptFile(m)
		parts, err := zc.Participants(ctx, m.UUID)
		if err != nil {
			return err
		}
		for _, p := range parts {
			em := strings.ToLower(strings.TrimSpace(p.UserEmail))
			if em == "" || em == recOwner {
				continue
			}
			cs, err := seam.ContactsByEmail(ctx, em)
			if err != nil {
				return err
			}
			if len(cs) > 0 {
				sm.contactID = slices.MinFunc(cs, func(a, b pms.Contact) int { return pms.CompareIDs(a.ID, b.ID) }).ID
				break
			}
		}
		out = append(out, sm)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sysMarkers counts, per meeting, the call-note markers in the system's
// notes: in all, and on the meeting's contact.
func sysMarkers(t *testing.T, d sysDriver, ms []sysMeeting) (total, onContact map[string]int) {
	t.Helper()
	total, onContact = map[string]int{}, map[string]int{}
	notes := d.notes(t)
	for _, m := range ms {
		marker := jobs.CallNoteMarker(m.uuid)
		for _, n := range notes {
			k := strings.Count(n.body, marker)
			total[m.uuid] += k
			if n.contactID == m.contactID {
				onContact[m.uuid] += k
			}
		}
	}
	return total, onContact
}

func TestSystemsRecordings(t *testing.T) {
	for _, sys := range sysSystems {
		t.Run(sys, func(t *testing.T) {
			t.Parallel()
			e, d := sysEnv(t, sys, sandbox.Size{Contacts: 12, Matters: 2, Recordings: 4}, recPatient)
			ms := sysMeetings(t, e)
			var posted []sysMeeting
			unmatched := 0
			for _, m := range ms {
				switch {
				case m.contactID == "":
					unmatched++
				case m.ready:
					posted = append(posted, m)
				}
			}
			if len(posted) < 2 || unmatched == 0 {
				t.Fatalf("%s firm: %d meetings, %d to post and %d unmatched; want several to post and one unmatched", sys, len(ms), len(posted), unmatched)
			}

			check := func(when string) {
				t.Helper()
				total, on := sysMarkers(t, d, ms)
				for _, m := range ms {
					want := 0
					if m.contactID != "" && m.ready {
						want = 1
					}
					if total[m.uuid] != want || on[m.uuid] != want {
						t.Errorf("%s: meeting %s has %d notes (%d on contact %q), want %d", when, m.uuid, total[m.uuid], on[m.uuid], m.contactID, want)
					}
				}
			}

			r := sysRun(e, d, "recordings")
			if c := r.Run.Counts; c.Created != len(posted) {
				t.Errorf("first run: %+v, want %d notes created", c, len(posted))
			}
			check("after the first run")

			w := e.writes()
			r = sysRun(e, d, "recordings")
			if c := r.Run.Counts; c.Created != 0 || c.Updated != 0 {
				t.Errorf("second run: %+v, want no note", c)
			}
			sysSameWrites(t, "the second run", w, e.writes(), sys)
			check("after the second run")

			sysLoseDatabase(t, e)
			w = e.writes()
			r = sysRun(e, d, "recordings")
			if c := r.Run.Counts; c.Created != 0 || c.Unchanged != len(posted) {
				t.Errorf("run after a lost database: %+v, want no note and the %d posted ones linked", c, len(posted))
			}
			sysSameWrites(t, "the run after a lost database", w, e.writes(), sys)
			check("after a lost database")
		})
	}
}

// ---------------------------------------------------------------- folders

// sysMatters lists the system's matters through the seam (statuses nil:
// all).
func sysMatters(t *testing.T, e *env, statuses ...string) []pms.Matter {
	t.Helper()
	var out []pms.Matter
	if err := sysSeam(t, e).Matters(context.Background(), pms.MatterQuery{Statuses: statuses}, func(m pms.Matter) error {
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b pms.Matter) int { return pms.CompareIDs(a.ID, b.ID) })
	return out
}

// sysRootFolders maps the names of the folders in the Box matters folder
// to their ids.
func sysRootFolders(t *testing.T, e *env) map[string]string {
	t.Helper()
	_, items, err := e.sb.Box().Folder(e.sb.BoxRoot())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, it := range items {
		if _, dup := out[it.Name]; dup {
			t.Errorf("two items named %q in the matters folder", it.Name)
		}
		out[it.Name] = it.ID
	}
	return out
}

// sysCheckFolders asserts one folder per matter, with the subfolders, its
// link, and (where the system has fields) its id in the matter's field;
// it returns the folder ids by matter.
func sysCheckFolders(t *testing.T, e *env, d sysDriver, want []pms.Matter) map[string]string {
	t.Helper()
	root := sysRootFolders(t, e)
	if len(root) != len(want) {
		t.Errorf("%d items in the matters folder, want %d (one per open or pending matter): %v", len(root), len(want), root)
	}
	subs := jobs.DefaultSubfolders()
	sort.Strings(subs)
	out := map[string]string{}
	for _, m := range want {
		name := jobs.FolderNameForTest(m.Number, m.Description)
		id, ok := root[name]
		if !ok {
			t.Errorf("matter %s: no folder %q in Box", m.ID, name)
			continue
		}
		out[m.ID] = id
		if en, ok := sysLedger(t, e, "folders", "matter:"+m.ID); !ok || en.State != store.LedgerDone || en.TargetID != id {
			t.Errorf("matter %s: link %+v (found %v), want done → %s", m.ID, en, ok, id)
		}
		if got := foldSubfolders(t, e, id); !slices.Equal(got, subs) {
			t.Errorf("matter %s: subfolders %v, want %v", m.ID, got, subs)
		}
		if d.hasFields() {
			if vals := d.fieldValues(t, m.ID, "Box Folder ID"); !slices.Equal(vals, []string{id}) {
				t.Errorf("matter %s: %q values %v, want exactly [%s]", m.ID, "Box Folder ID", vals, id)
			}
		}
	}
	return out
}

func TestSystemsFolders(t *testing.T) {
	for _, sys := range sysSystems {
		t.Run(sys, func(t *testing.T) {
			t.Parallel()
			e, d := sysEnv(t, sys, sandbox.Size{Contacts: 6, Matters: 12}, nil)
			want := sysMatters(t, e, "open", "pending")
			if all := sysMatters(t, e); len(want) < 2 || len(want) == len(all) {
				t.Fatalf("%s firm: %d matters, %d open or pending; want a closed one too", sys, len(all), len(want))
			}
			fieldMade := 0
			if d.hasFields() {
				fieldMade = 1 // the "Box Folder ID" field itself
			}

			r := sysRun(e, d, "folders")
			if c := r.Run.Counts; c.Created != len(want)+fieldMade || c.Updated != 0 || c.Failed != 0 {
				t.Errorf("first run: %+v, want %d folders created (+%d field)", c, len(want), fieldMade)
			}
			links := sysCheckFolders(t, e, d, want)

			w := e.writes()
			sysQuiet(t, "second run", sysRun(e, d, "folders"))
			sysSameWrites(t, "the second run", w, e.writes(), "box", sys)

			// A lost database: the folders are found again (by the id in
			// the matter's field, or, in Smokeball, by name), none is made.
			sysLoseDatabase(t, e)
			w = e.writes()
			r = sysRun(e, d, "folders")
			if c := r.Run.Counts; c.Created != 0 || c.Failed != 0 {
				t.Errorf("run after a lost database: %+v, want no folder created", c)
			}
			if d.hasFields() {
				// Adopted by the field: not even a refused create.
				sysSameWrites(t, "the run after a lost database", w, e.writes(), "box", sys)
			}
			if got := sysCheckFolders(t, e, d, want); len(got) != len(links) {
				t.Errorf("after a lost database %d matters have folders, before %d", len(got), len(links))
			} else {
				for mid, id := range links {
					if got[mid] != id {
						t.Errorf("matter %s: folder %s after a lost database, %s before", mid, got[mid], id)
					}
				}
			}
			sysQuiet(t, "run after the rebuild", sysRun(e, d, "folders"))
		})
	}
}

// ---------------------------------------------------------------- documents

// sysDocWant is a document and the Box folder it belongs in.
type sysDocWant struct {
	doc    pms.Document
	folder string
}

// sysDocWants lists, through the seam, the documents of every matter the
// folders job linked to a Box folder.
func sysDocWants(t *testing.T, e *env) []sysDocWant {
	t.Helper()
	ens, err := e.st.LedgerEntries("folders", store.LedgerDone)
	if err != nil {
		t.Fatal(err)
	}
	seam := sysSeam(t, e)
	var out []sysDocWant
	for _, en := range ens {
		mid, ok := strings.CutPrefix(en.Key, "matter:")
		if !ok || en.TargetID == "" {
			continue
		}
		err := seam.Documents(context.Background(), pms.DocumentQuery{MatterIDs: []string{mid}}, func(doc pms.Document) error {
			out = append(out, sysDocWant{doc: doc, folder: en.TargetID})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sysCheckDocs asserts each document in its matter's Box folder, once,
// with the system's bytes, and returns the Box file ids by document.
func sysCheckDocs(t *testing.T, e *env, d sysDriver, wants []sysDocWant) map[string]string {
	t.Helper()
	perFolder := map[string]int{}
	out := map[string]string{}
	for _, w := range wants {
		perFolder[w.folder]++
		en, ok := sysLedger(t, e, "documents", "doc:"+w.doc.ID)
		if !ok || en.State != store.LedgerDone || en.TargetID == "" {
			t.Errorf("document %s (%s): link %+v (found %v), want done", w.doc.ID, w.doc.Name, en, ok)
			continue
		}
		out[w.doc.ID] = en.TargetID
		_, items, err := e.sb.Box().Folder(w.folder)
		if err != nil {
			t.Fatal(err)
		}
		var named []box.Item
		for _, it := range items {
			if it.Type == "file" && it.Name == box.SanitizeName(w.doc.Name) {
				named = append(named, it)
			}
		}
		if len(named) != 1 || named[0].ID != en.TargetID {
			t.Errorf("document %s (%s): Box folder %s holds %d files of that name %v, want exactly its file %s",
				w.doc.ID, w.doc.Name, w.folder, len(named), named, en.TargetID)
			continue
		}
		want, ok := d.docContent(t, w.doc.ID)
		if !ok {
			t.Errorf("document %s: the system has no content for it", w.doc.ID)
			continue
		}
		got, err := e.sb.Box().FileContent(en.TargetID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("document %s (%s): Box file %s has %d bytes that differ from the system's %d", w.doc.ID, w.doc.Name, en.TargetID, len(got), len(want))
		}
	}
	for folder, n := range perFolder {
		_, items, err := e.sb.Box().Folder(folder)
		if err != nil {
			t.Fatal(err)
		}
		files := 0
		for _, it := range items {
			if it.Type == "file" {
				files++
			}
		}
		if files != n {
			t.Errorf("Box folder %s holds %d files, want %d (one per document)", folder, files, n)
		}
	}
	return out
}

func TestSystemsDocuments(t *testing.T) {
	for _, sys := range sysSystems {
		t.Run(sys, func(t *testing.T) {
			t.Parallel()
			e, d := sysEnv(t, sys, sandbox.Size{Contacts: 4, Matters: 4, Documents: 8}, nil)
			if r := sysRun(e, d, "folders"); r.Run.Counts.Failed != 0 {
				t.Fatalf("folders run: %+v", r.Run.Counts)
			}
			wants := sysDocWants(t, e)
			if len(wants) < 4 {
				t.Fatalf("%s firm: %d documents in matters with a folder; want several", sys, len(wants))
			}

			r := sysRun(e, d, "documents")
			if c := r.Run.Counts; c.Created != len(wants) || c.Updated != 0 || c.Failed != 0 {
				t.Errorf("first run: %+v, want %d files created", c, len(wants))
			}
			files := sysCheckDocs(t, e, d, wants)

			w := e.writes()
			sysQuiet(t, "second run", sysRun(e, d, "documents"))
			sysSameWrites(t, "the second run", w, e.writes(), "box")

			// A document added later in the system arrives on the next run.
			// (Smokeball: only because this firm is minutes old. Its seam
			// lists files per matter, and a changed-since listing covers only
			// the matters changed since the watermark less a minute, plus a
			// rotating 1/96 of the others; the watermark trails each run's
			// start by 5 minutes, so here every matter still counts as
			// changed. In a firm whose matters are older, a file added to an
			// unchanged matter waits for its rotation slot: see the report.)
			mid := wants[0].doc.MatterID
			body := []byte("Memo filed after the first sync.\n" + strings.Repeat("Later. ", 40))
			later := d.addDocument(t, mid, "Later memo.txt", body)
			r = sysRun(e, d, "documents")
			if c := r.Run.Counts; c.Created != 1 || c.Updated != 0 || c.Failed != 0 {
				t.Errorf("run after a document was added to matter %s: %+v, want exactly 1 file created", mid, c)
			}
			wants = sysDocWants(t, e)
			if !slices.ContainsFunc(wants, func(w sysDocWant) bool { return w.doc.ID == later }) {
				t.Fatalf("the seam does not list the added document %s", later)
			}
			files = sysCheckDocs(t, e, d, wants)

			// A lost database: the files are found in Box, none is sent again.
			boxFiles := len(e.sb.Box().Files())
			sysLoseDatabase(t, e)
			if r := sysRun(e, d, "folders"); r.Run.Counts.Created != 0 || r.Run.Counts.Failed != 0 {
				t.Fatalf("folders run after a lost database: %+v", r.Run.Counts)
			}
			r = sysRun(e, d, "documents")
			if c := r.Run.Counts; c.Created != 0 || c.Updated != 0 || c.Failed != 0 {
				t.Errorf("documents run after a lost database: %+v, want every file linked, none sent", c)
			}
			if n := len(e.sb.Box().Files()); n != boxFiles {
				t.Errorf("Box holds %d files after the rebuild, %d before", n, boxFiles)
			}
			again := sysCheckDocs(t, e, d, wants)
			for id, f := range files {
				if again[id] != f {
					t.Errorf("document %s: linked to Box file %s after the rebuild, %s before", id, again[id], f)
				}
			}
			sysQuiet(t, "run after the rebuild", sysRun(e, d, "documents"))
		})
	}
}

// ---------------------------------------------------------------- intake

// sysHired is the sandbox's hired Lawmatics prospects.
func sysHired(e *env) []lawmatics.Prospect {
	var out []lawmatics.Prospect
	for _, p := range e.sb.Lawmatics().Prospects() {
		if p.Attributes.Status == lawmatics.StatusHired {
			out = append(out, p)
		}
	}
	return out
}

// sysIntakeState is what intake made in the system: per prospect its
// matter, and the documents of that matter by name.
type sysIntakeState struct {
	matter map[string]string         // prospect id → matter id
	docs   map[string]map[string]int // matter id → document name → count
	count  int                       // every matter in the system
}

// sysCheckIntake asserts, for each hired prospect, exactly one matter in
// the system carrying its case number and its key (the "Lawmatics
// Prospect ID" field, or Smokeball's externalSystemId), linked in the
// ledger, with each of its files as a document of the same bytes.
func sysCheckIntake(t *testing.T, e *env, d sysDriver, hired []lawmatics.Prospect) sysIntakeState {
	t.Helper()
	ctx := context.Background()
	lm, err := e.plat.Lawmatics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seam := sysSeam(t, e)
	all := sysMatters(t, e)
	st := sysIntakeState{matter: map[string]string{}, docs: map[string]map[string]int{}, count: len(all)}
	for _, p := range hired {
		var with []pms.Matter
		for _, m := range all {
			if p.Attributes.CaseNumber != "" && m.CustomNumber == p.Attributes.CaseNumber {
				with = append(with, m)
			}
		}
		if len(with) != 1 {
			t.Errorf("prospect %s: %d matters numbered %q, want exactly 1", p.ID, len(with), p.Attributes.CaseNumber)
			continue
		}
		m := with[0]
		st.matter[p.ID] = m.ID
		if en, ok := sysLedger(t, e, "intake", "prospect:"+p.ID); !ok || en.State != store.LedgerDone || en.TargetID != m.ID {
			t.Errorf("prospect %s: link %+v (found %v), want done → matter %s", p.ID, en, ok, m.ID)
		}
		if m.Description != p.Attributes.CaseTitle {
			t.Errorf("prospect %s: matter description %q, want the case title %q", p.ID, m.Description, p.Attributes.CaseTitle)
		}
		if d.hasFields() {
			if vals := d.fieldValues(t, m.ID, jobs.IntakeFieldName); !slices.Equal(vals, []string{p.ID}) {
				t.Errorf("prospect %s: matter %s %q values %v, want [%s]", p.ID, m.ID, jobs.IntakeFieldName, vals, p.ID)
			}
		} else if k := d.externalKey(t, m.ID); k != "lawmatics:"+p.ID {
			t.Errorf("prospect %s: matter %s external key %q, want %q", p.ID, m.ID, k, "lawmatics:"+p.ID)
		}
		names := map[string]int{}
		if err := seam.Documents(ctx, pms.DocumentQuery{MatterIDs: []string{m.ID}}, func(doc pms.Document) error {
			names[doc.Name]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		st.docs[m.ID] = names
		fs, err := lm.Files(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) == 0 {
			t.Errorf("prospect %s has no files to check", p.ID)
		}
		if n := sysSum(names); n != len(fs) {
			t.Errorf("prospect %s: matter %s has %d documents %v, want its %d files", p.ID, m.ID, n, names, len(fs))
		}
		for _, f := range fs {
			en, ok := sysLedger(t, e, "intake", "lmfile:"+f.ID)
			if !ok || en.State != store.LedgerDone || en.TargetID == "" {
				t.Errorf("file %s of prospect %s: link %+v (found %v), want done", f.ID, p.ID, en, ok)
				continue
			}
			doc, err := seam.Document(ctx, en.TargetID)
			if err != nil {
				t.Errorf("file %s: document %s: %v", f.ID, en.TargetID, err)
				continue
			}
			if doc.MatterID != m.ID {
				t.Errorf("file %s: document %s is on matter %s, want %s", f.ID, doc.ID, doc.MatterID, m.ID)
			}
			rc, _, _, err := lm.DownloadFile(ctx, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := io.ReadAll(rc)
			rc.Close()
			if got, ok := d.docContent(t, en.TargetID); !ok || !bytes.Equal(got, want) {
				t.Errorf("file %s: document %s holds %q (present %v), want %q", f.ID, en.TargetID, got, ok, want)
			}
		}
	}
	return st
}

func sysSum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// sysSameIntake fails when intake made or lost a matter or a document.
func sysSameIntake(t *testing.T, what string, before, after sysIntakeState) {
	t.Helper()
	if after.count != before.count {
		t.Errorf("%s: %d matters in the system, %d before", what, after.count, before.count)
	}
	for pid, mid := range before.matter {
		if after.matter[pid] != mid {
			t.Errorf("%s: prospect %s has matter %q, before %s", what, pid, after.matter[pid], mid)
		}
		if a, b := after.docs[mid], before.docs[mid]; sysSum(a) != sysSum(b) {
			t.Errorf("%s: matter %s documents %v, before %v", what, mid, a, b)
		}
	}
}

func TestSystemsIntake(t *testing.T) {
	for _, sys := range sysSystems {
		t.Run(sys, func(t *testing.T) {
			t.Parallel()
			e, d := sysEnv(t, sys, sandbox.Size{Contacts: 6, Matters: 2, Prospects: 4}, nil)
			hired := sysHired(e)
			if len(hired) < 2 {
				t.Fatalf("%d hired prospects, want several", len(hired))
			}
			before := len(sysMatters(t, e))

			r := sysRun(e, d, "intake")
			if c := r.Run.Counts; c.Failed != 0 || c.Created < 2*len(hired) { // a matter and a document each, at least
				t.Errorf("first run: %+v", c)
			}
			first := sysCheckIntake(t, e, d, hired)
			if first.count != before+len(hired) {
				t.Errorf("%d matters after intake, %d before; want one more per hired prospect (%d)", first.count, before, len(hired))
			}
			for _, p := range hired {
				if en, _ := sysLedger(t, e, "intake", "prospect:"+p.ID); en.Extra["link_status"] != "active" {
					t.Errorf("prospect %s: link status %q, want active", p.ID, en.Extra["link_status"])
				}
			}

			w := e.writes()
			r = sysRun(e, d, "intake")
			if c := r.Run.Counts; c.Created != 0 || c.Failed != 0 {
				t.Errorf("rerun: %+v, want nothing created", c)
			}
			sysSameWrites(t, "the rerun", w, e.writes(), sys)
			sysSameIntake(t, "after the rerun", first, sysCheckIntake(t, e, d, hired))

			sysLoseDatabase(t, e)
			r = sysRun(e, d, "intake")
			if c := r.Run.Counts; c.Created != 0 || c.Failed != 0 {
				t.Errorf("run after a lost database: %+v, want nothing created", c)
			}
			sysSameIntake(t, "after a lost database", first, sysCheckIntake(t, e, d, hired))

			// The matter closed in the system: its link says so.
			p := hired[0]
			d.setMatterStatus(t, first.matter[p.ID], "closed")
			r = sysRun(e, d, "intake")
			if c := r.Run.Counts; c.Created != 0 || c.Failed != 0 || c.Updated < 1 {
				t.Errorf("run after closing matter %s: %+v, want the link updated", first.matter[p.ID], c)
			}
			for _, q := range hired {
				want := "active"
				if q.ID == p.ID {
					want = "closed"
				}
				if en, _ := sysLedger(t, e, "intake", "prospect:"+q.ID); en.Extra["link_status"] != want {
					t.Errorf("prospect %s: link status %q, want %s", q.ID, en.Extra["link_status"], want)
				}
			}
		})
	}
}

// With the keep-both name-clash rule, a lost database must not turn the
// firm's own earlier uploads into clashes: each file in Box is linked
// again, none is uploaded a second time under a keep-both name.
func TestSystemsDocumentsKeepBothRebuild(t *testing.T) {
	for _, sys := range sysSystems {
		t.Run(sys, func(t *testing.T) {
			t.Parallel()
			e, d := sysEnv(t, sys, sandbox.Size{Contacts: 4, Matters: 2, Documents: 4},
				func(s *jobs.Settings) { s.NameClash = "keep_both" })
			sysRun(e, d, "folders")
			wants := sysDocWants(t, e)
			if len(wants) < 2 {
				t.Fatalf("%s firm: %d documents in matters with a folder; want several", sys, len(wants))
			}
			if r := sysRun(e, d, "documents"); r.Run.Counts.Created != len(wants) || r.Run.Counts.Failed != 0 {
				t.Fatalf("first run: %+v, want %d files created", r.Run.Counts, len(wants))
			}
			files := sysCheckDocs(t, e, d, wants)
			boxFiles := len(e.sb.Box().Files())

			sysLoseDatabase(t, e)
			sysRun(e, d, "folders")
			w := e.writes()
			r := sysRun(e, d, "documents")
			if c := r.Run.Counts; c.Created != 0 || c.Updated != 0 || c.Failed != 0 {
				t.Errorf("documents run after a lost database: %+v, want every file linked, none sent", c)
			}
			sysSameWrites(t, "the documents run after a lost database", w, e.writes(), "box")
			if n := len(e.sb.Box().Files()); n != boxFiles {
				t.Errorf("Box holds %d files after the rebuild, %d before", n, boxFiles)
			}
			again := sysCheckDocs(t, e, d, wants)
			for id, f := range files {
				if again[id] != f {
					t.Errorf("document %s: linked to Box file %s after the rebuild, %s before", id, again[id], f)
				}
			}
		})
	}
}
