package smokeball

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Backoff of the Wait* polls: Smokeball applies most writes within a
// second or two [U], so the first polls come quickly.
const (
	waitFirst = 250 * time.Millisecond
	waitMax   = 5 * time.Second
)

// WaitContact polls Contact(id) until the accepted create is visible (it
// stops returning ErrNotFound), with backoff, for up to WriteWait. Any
// other error ends the wait at once.
func (c *Client) WaitContact(ctx context.Context, id string) (Contact, error) {
	return waitFor(ctx, c, "contact "+id, func() (Contact, error) { return c.Contact(ctx, id) })
}

// WaitMatter polls Matter(id) as WaitContact does.
func (c *Client) WaitMatter(ctx context.Context, id string) (Matter, error) {
	return waitFor(ctx, c, "matter "+id, func() (Matter, error) { return c.Matter(ctx, id) })
}

// ErrNotApplied: an accepted change to a record that exists had not shown
// when WaitContactUntil gave up.
var ErrNotApplied = errors.New("accepted change not applied yet")

// WaitContactUntil polls Contact(id) as WaitContact does, until done
// accepts what it reads: an accepted update (202) to a contact that exists
// shows only in its content.
func (c *Client) WaitContactUntil(ctx context.Context, id string, done func(Contact) bool) (Contact, error) {
	return waitFor(ctx, c, "the change to contact "+id, func() (Contact, error) {
		ct, err := c.Contact(ctx, id)
		if err == nil && !done(ct) {
			return ct, ErrNotApplied
		}
		return ct, err
	})
}

// waitFor calls get until it stops failing with ErrNotFound (or
// ErrNotApplied). The budget is counted in slept time, so an injected
// sleep makes it deterministic.
func waitFor[T any](ctx context.Context, c *Client, what string, get func() (T, error)) (T, error) {
	var zero T
	var slept time.Duration
	d := waitFirst
	for {
		v, err := get()
		if err == nil || !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrNotApplied) {
			return v, err
		}
		if slept >= c.writeWait {
			return zero, fmt.Errorf("smokeball: %s still not visible after %v (the write may have failed; see the error webhook): %w", what, c.writeWait, err)
		}
		d = min(d, c.writeWait-slept)
		if err := sleepCtx(ctx, c.sleep, d); err != nil {
			return zero, err
		}
		slept += d
		d = min(2*d, waitMax)
	}
}
