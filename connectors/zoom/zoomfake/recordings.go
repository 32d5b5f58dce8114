package zoomfake

import (
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// meeting is one ended meeting instance with its cloud recording.
type meeting struct {
	UUID            string        `json:"uuid"`
	ID              int64         `json:"id"`
	HostID          string        `json:"host_id"`
	Topic           string        `json:"topic"`
	Type            int           `json:"type"`
	Start           time.Time     `json:"start"`
	Duration        int           `json:"duration"` // minutes
	Timezone        string        `json:"timezone"`
	Password        string        `json:"password"`
	Participants    []participant `json:"participants"`
	Files           []*file       `json:"files"`      // ready files, in listing order
	Transcript      string        `json:"transcript"` // WebVTT; "" means none
	TranscriptReady bool          `json:"transcript_ready"`
	Summary         *summaryState `json:"summary"` // nil means none
	SummaryReady    bool          `json:"summary_ready"`
	Deleted         *time.Time    `json:"deleted,omitempty"` // in the trash since
	DownloadToken   string        `json:"download_token"`
}

// file is one recording file with its bytes.
type file struct {
	ID            string    `json:"id"`
	Type          string    `json:"type"`
	Ext           string    `json:"ext"`
	RecordingType string    `json:"recording_type"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Content       []byte    `json:"content"`
}

// participant attended a meeting.
type participant struct {
	UserID string    `json:"user_id"` // account user ID; "" for guests
	Name   string    `json:"name"`
	Email  string    `json:"email"`
	Join   time.Time `json:"join"`
	Leave  time.Time `json:"leave"`
}

// downloadToken authorises downloads of one meeting's files.
type downloadToken struct {
	UUID    string    `json:"uuid"`
	Expires time.Time `json:"expires"`
}

func (m *meeting) end() time.Time { return m.Start.Add(time.Duration(m.Duration) * time.Minute) }

func newFileID() string {
	b := hex.EncodeToString(randomBytes(16))
	return b[0:8] + "-" + b[8:12] + "-" + b[12:16] + "-" + b[16:20] + "-" + b[20:32]
}

func contentType(ext string) string {
	switch ext {
	case "MP4":
		return "video/mp4"
	case "M4A":
		return "audio/mp4"
	case "VTT":
		return "text/vtt; charset=utf-8"
	case "JSON":
		return "application/json"
	}
	return "application/octet-stream"
}

// wireFile renders f of m with absolute URLs below base.
func wireFile(m *meeting, f *file, base string) zoom.RecordingFile {
	rf := zoom.RecordingFile{
		ID: f.ID, MeetingID: m.UUID, RecordingStart: f.Start, RecordingEnd: f.End,
		FileType: f.Type, FileExtension: f.Ext, FileSize: int64(len(f.Content)),
		PlayURL: base + "/rec/play/" + f.ID, DownloadURL: base + "/rec/download/" + f.ID,
		Status: "completed", RecordingType: f.RecordingType,
	}
	if m.Deleted != nil {
		rf.DeletedTime = m.Deleted.Format(time.RFC3339)
	}
	return rf
}

// wireMeeting renders m as the recordings schema does.
func (s *Server) wireMeetingLocked(m *meeting, base string) zoom.Meeting {
	out := zoom.Meeting{
		UUID: m.UUID, ID: m.ID, AccountID: s.st.AccountID, HostID: m.HostID, Topic: m.Topic,
		Type: zoom.MeetingType(m.Type), StartTime: m.Start, Duration: m.Duration,
		RecordingFiles: []zoom.RecordingFile{},
	}
	for _, f := range m.Files {
		rf := wireFile(m, f, base)
		out.RecordingFiles = append(out.RecordingFiles, rf)
		out.TotalSize += rf.FileSize
	}
	out.RecordingCount = len(out.RecordingFiles)
	return out
}

// decodeMeetingID decodes a meeting ID or UUID path segment taken from the
// escaped path. UUIDs starting with '/' or containing '//' must arrive
// double-encoded; any other UUID may be single- or double-encoded (the facts'
// [U] "accept both"). Base64 UUIDs never contain '%', so a '%' left after one
// decoding means the client double-encoded.
func decodeMeetingID(escaped string) (string, bool) {
	if escaped == "" || strings.Contains(escaped, "/") { // an unencoded '/' never names a meeting
		return "", false
	}
	id, err := url.PathUnescape(escaped)
	if err != nil {
		return "", false
	}
	double := false
	if strings.Contains(id, "%") {
		if id, err = url.PathUnescape(id); err != nil {
			return "", false
		}
		double = true
	}
	if !double && (strings.HasPrefix(id, "/") || strings.Contains(id, "//")) {
		return "", false
	}
	return id, true
}

func isNumeric(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil && !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "-")
}

// meetingLocked resolves an escaped meeting ID (numeric: the latest
// instance) or UUID. allowNumeric is false for UUID-only endpoints. The
// caller holds s.mu.
func (s *Server) meetingLocked(escaped string, allowNumeric bool) *meeting {
	id, ok := decodeMeetingID(escaped)
	if !ok {
		return nil
	}
	if isNumeric(id) {
		if !allowNumeric {
			return nil
		}
		n, _ := strconv.ParseInt(id, 10, 64)
		var latest *meeting
		for _, m := range s.st.Meetings {
			if m.ID == n && (latest == nil || m.Start.After(latest.Start)) {
				latest = m
			}
		}
		return latest
	}
	return s.st.Meetings[id]
}

func errNoRecording() *zoom.Error {
	return apiError(http.StatusNotFound, zoom.CodeNoRecording, "There is no recording for this meeting.")
}

func validation(field, msg string) *zoom.Error {
	e := apiError(http.StatusBadRequest, zoom.CodeValidation, msg)
	if field != "" {
		e.Errors = []zoom.FieldError{{Field: field, Message: msg}}
	}
	return e
}

const dateLayout = "2006-01-02"

// listRecordings serves GET /v2/users/{userId}/recordings for the token's user.
func (s *Server) listRecordings(w http.ResponseWriter, r *http.Request, u *user, userID string) {
	if !checkMe(w, userID) {
		return
	}
	q := r.URL.Query()
	now := s.now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from, to := today, today.AddDate(0, 0, 1) // the facts' default: today → tomorrow
	var err error
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(dateLayout, v); err != nil {
			writeError(w, validation("from", "Invalid field: from must be yyyy-mm-dd."))
			return
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = time.Parse(dateLayout, v); err != nil {
			writeError(w, validation("to", "Invalid field: to must be yyyy-mm-dd."))
			return
		}
	}
	trash := q.Get("trash") == "true"
	if !trash {
		if to.Before(from) {
			writeError(w, validation("", "The 'to' date must not be before the 'from' date."))
			return
		}
		if to.After(from.AddDate(0, 1, 0)) {
			writeError(w, validation("", "The date range between 'from' and 'to' can be at most one month."))
			return
		}
	}
	key := fmt.Sprintf("recordings|%s|%s|%s|%t", u.ID, from.Format(dateLayout), to.Format(dateLayout), trash)

	s.mu.Lock()
	defer s.mu.Unlock()
	p, perr := s.pageLocked(r, key)
	if perr != nil {
		writeError(w, perr)
		return
	}
	var ms []*meeting
	for _, m := range s.st.Meetings {
		if m.HostID != u.ID || len(m.Files) == 0 || (m.Deleted != nil) != trash {
			continue
		}
		// Trash listings ignore dates; otherwise the start date (UTC) must
		// fall within [from, to] inclusive.
		if !trash && (m.Start.Before(from) || !m.Start.Before(to.AddDate(0, 0, 1))) {
			continue
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Start.After(ms[j].Start) })
	lo, hi := p.bounds(len(ms))
	out := zoom.RecordingList{
		From: from.Format(dateLayout), To: to.Format(dateLayout),
		PageCount: pageCount(len(ms), p.size), PageSize: p.size, TotalRecords: len(ms),
		NextPageToken: s.nextLocked(key, p, len(ms)), Meetings: []zoom.Meeting{},
	}
	base := requestBase(r)
	for _, m := range ms[lo:hi] {
		out.Meetings = append(out.Meetings, s.wireMeetingLocked(m, base))
	}
	writeJSON(w, http.StatusOK, out)
}

// getMeetingRecordings serves GET /v2/meetings/{meetingId}/recordings.
func (s *Server) getMeetingRecordings(w http.ResponseWriter, r *http.Request, escapedID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meetingLocked(escapedID, true)
	if m == nil || m.Deleted != nil || len(m.Files) == 0 {
		writeError(w, errNoRecording())
		return
	}
	out := s.wireMeetingLocked(m, requestBase(r))
	q := r.URL.Query()
	if strings.Contains(q.Get("include_fields"), "download_access_token") {
		ttl := 86400
		if v := q.Get("ttl"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 604800 {
				writeError(w, validation("ttl", "Invalid field: ttl must be between 0 and 604800."))
				return
			}
			ttl = n
		}
		// Opaque rather than a real JWT; clients must treat it as opaque anyway.
		tok := "dat." + randomID(48)
		s.st.DownloadTokens[tok] = &downloadToken{UUID: m.UUID, Expires: s.now().Add(time.Duration(ttl) * time.Second)}
		out.DownloadAccessToken = tok
	}
	writeJSON(w, http.StatusOK, out)
}

// fileLocked finds a live file by ID. The caller holds s.mu.
func (s *Server) fileLocked(id string) (*meeting, *file) {
	for _, m := range s.st.Meetings {
		if m.Deleted != nil {
			continue
		}
		for _, f := range m.Files {
			if f.ID == id {
				return m, f
			}
		}
	}
	return nil, nil
}

// downloadAllowedLocked reports whether r's Bearer token may download m's
// files: a live OAuth access token, the webhook download_token or a
// download_access_token for that meeting. The legacy ?access_token= query
// form [U] is refused (the demanding reading). The caller holds s.mu.
func (s *Server) downloadAllowedLocked(r *http.Request, m *meeting) bool {
	tok := bearer(r)
	if tok == "" {
		return false
	}
	now := s.now()
	if at := s.st.Access[tok]; at != nil && !at.Revoked && now.Before(at.Expires) {
		return true
	}
	dt := s.st.DownloadTokens[tok]
	return dt != nil && dt.UUID == m.UUID && now.Before(dt.Expires)
}

// serveRec serves /rec/download/{id} (302 to /rec/file/{id}, keeping
// Authorization as a same-host redirect), /rec/file/{id} and /rec/play/{id}.
func (s *Server) serveRec(w http.ResponseWriter, r *http.Request, p string) {
	kind, id, ok := strings.Cut(p, "/")
	if !ok || r.Method != http.MethodGet || (kind != "download" && kind != "file" && kind != "play") {
		s.serveUnhandled(w, r)
		return
	}
	s.mu.Lock()
	m, f := s.fileLocked(id)
	if m == nil {
		s.mu.Unlock()
		writeError(w, errNoRecording())
		return
	}
	if kind == "play" {
		topic := m.Topic
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body>Zoom recording player</body></html>",
			html.EscapeString(topic))
		return
	}
	if !s.downloadAllowedLocked(r, m) {
		s.mu.Unlock()
		writeError(w, apiError(http.StatusUnauthorized, zoom.CodeInvalidToken, "Invalid access token."))
		return
	}
	content, ext := f.Content, f.Ext
	s.mu.Unlock()
	if kind == "download" {
		http.Redirect(w, r, "/rec/file/"+id, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", contentType(ext))
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+"."+strings.ToLower(ext)+`"`)
	_, _ = w.Write(content)
}

// listParticipants serves GET /v2/past_meetings/{meetingId}/participants.
func (s *Server) listParticipants(w http.ResponseWriter, r *http.Request, escapedID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meetingLocked(escapedID, true)
	if m == nil {
		id, _ := decodeMeetingID(escapedID)
		writeError(w, apiError(http.StatusNotFound, zoom.CodeMeetingNotExist, "Meeting does not exist: "+id+"."))
		return
	}
	key := "participants|" + m.UUID
	p, perr := s.pageLocked(r, key)
	if perr != nil {
		writeError(w, perr)
		return
	}
	lo, hi := p.bounds(len(m.Participants))
	out := zoom.ParticipantList{
		PageCount: pageCount(len(m.Participants), p.size), PageSize: p.size,
		TotalRecords: len(m.Participants), NextPageToken: s.nextLocked(key, p, len(m.Participants)),
		Participants: []zoom.Participant{},
	}
	for _, pa := range m.Participants[lo:hi] {
		out.Participants = append(out.Participants, zoom.Participant{
			ID: pa.UserID, Name: pa.Name, UserEmail: pa.Email, JoinTime: pa.Join, LeaveTime: pa.Leave,
			Duration: int(pa.Leave.Sub(pa.Join).Seconds()),
		})
	}
	writeJSON(w, http.StatusOK, out)
}
