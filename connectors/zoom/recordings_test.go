package zoom_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

func date(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// TestRecordingsSplitsMonthsAndPages lists three months holding more than
// 300 meetings: the client must ask in windows Zoom accepts and follow
// next_page_token, returning each meeting in range exactly once.
func TestRecordingsSplitsMonthsAndPages(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	from, to := date(2026, 1, 1, 0, 0), date(2026, 3, 31, 0, 0)
	want := map[string]bool{}
	add := func(start time.Time, in bool) {
		m := e.endMeeting(t, zoomfake.MeetingInput{Topic: start.Format(time.RFC3339), Start: start, Duration: 20})
		if in {
			want[m.UUID] = true
		}
	}
	for i := range 310 { // one window alone needs two pages
		add(date(2026, 1, 2, 0, 0).Add(time.Duration(i)*2*time.Hour), true)
	}
	for i := range 20 {
		add(date(2026, 2, 1, 9, 0).AddDate(0, 0, i*2), true)
	}
	for _, edge := range []time.Time{
		date(2026, 1, 1, 0, 0), date(2026, 1, 28, 23, 59), date(2026, 1, 29, 0, 0),
		date(2026, 2, 25, 23, 30), date(2026, 3, 31, 23, 59),
	} {
		add(edge, true)
	}
	add(date(2025, 12, 31, 23, 59), false)
	add(date(2026, 4, 1, 0, 0), false)

	got := map[string]int{}
	err := e.client.Recordings(context.Background(), from, to, func(m zoom.Meeting) error {
		got[m.UUID]++
		if len(m.RecordingFiles) == 0 {
			t.Errorf("meeting %s has no files", m.UUID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d meetings, want %d", len(got), len(want))
	}
	for uuid, n := range got {
		if !want[uuid] || n != 1 {
			t.Fatalf("meeting %s seen %d times (in range: %t)", uuid, n, want[uuid])
		}
	}

	var windows []string
	paged := false
	for _, s := range e.rec.Sent() {
		if s.Path != "/v2/users/me/recordings" {
			continue
		}
		if s.Query["page_size"][0] != "300" {
			t.Fatalf("page_size %v", s.Query["page_size"])
		}
		f, _ := time.Parse("2006-01-02", s.Query["from"][0])
		l, _ := time.Parse("2006-01-02", s.Query["to"][0])
		if l.Before(f) || l.After(f.AddDate(0, 1, 0)) || l.Sub(f) > 30*24*time.Hour {
			t.Fatalf("window %s..%s exceeds a month", f.Format("Jan 2"), l.Format("Jan 2"))
		}
		if len(s.Query["next_page_token"]) > 0 {
			paged = true
			continue
		}
		windows = append(windows, s.Query["from"][0]+".."+s.Query["to"][0])
	}
	if !paged {
		t.Fatal("no request followed next_page_token")
	}
	wantWindows := "2026-01-01..2026-01-28 2026-01-29..2026-02-25 2026-02-26..2026-03-25 2026-03-26..2026-03-31"
	if strings.Join(windows, " ") != wantWindows {
		t.Fatalf("windows %v, want %s", windows, wantWindows)
	}
}

func TestRecordingsStopsAtCallbackError(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	for i := range 3 {
		e.endMeeting(t, zoomfake.MeetingInput{Topic: "m", Start: date(2026, 4, 1+i, 10, 0)})
	}
	stop := errors.New("stop")
	n := 0
	err := e.client.Recordings(context.Background(), date(2026, 4, 1, 0, 0), date(2026, 4, 10, 0, 0), func(zoom.Meeting) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d calls, want stop after 1", err, n)
	}
	if err := e.client.Recordings(context.Background(), date(2026, 4, 2, 0, 0), date(2026, 4, 1, 0, 0), nil); err == nil {
		t.Fatal("to before from accepted")
	}
}

// TestMeetingUUIDEncoding round-trips UUIDs Zoom wants double-encoded
// (leading '/', "//") and others through every UUID endpoint.
func TestMeetingUUIDEncoding(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	tests := []struct{ name, uuid string }{
		{"leading slash", "/aBcD+eFgH1234567890w=="},
		{"double slash", "aBcD//eFgH+234567890w=="},
		{"single slash", "aBcD/eFgH+1234567890w=="},
		{"no slash", "aBcDeFgH+1234567890xyz=="},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.endMeeting(t, zoomfake.MeetingInput{
				Topic: tt.name, UUID: tt.uuid, Start: date(2026, 4, 1, 9+i, 0),
				Participants: []string{"jane.client@example.com"},
				Summary:      &zoomfake.Summary{Overview: "Discussed " + tt.name},
			})
			m, err := e.client.MeetingRecordings(ctx, tt.uuid)
			if err != nil {
				t.Fatal(err)
			}
			if m.UUID != tt.uuid || m.Topic != tt.name {
				t.Fatalf("meeting %q %q", m.UUID, m.Topic)
			}
			s, err := e.client.Summary(ctx, tt.uuid)
			if err != nil {
				t.Fatal(err)
			}
			if s.MeetingUUID != tt.uuid || s.SummaryOverview != "Discussed "+tt.name {
				t.Fatalf("summary %+v", s)
			}
			ps, err := e.client.Participants(ctx, tt.uuid)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 2 || ps[1].UserEmail != "jane.client@example.com" {
				t.Fatalf("participants %+v", ps)
			}
		})
	}
	if got := zoom.EscapeMeetingID("/a//b=="); got != "%252Fa%252F%252Fb==" {
		t.Fatalf("EscapeMeetingID = %q", got)
	}
}

func TestUnknownMeetingIsNotFound(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	_, err := e.client.Summary(ctx, "nOsUcHmEeTiNg+123456789==")
	if !errors.Is(err, zoom.ErrNotFound) || errors.Is(err, zoom.ErrNotReady) {
		t.Fatalf("summary of unknown meeting: %v", err)
	}
	_, err = e.client.MeetingRecordings(ctx, "nOsUcHmEeTiNg/123456789==")
	if !errors.Is(err, zoom.ErrNotFound) || !strings.Contains(err.Error(), "There is no recording") {
		t.Fatalf("recordings of unknown meeting: %v", err)
	}
}

func TestSummaryNotReadyThenReady(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	m := e.endMeeting(t, zoomfake.MeetingInput{
		Topic: "Intake: Smith", Start: date(2026, 4, 2, 14, 0),
		Summary:        &zoomfake.Summary{Overview: "Smith intake.", NextSteps: []string{"Send engagement letter"}},
		SummaryPending: true,
	})
	_, err := e.client.Summary(ctx, m.UUID)
	if !errors.Is(err, zoom.ErrNotReady) || errors.Is(err, zoom.ErrNotFound) {
		t.Fatalf("pending summary: %v, want ErrNotReady only", err)
	}
	if err := e.fake.CompleteSummary(m.UUID); err != nil {
		t.Fatal(err)
	}
	s, err := e.client.Summary(ctx, m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if s.SummaryOverview != "Smith intake." || len(s.NextSteps) != 1 || !strings.Contains(s.SummaryContent, "Send engagement letter") {
		t.Fatalf("summary %+v", s)
	}
}

func TestTranscriptNotReadyThenReady(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	m := e.endMeeting(t, zoomfake.MeetingInput{
		Topic: "Call", Start: date(2026, 4, 3, 10, 0), TranscriptPending: true,
		TranscriptLines: []zoomfake.TranscriptLine{
			{Speaker: "Sandbox Owner", Text: "Thanks for joining."},
			{Speaker: "Jane Client", Text: "Happy to be here."},
		},
	})
	text, ok, err := e.client.Transcript(ctx, m)
	if err != nil || ok || text != "" {
		t.Fatalf("pending transcript: %q %t %v", text, ok, err)
	}
	if err := e.fake.CompleteTranscript(m.UUID); err != nil {
		t.Fatal(err)
	}
	m, err = e.client.MeetingRecordings(ctx, m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	text, ok, err = e.client.Transcript(ctx, m)
	if err != nil || !ok {
		t.Fatalf("transcript: %t %v", ok, err)
	}
	if !strings.HasPrefix(text, "WEBVTT") || !strings.Contains(text, "Jane Client: Happy to be here.") {
		t.Fatalf("transcript %q", text)
	}
}

// TestDownloadFollowsRedirectWithAuth streams a file through the fake's
// 302, which (like Zoom) still demands the Bearer token.
func TestDownloadFollowsRedirectWithAuth(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	m := e.endMeeting(t, zoomfake.MeetingInput{Topic: "Video", Start: date(2026, 4, 4, 10, 0)})
	var mp4 zoom.RecordingFile
	for _, f := range m.RecordingFiles {
		if f.FileType == zoom.FileTypeMP4 {
			mp4 = f
		}
	}
	e.rec.Reset()
	body, size, err := e.client.Download(ctx, mp4.DownloadURL)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, body)
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n != mp4.FileSize || size != mp4.FileSize || !bytes.Contains(buf.Bytes(), []byte("ftypmp42")) {
		t.Fatalf("read %d bytes (size %d), want %d MP4 bytes", n, size, mp4.FileSize)
	}
	reqs := e.rec.Sent()
	if len(reqs) != 2 || !strings.HasPrefix(reqs[0].Path, "/rec/download/") || !strings.HasPrefix(reqs[1].Path, "/rec/file/") {
		t.Fatalf("requests %+v, want download then redirected file", reqs)
	}
	for _, r := range reqs {
		if r.Auth != "Bearer "+e.tok.Access {
			t.Fatalf("%s sent without the bearer token", r.Path)
		}
	}
}

func TestDownloadWithWebhookToken(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	m := e.endMeeting(t, zoomfake.MeetingInput{Topic: "Video", Start: date(2026, 4, 4, 10, 0)})
	dl, err := e.client.MeetingRecordings(context.Background(), m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	noAuth := e.newClient("revoked-or-missing", nil)
	_, _, err = noAuth.DownloadWithToken(context.Background(), dl.RecordingFiles[0].DownloadURL, "not-a-download-token")
	if httpx.StatusOf(err) != 401 {
		t.Fatalf("bad download token: %v, want 401", err)
	}
	_, _, err = noAuth.DownloadWithToken(context.Background(), dl.RecordingFiles[0].DownloadURL, e.tok.Access)
	if err != nil {
		t.Fatal(err)
	}
}

func TestDownloadRefusesForeignHosts(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	e.rec.Reset()
	for _, u := range []string{"https://evil.example/rec/download/x", "https://zoom.us.evil.example/rec/download/x", "not a url"} {
		if _, _, err := e.client.Download(context.Background(), u); err == nil {
			t.Fatalf("download from %s allowed", u)
		}
	}
	if n := len(e.rec.Sent()); n != 0 {
		t.Fatalf("%d requests sent, want none", n)
	}
}

func TestParticipantsPages(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	var emails []string
	for i := range 350 {
		emails = append(emails, fmt.Sprintf("guest%03d@example.com", i))
	}
	m := e.endMeeting(t, zoomfake.MeetingInput{Topic: "Town hall", Start: date(2026, 4, 5, 10, 0), Participants: emails})
	e.rec.Reset()
	ps, err := e.client.Participants(context.Background(), m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 351 || ps[0].UserEmail != owner || ps[350].UserEmail != "guest349@example.com" {
		t.Fatalf("%d participants, first %+v", len(ps), ps[0])
	}
	if n := len(e.rec.Sent()); n != 2 {
		t.Fatalf("%d requests, want 2 pages", n)
	}
}
