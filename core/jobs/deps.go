// Package jobs holds Firmsync's five sync jobs, one file each, and the few
// helpers they share (phone numbers, fingerprints, names, ledger intents).
package jobs

import (
	"context"
	"errors"
	"log/slog"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/core/pms"
)

// ErrNotConnected means a platform the job needs is not connected; the run
// is skipped with that reason rather than failed item by item.
var ErrNotConnected = errors.New("not connected")

// Platforms gives jobs the API clients of the connected platforms. Each
// method returns an error wrapping ErrNotConnected when the platform is not
// connected.
type Platforms interface {
	// PMS is the firm's practice-management system (Settings
	// PracticeManagement): the jobs reach Clio, MyCase or Smokeball only
	// through it.
	PMS(ctx context.Context) (pms.System, error)
	Zoom(ctx context.Context) (*zoom.Client, error)
	Box(ctx context.Context) (*box.Client, error)
	Lawmatics(ctx context.Context) (*lawmatics.Client, error)
}

// Deps is what every job is built with.
type Deps struct {
	Platforms Platforms
	Settings  func() Settings // current settings (they can change between runs)
	Logger    *slog.Logger
}

func (d Deps) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// runEnding reports whether err ends the whole run rather than one item: a
// platform to reconnect, or the run cancelled or past its deadline (every
// later request would fail the same way, and the items are not at fault).
func runEnding(ctx context.Context, err error) bool {
	return httpx.IsReconnect(err) || ctx.Err() != nil
}
