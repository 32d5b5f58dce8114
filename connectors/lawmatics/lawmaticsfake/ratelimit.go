package lawmaticsfake

import (
	"time"
)

// rateState is a fixed window per firm (the fake is one firm). Server.mu guards it.
type rateState struct {
	start time.Time // when the current window began; zero before the first request
	count int       // requests admitted in it
}

// allow admits one /v1 request against the firm's limit (50 per minute, on
// every endpoint and shared by every integration). Over the limit it
// returns the Retry-After seconds: the rest of the window rounded up, which
// is the documented 60 at the start of a real one-minute window and stays
// meaningful when the sandbox shrinks RateWindow. The OAuth endpoints are
// not counted: they carry no firm to count against. Lawmatics documents no
// other rate headers, so none are sent.
func (s *Server) allow() (retryAfter int, ok bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rate.start.IsZero() || !now.Before(s.rate.start.Add(s.window)) {
		s.rate = rateState{start: now}
	}
	if s.rate.count >= s.limit {
		left := s.rate.start.Add(s.window).Sub(now)
		secs := int((left + time.Second - 1) / time.Second)
		return max(secs, 1), false
	}
	s.rate.count++
	return 0, true
}
