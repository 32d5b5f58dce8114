package main

// The baseline: the seed's design, re-implemented honestly with the same
// API clients (and so the same pacing, retries and page sizes) against a
// sandbox seeded exactly like Firmsync's. Its jobs are scheduled full
// scans that remember one "last sync" time per job and move it to now
// at the end of a run, even when items failed. The seed was written for
// Clio; the same strategy runs against MyCase or Smokeball through the
// practice-management seam (core/pms), which against Clio makes exactly
// the requests the seed's Clio code made:
//
//   - contacts: list every contact of the system, every run; create or
//     patch each Zoom Phone external contact (no fingerprint, so every
//     contact with a usable phone is written every run). The first run
//     creates (409 → patch); later runs patch (404 → create).
//   - recordings: list the recordings since the last run time (the first
//     run looks back as far as Firmsync does); for each meeting that
//     started since then, read participants, transcript and summary,
//     find the contact by a participant's email (one search per
//     participant) and post the note on it (Smokeball: appended to the
//     contact's notes, its only place for one). Meetings with no matching
//     contact are dropped.
//   - folders: list every matter in the chosen statuses; for each, list
//     the Box matters folder and look for the folder by name; create it
//     and the subfolder template when missing and write its id to the
//     matter's custom field (Smokeball has none to write).
//   - documents: for every matter with a folder (its custom field; on
//     Smokeball, found by name in the Box matters folder, one listing per
//     matter as the folders job does), list the Box folder and the
//     matter's documents (one listing per matter), and re-upload every
//     document by name (a new Box version when the name exists).
//   - intake: not in the seed's description; modelled the same way: list
//     every hired prospect every run, and for each one not yet in the
//     sync log (the seed's integration_sync_logs) find or create the
//     contact, create the matter and copy the prospect's files.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/pms"
)

// sandboxAuth hands out the sandbox's developer tokens for one platform,
// taking a fresh one before the old one's lifetime ends (Box's and Zoom's
// last an hour, and a full bench runs longer) or when one is refused: what
// the seed's OAuth refresh did, without counting as API calls.
type sandboxAuth struct {
	platform string
	mint     func() sandbox.Info // issues fresh developer tokens
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newSandboxAuth(platform string, info sandbox.Info, mint func() sandbox.Info) *sandboxAuth {
	a := &sandboxAuth{platform: platform, mint: mint, now: time.Now}
	a.take(info)
	return a
}

func (a *sandboxAuth) take(info sandbox.Info) {
	p := info.Platforms[a.platform]
	a.token = p.Token
	a.expires = time.Time{} // no lifetime given: never renewed by age
	if p.ExpiresIn > 0 {
		a.expires = a.now().Add(time.Duration(p.ExpiresIn) * time.Second)
	}
}

func (a *sandboxAuth) Token(context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.expires.IsZero() && a.now().After(a.expires.Add(-5*time.Minute)) {
		a.take(a.mint())
	}
	return a.token, nil
}

func (a *sandboxAuth) Refresh(_ context.Context, refused string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token == refused {
		a.take(a.mint())
	}
	return a.token, nil
}

// baseline is the seed's design bound to one sandbox, over the pms seam
// (core/pms) so the same strategy runs against Clio, MyCase or Smokeball
// through the clients Firmsync uses. Against Clio it makes exactly the
// requests the seed's Clio code made.
type baseline struct {
	pm   pms.System
	kind string
	zoom *zoom.Client
	box  *box.Client
	lm   *lawmatics.Client
	root string
	s    jobs.Settings

	last   map[string]time.Time // per job: the "last sync" mark
	synced map[string]bool      // intake: prospects in the sync log
	// field is the matter custom field holding the folder id ("" until
	// found); noField: the system has none (Smokeball), so the documents
	// job finds each matter's folder by name, as the folders job does.
	field   string
	noField bool
	// zoomIDs maps our contact key to the external_contact_id Zoom
	// answered the create with (the id its paths take).
	zoomIDs map[string]string
}

// newBaseline builds the baseline's clients as core builds Firmsync's
// (core/platforms.go): default pacers, with the clocks of the budgets
// kept client-side (Zoom's reset, Box's, Lawmatics', MyCase's and
// Smokeball's windows) scaled by the sandbox's rate window.
func newBaseline(kind string, info sandbox.Info, mint func() sandbox.Info) *baseline {
	p := info.Platforms
	auth := func(platform string) *sandboxAuth { return newSandboxAuth(platform, info, mint) }
	boxPacer, lmPacer := box.DefaultPacer(), lawmatics.DefaultPacer()
	boxPacer.Window = info.Scaled(boxPacer.Window)
	lmPacer.Window = info.Scaled(lmPacer.Window)
	var pm pms.System
	switch kind {
	case sandbox.MyCase:
		pm = pms.NewMyCase(mycase.New(mycase.Options{APIBase: p[sandbox.MyCase].APIBase, OAuthBase: p[sandbox.MyCase].OAuthBase,
			Auth: auth(sandbox.MyCase), Pacer: &httpx.Pacer{Limit: mycase.RateLimit, Window: info.Scaled(time.Second)}}))
	case sandbox.Smokeball:
		// Smokeball's token bucket: 5 a second, burst 5 (as core paces it).
		pm = pms.NewSmokeball(smokeball.New(smokeball.Options{APIBase: p[sandbox.Smokeball].APIBase, AuthBase: p[sandbox.Smokeball].OAuthBase,
			APIKey: p[sandbox.Smokeball].APIKey, Auth: auth(sandbox.Smokeball), Pacer: &httpx.Pacer{Limit: 5, Window: info.Scaled(time.Second)}}))
	default:
		kind = sandbox.Clio
		pm = pms.NewClio(clio.New(clio.Options{APIBase: p[sandbox.Clio].APIBase, OAuthBase: p[sandbox.Clio].OAuthBase, Auth: auth(sandbox.Clio)}))
	}
	return &baseline{
		pm:   pm,
		kind: kind,
		zoom: zoom.New(zoom.Options{APIBase: p[sandbox.Zoom].APIBase, OAuthBase: p[sandbox.Zoom].OAuthBase, Auth: auth(sandbox.Zoom),
			Pacer: &httpx.Pacer{DefaultReset: info.Scaled(time.Second)}}),
		box: box.New(box.Options{APIBase: p[sandbox.Box].APIBase, UploadBase: p[sandbox.Box].UploadBase, OAuthBase: p[sandbox.Box].OAuthBase,
			Auth: auth(sandbox.Box), Pacer: boxPacer}),
		lm: lawmatics.New(lawmatics.Options{APIBase: p[sandbox.Lawmatics].APIBase, OAuthBase: p[sandbox.Lawmatics].OAuthBase,
			Auth: auth(sandbox.Lawmatics), Pacer: lmPacer}),
		root:    info.BoxRoot,
		s:       jobs.Defaults().Normalize(),
		last:    map[string]time.Time{},
		synced:  map[string]bool{},
		zoomIDs: map[string]string{},
	}
}

// BaseJob is one baseline job run.
type BaseJob struct {
	Job       string   `json:"job"`
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
	Dropped   int      `json:"dropped"` // skipped for good: no match, no usable phone
	Failed    int      `json:"failed"`
	WallMS    int64    `json:"wall_ms"`
	Counts    Counts   `json:"counts"`
	Samples   []string `json:"samples,omitempty"`
}

func (j *BaseJob) fail(what string, err error) {
	j.Failed++
	if len(j.Samples) < 5 {
		j.Samples = append(j.Samples, what+": "+err.Error())
	}
}

// run runs one job and moves its mark to now, whatever happened.
func (b *baseline) run(ctx context.Context, job string) BaseJob {
	out := BaseJob{Job: job}
	since := b.last[job]
	switch job {
	case core.JobContacts:
		b.contacts(ctx, since.IsZero(), &out)
	case core.JobRecordings:
		b.recordings(ctx, since, &out)
	case core.JobFolders:
		b.folders(ctx, &out)
	case core.JobDocuments:
		b.documents(ctx, &out)
	case core.JobIntake:
		b.intake(ctx, &out)
	}
	b.last[job] = time.Now()
	return out
}

// sysName is the system's name as users know it ("Clio").
func (b *baseline) sysName() string { return pms.Name(b.kind) }

func (b *baseline) contacts(ctx context.Context, first bool, out *BaseJob) {
	listed := false // Zoom's contacts were listed to learn their ids
	err := b.pm.Contacts(ctx, time.Time{}, func(c pms.Contact) error {
		name, email := c.Name, c.Email
		phone, err := jobs.NormalizePhone(c.Phone, b.s.PhoneRegion)
		if err != nil {
			out.Dropped++
			return nil
		}
		id := zoomContactID(b.kind, c.ID)
		desc := b.sysName() + " contact " + c.ID
		create := func() error {
			zid, err := b.zoom.CreateExternalContact(ctx, zoom.ExternalContactWrite{ID: id, Name: name, Email: email, PhoneNumbers: []string{phone}, Description: desc})
			if err == nil {
				b.zoomIDs[id] = zid
			}
			return err
		}
		patch := func() error {
			zid, ok := b.zoomIDs[id]
			if !ok && !listed {
				// Created before this baseline ran: learn the ids once.
				listed = true
				if err := b.zoom.ExternalContacts(ctx, func(x zoom.ExternalContact) error {
					b.zoomIDs[x.ID] = x.ExternalContactID
					return nil
				}); err != nil {
					return err
				}
				zid, ok = b.zoomIDs[id]
			}
			if !ok {
				return zoom.ErrNotFound
			}
			return b.zoom.UpdateExternalContact(ctx, zid, zoom.ExternalContactPatch{Name: &name, Email: &email, PhoneNumbers: []string{phone}, Description: &desc})
		}
		if first {
			err = create()
			if errors.Is(err, zoom.ErrExists) {
				err = patch()
				if err == nil {
					out.Updated++
				}
			} else if err == nil {
				out.Created++
			}
		} else {
			err = patch()
			if errors.Is(err, zoom.ErrNotFound) {
				err = create()
				if err == nil {
					out.Created++
				}
			} else if err == nil {
				out.Updated++
			}
		}
		if err != nil {
			out.fail("contact "+id, err)
		}
		return ctx.Err()
	})
	if err != nil {
		out.fail("listing "+b.sysName()+" contacts", err)
	}
}

func (b *baseline) recordings(ctx context.Context, since time.Time, out *BaseJob) {
	now := time.Now().UTC()
	if since.IsZero() {
		since = now.Add(-b.s.Lookback)
	}
	me, err := b.zoom.Me(ctx)
	if err != nil {
		out.fail("reading the Zoom account", err)
		return
	}
	var meetings []zoom.Meeting
	if err := b.zoom.Recordings(ctx, since, now, func(m zoom.Meeting) error {
		if !m.StartTime.Before(since) {
			meetings = append(meetings, m)
		}
		return nil
	}); err != nil {
		out.fail("listing Zoom recordings", err)
		return
	}
	for _, m := range meetings {
		if ctx.Err() != nil {
			return
		}
		parts, err := b.zoom.Participants(ctx, m.UUID)
		if err != nil && !errors.Is(err, zoom.ErrNotFound) {
			out.fail("participants of "+m.UUID, err)
			continue
		}
		var contact *pms.Contact
		for _, p := range parts {
			e := strings.ToLower(strings.TrimSpace(p.UserEmail))
			if e == "" || e == strings.ToLower(me.Email) {
				continue
			}
			cs, err := b.pm.ContactsByEmail(ctx, e)
			if err != nil {
				out.fail("finding the contact of "+e, err)
				break
			}
			if len(cs) > 0 {
				contact = &cs[0]
				break
			}
		}
		if contact == nil {
			out.Dropped++ // the seed dropped meetings it could not match
			continue
		}
		note := jobs.CallNote{Meeting: m, Host: me.Name + " <" + me.Email + ">", TranscriptLimit: b.s.TranscriptLimit}
		if vtt, ok, err := b.zoom.Transcript(ctx, m); err != nil {
			out.fail("transcript of "+m.UUID, err)
			continue
		} else if ok {
			note.HasTranscript, note.Transcript = true, jobs.VTTToTranscript(vtt)
		}
		if sum, err := b.zoom.Summary(ctx, m.UUID); err == nil {
			note.Summary = &sum
		}
		for _, f := range m.RecordingFiles {
			if f.PlayURL != "" {
				note.RecordingURL = f.PlayURL
				break
			}
		}
		if _, err := b.pm.CreateContactNote(ctx, contact.ID, pms.NoteWrite{
			Subject: jobs.CallNoteSubject(m.Topic, m.StartTime), Body: note.Body(), Date: m.StartTime}); err != nil {
			out.fail("note for "+m.UUID, err)
			continue
		}
		out.Created++
	}
}

// folderField finds or makes the matter custom field holding the folder
// id; on a system without matter fields it says so (noField) once.
func (b *baseline) folderField(ctx context.Context) (string, error) {
	if b.field != "" || b.noField {
		return b.field, nil
	}
	id, err := b.pm.MatterField(ctx, b.s.FolderFieldName)
	if errors.Is(err, pms.ErrNoMatterFields) {
		b.noField = true
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if id == "" {
		if id, err = b.pm.CreateMatterField(ctx, b.s.FolderFieldName); err != nil {
			return "", err
		}
	}
	b.field = id
	return id, nil
}

// allMatters reads the folder custom field and lists every matter: how the
// seed's folders and documents jobs both began, on every run.
func (b *baseline) allMatters(ctx context.Context, out *BaseJob) (string, []pms.Matter, bool) {
	fid, err := b.folderField(ctx)
	if err != nil {
		out.fail("the folder custom field", err)
		return "", nil, false
	}
	var matters []pms.Matter
	if err := b.pm.Matters(ctx, pms.MatterQuery{Statuses: b.s.MatterStatuses}, func(m pms.Matter) error {
		matters = append(matters, m)
		return nil
	}); err != nil {
		out.fail("listing matters", err)
		return "", nil, false
	}
	return fid, matters, true
}

// findFolder looks for a matter's folder by name in the Box matters
// folder ("" when there is none).
func (b *baseline) findFolder(ctx context.Context, name string) (string, error) {
	stop := errors.New("found")
	found := ""
	err := b.box.Items(ctx, b.root, func(it box.Item) error {
		if it.Type == "folder" && strings.EqualFold(it.Name, name) {
			found = it.ID
			return stop
		}
		return nil
	})
	if err != nil && !errors.Is(err, stop) {
		return "", err
	}
	return found, nil
}

func (b *baseline) folders(ctx context.Context, out *BaseJob) {
	fid, matters, ok := b.allMatters(ctx, out)
	if !ok {
		return
	}
	for _, m := range matters {
		if ctx.Err() != nil {
			return
		}
		name := seedFolderName(m.Number, m.Description)
		found, err := b.findFolder(ctx, name)
		if err != nil {
			out.fail("listing the Box matters folder", err)
			continue
		}
		if found != "" {
			out.Unchanged++
			continue
		}
		f, err := b.box.CreateFolder(ctx, b.root, name)
		if err != nil {
			out.fail("folder "+name, err)
			continue
		}
		for _, sub := range b.s.SubfolderTemplate {
			if _, err := b.box.CreateFolder(ctx, f.ID, box.SanitizeName(sub)); err != nil {
				out.fail("subfolder "+sub, err)
			}
		}
		if !b.noField {
			if _, err := b.pm.SetMatterField(ctx, m.ID, fid, f.ID); err != nil {
				out.fail("writing the folder id of matter "+m.Number, err)
				continue
			}
		}
		out.Created++
	}
}

func (b *baseline) documents(ctx context.Context, out *BaseJob) {
	fid, matters, ok := b.allMatters(ctx, out)
	if !ok {
		return
	}
	for _, m := range matters {
		folder := strings.Trim(m.Fields[fid], `"`)
		if b.noField {
			// No field to read it from: look for the folder by name.
			var err error
			if folder, err = b.findFolder(ctx, seedFolderName(m.Number, m.Description)); err != nil {
				out.fail("listing the Box matters folder", err)
				continue
			}
		}
		if folder == "" {
			continue // no folder yet: the folders job makes it
		}
		have := map[string]string{} // lower-case name → Box file id
		if err := b.box.Items(ctx, folder, func(it box.Item) error {
			if it.Type == "file" {
				have[strings.ToLower(it.Name)] = it.ID
			}
			return nil
		}); err != nil {
			out.fail("listing Box folder "+folder, err)
			continue
		}
		var docs []pms.Document
		if err := b.pm.Documents(ctx, pms.DocumentQuery{MatterIDs: []string{m.ID}}, func(d pms.Document) error {
			docs = append(docs, d)
			return nil
		}); err != nil {
			out.fail("listing documents of matter "+m.Number, err)
			continue
		}
		for _, d := range docs {
			if ctx.Err() != nil {
				return
			}
			if d.Version == "" {
				continue // upload not finished: nothing to copy
			}
			name := box.SanitizeName(d.Name)
			if err := b.upload(ctx, d, folder, name, have); err != nil {
				out.fail("document "+name, err)
				continue
			}
			if have[strings.ToLower(name)] != "" {
				out.Updated++
			} else {
				out.Created++
			}
		}
	}
}

// upload re-uploads one document by name: a new version when the folder
// has a file of that name, else a new file.
func (b *baseline) upload(ctx context.Context, d pms.Document, folder, name string, have map[string]string) error {
	rc, size, err := b.pm.Download(ctx, d.ID)
	if err != nil {
		return err
	}
	defer rc.Close()
	var body io.Reader = rc
	if size < 0 {
		size = d.Size
	}
	if size < 0 { // neither the listing nor the download says: read it first
		buf, err := io.ReadAll(rc)
		if err != nil {
			return err
		}
		body, size = bytes.NewReader(buf), int64(len(buf))
	}
	if id := have[strings.ToLower(name)]; id != "" {
		_, err = b.box.UploadVersion(ctx, id, "", size, body, "")
		return err
	}
	_, err = b.box.UploadFile(ctx, folder, name, size, body, "")
	return err
}

func (b *baseline) intake(ctx context.Context, out *BaseJob) {
	var hired []lawmatics.Prospect
	if err := b.lm.Prospects(ctx, lawmatics.ProspectQuery{Status: lawmatics.StatusHired}, func(p lawmatics.Prospect) error {
		hired = append(hired, p)
		return nil
	}); err != nil {
		out.fail("listing hired prospects", err)
		return
	}
	var areas map[string]string
	for _, p := range hired {
		if b.synced[p.ID] {
			out.Unchanged++
			continue
		}
		if ctx.Err() != nil {
			return
		}
		a := p.Attributes
		var client string
		if a.Email != "" {
			cs, err := b.pm.ContactsByEmail(ctx, a.Email)
			if err != nil {
				out.fail("finding "+a.Email, err)
				continue
			}
			if len(cs) > 0 {
				client = cs[0].ID
			}
		}
		if client == "" {
			if phone, err := jobs.NormalizePhone(a.Phone, b.s.PhoneRegion); err == nil {
				cs, err := b.pm.ContactsByPhone(ctx, phone)
				if err != nil {
					out.fail("finding "+phone, err)
					continue
				}
				if len(cs) > 0 {
					client = cs[0].ID
				}
			}
		}
		if client == "" {
			c, err := b.pm.CreateContact(ctx, pms.ContactWrite{FirstName: a.FirstName, LastName: a.LastName, Email: a.Email, Phone: a.Phone})
			if err != nil {
				out.fail("creating the client of prospect "+p.ID, err)
				continue
			}
			client = c.ID
		}
		if areas == nil {
			areas = map[string]string{}
			pas, err := b.pm.PracticeAreas(ctx)
			if err != nil {
				out.fail("listing practice areas", err)
				continue
			}
			for _, pa := range pas {
				areas[strings.ToLower(pa.Name)] = pa.ID
			}
		}
		area := b.s.CaseTypeMapping[a.CaseType()]
		if area == "" {
			area = b.s.FallbackPracticeArea
		}
		desc := strings.TrimSpace(a.CaseTitle)
		if desc == "" {
			desc = strings.TrimSpace(a.FirstName+" "+a.LastName) + " — intake"
		}
		m, err := b.pm.CreateMatter(ctx, pms.MatterCreate{Description: desc, ClientID: client, Number: a.CaseNumber,
			PracticeAreaID: areas[strings.ToLower(area)]})
		if err != nil {
			out.fail("creating the matter of prospect "+p.ID, err)
			continue
		}
		files, err := b.lm.Files(ctx, p.ID)
		if err != nil {
			out.fail("listing files of prospect "+p.ID, err)
			continue
		}
		ok := true
		for _, f := range files {
			if err := b.copyFile(ctx, f, m.ID); err != nil {
				out.fail("file "+f.ID, err)
				ok = false
			}
		}
		if ok {
			b.synced[p.ID] = true
		}
		out.Created++
	}
}

func (b *baseline) copyFile(ctx context.Context, f lawmatics.File, matter string) error {
	body, size, _, err := b.lm.DownloadFile(ctx, f.ID)
	if err != nil {
		return err
	}
	defer body.Close()
	if size < 0 {
		size = f.Attributes.FileSize
	}
	name := f.Attributes.Name
	if name == "" {
		name = "File " + f.ID
	}
	_, err = b.pm.UploadDocument(ctx, matter, name, size, io.LimitReader(body, size), "")
	return err
}

// seedFolderName is the firm's matter folder name rule (the seed's, which
// Firmsync keeps): "<display number> — <description>", the characters
// Windows forbids replaced by "_", trimmed, cut to 100 characters.
func seedFolderName(number, desc string) string {
	s := strings.TrimSpace(number)
	if d := strings.TrimSpace(desc); d != "" {
		if s != "" {
			s += " — "
		}
		s += d
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == 100 {
			break
		}
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || strings.ContainsRune(`\/:*?"<>|`, r) {
			r = '_'
		}
		b.WriteRune(r)
		n++
	}
	name := strings.TrimSpace(b.String())
	for strings.HasSuffix(name, ".") {
		name = strings.TrimSpace(strings.TrimSuffix(name, "."))
	}
	if name == "" {
		name = "_"
	}
	return box.SanitizeName(name)
}
