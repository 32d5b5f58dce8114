package webhook

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firmsync/firmsync/connectors/mycase"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/core/store"
)

// PMSKeys is implemented by Keys that also hold the verification secrets
// of the MyCase and Smokeball subscriptions Firmsync created. Without it
// those deliveries are not taken now (503).
type PMSKeys interface {
	// MyCaseKeys are the hmac_keys MyCase gave Firmsync's subscriptions.
	MyCaseKeys(ctx context.Context) []string
	// SmokeballKey is the key Firmsync set on its Smokeball subscription
	// and the client id of its developer app (both are in the signature).
	SmokeballKey(ctx context.Context) (key, clientID string)
}

// MyCase's delivery rule is not documented at all [U]: the receiver
// assumes the most careful reading, that every non-2xx is retried, so a
// replay of a stored delivery gets a 2xx and what cannot be taken now a
// 503 (as for Box).
const (
	mycaseRuleSource = "not documented (facts: shared/apis/mycase.md §9, retries [U])"
	mycaseRule       = "assumed: a 2xx acknowledges; anything else is retried"
)

// Smokeball documents a 10 s timeout and that duplicates and out-of-order
// deliveries happen; its retry policy is not documented [U], so it is
// read as Box's.
const (
	smokeballRuleSource = "Smokeball webhooks guide (facts: shared/apis/smokeball.md §9, retry policy [U])"
	smokeballRule       = "a 2xx within 10 s acknowledges; deliveries may repeat or arrive out of order; retries assumed for anything else"
)

func pmsRetries(status int) bool { return status < 200 || status >= 300 }

// mycaseHeaders refuses a delivery that carries none of the signature
// headers MyCase may use [U].
func mycaseHeaders(req *http.Request) *refusal {
	for _, h := range mycase.SignatureHeaders() {
		if req.Header.Get(h) != "" {
			return nil
		}
	}
	return refuse(http.StatusUnauthorized, "unsigned")
}

// mycase verifies a MyCase delivery: an HMAC of the raw body keyed by the
// hmac_key of one of Firmsync's subscriptions (the scheme is undocumented;
// mycase.VerifyDelivery takes every reading third parties use, and an
// unsigned delivery is never taken). The body is signed, so its digest
// names the delivery across retries.
func (r *Receiver) mycase(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	pk, ok := r.o.Keys.(PMSKeys)
	if !ok {
		return nil, notNow("no MyCase webhook keys", time.Minute)
	}
	keys := pk.MyCaseKeys(req.Context())
	if len(keys) == 0 {
		return nil, notNow("no MyCase subscription keys yet", time.Minute)
	}
	verified := false
	for _, k := range keys {
		if mycase.VerifyDelivery(k, req.Header, body) {
			verified = true // keep checking the rest: constant work whatever matched
		}
	}
	if !verified {
		return nil, refuse(http.StatusUnauthorized, "bad signature")
	}
	if !wellFormed(body) {
		return nil, refuse(http.StatusBadRequest, "malformed JSON")
	}
	d, err := mycase.ParseDelivery(body)
	if err != nil || d.Model == "" || d.ID == 0 {
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	return &store.WebhookEvent{Type: d.Model + "." + d.Action, Resource: strconv.FormatInt(d.ID, 10),
		DeliveryKey: "body:" + digest(string(body))}, nil
}

// smokeballWindow bounds a Smokeball delivery's Timestamp against the
// receiver's clock [U: Smokeball states no window; five minutes, as Zoom
// and Lawmatics use, leaves room for its retries' own timestamps].
const smokeballWindow = 5 * time.Minute

// smokeballHeaders refuses a delivery without Smokeball's signature
// headers or with a Timestamp (.NET ticks) outside the window.
func (r *Receiver) smokeballHeaders(req *http.Request) *refusal {
	sig, ts, rid := req.Header.Get(smokeball.SignatureHeader), req.Header.Get(smokeball.TimestampHeader), req.Header.Get(smokeball.RequestIDHeader)
	if sig == "" || ts == "" || rid == "" {
		return refuse(http.StatusUnauthorized, "unsigned")
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || absDur(r.o.Now().Sub(smokeball.FromTicks(n))) > smokeballWindow {
		return refuse(http.StatusUnauthorized, "stale timestamp")
	}
	return nil
}

// smokeball verifies a Smokeball delivery. Smokeball signs only
// "{Timestamp}|{RequestId}|{ClientId}", not the body: a stranger holding
// one delivery's headers could send them with another body. So the
// delivery is named by those signed values alone (a second body under the
// same headers is a replay of the first), and the body is used only for
// the ids of what to read again from Smokeball's API: the jobs never take
// a record's content from a delivery.
func (r *Receiver) smokeball(w http.ResponseWriter, req *http.Request, body []byte) (*store.WebhookEvent, *refusal) {
	pk, ok := r.o.Keys.(PMSKeys)
	if !ok {
		return nil, notNow("no Smokeball webhook key", time.Minute)
	}
	key, clientID := pk.SmokeballKey(req.Context())
	if key == "" {
		return nil, notNow("no Smokeball subscription key yet", time.Minute)
	}
	if !smokeball.VerifySignature(key, clientID, req.Header) {
		return nil, refuse(http.StatusUnauthorized, "bad signature")
	}
	if !wellFormed(body) {
		return nil, refuse(http.StatusBadRequest, "malformed JSON")
	}
	ev, err := smokeball.ParseEvent(body)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "unexpected payload")
	}
	res := ev.ID
	if strings.HasPrefix(ev.Type, "files.") || res == "" {
		res = ev.MatterID // files events name their matter
	}
	return &store.WebhookEvent{Type: ev.Type, Resource: res,
		DeliveryKey: "request:" + digest(req.Header.Get(smokeball.TimestampHeader), req.Header.Get(smokeball.RequestIDHeader))}, nil
}
