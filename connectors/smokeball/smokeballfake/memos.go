package smokeballfake

import (
	"net/http"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/smokeball"
)

var memoDtoKeys = []string{"title", "text", "userId", "createdDateUtc"}

func (s *Server) memoViewLocked(base string, m *memoRec) map[string]any {
	return map[string]any{
		"href": base + "/matters/" + m.MatterID + "/memos/" + m.ID, "id": m.ID, "matterId": m.MatterID,
		"title": m.Title, "text": m.Text, "plainText": m.PlainText,
		"createdDate": smokeball.FormatTime(m.CreatedDate), "createdByUserId": m.CreatedBy,
		"lastUpdated": smokeball.FormatTime(m.LastUpdated), "updatedByUserId": m.CreatedBy, "isDeleted": false,
	}
}

// toRTF wraps plain text in a minimal RTF document, since Smokeball stores
// memo text as RTF whatever it was sent as [U: its exact RTF].
func toRTF(text string) string {
	if strings.HasPrefix(strings.TrimSpace(text), `{\rtf`) {
		return text
	}
	r := strings.NewReplacer(`\`, `\\`, "{", `\{`, "}", `\}`, "\r\n", `\par `, "\n", `\par `)
	return `{\rtf1\ansi\deff0 ` + r.Replace(text) + `}`
}

// plainOf strips RTF control words and groups crudely, for plainText.
func plainOf(text string) string {
	if !strings.HasPrefix(strings.TrimSpace(text), `{\rtf`) {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '{', '}':
		case '\\':
			if i+1 < len(text) && strings.ContainsRune(`\{}`, rune(text[i+1])) {
				b.WriteByte(text[i+1])
				i++
				continue
			}
			j := i + 1
			for j < len(text) && (text[j] >= 'a' && text[j] <= 'z' || text[j] >= '0' && text[j] <= '9' || text[j] == '-') {
				j++
			}
			if text[i+1:j] == "par" {
				b.WriteByte('\n')
			}
			if j < len(text) && text[j] == ' ' {
				j++
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

// listMemos lists a matter's memos, oldest first [U: an unknown matter
// answers 404; the spec lists only 200].
func (s *Server) listMemos(w http.ResponseWriter, r *http.Request) {
	win, ok := parseWindow(w, r)
	if !ok {
		return
	}
	matterID := r.PathValue("id")
	s.mu.Lock()
	_, exists := s.st.Matters.get(matterID)
	var all []map[string]any
	for _, m := range s.st.Memos.all() {
		if m.MatterID == matterID {
			all = append(all, s.memoViewLocked(requestBase(r), m))
		}
	}
	s.mu.Unlock()
	if !exists {
		notFound(w, r, "Matter")
		return
	}
	writeJSON(w, http.StatusOK, page(r, win, all))
}

// createMemo validates MemoDto (title and text required) and queues the
// memo; an unknown matter fails when applied (the spec lists no 404 here).
func (s *Server) createMemo(w http.ResponseWriter, r *http.Request) {
	m, ok := readBody(w, r, memoDtoKeys)
	if !ok {
		return
	}
	v := validation{}
	title, err := str(m, "title")
	if err != nil || title == "" {
		v.add("title", "The Title field is required.")
	}
	text, err := str(m, "text")
	if _, present := m["text"]; err != nil || !present {
		v.add("text", "The Text field is required.")
	}
	var created time.Time
	if raw, _ := str(m, "createdDateUtc"); raw != "" {
		t, ok := parseISO(raw)
		if !ok {
			v.add("createdDateUtc", "createdDateUtc must be an ISO date.")
		}
		created = t
	}
	if len(v) > 0 {
		writeValidation(w, r, v)
		return
	}
	matterID, id := r.PathValue("id"), newGUID()
	o := s.apiOrigin(r)
	s.mu.Lock()
	s.scheduleLocked(o, func(o origin) error {
		if _, ok := s.st.Matters.get(matterID); !ok {
			return failWrite(id, "matterId", "Matter "+matterID+" does not exist.")
		}
		s.addMemoLocked(o, &memoRec{ID: id, MatterID: matterID, Title: title, Text: text, CreatedDate: created})
		return nil
	})
	s.mu.Unlock()
	writeAccepted(w, o.base+"/matters/"+matterID+"/memos/"+id, id)
}

func parseISO(raw string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(l, raw); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// addMemoLocked stores a memo and fires memo.created. The caller holds mu.
func (s *Server) addMemoLocked(o origin, m *memoRec) {
	now := s.now()
	if m.CreatedDate.IsZero() {
		m.CreatedDate = now
	}
	m.PlainText = plainOf(m.Text)
	m.Text = toRTF(m.Text)
	m.LastUpdated, m.CreatedBy = now, s.st.UserID
	s.st.Memos.put(m.ID, m)
	s.emitLocked("memo.created", o, s.memoViewLocked(o.base, m))
}
