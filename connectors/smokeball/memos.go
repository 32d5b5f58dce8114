package smokeball

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Memo is a note on a matter. Contacts have no memos (use the contact's
// notes field).
type Memo struct {
	ID          string
	MatterID    string
	Title       string
	Text        string // RTF as Smokeball stores it
	PlainText   string
	LastUpdated time.Time
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *Memo) UnmarshalJSON(b []byte) error {
	var w struct {
		ID          string   `json:"id"`
		MatterID    string   `json:"matterId"`
		Title       string   `json:"title"`
		Text        string   `json:"text"`
		PlainText   string   `json:"plainText"`
		LastUpdated flexTime `json:"lastUpdated"`
		CreatedDate flexTime `json:"createdDate"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Memo{ID: w.ID, MatterID: w.MatterID, Title: w.Title, Text: w.Text, PlainText: w.PlainText, LastUpdated: w.LastUpdated.Time}
	if m.LastUpdated.IsZero() {
		m.LastUpdated = w.CreatedDate.Time // lastUpdated is nullable
	}
	return nil
}

// Memos calls fn for each memo of a matter, reading every page.
func (c *Client) Memos(ctx context.Context, matterID string, fn func(Memo) error) error {
	return list(ctx, c, fmt.Sprintf("listing memos of matter %s", matterID), "/matters/"+url.PathEscape(matterID)+"/memos", nil, fn)
}

// CreateMemo asks Smokeball to add a plain-text memo to a matter. Returns
// the 202 reply; the memo appears later.
func (c *Client) CreateMemo(ctx context.Context, matterID, title, text string) (Accepted, error) {
	in := map[string]string{"title": title, "text": text}
	a, err := c.accept(ctx, http.MethodPost, "/matters/"+url.PathEscape(matterID)+"/memos", in)
	if err != nil {
		return Accepted{}, wrap(fmt.Sprintf("creating a memo on matter %s", matterID), err)
	}
	return a, nil
}
