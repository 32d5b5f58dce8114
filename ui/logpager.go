package ui

import (
	"github.com/firmsync/firmsync/core/store"
)

// logPageSize is how many log records one store query fetches.
const logPageSize = 200

// logPagesCached bounds the records held in memory (pages × page size).
const logPagesCached = 16

// logPager reads the activity log newest first, page by page, with
// BeforeID paging. It keeps only a few pages of records plus the id at
// each page boundary it has seen, so a view over 100,000 records holds a
// few thousand at most. It is used on the UI goroutine only.
type logPager struct {
	st    *store.Store
	q     store.LogQuery // the filters; BeforeID and Limit are set per page
	size  int
	total int // rows matching q (from CountLog); -1 until known

	bounds []uint64 // bounds[k]: BeforeID of page k (0 for the first page)
	ended  int      // index of the last page once a short page was seen; -1 until then
	pages  map[int][]store.LogRecord
	lru    []int // cached page indexes, least recently used first
	err    error // the last query error

	// problems, when set, makes the rows the open problems' latest
	// attempts ("Needs attention now") instead of the log.
	problems []store.LogRecord
	// states caches each row item's problem (found or not), so a row's
	// status can say "Fixed later" instead of a stale "Needs attention".
	states map[string]problemState
}

// problemState is what the pager knows of one item's problem.
type problemState struct {
	p     store.Problem
	found bool
}

func newLogPager(st *store.Store, q store.LogQuery) *logPager {
	q.BeforeID, q.Limit = 0, 0
	return &logPager{st: st, q: q, size: logPageSize, total: -1, bounds: []uint64{0}, ended: -1, pages: map[int][]store.LogRecord{},
		states: map[string]problemState{}}
}

// newProblemPager lists the open problems, the most recently attempted
// first, each as its latest attempt. Its total is known at once.
func newProblemPager(st *store.Store) (*logPager, error) {
	ps, err := st.OpenProblems("")
	if err != nil {
		return nil, err
	}
	p := newLogPager(st, store.LogQuery{})
	p.problems = make([]store.LogRecord, 0, len(ps))
	for _, pr := range ps {
		p.problems = append(p.problems, pr.Record())
		p.states[pr.Job+"\x00"+pr.Key] = problemState{p: pr, found: true}
	}
	p.total = len(ps)
	return p, nil
}

// problemOf returns the problem of rec's item, read once per pager.
func (p *logPager) problemOf(rec store.LogRecord) (store.Problem, bool) {
	if rec.Job == "" || rec.ItemKey == "" {
		return store.Problem{}, false
	}
	k := rec.Job + "\x00" + rec.ItemKey
	s, ok := p.states[k]
	if !ok {
		pr, found, err := p.st.ProblemOf(rec.Job, rec.ItemKey)
		s = problemState{p: pr, found: found && err == nil}
		p.states[k] = s
	}
	return s.p, s.found
}

// count asks the store how many rows match (may walk the log when
// searching text).
func (p *logPager) count() (int, error) {
	if p.problems != nil {
		return len(p.problems), nil
	}
	return p.st.CountLog(p.q)
}

// row returns row i (0 = newest), fetching its page if needed.
func (p *logPager) row(i int) (store.LogRecord, bool) {
	if i < 0 {
		return store.LogRecord{}, false
	}
	if p.problems != nil {
		if i >= len(p.problems) {
			return store.LogRecord{}, false
		}
		return p.problems[i], true
	}
	k, off := i/p.size, i%p.size
	pg, ok := p.page(k)
	if !ok || off >= len(pg) {
		return store.LogRecord{}, false
	}
	return pg[off], true
}

// loaded reports how many rows are known to exist so far without a count.
func (p *logPager) loaded() int {
	if p.problems != nil {
		return len(p.problems)
	}
	if p.ended >= 0 {
		return p.ended*p.size + len(p.pages[p.ended])
	}
	n := 0
	for k := range p.bounds {
		if pg, ok := p.pages[k]; ok {
			n = max(n, k*p.size+len(pg))
		}
	}
	return n
}

// page returns page k, walking forward from the last known boundary.
func (p *logPager) page(k int) ([]store.LogRecord, bool) {
	if p.problems != nil {
		return nil, false // rows come from p.problems
	}
	if pg, ok := p.pages[k]; ok {
		p.touch(k)
		return pg, true
	}
	if p.ended >= 0 && k > p.ended {
		return nil, false
	}
	for len(p.bounds) <= k {
		// The boundary of page k is unknown: read the pages before it.
		last := len(p.bounds) - 1
		if _, ok := p.fetch(last); !ok {
			return nil, false
		}
		if p.ended >= 0 && k > p.ended {
			return nil, false
		}
	}
	return p.fetch(k)
}

// fetch queries page k, whose boundary is known.
func (p *logPager) fetch(k int) ([]store.LogRecord, bool) {
	q := p.q
	q.BeforeID, q.Limit = p.bounds[k], p.size
	recs, err := p.st.QueryLog(q)
	if err != nil {
		p.err = err
		return nil, false
	}
	p.err = nil
	if len(recs) < p.size {
		p.ended = k
	}
	if len(recs) > 0 && len(p.bounds) == k+1 && len(recs) == p.size {
		p.bounds = append(p.bounds, recs[len(recs)-1].ID)
	}
	p.pages[k] = recs
	p.touch(k)
	for len(p.lru) > logPagesCached {
		delete(p.pages, p.lru[0])
		p.lru = p.lru[1:]
	}
	return recs, true
}

func (p *logPager) touch(k int) {
	for i, v := range p.lru {
		if v == k {
			p.lru = append(p.lru[:i], p.lru[i+1:]...)
			break
		}
	}
	p.lru = append(p.lru, k)
}

// each calls fn for every matching record, newest first, a page at a
// time, without caching (for export).
func (p *logPager) each(fn func(store.LogRecord) error) error {
	if p.problems != nil {
		for _, r := range p.problems {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	q := p.q
	q.Limit = p.size
	for {
		recs, err := p.st.QueryLog(q)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(recs) < p.size {
			return nil
		}
		q.BeforeID = recs[len(recs)-1].ID
	}
}
