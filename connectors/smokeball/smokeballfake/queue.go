package smokeballfake

import (
	"errors"
	"net/http"
	"slices"
	"time"
)

// origin is what caused a change: an API call (its RequestId, host and
// resource) or a person in Smokeball's UI. Webhooks carry it.
type origin struct {
	requestID string // echoed in webhooks
	base      string // scheme://host for hrefs
	method    string
	path      string
	source    string // "API" or "UI" [U]
}

func (s *Server) apiOrigin(r *http.Request) origin {
	id := r.Header.Get("RequestId")
	if id == "" {
		id = newGUID() // [U] Smokeball's own id when the caller sent none
	}
	return origin{requestID: id, base: requestBase(r), method: r.Method, path: r.URL.Path, source: "API"}
}

// uiOriginLocked is the origin of an admin (UI) change; the caller holds mu.
func (s *Server) uiOriginLocked() origin {
	return origin{requestID: newGUID(), base: s.lastBase, source: "UI"}
}

// writeError is a queued write failing validation when applied; it becomes
// an `error` webhook.
type writeError struct {
	resourceID string
	title      string
	errs       validation
}

func (e *writeError) Error() string { return e.title }

func failWrite(resourceID, field, msg string) error {
	v := validation{}
	v.add(field, msg)
	return &writeError{resourceID: resourceID, title: "One or more validation errors occurred.", errs: v}
}

// pendingWrite is an accepted write waiting to be applied.
type pendingWrite struct {
	seq   int64
	o     origin
	apply func(o origin) error // runs under mu
	timer *time.Timer
}

func (s *Server) writeDelay() time.Duration {
	switch {
	case s.opts.WriteDelay > 0:
		return s.opts.WriteDelay
	case s.opts.WriteDelay < 0:
		return 0
	}
	return 300 * time.Millisecond
}

// scheduleLocked queues apply to run after WriteDelay, in acceptance
// order. The caller holds mu.
func (s *Server) scheduleLocked(o origin, apply func(o origin) error) {
	if s.closed {
		return
	}
	s.pendingSeq++
	p := &pendingWrite{seq: s.pendingSeq, o: o, apply: apply}
	s.pending[p.seq] = p
	s.wg.Add(1)
	seq := p.seq
	p.timer = time.AfterFunc(s.writeDelay(), func() { s.applyThrough(seq) })
}

// applyThrough applies every pending write accepted up to seq (earlier
// ones first, so a create is in place before a later update of it).
func (s *Server) applyThrough(seq int64) {
	s.mu.Lock()
	var due []*pendingWrite
	for k, p := range s.pending {
		if k <= seq {
			due = append(due, p)
			delete(s.pending, k)
		}
	}
	slices.SortFunc(due, func(a, b *pendingWrite) int { return int(a.seq - b.seq) })
	for _, p := range due {
		p.timer.Stop()
		s.runLocked(p)
	}
	s.unlockAndFlush()
	for range due {
		s.wg.Done()
	}
}

// Flush applies every accepted write now instead of after WriteDelay.
func (s *Server) Flush() {
	s.mu.Lock()
	last := s.pendingSeq
	s.mu.Unlock()
	s.applyThrough(last)
}

// Pending is the number of accepted writes not applied yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// runLocked applies one write; a failure posts an `error` webhook. The
// caller holds mu.
func (s *Server) runLocked(p *pendingWrite) {
	err := p.apply(p.o)
	if err == nil {
		return
	}
	var we *writeError
	if !errors.As(err, &we) {
		we = &writeError{title: err.Error()}
	}
	// [U] The error payload's shape is not documented: a ProblemDetails
	// for the failed request plus the id and href of the resource it meant
	// to change.
	payload := map[string]any{
		"id":       we.resourceID,
		"href":     p.o.base + p.o.path + "/" + we.resourceID,
		"method":   p.o.method,
		"type":     problemTypes[http.StatusBadRequest],
		"title":    we.title,
		"status":   http.StatusBadRequest,
		"detail":   "See the errors field for details.",
		"instance": p.o.path,
		"errors":   we.errs,
	}
	if p.o.method == http.MethodPost {
		payload["href"] = p.o.base + p.o.path
	}
	s.emitLocked("error", p.o, payload)
}
