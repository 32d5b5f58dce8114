package lawmatics

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// ContactQuery selects contacts for Contacts.
type ContactQuery struct {
	// UpdatedSince, when set, keeps only contacts updated after it.
	UpdatedSince time.Time
}

// Contacts calls fn for every contact matching q with all attributes,
// oldest change first (sorted by updated_at ascending), so a caller can
// keep the last updated_at it saw as its next UpdatedSince. It stops and
// returns fn's error when fn fails. List rows carry no relationships
// (Lawmatics sends "relationships":{}). See scanUpdated for how paging stays
// correct while records change.
func (c *Client) Contacts(ctx context.Context, q ContactQuery, fn func(Contact) error) error {
	base := url.Values{"fields": {fieldsAll}}
	return scanUpdated(ctx, c, "contacts", "/contacts", base, q.UpdatedSince,
		func(x Contact) (string, time.Time) { return x.ID, x.Attributes.UpdatedAt.Time }, fn)
}

// Contact returns one contact with all attributes. An unknown id is an
// error of kind httpx.KindNotFound.
func (c *Client) Contact(ctx context.Context, id string) (Contact, error) {
	var out Single[Contact]
	if err := c.get(ctx, "/contacts/"+pathID(id), url.Values{"fields": {fieldsAll}}, &out); err != nil {
		return Contact{}, fmt.Errorf("lawmatics: reading contact %s: %w", id, err)
	}
	return out.Data, nil
}
