package cliofake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

func matterTimes(m *clio.Matter) (time.Time, time.Time) { return m.CreatedAt, m.UpdatedAt }

// readStatus maps a lower-case write status to Clio's read form.
func readStatus(s string) (string, bool) {
	switch s {
	case "open":
		return "Open", true
	case "pending":
		return "Pending", true
	case "closed":
		return "Closed", true
	}
	return "", false
}

// matterViewLocked renders a stored matter with its client, practice area,
// attorney and custom field values resolved; the caller holds mu.
func (s *Server) matterViewLocked(m *clio.Matter) *clio.Matter {
	v := *m
	if m.Client != nil {
		if c, ok := s.st.Contacts.get(m.Client.ID); ok {
			v.Client = s.contactViewLocked(c)
		}
	}
	if m.PracticeArea != nil {
		if pa, ok := s.st.PracticeAreas.get(m.PracticeArea.ID); ok {
			cp := *pa
			v.PracticeArea = &cp
		}
	}
	if m.ResponsibleAttorney != nil {
		if u, ok := s.st.Users.get(m.ResponsibleAttorney.ID); ok {
			cp := *u
			v.ResponsibleAttorney = &cp
		}
	}
	v.CustomFieldValues = s.cfvViewLocked("Matter", m.CustomFieldValues)
	if m.Folder != nil {
		if f, ok := s.st.Folders.get(m.Folder.ID); ok {
			cp := *f
			v.Folder = &cp
		}
	}
	return &v
}

func (s *Server) listMatters(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.Matter{})
	if !ok {
		return
	}
	v := r.URL.Query()
	var preds []func(*clio.Matter) bool
	if raw := v.Get("status"); raw != "" {
		want := map[string]bool{}
		for _, st := range strings.Split(raw, ",") {
			rs, ok := readStatus(strings.TrimSpace(st))
			if !ok {
				badRequest(w, "status must be a comma list of open, pending, closed")
				return
			}
			want[rs] = true
		}
		preds = append(preds, func(m *clio.Matter) bool { return want[m.Status] })
	}
	for _, key := range []string{"client_id", "practice_area_id"} {
		raw := v.Get(key)
		if raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			badRequest(w, key+" must be an integer")
			return
		}
		if key == "client_id" {
			preds = append(preds, func(m *clio.Matter) bool { return m.Client != nil && m.Client.ID == id })
		} else {
			preds = append(preds, func(m *clio.Matter) bool { return m.PracticeArea != nil && m.PracticeArea.ID == id })
		}
	}
	for key, vals := range v {
		inner, ok := strings.CutPrefix(key, "custom_field_values[")
		if !ok {
			continue
		}
		cfID, err := strconv.ParseInt(strings.TrimSuffix(inner, "]"), 10, 64)
		if err != nil || !strings.HasSuffix(inner, "]") {
			badRequest(w, key+": custom field id must be an integer")
			return
		}
		for _, val := range vals {
			// Only equality is modelled ("=x" or "x"); Clio's <, >, <=, >= answer 400 here.
			want := strings.TrimPrefix(val, "=")
			if strings.ContainsAny(want[:min(1, len(want))], "<>") {
				badRequest(w, key+": only equality is supported by cliofake")
				return
			}
			preds = append(preds, func(m *clio.Matter) bool {
				for _, cv := range m.CustomFieldValues {
					if cv.CustomField.ID == cfID && fmt.Sprint(cv.Value) == want {
						return true
					}
				}
				return false
			})
		}
	}
	if q.query != "" {
		preds = append(preds, func(m *clio.Matter) bool { return containsFold(q.query, m.Description, m.DisplayNumber) })
	}
	var match func(*clio.Matter) bool
	if len(preds) > 0 {
		match = func(m *clio.Matter) bool {
			for _, p := range preds {
				if !p(m) {
					return false
				}
			}
			return true
		}
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.Matters, matterTimes, match, func(m *clio.Matter) any { return s.matterViewLocked(m) })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getMatter(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Matter{})
	if !ok {
		return
	}
	s.mu.Lock()
	m, found := s.st.Matters.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: m.Etag, updated: m.UpdatedAt, data: p.one(s.matterViewLocked(m))}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

func (s *Server) createMatter(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.Matter{})
	if !ok {
		return
	}
	var in clio.MatterWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	m, err := s.createMatterLocked(in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: m.Etag, updated: m.UpdatedAt, data: p.one(s.matterViewLocked(m))})
}

func (s *Server) patchMatter(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Matter{})
	if !ok {
		return
	}
	var in clio.MatterWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	m, found := s.st.Matters.get(id)
	if !found {
		notFound(w)
		return
	}
	if err := checkIfMatch(r, m.Etag); err != nil {
		writeErr(w, err)
		return
	}
	m, err := s.updateMatterLocked(id, in)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeRecord(w, r, recordReply{etag: m.Etag, updated: m.UpdatedAt, data: p.one(s.matterViewLocked(m))})
}

func (s *Server) deleteMatter(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	m, found := s.st.Matters.get(id)
	if !found {
		notFound(w)
		return
	}
	view := s.matterViewLocked(m)
	s.st.Matters.del(id)
	if m.Client != nil {
		s.st.ClientMatters[m.Client.ID]--
	}
	s.emitLocked("matter", "deleted", id, view)
	w.WriteHeader(http.StatusNoContent)
}

// createMatterLocked validates and stores a matter and fires "created"; the
// caller holds mu and flushes.
func (s *Server) createMatterLocked(in clio.MatterWrite) (*clio.Matter, error) {
	if in.Description == nil || strings.TrimSpace(*in.Description) == "" {
		return nil, write422("description can't be blank")
	}
	if in.Client == nil {
		return nil, write422("client can't be blank")
	}
	client, ok := s.st.Contacts.get(in.Client.ID)
	if !ok {
		return nil, write422("client %d does not exist", in.Client.ID)
	}
	now := s.now()
	m := &clio.Matter{Status: "Open", Billable: true,
		CreatedAt: now, Client: &clio.Contact{ID: client.ID}, ResponsibleAttorney: &clio.User{ID: s.st.WhoAmI}}
	if err := s.applyMatterLocked(m, in); err != nil {
		return nil, err
	}
	m.ID, m.Number = s.nextIDLocked("matter"), s.nextIDLocked("matter_number")
	last := client.LastName
	if last == "" {
		last = client.Name
	}
	m.DisplayNumber = fmt.Sprintf("%05d-%s", m.Number, strings.ReplaceAll(last, " ", ""))
	s.matterFolderLocked(m) // Clio gives every matter its documents folder
	m.Etag, m.UpdatedAt = s.etagLocked(), now
	s.st.Matters.put(m.ID, m)
	s.st.ClientMatters[client.ID]++
	s.emitLocked("matter", "created", m.ID, s.matterViewLocked(m))
	return m, nil
}

// updateMatterLocked applies a PATCH, firing "updated" and the status event
// (matter_opened / matter_pended / matter_closed) when the status changes.
func (s *Server) updateMatterLocked(id int64, in clio.MatterWrite) (*clio.Matter, error) {
	old, ok := s.st.Matters.get(id)
	if !ok {
		return nil, errf(http.StatusNotFound, "RecordNotFound", "The requested record could not be found")
	}
	m := *old
	if in.Description != nil && strings.TrimSpace(*in.Description) == "" {
		return nil, write422("description can't be blank")
	}
	if in.Client != nil {
		c, ok := s.st.Contacts.get(in.Client.ID)
		if !ok {
			return nil, write422("client %d does not exist", in.Client.ID)
		}
		s.st.ClientMatters[m.Client.ID]--
		s.st.ClientMatters[c.ID]++
		m.Client = &clio.Contact{ID: c.ID}
	}
	if err := s.applyMatterLocked(&m, in); err != nil {
		return nil, err
	}
	m.Etag, m.UpdatedAt = s.etagLocked(), s.now()
	s.st.Matters.put(id, &m)
	view := s.matterViewLocked(&m)
	s.emitLocked("matter", "updated", id, view)
	if m.Status != old.Status {
		s.emitLocked("matter", map[string]string{"Open": "matter_opened", "Pending": "matter_pended", "Closed": "matter_closed"}[m.Status], id, view)
	}
	return &m, nil
}

// applyMatterLocked copies writable fields of in into m.
func (s *Server) applyMatterLocked(m *clio.Matter, in clio.MatterWrite) error {
	now := s.now()
	if in.Description != nil {
		m.Description = strings.TrimSpace(*in.Description)
	}
	if in.CustomNumber != nil {
		m.CustomNumber = *in.CustomNumber
	}
	if in.Billable != nil {
		m.Billable = *in.Billable
	}
	if in.Status != nil {
		st, ok := readStatus(*in.Status)
		if !ok {
			return write422("status must be one of open, pending, closed (lower-case)")
		}
		m.Status = st
	}
	switch {
	case m.Status == "Open" && m.OpenDate == nil:
		m.OpenDate = dateOf(now)
	case m.Status == "Pending" && m.PendingDate == nil:
		m.PendingDate = dateOf(now)
	case m.Status == "Closed":
		if m.CloseDate == nil {
			m.CloseDate = dateOf(now)
		}
	}
	if m.Status != "Closed" {
		m.CloseDate = nil
	}
	if in.PracticeArea != nil {
		if _, ok := s.st.PracticeAreas.get(in.PracticeArea.ID); !ok {
			return write422("practice_area %d does not exist", in.PracticeArea.ID)
		}
		m.PracticeArea = &clio.PracticeArea{ID: in.PracticeArea.ID}
	}
	cfv, err := s.applyCFVLocked("Matter", m.CustomFieldValues, in.CustomFieldValues)
	if err != nil {
		return err
	}
	m.CustomFieldValues = cfv
	return nil
}
