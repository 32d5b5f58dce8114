package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

// adminHandler serves the admin API under /_sandbox. Every "a person did
// it" action goes through the fake's own admin method, which changes state
// as the platform's UI would and fires the platform's webhooks.
func (s *Sandbox) adminHandler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn func(r *http.Request) (int, any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			code, v, err := fn(r)
			w.Header().Set("Content-Type", "application/json")
			if err != nil {
				if code < 400 {
					code = http.StatusBadRequest
				}
				w.WriteHeader(code)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
				return
			}
			w.WriteHeader(code)
			if v != nil {
				_ = json.NewEncoder(w).Encode(v)
			}
		})
	}
	h("GET /_sandbox/info", func(*http.Request) (int, any, error) { return 200, s.Info(), nil })
	h("POST /_sandbox/clio/matters", s.adminCreateMatter)
	h("PATCH /_sandbox/clio/matters/{id}", s.adminPatchMatter)
	h("GET /_sandbox/clio/matters/{id}", func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 400, nil, err
		}
		m, ok := s.Clio().Matter(id)
		if !ok {
			return 404, nil, fmt.Errorf("no matter %d", id)
		}
		return 200, m, nil
	})
	h("POST /_sandbox/clio/contacts", func(r *http.Request) (int, any, error) {
		var in personInput
		if err := decode(r, &in); err != nil {
			return 400, nil, err
		}
		c, err := s.Clio().CreateContact(cliofake.ContactInput{FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Phone: in.Phone})
		return created(c, err)
	})
	h("DELETE /_sandbox/clio/contacts/{id}", func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 400, nil, err
		}
		return noContent(s.Clio().DeleteContact(id))
	})
	h("POST /_sandbox/clio/matters/{id}/documents", s.adminAddDocument)
	h("POST /_sandbox/lawmatics/contacts", func(r *http.Request) (int, any, error) {
		var in personInput
		if err := decode(r, &in); err != nil {
			return 400, nil, err
		}
		c, err := s.Lawmatics().CreateContact(lawmaticsfake.ContactInput{FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Phone: in.Phone})
		return created(c, err)
	})
	h("POST /_sandbox/lawmatics/prospects", func(r *http.Request) (int, any, error) {
		var in struct {
			personInput
			CaseTitle  string `json:"case_title"`
			CaseNumber string `json:"case_number"`
			CaseType   string `json:"case_type"`
		}
		if err := decode(r, &in); err != nil {
			return 400, nil, err
		}
		p, err := s.Lawmatics().CreateProspect(lawmaticsfake.ProspectInput{FirstName: in.FirstName, LastName: in.LastName,
			Email: in.Email, Phone: in.Phone, CaseTitle: in.CaseTitle, CaseNumber: in.CaseNumber, CaseType: in.CaseType})
		return created(p, err)
	})
	h("POST /_sandbox/lawmatics/prospects/{id}/hire", func(r *http.Request) (int, any, error) {
		if err := s.Lawmatics().Hire(r.PathValue("id")); err != nil {
			return 404, nil, err
		}
		p, _ := s.Lawmatics().Prospect(r.PathValue("id"))
		return 200, p, nil
	})
	h("POST /_sandbox/zoom/meetings", s.adminEndMeeting)
	h("GET /_sandbox/box/folders/{id}", func(r *http.Request) (int, any, error) {
		f, items, err := s.Box().Folder(r.PathValue("id"))
		if err != nil {
			return 404, nil, err
		}
		return 200, map[string]any{"folder": f, "items": items}, nil
	})
	h("DELETE /_sandbox/box/items/{id}", func(r *http.Request) (int, any, error) {
		if err := s.Box().DeleteItem(r.PathValue("id")); err != nil {
			return 404, nil, err
		}
		return 204, nil, nil
	})
	h("POST /_sandbox/webhooks", s.adminSetWebhook)
	h("POST /_sandbox/faults", func(r *http.Request) (int, any, error) {
		var f Fault
		if err := decode(r, &f); err != nil {
			return 400, nil, err
		}
		if !isPlatform(f.Platform) {
			return 400, nil, fmt.Errorf("unknown platform %q (valid: %s)", f.Platform, strings.Join(platforms(), ", "))
		}
		if f.Status == 0 && f.DelayMS == 0 && !f.Drop && f.TruncateAfter == 0 {
			return 400, nil, errors.New("a fault needs status, delay_ms, drop or truncate_after")
		}
		s.faults.add(f)
		return 201, f, nil
	})
	h("DELETE /_sandbox/faults", func(*http.Request) (int, any, error) { s.faults.clear(); return 204, nil, nil })
	h("POST /_sandbox/tokens/revoke", s.adminTokens(func(p string) {
		switch p {
		case Clio:
			s.Clio().RevokeTokens()
		case Zoom:
			s.Zoom().RevokeTokens()
		case Box:
			s.Box().RevokeTokens()
		case Lawmatics:
			s.Lawmatics().RevokeTokens()
		case MyCase:
			s.MyCase().RevokeTokens()
		case Smokeball:
			s.Smokeball().RevokeAccess()
		}
	}))
	h("POST /_sandbox/tokens/expire", s.adminTokens(func(p string) {
		switch p {
		case Clio:
			s.Clio().ExpireTokens()
		case Zoom:
			s.Zoom().ExpireTokens()
		case Box:
			s.Box().ExpireTokens()
		case Lawmatics:
			s.Lawmatics().ExpireTokens()
		case MyCase:
			s.MyCase().ExpireTokens()
		case Smokeball:
			s.Smokeball().ExpireTokens()
		}
	}))
	h("GET /_sandbox/stats", func(*http.Request) (int, any, error) { return 200, s.stats.snapshot(), nil })
	h("POST /_sandbox/reset", func(r *http.Request) (int, any, error) {
		var in struct {
			Seed  int64   `json:"seed"`
			Scale float64 `json:"scale"`
			Size  *Size   `json:"size"`
		}
		if err := decode(r, &in); err != nil && !errors.Is(err, io.EOF) {
			return 400, nil, err
		}
		size := Size{}
		if in.Size != nil {
			size = *in.Size
		} else if in.Scale > 0 {
			size = scaled(DemoSize(), in.Scale)
		}
		if err := s.Reset(in.Seed, size); err != nil {
			return 500, nil, err
		}
		return 200, s.Info(), nil
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "no sandbox admin route " + r.Method + " " + r.URL.Path})
	})
	return mux
}

// personInput is a person as the admin API takes one.
type personInput struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

func scaled(sz Size, k float64) Size {
	n := func(v int) int { return max(1, int(float64(v)*k)) }
	return Size{Contacts: n(sz.Contacts), Matters: n(sz.Matters), Documents: n(sz.Documents), Recordings: n(sz.Recordings), Prospects: n(sz.Prospects)}
}

func (s *Sandbox) adminCreateMatter(r *http.Request) (int, any, error) {
	var in struct {
		Description  string `json:"description"`
		ClientID     int64  `json:"client_id"`
		PracticeArea string `json:"practice_area"`
		Status       string `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		return 400, nil, err
	}
	if strings.TrimSpace(in.Description) == "" {
		return 422, nil, errors.New("description is required")
	}
	m, err := s.Clio().CreateMatter(cliofake.MatterInput{Description: in.Description, ClientID: in.ClientID, PracticeArea: in.PracticeArea, Status: in.Status})
	return created(m, err)
}

func (s *Sandbox) adminPatchMatter(r *http.Request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 400, nil, err
	}
	var in struct {
		Status      string `json:"status"`
		Description string `json:"description"`
	}
	if err := decode(r, &in); err != nil {
		return 400, nil, err
	}
	m, err := s.Clio().UpdateMatter(id, cliofake.MatterPatch{Status: in.Status, Description: in.Description})
	if err != nil {
		return 422, nil, err
	}
	return 200, m, nil
}

func (s *Sandbox) adminAddDocument(r *http.Request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 400, nil, err
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return 400, nil, fmt.Errorf("want a multipart form with a file part: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 512<<20))
	if err != nil {
		return 400, nil, err
	}
	name := hdr.Filename
	if n := r.FormValue("name"); n != "" {
		name = n
	}
	d, err := s.Clio().AddDocument(id, name, b)
	return created(d, err)
}

func (s *Sandbox) adminEndMeeting(r *http.Request) (int, any, error) {
	var in struct {
		Topic             string   `json:"topic"`
		HostEmail         string   `json:"host_email"`
		Participants      []string `json:"participants"`
		Duration          int      `json:"duration"`
		Transcript        string   `json:"transcript"`
		Summary           string   `json:"summary"`
		TranscriptPending bool     `json:"transcript_pending"`
		SummaryPending    bool     `json:"summary_pending"`
		// UUID chooses the instance UUID (e.g. one starting with '/',
		// which Zoom wants double-encoded in paths); "" generates one.
		UUID string `json:"uuid"`
		// EditedSummary is the host's edit of the summary (needs summary).
		EditedSummary *struct {
			Text      string   `json:"text"`
			NextSteps []string `json:"next_steps"`
		} `json:"edited_summary"`
	}
	if err := decode(r, &in); err != nil {
		return 400, nil, err
	}
	if in.HostEmail == "" {
		in.HostEmail = "owner@sandbox.zoom.test"
	}
	if in.UUID != "" && strings.TrimSpace(in.UUID) != in.UUID {
		return 422, nil, fmt.Errorf("uuid %q has surrounding white space", in.UUID)
	}
	mi := zoomfake.MeetingInput{Topic: in.Topic, HostEmail: in.HostEmail, Participants: in.Participants, Duration: in.Duration,
		TranscriptPending: in.TranscriptPending, SummaryPending: in.SummaryPending, UUID: in.UUID}
	switch {
	case strings.HasPrefix(strings.TrimSpace(in.Transcript), "WEBVTT"):
		mi.TranscriptVTT = in.Transcript
	case in.Transcript != "":
		for _, line := range strings.Split(in.Transcript, "\n") {
			speaker, text, ok := strings.Cut(line, ":")
			if !ok {
				speaker, text = "Speaker", line
			}
			mi.TranscriptLines = append(mi.TranscriptLines, zoomfake.TranscriptLine{Speaker: strings.TrimSpace(speaker), Text: strings.TrimSpace(text)})
		}
	}
	if in.Summary != "" {
		mi.Summary = &zoomfake.Summary{Overview: in.Summary, Details: []zoom.SummaryDetail{{Label: "Summary", Summary: in.Summary}}}
	}
	if e := in.EditedSummary; e != nil {
		mi.EditedSummary = &zoomfake.EditedSummary{Text: e.Text, NextSteps: e.NextSteps}
	}
	m, err := s.Zoom().EndMeeting(mi)
	return created(m, err)
}

// adminSetWebhook sets the webhook URL a person would paste into Zoom's or
// Lawmatics' console (neither has an API for it).
func (s *Sandbox) adminSetWebhook(r *http.Request) (int, any, error) {
	var in struct {
		Platform string `json:"platform"`
		URL      string `json:"url"`
	}
	if err := decode(r, &in); err != nil {
		return 400, nil, err
	}
	switch in.Platform {
	case Zoom:
		if err := s.Zoom().SetWebhookEndpoint(in.URL); err != nil {
			return 422, nil, err
		}
		return 200, map[string]any{"validated": s.Zoom().WebhookValidated()}, nil
	case Lawmatics:
		if err := s.Lawmatics().SetWebhookEndpoint(in.URL); err != nil {
			return 422, nil, err
		}
		return 200, map[string]any{"ok": true}, nil
	}
	return 400, nil, fmt.Errorf("platform %q manages webhooks through its API, not a console (valid here: zoom, lawmatics)", in.Platform)
}

func (s *Sandbox) adminTokens(fn func(p string)) func(r *http.Request) (int, any, error) {
	return func(r *http.Request) (int, any, error) {
		var in struct {
			Platform string `json:"platform"`
		}
		if err := decode(r, &in); err != nil {
			return 400, nil, err
		}
		if !isPlatform(in.Platform) {
			return 400, nil, fmt.Errorf("unknown platform %q (valid: clio, lawmatics, zoom, box)", in.Platform)
		}
		fn(in.Platform)
		return 200, map[string]any{"platform": in.Platform, "at": time.Now().UTC()}, nil
	}
}

func isPlatform(p string) bool { return slices.Contains(platforms(), p) }

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return err
		}
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad id %q", r.PathValue("id"))
	}
	return id, nil
}

func created(v any, err error) (int, any, error) {
	if err != nil {
		return 422, nil, err
	}
	return 201, v, nil
}

func noContent(err error) (int, any, error) {
	if err != nil {
		return 404, nil, err
	}
	return 204, nil, nil
}
