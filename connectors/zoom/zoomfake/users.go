package zoomfake

import (
	"net/http"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// user is an account user (meeting hosts must be users).
type user struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	RoleName  string    `json:"role_name"`
	PMI       int64     `json:"pmi"`
	Created   time.Time `json:"created"`
}

// addUserLocked adds a licensed member. The caller holds s.mu.
func (s *Server) addUserLocked(email, first, last string) *user {
	u := &user{
		ID: randomID(22), Email: strings.ToLower(email), FirstName: first, LastName: last,
		RoleName: "Member", PMI: 5550000000 + int64(len(s.st.Users)), Created: s.now().Truncate(time.Second),
	}
	s.st.Users[u.ID] = u
	return u
}

// userByEmailLocked finds a user case-insensitively. The caller holds s.mu.
func (s *Server) userByEmailLocked(email string) *user {
	for _, u := range s.st.Users {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

func (s *Server) wireUser(u *user) zoom.User {
	return zoom.User{
		ID: u.ID, FirstName: u.FirstName, LastName: u.LastName,
		DisplayName: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.Email,
		Type: 2, RoleName: u.RoleName, PMI: u.PMI, Timezone: "America/New_York", Verified: 1,
		CreatedAt: u.Created, Status: "active", AccountID: s.st.AccountID, AccountNumber: 1234567890, Language: "en-US",
	}
}

// checkMe enforces the user-level app rule: {userId} must be "me". Using
// the caller's own ID or email is refused too (the more demanding reading
// of "user-level apps must use me").
func checkMe(w http.ResponseWriter, userID string) bool {
	if userID == "me" {
		return true
	}
	writeError(w, apiError(http.StatusBadRequest, zoom.CodeValidation,
		`User-level apps must use "me" as the userId; got "`+userID+`".`))
	return false
}

// getUser serves GET /v2/users/{userId}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, u *user, userID string) {
	if !checkMe(w, userID) {
		return
	}
	s.mu.Lock()
	out := s.wireUser(u)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}
