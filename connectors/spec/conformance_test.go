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
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/spec"
	"github.com/firmsync/firmsync/connectors/zoom"
)

// staticAuth hands out the sandbox's developer token.
type staticAuth struct{ tok string }

func (a staticAuth) Token(context.Context) (string, error) { return a.tok, nil }
func (a staticAuth) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("static token refused: %w", httpx.ErrReconnect)
}

// conformance is one run of the real clients against the wrapped sandbox.
type conformance struct {
	t    *testing.T
	ctx  context.Context
	sb   *sandbox.Sandbox
	info sandbox.Info
}

// must fails the test when err is not nil, naming the call.
func (c *conformance) must(what string, err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// want fails the test unless err matches target (an expected error answer,
// whose body the checker validates too).
func (c *conformance) want(what string, err, target error) {
	c.t.Helper()
	if !errors.Is(err, target) {
		c.t.Errorf("%s: got %v, want %v", what, err, target)
	}
}

// TestFakesConformToVendorSpecs runs every endpoint the sync jobs and the
// webhook upkeep call (core/jobs/*.go, core/upkeep.go), through the real
// clients, against the sandbox with every fake wrapped by a spec.Checker,
// and fails on any response that departs from the vendor's schema beyond
// the relaxations listed in relax.go.
func TestFakesConformToVendorSpecs(t *testing.T) {
	chk, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	limits := map[string]int{"clio": 1_000_000, "lawmatics": 1_000_000, "box": 1_000_000, "zoom": 1_000_000}
	sb, err := sandbox.Start(sandbox.Options{
		Size:       sandbox.Size{Contacts: 8, Matters: 4, Documents: 4, Recordings: 3, Prospects: 4},
		RateLimits: limits,
		Wrap:       chk.Wrap,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := &conformance{t: t, ctx: ctx, sb: sb, info: sb.Info()}

	t.Run("box", c.box)
	t.Run("clio", c.clio)
	t.Run("zoom", c.zoom)
	t.Run("lawmatics", c.lawmatics)

	rep := chk.Report()
	writeReport(t, rep)
	for _, p := range spec.Platforms {
		pr := rep.Platforms[p]
		// ownFakes (conformance_pms_test.go) are driven against fakes that
		// test starts itself, not through this sandbox.
		if p != spec.Lawmatics && !ownFakes[p] && pr.Checked == 0 {
			t.Errorf("%s: no response was checked", p)
		}
		for _, v := range pr.Violations {
			t.Errorf("violation: %s", v)
		}
	}
}

// writeReport logs the per-platform summary and, with
// FIRMSYNC_CONFORMANCE_REPORT set, writes it as Markdown to that file.
func writeReport(t *testing.T, rep spec.Report) {
	var md strings.Builder
	md.WriteString("| platform | responses checked | violations | relaxed | no schema |\n|---|---|---|---|---|\n")
	for _, p := range spec.Platforms {
		pr := rep.Platforms[p]
		relaxed, skipped := 0, 0
		for _, n := range pr.Relaxed {
			relaxed += n
		}
		for _, n := range pr.Skipped {
			skipped += n
		}
		n := 0
		for _, v := range pr.Violations {
			n += v.Count
		}
		t.Logf("conformance %-9s checked=%d violations=%d (distinct %d) relaxed=%d no-schema=%d",
			p, pr.Checked, n, len(pr.Violations), relaxed, skipped)
		fmt.Fprintf(&md, "| %s | %d | %d (%d distinct) | %d | %d |\n", p, pr.Checked, n, len(pr.Violations), relaxed, skipped)
		for _, e := range sortedKeys(pr.Endpoints) {
			t.Logf("  checked %-60s %d", e, pr.Endpoints[e])
		}
		for _, k := range sortedKeys(pr.Relaxed) {
			t.Logf("  relaxed %-30s %d", k, pr.Relaxed[k])
		}
		for _, k := range sortedKeys(pr.Skipped) {
			t.Logf("  no schema: %s: %d", k, pr.Skipped[k])
		}
	}
	md.WriteString("\n| platform | endpoint | status | JSON path | schema keyword | what the spec says | what the fake sent | count |\n|---|---|---|---|---|---|---|---|\n")
	for _, v := range rep.Violations() {
		fmt.Fprintf(&md, "| %s | `%s` | %d | `%s` | %s | %s | `%s` | %d |\n", v.Platform, v.Endpoint, v.Status, v.Path, v.Field,
			strings.ReplaceAll(v.Reason, "|", "\\|"), strings.ReplaceAll(v.Got, "|", "\\|"), v.Count)
	}
	if f := os.Getenv("FIRMSYNC_CONFORMANCE_REPORT"); f != "" {
		if err := os.WriteFile(f, []byte(md.String()), 0o644); err != nil {
			t.Errorf("writing the report: %v", err)
		}
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *conformance) box(t *testing.T) {
	in := c.info.Platforms[sandbox.Box]
	bc := box.New(box.Options{APIBase: in.APIBase, UploadBase: in.UploadBase, OAuthBase: in.OAuthBase, Auth: staticAuth{in.Token},
		TempDir: t.TempDir()})
	ctx := c.ctx
	_, err := bc.Me(ctx)
	c.must("box Me", err)
	root := c.sb.BoxRoot()

	// Folders: create, the 409 of a second create, read, describe, list.
	id, created, err := bc.EnsureFolder(ctx, root, "Conformance")
	c.must("box EnsureFolder", err)
	if !created {
		t.Errorf("EnsureFolder did not create")
	}
	again, _, err := bc.EnsureFolder(ctx, root, "CONFORMANCE")
	c.must("box EnsureFolder again", err)
	if again != id {
		t.Errorf("EnsureFolder adopted %s, want %s", again, id)
	}
	_, err = bc.Folder(ctx, id)
	c.must("box Folder", err)
	c.must("box SetFolderDescription", bc.SetFolderDescription(ctx, id, "clio-matter:1"))
	c.must("box Items", bc.Items(ctx, root, func(box.Item) error { return nil }))
	_, err = bc.Folder(ctx, "999999999")
	c.want("box Folder of a missing id", err, box.ErrNotFound)

	// Files: direct upload, its name clash, new version, read, preflight.
	small := []byte("conformance test document\n")
	f, err := bc.UploadFile(ctx, id, "note.txt", int64(len(small)), bytes.NewReader(small), "")
	c.must("box UploadFile", err)
	_, err = bc.UploadFile(ctx, id, "note.txt", int64(len(small)), bytes.NewReader(small), "")
	c.want("box UploadFile clash", err, box.ErrExists)
	v2 := []byte("conformance test document, version 2\n")
	_, err = bc.UploadVersion(ctx, f.ID, "", int64(len(v2)), bytes.NewReader(v2), "")
	c.must("box UploadVersion", err)
	_, err = bc.File(ctx, f.ID)
	c.must("box File", err)
	c.must("box Preflight", bc.Preflight(ctx, id, "other.txt", 10))
	c.want("box Preflight clash", bc.Preflight(ctx, id, "note.txt", 10), box.ErrExists)

	// A chunked upload (20 MB and more go through upload sessions).
	big := make([]byte, 21<<20)
	_, _ = rand.Read(big[:4096])
	_, err = bc.UploadFile(ctx, id, "big.bin", int64(len(big)), bytes.NewReader(big), "")
	c.must("box chunked UploadFile", err)

	// Webhooks, as core/upkeep.go registers them.
	w, err := bc.CreateWebhook(ctx, id, "https://hooks.firm.example/box", []string{"FOLDER.TRASHED", "FOLDER.RENAMED"})
	c.must("box CreateWebhook", err)
	_, err = bc.CreateWebhook(ctx, id, "https://hooks.firm.example/box", []string{"FOLDER.TRASHED"})
	c.want("box CreateWebhook twice", err, box.ErrExists)
	_, err = bc.Webhooks(ctx)
	c.must("box Webhooks", err)
	_, err = bc.UpdateWebhook(ctx, w.ID, "https://hooks2.firm.example/box")
	c.must("box UpdateWebhook", err)
	c.must("box DeleteWebhook", bc.DeleteWebhook(ctx, w.ID))
	c.want("box DeleteWebhook twice", bc.DeleteWebhook(ctx, w.ID), box.ErrNotFound)

	// Deletes, and reading what was deleted.
	c.must("box DeleteFile", bc.DeleteFile(ctx, f.ID))
	_, err = bc.File(ctx, f.ID)
	c.want("box File after delete", err, box.ErrNotFound)
	c.must("box DeleteFolder", bc.DeleteFolder(ctx, id, true))

	// Revoke last: it ends the token the client used.
	c.must("box Revoke", bc.Revoke(ctx, in.ClientID, in.ClientSecret, in.Token))
}

func (c *conformance) clio(t *testing.T) {
	in := c.info.Platforms[sandbox.Clio]
	cc := clio.New(clio.Options{APIBase: in.APIBase, OAuthBase: in.OAuthBase, Auth: staticAuth{in.Token}, PageSize: 3})
	ctx := c.ctx
	_, err := cc.Me(ctx)
	c.must("clio Me", err)

	var contacts []clio.Contact
	c.must("clio Contacts", cc.Contacts(ctx, clio.ContactQuery{}, func(ct clio.Contact) error { contacts = append(contacts, ct); return nil }))
	if len(contacts) == 0 {
		t.Fatal("no Clio contacts seeded")
	}
	c.must("clio Contacts since", cc.Contacts(ctx, clio.ContactQuery{UpdatedSince: time.Now().Add(-24 * time.Hour), IDs: []int64{contacts[0].ID}},
		func(clio.Contact) error { return nil }))
	_, err = cc.Contact(ctx, contacts[0].ID)
	c.must("clio Contact", err)
	_, err = cc.Contact(ctx, 987654321)
	c.want("clio Contact of a missing id", err, clio.ErrNotFound)
	for _, ct := range contacts {
		if len(ct.EmailAddresses) > 0 {
			_, err = cc.FindContactsByEmail(ctx, ct.EmailAddresses[0].Address)
			c.must("clio FindContactsByEmail", err)
			break
		}
	}
	for _, ct := range contacts {
		if len(ct.PhoneNumbers) > 0 {
			_, err = cc.FindContactsByPhone(ctx, ct.PhoneNumbers[0].Number)
			c.must("clio FindContactsByPhone", err)
			break
		}
	}
	first, last := "Ada", "Conformance"
	nc, err := cc.CreateContact(ctx, clio.ContactWrite{FirstName: &first, LastName: &last,
		EmailAddresses: []clio.EmailAddressWrite{{Address: "ada@conformance.example", Name: "Work"}}})
	c.must("clio CreateContact", err)

	var matters []clio.Matter
	c.must("clio Matters", cc.Matters(ctx, clio.MatterQuery{Status: []string{"open", "pending"}}, func(m clio.Matter) error {
		matters = append(matters, m)
		return nil
	}))
	if len(matters) == 0 {
		t.Fatal("no Clio matters seeded")
	}
	_, err = cc.Matter(ctx, matters[0].ID)
	c.must("clio Matter", err)
	pas, err := cc.PracticeAreas(ctx)
	c.must("clio PracticeAreas", err)
	mc := clio.MatterCreate{Description: "Conformance matter", ClientID: nc.ID, Status: "open"}
	if len(pas) > 0 {
		mc.PracticeAreaID = pas[0].ID
	}
	m, err := cc.CreateMatter(ctx, mc)
	c.must("clio CreateMatter", err)
	_, err = cc.CustomFields(ctx, "Matter")
	c.must("clio CustomFields", err)
	cf, err := cc.CreateCustomField(ctx, "Conformance field", "Matter", "text_line")
	c.must("clio CreateCustomField", err)
	c.must("clio SetMatterCustomField", cc.SetMatterCustomField(ctx, m.ID, cf.ID, "one"))
	_, err = cc.SetMatterCustomFieldEtag(ctx, m.ID, cf.ID, "two")
	c.must("clio SetMatterCustomFieldEtag", err)
	c.must("clio Matters by custom field", cc.Matters(ctx, clio.MatterQuery{CustomFieldValue: map[int64]string{cf.ID: "two"}},
		func(clio.Matter) error { return nil }))

	var docs []clio.Document
	c.must("clio Documents", cc.Documents(ctx, 0, clio.DocumentQuery{}, func(d clio.Document) error { docs = append(docs, d); return nil }))
	c.must("clio Documents of a matter", cc.Documents(ctx, matters[0].ID, clio.DocumentQuery{}, func(clio.Document) error { return nil }))
	if len(docs) > 0 {
		c.must("clio Documents by id", cc.Documents(ctx, 0, clio.DocumentQuery{IDs: []int64{docs[0].ID}}, func(clio.Document) error { return nil }))
		rc, _, err := cc.Download(ctx, docs[0].ID)
		c.must("clio Download", err)
		_, _ = io.Copy(io.Discard, rc)
		rc.Close()
	}
	body := []byte("intake form\n")
	_, err = cc.Upload(ctx, clio.Parent{ID: m.ID, Type: "Matter"}, "intake.txt", int64(len(body)), bytes.NewReader(body))
	c.must("clio Upload", err)

	_, err = cc.CreateNote(ctx, clio.NoteCreate{Type: "Contact", ContactID: nc.ID, Subject: "Zoom call", Detail: "Zoom meeting ID: x", Date: time.Now()})
	c.must("clio CreateNote", err)
	c.must("clio Notes", cc.Notes(ctx, "Contact", nc.ID, func(clio.Note) error { return nil }))

	// Webhooks, as core/upkeep.go keeps them: Clio's handshake reaches a
	// receiver that echoes the secret.
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := r.Header.Get(clio.HookSecretHeader); s != "" {
			w.Header().Set(clio.HookSecretHeader, s)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer recv.Close()
	wh, err := cc.CreateWebhook(ctx, clio.WebhookCreate{URL: recv.URL + "/clio", Model: "matter", Fields: "id,etag,updated_at",
		ExpiresAt: time.Now().Add(7 * 24 * time.Hour)})
	c.must("clio CreateWebhook", err)
	_, err = cc.Webhooks(ctx)
	c.must("clio Webhooks", err)
	_, err = cc.ExtendWebhook(ctx, wh.ID, time.Now().Add(14*24*time.Hour))
	c.must("clio ExtendWebhook", err)
	c.must("clio DeleteWebhook", cc.DeleteWebhook(ctx, wh.ID))
	c.want("clio DeleteWebhook twice", cc.DeleteWebhook(ctx, wh.ID), clio.ErrNotFound)
}

func (c *conformance) zoom(t *testing.T) {
	in := c.info.Platforms[sandbox.Zoom]
	zc := zoom.New(zoom.Options{APIBase: in.APIBase, OAuthBase: in.OAuthBase, Auth: staticAuth{in.Token}})
	ctx := c.ctx
	_, err := zc.Me(ctx)
	c.must("zoom Me", err)

	c.must("zoom ExternalContacts", zc.ExternalContacts(ctx, func(zoom.ExternalContact) error { return nil }))
	id, err := zc.CreateExternalContact(ctx, zoom.ExternalContactWrite{Name: "Ada Conformance", Email: "ada@conformance.example",
		PhoneNumbers: []string{"+14155550123"}, Description: "clio-contact:1", ID: "clio-1"})
	c.must("zoom CreateExternalContact", err)
	_, err = zc.ExternalContact(ctx, id)
	c.must("zoom ExternalContact", err)
	name := "Ada B. Conformance"
	c.must("zoom UpdateExternalContact", zc.UpdateExternalContact(ctx, id, zoom.ExternalContactPatch{Name: &name}))
	c.must("zoom DeleteExternalContact", zc.DeleteExternalContact(ctx, id))
	_, err = zc.ExternalContact(ctx, id)
	c.want("zoom ExternalContact after delete", err, zoom.ErrNotFound)

	meetings := c.sb.Zoom().Meetings()
	if len(meetings) == 0 {
		t.Fatal("no Zoom meetings seeded")
	}
	from := time.Now()
	for _, m := range meetings {
		if m.StartTime.Before(from) {
			from = m.StartTime
		}
	}
	c.must("zoom Recordings", zc.Recordings(ctx, from.Add(-time.Hour), time.Now(), func(zoom.Meeting) error { return nil }))
	for _, m := range meetings {
		got, err := zc.MeetingRecordings(ctx, m.UUID)
		c.must("zoom MeetingRecordings", err)
		_, err = zc.Participants(ctx, m.UUID)
		c.must("zoom Participants", err)
		if _, _, err := zc.Transcript(ctx, got); err != nil && !errors.Is(err, zoom.ErrNotReady) {
			t.Errorf("zoom Transcript: %v", err)
		}
		if _, err := zc.Summary(ctx, m.UUID); err != nil && !errors.Is(err, zoom.ErrNotReady) && !errors.Is(err, zoom.ErrNotFound) {
			t.Errorf("zoom Summary: %v", err)
		}
	}
	_, err = zc.MeetingRecordings(ctx, "bm90IGEgbWVldGluZw==")
	c.want("zoom MeetingRecordings of a missing meeting", err, zoom.ErrNotFound)
}

func (c *conformance) lawmatics(t *testing.T) {
	in := c.info.Platforms[sandbox.Lawmatics]
	lc := lawmatics.New(lawmatics.Options{APIBase: in.APIBase, OAuthBase: in.OAuthBase, Auth: staticAuth{in.Token}})
	ctx := c.ctx
	_, err := lc.Me(ctx)
	c.must("lawmatics Me", err)
	var contacts []lawmatics.Contact
	c.must("lawmatics Contacts", lc.Contacts(ctx, lawmatics.ContactQuery{}, func(ct lawmatics.Contact) error {
		contacts = append(contacts, ct)
		return nil
	}))
	if len(contacts) > 0 {
		_, err = lc.Contact(ctx, contacts[0].ID)
		c.must("lawmatics Contact", err)
		_, err = lc.CreateNote(ctx, lawmatics.NotableContact, contacts[0].ID, "Zoom call", "Zoom meeting ID: x")
		c.must("lawmatics CreateNote", err)
		_, err = lc.Notes(ctx, lawmatics.NotableContact, contacts[0].ID)
		c.must("lawmatics Notes", err)
	}
	var prospects []lawmatics.Prospect
	c.must("lawmatics Prospects", lc.Prospects(ctx, lawmatics.ProspectQuery{}, func(p lawmatics.Prospect) error {
		prospects = append(prospects, p)
		return nil
	}))
	for _, p := range prospects {
		_, err = lc.Prospect(ctx, p.ID)
		c.must("lawmatics Prospect", err)
		files, err := lc.Files(ctx, p.ID)
		c.must("lawmatics Files", err)
		for _, f := range files {
			rc, _, _, err := lc.DownloadFile(ctx, f.ID)
			c.must("lawmatics DownloadFile", err)
			_, _ = io.Copy(io.Discard, rc)
			rc.Close()
		}
	}
}
