package clio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// MatterFields is what the client asks for on every matter read.
const MatterFields = "id,etag,display_number,number,custom_number,description,status,updated_at,created_at," +
	"client{id,name},practice_area{id,name},custom_field_values{id,value,custom_field}"

// MatterQuery narrows a matter listing; the zero value lists every matter.
type MatterQuery struct {
	UpdatedSince time.Time // only matters updated at or after this; zero = all
	Status       []string  // "open", "pending", "closed" (any case); nil = all
	IDs          []int64   // only these matters; nil = all
	// CustomFieldValue keeps matters whose custom field (by id) equals the
	// value, e.g. {12: "LM-42"}.
	CustomFieldValue map[int64]string
}

// Matters calls fn for each matter matching q, in id order, paging with
// Clio's cursor. An error from fn stops the listing and is returned.
func (c *Client) Matters(ctx context.Context, q MatterQuery, fn func(Matter) error) error {
	v := url.Values{"fields": {MatterFields}}
	if !q.UpdatedSince.IsZero() {
		v.Set("updated_since", formatTime(q.UpdatedSince))
	}
	if len(q.Status) > 0 {
		st := make([]string, len(q.Status))
		for i, s := range q.Status {
			st[i] = strings.ToLower(strings.TrimSpace(s))
		}
		v.Set("status", strings.Join(st, ","))
	}
	for id, val := range q.CustomFieldValue {
		// A leading operator character would be read as one; "=" makes
		// the equality explicit.
		if strings.ContainsAny(val[:min(1, len(val))], "<>=") {
			val = "=" + val
		}
		v.Set(fmt.Sprintf("custom_field_values[%d]", id), val)
	}
	return listIDs(ctx, c, "listing matters", "/matters.json", v, q.IDs, fn)
}

// Matter returns one matter; a missing one is ErrNotFound.
func (c *Client) Matter(ctx context.Context, id int64) (Matter, error) {
	var out Matter
	if err := c.get(ctx, fmt.Sprintf("/matters/%d.json", id), url.Values{"fields": {MatterFields}}, &out); err != nil {
		return Matter{}, wrap(fmt.Sprintf("getting matter %d", id), err)
	}
	return out, nil
}

// MatterCreate describes a new matter.
type MatterCreate struct {
	Description    string // required
	ClientID       int64  // required: the client contact
	CustomNumber   string // "" = none
	PracticeAreaID int64  // 0 = none
	Status         string // "open", "pending" or "closed" (any case); "" = Clio's default
}

// CreateMatter creates a matter (POST /matters). Creates are not replayed
// after an unclear failure; look the matter up before trying again.
func (c *Client) CreateMatter(ctx context.Context, m MatterCreate) (Matter, error) {
	w := MatterWrite{Description: &m.Description, Client: &IDRef{ID: m.ClientID}}
	if m.CustomNumber != "" {
		w.CustomNumber = &m.CustomNumber
	}
	if m.PracticeAreaID != 0 {
		w.PracticeArea = &IDRef{ID: m.PracticeAreaID}
	}
	if m.Status != "" {
		w.Status = ptr(strings.ToLower(m.Status))
	}
	var out Matter
	if err := c.send(ctx, http.MethodPost, "/matters.json", url.Values{"fields": {MatterFields}}, w, &out, nil); err != nil {
		return Matter{}, wrap("creating a matter", err)
	}
	return out, nil
}

// PracticeAreas returns every practice area.
func (c *Client) PracticeAreas(ctx context.Context) ([]PracticeArea, error) {
	var out []PracticeArea
	v := url.Values{"fields": {"id,etag,name,code,category,created_at,updated_at"}}
	err := list(ctx, c, "listing practice areas", "/practice_areas.json", v, func(p PracticeArea) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

const customFieldFields = "id,etag,name,parent_type,field_type,displayed,required,deleted,display_order,picklist_options,created_at,updated_at"

// CustomFields returns the custom fields of parentType ("Matter" or
// "Contact"), deleted ones included (check Deleted).
func (c *Client) CustomFields(ctx context.Context, parentType string) ([]CustomField, error) {
	var out []CustomField
	v := url.Values{"fields": {customFieldFields}, "parent_type": {parentType}}
	err := list(ctx, c, "listing custom fields", "/custom_fields.json", v, func(f CustomField) error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// CreateCustomField defines a custom field, e.g. ("Lawmatics ID",
// "Matter", "text_line"). Names are unique per parent type (422 otherwise).
func (c *Client) CreateCustomField(ctx context.Context, name, parentType, fieldType string) (CustomField, error) {
	w := CustomFieldWrite{Name: name, ParentType: parentType, FieldType: fieldType}
	var out CustomField
	if err := c.send(ctx, http.MethodPost, "/custom_fields.json", url.Values{"fields": {customFieldFields}}, w, &out, nil); err != nil {
		return CustomField{}, wrap(fmt.Sprintf("creating custom field %q", name), err)
	}
	return out, nil
}

// SetMatterCustomField sets a matter's value of custom field fieldID. It
// reads the matter first and updates the field's existing value record by
// its id, or creates one when there is none, so a matter never gets two
// values for a field; an equal value is left alone, and "" deletes the
// value. The write carries the matter's etag (If-Match); when someone else
// changed the matter in between (412) it reads again and retries once.
func (c *Client) SetMatterCustomField(ctx context.Context, matterID, fieldID int64, value string) error {
	_, err := c.SetMatterCustomFieldEtag(ctx, matterID, fieldID, value)
	return err
}

// SetMatterCustomFieldEtag is SetMatterCustomField returning the matter's
// etag after the write (Clio answers the PATCH with it), so a caller can
// recognise its own write in later listings without reading the matter.
func (c *Client) SetMatterCustomFieldEtag(ctx context.Context, matterID, fieldID int64, value string) (string, error) {
	doing := fmt.Sprintf("setting custom field %d of matter %d", fieldID, matterID)
	for attempt := 0; ; attempt++ {
		var m Matter
		if err := c.get(ctx, fmt.Sprintf("/matters/%d.json", matterID), url.Values{"fields": {"id,etag,custom_field_values{id,value,custom_field}"}}, &m); err != nil {
			return "", wrap(doing, err)
		}
		var w CustomFieldValueWrite
		i := slices.IndexFunc(m.CustomFieldValues, func(v CustomFieldValue) bool {
			return v.ID != nil && *v.ID != "" && v.CustomField != nil && v.CustomField.ID == fieldID
		})
		switch {
		case i >= 0 && value == "":
			w = CustomFieldValueWrite{ID: *m.CustomFieldValues[i].ID, Destroy: true}
		case i >= 0 && valueString(m.CustomFieldValues[i].Value) == value:
			return m.Etag, nil
		case i >= 0:
			w = CustomFieldValueWrite{ID: *m.CustomFieldValues[i].ID, Value: value}
		case value == "":
			return m.Etag, nil
		default:
			w = CustomFieldValueWrite{CustomField: &IDRef{ID: fieldID}, Value: value}
		}
		body := MatterWrite{CustomFieldValues: []CustomFieldValueWrite{w}}
		var out Matter
		err := c.send(ctx, http.MethodPatch, fmt.Sprintf("/matters/%d.json", matterID), url.Values{"fields": {"id,etag"}},
			body, &out, http.Header{"If-Match": {m.Etag}})
		if err == nil {
			return out.Etag, nil
		}
		if httpx.StatusOf(err) == http.StatusPreconditionFailed && attempt == 0 {
			c.log.Info("matter changed while setting a custom field; reading it again", "matter", matterID)
			continue
		}
		return "", wrap(doing, err)
	}
}

// valueString renders a custom field value as the string Clio was sent.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
