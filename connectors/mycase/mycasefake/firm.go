package mycasefake

import (
	"net/http"
	"strings"
)

// staffResponse is StaffResponse.
type staffResponse struct {
	ID              int64   `json:"id"`
	Email           string  `json:"email"`
	FirstName       string  `json:"first_name"`
	MiddleInitial   string  `json:"middle_initial"`
	LastName        string  `json:"last_name"`
	Address         address `json:"address"`
	CellPhoneNumber string  `json:"cell_phone_number"`
	WorkPhoneNumber string  `json:"work_phone_number"`
	HomePhoneNumber string  `json:"home_phone_number"`
	Type            string  `json:"type"`
	Title           string  `json:"title"`
	Active          bool    `json:"active"`
	UpdatedAt       string  `json:"updated_at"`
	CreatedAt       string  `json:"created_at"`
}

// serveMe answers the staff member the token belongs to.
func (s *Server) serveMe(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.st.Me
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, staffResponse{ID: m.ID, Email: m.Email, FirstName: m.FirstName, LastName: m.LastName,
		Type: "Attorney", Title: m.Title, Active: true, UpdatedAt: stamp(m.UpdatedAt), CreatedAt: stamp(m.CreatedAt)})
}

// serveFirm answers {"name","url"}; url identifies the firm.
func (s *Server) serveFirm(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	name := s.st.FirmName
	s.mu.Unlock()
	slug := strings.ToLower(strings.NewReplacer(" ", "", "&", "", ".", "").Replace(name))
	writeJSON(w, http.StatusOK, map[string]string{"name": name, "url": "https://" + slug + ".mycase.com"})
}
