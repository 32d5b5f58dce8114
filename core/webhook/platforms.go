package webhook

import (
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

// clio handles the X-Hook-Secret handshake and signed deliveries.
func (r *Receiver) clio(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	ctx := req.Context()
	if secret := req.Header.Get("X-Hook-Secret"); secret != "" {
		// Handshake: echo the secret only for a webhook we just created.
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
		if !r.o.Keys.ExpectClioHandshake(ctx, id, secret) {
			return nil, refuse(http.StatusForbidden, "unexpected handshake")
		}
		w.Header().Set("X-Hook-Secret", secret)
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
	if !wellFormed(body) {
		return nil, refuse(http.StatusBadRequest, "malformed JSON")
	}
	var p struct {
		Data map[string]any `json:"data"`
		Meta struct {
			Event     string      `json:"event"`
			WebhookID json.Number `json:"webhook_id"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	model := r.clioModel(p.Meta.WebhookID.String())
	// Hex is case-insensitive: key on one spelling so a replay cannot
	// pass as new by changing the case of the signature.
	key := "sig:" + strings.ToLower(strings.TrimSpace(sig))
	return &store.WebhookEvent{Type: model + "." + p.Meta.Event, Resource: idString(p.Data["id"]), DeliveryKey: key}, nil
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

// zoom answers endpoint.url_validation and verifies signed events.
func (r *Receiver) zoom(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	ctx := req.Context()
	secret := r.o.Keys.ZoomSecret(ctx)
	if secret == "" {
		return nil, refuse(http.StatusServiceUnavailable, "no Zoom secret token configured")
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
				ID   any    `json:"id"`
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
	res := p.Payload.Object.UUID
	if res == "" {
		res = idString(p.Payload.Object.ID)
	}
	return &store.WebhookEvent{Type: p.Event, Resource: res, DeliveryKey: "sig:" + sig}, nil
}

// box verifies Box's primary/secondary signatures.
func (r *Receiver) box(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	primary, secondary := r.o.Keys.BoxKeys(req.Context())
	if primary == "" && secondary == "" {
		return nil, refuse(http.StatusServiceUnavailable, "no Box signature keys configured")
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

// lawmatics verifies X-Lawmatics-Signature (algorithm per lawmatics.Sign).
func (r *Receiver) lawmatics(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	secret := r.o.Keys.LawmaticsSecret(req.Context())
	if secret == "" {
		return nil, refuse(http.StatusServiceUnavailable, "no Lawmatics signing secret configured")
	}
	sig, ts := req.Header.Get(lawmatics.HeaderSignature), req.Header.Get(lawmatics.HeaderTimestamp)
	if sig == "" || ts == "" {
		return nil, refuse(http.StatusUnauthorized, "unsigned")
	}
	if !lawmatics.VerifySignature(secret, ts, body, sig) {
		return nil, refuse(http.StatusUnauthorized, "bad signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || absDur(r.o.Now().Sub(time.Unix(sec, 0))) > r.o.LawmaticsWindow {
		return nil, refuse(http.StatusUnauthorized, "stale timestamp")
	}
	if !wellFormed(body) {
		return nil, refuse(http.StatusBadRequest, "malformed JSON")
	}
	var p struct {
		Event string `json:"event"`
		ID    any    `json:"id"`
		Data  struct {
			ID any `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	return &store.WebhookEvent{Type: p.Event, Resource: idString(p.Data.ID), DeliveryKey: "sig:" + sig}, nil
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
		w.Header().Set("Retry-After", "60")
		return nil, refuse(http.StatusServiceUnavailable, "deauthorization could not be checked with Clio now")
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
