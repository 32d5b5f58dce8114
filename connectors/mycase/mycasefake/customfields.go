package mycasefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
)

func parentTypes() []string {
	return []string{"case", "client", "company", "expense", "time", "time_and_expense"}
}

func fieldTypes() []string {
	return []string{"short_text", "long_text", "numeric", "boolean", "date", "list", "currency"}
}

// cfvWrite is one entry of custom_field_values in a request body; both
// properties are required.
type cfvWrite struct {
	CustomField *mycase.IDRef `json:"custom_field"`
	Value       any           `json:"value"`
}

// cfvView is CustomFieldValueResponse.
type cfvView struct {
	CustomField mycase.IDRef `json:"custom_field"`
	Value       any          `json:"value"`
	CreatedAt   string       `json:"created_at"`
	UpdatedAt   string       `json:"updated_at"`
}

// customFieldView is CustomFieldResponse; list_options only for a list.
type customFieldView struct {
	ID          int64            `json:"id"`
	Name        string           `json:"name"`
	ParentType  string           `json:"parent_type"`
	FieldType   string           `json:"field_type"`
	ListOptions []listOptionView `json:"list_options,omitempty"`
	CreatedAt   string           `json:"created_at"`
	UpdatedAt   string           `json:"updated_at"`
}

type listOptionView struct {
	Key       string `json:"key"`
	Option    string `json:"option"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// namedView is PracticeAreaResponse (and a case stage).
type namedView struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func namedViewOf(n *namedRec) any {
	return namedView{ID: n.ID, Name: n.Name, CreatedAt: stamp(n.CreatedAt), UpdatedAt: stamp(n.UpdatedAt)}
}

func fieldView(f *fieldRec) any {
	v := customFieldView{ID: f.ID, Name: f.Name, ParentType: f.ParentType, FieldType: f.FieldType,
		CreatedAt: stamp(f.CreatedAt), UpdatedAt: stamp(f.UpdatedAt)}
	for _, o := range f.ListOptions {
		v.ListOptions = append(v.ListOptions, listOptionView{Key: o.Key, Option: o.Option, CreatedAt: stamp(o.CreatedAt), UpdatedAt: stamp(o.UpdatedAt)})
	}
	return v
}

// cfvViewsLocked renders stored values. [U] The value's JSON type follows
// the field's type (numeric and currency as numbers, boolean as a bool,
// the rest as strings) whatever was written: a client must read all three.
func (s *Server) cfvViewsLocked(vs []cfValue) []cfvView {
	out := []cfvView{}
	for _, v := range vs {
		f, ok := s.st.Fields.get(v.FieldID)
		if !ok {
			continue // the field was deleted
		}
		out = append(out, cfvView{CustomField: mycase.IDRef{ID: v.FieldID}, Value: renderValue(f.FieldType, v.Value),
			CreatedAt: stamp(v.CreatedAt), UpdatedAt: stamp(v.UpdatedAt)})
	}
	return out
}

func renderValue(fieldType string, v any) any {
	text := fmt.Sprint(v)
	switch fieldType {
	case "numeric", "currency":
		if _, err := strconv.ParseFloat(text, 64); err == nil {
			return json.Number(text)
		}
	case "boolean":
		if b, err := strconv.ParseBool(text); err == nil {
			return b
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	return text
}

// applyCFVLocked validates custom_field_values of a body for parentType and
// merges them into cur by field id (a value for a field already set
// replaces it; others stay) [U: MyCase may replace the whole list on PUT;
// merging is what SetCaseCustomField relies on, and the test for it pins
// this reading]. The caller holds mu.
func (s *Server) applyCFVLocked(parentType string, in []cfvWrite, cur []cfValue) ([]cfValue, error) {
	now := s.now()
	out := slices.Clone(cur)
	for i, w := range in {
		ptr := fmt.Sprintf("/custom_field_values/%d", i)
		if w.CustomField == nil {
			return nil, invalid(ptr+"/custom_field", "custom_field is required")
		}
		if w.Value == nil {
			return nil, invalid(ptr+"/value", "value is required")
		}
		f, ok := s.st.Fields.get(w.CustomField.ID)
		if !ok || f.ParentType != parentType {
			return nil, invalid(ptr+"/custom_field/id", "custom field %d does not exist for %s records", w.CustomField.ID, parentType)
		}
		if err := checkValue(f, w.Value); err != nil {
			return nil, invalid(ptr+"/value", "%s", err.Error())
		}
		j := slices.IndexFunc(out, func(v cfValue) bool { return v.FieldID == f.ID })
		if j < 0 {
			out = append(out, cfValue{FieldID: f.ID, Value: w.Value, CreatedAt: now, UpdatedAt: now})
		} else {
			out[j].Value, out[j].UpdatedAt = w.Value, now
		}
	}
	return out, nil
}

// checkValue checks a value against its field's type. [U] Strings are
// accepted for every type when they read as that type.
func checkValue(f *fieldRec, v any) error {
	switch v.(type) {
	case string, json.Number, bool:
	default:
		return fmt.Errorf("value must be a string, number or boolean")
	}
	text := fmt.Sprint(v)
	switch f.FieldType {
	case "numeric", "currency":
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return fmt.Errorf("value must be a number for a %s field", f.FieldType)
		}
	case "boolean":
		if _, err := strconv.ParseBool(text); err != nil {
			return fmt.Errorf("value must be true or false for a boolean field")
		}
	case "date":
		if !parseDate(text) {
			return fmt.Errorf("value must be an ISO 8601 date for a date field")
		}
	case "list":
		if !slices.ContainsFunc(f.ListOptions, func(o listOption) bool { return o.Option == text || o.Key == text }) {
			return fmt.Errorf("value must be one of the field's list options")
		}
	}
	return nil
}

func (s *Server) listCustomFields(w http.ResponseWriter, r *http.Request) {
	q, err := s.parseList(r, listSpec{sized: true, updatedAfter: true})
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	p := pageLocked(s, r, q, &s.st.Fields, func(f *fieldRec) time.Time { return f.UpdatedAt }, nil, fieldView)
	s.mu.Unlock()
	writePage(w, p)
}

// customFieldWrite is CustomFieldRequest.
type customFieldWrite struct {
	Name        *string `json:"name"`
	ParentType  *string `json:"parent_type"`
	FieldType   *string `json:"field_type"`
	ListOptions []struct {
		OptionValue *string `json:"option_value"`
	} `json:"list_options"`
}

func (s *Server) createCustomField(w http.ResponseWriter, r *http.Request) {
	var in customFieldWrite
	if err := decodeBody(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	f, err := s.createFieldLocked(in)
	var v any
	if err == nil {
		v = fieldView(f)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) createFieldLocked(in customFieldWrite) (*fieldRec, error) {
	switch {
	case blank(in.Name):
		return nil, invalid("/name", "name is required")
	case blank(in.ParentType):
		return nil, invalid("/parent_type", "parent_type is required")
	case blank(in.FieldType):
		return nil, invalid("/field_type", "field_type is required")
	case !slices.Contains(parentTypes(), *in.ParentType):
		return nil, invalid("/parent_type", "parent_type must be one of %s", strings.Join(parentTypes(), ", "))
	case !slices.Contains(fieldTypes(), *in.FieldType):
		return nil, invalid("/field_type", "field_type must be one of %s", strings.Join(fieldTypes(), ", "))
	case *in.FieldType == "list" && len(in.ListOptions) == 0:
		return nil, invalid("/list_options", "list_options are required for a list field")
	}
	name := strings.TrimSpace(*in.Name)
	for _, f := range s.st.Fields.all() {
		// [U] Names unique per parent type, case-insensitively.
		if f.ParentType == *in.ParentType && strings.EqualFold(f.Name, name) {
			return nil, invalid("/name", "name has already been taken")
		}
	}
	now := s.now()
	f := &fieldRec{ID: s.nextIDLocked("custom_field"), Name: name, ParentType: *in.ParentType, FieldType: *in.FieldType, CreatedAt: now, UpdatedAt: now}
	if f.FieldType == "list" {
		for i, o := range in.ListOptions {
			if blank(o.OptionValue) {
				return nil, invalid(fmt.Sprintf("/list_options/%d/option_value", i), "option_value is required")
			}
			f.ListOptions = append(f.ListOptions, listOption{Key: randomHex(6), Option: *o.OptionValue, CreatedAt: now, UpdatedAt: now})
		}
	}
	s.st.Fields.put(f.ID, f)
	return f, nil
}

func (s *Server) listPracticeAreas(w http.ResponseWriter, r *http.Request) {
	q, err := s.parseList(r, listSpec{sized: true, updatedAfter: true})
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	p := pageLocked(s, r, q, &s.st.PracticeAreas, func(n *namedRec) time.Time { return n.UpdatedAt }, nil, namedViewOf)
	s.mu.Unlock()
	writePage(w, p)
}

// lookupNameLocked returns the stored spelling of name in t, matched
// case-insensitively; an unknown name becomes blank, as MyCase does for
// practice_area and case_stage.
func lookupNameLocked(t *table[namedRec], name string) string {
	name = strings.TrimSpace(name)
	for _, n := range t.all() {
		if strings.EqualFold(n.Name, name) {
			return n.Name
		}
	}
	return ""
}
