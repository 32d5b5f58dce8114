package auth

import (
	"log/slog"
	"net"
	"sync"
	"time"
)

// The loopback listener is reachable by every program on the machine and,
// through <img src="http://127.0.0.1:53682/...">, by every web page the user
// opens while a sign-in waits. These bounds keep such strangers from making
// it hold an unbounded number of connections or header bytes, or from
// filling the log.
const (
	// maxCallbackConns is how many connections the listener serves at once;
	// more wait in the kernel's accept queue. A browser opens at most six
	// per host, so the real redirect always finds a slot once a stranger's
	// connection ends (at the latest after callbackHeaderTimeout).
	maxCallbackConns = 32
	// maxCallbackHeaderBytes bounds one request's line and headers. The
	// redirect is well under 2 KiB; the rest is room for cookies a browser
	// keeps for 127.0.0.1 from other local tools.
	maxCallbackHeaderBytes = 32 << 10
	// callbackHeaderTimeout bounds how long a connection may dribble its
	// headers (slowloris) while holding a slot.
	callbackHeaderTimeout = 5 * time.Second
	// strayLogEvery is the least time between two log records about
	// requests the listener ignored; the ones in between are only counted.
	strayLogEvery = 10 * time.Second
)

// limitListener serves at most cap(sem) connections at a time: Accept waits
// for a slot before taking the next connection off the kernel's queue.
type limitListener struct {
	net.Listener
	sem       chan struct{} // one token per open connection
	done      chan struct{} // closed by Close: unblocks a waiting Accept
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

// Close implements net.Listener.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back on the first Close (http.Server may close
// a connection more than once).
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// strayLog notes requests the callback ignored, at most one record per
// strayLogEvery, so a page looping requests at the listener cannot grow the
// operational log. It keeps counters only, never the requests.
type strayLog struct {
	log      *slog.Logger
	platform string
	now      func() time.Time

	mu         sync.Mutex // guards the fields below
	last       time.Time  // when the last record was written
	suppressed int        // ignored since that record, not logged
	total      int        // ignored in this sign-in
}

// note counts one ignored request and logs it unless a record was written
// less than strayLogEvery ago. path is the request's path (never its query,
// which may carry someone's code); why says what was wrong with it.
func (s *strayLog) note(path, why string) {
	s.mu.Lock()
	s.total++
	now := s.now()
	if !s.last.IsZero() && now.Sub(s.last) < strayLogEvery {
		s.suppressed++
		s.mu.Unlock()
		return
	}
	skipped := s.suppressed
	s.suppressed = 0
	s.last = now
	s.mu.Unlock()
	if len(path) > 64 {
		path = path[:64] + "…"
	}
	s.log.Warn("the sign-in listener ignored a request that is not the awaited sign-in; still waiting",
		"platform", s.platform, "path", path, "reason", why, "ignored_unlogged_before", skipped)
}

// ignored is how many requests were ignored in this sign-in.
func (s *strayLog) ignored() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}
