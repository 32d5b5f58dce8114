package zoomfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// MeetingInput describes a meeting that just ended, for EndMeeting.
type MeetingInput struct {
	Topic        string    // meeting topic
	HostEmail    string    // must be a user of the account (see AddUser)
	Participants []string  // attendee emails; the host is listed first automatically
	Start        time.Time // zero means Now minus Duration
	Duration     int       // minutes; 0 means 30
	ID           int64     // meeting number; 0 allocates one. Reuse it for another instance of a recurring meeting.
	UUID         string    // instance UUID; "" generates a base64 one (which may contain '/' or '+')
	Type         int       // meeting type; 0 means 2 (scheduled)

	TranscriptVTT     string           // a full WebVTT transcript; wins over TranscriptLines
	TranscriptLines   []TranscriptLine // rendered as Zoom's WebVTT ("Name: text" cues)
	TranscriptPending bool             // hold the transcript back until CompleteTranscript
	Summary           *Summary         // AI Companion summary; nil means none
	SummaryPending    bool             // hold the summary back until CompleteSummary
	// EditedSummary is the host's edit of the summary, made right after it
	// was ready (needs Summary). meeting.summary_completed still carries the
	// AI's version, as on Zoom; GET .../meeting_summary carries both.
	EditedSummary *EditedSummary
}

// EditedSummary is a host's edit of an AI Companion summary, as Zoom's
// edited_summary holds it: the whole edited text as one string and,
// optionally, the edited next steps.
type EditedSummary struct {
	Text      string   // edited_summary.summary_details
	NextSteps []string // edited_summary.next_steps; nil leaves them out
}

// TranscriptLine is one spoken line of a transcript.
type TranscriptLine struct {
	Speaker string        // display name, e.g. "Jane Doe"
	Text    string        // what was said
	At      time.Duration // offset from the meeting start; 0 means right after the previous line
}

// Summary is an AI Companion meeting summary.
type Summary struct {
	Overview  string
	Details   []zoom.SummaryDetail
	NextSteps []string
}

var (
	mp4Bytes = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x10freefirmsync")
	m4aBytes = []byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom\x00\x00\x00\x10freefirmsync")
)

// IssueToken returns a fresh access/refresh pair for the account owner, as
// if the owner had just completed OAuth consent.
func (s *Server) IssueToken() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(s.st.OwnerID)
}

// IssueTokenFor returns a fresh token pair for the user with email.
func (s *Server) IssueTokenFor(email string) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByEmailLocked(email)
	if u == nil {
		return Token{}, fmt.Errorf("zoomfake: issue token: no user %q", email)
	}
	return s.issueLocked(u.ID), nil
}

// RevokeTokens kills every access and refresh token, as a user removing
// the app does.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.st.Access {
		t.Revoked = true
	}
	for _, t := range s.st.Refresh {
		t.Dead = true
	}
}

// ExpireTokens makes every access token expire now; refresh tokens still work.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, t := range s.st.Access {
		if t.Expires.After(now) {
			t.Expires = now
		}
	}
}

// AddUser adds a licensed member to the account; meeting hosts must be users.
func (s *Server) AddUser(email, first, last string) (zoom.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.Contains(email, "@") {
		return zoom.User{}, fmt.Errorf("zoomfake: add user: invalid email %q", email)
	}
	if s.userByEmailLocked(email) != nil {
		return zoom.User{}, fmt.Errorf("zoomfake: add user: %q already exists", email)
	}
	return s.wireUser(s.addUserLocked(email, first, last)), nil
}

// nameFromEmail turns "jane.doe@x" into "Jane Doe" for guest participants.
func nameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, " ")
}

// renderVTT renders lines as Zoom's WebVTT transcript.
func renderVTT(lines []TranscriptLine) string {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	var prev time.Duration
	for i, l := range lines {
		start := l.At
		if start == 0 {
			start = prev
		}
		end := start + 5*time.Second
		prev = end
		fmt.Fprintf(&b, "\n%d\n%s --> %s\n%s: %s\n", i+1, vttTime(start), vttTime(end), l.Speaker, l.Text)
	}
	return b.String()
}

func vttTime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

func fileName(m *meeting, suffix string) string {
	return m.Start.Format("GMT20060102-150405") + "_Recording" + suffix
}

// EndMeeting records that a meeting hosted by in.HostEmail ended with a
// cloud recording. It fires recording.completed (MP4 and M4A), then, as each
// is ready, recording.transcript_completed and meeting.summary_completed.
// It returns the meeting as GET /v2/meetings/{uuid}/recordings would.
func (s *Server) EndMeeting(in MeetingInput) (zoom.Meeting, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	host := s.userByEmailLocked(in.HostEmail)
	if host == nil {
		return zoom.Meeting{}, fmt.Errorf("zoomfake: end meeting: host %q is not a user of the account", in.HostEmail)
	}
	if in.UUID != "" && s.st.Meetings[in.UUID] != nil {
		return zoom.Meeting{}, fmt.Errorf("zoomfake: end meeting: UUID %q already exists", in.UUID)
	}
	if in.EditedSummary != nil && in.Summary == nil {
		return zoom.Meeting{}, errors.New("zoomfake: end meeting: an edited summary needs a summary")
	}
	dur := in.Duration
	if dur <= 0 {
		dur = 30
	}
	start := in.Start
	if start.IsZero() {
		start = s.now().Add(-time.Duration(dur) * time.Minute)
	}
	start = start.UTC().Truncate(time.Second)
	m := &meeting{
		UUID: in.UUID, ID: in.ID, HostID: host.ID, Topic: in.Topic, Type: in.Type,
		Start: start, Duration: dur, Timezone: "America/New_York", Password: randomID(6),
		DownloadToken: "dlt." + randomID(48),
	}
	if m.UUID == "" {
		m.UUID = newMeetingUUID()
	}
	if m.ID == 0 {
		m.ID = s.st.NextMeetingID
		s.st.NextMeetingID++
	}
	if m.Type == 0 {
		m.Type = 2
	}
	end := m.end()
	m.Participants = append(m.Participants, participant{
		UserID: host.ID, Name: strings.TrimSpace(host.FirstName + " " + host.LastName), Email: host.Email, Join: start, Leave: end,
	})
	for _, e := range in.Participants {
		p := participant{Name: nameFromEmail(e), Email: strings.ToLower(e), Join: start.Add(time.Minute), Leave: end}
		if u := s.userByEmailLocked(e); u != nil {
			p.UserID, p.Name = u.ID, strings.TrimSpace(u.FirstName+" "+u.LastName)
		}
		m.Participants = append(m.Participants, p)
	}
	m.Files = []*file{
		{ID: newFileID(), Type: zoom.FileTypeMP4, Ext: "MP4", RecordingType: "shared_screen_with_speaker_view", Start: start, End: end, Content: mp4Bytes},
		{ID: newFileID(), Type: zoom.FileTypeM4A, Ext: "M4A", RecordingType: "audio_only", Start: start, End: end, Content: m4aBytes},
	}
	m.Transcript = in.TranscriptVTT
	if m.Transcript == "" && len(in.TranscriptLines) > 0 {
		m.Transcript = renderVTT(in.TranscriptLines)
	}
	if in.Summary != nil {
		m.Summary = &summaryState{
			Overview: in.Summary.Overview, NextSteps: append([]string{}, in.Summary.NextSteps...),
			Details: append([]zoom.SummaryDetail{}, in.Summary.Details...),
		}
	}
	s.st.Meetings[m.UUID] = m
	s.st.DownloadTokens[m.DownloadToken] = &downloadToken{UUID: m.UUID, Expires: s.now().Add(downloadTokenTTL)}

	s.fireRecordingLocked(zoom.EventRecordingCompleted, m)
	if m.Transcript != "" && !in.TranscriptPending {
		s.completeTranscriptLocked(m)
	}
	if in.EditedSummary != nil {
		m.Summary.Edited = &zoom.EditedSummary{SummaryDetails: in.EditedSummary.Text, NextSteps: append([]string(nil), in.EditedSummary.NextSteps...)}
	}
	if m.Summary != nil && !in.SummaryPending {
		s.completeSummaryLocked(m)
	}
	return s.wireMeetingLocked(m, s.baseLocked()), nil
}

// fireRecordingLocked fires a recording event carrying m's ready files.
// The caller holds s.mu.
func (s *Server) fireRecordingLocked(event string, m *meeting) {
	base := s.baseLocked()
	w := s.wireMeetingLocked(m, base)
	host := s.st.Users[m.HostID]
	obj := zoom.RecordingObject{
		ID: m.ID, UUID: m.UUID, HostID: m.HostID, AccountID: s.st.AccountID, Topic: m.Topic, Type: m.Type,
		StartTime: m.Start, Password: m.Password, Timezone: m.Timezone, HostEmail: host.Email, Duration: m.Duration,
		ShareURL: base + "/rec/share/" + randomID(32), TotalSize: w.TotalSize, RecordingCount: w.RecordingCount,
		RecordingFiles: w.RecordingFiles,
	}
	suffix := map[string]string{
		zoom.FileTypeMP4: "_1920x1080.mp4", zoom.FileTypeM4A: ".m4a",
		zoom.FileTypeTranscript: ".transcript.vtt", zoom.FileTypeSummary: ".summary.json",
	}
	for i := range obj.RecordingFiles {
		obj.RecordingFiles[i].FileName = fileName(m, suffix[obj.RecordingFiles[i].FileType])
	}
	s.fireLocked(event, m.DownloadToken, zoom.RecordingPayload{AccountID: s.st.AccountID, Object: obj})
}

// completeTranscriptLocked adds the transcript file and fires
// recording.transcript_completed. The caller holds s.mu.
func (s *Server) completeTranscriptLocked(m *meeting) {
	m.TranscriptReady = true
	m.Files = append(m.Files, &file{
		ID: newFileID(), Type: zoom.FileTypeTranscript, Ext: "VTT", RecordingType: "audio_transcript",
		Start: m.Start, End: m.end(), Content: []byte(m.Transcript),
	})
	s.fireRecordingLocked(zoom.EventTranscriptCompleted, m)
}

// completeSummaryLocked makes the summary available (API and SUMMARY file)
// and fires meeting.summary_completed. The caller holds s.mu.
func (s *Server) completeSummaryLocked(m *meeting) {
	m.SummaryReady = true
	m.Summary.Created = s.now().Truncate(time.Second)
	if m.Summary.Edited != nil {
		m.Summary.EditedTime = m.Summary.Created
	}
	sum := s.wireSummaryLocked(m)
	content, err := json.Marshal(sum)
	if err != nil {
		panic(fmt.Sprintf("zoomfake: encode summary: %v", err))
	}
	m.Files = append(m.Files, &file{
		ID: newFileID(), Type: zoom.FileTypeSummary, Ext: "JSON", RecordingType: "summary",
		Start: m.Start, End: m.end(), Content: content,
	})
	// meeting.summary_completed reports the AI's summary: Zoom's type for
	// it has no edited_summary (edits come later, as meeting.summary_updated,
	// an event the app does not subscribe to).
	ev := sum
	ev.EditedSummary = nil
	ev.SummaryLastModifiedTime = sum.SummaryCreatedTime
	ev.SummaryLastModifiedUserID, ev.SummaryLastModifiedUserEmail = "", ""
	s.fireLocked(zoom.EventSummaryCompleted, "", zoom.SummaryPayload{AccountID: s.st.AccountID, Object: ev})
}

// EditSummary records that the host edited a meeting's ready summary in
// Zoom: GET .../meeting_summary then carries edited_summary. No webhook
// fires (meeting.summary_updated is not among the app's subscriptions).
func (s *Server) EditSummary(uuid string, e EditedSummary) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.Meetings[uuid]
	switch {
	case m == nil:
		return fmt.Errorf("zoomfake: edit summary: no meeting %q", uuid)
	case m.Summary == nil || !m.SummaryReady:
		return fmt.Errorf("zoomfake: edit summary: meeting %q has no ready summary", uuid)
	case strings.TrimSpace(e.Text) == "" && len(e.NextSteps) == 0:
		return fmt.Errorf("zoomfake: edit summary: meeting %q: empty edit", uuid)
	}
	m.Summary.Edited = &zoom.EditedSummary{SummaryDetails: e.Text, NextSteps: append([]string(nil), e.NextSteps...)}
	m.Summary.EditedTime = s.now().Truncate(time.Second)
	return nil
}

// Meetings returns every meeting with a recording (trashed ones too), as
// GET /v2/meetings/{uuid}/recordings would render each, oldest first.
func (s *Server) Meetings() []zoom.Meeting {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := make([]*meeting, 0, len(s.st.Meetings))
	for _, m := range s.st.Meetings {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].Start.Equal(ms[j].Start) {
			return ms[i].Start.Before(ms[j].Start)
		}
		return ms[i].UUID < ms[j].UUID
	})
	base := s.baseLocked()
	out := make([]zoom.Meeting, 0, len(ms))
	for _, m := range ms {
		out = append(out, s.wireMeetingLocked(m, base))
	}
	return out
}

// CompleteTranscript releases a transcript held back with TranscriptPending.
func (s *Server) CompleteTranscript(uuid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.Meetings[uuid]
	switch {
	case m == nil:
		return fmt.Errorf("zoomfake: complete transcript: no meeting %q", uuid)
	case m.Transcript == "":
		return fmt.Errorf("zoomfake: complete transcript: meeting %q has no transcript", uuid)
	case m.TranscriptReady:
		return fmt.Errorf("zoomfake: complete transcript: meeting %q: already complete", uuid)
	}
	s.completeTranscriptLocked(m)
	return nil
}

// CompleteSummary releases a summary held back with SummaryPending.
func (s *Server) CompleteSummary(uuid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.Meetings[uuid]
	switch {
	case m == nil:
		return fmt.Errorf("zoomfake: complete summary: no meeting %q", uuid)
	case m.Summary == nil:
		return fmt.Errorf("zoomfake: complete summary: meeting %q has no summary", uuid)
	case m.SummaryReady:
		return fmt.Errorf("zoomfake: complete summary: meeting %q: already complete", uuid)
	}
	s.completeSummaryLocked(m)
	return nil
}

// DeleteRecording moves a meeting's recording to the trash, as deleting it
// in the web portal does: it leaves the listings (except trash=true), its
// files stop downloading and GET .../recordings answers 404 code 3301. No
// webhook fires (the app subscribes to none for deletions).
func (s *Server) DeleteRecording(uuid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.Meetings[uuid]
	if m == nil || m.Deleted != nil {
		return fmt.Errorf("zoomfake: delete recording: no recording for %q", uuid)
	}
	now := s.now().Truncate(time.Second)
	m.Deleted = &now
	return nil
}

// Snapshot returns the whole state (users, meetings, tokens, contacts,
// webhook subscription, counters) as JSON.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st)
	if err != nil {
		return nil, fmt.Errorf("zoomfake: snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the state with a Snapshot.
func (s *Server) Restore(b []byte) error {
	st := newState()
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("zoomfake: restore: %w", err)
	}
	if st.AccountID == "" || st.Users[st.OwnerID] == nil {
		return errors.New("zoomfake: restore: snapshot has no account owner")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	clear(s.rate)
	return nil
}
