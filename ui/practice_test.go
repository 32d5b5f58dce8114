package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
)

// onPractice makes the harness's firm one on the practice-management
// system kind, saved before the GUI is built (as a restart after choosing
// it would find it). Nothing is connected.
func onPractice(kind string) harnessOption {
	return func(h *harness, _ *core.Options) {
		h.beforeGUI = append(h.beforeGUI, func(app *core.App) error {
			s := app.Settings()
			s.Jobs.PracticeManagement = kind
			return app.SaveSettings(s)
		})
	}
}

// A Clio firm reads exactly what it always read; the others read their
// own system's name and, for MyCase, its word for a matter.
func TestJobWordsFollowThePracticeSystem(t *testing.T) {
	tests := []struct {
		kind, job, label, hint string
	}{
		{core.Clio, core.JobContacts, "Contacts → Zoom Phone", "Clio and Lawmatics contacts appear in Zoom Phone"},
		{core.Clio, core.JobRecordings, "Zoom recordings → call notes", "Call summaries and transcripts become notes"},
		{core.Clio, core.JobFolders, "New matters → Box folders", "Each new Clio matter gets a Box folder"},
		{core.Clio, core.JobDocuments, "Matter documents → Box", "Clio matter documents are copied to Box"},
		{core.Clio, core.JobIntake, "Hired leads → Clio matters", "Hired Lawmatics leads become Clio matters"},
		{"", core.JobIntake, "Hired leads → Clio matters", "Hired Lawmatics leads become Clio matters"},
		{core.MyCase, core.JobContacts, "Contacts → Zoom Phone", "MyCase and Lawmatics contacts appear in Zoom Phone"},
		{core.MyCase, core.JobFolders, "New cases → Box folders", "Each new MyCase case gets a Box folder"},
		{core.MyCase, core.JobDocuments, "Case documents → Box", "MyCase case documents are copied to Box"},
		{core.MyCase, core.JobIntake, "Hired leads → MyCase cases", "Hired Lawmatics leads become MyCase cases"},
		{core.Smokeball, core.JobContacts, "Contacts → Zoom Phone", "Smokeball and Lawmatics contacts appear in Zoom Phone"},
		{core.Smokeball, core.JobFolders, "New matters → Box folders", "Each new Smokeball matter gets a Box folder"},
		{core.Smokeball, core.JobDocuments, "Matter documents → Box", "Smokeball matter documents are copied to Box"},
		{core.Smokeball, core.JobIntake, "Hired leads → Smokeball matters", "Hired Lawmatics leads become Smokeball matters"},
	}
	for _, tc := range tests {
		w := wordsFor(tc.kind)
		if got := w.jobLabel(tc.job); got != tc.label {
			t.Errorf("%s firm, %s: label %q, want %q", tc.kind, tc.job, got, tc.label)
		}
		if got := w.jobHint(tc.job); got != tc.hint {
			t.Errorf("%s firm, %s: hint %q, want %q", tc.kind, tc.job, got, tc.hint)
		}
	}
}

func TestPlatformNamesAndRoles(t *testing.T) {
	tests := []struct{ platform, name, role string }{
		{core.Clio, "Clio", "Practice management: contacts, matters, documents"},
		{core.MyCase, "MyCase", "Practice management: contacts, cases, documents"},
		{core.Smokeball, "Smokeball", "Practice management: contacts, matters, documents"},
		{core.Lawmatics, "Lawmatics", "Intake: leads and hired matters"},
	}
	for _, tc := range tests {
		if got := platformName(tc.platform); got != tc.name {
			t.Errorf("platformName(%s) = %q, want %q", tc.platform, got, tc.name)
		}
		if got := platformRole(tc.platform); got != tc.role {
			t.Errorf("platformRole(%s) = %q, want %q", tc.platform, got, tc.role)
		}
	}
}

// (a) A MyCase or Smokeball firm's window lists its own system, never Clio.
func TestAFirmsConnectionsListItsOwnSystemNotClio(t *testing.T) {
	tests := []struct{ kind, name string }{{core.MyCase, "MyCase"}, {core.Smokeball, "Smokeball"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, noSandbox(), onPractice(tc.kind))
			ct := h.g.connections
			h.ui(func() { h.g.selectTab("Connections") })
			want := []string{tc.kind, core.Lawmatics, core.Zoom, core.Box}
			h.ui(func() {
				var titles []string
				for _, o := range ct.grid.Objects {
					titles = append(titles, platformName(cardPlatform(ct, o)))
				}
				if len(ct.cards) != 4 || !slices.Equal(titles, []string{tc.name, "Lawmatics", "Zoom", "Box"}) {
					t.Errorf("cards %v (map has %d), want %v", titles, len(ct.cards), want)
				}
				if c := ct.cards[tc.kind]; c == nil || c.status.Text != "• Not connected. Click Connect to sign in to "+tc.name+"." {
					t.Errorf("the %s card's status is not filled: %+v", tc.name, c)
				}
				for _, s := range texts(ct.content) {
					if strings.Contains(s, "Clio") {
						t.Errorf("the Connections tab says %q", s)
					}
				}
				if got := h.g.overview.summary.Text; !strings.Contains(got, "Connect "+tc.name+", Lawmatics, Zoom and Box to start.") {
					t.Errorf("overview summary = %q", got)
				}
				if got := h.g.activity.platform.Options; !slices.Equal(got, []string{allPlatforms, tc.name, "Lawmatics", "Zoom", "Box"}) {
					t.Errorf("activity platform filter offers %v", got)
				}
				if _, ok := h.g.settings.hookURLs[core.Clio]; ok || h.g.settings.hookURLs[tc.kind] == nil {
					t.Errorf("webhook rows are for %v", keys(h.g.settings.hookURLs))
				}
			})
		})
	}
}

// cardPlatform finds which platform's card o is.
func cardPlatform(ct *connectionsTab, o any) string {
	for p, c := range ct.cards {
		if c.card == o {
			return p
		}
	}
	return "?"
}

// formLabels lists a card's developer-app fields.
func formLabels(c *connCard) string {
	var out []string
	for _, it := range c.appForm.Items {
		out = append(out, it.Text)
	}
	return strings.Join(out, ", ")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// (b) On a firm that has not synced, another system is picked and saved;
// the form names it as soon as it is picked, and the window follows the
// save.
func TestPickingAnotherSystemOnAFreshFirmSaves(t *testing.T) {
	tests := []struct{ kind, name, intake string }{
		{core.MyCase, "MyCase", "Hired leads → MyCase cases"},
		{core.Smokeball, "Smokeball", "Hired leads → Smokeball matters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, noSandbox())
			s := h.g.settings
			groups := func() string {
				return strings.Join(s.contactSources.Options, "/") + " " + strings.Join(s.contactSources.Selected, "+") +
					" · " + strings.Join(s.noteTargets.Options, "/") + " " + strings.Join(s.noteTargets.Selected, "+")
			}
			if got := h.text(func() string { return s.practice.Selected + " · " + groups() }); got != "Clio · Clio/Lawmatics Clio · Clio/Lawmatics Clio" {
				t.Fatalf("a new firm's settings show %q", got)
			}
			// Lawmatics ticked too: both ticks survive the rename.
			h.ui(func() { s.contactSources.SetSelected([]string{"Clio", "Lawmatics"}) })
			h.ui(func() { s.practice.SetSelected(tc.name) })
			want := tc.name + "/Lawmatics " + tc.name + "+Lawmatics · " + tc.name + "/Lawmatics " + tc.name
			if got := h.text(groups); got != want {
				t.Errorf("before saving, the groups read %q, want %q", got, want)
			}
			if got := h.text(func() string { return s.boxForm.Items[2].Text }); got != tc.name+" custom field" {
				t.Errorf("the custom field is labelled %q", got)
			}
			h.tap(s.save)
			if msg := h.text(func() string { return s.message.Text }); !strings.HasPrefix(msg, "Saved.") {
				t.Fatalf("save message = %q", msg)
			}
			js := h.app.Settings().Jobs
			if js.PracticeManagement != tc.kind || !slices.Equal(js.ContactSources, []string{tc.kind, core.Lawmatics}) ||
				!slices.Equal(js.NoteTargets, []string{tc.kind}) {
				t.Errorf("saved %q, sources %v, note targets %v", js.PracticeManagement, js.ContactSources, js.NoteTargets)
			}
			h.ui(s.load) // as a restart (or Undo changes) reads it back
			if got := h.text(func() string { return s.practice.Selected + " · " + groups() }); got != tc.name+" · "+want {
				t.Errorf("reloaded, the settings show %q", got)
			}
			h.ui(func() {
				if c := h.g.connections.cards; c[tc.kind] == nil || c[core.Clio] != nil {
					t.Errorf("after the save the Connections cards are %v", keys(c))
				}
				if got := h.g.overview.rows[core.JobIntake].name.Segments[0].Textual(); got != tc.intake {
					t.Errorf("the overview names intake %q, want %q", got, tc.intake)
				}
				if !slices.Contains(h.g.activity.job.Options, tc.intake) {
					t.Errorf("the activity job filter offers %v", h.g.activity.job.Options)
				}
			})
		})
	}
}

// (c) Once the firm has synced with Clio, a switch is refused with core's
// reason, and Clio stays chosen.
func TestSwitchingAfterASyncIsRefused(t *testing.T) {
	h := newHarness(t, smallFirm())
	connectAll(h)
	s := h.g.settings
	h.ui(func() { s.practice.SetSelected("Smokeball") })
	if got := h.text(func() string { return strings.Join(s.contactSources.Options, "/") }); got != "Smokeball/Lawmatics" {
		t.Errorf("picked, the contact group reads %q", got)
	}
	h.tap(s.save)

	// The same refusal core gives, word for word.
	try := h.app.Settings()
	try.Jobs.PracticeManagement = core.Smokeball
	refusal := h.app.SaveSettings(try)
	if !errors.Is(refusal, core.ErrSwitchRefused) {
		t.Fatalf("core did not refuse the switch: %v", refusal)
	}
	if msg := h.text(func() string { return s.message.Text }); msg != "Not saved. "+sentenceList(refusal) {
		t.Errorf("save message = %q\nwant core's refusal %q", msg, refusal)
	}
	if got := h.app.PracticeManagement(); got != core.Clio {
		t.Errorf("saved system = %q after the refusal", got)
	}
	for _, when := range []string{"after the refusal", "reloaded"} {
		if when == "reloaded" {
			h.ui(s.load)
		}
		if got := h.text(func() string { return s.practice.Selected + " · " + strings.Join(s.contactSources.Options, "/") }); got != "Clio · Clio/Lawmatics" {
			t.Errorf("%s the settings show %q", when, got)
		}
	}
	if h.text(func() string { return boolText(h.g.connections.cards[core.Clio] == nil) }) == "true" {
		t.Error("the Clio card went away although Clio stays")
	}
}

// (d) Smokeball's API key is typed once, saved to the keychain, and shown
// only masked.
func TestSmokeballAPIKeyIsSavedAndShownMasked(t *testing.T) {
	h := newHarness(t, noSandbox(), onPractice(core.Smokeball))
	ct := h.g.connections
	c := ct.cards[core.Smokeball]
	if c == nil {
		t.Fatalf("no Smokeball card; cards %v", keys(ct.cards))
	}
	if h.text(func() string { return formLabels(c) }) != "Client id, Client secret, API key" || !c.apiKey.Password {
		t.Fatalf("the Smokeball card asks for %s; the key is masked: %v", formLabels(c), c.apiKey.Password)
	}
	if got := h.text(func() string { return formLabels(ct.cards[core.Zoom]) }); got != "Client id, Client secret" {
		t.Errorf("Zoom's card asks for %s", got)
	}
	if got := h.text(func() string { return c.keyState.Text }); !strings.HasPrefix(got, "API key: none saved yet.") {
		t.Errorf("before saving the card says %q", got)
	}

	// Connect with the id and secret but no key stops before the sign-in.
	h.ui(func() {
		c.clientID.SetText("sb-client-1234")
		c.secret.SetText("sb-secret-abcdefghijkl")
	})
	h.tap(c.connect)
	if got := h.text(func() string { return c.message.Text }); got != "Enter the API key too: Smokeball gives it with the client id and secret." {
		t.Errorf("Connect without a key says %q", got)
	}
	if h.text(func() string { return boolText(c.busy) }) == "true" {
		t.Fatal("Connect started without an API key")
	}

	tests := []struct{ typed, message, state string }{
		{"sb key with spaces", "The API key was not saved: the API key contains spaces", "API key: none saved yet."},
		{"", "Type or paste the API key first.", "API key: none saved yet."},
		{"  sb-key-0123456789wxyz\n", "API key saved in this computer's keychain.", "API key: ••••wxyz, in this computer's keychain."},
	}
	for _, tc := range tests {
		h.ui(func() { c.apiKey.SetText(tc.typed) })
		h.tap(c.saveKey)
		if got := h.text(func() string { return c.message.Text }); !strings.HasPrefix(got, tc.message) {
			t.Errorf("saving %q says %q, want %q", tc.typed, got, tc.message)
		}
		if got := h.text(func() string { return c.keyState.Text }); !strings.HasPrefix(got, tc.state) {
			t.Errorf("after saving %q the card says %q, want %q", tc.typed, got, tc.state)
		}
	}
	ac, err := h.app.AppCredentials(context.Background(), core.Smokeball)
	if err != nil || ac.APIKeyHint != "••••wxyz" {
		t.Errorf("keychain hint %q, %v", ac.APIKeyHint, err)
	}
	h.ui(func() {
		if c.apiKey.Text != "" {
			t.Errorf("the key stays in the field: %q", c.apiKey.Text)
		}
		for _, s := range texts(ct.content) {
			if strings.Contains(s, "0123456789") {
				t.Errorf("the key is on screen: %q", s)
			}
		}
	})
}
