package cliofake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

func customFieldTimes(c *clio.CustomField) (time.Time, time.Time) { return c.CreatedAt, c.UpdatedAt }

func validFieldType(t string) bool {
	switch t {
	case "checkbox", "contact", "currency", "date", "time", "email", "matter", "numeric", "picklist", "text_area", "text_line", "url":
		return true
	}
	return false
}

func (s *Server) listCustomFields(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.CustomField{})
	if !ok {
		return
	}
	v := r.URL.Query()
	pt, ft, del := v.Get("parent_type"), v.Get("field_type"), v.Get("deleted")
	if pt != "" && pt != "Matter" && pt != "Contact" {
		badRequest(w, "parent_type must be Matter or Contact")
		return
	}
	match := func(c *clio.CustomField) bool {
		return (pt == "" || c.ParentType == pt) && (ft == "" || c.FieldType == ft) &&
			(del == "" || strconv.FormatBool(c.Deleted) == del) && (q.query == "" || containsFold(q.query, c.Name))
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.CustomFields, customFieldTimes, match, func(c *clio.CustomField) any { return c })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getCustomField(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.CustomField{})
	if !ok {
		return
	}
	s.mu.Lock()
	c, found := s.st.CustomFields.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: c.Etag, updated: c.UpdatedAt, data: p.one(c)}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

func (s *Server) createCustomField(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.CustomField{})
	if !ok {
		return
	}
	var in clio.CustomFieldWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.createCustomFieldLocked(in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: c.Etag, updated: c.UpdatedAt, data: p.one(c)})
}

func (s *Server) createCustomFieldLocked(in clio.CustomFieldWrite) (*clio.CustomField, error) {
	switch {
	case in.Name == "":
		return nil, write422("name can't be blank")
	case in.ParentType != "Matter" && in.ParentType != "Contact":
		return nil, write422("parent_type must be Matter or Contact")
	case !validFieldType(in.FieldType):
		return nil, write422("field_type %q is not valid", in.FieldType)
	case in.FieldType == "picklist" && len(in.PicklistOptions) == 0:
		return nil, write422("picklist_options can't be blank for a picklist")
	}
	for _, c := range s.st.CustomFields.m {
		if c.ParentType == in.ParentType && c.Name == in.Name && !c.Deleted {
			return nil, write422("name has already been taken")
		}
	}
	now := s.now()
	c := &clio.CustomField{
		ID: s.nextIDLocked("custom_field"), Etag: s.etagLocked(), Name: in.Name, ParentType: in.ParentType,
		FieldType: in.FieldType, Displayed: in.Displayed == nil || *in.Displayed, Required: in.Required,
		DisplayOrder: in.DisplayOrder, PicklistOptions: []clio.PicklistOption{}, CreatedAt: now, UpdatedAt: now,
	}
	for _, o := range in.PicklistOptions {
		c.PicklistOptions = append(c.PicklistOptions, clio.PicklistOption{ID: s.nextIDLocked("picklist_option"), Etag: s.etagLocked(), Option: o})
	}
	s.st.CustomFields.put(c.ID, c)
	return c, nil
}

// applyCFVLocked applies custom_field_values writes to cur and returns the
// new slice (cur is not modified). A second value for a field that already
// has one is refused with 422: Clio never holds duplicates.
func (s *Server) applyCFVLocked(parentType string, cur []clio.CustomFieldValue, in []clio.CustomFieldValueWrite) ([]clio.CustomFieldValue, error) {
	if len(in) == 0 {
		return cur, nil
	}
	out := slices.Clone(cur)
	now := s.now()
	for _, w := range in {
		switch {
		case w.ID != "":
			i := slices.IndexFunc(out, func(v clio.CustomFieldValue) bool { return v.ID != nil && *v.ID == w.ID })
			if i < 0 {
				return nil, write422("custom_field_values: no value with id %q", w.ID)
			}
			if w.Destroy {
				out = slices.Delete(out, i, i+1)
				continue
			}
			cf, _ := s.st.CustomFields.get(out[i].CustomField.ID)
			val, err := s.checkCFValue(cf, w.Value)
			if err != nil {
				return nil, err
			}
			t := now
			out[i].Value, out[i].UpdatedAt, out[i].Etag = val, &t, s.etagLocked()
		case w.CustomField != nil:
			cf, ok := s.st.CustomFields.get(w.CustomField.ID)
			if !ok || cf.Deleted || cf.ParentType != parentType {
				return nil, write422("custom_field_values: custom field %d does not exist for %s", w.CustomField.ID, parentType)
			}
			if slices.ContainsFunc(out, func(v clio.CustomFieldValue) bool { return v.CustomField.ID == cf.ID }) {
				return nil, write422("custom_field_values: custom field %d already has a value; update it by its id", cf.ID)
			}
			val, err := s.checkCFValue(cf, w.Value)
			if err != nil {
				return nil, err
			}
			id := fmt.Sprintf("%s-%d", cf.FieldType, s.nextIDLocked("custom_field_value"))
			t := now
			out = append(out, clio.CustomFieldValue{ID: &id, Etag: s.etagLocked(), FieldName: cf.Name, Value: val,
				CreatedAt: &t, UpdatedAt: &t, CustomField: &clio.CustomField{ID: cf.ID}})
		default:
			return nil, write422("custom_field_values items need an id or a custom_field")
		}
	}
	return out, nil
}

// checkCFValue validates a value for cf. Picklists take an option id [U].
func (s *Server) checkCFValue(cf *clio.CustomField, v any) (any, error) {
	if cf == nil {
		return v, nil
	}
	if v == nil {
		return nil, write422("custom_field_values value can't be blank")
	}
	if cf.FieldType == "picklist" {
		id, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		if err != nil || !slices.ContainsFunc(cf.PicklistOptions, func(o clio.PicklistOption) bool { return o.ID == id }) {
			return nil, write422("custom_field_values: %v is not an option of picklist %d", v, cf.ID)
		}
	}
	return v, nil
}

// cfvViewLocked renders stored values with their full custom_field, plus a
// null-id entry for each displayed field of parentType that has no value.
func (s *Server) cfvViewLocked(parentType string, cur []clio.CustomFieldValue) []clio.CustomFieldValue {
	out := make([]clio.CustomFieldValue, 0, len(cur))
	has := map[int64]bool{}
	for _, v := range cur {
		if cf, ok := s.st.CustomFields.get(v.CustomField.ID); ok {
			cp := *cf
			v.CustomField = &cp
			v.FieldName = cf.Name
		}
		has[v.CustomField.ID] = true
		out = append(out, v)
	}
	for _, id := range s.st.CustomFields.ids {
		cf := s.st.CustomFields.m[id]
		if cf.ParentType == parentType && cf.Displayed && !cf.Deleted && !has[id] {
			cp := *cf
			out = append(out, clio.CustomFieldValue{FieldName: cf.Name, CustomField: &cp})
		}
	}
	return out
}

// --- practice areas ---

func practiceAreaTimes(p *clio.PracticeArea) (time.Time, time.Time) { return p.CreatedAt, p.UpdatedAt }

func (s *Server) listPracticeAreas(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.PracticeArea{})
	if !ok {
		return
	}
	var match func(*clio.PracticeArea) bool
	if q.query != "" {
		match = func(p *clio.PracticeArea) bool { return containsFold(q.query, p.Name, p.Code) }
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.PracticeAreas, practiceAreaTimes, match, func(p *clio.PracticeArea) any { return p })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getPracticeArea(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.PracticeArea{})
	if !ok {
		return
	}
	s.mu.Lock()
	pa, found := s.st.PracticeAreas.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: pa.Etag, updated: pa.UpdatedAt, data: p.one(pa)}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

func (s *Server) createPracticeArea(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.PracticeArea{})
	if !ok {
		return
	}
	var in clio.PracticeAreaWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pa, err := s.createPracticeAreaLocked(in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: pa.Etag, updated: pa.UpdatedAt, data: p.one(pa)})
}

func (s *Server) createPracticeAreaLocked(in clio.PracticeAreaWrite) (*clio.PracticeArea, error) {
	if in.Name == "" {
		return nil, write422("name can't be blank")
	}
	if in.Category != "" && !slices.Contains(practiceAreaCategories(), in.Category) {
		return nil, write422("category %q is not a practice area category", in.Category)
	}
	for _, pa := range s.st.PracticeAreas.m {
		if pa.Name == in.Name {
			return nil, write422("name has already been taken")
		}
	}
	now := s.now()
	pa := &clio.PracticeArea{ID: s.nextIDLocked("practice_area"), Etag: s.etagLocked(), Name: in.Name, Code: in.Code, Category: in.Category, CreatedAt: now, UpdatedAt: now}
	s.st.PracticeAreas.put(pa.ID, pa)
	return pa, nil
}

// practiceAreaCategories is the SPEC's enum of practice area categories.
func practiceAreaCategories() []string {
	return []string{
		"administrative", "admiralty_and_maritime", "anti_trust_and_competition", "appellate",
		"banking_and_finance", "bankruptcy", "business_formation_and_compliance", "civil_litigation",
		"civil_rights_and_constitutional", "collections_and_debt", "commercial_and_sale_of_goods",
		"commercial_litigation", "construction", "consumer_protection", "contracts", "corporate_litigation",
		"criminal", "disability_and_social_security", "education", "elder", "employment_and_labor",
		"energy_and_environmental", "ethics", "family", "food_and_drug", "general_practice", "government",
		"healthcare", "immigration", "in_house_counsel", "insurance", "intellectual_property", "international",
		"juvenile", "legal_aid", "mediation_and_arbitration", "medical_malpractice", "military", "multi_practice",
		"non_profit_and_pro_bono", "other", "personal_injury", "privacy_and_information_security",
		"private_client", "product_liability", "real_estate", "science_and_technology",
		"securities_and_mergers_and_acquisitions", "small_claims", "sports_and_entertainment_and_gaming", "tax",
		"telecommunications", "traffic_offenses", "transportation", "tribal", "trusts", "wills_and_estates",
		"workers_compensation",
	}
}
