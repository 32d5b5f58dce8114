package lawmatics

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ProspectQuery selects prospects (matters) for Prospects.
type ProspectQuery struct {
	// Status, when set, keeps only prospects with this status (StatusPNC,
	// StatusHired or StatusLost).
	Status string
	// UpdatedSince, when set, keeps only prospects updated after it.
	UpdatedSince time.Time
}

// Prospects calls fn for every prospect matching q with all attributes
// (case fields, status, sub-status, converted date, custom fields, person
// fields, timestamps). List rows carry no relationships (Lawmatics sends
// "relationships":{}); use Prospect for the contact or practice area. It
// stops and returns fn's error when fn fails.
//
// Lawmatics allows one filter per request. With UpdatedSince set (alone or
// with Status), the server filters on updated_at and Status is checked
// here: updated_at is what bounds an incremental sync's traffic, and it
// also drives the stable, oldest-change-first paging of scanUpdated, so a
// caller can keep the last updated_at it saw. Filtering on status instead
// would page through every hired matter ever on each run. With Status
// alone, the server filters on status and the list is paged by id.
// Without either, every prospect is listed oldest change first.
func (c *Client) Prospects(ctx context.Context, q ProspectQuery, fn func(Prospect) error) error {
	base := url.Values{"fields": {fieldsAll}}
	status := strings.ToLower(strings.TrimSpace(q.Status))
	if status != "" && q.UpdatedSince.IsZero() {
		base.Set("filter_by", "status")
		base.Set("filter_with", "=")
		base.Set("filter_on", status)
		base.Set("sort_by", "id")
		base.Set("sort_order", "asc")
		return listPages(ctx, c, "prospects", "/prospects", base, fn)
	}
	keep := fn
	if status != "" {
		keep = func(p Prospect) error {
			if !strings.EqualFold(p.Attributes.Status, status) {
				return nil
			}
			return fn(p)
		}
	}
	return scanUpdated(ctx, c, "prospects", "/prospects", base, q.UpdatedSince,
		func(p Prospect) (string, time.Time) { return p.ID, p.Attributes.UpdatedAt.Time }, keep)
}

// Prospect returns one prospect (matter) with all attributes. An unknown id
// is an error of kind httpx.KindNotFound.
func (c *Client) Prospect(ctx context.Context, id string) (Prospect, error) {
	var out Single[Prospect]
	if err := c.get(ctx, "/prospects/"+pathID(id), url.Values{"fields": {fieldsAll}}, &out); err != nil {
		return Prospect{}, fmt.Errorf("lawmatics: reading prospect %s: %w", id, err)
	}
	return out.Data, nil
}
