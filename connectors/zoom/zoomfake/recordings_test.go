package zoomfake_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// endMeeting ends a meeting hosted by the owner at start.
func (e *env) endMeeting(t *testing.T, in zoomfake.MeetingInput) zoom.Meeting {
	t.Helper()
	if in.HostEmail == "" {
		in.HostEmail = "owner@sandbox.zoom.test"
	}
	m, err := e.fake.EndMeeting(in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var lines = []zoomfake.TranscriptLine{
	{Speaker: "Sandbox Owner", Text: "Thanks for joining."},
	{Speaker: "Jane Client", Text: "Happy to be here."},
}

func TestListRecordings(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	day := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	m := e.endMeeting(t, zoomfake.MeetingInput{Topic: "Intake: Smith", Start: day, Duration: 45, TranscriptLines: lines})
	e.endMeeting(t, zoomfake.MeetingInput{Topic: "Later", Start: day.AddDate(0, 0, 3)})
	e.endMeeting(t, zoomfake.MeetingInput{Topic: "Out of range", Start: day.AddDate(0, 0, -20)})

	r := e.get(t, "/v2/users/me/recordings?from=2026-03-01&to=2026-03-05")
	wantStatus(t, r, http.StatusOK)
	var list zoom.RecordingList
	r.decode(t, &list)
	if list.From != "2026-03-01" || list.To != "2026-03-05" || list.TotalRecords != 2 || list.PageSize != 30 || list.PageCount != 1 || list.NextPageToken != "" || len(list.Meetings) != 2 {
		t.Fatalf("list %+v", list)
	}
	if list.Meetings[0].Topic != "Later" { // newest first
		t.Fatalf("order: %s first", list.Meetings[0].Topic)
	}
	got := list.Meetings[1]
	if got.UUID != m.UUID || got.ID != m.ID || got.HostID == "" || got.Type != 2 || !got.StartTime.Equal(day) || got.Duration != 45 || got.RecordingCount != 3 || len(got.RecordingFiles) != 3 {
		t.Fatalf("meeting %+v", got)
	}
	types := map[string]zoom.RecordingFile{}
	var total int64
	for _, f := range got.RecordingFiles {
		types[f.FileType] = f
		total += f.FileSize
		if f.ID == "" || f.MeetingID != m.UUID || f.Status != "completed" || f.FileSize == 0 ||
			!strings.HasPrefix(f.DownloadURL, e.srv.URL+"/rec/download/") || f.PlayURL == "" {
			t.Fatalf("file %+v", f)
		}
	}
	if total != got.TotalSize {
		t.Fatalf("total_size %d, files sum %d", got.TotalSize, total)
	}
	if types["TRANSCRIPT"].FileExtension != "VTT" || types["MP4"].FileExtension != "MP4" || types["M4A"].RecordingType != "audio_only" {
		t.Fatalf("file types %+v", types)
	}
	// The schema's type is a string.
	if !strings.Contains(string(r.body), `"type":"2"`) {
		t.Fatalf("type not a string: %s", r.body)
	}
}

func TestListRecordingsDatesAndValidation(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	// The clock says 2026-03-10 15:00 UTC; the default range is today→tomorrow.
	e.endMeeting(t, zoomfake.MeetingInput{Topic: "Today", Start: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)})
	r := e.get(t, "/v2/users/me/recordings")
	wantStatus(t, r, http.StatusOK)
	var list zoom.RecordingList
	r.decode(t, &list)
	if list.From != "2026-03-10" || list.To != "2026-03-11" || list.TotalRecords != 1 {
		t.Fatalf("default range %+v", list)
	}
	tests := []struct {
		name  string
		query string
		ok    bool
	}{
		{"exactly one month", "from=2026-01-31&to=2026-02-28", true},
		{"one month", "from=2026-02-10&to=2026-03-10", true},
		{"over one month", "from=2026-02-09&to=2026-03-10", false},
		{"to before from", "from=2026-03-10&to=2026-03-01", false},
		{"bad date", "from=03/01/2026&to=2026-03-10", false},
		{"page_size 300", "page_size=300", true},
		{"page_size 301", "page_size=301", false},
		{"page_size 0", "page_size=0", false},
		{"unknown token", "next_page_token=nope", false},
		{"trash ignores dates", "trash=true&from=2020-01-01&to=2026-03-10", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(t, "/v2/users/me/recordings?"+tt.query)
			if tt.ok {
				wantStatus(t, r, http.StatusOK)
				return
			}
			wantAPIError(t, r, http.StatusBadRequest, 300)
		})
	}
}

func TestRecordingsPagingAndTokenExpiry(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	for i := range 5 {
		e.endMeeting(t, zoomfake.MeetingInput{Topic: fmt.Sprint("m", i), Start: time.Date(2026, 3, 1+i, 9, 0, 0, 0, time.UTC)})
	}
	const q = "/v2/users/me/recordings?from=2026-03-01&to=2026-03-10&page_size=2"
	var seen []string
	next := ""
	for page := 0; ; page++ {
		r := e.get(t, q+"&next_page_token="+url.QueryEscape(next))
		wantStatus(t, r, http.StatusOK)
		var list zoom.RecordingList
		r.decode(t, &list)
		if list.TotalRecords != 5 || list.PageCount != 3 || list.PageSize != 2 {
			t.Fatalf("page %d: %+v", page, list)
		}
		for _, m := range list.Meetings {
			seen = append(seen, m.Topic)
		}
		if next = list.NextPageToken; next == "" {
			break
		}
	}
	if strings.Join(seen, ",") != "m4,m3,m2,m1,m0" {
		t.Fatalf("seen %v", seen)
	}

	r := e.get(t, q)
	var list zoom.RecordingList
	r.decode(t, &list)
	e.clock.Advance(14 * time.Minute)
	wantStatus(t, e.get(t, q+"&next_page_token="+list.NextPageToken), http.StatusOK)
	e.clock.Advance(time.Minute)
	wantAPIError(t, e.get(t, q+"&next_page_token="+list.NextPageToken), http.StatusBadRequest, 300)
}

func TestOnlyOwnRecordingsListed(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	if _, err := e.fake.AddUser("partner@firm.test", "Pat", "Partner"); err != nil {
		t.Fatal(err)
	}
	e.endMeeting(t, zoomfake.MeetingInput{Topic: "Partner's", HostEmail: "partner@firm.test", Start: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)})
	var list zoom.RecordingList
	e.get(t, "/v2/users/me/recordings").decode(t, &list)
	if list.TotalRecords != 0 {
		t.Fatalf("owner sees %+v", list)
	}
	tok, err := e.fake.IssueTokenFor("partner@firm.test")
	if err != nil {
		t.Fatal(err)
	}
	e.call(t, http.MethodGet, "/v2/users/me/recordings", tok.Access, nil).decode(t, &list)
	if list.TotalRecords != 1 {
		t.Fatalf("partner sees %+v", list)
	}
	if _, err := e.fake.EndMeeting(zoomfake.MeetingInput{Topic: "x", HostEmail: "stranger@else.test"}); err == nil {
		t.Fatal("EndMeeting accepted a host outside the account")
	}
}

func TestMeetingRecordingsByIDAndUUID(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	start := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	plain := e.endMeeting(t, zoomfake.MeetingInput{Topic: "plain", UUID: "aB3+dEf/GhIjKlMnOpQrSw==", Start: start})
	slashStart := e.endMeeting(t, zoomfake.MeetingInput{Topic: "slash start", UUID: "/Ab+cDeFgHiJkLmNoPqRsT==", Start: start})
	doubleSlash := e.endMeeting(t, zoomfake.MeetingInput{Topic: "double slash", UUID: "Ab//cDeFgHiJkLmNoPqRsT==", Start: start})
	// A later instance of plain's meeting number.
	later := e.endMeeting(t, zoomfake.MeetingInput{Topic: "plain again", ID: plain.ID, UUID: "zzzzcDeFgHiJkLmNoPqRsT==", Start: start.Add(24 * time.Hour)})

	once := func(u string) string { return url.PathEscape(u) }
	twice := func(u string) string { return url.PathEscape(url.PathEscape(u)) }
	tests := []struct {
		name    string
		segment string
		want    string // topic; "" means 404 3301
	}{
		{"numeric id is the latest instance", fmt.Sprint(plain.ID), later.Topic},
		{"uuid single-encoded", once(plain.UUID), "plain"},
		{"uuid double-encoded", twice(plain.UUID), "plain"},
		{"leading slash double-encoded", twice(slashStart.UUID), "slash start"},
		{"leading slash single-encoded", once(slashStart.UUID), ""},
		{"double slash double-encoded", twice(doubleSlash.UUID), "double slash"},
		{"double slash single-encoded", once(doubleSlash.UUID), ""},
		{"unknown", "87654321012", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(t, "/v2/meetings/"+tt.segment+"/recordings")
			if tt.want == "" {
				if got := wantAPIError(t, r, http.StatusNotFound, 3301); got.Message != "There is no recording for this meeting." {
					t.Fatalf("message %q", got.Message)
				}
				return
			}
			wantStatus(t, r, http.StatusOK)
			var m zoom.Meeting
			r.decode(t, &m)
			if m.Topic != tt.want || len(m.RecordingFiles) != 2 {
				t.Fatalf("got %+v", m)
			}
		})
	}

	// Trash.
	if err := e.fake.DeleteRecording(plain.UUID); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, e.get(t, "/v2/meetings/"+twice(plain.UUID)+"/recordings"), http.StatusNotFound, 3301)
	var list zoom.RecordingList
	e.get(t, "/v2/users/me/recordings?trash=true").decode(t, &list)
	if list.TotalRecords != 1 || list.Meetings[0].UUID != plain.UUID || list.Meetings[0].RecordingFiles[0].DeletedTime == "" {
		t.Fatalf("trash %+v", list)
	}
}

func TestDownload(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	m := e.endMeeting(t, zoomfake.MeetingInput{Topic: "dl", TranscriptLines: lines})
	var mp4, vtt zoom.RecordingFile
	for _, f := range m.RecordingFiles {
		switch f.FileType {
		case "MP4":
			mp4 = f
		case "TRANSCRIPT":
			vtt = f
		}
	}
	get := func(u, token string) reply {
		req := mustReq(t, http.MethodGet, u)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return do(t, http.DefaultClient, req) // follows the 302, keeping Authorization (same host)
	}
	r := get(vtt.DownloadURL, e.tok.Access)
	wantStatus(t, r, http.StatusOK)
	want := "WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\nSandbox Owner: Thanks for joining.\n\n2\n00:00:05.000 --> 00:00:10.000\nJane Client: Happy to be here.\n"
	if string(r.body) != want || !strings.HasPrefix(r.header.Get("Content-Type"), "text/vtt") {
		t.Fatalf("transcript %q (%s)", r.body, r.header.Get("Content-Type"))
	}
	r = get(mp4.DownloadURL, e.tok.Access)
	wantStatus(t, r, http.StatusOK)
	if int64(len(r.body)) != mp4.FileSize || string(r.body[4:8]) != "ftyp" {
		t.Fatalf("mp4 %q", r.body)
	}
	// The first hop redirects.
	hop := do(t, noRedirect, func() *http.Request {
		req := mustReq(t, http.MethodGet, mp4.DownloadURL)
		req.Header.Set("Authorization", "Bearer "+e.tok.Access)
		return req
	}())
	wantStatus(t, hop, http.StatusFound)

	wantAPIError(t, get(mp4.DownloadURL, ""), http.StatusUnauthorized, 124)
	wantAPIError(t, get(mp4.DownloadURL+"?access_token="+e.tok.Access, ""), http.StatusUnauthorized, 124)
	e.fake.ExpireTokens()
	wantAPIError(t, get(mp4.DownloadURL, e.tok.Access), http.StatusUnauthorized, 124)

	// include_fields=download_access_token grants a meeting-scoped token.
	tok := e.fake.IssueToken()
	var withTok zoom.Meeting
	r = e.call(t, http.MethodGet, "/v2/meetings/"+url.PathEscape(url.PathEscape(m.UUID))+"/recordings?include_fields=download_access_token&ttl=60", tok.Access, nil)
	wantStatus(t, r, http.StatusOK)
	r.decode(t, &withTok)
	if withTok.DownloadAccessToken == "" {
		t.Fatal("no download_access_token")
	}
	wantStatus(t, get(mp4.DownloadURL, withTok.DownloadAccessToken), http.StatusOK)
	e.clock.Advance(61 * time.Second)
	wantStatus(t, get(mp4.DownloadURL, withTok.DownloadAccessToken), http.StatusUnauthorized)
}

func TestPastMeetingParticipants(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	if _, err := e.fake.AddUser("assoc@firm.test", "Ann", "Associate"); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	m := e.endMeeting(t, zoomfake.MeetingInput{
		Topic: "p", UUID: "/startsWithSlash+xyzABCD==", Start: start, Duration: 60,
		Participants: []string{"jane.client@gmail.com", "assoc@firm.test"},
	})
	path := "/v2/past_meetings/" + url.PathEscape(url.PathEscape(m.UUID)) + "/participants?page_size=2"
	r := e.get(t, path)
	wantStatus(t, r, http.StatusOK)
	var pl zoom.ParticipantList
	r.decode(t, &pl)
	if pl.TotalRecords != 3 || len(pl.Participants) != 2 || pl.NextPageToken == "" {
		t.Fatalf("%+v", pl)
	}
	host, guest := pl.Participants[0], pl.Participants[1]
	if host.UserEmail != "owner@sandbox.zoom.test" || host.ID == "" || !host.JoinTime.Equal(start) || !host.LeaveTime.Equal(start.Add(time.Hour)) {
		t.Fatalf("host %+v", host)
	}
	if guest.UserEmail != "jane.client@gmail.com" || guest.Name != "Jane Client" || guest.ID != "" {
		t.Fatalf("guest %+v", guest)
	}
	r = e.get(t, path+"&next_page_token="+pl.NextPageToken)
	r.decode(t, &pl)
	if len(pl.Participants) != 1 || pl.Participants[0].Name != "Ann Associate" || pl.NextPageToken != "" {
		t.Fatalf("page 2 %+v", pl)
	}
	wantAPIError(t, e.get(t, "/v2/past_meetings/"+url.PathEscape(m.UUID)+"/participants"), http.StatusNotFound, 3001)
}

func TestMeetingSummary(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	sum := &zoomfake.Summary{
		Overview:  "Discussed the lease dispute.",
		Details:   []zoom.SummaryDetail{{Label: "Lease terms", Summary: "Tenant disputes clause 4."}},
		NextSteps: []string{"Send engagement letter"},
	}
	m := e.endMeeting(t, zoomfake.MeetingInput{Topic: "Lease", UUID: "Ab//summaryUUIDxyz12==", Summary: sum, SummaryPending: true})
	path := "/v2/meetings/" + url.PathEscape(url.PathEscape(m.UUID)) + "/meeting_summary"
	wantAPIError(t, e.get(t, path), http.StatusNotFound, 3322)
	wantAPIError(t, e.get(t, "/v2/meetings/"+url.PathEscape("nope==")+"/meeting_summary"), http.StatusNotFound, 3001)
	if err := e.fake.CompleteSummary(m.UUID); err != nil {
		t.Fatal(err)
	}
	r := e.get(t, path)
	wantStatus(t, r, http.StatusOK)
	var got zoom.MeetingSummary
	r.decode(t, &got)
	if got.MeetingUUID != m.UUID || got.MeetingID != m.ID || got.MeetingTopic != "Lease" || got.MeetingHostEmail != "owner@sandbox.zoom.test" ||
		got.SummaryOverview != sum.Overview || len(got.SummaryDetails) != 1 || got.SummaryDetails[0] != sum.Details[0] ||
		len(got.NextSteps) != 1 || !strings.Contains(got.SummaryContent, "- Send engagement letter") || got.MeetingEndTime.Sub(got.MeetingStartTime) != 30*time.Minute {
		t.Fatalf("summary %+v", got)
	}
	// Single-encoding a '//' UUID does not reach it.
	wantAPIError(t, e.get(t, "/v2/meetings/"+url.PathEscape(m.UUID)+"/meeting_summary"), http.StatusNotFound, 3001)
}

func TestUnhandled(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	r := e.get(t, "/v2/meetings/123")
	wantStatus(t, r, http.StatusNotImplemented)
	if !strings.Contains(string(r.body), "GET /v2/meetings/123") {
		t.Fatalf("body %s", r.body)
	}
	if got := e.fake.Unhandled(); len(got) != 1 || got[0] != "GET /v2/meetings/123" {
		t.Fatalf("Unhandled %v", got)
	}
}

func TestEditedSummaryFollowsZoomsTypes(t *testing.T) {
	e := newEnv(t, zoomfake.Options{})
	m := e.endMeeting(t, zoomfake.MeetingInput{
		Topic: "Fees", UUID: "/fEeScAlL+aBcDeFgHiJkL==",
		Summary:       &zoomfake.Summary{Overview: "AI.", Details: []zoom.SummaryDetail{{Label: "Fees", Summary: "AI text."}}, NextSteps: []string{"AI step"}},
		EditedSummary: &zoomfake.EditedSummary{Text: "Host text."},
	})
	r := e.get(t, "/v2/meetings/"+url.PathEscape(url.PathEscape(m.UUID))+"/meeting_summary")
	wantStatus(t, r, http.StatusOK)
	var raw map[string]any
	r.decode(t, &raw)
	// Zoom's types: edited_summary has only summary_details (a string) and
	// next_steps; there is no edited overview.
	edited, ok := raw["edited_summary"].(map[string]any)
	if !ok || edited["summary_details"] != "Host text." || len(edited) != 1 {
		t.Fatalf("edited_summary %#v", raw["edited_summary"])
	}
	if _, ok := raw["summary_details"].([]any); !ok {
		t.Fatalf("summary_details %#v, want the array of sections", raw["summary_details"])
	}
	if _, err := e.fake.EndMeeting(zoomfake.MeetingInput{Topic: "x", HostEmail: "owner@sandbox.zoom.test", EditedSummary: &zoomfake.EditedSummary{Text: "t"}}); err == nil {
		t.Fatal("an edit without a summary was accepted")
	}
	if err := e.fake.EditSummary("nope==", zoomfake.EditedSummary{Text: "t"}); err == nil {
		t.Fatal("edit of an unknown meeting was accepted")
	}
}
