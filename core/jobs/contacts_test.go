package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/store"
)

// contactWant is the Zoom contact a source contact should become ("" phone:
// skipped).
type contactWant struct {
	key, zoomID, name, email, phone, desc string
	clioID                                int64
	lmID                                  string
}

// contactsClioWants lists the demo firm's Clio contacts through the API (outside
// any run) with what each should become in Zoom.
func contactsClioWants(t *testing.T, e *env) []contactWant {
	t.Helper()
	ctx := context.Background()
	c, err := e.plat.Clio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []contactWant
	err = c.Contacts(ctx, clio.ContactQuery{}, func(ct clio.Contact) error {
		w := contactWant{key: "clio:" + strconv.FormatInt(ct.ID, 10), zoomID: "clio-" + strconv.FormatInt(ct.ID, 10), clioID: ct.ID,
			name: strings.TrimSpace(ct.FirstName + " " + ct.LastName), desc: "Clio contact " + strconv.FormatInt(ct.ID, 10)}
		if ct.PrimaryEmailAddress != nil {
			w.email = *ct.PrimaryEmailAddress
		}
		if ct.PrimaryPhoneNumber != nil {
			w.phone, _ = jobs.NormalizePhone(*ct.PrimaryPhoneNumber, "US")
		}
		out = append(out, w)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// contactsLMWants is contactsClioWants for Lawmatics.
func contactsLMWants(t *testing.T, e *env) []contactWant {
	t.Helper()
	ctx := context.Background()
	c, err := e.plat.Lawmatics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []contactWant
	err = c.Contacts(ctx, lawmatics.ContactQuery{}, func(ct lawmatics.Contact) error {
		a := ct.Attributes
		w := contactWant{key: "lm:" + ct.ID, zoomID: "lm-" + ct.ID, lmID: ct.ID, name: strings.TrimSpace(a.FirstName + " " + a.LastName),
			email: a.Email, desc: "Lawmatics contact " + ct.ID}
		w.phone, _ = jobs.NormalizePhone(a.Phone, "US")
		out = append(out, w)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func contactsUsable(ws []contactWant) []contactWant {
	var out []contactWant
	for _, w := range ws {
		if w.phone != "" {
			out = append(out, w)
		}
	}
	return out
}

// contactsInZoom indexes the fake's external contacts by id.
func contactsInZoom(e *env) map[string]zoom.ExternalContact {
	out := map[string]zoom.ExternalContact{}
	for _, c := range e.sb.Zoom().ExternalContacts() {
		out[c.ID] = c
	}
	return out
}

// zoomPathID is the external_contact_id (the id Zoom's paths take) of the
// contact created with our key.
func zoomPathID(e *env, ourKey string) string {
	return contactsInZoom(e)[ourKey].ExternalContactID
}

// contactsCheckZoom asserts that Zoom holds exactly wants (one contact each).
func contactsCheckZoom(t *testing.T, e *env, wants []contactWant) {
	t.Helper()
	n := 0
	for _, c := range e.sb.Zoom().ExternalContacts() {
		if !strings.HasPrefix(c.ID, sandbox.SeedPhoneContactPrefix) { // the demo firm's own directory, not ours
			n++
		}
	}
	if n != len(wants) {
		t.Errorf("Zoom has %d external contacts from Firmsync, want %d", n, len(wants))
	}
	got := contactsInZoom(e)
	for _, w := range wants {
		c, ok := got[w.zoomID]
		if !ok {
			t.Errorf("%s: no Zoom contact %s", w.key, w.zoomID)
			continue
		}
		if c.Name != w.name || c.Email != w.email || !slices.Equal(c.PhoneNumbers, []string{w.phone}) || c.Description != w.desc {
			t.Errorf("%s: Zoom contact %+v, want name %q email %q phone %q description %q", w.key, c, w.name, w.email, w.phone, w.desc)
		}
	}
}

func contactsFault(t *testing.T, e *env, f map[string]any) {
	t.Helper()
	b, _ := json.Marshal(f)
	resp, err := http.Post(e.sb.AdminURL()+"/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("adding fault %v: %s", f, resp.Status)
	}
}

func contactsTarget(e *env, keys ...string) engine.Result {
	e.t.Helper()
	return contactsRunWith(e, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: keys}, engine.RunOptions{})
}

// contactsRunFull runs the contacts job in full.
func contactsRunFull(e *env) engine.Result {
	e.t.Helper()
	return contactsRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
}

// contactsRunWith is env.runWith with a context that is never cancelled: the
// engine closes a run's done channel before it forgets the run, so a run
// started right after can be coalesced into a follow-up that inherits the
// finished run's context; runWith cancels that context on return, and the
// follow-up would end "context canceled" (reported to the engine's owner).
func contactsRunWith(e *env, t engine.Trigger, o engine.RunOptions) engine.Result {
	e.t.Helper()
	r := e.eng.Run(context.Background(), "contacts", t, o)
	if r.Err != nil {
		e.t.Fatalf("contacts run: %v", r.Err)
	}
	return r
}

func TestContactsFirstRunSecondRunAndEdit(t *testing.T) {
	e := newEnv(t, envOptions{})
	wants := contactsClioWants(t, e)
	good := contactsUsable(wants)
	if len(wants) != 36 || len(good) == 0 || len(good) == len(wants) {
		t.Fatalf("demo firm: %d Clio contacts, %d with a usable phone; want 36 with a mix", len(wants), len(good))
	}
	var intl bool
	for _, w := range good {
		intl = intl || strings.HasPrefix(w.phone, "+44")
	}
	if !intl {
		t.Fatal("demo firm has no +44 numbers")
	}

	r := contactsRunFull(e)
	c := r.Run.Counts
	if r.Run.Status != "succeeded" || c.Created != len(good) || c.Skipped != len(wants)-len(good) || c.Failed != 0 || c.Updated != 0 {
		t.Fatalf("first run: status %s counts %+v, want %d created, %d skipped", r.Run.Status, c, len(good), len(wants)-len(good))
	}
	contactsCheckZoom(t, e, good)

	// Every skipped contact is logged with its reason.
	skips := e.logs("contacts", store.LogSkipped)
	if len(skips) != len(wants)-len(good) {
		t.Fatalf("%d skip log records, want %d", len(skips), len(wants)-len(good))
	}
	var none, invalid int
	for _, s := range skips {
		if !strings.HasPrefix(s.Message, "no usable phone number") {
			t.Errorf("skip %s: message %q", s.ItemKey, s.Message)
		}
		if strings.Contains(s.Message, "none on file") {
			none++
		}
		if strings.Contains(s.Message, "not a valid number") {
			invalid++
		}
	}
	if none == 0 || invalid == 0 {
		t.Errorf("skips: %d without a phone, %d invalid; want both kinds", none, invalid)
	}
	if got := len(e.logs("contacts", store.LogSuccess)); got != len(good) {
		t.Errorf("%d success log records, want %d", got, len(good))
	}

	// A second run changes nothing and costs only the incremental listing.
	before := e.writes()["zoom"]
	r = contactsRunFull(e)
	c = r.Run.Counts
	if c.Created != 0 || c.Updated != 0 || c.Deleted != 0 || c.Failed != 0 {
		t.Fatalf("second run counts %+v, want nothing created or updated", c)
	}
	if c.APICalls > 2 {
		t.Errorf("second run made %d API calls, want at most 2", c.APICalls)
	}
	if w := e.writes()["zoom"]; w != before {
		t.Errorf("second run wrote to Zoom %d times", w-before)
	}

	// A phone edited in Clio: exactly one update.
	edit := good[len(good)-1]
	if _, err := e.sb.Clio().UpdateContact(edit.clioID, cliofake.ContactInput{Phone: "+44 20 7946 0999"}); err != nil {
		t.Fatal(err)
	}
	r = contactsRunFull(e)
	c = r.Run.Counts
	if c.Created != 0 || c.Updated != 1 || c.Failed != 0 {
		t.Fatalf("run after an edit: counts %+v, want exactly 1 update", c)
	}
	edit.phone = "+442079460999"
	good[len(good)-1] = edit
	contactsCheckZoom(t, e, good)
	l, ok, err := e.st.Ledger("contacts", edit.key)
	if err != nil || !ok || l.TargetID != zoomPathID(e, edit.zoomID) || l.State != store.LedgerDone {
		t.Fatalf("ledger %s: %+v %v %v", edit.key, l, ok, err)
	}

	// A targeted (webhook) run for an edited contact updates it at once.
	edit2 := good[0]
	if _, err := e.sb.Clio().UpdateContact(edit2.clioID, cliofake.ContactInput{FirstName: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	r = contactsTarget(e, edit2.key)
	if c := r.Run.Counts; c.Updated != 1 || c.Created != 0 || c.Failed != 0 {
		t.Fatalf("targeted run counts %+v, want 1 update", c)
	}
	if got := contactsInZoom(e)[edit2.zoomID]; !strings.HasPrefix(got.Name, "Renamed ") {
		t.Errorf("targeted update: Zoom name %q", got.Name)
	}
}

func TestContactsDeletedAtSource(t *testing.T) {
	e := newEnv(t, envOptions{})
	wants := contactsClioWants(t, e)
	contactsRunFull(e)
	// Contacts 0–11 are matter clients (which Clio will not delete); take
	// two later ones that are in Zoom.
	var gone []contactWant
	for _, w := range contactsUsable(wants[12:]) {
		gone = append(gone, w)
	}
	if len(gone) < 3 {
		t.Fatal("not enough deletable contacts")
	}
	a, b, z := gone[0], gone[1], gone[2]

	// Deleted in Clio, then its webhook: removed from Zoom at once.
	if err := e.sb.Clio().DeleteContact(a.clioID); err != nil {
		t.Fatal(err)
	}
	r := contactsTarget(e, a.key)
	if c := r.Run.Counts; c.Deleted != 1 || c.Failed != 0 {
		t.Fatalf("targeted run after a delete: counts %+v", c)
	}
	if _, ok := contactsInZoom(e)[a.zoomID]; ok {
		t.Fatalf("%s still in Zoom", a.zoomID)
	}
	if _, ok, _ := e.st.Ledger("contacts", a.key); ok {
		t.Fatalf("%s still linked", a.key)
	}

	// Deleted in Clio with no webhook: the daily reconciliation finds it.
	// Also one already removed from Zoom by a person: deleting it counts as
	// done.
	if err := e.sb.Clio().DeleteContact(b.clioID); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.Clio().DeleteContact(z.clioID); err != nil {
		t.Fatal(err)
	}
	zc, _ := e.plat.Zoom(context.Background())
	if err := zc.DeleteExternalContact(context.Background(), zoomPathID(e, z.zoomID)); err != nil {
		t.Fatal(err)
	}
	r = contactsRunFull(e) // the last check was just now: not due yet
	if c := r.Run.Counts; c.Deleted != 0 || r.Run.Counts.APICalls > 2 {
		t.Fatalf("run before the check is due: counts %+v", c)
	}
	if err := e.st.SetWatermark("contacts/deletions", time.Now().Add(-25*time.Hour).UTC().Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	dry := contactsRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if c := dry.Run.Counts; c.Deleted != 2 {
		t.Fatalf("dry reconciliation plans %+v, want 2 deletes", c)
	}
	r = contactsRunFull(e)
	if c := r.Run.Counts; c.Deleted != 2 || c.Failed != 0 || c.Created != 0 || c.Updated != 0 {
		t.Fatalf("reconciliation run counts %+v, want 2 deleted", c)
	}
	var left []contactWant
	for _, w := range contactsUsable(wants) {
		if w.key != a.key && w.key != b.key && w.key != z.key {
			left = append(left, w)
		}
	}
	contactsCheckZoom(t, e, left)
	// The check time moved: the next run does not list everything again.
	if r := contactsRunFull(e); r.Run.Counts.Deleted != 0 || r.Run.Counts.APICalls > 2 {
		t.Fatalf("run after the reconciliation: %+v", r.Run.Counts)
	}
}

func TestContactsDeleteRemovedOff(t *testing.T) {
	e := newEnv(t, envOptions{})
	wants := contactsUsable(contactsClioWants(t, e))
	contactsRunFull(e)
	e.setSettings(func(s *jobs.Settings) { s.DeleteRemoved = false })
	w := wants[len(wants)-1]
	if err := e.sb.Clio().DeleteContact(w.clioID); err != nil {
		t.Fatal(err)
	}
	r := contactsTarget(e, w.key)
	if c := r.Run.Counts; c.Deleted != 0 || c.Skipped != 1 {
		t.Fatalf("counts %+v, want the delete skipped", c)
	}
	if _, ok := contactsInZoom(e)[w.zoomID]; !ok {
		t.Fatal("the Zoom contact was deleted although DeleteRemoved is off")
	}
}

func TestContactsLawmaticsSource(t *testing.T) {
	e := newEnv(t, envOptions{Settings: func(s *jobs.Settings) { s.ContactSources = []string{"clio", "lawmatics"} }})
	cw, lw := contactsClioWants(t, e), contactsLMWants(t, e)
	if len(contactsUsable(lw)) == 0 {
		t.Fatal("demo firm has no Lawmatics contact with a usable phone")
	}
	r := contactsRunFull(e)
	want := append(contactsUsable(cw), contactsUsable(lw)...)
	if c := r.Run.Counts; c.Created != len(want) || c.Failed != 0 || c.Skipped != len(cw)+len(lw)-len(want) {
		t.Fatalf("counts %+v, want %d created", c, len(want))
	}
	contactsCheckZoom(t, e, want)
	if r := contactsRunFull(e); r.Run.Counts.Created != 0 || r.Run.Counts.Updated != 0 || r.Run.Counts.APICalls > 3 {
		t.Fatalf("second run: %+v", r.Run.Counts)
	}

	// A Lawmatics contact deleted there: a targeted run removes it.
	gone := contactsUsable(lw)[0]
	info := e.sb.Info().Platforms["lawmatics"]
	req, _ := http.NewRequest(http.MethodDelete, info.APIBase+"/contacts/"+gone.lmID, nil)
	req.Header.Set("Authorization", "Bearer "+info.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("deleting Lawmatics contact %s: %s", gone.lmID, resp.Status)
	}
	if r := contactsTarget(e, gone.key); r.Run.Counts.Deleted != 1 {
		t.Fatalf("targeted run: %+v", r.Run.Counts)
	}
	if _, ok := contactsInZoom(e)[gone.zoomID]; ok {
		t.Fatalf("%s still in Zoom", gone.zoomID)
	}
}

func TestContactsDryRun(t *testing.T) {
	e := newEnv(t, envOptions{})
	good := contactsUsable(contactsClioWants(t, e))
	before := e.writes()
	inZoom := len(e.sb.Zoom().ExternalContacts())
	r := contactsRunWith(e, engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{DryRun: true})
	if after := e.writes(); !contactsMapsEqual(before, after) {
		t.Fatalf("dry run wrote: before %v after %v", before, after)
	}
	if n := len(e.sb.Zoom().ExternalContacts()) - inZoom; n != 0 {
		t.Fatalf("dry run created %d Zoom contacts", n)
	}
	var planned []string
	for _, p := range r.Planned {
		if p.Action != "create contact" || p.Platform != "zoom" {
			t.Errorf("planned %+v", p)
		}
		planned = append(planned, p.Key)
	}
	var want []string
	for _, w := range good {
		want = append(want, w.key)
	}
	slices.Sort(planned)
	slices.Sort(want)
	if !slices.Equal(planned, want) {
		t.Fatalf("dry run plans %v, want %v", planned, want)
	}
	if wm, _ := e.st.Watermark("contacts/clio"); wm != "" {
		t.Fatalf("dry run moved the watermark to %s", wm)
	}
	// The real run then creates exactly those.
	real := contactsRunFull(e)
	if real.Run.Counts.Created != len(want) {
		t.Fatalf("real run created %d, dry run planned %d", real.Run.Counts.Created, len(want))
	}
	contactsCheckZoom(t, e, good)
}

func contactsMapsEqual(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

func TestContactsZoomNotConnected(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.disconnect("zoom")
	r := contactsRunFull(e)
	if r.Run.Status != "skipped" || !strings.Contains(r.Run.Error, "zoom is not connected") {
		t.Fatalf("run status %s error %q, want skipped: zoom is not connected", r.Run.Status, r.Run.Error)
	}
	if r.Run.Counts.Created != 0 || e.writes()["zoom"] != 0 {
		t.Fatalf("counts %+v", r.Run.Counts)
	}
}

func TestContactsClioNotConnected(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.disconnect("clio")
	if r := contactsRunFull(e); r.Run.Status != "skipped" {
		t.Fatalf("run status %s, want skipped", r.Run.Status)
	}
}

func TestContactsZoom503Burst(t *testing.T) {
	e := newEnv(t, envOptions{})
	good := contactsUsable(contactsClioWants(t, e))
	contactsFault(t, e, map[string]any{"platform": "zoom", "path_prefix": "/v2/phone/external_contacts", "status": 503, "count": 3})
	r := contactsRunFull(e)
	if c := r.Run.Counts; c.Created != len(good) || c.Failed != 0 {
		t.Fatalf("counts %+v, want all %d created despite the 503 burst", c, len(good))
	}
	if st := e.sb.StatsSnapshot(); st.Platforms["zoom"].Faulted != 3 {
		t.Fatalf("faulted %d Zoom requests, want 3", st.Platforms["zoom"].Faulted)
	}
	contactsCheckZoom(t, e, good)
}

func TestContactsZoomServerDownIsRetried(t *testing.T) {
	e := newEnv(t, envOptions{})
	good := contactsUsable(contactsClioWants(t, e))
	// More 500s than httpx retries: the first contact fails (transient).
	contactsFault(t, e, map[string]any{"platform": "zoom", "path_prefix": "/v2/phone/external_contacts", "status": 500, "count": 5})
	r := contactsRunFull(e)
	if c := r.Run.Counts; c.Failed != 1 || c.Created != len(good)-1 || r.Run.Status != "partial" {
		t.Fatalf("status %s counts %+v, want 1 failed", r.Run.Status, r.Run.Counts)
	}
	failed := e.logs("contacts", store.LogFailed)
	if len(failed) != 1 || !strings.Contains(failed[0].Message, "will retry") {
		t.Fatalf("failed log %+v", failed)
	}
	// The watermark did not pass it; its retry (as the engine's retry loop
	// runs it) creates it.
	r = contactsRunWith(e, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: []string{failed[0].ItemKey}}, engine.RunOptions{})
	if c := r.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("retry counts %+v", c)
	}
	contactsCheckZoom(t, e, good)
}

func TestContactsZoomValidationIsPermanent(t *testing.T) {
	e := newEnv(t, envOptions{})
	good := contactsUsable(contactsClioWants(t, e))
	contactsFault(t, e, map[string]any{"platform": "zoom", "path_prefix": "/v2/phone/external_contacts", "status": 400, "count": 1})
	r := contactsRunFull(e)
	if c := r.Run.Counts; c.Failed != 1 || c.Created != len(good)-1 {
		t.Fatalf("counts %+v, want 1 failed", c)
	}
	parked := e.logs("contacts", store.LogNeedsAttention)
	if len(parked) != 1 || !strings.Contains(parked[0].Error, "injected fault") {
		t.Fatalf("needs-attention log %+v, want one with Zoom's message", parked)
	}
	// A parked item is left alone by later runs …
	if r := contactsRunFull(e); r.Run.Counts.Created != 0 || r.Run.Counts.Failed != 0 {
		t.Fatalf("next run: %+v", r.Run.Counts)
	}
	// … until a person retries it.
	if _, err := e.eng.RetryItems(context.Background(), "contacts", nil); err != nil {
		t.Fatal(err)
	}
	r = contactsRunWith(e, engine.Trigger{Kind: engine.TriggerRetry, ObjectIDs: []string{parked[0].ItemKey}}, engine.RunOptions{})
	if r.Run.Counts.Created != 1 {
		t.Fatalf("retry: %+v", r.Run.Counts)
	}
	contactsCheckZoom(t, e, good)
}

func TestContactsAdoptsExistingZoomContact(t *testing.T) {
	e := newEnv(t, envOptions{})
	good := contactsUsable(contactsClioWants(t, e))
	ctx := context.Background()
	zc, _ := e.plat.Zoom(ctx)
	// One created with the right fields but never recorded (a crash after
	// the create, with an intent as a job that wrote one would leave it),
	// one with stale fields and no ledger entry at all.
	same, stale := good[0], good[1]
	for _, w := range []contactWant{same, stale} {
		phone := w.phone
		if w.key == stale.key {
			phone = "+14155550000"
		}
		if _, err := zc.CreateExternalContact(ctx, zoom.ExternalContactWrite{ID: w.zoomID, Name: w.name, Email: w.email,
			PhoneNumbers: []string{phone}, Description: w.desc}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.PutLedger(store.LedgerEntry{Job: "contacts", Key: same.key, State: store.LedgerIntent, Extra: map[string]string{"zoom_id": same.zoomID}}); err != nil {
		t.Fatal(err)
	}
	r := contactsRunFull(e)
	if c := r.Run.Counts; c.Created != len(good)-2 || c.Updated != 1 || c.Failed != 0 {
		t.Fatalf("counts %+v, want %d created, 1 updated (the stale one)", c, len(good)-2)
	}
	contactsCheckZoom(t, e, good) // exactly one each: no duplicate
	for _, w := range []contactWant{same, stale} {
		l, ok, _ := e.st.Ledger("contacts", w.key)
		if !ok || l.State != store.LedgerDone || l.TargetID != zoomPathID(e, w.zoomID) {
			t.Fatalf("ledger %s: %+v", w.key, l)
		}
	}
	if open, _ := e.st.LedgerEntries("contacts", store.LedgerIntent); len(open) != 0 {
		t.Fatalf("open intents left: %+v", open)
	}
}

func TestContactsRecreatesContactDeletedInZoom(t *testing.T) {
	e := newEnv(t, envOptions{})
	good := contactsUsable(contactsClioWants(t, e))
	contactsRunFull(e)
	w := good[3]
	zc, _ := e.plat.Zoom(context.Background())
	if err := zc.DeleteExternalContact(context.Background(), zoomPathID(e, w.zoomID)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.Clio().UpdateContact(w.clioID, cliofake.ContactInput{LastName: "Changed"}); err != nil {
		t.Fatal(err)
	}
	r := contactsTarget(e, w.key)
	if c := r.Run.Counts; c.Created != 1 || c.Failed != 0 {
		t.Fatalf("counts %+v, want the contact created again", c)
	}
	if got := contactsInZoom(e)[w.zoomID]; !strings.HasSuffix(got.Name, " Changed") {
		t.Fatalf("recreated contact %+v", got)
	}
}

func TestContactsZoomRevokedStopsTheRun(t *testing.T) {
	e := newEnv(t, envOptions{})
	b, _ := json.Marshal(map[string]string{"platform": "zoom"})
	resp, err := http.Post(e.sb.AdminURL()+"/tokens/revoke", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := e.eng.Run(context.Background(), "contacts", engine.Trigger{Kind: engine.TriggerManual}, engine.RunOptions{})
	// (The test harness's token source answers a refused token with
	// jobs.ErrNotConnected; the app's wraps httpx.ErrReconnect. Both stop
	// the run.)
	if r.Err == nil || r.Run.Status != "failed" || !strings.Contains(r.Err.Error(), "not connected") && !strings.Contains(r.Err.Error(), "reconnect") {
		t.Fatalf("run status %s err %v, want failed: reconnect", r.Run.Status, r.Err)
	}
	if c := r.Run.Counts; c.Failed != 0 || c.Created != 0 || r.Run.Counts.APICalls > 4 {
		t.Fatalf("counts %+v: the run should stop at the first refusal, not fail every item", c)
	}
	if wm, _ := e.st.Watermark("contacts/clio"); wm != "" {
		t.Fatalf("watermark moved to %s", wm)
	}
}
