package zoomfake

import (
	"net/http"
	"net/url"
	"strings"
)

// route is one modelled API endpoint.
type route struct {
	label  string
	handle func(w http.ResponseWriter, r *http.Request, u *user)
}

// matchAPI maps an escaped path below /v2/ to its endpoint, or reports false.
func (s *Server) matchAPI(method, p string) (route, bool) {
	seg := strings.Split(p, "/")
	last := seg[len(seg)-1]
	switch {
	case len(seg) == 2 && seg[0] == "users" && method == http.MethodGet:
		return route{labelLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.getUser(w, r, u, seg[1]) }}, true
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "recordings" && method == http.MethodGet:
		return route{labelMedium, func(w http.ResponseWriter, r *http.Request, u *user) { s.listRecordings(w, r, u, seg[1]) }}, true
	// Meeting IDs are matched by everything between the prefix and the
	// suffix, so an unencoded '/' in a UUID reaches the handler (and fails
	// there, as on Zoom) instead of becoming an unmodelled route.
	case len(seg) >= 3 && seg[0] == "meetings" && last == "recordings" && method == http.MethodGet:
		id := strings.Join(seg[1:len(seg)-1], "/")
		return route{labelLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.getMeetingRecordings(w, r, id) }}, true
	case len(seg) >= 3 && seg[0] == "meetings" && last == "meeting_summary" && method == http.MethodGet:
		id := strings.Join(seg[1:len(seg)-1], "/")
		return route{labelLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.getSummary(w, r, id) }}, true
	case len(seg) >= 3 && seg[0] == "past_meetings" && last == "participants" && method == http.MethodGet:
		id := strings.Join(seg[1:len(seg)-1], "/")
		return route{labelMedium, func(w http.ResponseWriter, r *http.Request, u *user) { s.listParticipants(w, r, id) }}, true
	case len(seg) == 2 && seg[0] == "phone" && seg[1] == "external_contacts":
		switch method {
		case http.MethodGet:
			return route{labelPhoneLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.listContacts(w, r) }}, true
		case http.MethodPost:
			return route{labelPhoneLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.createContact(w, r) }}, true
		}
	case len(seg) == 3 && seg[0] == "phone" && seg[1] == "external_contacts":
		id, err := url.PathUnescape(seg[2])
		if err != nil {
			id = seg[2]
		}
		switch method {
		case http.MethodGet:
			return route{labelPhoneLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.getContact(w, r, id) }}, true
		case http.MethodPatch:
			return route{labelPhoneLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.updateContact(w, r, id) }}, true
		case http.MethodDelete:
			return route{labelPhoneLight, func(w http.ResponseWriter, r *http.Request, u *user) { s.deleteContact(w, r, id) }}, true
		}
	}
	return route{}, false
}

// serveAPI authenticates, rate-limits and dispatches a /v2/ request.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, p string) {
	rt, ok := s.matchAPI(r.Method, p)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	s.mu.Lock()
	u := s.authLocked(w, r)
	var uc user
	if u != nil {
		uc = *u
	}
	s.mu.Unlock()
	if u == nil {
		return
	}
	if !s.allow(w, rt.label) {
		return
	}
	rt.handle(w, r, &uc)
}
