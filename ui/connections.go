package ui

import (
	"context"
	"fmt"
	"net/url"
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
	cards   map[string]*connCard
}

// connCard is one platform's card.
type connCard struct {
	platform   string
	card       *widget.Card
	status     *widget.Label
	account    *widget.Label
	region     *widget.Select // Clio only
	token      *widget.Label
	lastSync   *widget.Label
	message    *widget.Label // outcome of the last button press
	connect    *widget.Button
	disconnect *widget.Button
	test       *widget.Button
	busy       bool // a Connect, Disconnect or Test is in flight
}

func newConnectionsTab(g *gui) *connectionsTab {
	t := &connectionsTab{g: g, cards: map[string]*connCard{}}
	grid := container.New(layout.NewGridLayoutWithColumns(2))
	for _, p := range core.Platforms() {
		c := t.newCard(p)
		t.cards[p] = c
		grid.Add(c.card)
	}
	intro := widget.NewLabel("Connect each account once. Firmsync opens your browser to sign in; it keeps the access in this computer's keychain and renews it on its own.")
	intro.Wrapping = fyne.TextWrapWord
	t.content = container.NewBorder(intro, nil, nil, nil, container.NewVScroll(grid))
	return t
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
	if p == core.Clio {
		c.region = widget.NewSelect(core.Regions(), nil)
		c.region.SetSelected("us")
		rows = append(rows, container.NewBorder(nil, nil, widget.NewLabel("Region"), nil, c.region))
	}
	rows = append(rows, c.token, c.lastSync, container.NewHBox(c.connect, c.disconnect, c.test), c.message)
	c.card = widget.NewCard(platformName(p), platformRole(p), container.NewVBox(rows...))
	return c
}

// platformRole says what each platform is to the firm.
func platformRole(p string) string {
	switch p {
	case core.Clio:
		return "Practice management: contacts, matters, documents"
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
	switch cs.Status {
	case store.ConnConnected, store.ConnSyncing:
		c.status.SetText("● Connected")
		c.status.Importance = widget.SuccessImportance
	case store.ConnReconnectNeeded:
		c.status.SetText("● Needs reconnecting: " + name + " refused Firmsync's access. Click Connect and sign in again.")
		c.status.Importance = widget.DangerImportance
	case store.ConnError:
		c.status.SetText("● Having trouble: " + firstLine(cs.LastError) + ". Firmsync will keep trying; click Test to check now.")
		c.status.Importance = widget.WarningImportance
	default:
		c.status.SetText("○ Not connected. Click Connect to sign in to " + name + ".")
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
	hint := "Opening your browser: sign in to " + platformName(p) + " and allow access. This card updates when you are done."
	if t.g.app.Sandbox() {
		hint = "Connecting to the sandbox's " + platformName(p) + "…"
	}
	t.begin(c, hint)
	opts := core.ConnectOptions{Region: region, Timeout: 5 * time.Minute}
	if !t.g.app.Sandbox() {
		opts.OpenURL = t.openAuthURL
	}
	t.g.background(func(ctx context.Context) {
		id, err := t.g.app.Connect(ctx, p, opts)
		if err == nil {
			t.g.afterFirstConnect()
		}
		t.g.deps.do(func() {
			c.busy = false
			if err != nil {
				c.setMessage("Could not connect: "+plainError(err)+". Try again, or check the client id in Settings.", widget.DangerImportance)
			} else {
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
	})
}

// openAuthURL opens the sign-in page in the system browser (Fyne's
// OpenURL), from the goroutine running Connect.
func (t *connectionsTab) openAuthURL(_ context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the sign-in address is not valid: %w", err)
	}
	var oerr error
	t.g.deps.doWait(func() { oerr = t.g.fyne.OpenURL(u) })
	return oerr
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
