package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/auth"
)

// settingsTab edits core.Settings; Save validates and applies them.
type settingsTab struct {
	g       *gui
	content fyne.CanvasObject

	practice *widget.RadioGroup
	// kind is the practice-management system the form shows: the choice
	// on screen, saved or not. The form's words follow it.
	kind     string
	jobNames map[string][]*widget.Label // job → the labels naming it

	schedules    map[string]*schedulePicker
	timeZone     *widget.Entry
	startAtLogin *widget.Check
	signInPort   *widget.Entry
	webhookPort  *widget.Entry

	tunnel       *widget.Entry
	tunnelResult *widget.Label
	tunnelGen    int             // numbers tunnel tests and field changes: a stale result is dropped
	hookRows     *fyne.Container // one row per platform of the firm (saved choice)
	hookURLs     map[string]*widget.Label
	hookStates   map[string]*widget.Label

	boxRoot     *folderPicker
	subfolders  *widget.Entry
	folderField *widget.Entry
	boxForm     *widget.Form
	boxDesc     *widget.Label

	mapping     *mappingTable
	mappingDesc *widget.Label
	// optionsGen numbers the reads of the mapping's options: only the
	// latest one's answer is shown (UI goroutine only).
	optionsGen int
	// optionsConns are the practice-management system's and Lawmatics'
	// connection statuses the latest read saw; a change reloads the options.
	optionsConns string
	opened       bool // the tab has been shown at least once

	contactSources *widget.CheckGroup
	deleteRemoved  *widget.Check
	noteTargets    *widget.CheckGroup
	phoneRegion    *widget.Entry

	attempts map[string]*widget.Entry
	delays   map[string]*widget.Entry

	message *widget.Label
	save    *widget.Button
	scroll  *container.Scroll
}

func newSettingsTab(g *gui) *settingsTab {
	t := &settingsTab{g: g, kind: g.app.PracticeManagement(), jobNames: map[string][]*widget.Label{},
		schedules: map[string]*schedulePicker{},
		hookURLs:  map[string]*widget.Label{}, hookStates: map[string]*widget.Label{},
		attempts: map[string]*widget.Entry{}, delays: map[string]*widget.Entry{},
	}
	t.message = widget.NewLabel("")
	t.message.Wrapping = fyne.TextWrapWord
	t.save = &widget.Button{Text: "Save settings", Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: t.onSave}
	revert := &widget.Button{Text: "Undo changes", Icon: theme.ContentUndoIcon(), OnTapped: t.load}

	sections := container.NewVBox(
		t.practiceCard(),
		t.schedulesCard(),
		t.tunnelCard(),
		t.boxCard(),
		t.mappingCard(),
		t.contactsCard(),
		t.retryCard(),
		t.signInCard(),
		t.dataCard(),
	)
	bar := container.NewBorder(widget.NewSeparator(), nil, nil, container.NewHBox(revert, t.save), t.message)
	t.scroll = container.NewVScroll(sections)
	t.content = newShowHook(container.NewBorder(nil, bar, nil, nil, t.scroll), t.onOpened)
	t.load()
	return t
}

func caption(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// words is the wording of the system the form shows.
func (t *settingsTab) words() wording { return wordsFor(t.kind) }

// jobName is a label naming job, renamed when the choice of system changes.
func (t *settingsTab) jobName(job string) *widget.Label {
	l := widget.NewLabel(t.words().jobLabel(job))
	t.jobNames[job] = append(t.jobNames[job], l)
	return l
}

func (t *settingsTab) schedulesCard() fyne.CanvasObject {
	form := container.New(layout.NewFormLayout())
	advanced := container.New(layout.NewFormLayout())
	for _, j := range core.Jobs() {
		p := newSchedulePicker()
		t.schedules[j] = p
		form.Add(t.jobName(j))
		form.Add(p.row)
		advanced.Add(t.jobName(j))
		advanced.Add(p.raw)
	}
	t.timeZone = plainEntry("this computer's time zone")
	form.Add(widget.NewLabel("Time zone"))
	form.Add(t.timeZone)
	t.startAtLogin = widget.NewCheck("Start Firmsync when I log in (in the tray, window hidden)", nil)
	login := fyne.CanvasObject(t.startAtLogin)
	if t.g.app.Sandbox() {
		// The demo must change nothing outside its data directory.
		t.startAtLogin.Disable()
		login = container.NewVBox(t.startAtLogin, caption("Not in the sandbox: trying Firmsync registers nothing on this computer."))
	}
	adv := widget.NewAccordion(widget.NewAccordionItem("Advanced: schedules as cron lines",
		container.NewVBox(caption("An interval (every 15m, every 6h) or a cron line: minute hour day month weekday, e.g. 0 7 * * 1-5 for weekdays at 07:00."), advanced)))
	return describedCard("Schedules", "When each job runs on its own, in the time zone below.", container.NewVBox(form, login, adv))
}

func (t *settingsTab) tunnelCard() fyne.CanvasObject {
	t.tunnel = plainEntry("https://your-firm.trycloudflare.com")
	t.tunnel.OnChanged = func(string) {
		t.clearTunnelResult() // it was about the address before this change
		t.refreshWebhooks()
	}
	t.webhookPort = plainEntry(strconv.Itoa(core.DefaultWebhookPort))
	t.webhookPort.OnChanged = func(string) { t.clearTunnelResult() }
	t.tunnelResult = widget.NewLabel("")
	t.tunnelResult.Wrapping = fyne.TextWrapWord
	test := &widget.Button{Text: "Test tunnel", Icon: theme.ConfirmIcon(), OnTapped: t.onTestTunnel}
	t.hookRows = container.New(layout.NewFormLayout())
	t.placeWebhookRows()
	return describedCard("Webhooks and tunnel",
		"A tunnel (cloudflared, ngrok) gives Firmsync a public https:// address so platforms can report changes within seconds. Without one, schedules still catch everything.",
		container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Tunnel URL"), test, t.tunnel), t.tunnelResult, t.hookRows,
			widget.NewForm(widget.NewFormItem("Webhook port", fixedWidth(t.webhookPort, 100))),
			caption(webhookPortNote(t.g.app.Sandbox()))))
}

// placeWebhookRows makes one webhook row per platform of the firm (as
// saved: the addresses and registrations are the saved system's).
func (t *settingsTab) placeWebhookRows() {
	t.hookRows.RemoveAll()
	clear(t.hookURLs)
	clear(t.hookStates)
	for _, p := range t.g.app.Platforms() {
		u := widget.NewLabel("")
		u.Truncation = fyne.TextTruncateEllipsis
		st := caption("")
		t.hookURLs[p] = u
		t.hookStates[p] = st
		platform := p
		cp := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() { t.copyHookURL(platform) })
		t.hookRows.Add(widget.NewLabel(platformName(p)))
		t.hookRows.Add(container.NewVBox(container.NewBorder(nil, nil, nil, cp, u), st))
	}
	t.hookRows.Refresh()
}

// rebuildWebhookRows lists the firm's own platforms after its
// practice-management system changed.
func (t *settingsTab) rebuildWebhookRows() {
	t.placeWebhookRows()
	t.refreshWebhooks()
}

// webhookPortNote says what the webhook port is, and when a change applies.
func webhookPortNote(sandbox bool) string {
	note := "Firmsync receives webhooks on 127.0.0.1 at this port; the tunnel forwards to it. A change applies when Firmsync next starts."
	if sandbox {
		note += " The sandbox listens on any free port instead."
	}
	return note
}

func (t *settingsTab) boxCard() fyne.CanvasObject {
	t.boxRoot = newFolderPicker(t.g)
	t.subfolders = plainMultiLine("One subfolder per line")
	t.subfolders.SetMinRowsVisible(4)
	t.folderField = plainEntry("")
	t.boxForm = widget.NewForm(
		widget.NewFormItem(capitalize(t.words().matter())+" folders go in", t.boxRoot.row),
		widget.NewFormItem("Subfolders", t.subfolders),
		widget.NewFormItem(t.words().pms()+" custom field", t.folderField),
	)
	adv := widget.NewAccordion(widget.NewAccordionItem("Advanced: folder id",
		widget.NewForm(widget.NewFormItem("Box folder id", t.boxRoot.id))))
	t.boxDesc = caption(boxFoldersText(t.words()))
	return describedCard("Box folders", "", container.NewVBox(t.boxDesc, t.boxForm, adv))
}

// boxFoldersText says what the folders job makes, in the system's words.
func boxFoldersText(w wording) string {
	return "Each new " + w.pms() + " " + w.matter() + " gets a folder \"<number> — <description>\" in the chosen Box folder, with these subfolders. " +
		"Its Box id is written to the " + w.pms() + " custom field."
}

func (t *settingsTab) mappingCard() fyne.CanvasObject {
	t.mapping = newMappingTable(t.words())
	t.mappingDesc = caption(mappingText(t.words()))
	return describedCard("Case types → practice areas", "",
		container.NewVBox(t.mappingDesc, t.mapping.content, widget.NewForm(widget.NewFormItem("Any other case type",
			container.NewVBox(t.mapping.fallback, t.mapping.fbNote)))))
}

// mappingText says what the case-type table is for, in the system's words.
func mappingText(w wording) string {
	return "When a Lawmatics lead is hired, its case type picks the " + w.pms() + " practice area of the new " + w.matter() + "."
}

// optionsTimeout bounds one read of the mapping's options: a platform that
// does not answer must not leave "Reading…" on screen for good.
const optionsTimeout = 30 * time.Second

// onOpened runs each time the Settings tab is shown: the firm may have
// added case types or practice areas since, or connected a platform.
func (t *settingsTab) onOpened() {
	t.opened = true
	t.loadOptions()
	t.boxRoot.lookUp()
}

// loadOptions reads the Lawmatics case types and the practice areas off
// the UI goroutine and offers them in the mapping once they arrive.
func (t *settingsTab) loadOptions() {
	t.optionsGen++
	gen := t.optionsGen
	t.optionsConns = t.mappingConnections()
	t.mapping.startLoading()
	t.g.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, optionsTimeout)
		defer cancel()
		o := t.g.app.MappingOptions(ctx)
		t.g.deps.do(func() {
			if gen != t.optionsGen {
				return // a newer read is on its way
			}
			t.mapping.setOptions(o)
		})
	})
}

// mappingConnections sums up the connection states the options depend on.
func (t *settingsTab) mappingConnections() string {
	var parts []string
	for _, p := range []string{t.g.app.PracticeManagement(), core.Lawmatics} {
		c, err := t.g.app.Store().Connection(p)
		if err != nil {
			parts = append(parts, p+"=?")
			continue
		}
		parts = append(parts, p+"="+c.Status)
	}
	return strings.Join(parts, ",")
}

// reloadOptionsIfReconnected reads the options again when the
// practice-management system or Lawmatics was connected or disconnected
// since the last read, so an open tab does not keep saying "Connect
// Lawmatics" after it was. A hidden tab waits: opening it reads them
// anyway.
func (t *settingsTab) reloadOptionsIfReconnected() {
	if !t.opened || !t.content.Visible() || t.optionsConns == t.mappingConnections() {
		return
	}
	t.loadOptions()
}

// showHook is content that calls shown when it goes from hidden to shown:
// tabs show the selected tab's content and hide the others', so for a
// tab's content this is "the tab was opened". Tabs call Show on every
// layout of the selected tab, hence the check that it was hidden (or never
// shown) before.
type showHook struct {
	widget.BaseWidget
	content fyne.CanvasObject
	shown   func()
	seen    bool
}

func newShowHook(content fyne.CanvasObject, shown func()) *showHook {
	h := &showHook{content: content, shown: shown}
	h.ExtendBaseWidget(h)
	return h
}

func (h *showHook) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(h.content) }

func (h *showHook) Show() {
	opening := !h.Visible() || !h.seen
	h.seen = true
	h.BaseWidget.Show()
	if opening {
		h.shown()
	}
}

func (t *settingsTab) contactsCard() fyne.CanvasObject {
	t.contactSources = widget.NewCheckGroup(namesOf(sourcesOf(t.kind)), nil)
	t.contactSources.Horizontal = true
	t.noteTargets = widget.NewCheckGroup(namesOf(sourcesOf(t.kind)), nil)
	t.noteTargets.Horizontal = true
	t.deleteRemoved = widget.NewCheck("Remove a contact from Zoom Phone when it is deleted at the source", nil)
	t.phoneRegion = plainEntry("US")
	form := widget.NewForm(
		widget.NewFormItem("Contacts come from", t.contactSources),
		widget.NewFormItem("", t.deleteRemoved),
		widget.NewFormItem("Phone country", t.phoneRegion),
		widget.NewFormItem("Call notes go to", t.noteTargets),
	)
	form.Items[2].HintText = "Two letters (US, GB, CA) for numbers typed without a country code"
	return describedCard("Contacts and call notes", "", form)
}

func (t *settingsTab) retryCard() fyne.CanvasObject {
	grid := container.New(layout.NewGridLayoutWithColumns(3), boldLabel("Job"), boldLabel("Tries in all"), boldLabel("Wait between tries"))
	for _, j := range core.Jobs() {
		a := plainEntry("")
		d := plainEntry("1m, 5m, 15m")
		t.attempts[j], t.delays[j] = a, d
		grid.Add(t.jobName(j))
		grid.Add(a)
		grid.Add(d)
	}
	return describedCard("Retries", "A failed item is tried again after these waits (the last repeats); after the last try it is listed as needing attention.", grid)
}

// signInCard holds the sign-in port: the loopback port the platforms
// send the browser back to, which every developer app's redirect URI
// names.
func (t *settingsTab) signInCard() fyne.CanvasObject {
	t.signInPort = plainEntry(strconv.Itoa(auth.DefaultPort))
	return describedCard("Signing in",
		"When you connect a platform, it sends your browser back to Firmsync at http://127.0.0.1:<port>/<platform>/callback. "+
			"Change the port only if another program uses it; each developer app's redirect URI must then be changed to the new one that the Connections tab shows.",
		widget.NewForm(widget.NewFormItem("Sign-in port", fixedWidth(t.signInPort, 100))))
}

func (t *settingsTab) dataCard() fyne.CanvasObject {
	dir := widget.NewLabel(t.g.app.DataDir())
	dir.Wrapping = fyne.TextWrapBreak
	open := widget.NewButtonWithIcon("Open folder", theme.FolderOpenIcon(), t.onOpenData)
	bundle := widget.NewButtonWithIcon("Export support bundle…", theme.DocumentSaveIcon(), t.onSupportBundle)
	return describedCard("Data and support",
		"Firmsync keeps its database and logs here. A support bundle holds recent logs, status and settings with every secret removed: send it to whoever helps your firm.",
		container.NewVBox(dir, container.NewHBox(open, bundle)))
}

// load fills the form from the saved settings.
func (t *settingsTab) load() {
	s := t.g.app.Settings()
	for _, j := range core.Jobs() {
		t.schedules[j].set(s.Schedules[j])
		p := s.Retry[j]
		t.attempts[j].SetText(strconv.Itoa(p.Attempts))
		var ds []string
		for _, d := range p.Delays {
			ds = append(ds, shortDuration(d))
		}
		t.delays[j].SetText(strings.Join(ds, ", "))
	}
	t.timeZone.SetText(s.TimeZone)
	t.setStartAtLogin(s.StartAtLogin != nil && *s.StartAtLogin)
	t.tunnel.SetText(s.TunnelURL)
	t.webhookPort.SetText(strconv.Itoa(s.WebhookPort))
	t.signInPort.SetText(strconv.Itoa(s.OAuthPort))
	js := s.Jobs
	t.setKind(js.PracticeManagement) // first: the contact groups below are named after it
	t.boxRoot.set(js.BoxRootFolderID)
	t.subfolders.SetText(strings.Join(js.SubfolderTemplate, "\n"))
	t.folderField.SetText(js.FolderFieldName)
	t.mapping.set(js.CaseTypeMapping)
	t.mapping.setFallback(js.FallbackPracticeArea)
	t.contactSources.SetSelected(namesOf(js.ContactSources))
	t.noteTargets.SetSelected(namesOf(js.NoteTargets))
	t.deleteRemoved.SetChecked(js.DeleteRemoved)
	t.phoneRegion.SetText(js.PhoneRegion)
	t.setMessage("", widget.MediumImportance)
	t.refreshWebhooks()
}

// setStartAtLogin ticks the box without treating it as a user change.
func (t *settingsTab) setStartAtLogin(on bool) {
	t.startAtLogin.OnChanged = nil
	t.startAtLogin.SetChecked(on)
}

func namesOf(ps []string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, platformName(p))
	}
	return out
}

// sourcesOf lists what contacts can come from and call notes go to, for
// a firm on kind: its practice-management system and Lawmatics.
func sourcesOf(kind string) []string { return []string{kind, core.Lawmatics} }

// idsOf reads ticked names back as sourcesOf(kind) ids.
func idsOf(kind string, names []string) []string {
	var out []string
	for _, p := range sourcesOf(kind) {
		if slices.Contains(names, platformName(p)) {
			out = append(out, p)
		}
	}
	return out
}

// shortDuration writes 5m rather than 5m0s.
func shortDuration(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}

// collect reads the form into settings, naming any field it cannot read.
func (t *settingsTab) collect() (core.Settings, error) {
	s := t.g.app.Settings()
	var errs []error
	for _, j := range core.Jobs() {
		s.Schedules[j] = t.schedules[j].spec()
		if err := t.schedules[j].check(); err != nil {
			errs = append(errs, fmt.Errorf("%s schedule: %w", t.words().jobLabel(j), err))
		}
		p := s.Retry[j]
		n, err := strconv.Atoi(strings.TrimSpace(t.attempts[j].Text))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s retries: %q is not a number of tries", t.words().jobLabel(j), t.attempts[j].Text))
		}
		p.Attempts = n
		p.Delays = nil
		for _, f := range strings.FieldsFunc(t.delays[j].Text, func(r rune) bool { return r == ',' || r == ' ' }) {
			d, err := time.ParseDuration(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s retries: %q is not a wait such as 30s, 5m or 1h", t.words().jobLabel(j), f))
				continue
			}
			p.Delays = append(p.Delays, d)
		}
		s.Retry[j] = p
	}
	s.TimeZone = strings.TrimSpace(t.timeZone.Text)
	on := t.startAtLogin.Checked
	s.StartAtLogin = &on
	s.TunnelURL = strings.TrimSpace(t.tunnel.Text)
	for _, f := range []struct {
		name  string
		entry *widget.Entry
		to    *int
	}{{"webhook port", t.webhookPort, &s.WebhookPort}, {"sign-in port", t.signInPort, &s.OAuthPort}} {
		n, err := strconv.Atoi(strings.TrimSpace(f.entry.Text))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a port number such as %s", f.name, f.entry.Text, f.entry.PlaceHolder))
			continue
		}
		*f.to = n
	}
	js := &s.Jobs
	js.PracticeManagement = t.kind
	js.BoxRootFolderID = strings.TrimSpace(t.boxRoot.id.Text)
	js.SubfolderTemplate = nil
	for _, l := range strings.Split(t.subfolders.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			js.SubfolderTemplate = append(js.SubfolderTemplate, l)
		}
	}
	js.FolderFieldName = strings.TrimSpace(t.folderField.Text)
	m, err := t.mapping.get()
	if err != nil {
		errs = append(errs, err)
	}
	js.CaseTypeMapping = m
	js.FallbackPracticeArea = t.mapping.getFallback()
	js.ContactSources = idsOf(t.kind, t.contactSources.Selected)
	js.NoteTargets = idsOf(t.kind, t.noteTargets.Selected)
	if len(js.ContactSources) == 0 {
		errs = append(errs, fmt.Errorf("contacts come from: tick %s, Lawmatics or both", t.words().pms()))
	}
	if len(js.NoteTargets) == 0 {
		errs = append(errs, fmt.Errorf("call notes go to: tick %s, Lawmatics or both", t.words().pms()))
	}
	js.DeleteRemoved = t.deleteRemoved.Checked
	js.PhoneRegion = strings.ToUpper(strings.TrimSpace(t.phoneRegion.Text))
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	return s, s.Validate()
}

func (t *settingsTab) setMessage(text string, imp widget.Importance) {
	t.message.SetText(text)
	t.message.Importance = imp
	t.message.Refresh()
}

// onSave validates, saves and applies the settings.
func (t *settingsTab) onSave() {
	s, err := t.collect()
	if err != nil {
		t.setMessage("Not saved. "+sentenceList(err), widget.DangerImportance)
		return
	}
	saved := t.g.app.Settings()
	before := saved.StartAtLogin
	if err := t.g.app.SaveSettings(s); err != nil {
		if errors.Is(err, core.ErrSwitchRefused) {
			// Core's text says why and what to do instead; the choice goes
			// back to the system the firm keeps, so a second Save keeps the
			// other changes.
			t.setKind(saved.Jobs.PracticeManagement)
		}
		t.setMessage("Not saved. "+sentenceList(err), widget.DangerImportance)
		return
	}
	msg := "Saved. New schedules and settings apply now."
	if before == nil || *before != *s.StartAtLogin {
		if err := t.g.applyStartAtLogin(*s.StartAtLogin); err != nil {
			msg += " But start at login could not be changed: " + plainError(err)
		}
	}
	t.setMessage(msg, widget.SuccessImportance)
	t.g.followPractice() // the other tabs list the firm's platforms as saved
	t.refreshWebhooks()
	t.g.overview.refresh()
	t.g.connections.refreshApps() // the redirect URIs follow the sign-in port
}

// sentenceList turns joined errors into sentences, one per problem.
func sentenceList(err error) string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, strings.ToUpper(l[:1])+l[1:]+".")
		}
	}
	return strings.Join(out, " ")
}

// refreshWebhooks shows the webhook URLs for the tunnel in the form and
// each platform's registration state. The window calls it when a
// connection changes, so it also reloads the mapping's options then.
func (t *settingsTab) refreshWebhooks() {
	if t.tunnel == nil {
		return
	}
	t.reloadOptionsIfReconnected()
	tunnel := strings.TrimSuffix(strings.TrimSpace(t.tunnel.Text), "/")
	if tunnel == "" && t.g.app.Sandbox() {
		tunnel = t.g.app.EffectiveTunnelURL()
	}
	for _, p := range t.g.app.Platforms() {
		if t.hookURLs[p] == nil {
			continue // the rows follow the saved system once it is applied
		}
		if u := core.WebhookURL(tunnel, p); u != "" {
			t.hookURLs[p].SetText(u)
		} else {
			t.hookURLs[p].SetText("(set a tunnel URL first)")
		}
		t.hookStates[p].SetText(t.webhookState(p))
	}
}

// webhookState says in words how a platform's webhooks stand.
func (t *settingsTab) webhookState(p string) string {
	regs, err := t.g.app.Webhooks(p)
	if err != nil {
		return "Could not read: " + plainError(err)
	}
	if len(regs) == 0 {
		return "Not registered (Firmsync registers them once the platform is connected and a tunnel is set)"
	}
	var parts []string
	for _, r := range regs {
		s := r.Status
		if r.Model != "" && r.Model != "console" {
			s = r.Model + ": " + s
		}
		if !r.ExpiresAt.IsZero() {
			s += ", renews before " + r.ExpiresAt.Local().Format("Jan 2")
		}
		if !r.LastEventAt.IsZero() {
			s += ", last event " + whenText(r.LastEventAt, time.Now())
		}
		if r.LastError != "" {
			s += " — " + r.LastError
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func (t *settingsTab) copyHookURL(p string) {
	u := t.hookURLs[p].Text
	if !strings.HasPrefix(u, "http") {
		return
	}
	t.g.fyne.Clipboard().SetContent(u)
	t.setMessage(platformName(p)+" webhook URL copied.", widget.MediumImportance)
}

// onTestTunnel tests the tunnel URL as typed, saved or not: the result is
// about the address on screen, and is cleared when it changes.
func (t *settingsTab) onTestTunnel() {
	typed := strings.TrimSpace(t.tunnel.Text)
	t.setTunnelResult("Testing "+typed+"…", widget.MediumImportance)
	t.tunnelGen++
	gen := t.tunnelGen
	t.g.background(func(ctx context.Context) {
		msg, err := t.g.app.TestTunnelURL(ctx, typed)
		t.g.deps.do(func() {
			if gen != t.tunnelGen {
				return // the fields changed since: this result is about another address
			}
			if err != nil {
				t.setTunnelResult("Tunnel test failed: "+err.Error(), widget.DangerImportance)
			} else {
				t.setTunnelResult(msg, widget.SuccessImportance)
			}
		})
	})
}

func (t *settingsTab) setTunnelResult(text string, imp widget.Importance) {
	t.tunnelResult.SetText(text)
	t.tunnelResult.Importance = imp
	t.tunnelResult.Refresh()
}

// clearTunnelResult drops a test result (or one on its way) once the
// address or port it was about changes.
func (t *settingsTab) clearTunnelResult() {
	t.tunnelGen++
	if t.tunnelResult != nil && t.tunnelResult.Text != "" {
		t.setTunnelResult("", widget.MediumImportance)
	}
}

func (t *settingsTab) onOpenData() {
	u := storage.NewFileURI(t.g.app.DataDir())
	pu, err := url.Parse(u.String())
	if err == nil {
		err = t.g.fyne.OpenURL(pu)
	}
	if err != nil {
		t.setMessage("Could not open the folder: "+plainError(err)+". It is "+t.g.app.DataDir(), widget.WarningImportance)
	}
}

func (t *settingsTab) onSupportBundle() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			t.g.showError("Support bundle", err)
			return
		}
		if w == nil {
			return
		}
		t.setMessage("Writing the support bundle…", widget.MediumImportance)
		t.g.background(func(ctx context.Context) {
			err := t.g.app.ExportSupportBundle(ctx, w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			t.g.deps.do(func() {
				if err != nil {
					t.setMessage("The support bundle could not be written: "+plainError(err), widget.DangerImportance)
					return
				}
				t.setMessage("Support bundle saved to "+w.URI().Path()+". It contains no passwords or tokens.", widget.SuccessImportance)
			})
		})
	}, t.g.Window)
	d.SetFileName("firmsync-support-" + time.Now().Format("2006-01-02") + ".zip")
	d.Show()
}

// describedCard is a card whose description wraps (a card subtitle does not).
func describedCard(title, desc string, content fyne.CanvasObject) *widget.Card {
	if desc == "" {
		return widget.NewCard(title, "", content)
	}
	return widget.NewCard(title, "", container.NewVBox(caption(desc), content))
}
