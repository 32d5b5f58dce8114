package zoom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// codeNoSummary is the 404 code for a meeting without a (ready) summary.
// [U] Zoom documents only "404 + code"; the fake sends 3322, and any 404
// whose message speaks of a summary is read the same way.
const codeNoSummary = 3322

// Summary returns a meeting instance's AI Companion summary (GET
// /meetings/{uuid}/meeting_summary). A summary Zoom has not produced yet
// is an error matching ErrNotReady; an unknown meeting matches ErrNotFound.
func (c *Client) Summary(ctx context.Context, uuid string) (MeetingSummary, error) {
	var s MeetingSummary
	u := c.apiBase + "/meetings/" + EscapeMeetingID(uuid) + "/meeting_summary"
	err := c.http.JSON(ctx, http.MethodGet, u, nil, &s)
	if err == nil {
		return s, nil
	}
	doing := "getting summary of meeting " + uuid
	var e *httpx.Error
	if errors.As(err, &e) && e.Kind == httpx.KindNotFound &&
		(e.Code == strconv.Itoa(codeNoSummary) || strings.Contains(strings.ToLower(e.Message), "summary")) {
		return MeetingSummary{}, fmt.Errorf("zoom: %s: %w", doing, &sentinelError{ErrNotReady, err})
	}
	return MeetingSummary{}, wrap(doing, err)
}
