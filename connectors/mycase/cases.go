package mycase

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CaseQuery narrows a case listing; the zero value lists every case.
type CaseQuery struct {
	UpdatedAfter time.Time // only cases created or updated at or after this; zero = all
	Status       string    // "", "open" or "closed" (any case)
}

// Cases calls fn for each case matching q, paging with the Link header.
// An error from fn stops the listing and is returned.
func (c *Client) Cases(ctx context.Context, q CaseQuery, fn func(Case) error) error {
	v := url.Values{}
	if !q.UpdatedAfter.IsZero() {
		v.Set("filter[updated_after]", formatTime(q.UpdatedAfter))
	}
	switch st := strings.ToLower(strings.TrimSpace(q.Status)); st {
	case "":
	case "open", "closed":
		v.Set("filter[status]", st)
	default:
		return fmt.Errorf("mycase: listing cases: status %q is not open or closed", q.Status)
	}
	return list(ctx, c, "listing cases", "/v1/cases", v, true, fn)
}

// Case returns one case; a missing one is ErrNotFound.
func (c *Client) Case(ctx context.Context, id int64) (Case, error) {
	var out Case
	if err := c.get(ctx, fmt.Sprintf("/v1/cases/%d", id), nil, &out); err != nil {
		return Case{}, wrap(fmt.Sprintf("getting case %d", id), err)
	}
	return out, nil
}

// CreateCase creates a case (POST /v1/cases → 201). MyCase requires a
// name and refuses one already taken with 422 (httpx.KindValidation).
// Creates are not replayed after an unclear failure; look the case up
// before trying again.
func (c *Client) CreateCase(ctx context.Context, w CaseWrite) (Case, error) {
	if strings.TrimSpace(w.Name) == "" {
		return Case{}, fmt.Errorf("mycase: creating a case: a name is required")
	}
	w.Status = strings.ToLower(w.Status)
	var out Case
	if err := c.send(ctx, http.MethodPost, "/v1/cases", nil, w, &out); err != nil {
		return Case{}, wrap(fmt.Sprintf("creating case %q", w.Name), err)
	}
	return out, nil
}

// SetCaseCustomField sets one custom field of a case (PUT /v1/cases/{id}
// → 204). The spec's request body requires name on PUT too, so the case
// is read first and its current name is sent with the single
// custom_field_values entry; nothing else is sent. [U] Whether PUT clears
// omitted fields is undocumented; sending only name and the one value is
// the reading that cannot overwrite anything else with stale data.
// value is sent as a JSON string whatever the field's type.
func (c *Client) SetCaseCustomField(ctx context.Context, caseID, fieldID int64, value string) error {
	doing := fmt.Sprintf("setting custom field %d of case %d", fieldID, caseID)
	cur, err := c.Case(ctx, caseID)
	if err != nil {
		return fmt.Errorf("mycase: %s: %w", doing, err)
	}
	w := CaseWrite{Name: cur.Name, CustomFieldValues: []CustomFieldValue{{CustomField: IDRef{ID: fieldID}, Value: value}}}
	if err := c.send(ctx, http.MethodPut, fmt.Sprintf("/v1/cases/%d", caseID), nil, w, nil); err != nil {
		return wrap(doing, err)
	}
	return nil
}

// PracticeAreas returns the firm's practice areas. A case names its
// practice area by name, not id.
func (c *Client) PracticeAreas(ctx context.Context) ([]PracticeArea, error) {
	return collect[PracticeArea](ctx, c, "listing practice areas", "/v1/practice_areas", nil, true)
}

// CustomFields returns every custom field (all parent types).
func (c *Client) CustomFields(ctx context.Context) ([]CustomField, error) {
	return collect[CustomField](ctx, c, "listing custom fields", "/v1/custom_fields", nil, true)
}

// CreateCustomField defines a custom field (POST /v1/custom_fields → 201),
// e.g. ("Lawmatics ID", "case", "short_text").
func (c *Client) CreateCustomField(ctx context.Context, name, parentType, fieldType string) (CustomField, error) {
	var out CustomField
	in := CustomFieldWrite{Name: name, ParentType: parentType, FieldType: fieldType}
	if err := c.send(ctx, http.MethodPost, "/v1/custom_fields", nil, in, &out); err != nil {
		return CustomField{}, wrap(fmt.Sprintf("creating custom field %q", name), err)
	}
	return out, nil
}
