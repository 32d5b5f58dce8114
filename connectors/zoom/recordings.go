package zoom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// maxPageSize is Zoom's largest page_size for token-paged listings.
const maxPageSize = 300

// recordingWindowDays is the longest from..to span (inclusive days) asked of
// GET /users/me/recordings. Zoom caps the range at one month; 28 days fits
// in every calendar month, February included.
const recordingWindowDays = 28

const dateLayout = "2006-01-02"

// MaxTranscriptBytes caps how much of a transcript Transcript reads.
const MaxTranscriptBytes = 5 << 20

// EscapeMeetingID escapes a meeting ID or UUID for a URL path. A UUID with
// a '/' is URL-encoded twice: Zoom requires it for UUIDs starting with '/'
// or containing "//", and accepts it for any other '/' (as ZoomNet does).
func EscapeMeetingID(id string) string {
	if strings.Contains(id, "/") {
		return url.PathEscape(url.PathEscape(id))
	}
	return url.PathEscape(id)
}

// recordingWindows splits the UTC dates [from, to] into inclusive windows
// of at most recordingWindowDays days.
func recordingWindows(from, to time.Time) [][2]time.Time {
	day := func(t time.Time) time.Time {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	var out [][2]time.Time
	for start, last := day(from), day(to); !start.After(last); {
		end := start.AddDate(0, 0, recordingWindowDays-1)
		if end.After(last) {
			end = last
		}
		out = append(out, [2]time.Time{start, end})
		start = end.AddDate(0, 0, 1)
	}
	return out
}

// Recordings calls fn for every cloud-recorded meeting of the connected
// user that started on a UTC date between from and to (inclusive). It splits
// the range into windows Zoom accepts (at most one month) and follows
// next_page_token at 300 per page. It stops at fn's first error and returns it.
func (c *Client) Recordings(ctx context.Context, from, to time.Time, fn func(Meeting) error) error {
	if to.Before(from) {
		return fmt.Errorf("zoom: listing recordings: to %s is before from %s", to.Format(dateLayout), from.Format(dateLayout))
	}
	seen := map[string]bool{} // a meeting never repeats, even if Zoom's date filter overlaps windows
	for _, w := range recordingWindows(from, to) {
		q := url.Values{
			"from":      {w[0].Format(dateLayout)},
			"to":        {w[1].Format(dateLayout)},
			"page_size": {strconv.Itoa(maxPageSize)},
		}
		for {
			var page RecordingList
			if err := c.http.JSON(ctx, http.MethodGet, c.apiBase+"/users/me/recordings?"+q.Encode(), nil, &page); err != nil {
				return wrap(fmt.Sprintf("listing recordings %s..%s", q.Get("from"), q.Get("to")), err)
			}
			for _, m := range page.Meetings {
				if seen[m.UUID] {
					continue
				}
				seen[m.UUID] = true
				if err := fn(m); err != nil {
					return err
				}
			}
			if page.NextPageToken == "" {
				break
			}
			q.Set("next_page_token", page.NextPageToken)
		}
	}
	return nil
}

// MeetingRecordings returns one meeting instance's recording (GET
// /meetings/{uuid}/recordings). A numeric meeting ID names its latest
// instance. No recording is an error matching ErrNotFound.
func (c *Client) MeetingRecordings(ctx context.Context, uuid string) (Meeting, error) {
	var m Meeting
	u := c.apiBase + "/meetings/" + EscapeMeetingID(uuid) + "/recordings"
	if err := c.http.JSON(ctx, http.MethodGet, u, nil, &m); err != nil {
		return Meeting{}, wrap("getting recordings of meeting "+uuid, err)
	}
	return m, nil
}

// Participants returns everyone who attended a past meeting instance (GET
// /past_meetings/{uuid}/participants, every page).
func (c *Client) Participants(ctx context.Context, uuid string) ([]Participant, error) {
	base := c.apiBase + "/past_meetings/" + EscapeMeetingID(uuid) + "/participants?"
	q := url.Values{"page_size": {strconv.Itoa(maxPageSize)}}
	var out []Participant
	for {
		var page ParticipantList
		if err := c.http.JSON(ctx, http.MethodGet, base+q.Encode(), nil, &page); err != nil {
			return nil, wrap("listing participants of meeting "+uuid, err)
		}
		out = append(out, page.Participants...)
		if page.NextPageToken == "" {
			return out, nil
		}
		q.Set("next_page_token", page.NextPageToken)
	}
}

// Download opens a recording file's download_url with the connected
// user's token, following Zoom's redirect (Go keeps the Authorization
// header on redirects within the host and its subdomains). It returns the
// body, to be closed by the caller, and its size (-1 when unknown).
func (c *Client) Download(ctx context.Context, downloadURL string) (io.ReadCloser, int64, error) {
	return c.download(ctx, downloadURL, "")
}

// DownloadWithToken is Download with another bearer token: a webhook's
// download_token or a download_access_token.
func (c *Client) DownloadWithToken(ctx context.Context, downloadURL, token string) (io.ReadCloser, int64, error) {
	if token == "" {
		return nil, 0, errors.New("zoom: downloading a recording file: empty download token")
	}
	return c.download(ctx, downloadURL, token)
}

func (c *Client) download(ctx context.Context, downloadURL, token string) (io.ReadCloser, int64, error) {
	if err := c.checkDownloadHost(downloadURL); err != nil {
		return nil, 0, err
	}
	r := &httpx.Request{Method: http.MethodGet, URL: downloadURL}
	if token != "" {
		r.NoAuth = true
		r.Header = http.Header{"Authorization": {"Bearer " + token}}
	}
	resp, err := c.http.Do(ctx, r)
	if err != nil {
		return nil, 0, wrap("downloading a recording file", err)
	}
	return resp.Body, resp.ContentLength, nil
}

// checkDownloadHost refuses to send the token anywhere but Zoom: the API
// and OAuth hosts, zoom.us and its subdomains.
func (c *Client) checkDownloadHost(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("zoom: downloading a recording file: invalid download URL")
	}
	host := strings.ToLower(u.Hostname())
	if host == "zoom.us" || strings.HasSuffix(host, ".zoom.us") {
		return nil
	}
	for _, b := range []string{c.apiBase, c.oauthBase} {
		if bu, err := url.Parse(b); err == nil && strings.EqualFold(bu.Host, u.Host) {
			return nil
		}
	}
	return fmt.Errorf("zoom: downloading a recording file: refusing to send the token to %s", u.Host)
}

// TranscriptFile returns m's transcript file (file_type TRANSCRIPT, VTT),
// if Zoom has finished it.
func TranscriptFile(m Meeting) (RecordingFile, bool) {
	for _, f := range m.RecordingFiles {
		if f.FileType != FileTypeTranscript || f.DownloadURL == "" {
			continue
		}
		if f.Status != "" && !strings.EqualFold(f.Status, "completed") {
			continue
		}
		return f, true
	}
	return RecordingFile{}, false
}

// Transcript downloads m's WebVTT transcript. It returns ok false (and no
// error) when m has no finished transcript yet. At most MaxTranscriptBytes
// are read; a longer transcript is cut at its last whole line and logged.
func (c *Client) Transcript(ctx context.Context, m Meeting) (text string, ok bool, err error) {
	f, ok := TranscriptFile(m)
	if !ok {
		return "", false, nil
	}
	body, _, err := c.Download(ctx, f.DownloadURL)
	if err != nil {
		return "", false, fmt.Errorf("zoom: getting transcript of meeting %s: %w", m.UUID, err)
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, MaxTranscriptBytes+1))
	if err != nil {
		return "", false, fmt.Errorf("zoom: reading transcript of meeting %s: %w", m.UUID, err)
	}
	if len(b) > MaxTranscriptBytes {
		b = b[:MaxTranscriptBytes]
		if i := bytes.LastIndexByte(b, '\n'); i > 0 {
			b = b[:i+1]
		}
		c.log.Warn("zoom transcript truncated", "meeting", m.UUID, "kept_bytes", len(b))
	}
	return string(b), true, nil
}
