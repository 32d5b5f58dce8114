package smokeballfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

// matterDtoKeys are MatterDto's fields.
var matterDtoKeys = []string{"externalSystemId", "number", "matterTypeId", "clientIds", "otherSideIds", "branchId",
	"branchProviderId", "clientRole", "otherSideRole", "description", "status", "openedDate", "closedDate",
	"leadOpenedDate", "leadClosedDate", "leadClosedReason", "referralType", "referrerId", "referralAgreementFeeType",
	"referralAgreementFee", "referralAgreementFeeComment", "personResponsibleStaffId", "personAssistingStaffId",
	"personAssistingStaffIds", "originatingStaffId", "originatingStaffIds", "splitOriginatingStaffSettings",
	"supervisorStaffId", "clientCode", "isLead"}

// MatterStatuses are the documented statuses.
var MatterStatuses = []string{"Open", "Pending", "Closed", "Deleted", "Cancelled"}

func link(base, path, id string) map[string]any {
	return map[string]any{"id": id, "href": base + path + id}
}

// matterViewLocked renders a Matter as the API does. The schema has no
// last-updated field; versionId carries the ticks of the last change.
func (s *Server) matterViewLocked(base string, m *matterRec) map[string]any {
	clients := []any{}
	for _, id := range m.ClientIDs {
		clients = append(clients, link(base, "/contacts/", id))
	}
	others := []any{}
	for _, id := range m.OtherSideIDs {
		others = append(others, link(base, "/contacts/", id))
	}
	v := map[string]any{
		"href": base + "/matters/" + m.ID, "id": m.ID, "versionId": m.VersionID, "number": m.Number,
		"title": s.titleLocked(m), "matterType": link(base, "/mattertypes/", m.MatterTypeID),
		"clients": clients, "otherSides": others, "description": m.Description, "status": m.Status,
		"isLead": m.IsLead, "openedDate": smokeball.FormatTime(m.OpenedDate), "tags": []any{},
	}
	if m.ExternalSystemID != "" {
		v["externalSystemId"] = m.ExternalSystemID
	}
	if !m.ClosedDate.IsZero() {
		v["closedDate"] = smokeball.FormatTime(m.ClosedDate)
	}
	return v
}

// titleLocked generates the title as Smokeball does: "number - client
// surnames - matter type - other side surnames".
func (s *Server) titleLocked(m *matterRec) string {
	names := func(ids []string) string {
		var out []string
		for _, id := range ids {
			if c, ok := s.st.Contacts.get(id); ok {
				n := rawString(c.Person, "lastName")
				if n == "" {
					n = rawString(c.Company, "name")
				}
				out = append(out, n)
			}
		}
		return strings.Join(out, " & ")
	}
	parts := []string{m.Number, names(m.ClientIDs)}
	if t, ok := s.st.MatterTypes.get(m.MatterTypeID); ok {
		parts = append(parts, t.Name)
	}
	if o := names(m.OtherSideIDs); o != "" {
		parts = append(parts, o)
	}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " - ")
}

func toMatter(view map[string]any) smokeball.Matter {
	b, _ := json.Marshal(view)
	var m smokeball.Matter
	json.Unmarshal(b, &m)
	return m
}

func (s *Server) listMatters(w http.ResponseWriter, r *http.Request) {
	win, ok := parseWindow(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	v := validation{}
	var since int64
	var lastUpdated time.Time
	if raw := qget(q, "UpdatedSince"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			v.add("UpdatedSince", "UpdatedSince must be .NET ticks (an integer).")
		}
		since = n
	}
	if raw := qget(q, "LastUpdated"); raw != "" {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			v.add("LastUpdated", "LastUpdated must be an ISO date-time.")
		}
		lastUpdated = t
		if since != 0 {
			v.add("LastUpdated", "LastUpdated cannot be used in conjunction with UpdatedSince.")
		}
	}
	statuses := splitAll(qall(q, "Status"))
	for _, st := range statuses {
		if !slices.ContainsFunc(MatterStatuses, func(x string) bool { return strings.EqualFold(x, st) }) {
			v.add("Status", "Unknown status "+strconv.Quote(st)+".")
		}
	}
	if len(v) > 0 {
		writeValidation(w, r, v)
		return
	}
	search := strings.TrimSpace(qget(q, "Search"))
	typeID, contactID := qget(q, "MatterTypeId"), qget(q, "ContactId")
	isLead := qget(q, "IsLead")
	if t := qget(q, "Type"); t != "" {
		isLead = strconv.FormatBool(strings.EqualFold(t, "Leads"))
	}
	// [U] LastUpdated is read as "updated at or after", like UpdatedSince.
	if !lastUpdated.IsZero() {
		since = smokeball.Ticks(lastUpdated)
	}
	s.mu.Lock()
	var all []map[string]any
	for _, m := range s.st.Matters.all() {
		switch {
		case m.LastUpdated < since,
			len(statuses) > 0 && !slices.ContainsFunc(statuses, func(x string) bool { return strings.EqualFold(x, m.Status) }),
			typeID != "" && !strings.EqualFold(typeID, m.MatterTypeID),
			contactID != "" && !slices.Contains(m.ClientIDs, contactID) && !slices.Contains(m.OtherSideIDs, contactID),
			isLead != "" && strconv.FormatBool(m.IsLead) != strings.ToLower(isLead),
			search != "" && !s.matterSearchLocked(m, search):
			continue
		}
		all = append(all, s.matterViewLocked(requestBase(r), m))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page(r, win, all))
}

// splitAll splits comma-separated values (Status=Open,Pending or repeated).
func splitAll(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// matterSearchLocked is the matters Search term: a free-text match over
// number, description, title and the clients' and other sides' names,
// case-insensitive, with * wildcards.
func (s *Server) matterSearchLocked(m *matterRec, term string) bool {
	p := wildcard("*" + strings.Trim(term, "*") + "*")
	return p.MatchString(m.Number) || p.MatchString(m.Description) || p.MatchString(s.titleLocked(m))
}

func (s *Server) getMatter(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m, ok := s.st.Matters.get(r.PathValue("id"))
	var view map[string]any
	if ok {
		view = s.matterViewLocked(requestBase(r), m)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r, "Matter")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// createMatter validates what Smokeball refuses at once (a missing client,
// matter type or status: 400) and queues the rest: an unknown matter type
// or client, or a client role the type does not offer, fail when applied
// and post an `error` webhook.
func (s *Server) createMatter(w http.ResponseWriter, r *http.Request) {
	m, ok := readBody(w, r, matterDtoKeys)
	if !ok {
		return
	}
	v := validation{}
	rec := &matterRec{ID: newGUID()}
	strField := func(k string, dst *string) {
		var err error
		if *dst, err = str(m, k); err != nil {
			v.add(k, err.Error())
		}
	}
	strField("externalSystemId", &rec.ExternalSystemID)
	strField("number", &rec.Number)
	strField("matterTypeId", &rec.MatterTypeID)
	strField("clientRole", &rec.ClientRole)
	strField("otherSideRole", &rec.OtherSideRole)
	strField("description", &rec.Description)
	strField("status", &rec.Status)
	for k, dst := range map[string]*[]string{"clientIds": &rec.ClientIDs, "otherSideIds": &rec.OtherSideIDs} {
		if raw, ok := m[k]; ok && string(raw) != "null" && json.Unmarshal(raw, dst) != nil {
			v.add(k, k+" must be a list of ids")
		}
	}
	if raw, ok := m["isLead"]; ok && json.Unmarshal(raw, &rec.IsLead) != nil {
		v.add("isLead", "isLead must be a boolean")
	}
	if rec.MatterTypeID == "" {
		v.add("matterTypeId", "The matter type is required.")
	}
	if len(rec.ClientIDs) == 0 {
		v.add("clientIds", "At least one client is required.")
	}
	if rec.Status == "" {
		v.add("status", "The status is required.")
	} else if i := slices.IndexFunc(MatterStatuses, func(x string) bool { return strings.EqualFold(x, rec.Status) }); i < 0 {
		v.add("status", "Unknown status "+strconv.Quote(rec.Status)+".")
	} else {
		rec.Status = MatterStatuses[i]
	}
	if len(v) > 0 {
		writeValidation(w, r, v)
		return
	}
	o := s.apiOrigin(r)
	s.mu.Lock()
	s.scheduleLocked(o, func(o origin) error {
		if err := s.checkMatterLocked(rec); err != nil {
			return err
		}
		rec.OpenedDate = s.now()
		s.putMatterLocked(o, rec, "matter.created")
		return nil
	})
	s.mu.Unlock()
	writeAccepted(w, o.base+"/matters/"+rec.ID, rec.ID)
}

// checkMatterLocked validates references when a matter write is applied.
func (s *Server) checkMatterLocked(m *matterRec) error {
	t, ok := s.st.MatterTypes.get(m.MatterTypeID)
	if !ok {
		return failWrite(m.ID, "matterTypeId", "Matter type "+m.MatterTypeID+" does not exist.")
	}
	for _, id := range append(slices.Clone(m.ClientIDs), m.OtherSideIDs...) {
		if _, ok := s.st.Contacts.get(id); !ok {
			return failWrite(m.ID, "clientIds", "Contact "+id+" does not exist.")
		}
	}
	if m.ClientRole != "" && !slices.ContainsFunc(t.RepresentativeOptions, func(x string) bool { return strings.EqualFold(x, m.ClientRole) }) {
		return failWrite(m.ID, "clientRole", "Client role "+strconv.Quote(m.ClientRole)+" is not an option of matter type "+t.Name+".")
	}
	if m.ClientRole == "" && len(t.RepresentativeOptions) > 0 {
		m.ClientRole = t.RepresentativeOptions[0]
	}
	return nil
}

// putMatterLocked stores m with a new version and fires event. The caller
// holds mu.
func (s *Server) putMatterLocked(o origin, m *matterRec, event string) {
	m.LastUpdated = s.tickLocked()
	m.VersionID = strconv.FormatInt(m.LastUpdated, 10)
	s.st.Matters.put(m.ID, m)
	s.emitLocked(event, o, s.matterViewLocked(o.base, m))
}

// --- matter types ---

func matterTypeView(base string, t *matterTypeRec) map[string]any {
	typ := 0
	if t.Lead {
		typ = 1
	}
	return map[string]any{
		"href": base + "/mattertypes/" + t.ID, "id": t.ID, "versionId": t.VersionID, "name": t.Name,
		"category": t.Category, "type": typ, "representativeOptions": t.RepresentativeOptions,
		"location": t.Location, "isDeleted": false,
	}
}

// addMatterTypeLocked adds a matter type; its id carries the location
// suffix Smokeball uses ("…_IL").
func (s *Server) addMatterTypeLocked(name, category, location string, roles []string) *matterTypeRec {
	id := newGUID()
	if location != "" {
		id += "_" + location
	}
	t := &matterTypeRec{ID: id, VersionID: newGUID(), Name: name, Category: category, Location: location, RepresentativeOptions: slices.Clone(roles)}
	if t.RepresentativeOptions == nil {
		t.RepresentativeOptions = []string{}
	}
	s.st.MatterTypes.put(id, t)
	return t
}

func (s *Server) listMatterTypes(w http.ResponseWriter, r *http.Request) {
	win, ok := parseWindow(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	name, loc, cat, typ := qget(q, "Name"), qget(q, "Location"), qget(q, "Category"), qget(q, "Type")
	s.mu.Lock()
	var all []map[string]any
	for _, t := range s.st.MatterTypes.all() {
		if name != "" && !strings.EqualFold(name, t.Name) || loc != "" && !strings.EqualFold(loc, t.Location) ||
			cat != "" && !strings.EqualFold(cat, t.Category) || typ != "" && typ != strconv.Itoa(map[bool]int{false: 0, true: 1}[t.Lead]) {
			continue
		}
		all = append(all, matterTypeView(requestBase(r), t))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page(r, win, all))
}

func (s *Server) getMatterType(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, ok := s.st.MatterTypes.get(r.PathValue("id"))
	var view map[string]any
	if ok {
		view = matterTypeView(requestBase(r), t)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r, "Matter type")
		return
	}
	writeJSON(w, http.StatusOK, view)
}
