package spec_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/connectors/spec"
)

// ownFakes are the platforms whose fakes TestPMSFakesConformToVendorSpecs
// starts itself (the sandbox-driven TestFakesConformToVendorSpecs does not
// drive them, so it leaves their "something was checked" to this test).
var ownFakes = map[string]bool{spec.MyCase: true, spec.Smokeball: true}

// TestPMSFakesConformToVendorSpecs starts the MyCase and Smokeball fakes on
// 127.0.0.1 behind a spec.Checker and drives every endpoint their clients
// offer, through the real clients (and, where no client call can provoke
// it, one raw request for an error answer), failing on any response that
// departs from the vendor's document beyond relax.go, on any operation of
// the extracted documents left undriven, and on any expected error answer
// left unchecked.
func TestPMSFakesConformToVendorSpecs(t *testing.T) {
	chk, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Each platform: the error answers that must have been validated, as
	// "<endpoint> <status>" (the endpoint in the document's spelling).
	wantErrors := map[string][]string{
		spec.MyCase: {
			"GET /v1/me 401",                             // a bad token
			"GET /v1/clients/{id} 404",                   // unknown ids
			"GET /v1/cases/{id} 404",                     //
			"GET /v1/documents/{id} 404",                 //
			"DELETE /v1/webhooks/subscriptions/{id} 404", // a second delete
			"POST /v1/clients 422",                       // validation
			"POST /v1/cases 422",                         //
			"GET /v1/cases 400",                          // a bad query parameter
		},
		spec.Smokeball: {
			"GET /firm 401",               // a bad token
			"GET /contacts/{id} 404",      // unknown ids, and a create not applied yet
			"GET /matters/{matterId} 404", //
			"GET /matters/{matterId}/documents/files/{fileId} 404",
			"DELETE /webhooks/{id} 404", // a second delete
			"POST /matters 400",         // validation
		},
	}
	// Each platform: the skip reasons (relax.go) its run may meet.
	wantSkips := map[string][]string{
		spec.MyCase:    {"document bytes at the pre-signed storage URLs MyCase hands out (S3), not MyCase's API"},
		spec.Smokeball: {"file bytes at the pre-signed storage URLs Smokeball hands out (S3), not Smokeball's API"},
	}

	t.Run("mycase", func(t *testing.T) { driveMyCase(ctx, t, chk) })
	t.Run("smokeball", func(t *testing.T) { driveSmokeball(ctx, t, chk) })

	rep := chk.Report()
	for _, p := range []string{spec.MyCase, spec.Smokeball} {
		pr := rep.Platforms[p]
		logPlatform(t, p, pr)
		if pr.Checked == 0 {
			t.Errorf("%s: no response was checked", p)
		}
		for _, op := range chk.Operations(p) {
			if pr.Endpoints[op] == 0 {
				t.Errorf("%s: %s is in the extracted document but no response of it was checked", p, op)
			}
		}
		for _, e := range wantErrors[p] {
			if pr.Responses[e] == 0 {
				t.Errorf("%s: no %s answer was checked", p, e)
			}
		}
		for _, a := range spec.Amendments {
			if a.Platform == p && pr.Amended[a.Name] == 0 {
				t.Errorf("%s: amendment %s validated nothing", p, a.Name)
			}
		}
		for reason := range pr.Skipped {
			if !slices.Contains(wantSkips[p], reason) {
				t.Errorf("%s: a driven response went unchecked: %s", p, reason)
			}
		}
		for _, v := range pr.Violations {
			t.Errorf("violation: %s", v)
		}
	}
}

// logPlatform logs one platform's part of the report.
func logPlatform(t *testing.T, p string, pr *spec.PlatformReport) {
	t.Helper()
	n := 0
	for _, v := range pr.Violations {
		n += v.Count
	}
	t.Logf("conformance %-9s checked=%d violations=%d (distinct %d)", p, pr.Checked, n, len(pr.Violations))
	for _, k := range sortedKeys(pr.Responses) {
		t.Logf("  checked %-70s %d", k, pr.Responses[k])
	}
	for _, k := range sortedKeys(pr.Amended) {
		t.Logf("  amended %-30s %d", k, pr.Amended[k])
	}
	for _, k := range sortedKeys(pr.Relaxed) {
		t.Logf("  relaxed %-30s %d", k, pr.Relaxed[k])
	}
	for _, k := range sortedKeys(pr.Skipped) {
		t.Logf("  no schema: %s: %d", k, pr.Skipped[k])
	}
}

// run names calls in failures.
type run struct{ t *testing.T }

func (r run) must(what string, err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("%s: %v", what, err)
	}
}

// status fails unless err is an API error answered with want (its body
// is what the checker validated).
func (r run) status(what string, err error, want int) {
	r.t.Helper()
	if got := httpx.StatusOf(err); got != want {
		r.t.Errorf("%s: got status %d (%v), want %d", what, got, err, want)
	}
}

// reconnect fails unless err says only reconnecting helps (a 401 the
// static token could not refresh past; its body is what the checker
// validated).
func (r run) reconnect(what string, err error) {
	r.t.Helper()
	if !httpx.IsReconnect(err) {
		r.t.Errorf("%s: got %v, want a reconnect error", what, err)
	}
}

// receiver answers webhook deliveries with 200.
func receiver(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func driveMyCase(ctx context.Context, t *testing.T, chk *spec.Checker) {
	r := run{t}
	hooks := receiver(t) // closed after the fake: deliveries may be in flight
	fake := mycasefake.New(mycasefake.Options{RateLimit: 1_000_000, AllowInsecureWebhooks: true})
	t.Cleanup(fake.Close)
	srv := httptest.NewServer(chk.Wrap(spec.MyCase, fake))
	t.Cleanup(srv.Close)
	tok := fake.IssueToken()
	// PageSize 2: the lists take several pages (Link rel="next").
	mc := mycase.New(mycase.Options{APIBase: srv.URL, OAuthBase: srv.URL, HTTPClient: srv.Client(),
		Auth: staticAuth{tok.Access}, Pacer: &httpx.Pacer{}, PageSize: 2})

	// What a firm already has, made in MyCase's own UI.
	var people []mycase.Person
	for i, in := range []mycasefake.PersonInput{
		{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", CellPhone: "(312) 555-0100"},
		{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com", WorkPhone: "312-555-0101"},
		{FirstName: "Alan", LastName: "Turing", HomePhone: "+13125550102", Notes: "prefers mail"},
	} {
		p, err := fake.CreatePerson(in)
		r.must(fmt.Sprintf("seeding person %d", i), err)
		people = append(people, p)
	}
	seeded, err := fake.CreateCase(mycasefake.CaseInput{Name: "Lovelace v. Babbage", CaseNumber: "2025-001",
		PracticeArea: "Family Law", ClientIDs: []int64{people[0].ID}, OpenedDate: "2025-01-02"})
	r.must("seeding a case", err)
	_, err = fake.CreateCase(mycasefake.CaseInput{Name: "Hopper estate", Status: "closed", ClientIDs: []int64{people[1].ID}})
	r.must("seeding a closed case", err)
	seededDoc, err := fake.AddDocument(seeded.ID, "retainer.pdf", []byte("%PDF-1.4 retainer\n"))
	r.must("seeding a document", err)
	_, err = fake.AddCustomField("Referral", "client", "list", "Web", "Friend")
	r.must("seeding a custom field", err)

	// Who is connected.
	_, err = mc.Me(ctx)
	r.must("mycase Me", err)
	_, err = mc.Firm(ctx)
	r.must("mycase Firm", err)
	bad := mycase.New(mycase.Options{APIBase: srv.URL, HTTPClient: srv.Client(), Auth: staticAuth{"not-a-token"}, Pacer: &httpx.Pacer{}})
	_, err = bad.Me(ctx)
	r.reconnect("mycase Me with a bad token", err)

	// People.
	n := 0
	r.must("mycase People", mc.People(ctx, mycase.PeopleQuery{}, func(mycase.Person) error { n++; return nil }))
	if n < len(people) {
		t.Errorf("mycase People listed %d, want at least %d", n, len(people))
	}
	r.must("mycase People since", mc.People(ctx, mycase.PeopleQuery{UpdatedAfter: time.Now().Add(-time.Hour)},
		func(mycase.Person) error { return nil }))
	_, err = mc.Person(ctx, people[0].ID)
	r.must("mycase Person", err)
	_, err = mc.Person(ctx, 987654321)
	r.status("mycase Person of a missing id", err, http.StatusNotFound)
	if !errors.Is(err, mycase.ErrNotFound) {
		t.Errorf("mycase Person of a missing id: %v, want ErrNotFound", err)
	}
	found, err := mc.FindPeopleByEmail(ctx, "ADA@example.com")
	r.must("mycase FindPeopleByEmail", err)
	if len(found) != 1 {
		t.Errorf("mycase FindPeopleByEmail found %d, want 1", len(found))
	}
	_, err = mc.FindPeopleByPhone(ctx, "+1 312 555 0101")
	r.must("mycase FindPeopleByPhone", err)
	np, err := mc.CreatePerson(ctx, mycase.PersonWrite{FirstName: "Katherine", LastName: "Johnson", Email: "kj@example.com",
		CellPhoneNumber: "757-555-0199"})
	r.must("mycase CreatePerson", err)
	_, err = mc.CreatePerson(ctx, mycase.PersonWrite{FirstName: "Nameless"})
	r.status("mycase CreatePerson without a last name", err, http.StatusUnprocessableEntity)

	// Cases, practice areas, custom fields.
	r.must("mycase Cases", mc.Cases(ctx, mycase.CaseQuery{}, func(mycase.Case) error { return nil }))
	r.must("mycase Cases open since", mc.Cases(ctx, mycase.CaseQuery{Status: "open", UpdatedAfter: time.Now().Add(-time.Hour)},
		func(mycase.Case) error { return nil }))
	_, err = mc.Case(ctx, seeded.ID)
	r.must("mycase Case", err)
	_, err = mc.Case(ctx, 987654321)
	r.status("mycase Case of a missing id", err, http.StatusNotFound)
	pas, err := mc.PracticeAreas(ctx)
	r.must("mycase PracticeAreas", err)
	cw := mycase.CaseWrite{Name: "Johnson v. NASA", CaseNumber: "2025-002", Status: "open", OpenedDate: "2025-02-03",
		Clients: []mycase.IDRef{{ID: np.ID}}}
	if len(pas) > 0 {
		cw.PracticeArea = pas[0].Name
	}
	nc, err := mc.CreateCase(ctx, cw)
	r.must("mycase CreateCase", err)
	_, err = mc.CreateCase(ctx, cw)
	r.status("mycase CreateCase with a taken name", err, http.StatusUnprocessableEntity)
	_, err = mc.CustomFields(ctx)
	r.must("mycase CustomFields", err)
	cf, err := mc.CreateCustomField(ctx, "Lawmatics ID", "case", "short_text")
	r.must("mycase CreateCustomField", err)
	r.must("mycase SetCaseCustomField", mc.SetCaseCustomField(ctx, nc.ID, cf.ID, "lawmatics:42"))

	// Notes on a client and on a case.
	_, err = mc.CreateClientNote(ctx, np.ID, mycase.NoteWrite{Subject: "Zoom call", Note: "Zoom meeting ID: 1", Date: time.Now()})
	r.must("mycase CreateClientNote", err)
	r.must("mycase ClientNotes", mc.ClientNotes(ctx, np.ID, func(mycase.Note) error { return nil }))
	_, err = mc.CreateCaseNote(ctx, nc.ID, mycase.NoteWrite{Subject: "Intake", Note: "Intake form received"})
	r.must("mycase CreateCaseNote", err)
	r.must("mycase CaseNotes", mc.CaseNotes(ctx, nc.ID, func(mycase.Note) error { return nil }))

	// Documents: lists, read, download, upload, new version.
	r.must("mycase Documents", mc.Documents(ctx, mycase.DocumentQuery{}, func(mycase.Document) error { return nil }))
	r.must("mycase Documents since", mc.Documents(ctx, mycase.DocumentQuery{UpdatedAfter: time.Now().Add(-time.Hour)},
		func(mycase.Document) error { return nil }))
	r.must("mycase CaseDocuments", mc.CaseDocuments(ctx, seeded.ID, func(mycase.Document) error { return nil }))
	_, err = mc.Document(ctx, seededDoc.ID)
	r.must("mycase Document", err)
	_, err = mc.Document(ctx, 987654321)
	r.status("mycase Document of a missing id", err, http.StatusNotFound)
	rc, _, err := mc.Download(ctx, seededDoc.ID)
	r.must("mycase Download", err)
	_, _ = io.Copy(io.Discard, rc)
	rc.Close()
	body := []byte("intake form\n")
	d, err := mc.Upload(ctx, nc.ID, "Intake/intake.txt", "intake.txt", int64(len(body)), bytes.NewReader(body))
	r.must("mycase Upload", err)
	v2 := []byte("intake form, signed\n")
	r.must("mycase UploadVersion", mc.UploadVersion(ctx, d.ID, int64(len(v2)), bytes.NewReader(v2)))
	vs, err := mc.DocumentVersions(ctx, d.ID)
	r.must("mycase DocumentVersions", err)
	if len(vs) != 2 {
		t.Errorf("mycase DocumentVersions: %d versions, want 2", len(vs))
	}

	// Webhook subscriptions, as the upkeep keeps them.
	sub, err := mc.Subscribe(ctx, "case", hooks.URL+"/mycase", []string{"created", "updated", "deleted"})
	r.must("mycase Subscribe", err)
	_, err = mc.Subscriptions(ctx)
	r.must("mycase Subscriptions", err)
	r.must("mycase Unsubscribe", mc.Unsubscribe(ctx, sub.ID))
	r.status("mycase Unsubscribe twice", mc.Unsubscribe(ctx, sub.ID), http.StatusNotFound)

	// A 400 (a bad query parameter): the client validates its filters
	// itself, so this one request goes around it.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/cases?filter%5Bstatus%5D=pending", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	resp, err := srv.Client().Do(req)
	r.must("GET /v1/cases?filter[status]=pending", err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /v1/cases?filter[status]=pending: %d, want 400", resp.StatusCode)
	}

	if u := fake.Unhandled(); len(u) > 0 {
		t.Errorf("the client called what the fake does not model: %v", u)
	}
}

func driveSmokeball(ctx context.Context, t *testing.T, chk *spec.Checker) {
	r := run{t}
	hooks := receiver(t) // closed after the fake: deliveries may be in flight
	fake := smokeballfake.New(smokeballfake.Options{RateLimit: 1_000_000, WriteDelay: 20 * time.Millisecond, AllowInsecureWebhooks: true})
	t.Cleanup(fake.Close)
	srv := httptest.NewServer(chk.Wrap(spec.Smokeball, fake))
	t.Cleanup(srv.Close)
	tok := fake.IssueToken()
	// PageSize 2: the lists take several pages (the envelope's next).
	sc := smokeball.New(smokeball.Options{APIBase: srv.URL, AuthBase: srv.URL, APIKey: fake.APIKey(), HTTPClient: srv.Client(),
		Auth: staticAuth{tok.Access}, Pacer: &httpx.Pacer{}, PageSize: 2, WriteWait: 20 * time.Second})

	// What a firm already has, made in Smokeball itself.
	var contacts []smokeball.Contact
	for i, in := range []smokeballfake.PersonInput{
		{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "(312) 555-0100"},
		{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com", Cell: "312-555-0101"},
		{FirstName: "Alan", LastName: "Turing", Notes: "prefers mail"},
	} {
		c, err := fake.CreateContact(in)
		r.must(fmt.Sprintf("seeding contact %d", i), err)
		contacts = append(contacts, c)
	}
	seeded, err := fake.CreateMatter(smokeballfake.MatterInput{Number: "2025-001", Description: "Lovelace purchase",
		ClientIDs: []string{contacts[0].ID}})
	r.must("seeding a matter", err)
	_, err = fake.CreateMatter(smokeballfake.MatterInput{Number: "2025-000", ClientIDs: []string{contacts[1].ID}, Status: "Closed"})
	r.must("seeding a closed matter", err)
	seededFile, err := fake.AddFile(seeded.ID, "contract.pdf", []byte("%PDF-1.4 contract\n"))
	r.must("seeding a file", err)
	_, err = fake.AddMemo(seeded.ID, "Call", "Called the client.")
	r.must("seeding a memo", err)

	// Who is connected.
	_, err = sc.Me(ctx)
	r.must("smokeball Me", err)
	bad := smokeball.New(smokeball.Options{APIBase: srv.URL, APIKey: fake.APIKey(), HTTPClient: srv.Client(),
		Auth: staticAuth{"not-a-token"}, Pacer: &httpx.Pacer{}})
	_, err = bad.Me(ctx)
	r.reconnect("smokeball Me with a bad token", err)

	// Contacts.
	n := 0
	r.must("smokeball Contacts", sc.Contacts(ctx, smokeball.ContactQuery{}, func(smokeball.Contact) error { n++; return nil }))
	if n < len(contacts) {
		t.Errorf("smokeball Contacts listed %d, want at least %d", n, len(contacts))
	}
	r.must("smokeball Contacts since", sc.Contacts(ctx, smokeball.ContactQuery{UpdatedSince: time.Now().Add(-time.Hour)},
		func(smokeball.Contact) error { return nil }))
	_, err = sc.Contact(ctx, contacts[0].ID)
	r.must("smokeball Contact", err)
	_, err = sc.Contact(ctx, newGUID())
	r.status("smokeball Contact of a missing id", err, http.StatusNotFound)
	found, err := sc.FindContactsByEmail(ctx, "ADA@example.com")
	r.must("smokeball FindContactsByEmail", err)
	if len(found) != 1 {
		t.Errorf("smokeball FindContactsByEmail found %d, want 1", len(found))
	}
	_, err = sc.FindContactsByPhone(ctx, "+1 312 555 0101")
	r.must("smokeball FindContactsByPhone", err)
	// Writes answer 202 and apply later: WaitContact polls (404) until
	// the contact is readable.
	acc, err := sc.CreateContact(ctx, smokeball.Person{FirstName: "Katherine", LastName: "Johnson", Email: "kj@example.com",
		Cell: &smokeball.Phone{AreaCode: "757", Number: "5550199"}})
	r.must("smokeball CreateContact", err)
	nc, err := sc.WaitContact(ctx, acc.ID)
	r.must("smokeball WaitContact", err)
	_, err = sc.UpdateContactNotes(ctx, nc.ID, "Referred by Ada")
	r.must("smokeball UpdateContactNotes", err)

	// Matters and matter types.
	r.must("smokeball Matters", sc.Matters(ctx, smokeball.MatterQuery{}, func(smokeball.Matter) error { return nil }))
	r.must("smokeball Matters open since", sc.Matters(ctx, smokeball.MatterQuery{Status: "Open", UpdatedSince: time.Now().Add(-time.Hour)},
		func(smokeball.Matter) error { return nil }))
	_, err = sc.Matter(ctx, seeded.ID)
	r.must("smokeball Matter", err)
	_, err = sc.Matter(ctx, newGUID())
	r.status("smokeball Matter of a missing id", err, http.StatusNotFound)
	types, err := sc.MatterTypes(ctx, "")
	r.must("smokeball MatterTypes", err)
	if len(types) == 0 {
		t.Fatal("smokeball MatterTypes: none seeded")
	}
	_, err = sc.MatterTypes(ctx, types[0].Location)
	r.must("smokeball MatterTypes of a location", err)
	mw := smokeball.MatterWrite{ExternalSystemID: "lawmatics:42", Number: "2025-002", MatterTypeID: types[0].ID,
		Description: "Johnson purchase", Status: "Open", ClientIDs: []string{nc.ID}}
	if len(types[0].RepresentativeOptions) > 0 {
		mw.ClientRole = types[0].RepresentativeOptions[0]
	}
	macc, err := sc.CreateMatter(ctx, mw)
	r.must("smokeball CreateMatter", err)
	nm, err := sc.WaitMatter(ctx, macc.ID)
	r.must("smokeball WaitMatter", err)
	_, err = sc.CreateMatter(ctx, smokeball.MatterWrite{Number: "no type", Status: "Open", ClientIDs: []string{nc.ID}})
	r.status("smokeball CreateMatter without a matter type", err, http.StatusBadRequest)

	// Memos.
	_, err = sc.CreateMemo(ctx, nm.ID, "Zoom call", "Zoom meeting ID: 1")
	r.must("smokeball CreateMemo", err)
	fake.Flush()
	memos := 0
	r.must("smokeball Memos", sc.Memos(ctx, nm.ID, func(smokeball.Memo) error { memos++; return nil }))
	if memos != 1 {
		t.Errorf("smokeball Memos: %d, want 1", memos)
	}

	// Files: list, read, download, upload, new version.
	r.must("smokeball Files", sc.Files(ctx, seeded.ID, func(smokeball.File) error { return nil }))
	_, err = sc.File(ctx, seeded.ID, seededFile.ID)
	r.must("smokeball File", err)
	_, err = sc.File(ctx, seeded.ID, newGUID())
	r.status("smokeball File of a missing id", err, http.StatusNotFound)
	rc, _, err := sc.Download(ctx, seeded.ID, seededFile.ID)
	r.must("smokeball Download", err)
	_, _ = io.Copy(io.Discard, rc)
	rc.Close()
	body := []byte("intake form\n")
	fid, err := sc.Upload(ctx, nm.ID, "Intake", "intake.txt", int64(len(body)), bytes.NewReader(body))
	r.must("smokeball Upload", err)
	fake.Flush()
	v2 := []byte("intake form, signed\n")
	r.must("smokeball UploadVersion", sc.UploadVersion(ctx, nm.ID, fid, int64(len(v2)), bytes.NewReader(v2)))
	fake.Flush()
	r.must("smokeball Files of the new matter", sc.Files(ctx, nm.ID, func(smokeball.File) error { return nil }))

	// Webhooks, as the upkeep keeps them.
	h, err := sc.CreateWebhook(ctx, "Firmsync", hooks.URL+"/smokeball", "signing-key", []string{"matter.created", "matter.updated", "error"})
	r.must("smokeball CreateWebhook", err)
	_, err = sc.Webhooks(ctx)
	r.must("smokeball Webhooks", err)
	r.must("smokeball DeleteWebhook", sc.DeleteWebhook(ctx, h.ID))
	r.status("smokeball DeleteWebhook twice", sc.DeleteWebhook(ctx, h.ID), http.StatusNotFound)

	fake.Flush()
	if u := fake.Unhandled(); len(u) > 0 {
		t.Errorf("the client called what the fake does not model: %v", u)
	}
}

// newGUID returns a random GUID (Smokeball's id form) that names nothing.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := fmt.Sprintf("%x", b)
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:]}, "-")
}
