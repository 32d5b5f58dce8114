package lawmaticsfake

import (
	"net/http"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// serveMe serves GET /v1/users/me: the account the token belongs to.
func (s *Server) serveMe(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u := lawmatics.User{ID: "1", Type: lawmatics.TypeUser, Attributes: s.st.User}
	s.mu.Unlock()
	serveOne(w, r, http.StatusOK, u, nil)
}
