package engine

import "time"

// Mark computes a time watermark that only moves past items that all
// succeeded. A job feeds it the source timestamp of every item an
// incremental listing returned; Value is the time below which everything
// is done. (Targeted runs, e.g. from a webhook, do not move watermarks.)
type Mark struct {
	prev    time.Time // the stored watermark
	maxOK   time.Time // latest successful item
	minHeld time.Time // earliest failed or parked item
	held    bool
}

// NewMark starts from the stored watermark.
func NewMark(prev time.Time) *Mark { return &Mark{prev: prev} }

// OK records an item that succeeded (or needed nothing).
func (m *Mark) OK(t time.Time) {
	if t.After(m.maxOK) {
		m.maxOK = t
	}
}

// Hold records an item that failed or is parked: the mark may not pass it.
func (m *Mark) Hold(t time.Time) {
	if !m.held || t.Before(m.minHeld) {
		m.minHeld, m.held = t, true
	}
}

// Held reports whether any item held the mark back.
func (m *Mark) Held() bool { return m.held }

// Value is the new watermark: the earliest held item's time when any item
// failed (the next listing, which includes that time, sees it again), else
// the latest successful item's time, else the previous mark.
func (m *Mark) Value() time.Time {
	if m.held {
		return m.minHeld
	}
	if m.maxOK.After(m.prev) {
		return m.maxOK
	}
	return m.prev
}
