package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/store"
)

// intakeRunFull and intakeRunWith run the job once the previous run has
// fully ended (the engine only forgets a finished run after Run returned,
// and a run started in that gap is coalesced into a follow-up bound to the
// previous, already cancelled, context).
func intakeRunFull(e *env) engine.Result {
	e.t.Helper()
	e.eng.Wait()
	return e.run("intake")
}

func intakeRunWith(e *env, t engine.Trigger, o engine.RunOptions) engine.Result {
	e.t.Helper()
	e.eng.Wait()
	return e.runWith("intake", t, o)
}

// intakeProspects lists every Lawmatics prospect of the sandbox, by id.
func intakeProspects(e *env) []lawmatics.Prospect {
	e.t.Helper()
	lm, err := e.plat.Lawmatics(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	var out []lawmatics.Prospect
	if err := lm.Prospects(context.Background(), lawmatics.ProspectQuery{}, func(p lawmatics.Prospect) error {
		out = append(out, p)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b lawmatics.Prospect) int {
		x, _ := strconv.Atoi(a.ID)
		y, _ := strconv.Atoi(b.ID)
		return x - y
	})
	return out
}

// intakeHired returns the hired prospects, by id.
func intakeHired(e *env) []lawmatics.Prospect {
	var out []lawmatics.Prospect
	for _, p := range intakeProspects(e) {
		if p.Attributes.Status == lawmatics.StatusHired {
			out = append(out, p)
		}
	}
	return out
}

func intakeClio(e *env) *clio.Client {
	e.t.Helper()
	c, err := e.plat.Clio(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// intakeLink reads the job's ledger entry for key.
func intakeLink(e *env, key string) (store.LedgerEntry, bool) {
	e.t.Helper()
	en, ok, err := e.st.Ledger("intake", key)
	if err != nil {
		e.t.Fatal(err)
	}
	return en, ok
}

// intakeMatter returns the Clio matter linked to a prospect.
func intakeMatter(e *env, pid string) clio.Matter {
	e.t.Helper()
	en, ok := intakeLink(e, "prospect:"+pid)
	if !ok || en.State != store.LedgerDone {
		e.t.Fatalf("prospect %s: no finished link (%+v)", pid, en)
	}
	id, _ := strconv.ParseInt(en.TargetID, 10, 64)
	m, ok := e.sb.Clio().Matter(id)
	if !ok {
		e.t.Fatalf("prospect %s: Clio matter %s does not exist", pid, en.TargetID)
	}
	return m
}

// intakeMattersFor lists the Clio matters whose "Lawmatics Prospect ID" is pid.
func intakeMattersFor(e *env, pid string) []clio.Matter {
	e.t.Helper()
	c := intakeClio(e)
	fs, err := c.CustomFields(context.Background(), "Matter")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []clio.Matter
	for _, f := range fs {
		if f.Name != jobs.IntakeFieldName {
			continue
		}
		err := c.Matters(context.Background(), clio.MatterQuery{CustomFieldValue: map[int64]string{f.ID: pid}}, func(m clio.Matter) error {
			out = append(out, m)
			return nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

// intakeMatterCount counts every Clio matter.
func intakeMatterCount(e *env) int {
	e.t.Helper()
	n := 0
	if err := intakeClio(e).Matters(context.Background(), clio.MatterQuery{}, func(clio.Matter) error { n++; return nil }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// intakeContactIDs lists every Clio contact id.
func intakeContactIDs(e *env) map[int64]bool {
	e.t.Helper()
	out := map[int64]bool{}
	if err := intakeClio(e).Contacts(context.Background(), clio.ContactQuery{}, func(c clio.Contact) error {
		out[c.ID] = true
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// intakeFieldValue is a matter's "Lawmatics Prospect ID" value.
func intakeFieldValue(m clio.Matter) string {
	for _, v := range m.CustomFieldValues {
		if v.FieldName == jobs.IntakeFieldName && v.Value != nil {
			return strings.TrimSpace(strings.Trim(string(mustJSON(v.Value)), `"`))
		}
	}
	return ""
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// intakeFault makes the sandbox fail the next count requests to a path.
func intakeFault(e *env, platform, prefix string, status, count int) {
	e.t.Helper()
	b, _ := json.Marshal(map[string]any{"platform": platform, "path_prefix": prefix, "status": status, "count": count})
	resp, err := http.Post(e.sb.AdminURL()+"/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		e.t.Fatalf("adding a fault: HTTP %d", resp.StatusCode)
	}
}

// intakeLogWith finds a log record of the intake job whose message or
// error contains s.
func intakeLogWith(e *env, status, s string) (store.LogRecord, bool) {
	for _, rec := range e.logs("intake", status) {
		if strings.Contains(rec.Message, s) || strings.Contains(rec.Error, s) {
			return rec, true
		}
	}
	return store.LogRecord{}, false
}

// intakeCheckMatter asserts a matter made from prospect p.
func intakeCheckMatter(t *testing.T, e *env, p lawmatics.Prospect, wantArea string) clio.Matter {
	t.Helper()
	m := intakeMatter(e, p.ID)
	if m.Description != p.Attributes.CaseTitle {
		t.Errorf("prospect %s: description %q, want %q", p.ID, m.Description, p.Attributes.CaseTitle)
	}
	if m.CustomNumber != p.Attributes.CaseNumber {
		t.Errorf("prospect %s: custom_number %q, want %q", p.ID, m.CustomNumber, p.Attributes.CaseNumber)
	}
	gotArea := ""
	if m.PracticeArea != nil {
		gotArea = m.PracticeArea.Name
	}
	if gotArea != wantArea {
		t.Errorf("prospect %s (case type %s): practice area %q, want %q", p.ID, p.Attributes.CaseType(), gotArea, wantArea)
	}
	if m.Status != "Open" {
		t.Errorf("prospect %s: status %q, want Open", p.ID, m.Status)
	}
	if v := intakeFieldValue(m); v != p.ID {
		t.Errorf("prospect %s: %q custom field = %q", p.ID, jobs.IntakeFieldName, v)
	}
	return m
}

// intakeCheckFiles asserts every file of prospect p is a document on its
// matter with the same bytes.
func intakeCheckFiles(t *testing.T, e *env, p lawmatics.Prospect, matterID int64) int {
	t.Helper()
	ctx := context.Background()
	lm, _ := e.plat.Lawmatics(ctx)
	fs, err := lm.Files(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		en, ok := intakeLink(e, "lmfile:"+f.ID)
		if !ok || en.State != store.LedgerDone {
			t.Fatalf("file %s of prospect %s: no finished link (%+v)", f.ID, p.ID, en)
		}
		docID, _ := strconv.ParseInt(en.TargetID, 10, 64)
		got, ok := e.sb.Clio().DocumentContent(docID)
		if !ok {
			t.Fatalf("file %s: Clio document %d has no content", f.ID, docID)
		}
		body, _, _, err := lm.DownloadFile(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(body)
		body.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("file %s: Clio document bytes %q, want %q", f.ID, got, want)
		}
		var onMatter bool
		err = intakeClio(e).Documents(ctx, matterID, clio.DocumentQuery{}, func(d clio.Document) error {
			onMatter = onMatter || d.ID == docID
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !onMatter {
			t.Errorf("file %s: document %d is not on matter %d", f.ID, docID, matterID)
		}
	}
	return len(fs)
}

func TestIntakeFirstRunCreatesMattersContactsAndDocuments(t *testing.T) {
	e := newEnv(t, envOptions{})
	hired := intakeHired(e)
	if len(hired) != 2 {
		t.Fatalf("the demo firm has %d hired prospects, want 2", len(hired))
	}
	before := intakeContactIDs(e)
	mattersBefore := intakeMatterCount(e)

	r := intakeRunFull(e)
	c := r.Run.Counts
	// 1 custom field + 1 contact + 2 matters + 2 documents.
	if c.Created != 6 || c.Failed != 0 || c.Updated != 0 || r.Run.Status != "succeeded" {
		t.Fatalf("first run: %+v status %s", c, r.Run.Status)
	}
	if got := intakeMatterCount(e); got != mattersBefore+2 {
		t.Errorf("Clio matters: %d, want %d", got, mattersBefore+2)
	}
	mapping := jobs.DefaultCaseTypeMapping()
	docs := 0
	for i, p := range hired {
		m := intakeCheckMatter(t, e, p, mapping[p.Attributes.CaseType()])
		docs += intakeCheckFiles(t, e, p, m.ID)
		if en, _ := intakeLink(e, "prospect:"+p.ID); en.Extra["link_status"] != "active" {
			t.Errorf("prospect %s: link status %q, want active", p.ID, en.Extra["link_status"])
		}
		if m.Client == nil {
			t.Fatalf("prospect %s: matter has no client", p.ID)
		}
		if i == 0 {
			// Even-indexed prospects reuse an existing Clio client.
			if !before[m.Client.ID] {
				t.Errorf("prospect %s: client %d is new; want the existing contact matched by email", p.ID, m.Client.ID)
			}
			continue
		}
		if before[m.Client.ID] {
			t.Errorf("prospect %s: client %d existed before; want a new contact", p.ID, m.Client.ID)
		}
		ct, ok := e.sb.Clio().Contact(m.Client.ID)
		if !ok {
			t.Fatalf("contact %d missing", m.Client.ID)
		}
		if ct.FirstName != p.Attributes.FirstName || ct.LastName != p.Attributes.LastName || ct.Type != "Person" {
			t.Errorf("new contact %+v, want Person %s %s", ct, p.Attributes.FirstName, p.Attributes.LastName)
		}
		if len(ct.EmailAddresses) == 0 || ct.EmailAddresses[0].Address != p.Attributes.Email || ct.EmailAddresses[0].Name != "Work" {
			t.Errorf("new contact emails %+v, want %s named Work first", ct.EmailAddresses, p.Attributes.Email)
		}
	}
	if docs != 2 {
		t.Errorf("the hired prospects have %d files, want 2", docs)
	}
	if after := intakeContactIDs(e); len(after) != len(before)+1 {
		t.Errorf("Clio contacts: %d, want %d (one new, one matched)", len(after), len(before)+1)
	}
	if _, ok := intakeLogWith(e, store.LogSuccess, "matched by email"); !ok {
		t.Error("no log record says the existing contact was matched by email")
	}

	// A second run creates nothing and costs only the incremental listings.
	w := e.writes()
	r2 := intakeRunFull(e)
	c2 := r2.Run.Counts
	if c2.Created != 0 || c2.Updated != 0 || c2.Failed != 0 {
		t.Errorf("second run: %+v", c2)
	}
	if c2.APICalls > 3 {
		t.Errorf("second run made %d API calls, want at most 3 (prospects and matters listings)", c2.APICalls)
	}
	if got := e.writes(); got["clio"] != w["clio"] || got["lawmatics"] != w["lawmatics"] {
		t.Errorf("second run wrote: before %v after %v", w, got)
	}
}

func TestIntakeDryRunPlansAndWritesNothing(t *testing.T) {
	e := newEnv(t, envOptions{})
	w := e.writes()
	dry := intakeRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if got := e.writes(); got["clio"] != w["clio"] || got["lawmatics"] != w["lawmatics"] {
		t.Fatalf("dry run wrote: before %v after %v", w, got)
	}
	if ens, _ := e.st.LedgerEntries("intake", ""); len(ens) != 0 {
		t.Fatalf("dry run wrote %d ledger entries", len(ens))
	}
	actions := map[string]int{}
	var planned []string
	for _, p := range dry.Planned {
		actions[p.Action]++
		planned = append(planned, p.Action+"|"+p.Object)
	}
	want := map[string]int{"create custom field": 1, "create contact": 1, "create matter": 2, "upload document": 2}
	for k, v := range want {
		if actions[k] != v {
			t.Errorf("planned %d %q, want %d (plan %v)", actions[k], k, v, planned)
		}
	}

	r := intakeRunFull(e)
	if r.Run.Counts.Created != len(dry.Planned) {
		t.Errorf("real run created %d, the dry run planned %d", r.Run.Counts.Created, len(dry.Planned))
	}
	var created []string
	for _, rec := range e.logs("intake", store.LogSuccess) {
		if rec.RunID == r.Run.ID && rec.Action != "link matter" {
			created = append(created, rec.Action+"|"+rec.Object)
		}
	}
	slices.Sort(planned)
	slices.Sort(created)
	if !slices.Equal(planned, created) {
		t.Errorf("planned %v\ncreated %v", planned, created)
	}
}

func TestIntakeTargetedNewlyHiredProspect(t *testing.T) {
	e := newEnv(t, envOptions{})
	intakeRunFull(e)
	lmf := e.sb.Lawmatics()
	p, err := lmf.CreateProspect(lawmaticsfake.ProspectInput{
		FirstName: "Nadia", LastName: "Petrova", Email: "nadia.petrova@example.org", Phone: "(415) 555-0142",
		CaseTitle: "Nadia Petrova — asylum", CaseNumber: "LM-2042", CaseType: "Immigration — asylum",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lmf.AddFile(p.ID, "Passport scan.pdf", []byte("%PDF passport of Nadia Petrova")); err != nil {
		t.Fatal(err)
	}

	// Not hired yet: a targeted run skips it with the reason.
	r := intakeRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"prospect:" + p.ID}}, engine.RunOptions{})
	if r.Run.Counts.Skipped != 1 || r.Run.Counts.Created != 0 {
		t.Fatalf("targeted run on a prospect not hired: %+v", r.Run.Counts)
	}
	if _, ok := intakeLogWith(e, store.LogSkipped, "not hired"); !ok {
		t.Error("no skip record says the prospect is not hired")
	}

	if err := lmf.Hire(p.ID); err != nil {
		t.Fatal(err)
	}
	before := intakeMatterCount(e)
	r = intakeRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"prospect:" + p.ID}}, engine.RunOptions{})
	// contact + matter + document
	if r.Run.Counts.Created != 3 || r.Run.Counts.Failed != 0 {
		t.Fatalf("targeted run: %+v", r.Run.Counts)
	}
	if got := intakeMatterCount(e); got != before+1 {
		t.Errorf("Clio matters: %d, want %d", got, before+1)
	}
	full, _ := lmf.Prospect(p.ID)
	m := intakeCheckMatter(t, e, full, "Immigration")
	intakeCheckFiles(t, e, full, m.ID)
	ct, _ := e.sb.Clio().Contact(m.Client.ID)
	if len(ct.PhoneNumbers) == 0 || ct.PhoneNumbers[0].Number != "+14155550142" || ct.PhoneNumbers[0].Name != "Mobile" {
		t.Errorf("new contact phones %+v, want +14155550142 named Mobile first", ct.PhoneNumbers)
	}
	if len(ct.EmailAddresses) == 0 || ct.EmailAddresses[0].Name != "Work" {
		t.Errorf("new contact emails %+v, want Work first", ct.EmailAddresses)
	}

	// The next full run finds nothing new to create.
	r = intakeRunFull(e)
	if r.Run.Counts.Created != 0 || r.Run.Counts.Failed != 0 {
		t.Errorf("full run after the targeted one: %+v", r.Run.Counts)
	}
}

func TestIntakeMatchesContactByPhone(t *testing.T) {
	e := newEnv(t, envOptions{})
	existing, err := e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: "Tomas", LastName: "Reyes", Phone: "415-555-0177"})
	if err != nil {
		t.Fatal(err)
	}
	lmf := e.sb.Lawmatics()
	p, err := lmf.CreateProspect(lawmaticsfake.ProspectInput{
		FirstName: "Tomas", LastName: "Reyes", Email: "t.reyes@example.net", Phone: "+1 (415) 555 0177",
		CaseTitle: "Reyes — will", CaseNumber: "LM-3001", CaseType: "Estate planning — will", Status: "hired",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := intakeRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"prospect:" + p.ID}}, engine.RunOptions{})
	if r.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v", r.Run.Counts)
	}
	full, _ := lmf.Prospect(p.ID)
	m := intakeCheckMatter(t, e, full, "Estate Planning")
	if m.Client == nil || m.Client.ID != existing.ID {
		t.Errorf("client %+v, want the existing contact %d matched by phone", m.Client, existing.ID)
	}
}

// TestIntakeMapsCaseTypeByLabel: real Lawmatics case types are picklists
// whose value is an option id ("3241") and whose formatted_value is the
// label; the mapping is keyed by the label. The sandbox's Lawmatics writes
// custom-field ids as strings and converted_date as a plain date, the forms
// of the vendor's newest example, so these prospects also prove both decode.
func TestIntakeMapsCaseTypeByLabel(t *testing.T) {
	cases := []struct {
		name     string
		caseType string
		added    bool                                 // the firm added this label to its picklist
		mapping  func(optID string) map[string]string // saved settings; nil keeps the defaults
		want     string                               // "" = the fallback
	}{
		{name: "default table, by label", caseType: "Custody only", want: "Family Law"},
		{name: "the firm's own row for the label", caseType: "Custody only",
			mapping: func(string) map[string]string { return map[string]string{"Custody only": "Estate Planning"} }, want: "Estate Planning"},
		{name: "old slug keys in saved settings", caseType: "Personal injury — auto",
			mapping: func(string) map[string]string { return map[string]string{"personal_injury_auto": "Immigration"} }, want: "Immigration"},
		{name: "a label row beats an option-id row", caseType: "Divorce (standard)",
			mapping: func(string) map[string]string {
				return map[string]string{"3240": "Personal Injury", "Divorce (standard)": "Family Law"}
			}, want: "Family Law"},
		{name: "an added label", caseType: "Pet custody", added: true,
			mapping: func(string) map[string]string { return map[string]string{"Pet custody": "Personal Injury"} }, want: "Personal Injury"},
		{name: "an added label, row typed loosely", caseType: "Pet custody", added: true,
			mapping: func(string) map[string]string { return map[string]string{"pet_custody": "Immigration"} }, want: "Immigration"},
		{name: "an added label, row keyed by its option id", caseType: "Pet custody", added: true,
			mapping: func(id string) map[string]string { return map[string]string{id: "Estate Planning"} }, want: "Estate Planning"},
		{name: "an added label nobody mapped", caseType: "Pet custody", added: true, want: ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			lmf := e.sb.Lawmatics()
			optID := ""
			if tc.added {
				o, err := lmf.AddCaseType(tc.caseType)
				if err != nil {
					t.Fatal(err)
				}
				optID = o.ID.String()
			}
			if tc.mapping != nil {
				e.setSettings(func(s *jobs.Settings) { s.CaseTypeMapping = tc.mapping(optID) })
			}
			in, err := lmf.CreateProspect(lawmaticsfake.ProspectInput{
				FirstName: "Mara", LastName: "Quinn", Email: "mara.quinn@example.org", CaseTitle: "Quinn — " + tc.caseType,
				CaseNumber: "LM-5" + strconv.Itoa(i), CaseType: tc.caseType,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := lmf.Hire(in.ID); err != nil {
				t.Fatal(err)
			}
			r := intakeRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"prospect:" + in.ID}}, engine.RunOptions{})
			if r.Run.Counts.Failed != 0 || r.Run.Counts.Created < 2 {
				t.Fatalf("run: %+v", r.Run.Counts)
			}
			lm, _ := e.plat.Lawmatics(context.Background())
			p, err := lm.Prospect(context.Background(), in.ID)
			if err != nil {
				t.Fatal(err)
			}
			cf, _ := p.Attributes.CustomField(lawmatics.CaseTypeFieldName)
			if cf.FieldType != "list" || cf.RawValue() == tc.caseType || p.Attributes.CaseType() != tc.caseType ||
				p.Attributes.ConvertedDate == nil || !p.Attributes.ConvertedDate.DateOnly {
				t.Fatalf("the sandbox prospect is not in the vendor's shape: %+v", p.Attributes)
			}
			want := tc.want
			if want == "" {
				want = "General" // the fallback
			}
			intakeCheckMatter(t, e, p, want)
			_, fellBack := intakeLogWith(e, store.LogSuccess, "not in the case-type mapping")
			if fellBack != (tc.want == "") {
				t.Errorf("fell back: %v", fellBack)
			}
		})
	}
}

func TestSettingsMigrateSlugCaseTypes(t *testing.T) {
	s := jobs.Settings{CaseTypeMapping: map[string]string{
		"divorce_standard":     "Divorce",    // old key, no label row: renamed
		"custody_only":         "Old choice", // old key whose label is also set: the label wins
		"Custody only":         "Children",
		"Pet custody":          "Animal Law", // the firm's own label: kept
		"estate_planning_will": "",           // an unmapped old key stays unmapped
	}}.Normalize()
	want := map[string]string{
		"Divorce (standard)":     "Divorce",
		"Custody only":           "Children",
		"Pet custody":            "Animal Law",
		"Estate planning — will": "",
	}
	if !maps.Equal(s.CaseTypeMapping, want) {
		t.Fatalf("mapping %v\nwant %v", s.CaseTypeMapping, want)
	}
	// The built-in rows are a start, not a floor: a row the firm deleted
	// stays deleted, and an emptied table stays empty.
	if got := (jobs.Settings{CaseTypeMapping: map[string]string{}}).Normalize().CaseTypeMapping; len(got) != 0 {
		t.Fatalf("an emptied table came back as %v", got)
	}
	if !maps.Equal(jobs.Settings{}.Normalize().CaseTypeMapping, jobs.DefaultCaseTypeMapping()) {
		t.Fatal("defaults changed by Normalize")
	}
	for k := range jobs.DefaultCaseTypeMapping() {
		if _, ok := lawmaticsfake.CaseTypeOptionID(k); !ok {
			t.Errorf("default key %q is not a label of the sandbox's Case Type picklist", k)
		}
	}
}

func TestIntakeUnmappedCaseTypeFallsBack(t *testing.T) {
	e := newEnv(t, envOptions{})
	hired := intakeHired(e)
	types := map[string]lawmatics.Prospect{}
	for _, p := range hired {
		types[p.Attributes.CaseType()] = p
	}
	first, second := hired[0], hired[1]
	// Remove the first prospect's type from the mapping (an empty value
	// unmaps a built-in type) and map the second to an area Clio lacks.
	e.setSettings(func(s *jobs.Settings) {
		s.CaseTypeMapping = map[string]string{first.Attributes.CaseType(): "", second.Attributes.CaseType(): "Maritime Law"}
		s.FallbackPracticeArea = "General"
	})
	r := intakeRunFull(e)
	if r.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v", r.Run.Counts)
	}
	intakeCheckMatter(t, e, first, "General")
	intakeCheckMatter(t, e, second, "")
	rec, ok := intakeLogWith(e, store.LogSuccess, "not in the case-type mapping")
	if !ok || !strings.Contains(rec.Message, `"General"`) || !strings.Contains(rec.Message, first.Attributes.CaseType()) {
		t.Errorf("no log record names the unmapped case type and the fallback: %+v", rec)
	}
	if _, ok := intakeLogWith(e, store.LogSuccess, `practice area "Maritime Law" does not exist in Clio`); !ok {
		t.Error("no log record says the practice area is missing in Clio")
	}
}

func TestIntakeAdoptsMatterOfOpenIntent(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	hired := intakeHired(e)
	c := intakeClio(e)

	// Crash A: the matter was created and its custom field written, but the
	// ledger still holds the intent.
	pa := hired[0]
	ctA, err := c.FindContactsByEmail(ctx, pa.Attributes.Email)
	if err != nil || len(ctA) == 0 {
		t.Fatalf("the existing client of prospect %s: %v %v", pa.ID, ctA, err)
	}
	f, err := e.sb.Clio().CreateCustomField(clio.CustomFieldWrite{Name: jobs.IntakeFieldName, ParentType: "Matter", FieldType: "text_line"})
	if err != nil {
		t.Fatal(err)
	}
	mA, err := e.sb.Clio().CreateMatter(cliofake.MatterInput{Description: pa.Attributes.CaseTitle, ClientID: ctA[0].ID, PracticeArea: "Family Law"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetMatterCustomField(ctx, mA.ID, f.ID, pa.ID); err != nil {
		t.Fatal(err)
	}
	// Crash B (the residual window): the matter exists with its case
	// number, but neither its id nor the custom field was recorded.
	pb := hired[1]
	ctB, err := e.sb.Clio().CreateContact(cliofake.ContactInput{FirstName: pb.Attributes.FirstName, LastName: pb.Attributes.LastName, Email: pb.Attributes.Email})
	if err != nil {
		t.Fatal(err)
	}
	mB, err := c.CreateMatter(ctx, clio.MatterCreate{Description: pb.Attributes.CaseTitle, ClientID: ctB.ID, CustomNumber: pb.Attributes.CaseNumber, Status: "open"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, in := range []struct {
		p      lawmatics.Prospect
		client int64
	}{{pa, ctA[0].ID}, {pb, ctB.ID}} {
		if err := e.st.PutLedger(store.LedgerEntry{Job: "intake", Key: "prospect:" + in.p.ID, State: store.LedgerIntent, IntentAt: now,
			Extra: map[string]string{"step": "matter", "prospect_id": in.p.ID, "contact_id": strconv.FormatInt(in.client, 10),
				"case_number": in.p.Attributes.CaseNumber, "description": in.p.Attributes.CaseTitle}}); err != nil {
			t.Fatal(err)
		}
	}
	before := intakeMatterCount(e)

	r := intakeRunFull(e)
	if r.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v", r.Run.Counts)
	}
	if got := intakeMatterCount(e); got != before {
		t.Errorf("Clio matters: %d, want %d (no duplicate)", got, before)
	}
	for _, want := range []struct {
		p  lawmatics.Prospect
		id int64
	}{{pa, mA.ID}, {pb, mB.ID}} {
		en, _ := intakeLink(e, "prospect:"+want.p.ID)
		if en.State != store.LedgerDone || en.TargetID != strconv.FormatInt(want.id, 10) {
			t.Errorf("prospect %s: link %+v, want done → %d", want.p.ID, en, want.id)
		}
		if ms := intakeMattersFor(e, want.p.ID); len(ms) != 1 || ms[0].ID != want.id {
			t.Errorf("prospect %s: matters with its id %v, want exactly %d", want.p.ID, ms, want.id)
		}
		// The files still went to the adopted matter.
		intakeCheckFiles(t, e, want.p, want.id)
	}
	if _, ok := intakeLogWith(e, store.LogSuccess, "created before an interruption"); !ok {
		t.Error("no log record says the matter was adopted")
	}
	if r.Run.Counts.Created != 2 { // the two documents only
		t.Errorf("created %d, want 2 documents: %+v", r.Run.Counts.Created, r.Run.Counts)
	}
}

func TestIntakeAdoptsUploadedFileOfOpenIntent(t *testing.T) {
	e := newEnv(t, envOptions{})
	intakeRunFull(e)
	p := intakeHired(e)[0]
	m := intakeMatter(e, p.ID)
	ctx := context.Background()
	lm, _ := e.plat.Lawmatics(ctx)
	fs, _ := lm.Files(ctx, p.ID)
	fen, _ := intakeLink(e, "lmfile:"+fs[0].ID)
	// Pretend the upload finished in Clio but the process died before the
	// ledger said so.
	fen.State = store.LedgerIntent
	fen.Extra["matter_id"] = strconv.FormatInt(m.ID, 10)
	if err := e.st.PutLedger(fen); err != nil {
		t.Fatal(err)
	}
	pen, _ := intakeLink(e, "prospect:"+p.ID)
	pen.Extra["files_done"] = ""
	if err := e.st.PutLedger(pen); err != nil {
		t.Fatal(err)
	}
	r := intakeRunWith(e, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: []string{"prospect:" + p.ID}}, engine.RunOptions{})
	if r.Run.Counts.Created != 0 || r.Run.Counts.Failed != 0 {
		t.Fatalf("run: %+v", r.Run.Counts)
	}
	n := 0
	_ = intakeClio(e).Documents(ctx, m.ID, clio.DocumentQuery{}, func(clio.Document) error { n++; return nil })
	if n != len(fs) {
		t.Errorf("matter %d has %d documents, want %d (no duplicate upload)", m.ID, n, len(fs))
	}
	if en, _ := intakeLink(e, "lmfile:"+fs[0].ID); en.State != store.LedgerDone {
		t.Errorf("file link %+v, want done", en)
	}
}

func TestIntakeMatterStatusFlowsBackToLink(t *testing.T) {
	e := newEnv(t, envOptions{})
	intakeRunFull(e)
	p := intakeHired(e)[0]
	m := intakeMatter(e, p.ID)
	if _, err := e.sb.Clio().UpdateMatter(m.ID, cliofake.MatterPatch{Status: "Closed"}); err != nil {
		t.Fatal(err)
	}
	w := e.writes()
	key := "clio-matter:" + strconv.FormatInt(m.ID, 10)
	r := intakeRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{key}}, engine.RunOptions{})
	if r.Run.Counts.Updated != 1 || r.Run.Counts.Failed != 0 {
		t.Fatalf("targeted run: %+v", r.Run.Counts)
	}
	en, _ := intakeLink(e, "prospect:"+p.ID)
	if en.Extra["link_status"] != "closed" {
		t.Errorf("link status %q, want closed", en.Extra["link_status"])
	}
	want := "Clio matter " + m.DisplayNumber + " closed: intake link marked closed"
	if _, ok := intakeLogWith(e, store.LogSuccess, want); !ok {
		t.Errorf("no log record %q", want)
	}
	if got := e.writes(); got["lawmatics"] != w["lawmatics"] || got["clio"] != w["clio"] {
		t.Errorf("the status flow-back wrote to a platform: before %v after %v", w, got)
	}

	// A full run sees the same change as already applied; reopening it
	// (Pending) flows back as active through the matters listing.
	r = intakeRunFull(e)
	if r.Run.Counts.Updated != 0 || r.Run.Counts.Created != 0 {
		t.Errorf("full run after the webhook: %+v", r.Run.Counts)
	}
	if _, err := e.sb.Clio().UpdateMatter(m.ID, cliofake.MatterPatch{Status: "Pending"}); err != nil {
		t.Fatal(err)
	}
	r = intakeRunFull(e)
	if r.Run.Counts.Updated != 1 {
		t.Errorf("full run after reopening: %+v", r.Run.Counts)
	}
	if en, _ := intakeLink(e, "prospect:"+p.ID); en.Extra["link_status"] != "active" {
		t.Errorf("link status %q after Pending, want active", en.Extra["link_status"])
	}

	// A matter that is not an intake matter is left alone.
	other, err := e.sb.Clio().CreateMatter(cliofake.MatterInput{Description: "Walk-in"})
	if err != nil {
		t.Fatal(err)
	}
	r = intakeRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: []string{"clio-matter:" + strconv.FormatInt(other.ID, 10)}}, engine.RunOptions{})
	if r.Run.Counts.Updated != 0 || r.Run.Counts.Failed != 0 || r.Run.Counts.Created != 0 {
		t.Errorf("targeted run on another matter: %+v", r.Run.Counts)
	}
}

func TestIntakeSkipsWhenLawmaticsNotConnected(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.disconnect("lawmatics")
	w := e.writes()
	r := intakeRunFull(e)
	if r.Run.Status != "skipped" || !strings.Contains(r.Run.Error, "lawmatics is not connected") {
		t.Errorf("run %s (%q), want skipped because lawmatics is not connected", r.Run.Status, r.Run.Error)
	}
	if got := e.writes(); got["clio"] != w["clio"] {
		t.Errorf("a skipped run wrote to Clio")
	}
}

func TestIntakeClioRefusesMatterThenRetry(t *testing.T) {
	e := newEnv(t, envOptions{})
	hired := intakeHired(e)
	before := intakeMatterCount(e)
	intakeFault(e, "clio", "/api/v4/matters.json", http.StatusUnprocessableEntity, 1)

	r := intakeRunFull(e)
	if r.Run.Counts.Failed != 1 || r.Run.Status != "partial" {
		t.Fatalf("run with a 422: %s %+v", r.Run.Status, r.Run.Counts)
	}
	rec, ok := intakeLogWith(e, store.LogNeedsAttention, "injected fault")
	if !ok {
		t.Fatalf("no needs-attention record with Clio's message; log: %+v", e.logs("intake", ""))
	}
	if rec.ItemKey != "prospect:"+hired[0].ID {
		t.Errorf("parked item %q, want prospect:%s", rec.ItemKey, hired[0].ID)
	}
	if got := intakeMatterCount(e); got != before+1 {
		t.Errorf("Clio matters: %d, want %d (the other prospect's)", got, before+1)
	}
	// Parked: a full run leaves it alone.
	r = intakeRunFull(e)
	if r.Run.Counts.Created != 0 || r.Run.Counts.Failed != 0 {
		t.Errorf("full run while parked: %+v", r.Run.Counts)
	}

	// Retry (as `firmsync retry` does): created once.
	keys, err := e.eng.RetryItems(context.Background(), "intake", nil)
	if err != nil {
		t.Fatal(err)
	}
	r = intakeRunWith(e, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: keys["intake"]}, engine.RunOptions{})
	if r.Run.Counts.Failed != 0 || r.Run.Counts.Created != 2 { // matter + its document
		t.Fatalf("retry: %+v (keys %v)", r.Run.Counts, keys)
	}
	intakeCheckMatter(t, e, hired[0], jobs.DefaultCaseTypeMapping()[hired[0].Attributes.CaseType()])
	r = intakeRunFull(e)
	if r.Run.Counts.Created != 0 || r.Run.Counts.Failed != 0 {
		t.Errorf("full run after the retry: %+v", r.Run.Counts)
	}
	if got := intakeMatterCount(e); got != before+2 {
		t.Errorf("Clio matters: %d, want %d", got, before+2)
	}
	for _, p := range hired {
		if ms := intakeMattersFor(e, p.ID); len(ms) != 1 {
			t.Errorf("prospect %s has %d matters", p.ID, len(ms))
		}
	}
}

// intakeDocNames counts a matter's documents by name.
func intakeDocNames(t *testing.T, e *env, matterID int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	if err := intakeClio(e).Documents(context.Background(), matterID, clio.DocumentQuery{}, func(d clio.Document) error {
		out[d.Name]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

const (
	intakeMattersEP  = "GET /api/v4/matters.json"
	intakeDocsEP     = "GET /api/v4/documents.json"
	intakeContactsEP = "GET /api/v4/contacts.json"
)

// TestIntakeRebuildAfterLostDatabase syncs the firm's hired prospects,
// loses the database and syncs again: each matter is recognised by its
// "Lawmatics Prospect ID" (one filtered listing per prospect, no client
// lookup) and its documents by name and size (one listing per matter),
// nothing is made twice, and a file that never reached Clio is the only
// upload. Two files of the same name and size stay two documents; a
// person's document that only shares a name is not taken for the file.
func TestIntakeRebuildAfterLostDatabase(t *testing.T) {
	e := newEnv(t, envOptions{})
	hired := intakeHired(e)
	lmf := e.sb.Lawmatics()
	pa := hired[0]
	for range 2 { // two identical scans
		if _, err := lmf.AddFile(pa.ID, "scan.pdf", []byte("%PDF the same scan")); err != nil {
			t.Fatal(err)
		}
	}
	first := intakeRunFull(e)
	if c := first.Run.Counts; c.Created != 8 || c.Failed != 0 { // field, contact, 2 matters, 4 documents
		t.Fatalf("first run: %+v", c)
	}
	matters := map[string]int64{}
	for _, p := range hired {
		matters[p.ID] = intakeMatter(e, p.ID).ID
	}
	docsBefore := map[string]map[string]int{}
	for pid, mid := range matters {
		docsBefore[pid] = intakeDocNames(t, e, mid)
	}
	if docsBefore[pa.ID]["scan.pdf"] != 2 {
		t.Fatalf("documents after the first run: %v", docsBefore[pa.ID])
	}
	// After the sync a new file arrives in Lawmatics, and someone adds an
	// unrelated document of that name (another size) to the matter.
	later := []byte("%PDF the signed engagement letter, final")
	if _, err := lmf.AddFile(pa.ID, "later.pdf", later); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.Clio().AddDocument(matters[pa.ID], "later.pdf", []byte("draft")); err != nil {
		t.Fatal(err)
	}
	mattersBefore, contactsBefore := intakeMatterCount(e), intakeContactIDs(e)

	recLoseDatabase(t, e)
	dry := intakeRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if len(dry.Planned) != 1 || !strings.Contains(dry.Planned[0].Object, "later.pdf") {
		t.Errorf("dry run after the loss plans %+v; want only the upload of later.pdf", dry.Planned)
	}

	calls := e.sb.StatsSnapshot().Platforms["clio"].Endpoints
	r := intakeRunFull(e)
	after := e.sb.StatsSnapshot().Platforms["clio"].Endpoints
	if c := r.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Errorf("rebuild: %+v; want only later.pdf uploaded", c)
	}
	if got := intakeMatterCount(e); got != mattersBefore {
		t.Errorf("Clio matters: %d after the rebuild, %d before", got, mattersBefore)
	}
	if got := intakeContactIDs(e); !maps.Equal(got, contactsBefore) {
		t.Errorf("Clio contacts changed: %d before, %d after", len(contactsBefore), len(got))
	}
	for _, p := range hired {
		if got := intakeMatter(e, p.ID).ID; got != matters[p.ID] {
			t.Errorf("prospect %s linked to matter %d, want %d", p.ID, got, matters[p.ID])
		}
		want := docsBefore[p.ID]
		if p.ID == pa.ID {
			want = maps.Clone(want)
			want["later.pdf"] = 2 // the person's draft and the upload
		}
		if got := intakeDocNames(t, e, matters[p.ID]); !maps.Equal(got, want) {
			t.Errorf("prospect %s: documents %v, want %v", p.ID, got, want)
		}
		full, _ := lmf.Prospect(p.ID)
		intakeCheckFiles(t, e, full, matters[p.ID]) // every file linked, to a document with its bytes
	}
	ids := map[string]bool{}
	for _, en := range intakeLedgerFiles(t, e) {
		if ids[en.TargetID] {
			t.Errorf("document %s is linked to two files", en.TargetID)
		}
		ids[en.TargetID] = true
	}
	if _, ok := intakeLogWith(e, store.LogSuccess, "made by an earlier sync"); !ok {
		t.Error("no log record says the matter was linked")
	}
	// One lookup per prospect: the custom-field filter (plus one page of
	// the status listing), a documents listing, no client lookup.
	d := func(ep string) int { return after[ep] - calls[ep] }
	if d(intakeContactsEP) != 0 || d(intakeDocsEP) != len(hired) || d(intakeMattersEP) > len(hired)+1 {
		t.Errorf("rebuild calls: %d contact lookups (want 0), %d document listings (want %d), %d matter listings (want ≤ %d)",
			d(intakeContactsEP), d(intakeDocsEP), len(hired), d(intakeMattersEP), len(hired)+1)
	}

	// Normal days: a known prospect costs no lookup, and a newly hired
	// one's matter, made in that run, is not searched for documents.
	np, err := lmf.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Nadia", LastName: "Petrova", Email: "nadia.petrova@example.org",
		CaseTitle: "Nadia Petrova — asylum", CaseNumber: "LM-2042", Status: lawmatics.StatusHired})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lmf.AddFile(np.ID, "Passport scan.pdf", []byte("%PDF passport")); err != nil {
		t.Fatal(err)
	}
	calls = e.sb.StatsSnapshot().Platforms["clio"].Endpoints
	if c := intakeRunFull(e).Run.Counts; c.Created != 3 || c.Failed != 0 { // contact, matter, document
		t.Errorf("normal run: %+v", c)
	}
	after = e.sb.StatsSnapshot().Platforms["clio"].Endpoints
	if d(intakeDocsEP) != 0 {
		t.Errorf("a normal run listed documents %d times, want none", d(intakeDocsEP))
	}
	if d(intakeMattersEP) > 2 { // the new prospect's lookup and the status listing
		t.Errorf("a normal run listed matters %d times, want at most 2", d(intakeMattersEP))
	}
}

// intakeLedgerFiles is the job's finished file links.
func intakeLedgerFiles(t *testing.T, e *env) []store.LedgerEntry {
	t.Helper()
	es, err := e.st.LedgerEntries("intake", store.LedgerDone)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(es, func(en store.LedgerEntry) bool { return !strings.HasPrefix(en.Key, "lmfile:") })
}
