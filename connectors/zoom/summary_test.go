package zoom_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// vendorSummary is GET /meetings/{uuid}/meeting_summary shaped as Zoom's own
// types (rivet-javascript MeetingsGetMeetingSummaryResponse) describe it,
// for a summary its host edited: the top-level summary_details is an array
// of sections, edited_summary.summary_details ONE string.
const vendorSummary = `{
  "meeting_host_id": "30R7kT7bTIKSNUFEuH_Qlg",
  "meeting_host_email": "jchill@example.com",
  "meeting_uuid": "aDYlohsHRtCd4ii1uC2+hA==",
  "meeting_id": 97763643886,
  "meeting_topic": "My Personal Meeting Room",
  "meeting_start_time": "2019-07-15T23:24:52Z",
  "meeting_end_time": "2020-07-15T23:30:19Z",
  "summary_start_time": "2019-07-15T23:24:52Z",
  "summary_end_time": "2020-07-15T23:30:19Z",
  "summary_created_time": "2019-07-15T23:24:52Z",
  "summary_last_modified_time": "2020-07-15T23:30:19Z",
  "summary_title": "Meeting summary for my meeting",
  "summary_overview": "Meeting overview",
  "summary_details": [{"label": "Meeting overview", "summary": "Meeting overview"}],
  "next_steps": ["step1"],
  "edited_summary": {
    "summary_details": "The host's own account of the call.\nClient agreed to the fee.",
    "next_steps": ["Send the fee agreement"]
  }
}`

// vendorRecordings is GET /users/me/recordings with a meeting typed as the
// 2026 types say (type: string) and one as the 2024 Meetings document says
// (type: integer).
const vendorRecordings = `{
  "from": "2026-04-01", "to": "2026-04-28", "page_count": 1, "page_size": 300, "total_records": 2, "next_page_token": "",
  "meetings": [
    {"account_id": "Cx3wERazSgup7ZWRHQM8-w", "duration": 20, "host_id": "_0ctZtY0REqWalTmwvrdIw", "id": 6840331990,
     "recording_count": 1, "start_time": "2026-04-02T08:00:00Z", "topic": "String type", "total_size": 529758, "type": "4",
     "uuid": "/ajXp112QmuoKj4854875==", "recording_play_passcode": "x", "auto_delete": true, "auto_delete_date": "2028-07-12",
     "recording_files": [
       {"deleted_time": "", "download_url": "https://example.zoom.us/rec/download/a", "file_path": "", "file_size": 7220,
        "file_type": "MP4", "file_extension": "MP4", "id": "ed6c2f27-2ae7-42f4-b3d0-835b493e4fa8",
        "meeting_id": "/ajXp112QmuoKj4854875==", "play_url": "https://example.zoom.us/rec/play/a",
        "recording_end": "2026-04-02T08:20:00Z", "recording_start": "2026-04-02T08:00:00Z",
        "recording_type": "shared_screen_with_speaker_view", "status": "completed"},
       {"download_url": "https://example.zoom.us/rec/download/cc", "file_type": "CC", "file_extension": "VTT",
        "meeting_id": "/ajXp112QmuoKj4854875==", "recording_start": "2026-04-02T08:00:00Z", "recording_end": "2026-04-02T08:20:00Z"}
     ]},
    {"account_id": "Cx3wERazSgup7ZWRHQM8-w", "duration": 30, "host_id": "_0ctZtY0REqWalTmwvrdIw", "id": 6840331991,
     "recording_count": 0, "start_time": "2026-04-03T08:00:00Z", "topic": "Integer type", "total_size": 0, "type": 8,
     "uuid": "bjXp112QmuoKj4854875==", "recording_files": []}
  ]
}`

func TestSummaryDecodesVendorEditedSummary(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	c := e.newClient("t", func(o *zoom.Options) { o.APIBase = newStub(t, http.StatusOK, vendorSummary) })
	s, err := c.Summary(context.Background(), "aDYlohsHRtCd4ii1uC2+hA==")
	if err != nil {
		t.Fatalf("decoding a summary the host edited: %v", err)
	}
	if !s.EditedSummary.Edited() || s.EditedSummary.SummaryDetails != "The host's own account of the call.\nClient agreed to the fee." ||
		!reflect.DeepEqual(s.EditedSummary.NextSteps, []string{"Send the fee agreement"}) {
		t.Fatalf("edited summary %+v", s.EditedSummary)
	}
	if len(s.SummaryDetails) != 1 || s.SummaryDetails[0].Label != "Meeting overview" || s.MeetingID != 97763643886 {
		t.Fatalf("summary %+v", s)
	}
}

func TestRecordingsDecodeVendorMeetingTypes(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	c := e.newClient("t", func(o *zoom.Options) { o.APIBase = newStub(t, http.StatusOK, vendorRecordings) })
	var got []zoom.Meeting
	err := c.Recordings(context.Background(), date(2026, 4, 1, 0, 0), date(2026, 4, 28, 0, 0), func(m zoom.Meeting) error {
		got = append(got, m)
		return nil
	})
	if err != nil {
		t.Fatalf("decoding vendor-shaped recordings: %v", err)
	}
	if len(got) != 2 || got[0].Type != 4 || got[1].Type != 8 || got[0].UUID != "/ajXp112QmuoKj4854875==" || len(got[0].RecordingFiles) != 2 {
		t.Fatalf("meetings %+v", got)
	}
	if f, ok := zoom.TranscriptFile(got[0]); ok {
		t.Fatalf("a CC file is not the transcript: %+v", f)
	}
}

func TestSummaryEditedByHostThroughFake(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	m := e.endMeeting(t, zoomfake.MeetingInput{
		Topic: "Fee call", UUID: "/eDiTeDsUmMaRy+12345678==", Start: date(2026, 4, 3, 10, 0),
		Summary: &zoomfake.Summary{Overview: "AI overview.", Details: []zoom.SummaryDetail{{Label: "Fees", Summary: "AI text."}}, NextSteps: []string{"AI step"}},
	})
	s, err := e.client.Summary(ctx, m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if s.EditedSummary != nil {
		t.Fatalf("unedited summary carries edited_summary %+v", s.EditedSummary)
	}
	if err := e.fake.EditSummary(m.UUID, zoomfake.EditedSummary{Text: "Host's text.", NextSteps: []string{"Host step"}}); err != nil {
		t.Fatal(err)
	}
	// The wire shape is Zoom's: a string, not the array of sections.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v2/meetings/"+url.PathEscape(url.PathEscape(m.UUID))+"/meeting_summary", nil)
	req.Header.Set("Authorization", "Bearer "+e.tok.Access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
	}
	var edited map[string]json.RawMessage
	if err := json.Unmarshal(raw["edited_summary"], &edited); err != nil {
		t.Fatalf("edited_summary %s: %v", raw["edited_summary"], err)
	}
	if string(edited["summary_details"]) != `"Host's text."` || len(edited) != 2 || !strings.HasPrefix(string(raw["summary_details"]), "[") {
		t.Fatalf("wire edited_summary %s, summary_details %s", raw["edited_summary"], raw["summary_details"])
	}
	s, err = e.client.Summary(ctx, m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if s.EditedSummary.SummaryDetails != "Host's text." || !reflect.DeepEqual(s.EditedSummary.NextSteps, []string{"Host step"}) ||
		s.SummaryDetails[0].Summary != "AI text." || s.SummaryLastModifiedUserEmail != owner {
		t.Fatalf("summary after the edit %+v", s)
	}
}
