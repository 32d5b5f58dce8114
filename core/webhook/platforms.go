package webhook

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/store"
)

// Each platform's delivery rule (how it treats the status Firmsync answers
// a delivery with, as the vendor documents it) sits beside its verifier:
// a const block with the rule and its source, and a <platform>Retries
// function. The receiver's answers are chosen against these rules (see the
// package comment); the tests check every answer with deliveryRetries.

// deliveryRetries reports whether platform sends a delivery again after
// Firmsync answered status (0: no answer, a timeout).
func deliveryRetries(platform string, status int) bool {
	switch platform {
	case "clio":
		return clioRetries(status)
	case "zoom":
		return zoomRetries(status)
	case "box":
		return boxRetries(status)
	case "lawmatics":
		return lawmatics.WebhookRetries(status)
	case "mycase", "smokeball":
		return pmsRetries(status)
	}
	return true // an unknown sender: assume it retries
}

// deliveryRule returns platform's documented rule and where it is
// documented ("" for an unknown platform).
func deliveryRule(platform string) (rule, source string) {
	switch platform {
	case "clio":
		return clioRule, clioRuleSource
	case "zoom":
		return zoomRule, zoomRuleSource
	case "box":
		return boxRule, boxRuleSource
	case "lawmatics":
		return lawmaticsRule, lawmaticsRuleSource
	case "mycase":
		return mycaseRule, mycaseRuleSource
	case "smokeball":
		return smokeballRule, smokeballRuleSource
	}
	return "", ""
}

// Clio's delivery rule. A non-2xx is no way to say "never" to Clio: it
// retries and repeated failures suspend the webhook, so a replay must get
// a 2xx; and 410 is never answered, as it would disable the webhook.
const (
	clioRuleSource = "Clio API v4 spec, Webhooks tag (facts: shared/apis/clio.md §5)"
	clioRule       = "2xx, 3xx and 410 count as processed; 410 disables the webhook; every other status and timeouts " +
		"are retried with exponential backoff, and repeated failures suspend the webhook"
)

func clioRetries(status int) bool {
	return !(status >= 200 && status < 400 || status == http.StatusGone)
}

// clioHeaders refuses a request that is neither a handshake nor signed.
func clioHeaders(req *http.Request) *refusal {
	if req.Header.Get(clio.HookSecretHeader) == "" && req.Header.Get("X-Hook-Signature") == "" {
		return refuse(http.StatusUnauthorized, "unsigned")
	}
	return nil
}

// clio handles the X-Hook-Secret handshake and signed deliveries.
func (r *Receiver) clio(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	ctx := req.Context()
	if secret := req.Header.Get(clio.HookSecretHeader); secret != "" {
		// Handshake: anyone who can reach the URL can send one, so the
		// secret is echoed only when Keys shows it is Clio's own for a
		// webhook Firmsync created (see Keys.ConfirmClioHandshake).
		var hs struct {
			Data struct {
				WebhookID json.Number `json:"webhook_id"`
				ID        json.Number `json:"id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &hs)
		id := string(hs.Data.WebhookID)
		if id == "" {
			id = string(hs.Data.ID)
		}
		if err := r.o.Keys.ConfirmClioHandshake(ctx, id, secret); errors.Is(err, ErrHandshakeRefused) {
			return nil, refuse(http.StatusForbidden, "unexpected handshake")
		} else if err != nil {
			r.o.Logger.Warn("could not check a Clio webhook handshake with Clio now", "webhook_id", id, "err", err)
			return nil, notNow("handshake could not be checked now", time.Minute)
		}
		w.Header().Set(clio.HookSecretHeader, secret)
		w.WriteHeader(http.StatusOK)
		r.o.Logger.Info("confirmed a Clio webhook handshake", "webhook_id", id)
		return nil, nil
	}
	sig := req.Header.Get("X-Hook-Signature")
	if sig == "" {
		return nil, refuse(http.StatusUnauthorized, "unsigned")
	}
	ok := false
	for _, s := range r.o.Keys.ClioSecrets(ctx) {
		if clio.VerifySignature(s, body, sig) {
			ok = true // keep checking the rest: constant work whatever matched
		}
	}
	if !ok {
		return nil, refuse(http.StatusUnauthorized, "bad signature")
	}
	var p struct {
		Data struct {
			ID any `json:"id"` // only the id: the other fields are not copied
		} `json:"data"`
		Meta struct {
			Event     string      `json:"event"`
			WebhookID json.Number `json:"webhook_id"`
		} `json:"meta"`
	}
	// One pass over the body (bodies reach 1 MiB): the validity check
	// runs only to name a failure.
	if err := json.Unmarshal(body, &p); err != nil {
		if !wellFormed(body) {
			return nil, refuse(http.StatusBadRequest, "malformed JSON")
		}
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	model := r.clioModel(p.Meta.WebhookID.String())
	// Hex is case-insensitive: key on one spelling so a replay cannot
	// pass as new by changing the case of the signature.
	key := "sig:" + strings.ToLower(strings.TrimSpace(sig))
	return &store.WebhookEvent{Type: model + "." + p.Meta.Event, Resource: idString(p.Data.ID), DeliveryKey: key}, nil
}

// clioModel names the model a Clio webhook watches (from its registration).
func (r *Receiver) clioModel(webhookID string) string {
	if m, ok := r.o.Keys.(interface{ ClioModel(string) string }); ok {
		if s := m.ClioModel(webhookID); s != "" {
			return s
		}
	}
	return "clio"
}

// Zoom's delivery rule. Zoom never retries a 4xx, so a delivery Firmsync
// cannot take now must get a 5xx (503), never 429.
const (
	zoomRuleSource = "Zoom webhooks docs (facts: shared/apis/zoom.md §6)"
	zoomRule       = "200/204 within 3 s acknowledges; only 5xx and network errors are retried (+5, +20, +60 min); 3xx and 4xx never"
)

func zoomRetries(status int) bool { return status == 0 || status >= 500 }

// zoomHeaders refuses a delivery without Zoom's signature headers or with
// a timestamp outside the window (as zoom.VerifySignature would, later).
func (r *Receiver) zoomHeaders(req *http.Request) *refusal {
	return r.timestampedHeaders(req, zoom.HeaderSignature, zoom.HeaderRequestTimestamp, r.o.ZoomWindow)
}

// timestampedHeaders refuses a delivery that lacks the signature or the
// timestamp header, or whose timestamp (unix seconds) is outside window.
func (r *Receiver) timestampedHeaders(req *http.Request, sigHeader, tsHeader string, window time.Duration) *refusal {
	sig, ts := req.Header.Get(sigHeader), req.Header.Get(tsHeader)
	if sig == "" || ts == "" {
		return refuse(http.StatusUnauthorized, "unsigned")
	}
	if !freshSeconds(ts, r.o.Now(), window) {
		return refuse(http.StatusUnauthorized, "stale timestamp")
	}
	return nil
}

// freshSeconds reports whether ts is Unix seconds within window of now,
// either way (Zoom's and Lawmatics' timestamp rule).
func freshSeconds(ts string, now time.Time, window time.Duration) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	return absDur(now.Sub(time.Unix(sec, 0))) <= window
}

// zoom answers endpoint.url_validation and verifies signed events.
func (r *Receiver) zoom(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	ctx := req.Context()
	secret := r.o.Keys.ZoomSecret(ctx)
	if secret == "" {
		// Not yet pasted into Firmsync: Zoom retries a 503.
		return nil, notNow("no Zoom secret token configured", time.Minute)
	}
	ts, sig := req.Header.Get("x-zm-request-timestamp"), req.Header.Get("x-zm-signature")
	if sig == "" || ts == "" {
		// Zoom signs validation requests too; an unsigned one is not Zoom.
		return nil, refuse(http.StatusUnauthorized, "unsigned")
	}
	if err := zoom.VerifySignature(secret, ts, body, sig, r.o.Now(), r.o.ZoomWindow); err != nil {
		if errors.Is(err, zoom.ErrStaleTimestamp) {
			return nil, refuse(http.StatusUnauthorized, "stale timestamp")
		}
		return nil, refuse(http.StatusUnauthorized, "bad signature")
	}
	if !wellFormed(body) {
		return nil, refuse(http.StatusBadRequest, "malformed JSON")
	}
	var p struct {
		Event   string `json:"event"`
		EventTS int64  `json:"event_ts"`
		Payload struct {
			PlainToken string `json:"plainToken"`
			Object     struct {
				UUID string `json:"uuid"`
				// meeting.summary_completed names its meeting here and
				// carries no uuid of its own (Zoom's Meetings types).
				MeetingUUID string `json:"meeting_uuid"`
				ID          any    `json:"id"`
			} `json:"object"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	if p.Event == "endpoint.url_validation" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(zoom.NewURLValidationResponse(secret, p.Payload.PlainToken))
		return nil, nil
	}
	res := cmp.Or(p.Payload.Object.UUID, p.Payload.Object.MeetingUUID, idString(p.Payload.Object.ID))
	// Zoom signs each retry anew (a new timestamp, so a new signature);
	// the event's own time, type and object, all signed, name it across
	// retries.
	key := "sig:" + sig
	if p.EventTS != 0 && res != "" {
		key = "event:" + digest(p.Event, strconv.FormatInt(p.EventTS, 10), res)
	}
	return &store.WebhookEvent{Type: p.Event, Resource: res, DeliveryKey: key}, nil
}

// Box's delivery rule. Box retries every non-2xx, so a refusal is never
// final; a redelivery of a stored event (same body id) must get a 2xx.
const (
	boxRuleSource = "Box developer docs webhooks/v2 index (facts: shared/apis/box.md §5)"
	boxRule       = "a 2xx within 30 s acknowledges; anything else is retried up to 10 times (first after 5 min, then exponential)"
)

func boxRetries(status int) bool { return status < 200 || status >= 300 }

// boxHeaders refuses a delivery without a Box signature or whose delivery
// timestamp box.VerifySignature would refuse as stale.
func (r *Receiver) boxHeaders(req *http.Request) *refusal {
	if req.Header.Get(box.HeaderSignaturePrimary) == "" && req.Header.Get(box.HeaderSignatureSecondary) == "" {
		return refuse(http.StatusUnauthorized, "unsigned")
	}
	t, err := time.Parse(time.RFC3339, req.Header.Get(box.HeaderDeliveryTimestamp))
	if age := r.o.Now().Sub(t); err != nil || age > box.MaxDeliveryAge || age < -box.MaxClockSkew {
		return refuse(http.StatusUnauthorized, "bad or stale signature")
	}
	return nil
}

// box verifies Box's primary/secondary signatures.
func (r *Receiver) box(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	primary, secondary := r.o.Keys.BoxKeys(req.Context())
	if primary == "" && secondary == "" {
		return nil, notNow("no Box signature keys configured", time.Minute)
	}
	if req.Header.Get("BOX-SIGNATURE-PRIMARY") == "" && req.Header.Get("BOX-SIGNATURE-SECONDARY") == "" {
		return nil, refuse(http.StatusUnauthorized, "unsigned")
	}
	if err := box.VerifySignature(primary, secondary, body, req.Header, r.o.Now()); err != nil {
		return nil, refuse(http.StatusUnauthorized, "bad or stale signature")
	}
	if !wellFormed(body) {
		return nil, refuse(http.StatusBadRequest, "malformed JSON")
	}
	var p struct {
		ID      string `json:"id"`
		Trigger string `json:"trigger"`
		Source  struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"source"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	// Dedupe on signed data: the event id (stable across retries), else
	// timestamp and body. BOX-DELIVERY-ID and an unchecked second
	// signature are not signed, so a replay could change them.
	key := p.ID
	if key == "" {
		key = digest(req.Header.Get(box.HeaderDeliveryTimestamp), string(body))
	}
	return &store.WebhookEvent{Type: p.Trigger, Resource: p.Source.Type + ":" + p.Source.ID, DeliveryKey: "delivery:" + key}, nil
}

// Lawmatics' delivery rule (its retries: lawmatics.WebhookRetries). Any
// 4xx but 429 is final, so Firmsync answers one only for a delivery it
// will never accept; anything it cannot take now gets 503. Delivery is at
// least once: a stored event_id gets a 2xx.
const (
	lawmaticsRuleSource = "Lawmatics outbound-webhooks guide, help.lawmatics.com/en/articles/15438485 (facts: shared/apis/lawmatics.md §8)"
	lawmaticsRule       = "any 2xx acknowledges, 10 s timeout; 7 attempts (immediately, ~15 s, ~1 min, ~5 min, ~30 min, ~1 h, ~2 h); " +
		"any 4xx other than 429 is permanent"
)

// lawmatics verifies a Lawmatics delivery as its guide says: the
// "sha256=" HMAC of "<X-Lawmatics-Timestamp>.<body>" keyed with the whole
// whsec_ secret, a timestamp at most 5 minutes old, and the v1 envelope.
// The event is identified by the signed envelope's event_id (Lawmatics
// re-signs every attempt, so the signature is no identity; the
// X-Lawmatics-Event-Id header is not signed). Its Resource is
// data.matter_id, which dispatch sends to intake as "prospect:<id>".
func (r *Receiver) lawmatics(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	secret := r.o.Keys.LawmaticsSecret(req.Context())
	if secret == "" {
		// Not yet pasted into Firmsync: a 503 keeps the event coming.
		return nil, notNow("no Lawmatics signing secret configured", time.Minute)
	}
	sig, ts := req.Header.Get(lawmatics.HeaderSignature), req.Header.Get(lawmatics.HeaderTimestamp)
	if sig == "" || ts == "" {
		return nil, refuse(http.StatusUnauthorized, "unsigned")
	}
	if err := lawmatics.Verify(secret, ts, body, sig, r.o.Now(), r.o.LawmaticsWindow); errors.Is(err, lawmatics.ErrStaleTimestamp) {
		return nil, refuse(http.StatusUnauthorized, "stale timestamp")
	} else if err != nil {
		return nil, refuse(http.StatusUnauthorized, "bad signature")
	}
	if !wellFormed(body) {
		return nil, refuse(http.StatusBadRequest, "malformed JSON")
	}
	ev, err := lawmatics.ParseWebhookEnvelope(body)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	return &store.WebhookEvent{Type: ev.EventType, Resource: string(ev.Data.MatterID), DeliveryKey: "event:" + ev.EventID}, nil
}

// lawmaticsHeaders refuses a delivery without Lawmatics' signature headers
// or with a timestamp outside the window.
func (r *Receiver) lawmaticsHeaders(req *http.Request) *refusal {
	return r.timestampedHeaders(req, lawmatics.HeaderSignature, lawmatics.HeaderTimestamp, r.o.LawmaticsWindow)
}

// ErrStillAuthorized is wrapped by a Deauthorize error when Clio still
// accepts Firmsync's token: the callback was not Clio's, or not true.
var ErrStillAuthorized = errors.New("Clio still accepts the token")

// deauthorize handles Clio's deauthorization callback. Its payload and
// signing are not documented, so the claim is checked with Clio itself.
func (r *Receiver) deauthorize(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	if r.o.Deauthorize == nil {
		return nil, refuse(http.StatusNotFound, "deauthorize not configured")
	}
	if err := r.o.Deauthorize(req.Context()); errors.Is(err, ErrStillAuthorized) {
		r.o.Logger.Warn("refused a Clio deauthorization callback", "err", err)
		return nil, refuse(http.StatusForbidden, "deauthorization not confirmed by Clio")
	} else if err != nil {
		r.o.Logger.Warn("could not check a Clio deauthorization callback; Clio will send it again", "err", err)
		return nil, notNow("deauthorization could not be checked with Clio now", time.Minute)
	}
	w.WriteHeader(http.StatusOK)
	return nil, nil
}

func idString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatInt(int64(x), 10)
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
