package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// connectionsTab has one card per platform.
type connectionsTab struct {
	g       *gui
	content fyne.CanvasObject
	grid    *fyne.Container // the cards, in the firm's platform order
	cards   map[string]*connCard
}

// connCard is one platform's card.
type connCard struct {
	platform   string
	card       *widget.Card
	status     *widget.Label
	account    *widget.Label
	region     *widget.Select // Clio and Smokeball: each region is its own service
	token      *widget.Label
	lastSync   *widget.Label
	message    *widget.Label // outcome of the last button press
	connect    *widget.Button
	disconnect *widget.Button
	test       *widget.Button
	busy       bool // a Connect, Disconnect or Test is in flight

	// The developer-app guide (hidden in the sandbox, whose apps are
	// built in): what to register, and the client id and secret.
	guide        *widget.Accordion
	appState     *widget.Label
	redirect     *widget.Label
	copyRedirect *widget.Button
	clientID     *widget.Entry
	secret       *widget.Entry
	appForm      *widget.Form        // client id and secret (and API key)
	app          core.AppCredentials // as last read from the keychain

	// The API key a platform issues besides the client id and secret
	// (Smokeball): in appForm only once AppCredentials.NeedsAPIKey says so.
	keyItem  *widget.FormItem // nil until then
	keyState *widget.Label    // the saved key's masked hint, never the key
	apiKey   *widget.Entry
	saveKey  *widget.Button

	// While a sign-in waits for the browser: the address to open by hand,
	// and a way out.
	waiting  *fyne.Container
	authURL  *widget.Label
	copyAuth *widget.Button
	cancel   *widget.Button
	stop     context.CancelFunc // cancels the Connect in flight; nil when none
}

func newConnectionsTab(g *gui) *connectionsTab {
	t := &connectionsTab{g: g, cards: map[string]*connCard{}}
	t.grid = container.New(layout.NewGridLayoutWithColumns(2))
	t.placeCards()
	text := "Connect each account once. Firmsync opens your browser to sign in; it keeps the access in this computer's keychain and renews it on its own." +
		" Each platform first needs a developer app of your firm's: open \"Developer app\" on its card."
	if g.app.Sandbox() {
		// No browser and no keychain here: the demo's accounts sign in on
		// their own and their access lives only while Firmsync runs.
		text = "These are the demo firm's accounts: Connect signs in to them on its own, without a browser. Their access is kept in memory, never in this computer's keychain."
	}
	intro := widget.NewLabel(text)
	intro.Wrapping = fyne.TextWrapWord
	t.content = newShowHook(container.NewBorder(intro, nil, nil, nil, container.NewVScroll(t.grid)), t.refreshApps)
	t.refreshApps()
	return t
}

// placeCards lays out one card per platform of the firm, making the
// missing ones. A card the firm no longer uses (the practice-management
// system it switched from) is dropped, and a sign-in waiting on it is
// cancelled; the others keep their state and messages.
func (t *connectionsTab) placeCards() {
	plats := t.g.app.Platforms()
	for p, c := range t.cards {
		if !slices.Contains(plats, p) {
			if c.stop != nil {
				c.stop()
			}
			delete(t.cards, p)
		}
	}
	t.grid.RemoveAll()
	for _, p := range plats {
		c := t.cards[p]
		if c == nil {
			c = t.newCard(p)
			t.cards[p] = c
		}
		t.grid.Add(c.card)
	}
	t.grid.Refresh()
}

// rebuild shows the firm's own platforms after its practice-management
// system changed.
func (t *connectionsTab) rebuild() {
	t.placeCards()
	t.refreshApps()
}

func (t *connectionsTab) newCard(p string) *connCard {
	c := &connCard{platform: p,
		status: widget.NewLabel(""), account: widget.NewLabel(""), token: widget.NewLabel(""),
		lastSync: widget.NewLabel(""), message: widget.NewLabel(""),
	}
	for _, l := range []*widget.Label{c.status, c.account, c.token, c.lastSync, c.message} {
		l.Wrapping = fyne.TextWrapWord
	}
	c.connect = &widget.Button{Text: "Connect", Icon: theme.LoginIcon(), Importance: widget.HighImportance, OnTapped: func() { t.onConnect(p) }}
	c.disconnect = &widget.Button{Text: "Disconnect", Icon: theme.LogoutIcon(), OnTapped: func() { t.onDisconnect(p) }}
	c.test = &widget.Button{Text: "Test", Icon: theme.ConfirmIcon(), OnTapped: func() { t.onTest(p) }}
	rows := []fyne.CanvasObject{c.status, c.account}
	if regions := core.RegionsFor(p); regions != nil {
		c.region = widget.NewSelect(regions, nil)
		c.region.SetSelected("us")
		rows = append(rows, container.NewBorder(nil, nil, widget.NewLabel("Region"), nil, c.region))
	}
	c.authURL = widget.NewLabel("")
	c.authURL.Truncation = fyne.TextTruncateEllipsis
	c.copyAuth = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() { t.copy(c, c.authURL.Text, "Sign-in address copied: paste it in a browser.") })
	c.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { t.onCancel(p) })
	c.waiting = container.NewVBox(
		caption("If no browser opened, open this address in one:"),
		container.NewBorder(nil, nil, nil, container.NewHBox(c.copyAuth, c.cancel), c.authURL))
	c.waiting.Hide()
	if !t.g.app.Sandbox() {
		rows = append(rows, t.newGuide(c))
	}
	rows = append(rows, c.token, c.lastSync, container.NewHBox(c.connect, c.disconnect, c.test), c.waiting, c.message)
	c.card = widget.NewCard(platformName(p), platformRole(p), container.NewVBox(rows...))
	return c
}

// newGuide builds a card's developer-app section: what a developer app
// is, where to create one, the redirect URI to register, and the client
// id and secret it gives.
func (t *connectionsTab) newGuide(c *connCard) fyne.CanvasObject {
	name := platformName(c.platform)
	what := caption("A developer app is the record " + name + " keeps of a program allowed to ask for access to your firm's account. " +
		"Your firm creates one once; " + name + " then gives it a client id and a client secret. " + developerConsole(c.platform))
	c.appState = widget.NewLabel("")
	c.appState.Wrapping = fyne.TextWrapWord
	c.redirect = widget.NewLabel("")
	c.redirect.Wrapping = fyne.TextWrapBreak
	c.copyRedirect = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		t.copy(c, c.redirect.Text, "Redirect URI copied: paste it in "+name+"'s app settings.")
	})
	c.clientID = plainEntry("client id")
	c.secret = plainPassword("client secret")
	c.appForm = widget.NewForm(widget.NewFormItem("Client id", c.clientID), widget.NewFormItem("Client secret", c.secret))
	body := container.NewVBox(what,
		widget.NewLabel("Redirect URI to register (exactly):"),
		container.NewBorder(nil, nil, nil, c.copyRedirect, c.redirect),
		c.appForm,
		t.newKeyState(c),
		caption("Then press Connect: Firmsync keeps the id and secret in this computer's keychain."),
	)
	c.guide = widget.NewAccordion(widget.NewAccordionItem("Developer app", body))
	return container.NewVBox(c.appState, c.guide)
}

// developerConsole says where a platform's developer apps are made.
func developerConsole(p string) string {
	switch p {
	case core.Clio:
		return "Create it in Clio's developer portal (docs.developers.clio.com/api-docs/applications tells how); each Clio region needs its own app."
	case core.MyCase:
		return "To create it, ask MyCase support for API access and give them the redirect URI below."
	case core.Smokeball:
		return "Create a private app in Smokeball's Developer Console for your firm's region (docs.smokeball.com tells how): its App Details show the client id and secret, and Smokeball also issues an API key for it."
	case core.Lawmatics:
		return "Lawmatics support first switches on developer access for your account; then create the app at app.lawmatics.com/settings/developers, where the redirect URI is called the Callback URL."
	case core.Zoom:
		return "Create a user-managed OAuth app in the Zoom App Marketplace (marketplace.zoom.us, Develop → Build App)."
	case core.Box:
		return "Create a Custom App with User Authentication (OAuth 2.0) in the Box Developer Console (app.box.com/developers/console)."
	}
	return ""
}

// refreshApps reads each platform's developer app from the keychain into
// its guide. It runs when the tab is opened and after a save, not with
// every status refresh: the keychain can be slow to answer.
func (t *connectionsTab) refreshApps() {
	if t.g.app.Sandbox() {
		return
	}
	for _, p := range t.g.app.Platforms() {
		c := t.cards[p]
		if c == nil {
			continue
		}
		ac, err := t.g.app.AppCredentials(t.g.ctx, p)
		if err != nil {
			c.appState.SetText("Developer app: could not be read: " + plainError(err))
			continue
		}
		c.app = ac
		c.redirect.SetText(ac.RedirectURI)
		switch ac.Source {
		case core.AppNone:
			c.appState.SetText("Developer app: none yet. Open \"Developer app\" below to set it up, then press Connect.")
			c.guide.Open(0)
		case core.AppBuiltIn:
			c.appState.SetText("Developer app: built into this Firmsync (client id " + ac.ClientID + "). To use your firm's own, enter it under \"Developer app\".")
		default:
			secret := "no secret"
			if ac.SecretHint != "" {
				secret = "secret " + ac.SecretHint
			}
			c.appState.SetText("Developer app: client id " + ac.ClientID + ", " + secret + ", in this computer's keychain.")
		}
		t.showKey(c)
		if ac.Source != core.AppNone && c.clientID.Text == "" {
			c.clientID.SetPlaceHolder(ac.ClientID + " (type to replace)")
			c.secret.SetPlaceHolder("type to replace the saved secret")
		} else if ac.Source == core.AppNone {
			c.clientID.SetPlaceHolder("client id")
			c.secret.SetPlaceHolder("client secret")
		}
	}
}

// copy puts text on the clipboard and says so on the card.
func (t *connectionsTab) copy(c *connCard, text, done string) {
	if text == "" {
		return
	}
	t.g.fyne.Clipboard().SetContent(text)
	if !c.busy {
		c.setMessage(done, widget.MediumImportance)
	}
}

// platformRole says what each platform is to the firm.
func platformRole(p string) string {
	switch p {
	case core.Clio, core.MyCase, core.Smokeball:
		return "Practice management: contacts, " + wordsFor(p).matters() + ", documents"
	case core.Lawmatics:
		return "Intake: leads and hired matters"
	case core.Zoom:
		return "Calls, recordings and Zoom Phone contacts"
	case core.Box:
		return "Document storage: matter folders"
	}
	return ""
}

// refresh reloads every card from the App's status.
func (t *connectionsTab) refresh() {
	st, err := t.g.app.Status(t.g.ctx)
	if err != nil {
		for _, c := range t.cards {
			c.status.SetText("Could not read the status: " + plainError(err))
		}
		return
	}
	now := time.Now()
	for _, cs := range st.Connections {
		c := t.cards[cs.Platform]
		if c == nil {
			continue
		}
		t.fill(c, cs, now)
	}
}

func (t *connectionsTab) fill(c *connCard, cs core.ConnectionStatus, now time.Time) {
	name := platformName(c.platform)
	// "•" is in the bundled font on every OS; "●" and "○" came from
	// system fonts and showed as "�" where those lack them. The colour
	// tells the states apart.
	switch cs.Status {
	case store.ConnConnected, store.ConnSyncing:
		c.status.SetText("• Connected")
		c.status.Importance = widget.SuccessImportance
	case store.ConnReconnectNeeded:
		c.status.SetText("• Needs reconnecting: " + name + " refused Firmsync's access. Click Connect and sign in again.")
		c.status.Importance = widget.DangerImportance
	case store.ConnError:
		c.status.SetText("• Having trouble: " + firstLine(cs.LastError) + ". Firmsync will keep trying; click Test to check now.")
		c.status.Importance = widget.WarningImportance
	default:
		c.status.SetText("• Not connected. Click Connect to sign in to " + name + ".")
		c.status.Importance = widget.MediumImportance
	}
	c.status.Refresh()
	switch {
	case cs.Account != "" && cs.Email != "" && cs.Account != cs.Email:
		c.account.SetText("Account: " + cs.Account + " (" + cs.Email + ")")
	case cs.Account != "" || cs.Email != "":
		c.account.SetText("Account: " + cs.Account + cs.Email)
	default:
		c.account.SetText("Account: none yet")
	}
	if c.region != nil && cs.Region != "" && c.region.Selected != cs.Region {
		c.region.SetSelected(cs.Region)
	}
	switch {
	case !cs.Connected:
		c.token.SetText("Access: none")
	case cs.TokenExpiry == nil:
		c.token.SetText("Access: does not expire")
	case cs.TokenExpiry.After(now):
		c.token.SetText("Access: renews automatically (current sign-in token expires in " + durationText(cs.TokenExpiry.Sub(now)) + ")")
	default:
		c.token.SetText("Access: token expired " + whenText(*cs.TokenExpiry, now) + "; Firmsync renews it at the next sync")
	}
	last := cs.LastSync
	if recs, err := t.g.app.Store().QueryLog(store.LogQuery{Platform: c.platform, Limit: 1}); err == nil && len(recs) == 1 {
		if last == nil || recs[0].Time.After(*last) {
			last = &recs[0].Time
		}
	}
	if last != nil {
		c.lastSync.SetText("Last sync: " + whenText(*last, now))
	} else {
		c.lastSync.SetText("Last sync: never")
	}
	if cs.Connected && cs.Status != store.ConnReconnectNeeded {
		c.connect.SetText("Reconnect")
		c.connect.Importance = widget.MediumImportance
	} else {
		c.connect.SetText("Connect")
		c.connect.Importance = widget.HighImportance
	}
	c.connect.Refresh()
	t.setButtons(c, cs.Connected)
}

func (t *connectionsTab) setButtons(c *connCard, connected bool) {
	if c.busy {
		c.connect.Disable()
		c.disconnect.Disable()
		c.test.Disable()
		return
	}
	c.connect.Enable()
	if connected {
		c.disconnect.Enable()
		c.test.Enable()
	} else {
		c.disconnect.Disable()
		c.test.Disable()
	}
}

// setMessage shows the outcome of a button press on the card.
func (c *connCard) setMessage(text string, imp widget.Importance) {
	c.message.SetText(text)
	c.message.Importance = imp
	c.message.Refresh()
}

func (t *connectionsTab) begin(c *connCard, text string) {
	c.busy = true
	c.setMessage(text, widget.MediumImportance)
	t.setButtons(c, false)
}

func (t *connectionsTab) onConnect(p string) {
	c := t.cards[p]
	region := ""
	if c.region != nil {
		region = c.region.Selected
	}
	if !t.g.app.Sandbox() && !t.saveTypedApp(c) {
		return
	}
	hint := "Opening your browser: sign in to " + platformName(p) + " and allow access. This card updates when you are done."
	if t.g.app.Sandbox() {
		hint = "Connecting to the sandbox's " + platformName(p) + "…"
	}
	t.begin(c, hint)
	opts := core.ConnectOptions{Region: region, Timeout: 5 * time.Minute}
	if !t.g.app.Sandbox() {
		opts.OpenURL = func(ctx context.Context, raw string) error { return t.openAuthURL(ctx, c, raw) }
	}
	ctx, stop := context.WithCancel(t.g.ctx)
	c.stop = stop
	go func() {
		defer stop()
		id, err := t.g.app.Connect(ctx, p, opts)
		cancelled := err != nil && errors.Is(err, context.Canceled) && t.g.ctx.Err() == nil
		if err == nil && !t.g.app.Sandbox() {
			// Trying the sandbox must leave nothing outside its data
			// directory: only a real first connect turns on start at login.
			t.g.afterFirstConnect()
		}
		t.g.deps.do(func() {
			c.busy = false
			c.stop = nil
			c.waiting.Hide()
			c.authURL.SetText("")
			switch {
			case cancelled:
				c.setMessage("Connect cancelled; nothing was changed.", widget.MediumImportance)
			case err != nil:
				c.setMessage("Could not connect: "+plainError(err)+".", widget.DangerImportance)
			default:
				who := id.Name
				if id.Email != "" {
					who += " (" + id.Email + ")"
				}
				c.setMessage("Connected as "+who+".", widget.SuccessImportance)
			}
			t.refresh()
			t.g.overview.refresh()
			t.g.settings.refreshWebhooks()
			t.g.tray.refresh()
		})
	}()
}

// saveTypedApp stores a client id and secret typed in a card's guide
// before connecting with them. It reports whether Connect may go on: not
// when nothing usable is typed and no app is set, nor when saving fails.
func (t *connectionsTab) saveTypedApp(c *connCard) bool {
	id, sec := strings.TrimSpace(c.clientID.Text), c.secret.Text
	name := platformName(c.platform)
	typed := id != "" || sec != ""
	switch {
	case !typed && c.app.Source == core.AppNone:
		c.guide.Open(0)
		c.setMessage("First enter the client id and secret of your firm's "+name+" developer app under \"Developer app\" above.", widget.WarningImportance)
		return false
	case typed && id == "":
		c.setMessage("Enter the client id too: the secret alone is not enough.", widget.WarningImportance)
		return false
	case typed && sec == "":
		c.setMessage("Enter the client secret too: "+name+" gives it with the client id.", widget.WarningImportance)
		return false
	}
	if !t.saveTypedKey(c) {
		return false
	}
	if !typed {
		return true
	}
	if err := t.g.app.SaveAppCredentials(t.g.ctx, c.platform, id, sec); err != nil {
		c.setMessage("The developer app was not saved: "+plainError(err)+".", widget.DangerImportance)
		return false
	}
	c.clientID.SetText("")
	c.secret.SetText("")
	t.refreshApps()
	return true
}

// onCancel stops a sign-in that is waiting for the browser.
func (t *connectionsTab) onCancel(p string) {
	if c := t.cards[p]; c.stop != nil {
		c.stop()
	}
}

// openAuthURL shows the sign-in address on the card (with Copy and
// Cancel), then opens it in the system browser. It runs on the goroutine
// running Connect. When no browser opens, the sign-in still waits: the
// person can copy the address into one.
func (t *connectionsTab) openAuthURL(_ context.Context, c *connCard, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the sign-in address is not valid: %w", err)
	}
	var oerr error
	t.g.deps.doWait(func() {
		c.authURL.SetText(raw)
		c.waiting.Show()
		c.setMessage("Waiting for you to sign in to "+platformName(c.platform)+" in your browser and allow access (up to 5 minutes).", widget.MediumImportance)
		if oerr = t.g.fyne.OpenURL(u); oerr != nil {
			c.setMessage("No browser opened ("+plainError(oerr)+"). Copy the address below into a browser, sign in and allow access; Firmsync waits up to 5 minutes.", widget.WarningImportance)
		}
	})
	return nil
}

func (t *connectionsTab) onDisconnect(p string) {
	c := t.cards[p]
	t.begin(c, "Disconnecting "+platformName(p)+"…")
	t.g.background(func(ctx context.Context) {
		err := t.g.app.Disconnect(ctx, p)
		t.g.deps.do(func() {
			c.busy = false
			if err != nil {
				c.setMessage("Could not disconnect: "+plainError(err), widget.DangerImportance)
			} else {
				c.setMessage("Disconnected. Nothing is synced with "+platformName(p)+" until you connect again; the activity log is kept.", widget.MediumImportance)
			}
			t.refresh()
			t.g.overview.refresh()
			t.g.tray.refresh()
		})
	})
}

func (t *connectionsTab) onTest(p string) {
	c := t.cards[p]
	t.begin(c, "Checking "+platformName(p)+"…")
	t.g.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		id, err := t.g.app.TestConnection(ctx, p)
		t.g.deps.do(func() {
			c.busy = false
			if err != nil {
				c.setMessage("Test failed: "+plainError(err), widget.DangerImportance)
			} else {
				c.setMessage(fmt.Sprintf("Works: %s answered as %s %s.", platformName(p), id.Name, id.Email), widget.SuccessImportance)
			}
			t.refresh()
		})
	})
}
