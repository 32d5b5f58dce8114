package lawmaticsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// params is a decoded create/update body. Rails accepts JSON and form
// bodies alike, and ids as numbers or strings, so the fake does too.
type params map[string]any

// readParams decodes a JSON or form-encoded body.
func readParams(r *http.Request) (params, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("parse form: %w", err)
		}
		p := params{}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				p[k] = v[0]
			}
		}
		return p, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	p := params{}
	if len(strings.TrimSpace(string(b))) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("decode JSON body: %w", err)
	}
	return p, nil
}

// str returns a string param and whether it was present (null counts as "").
func (p params) str(k string) (string, bool) {
	v, ok := p[k]
	if !ok {
		return "", false
	}
	return scalarString(v), true
}

// id returns an id param given as number or string; ok is false when absent,
// bad is true when present but not a positive integer.
func (p params) id(k string) (id int64, ok, bad bool) {
	s, ok := p.str(k)
	if !ok || s == "" {
		return 0, false, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, true, true
	}
	return id, true, false
}

// notes returns the inline notes[] entries.
func (p params) notes() []lawmatics.InlineNote {
	arr, _ := p["notes"].([]any)
	var out []lawmatics.InlineNote
	for _, e := range arr {
		m, _ := e.(map[string]any)
		if m == nil {
			continue
		}
		out = append(out, lawmatics.InlineNote{Name: scalarString(m["name"]), Body: scalarString(m["body"])})
	}
	return out
}

// customFields returns the custom_fields[] entries (id → value, nil clears).
// Ids may be numbers or strings, as the vendor writes both.
func (p params) customFields() ([]lawmatics.CustomFieldValue, error) {
	v, ok := p["custom_fields"]
	if !ok || v == nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("custom_fields must be an array")
	}
	var out []lawmatics.CustomFieldValue
	for _, e := range arr {
		m, _ := e.(map[string]any)
		if m == nil {
			return nil, fmt.Errorf("custom_fields entries must be objects with an id and a value")
		}
		id, err := strconv.ParseInt(strings.TrimSpace(scalarString(m["id"])), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("custom_fields entries need a numeric id")
		}
		out = append(out, lawmatics.CustomFieldValue{ID: lawmatics.FieldID(id), Value: m["value"]})
	}
	return out, nil
}

// applyCustomLocked validates and stores custom field values for entity.
// A list field takes the id of one of its options (a number or its text),
// never the label, and stores it as the id's text. The caller holds s.mu.
func (s *Server) applyCustomLocked(entity string, dst map[int64]any, in []lawmatics.CustomFieldValue) error {
	defs := s.st.customFieldDefs(entity)
	for _, cf := range in {
		id := int64(cf.ID)
		var def *customFieldDef
		for i := range defs {
			if defs[i].ID == id {
				def = &defs[i]
			}
		}
		if def == nil {
			return fmt.Errorf("Custom field %d does not exist", id)
		}
		if cf.Value == nil || cf.Value == "" {
			delete(dst, id)
			continue
		}
		v := scalarString(cf.Value)
		if def.FieldType == lawmatics.FieldTypeList {
			// [U] The exact message is undocumented; the status and the
			// errors body are the documented validation shape.
			o, ok := def.option(cf.Value)
			if !ok {
				return fmt.Errorf("%s is not a valid option for %s", v, def.Name)
			}
			v = o.ID.String()
		}
		dst[id] = v
	}
	return nil
}

func formatValue(v any) string { return scalarString(v) }
