package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The API key of a developer app, for a platform that issues one besides
// the client id and secret (Smokeball: every request carries it). Like the
// secret it goes to the keychain and is never shown again: the card shows
// only its masked hint.

// newKeyState builds a guide's API key field and returns the line that
// says whether a key is saved. Both stay out of sight until the platform's
// developer app is read and says it needs a key (see showKey).
func (t *connectionsTab) newKeyState(c *connCard) fyne.CanvasObject {
	c.apiKey = plainPassword("API key")
	c.apiKey.OnSubmitted = func(string) { t.onSaveKey(c) }
	c.saveKey = widget.NewButtonWithIcon("Save API key", theme.DocumentSaveIcon(), func() { t.onSaveKey(c) })
	c.keyState = caption("")
	c.keyState.Hide()
	return c.keyState
}

// showKey puts the API key field under the client secret when the
// developer app needs a key, and says whether one is saved, by its hint.
func (t *connectionsTab) showKey(c *connCard) {
	if c.appForm == nil || !c.app.NeedsAPIKey {
		return
	}
	if c.keyItem == nil {
		// Appended rather than hidden: a form cannot hide one row's label.
		c.keyItem = widget.NewFormItem("API key", container.NewBorder(nil, nil, nil, c.saveKey, c.apiKey))
		c.appForm.AppendItem(c.keyItem)
	}
	name := platformName(c.platform)
	if c.app.APIKeyHint == "" {
		c.keyState.SetText("API key: none saved yet. " + name + " issues it with the app; Firmsync sends it with every request.")
		c.apiKey.SetPlaceHolder("API key")
	} else {
		c.keyState.SetText("API key: " + c.app.APIKeyHint + ", in this computer's keychain.")
		c.apiKey.SetPlaceHolder("type to replace the saved key")
	}
	c.keyState.Show()
}

// onSaveKey saves the typed API key (Save API key, or Enter in the field).
func (t *connectionsTab) onSaveKey(c *connCard) {
	if strings.TrimSpace(c.apiKey.Text) == "" {
		c.setMessage("Type or paste the API key first.", widget.WarningImportance)
		return
	}
	if t.saveTypedKey(c) {
		c.setMessage("API key saved in this computer's keychain.", widget.SuccessImportance)
	}
}

// saveTypedKey stores an API key typed in a card's guide, before a
// connect or on Save API key. It reports whether Connect may go on: not
// when the platform needs a key and none is saved or typed (the sign-in
// would succeed and every request after it fail), nor when saving fails.
func (t *connectionsTab) saveTypedKey(c *connCard) bool {
	if c.keyItem == nil || !c.app.NeedsAPIKey {
		return true
	}
	key := strings.TrimSpace(c.apiKey.Text)
	if key == "" {
		if c.app.APIKeyHint != "" {
			return true
		}
		c.guide.Open(0)
		c.setMessage("Enter the API key too: "+platformName(c.platform)+" gives it with the client id and secret.", widget.WarningImportance)
		return false
	}
	if err := t.g.app.SaveAPIKey(t.g.ctx, c.platform, key); err != nil {
		c.setMessage("The API key was not saved: "+plainError(err)+".", widget.DangerImportance)
		return false
	}
	c.apiKey.SetText("")
	t.refreshApps()
	return true
}
