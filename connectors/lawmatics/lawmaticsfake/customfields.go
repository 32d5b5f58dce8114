package lawmaticsfake

import (
	"net/http"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// customFieldDefWire renders a custom field definition as GET
// /v1/custom_fields shows it: list fields carry list_options with numeric
// ids and labels.
func customFieldDefWire(d customFieldDef) lawmatics.CustomFieldDef {
	a := lawmatics.CustomFieldDefAttributes{Name: d.Name, FieldType: d.FieldType, Type: d.entityName(), Visibility: d.Visibility,
		CreatedAt: d.CreatedAt, UpdatedAt: d.CreatedAt}
	if a.Visibility == "" {
		a.Visibility = "default"
	}
	if d.FieldType == lawmatics.FieldTypeList || d.FieldType == lawmatics.FieldTypeMultiPicklist {
		a.ListOptions = append([]lawmatics.CustomFieldOption{}, d.Options...)
	}
	return lawmatics.CustomFieldDef{ID: idString(d.ID), Type: lawmatics.TypeCustomField, Attributes: a}
}

func customFieldSpec() listSpec {
	return newListSpec("/v1/custom_field", nil, lawmatics.CustomFieldDefAttributes{})
}

// listCustomFields serves GET /v1/custom_fields, paginated like every list.
func (s *Server) listCustomFields(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rows := make([]row, 0, len(s.st.CustomFields))
	for _, d := range s.st.CustomFields {
		rows = append(rows, newRow(customFieldDefWire(d), nil))
	}
	s.mu.Unlock()
	serveList(w, r, customFieldSpec(), rows)
}

// showCustomField serves GET /v1/custom_fields/{id}.
func (s *Server) showCustomField(w http.ResponseWriter, r *http.Request) {
	id, _ := parseID(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.st.CustomFields {
		if d.ID == id {
			serveOne(w, r, http.StatusOK, customFieldDefWire(d), nil)
			return
		}
	}
	writeNotFound(w, r, "CustomField", r.PathValue("id"))
}
