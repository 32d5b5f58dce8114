package boxfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/firmsync/firmsync/connectors/box"
)

// webhook is a v2 webhook.
type webhook struct {
	ID         string    `json:"id"`
	TargetID   string    `json:"target_id"`
	TargetType string    `json:"target_type"`
	Address    string    `json:"address"`
	Triggers   []string  `json:"triggers"`
	CreatedAt  time.Time `json:"created_at"`
}

// Delivery records one attempt to deliver a webhook event.
type Delivery struct {
	WebhookID  string      // the webhook
	EventID    string      // body id, stable across retries
	DeliveryID string      // BOX-DELIVERY-ID, new per attempt
	Trigger    string      // e.g. "FILE.UPLOADED"
	Address    string      // where it went
	Attempt    int         // 0 for the first try, then 1..10 for retries
	StatusCode int         // 0 when the request failed
	Err        string      // transport error, if any
	Header     http.Header // the headers sent
	Body       []byte      // the exact bytes sent
}

const (
	maxWebhookRetries  = 10
	firstRetryDelay    = 5 * time.Minute
	maxWebhooksPerUser = 1000
	// maxWebhookListLimit is the largest page of GET /2.0/webhooks (Box's
	// OAS: limit maximum 1000).
	maxWebhookListLimit = 1000
)

// validTriggers are the FILE.* and FOLDER.* triggers plus the others Box lists.
var validTriggers = map[string]bool{
	"FILE.UPLOADED": true, "FILE.PREVIEWED": true, "FILE.DOWNLOADED": true, "FILE.TRASHED": true,
	"FILE.DELETED": true, "FILE.RESTORED": true, "FILE.COPIED": true, "FILE.MOVED": true,
	"FILE.LOCKED": true, "FILE.UNLOCKED": true, "FILE.RENAMED": true,
	"FOLDER.CREATED": true, "FOLDER.RENAMED": true, "FOLDER.DOWNLOADED": true, "FOLDER.RESTORED": true,
	"FOLDER.DELETED": true, "FOLDER.COPIED": true, "FOLDER.MOVED": true, "FOLDER.TRASHED": true,
	"METADATA_INSTANCE.CREATED": true, "METADATA_INSTANCE.UPDATED": true, "METADATA_INSTANCE.DELETED": true,
	"COMMENT.CREATED": true, "COMMENT.UPDATED": true, "COMMENT.DELETED": true,
	"COLLABORATION.CREATED": true, "COLLABORATION.ACCEPTED": true, "COLLABORATION.REJECTED": true,
	"COLLABORATION.REMOVED": true, "COLLABORATION.UPDATED": true,
	"SHARED_LINK.CREATED": true, "SHARED_LINK.UPDATED": true, "SHARED_LINK.DELETED": true,
	"WEBHOOK.DELETED": true, "TASK_ASSIGNMENT.CREATED": true, "TASK_ASSIGNMENT.UPDATED": true,
	"SIGN_REQUEST.COMPLETED": true, "SIGN_REQUEST.DECLINED": true, "SIGN_REQUEST.EXPIRED": true,
}

func (s *Server) webhookJSONLocked(h *webhook) box.Webhook {
	u := s.st.User
	return box.Webhook{ID: h.ID, Type: "webhook", Target: box.WebhookTarget{ID: h.TargetID, Type: h.TargetType},
		Address: h.Address, Triggers: slices.Clone(h.Triggers), CreatedBy: &u, CreatedAt: ptr(h.CreatedAt)}
}

// checkAddress applies Box's address rules: https on port 443, not box.com.
func (s *Server) checkAddress(addr string) string {
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return "address must be an absolute URL"
	}
	if s.opts.AllowInsecureWebhooks {
		if u.Scheme != "https" && u.Scheme != "http" {
			return "address must be an http(s) URL"
		}
		return ""
	}
	if u.Scheme != "https" {
		return "address must use https"
	}
	if p := u.Port(); p != "" && p != "443" {
		return "address must use port 443"
	}
	if h := strings.ToLower(u.Hostname()); h == "box.com" || strings.HasSuffix(h, ".box.com") {
		return "address must not be a box.com URL"
	}
	return ""
}

func checkTriggers(ts []string) string {
	if len(ts) == 0 {
		return "triggers must not be empty"
	}
	for _, t := range ts {
		if !validTriggers[t] {
			return "unknown trigger " + t
		}
	}
	return ""
}

// checkTargetLocked validates a webhook target. The caller holds s.mu.
func (s *Server) checkTargetLocked(w http.ResponseWriter, t box.WebhookTarget, except string) bool {
	if t.Type != "folder" && t.Type != "file" {
		badRequest(w, "target.type must be folder or file")
		return false
	}
	if t.Type == "folder" && t.ID == "0" {
		badRequest(w, "Webhooks cannot be created on the root folder")
		return false
	}
	if _, ok := s.lookupLocked(w, t.ID, t.Type); !ok {
		return false
	}
	for _, h := range s.st.Webhooks {
		if h.ID != except && h.TargetID == t.ID && h.TargetType == t.Type {
			writeError(w, http.StatusConflict, "conflict", "Webhook:"+h.ID+" already exists on the specified target.", nil)
			return false
		}
	}
	return true
}

func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	var req box.CreateWebhookRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Target.ID == "" || req.Target.Type == "" || req.Address == "" || req.Triggers == nil {
		badRequest(w, "target, address and triggers are required")
		return
	}
	if msg := s.checkAddress(req.Address); msg != "" {
		badRequest(w, msg)
		return
	}
	if msg := checkTriggers(req.Triggers); msg != "" {
		badRequest(w, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkTargetLocked(w, req.Target, "") {
		return
	}
	if len(s.st.Webhooks) >= maxWebhooksPerUser {
		writeError(w, http.StatusConflict, "conflict", "Webhook limit of 1000 per app per user reached", nil)
		return
	}
	h := &webhook{ID: strconv.FormatInt(s.st.NextWebhookID, 10), TargetID: req.Target.ID, TargetType: req.Target.Type,
		Address: req.Address, Triggers: slices.Clone(req.Triggers), CreatedAt: s.stamp()}
	s.st.NextWebhookID++
	s.st.Webhooks[h.ID] = h
	writeJSON(w, http.StatusCreated, s.webhookJSONLocked(h))
}

func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			badRequest(w, "Invalid value '"+v+"' for query parameter 'limit'")
			return
		}
		limit = min(n, maxWebhookListLimit) // larger limits are clamped, not refused
	}
	start := 0
	if m := q.Get("marker"); m != "" {
		n, ok := decodeMarker(m)
		if !ok {
			badRequest(w, "Invalid value '"+m+"' for query parameter 'marker'")
			return
		}
		start = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]*webhook, 0, len(s.st.Webhooks))
	for _, h := range s.st.Webhooks {
		all = append(all, h)
	}
	slices.SortFunc(all, func(a, b *webhook) int { return cmpID(a.ID, b.ID) })
	lo := min(start, len(all))
	hi := min(lo+limit, len(all))
	out := box.Webhooks{Limit: limit, Entries: []box.WebhookMini{}}
	for _, h := range all[lo:hi] {
		// The list holds mini webhooks (Box's Webhook--Mini): id, type and
		// target, nothing else.
		out.Entries = append(out.Entries, box.WebhookMini{ID: h.ID, Type: "webhook",
			Target: box.WebhookTarget{ID: h.TargetID, Type: h.TargetType}})
	}
	if hi < len(all) {
		out.NextMarker = ptr(encodeMarker(hi))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) webhookLocked(w http.ResponseWriter, r *http.Request) (*webhook, bool) {
	h, ok := s.st.Webhooks[r.PathValue("id")]
	if !ok {
		notFound(w)
	}
	return h, ok
}

func (s *Server) handleGetWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.webhookLocked(w, r); ok {
		writeJSON(w, http.StatusOK, s.webhookJSONLocked(h))
	}
}

func (s *Server) handleUpdateWebhook(w http.ResponseWriter, r *http.Request) {
	var req box.UpdateWebhookRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Address != "" {
		if msg := s.checkAddress(req.Address); msg != "" {
			badRequest(w, msg)
			return
		}
	}
	if req.Triggers != nil {
		if msg := checkTriggers(req.Triggers); msg != "" {
			badRequest(w, msg)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.webhookLocked(w, r)
	if !ok {
		return
	}
	if req.Target != nil && (req.Target.ID != h.TargetID || req.Target.Type != h.TargetType) {
		if !s.checkTargetLocked(w, *req.Target, h.ID) {
			return
		}
		h.TargetID, h.TargetType = req.Target.ID, req.Target.Type
	}
	if req.Address != "" {
		h.Address = req.Address
	}
	if req.Triggers != nil {
		h.Triggers = slices.Clone(req.Triggers)
	}
	writeJSON(w, http.StatusOK, s.webhookJSONLocked(h))
}

func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.webhookLocked(w, r); ok {
		delete(s.st.Webhooks, h.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

// fireLocked queues deliveries of trigger for it to every webhook whose target
// is it or a folder above it (webhooks cascade). The caller holds s.mu; the
// network I/O happens in goroutines.
func (s *Server) fireLocked(trigger string, it *item, additional any) {
	if s.closed {
		return
	}
	var source any
	for _, h := range s.st.Webhooks {
		if !slices.Contains(h.Triggers, trigger) {
			continue
		}
		target := s.st.Items[h.TargetID]
		if target == nil || target.TrashedAt != nil ||
			(h.TargetType == "file" && h.TargetID != it.ID) || !s.insideLocked(it, h.TargetID) {
			continue
		}
		if source == nil {
			if it.Type == "folder" {
				source = s.folderLocked(it, false)
			} else {
				source = s.fileLocked(it)
			}
		}
		if additional == nil {
			additional = []any{}
		}
		src, _ := json.Marshal(source)
		info, _ := json.Marshal(additional)
		ev := box.WebhookEvent{Type: "webhook_event", ID: newUUID(), CreatedAt: s.stamp(), Trigger: trigger,
			Webhook: box.WebhookRef{ID: h.ID, Type: "webhook"}, CreatedBy: s.st.User, Source: src, AdditionalInfo: info}
		raw, err := json.Marshal(ev)
		if err != nil {
			continue
		}
		body := escapeNonASCII(raw)
		s.inflight.Add(1)
		go s.deliver(h.ID, h.Address, trigger, ev.ID, body)
	}
}

// escapeNonASCII rewrites every non-ASCII rune of a JSON text as \uXXXX
// (surrogate pairs above U+FFFF), as Box does. Non-ASCII only occurs inside
// strings, so the result is equivalent JSON.
func escapeNonASCII(raw []byte) []byte {
	var b bytes.Buffer
	for _, r := range string(raw) {
		switch {
		case r < 0x80:
			b.WriteByte(byte(r))
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.Bytes()
}

// retryDelay is Box's schedule (first retry after 5 min, then doubling),
// scaled by RateWindow/1min so a sandbox with a short window retries quickly.
func (s *Server) retryDelay(retry int) time.Duration {
	d := firstRetryDelay << (retry - 1)
	return time.Duration(float64(d) * float64(s.opts.RateWindow) / float64(time.Minute))
}

// deliver POSTs one event until a 2xx or 10 retries, or until Close.
func (s *Server) deliver(webhookID, address, trigger, eventID string, body []byte) {
	defer s.inflight.Done()
	for attempt := 0; attempt <= maxWebhookRetries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(s.retryDelay(attempt))
			select {
			case <-s.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		d := s.deliverOnce(address, body)
		d.WebhookID, d.EventID, d.Trigger, d.Address, d.Attempt = webhookID, eventID, trigger, address, attempt
		s.mu.Lock()
		s.delivered = append(s.delivered, d)
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
		if d.StatusCode >= 200 && d.StatusCode < 300 {
			return
		}
		if s.ctx.Err() != nil {
			return
		}
	}
}

// Sign computes a Box webhook signature: base64(HMAC-SHA256(key, body ++ timestamp)).
func Sign(key string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) deliverOnce(address string, body []byte) Delivery {
	s.mu.Lock()
	primary, secondary := s.st.PrimaryKey, s.st.SecondaryKey
	s.mu.Unlock()
	ts := s.now().UTC().Format(time.RFC3339)
	d := Delivery{DeliveryID: newUUID(), Body: body, Header: http.Header{}}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, address, bytes.NewReader(body))
	if err != nil {
		d.Err = err.Error()
		return d
	}
	h := req.Header
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("User-Agent", "Box-WH-Client/0.1")
	h.Set(box.HeaderDeliveryID, d.DeliveryID)
	h.Set(box.HeaderDeliveryTimestamp, ts)
	h.Set(box.HeaderSignaturePrimary, Sign(primary, body, ts))
	h.Set(box.HeaderSignatureSecondary, Sign(secondary, body, ts))
	h.Set(box.HeaderSignatureVersion, "1")
	h.Set(box.HeaderSignatureAlgorithm, "HmacSHA256")
	d.Header = h.Clone()
	resp, err := s.httpc.Do(req)
	if err != nil {
		d.Err = err.Error()
		return d
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	d.StatusCode = resp.StatusCode
	return d
}

// Deliveries returns every delivery attempt so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.delivered)
}

// AwaitDeliveries blocks until at least n delivery attempts have finished
// (in total, since New) or ctx ends.
func (s *Server) AwaitDeliveries(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.delivered), s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("boxfake: %d of %d webhook deliveries: %w", got, n, ctx.Err())
		case <-ch:
		}
	}
}

func newUUID() string {
	r := randomString(32)
	return r[:8] + "-" + r[8:12] + "-4" + r[13:16] + "-a" + r[17:20] + "-" + r[20:32]
}
