package lawmatics

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrNoCaseTypeField is returned by CaseTypeOptions when the firm has no
// matter picklist named CaseTypeFieldName.
var ErrNoCaseTypeField = errors.New("lawmatics: the firm has no \"" + CaseTypeFieldName + "\" picklist custom field on matters")

// CustomFields returns every custom field definition of the firm (GET
// /v1/custom_fields?fields=all), with the options of picklists.
func (c *Client) CustomFields(ctx context.Context) ([]CustomFieldDef, error) {
	var out []CustomFieldDef
	err := listPages(ctx, c, "custom fields", "/custom_fields", url.Values{"fields": {fieldsAll}}, func(d CustomFieldDef) error {
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CaseTypeOption is one case type a firm's staff can pick in Lawmatics.
type CaseTypeOption struct {
	ID    string // the option id: what a prospect's custom field value holds
	Label string // what a person sees, and what ProspectAttributes.CaseType returns
}

// CaseTypeOptions returns the options of the firm's matter picklist named
// CaseTypeFieldName, in the order Lawmatics lists them, so a settings screen
// can offer the labels the intake mapping is keyed by. It returns
// ErrNoCaseTypeField when there is no such picklist.
func (c *Client) CaseTypeOptions(ctx context.Context) ([]CaseTypeOption, error) {
	defs, err := c.CustomFields(ctx)
	if err != nil {
		return nil, fmt.Errorf("lawmatics: reading the case types: %w", err)
	}
	def, ok := caseTypeDef(defs)
	if !ok {
		return nil, ErrNoCaseTypeField
	}
	out := make([]CaseTypeOption, 0, len(def.Attributes.ListOptions))
	for _, o := range def.Attributes.ListOptions {
		if l := strings.TrimSpace(o.Name); l != "" {
			out = append(out, CaseTypeOption{ID: o.ID.String(), Label: l})
		}
	}
	return out, nil
}

// caseTypeDef picks the case-type picklist: a list field named
// CaseTypeFieldName on matters (type "Prospect", or "Matter" as the create
// docs call it), else one on a practice area, whose fields matters of that
// area carry too.
func caseTypeDef(defs []CustomFieldDef) (CustomFieldDef, bool) {
	var fallback *CustomFieldDef
	for i, d := range defs {
		a := d.Attributes
		if !strings.EqualFold(strings.TrimSpace(a.Name), CaseTypeFieldName) || !strings.EqualFold(a.FieldType, FieldTypeList) {
			continue
		}
		switch strings.ToLower(a.Type) {
		case "prospect", "matter":
			return d, true
		case "practicearea":
			if fallback == nil {
				fallback = &defs[i]
			}
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return CustomFieldDef{}, false
}
