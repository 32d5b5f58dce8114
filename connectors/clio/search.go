package clio

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// SearchContacts returns up to limit contacts that Clio's `query` filter
// finds for q (a fuzzy search over names, emails and numbers), in id order.
// It is for a person picking a contact from a list; matching by a known
// email or number is FindContactsByEmail's and FindContactsByPhone's job.
// It stops reading pages once it has limit contacts.
func (c *Client) SearchContacts(ctx context.Context, q string, limit int) ([]Contact, error) {
	q = strings.TrimSpace(q)
	if q == "" || limit <= 0 {
		return nil, nil
	}
	var out []Contact
	enough := errors.New("enough")
	v := url.Values{"fields": {ContactFields}, "query": {q}}
	err := list(ctx, c, "searching contacts", "/contacts.json", v, func(ct Contact) error {
		out = append(out, ct)
		if len(out) >= limit {
			return enough
		}
		return nil
	})
	if err != nil && !errors.Is(err, enough) {
		return nil, err
	}
	return out, nil
}
