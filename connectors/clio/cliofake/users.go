package cliofake

import (
	"net/http"

	"github.com/firmsync/firmsync/connectors/clio"
)

func (s *Server) serveWhoAmI(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.User{})
	if !ok {
		return
	}
	s.mu.Lock()
	u, _ := s.st.Users.get(s.st.WhoAmI)
	rep := recordReply{etag: u.Etag, updated: u.UpdatedAt, data: p.one(u)}
	s.mu.Unlock()
	writeRecord(w, r, rep)
}
