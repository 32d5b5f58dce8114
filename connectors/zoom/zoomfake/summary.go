package zoomfake

import (
	"net/http"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
)

// summaryState is a meeting's AI Companion summary.
type summaryState struct {
	Overview  string               `json:"overview"`
	Details   []zoom.SummaryDetail `json:"details"`
	NextSteps []string             `json:"next_steps"`
	Created   time.Time            `json:"created"`
	// Edited is the host's edit (nil: none), with when it was made.
	Edited     *zoom.EditedSummary `json:"edited,omitempty"`
	EditedTime time.Time           `json:"edited_time,omitempty"`
}

// codeNoSummary answers a meeting that has no (ready) summary.
// [U] The facts only say "404 + code"; the fake uses 3322.
const codeNoSummary = 3322

// summaryMarkdown renders summary_content.
func summaryMarkdown(topic string, sm *summaryState) string {
	var b strings.Builder
	b.WriteString("## " + topic + "\n\n### Quick recap\n\n" + sm.Overview + "\n")
	if len(sm.Details) > 0 {
		b.WriteString("\n### Summary\n")
		for _, d := range sm.Details {
			b.WriteString("\n#### " + d.Label + "\n\n" + d.Summary + "\n")
		}
	}
	if len(sm.NextSteps) > 0 {
		b.WriteString("\n### Next steps\n\n")
		for _, n := range sm.NextSteps {
			b.WriteString("- " + n + "\n")
		}
	}
	return b.String()
}

// wireSummaryLocked renders m's summary. The caller holds s.mu.
func (s *Server) wireSummaryLocked(m *meeting) zoom.MeetingSummary {
	sm := m.Summary
	host := s.st.Users[m.HostID]
	email := ""
	if host != nil {
		email = host.Email
	}
	details := append([]zoom.SummaryDetail{}, sm.Details...)
	steps := append([]string{}, sm.NextSteps...)
	out := zoom.MeetingSummary{
		MeetingHostID: m.HostID, MeetingHostEmail: email, MeetingUUID: m.UUID, MeetingID: m.ID,
		MeetingTopic: m.Topic, MeetingStartTime: m.Start, MeetingEndTime: m.end(),
		SummaryStartTime: m.Start, SummaryEndTime: m.end(),
		SummaryCreatedTime: sm.Created, SummaryLastModifiedTime: sm.Created,
		SummaryTitle:    "Meeting summary for " + m.Topic,
		SummaryContent:  summaryMarkdown(m.Topic, sm),
		SummaryOverview: sm.Overview, SummaryDetails: details, NextSteps: steps,
	}
	if sm.Edited != nil {
		// Zoom's types: edited_summary.summary_details is the host's whole
		// edited text as ONE string, next to the generated sections (an
		// array), which stay as the AI wrote them.
		out.EditedSummary = &zoom.EditedSummary{SummaryDetails: sm.Edited.SummaryDetails}
		if len(sm.Edited.NextSteps) > 0 {
			out.EditedSummary.NextSteps = append([]string{}, sm.Edited.NextSteps...)
		}
		out.SummaryLastModifiedTime = sm.EditedTime
		out.SummaryLastModifiedUserID, out.SummaryLastModifiedUserEmail = m.HostID, email
	}
	return out
}

// getSummary serves GET /v2/meetings/{meetingUUID}/meeting_summary. Only a
// UUID names a meeting here (the facts' path parameter is the UUID), so a
// numeric ID answers 404 like an unknown meeting.
func (s *Server) getSummary(w http.ResponseWriter, r *http.Request, escapedID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meetingLocked(escapedID, false)
	if m == nil {
		id, _ := decodeMeetingID(escapedID)
		writeError(w, apiError(http.StatusNotFound, zoom.CodeMeetingNotExist, "Meeting does not exist: "+id+"."))
		return
	}
	if m.Summary == nil || !m.SummaryReady {
		writeError(w, apiError(http.StatusNotFound, codeNoSummary, "Meeting summary does not exist."))
		return
	}
	writeJSON(w, http.StatusOK, s.wireSummaryLocked(m))
}
