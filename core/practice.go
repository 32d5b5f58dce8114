package core

import (
	"errors"
	"fmt"

	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/pms"
)

// ErrSwitchRefused is returned by SaveSettings when a firm that has
// already synced asks for another practice-management system.
var ErrSwitchRefused = errors.New("switching the practice-management system is refused")

// PracticeManagement is the firm's practice-management system kind
// ("clio", "mycase" or "smokeball").
func (a *App) PracticeManagement() string { return a.Settings().Jobs.PracticeManagement }

// Platforms lists the platforms this firm connects to, in display order:
// its practice-management system first, then Lawmatics, Zoom and Box.
func (a *App) Platforms() []string { return PlatformsFor(a.PracticeManagement()) }

// checkSwitch refuses a change of practice-management system once any
// job has linked a record: every link (a Zoom contact's id, a matter's Box
// folder, a posted note) names a record of the old system, and following
// them into the new one would create duplicates or update the wrong
// client's records.
func (a *App) checkSwitch(from, to string) error {
	if from == to {
		return nil
	}
	for _, j := range Jobs() {
		entries, err := a.store.LedgerEntries(j, "")
		if err != nil {
			return fmt.Errorf("checking whether Firmsync has synced this firm: %w", err)
		}
		if len(entries) > 0 {
			return fmt.Errorf("%w: Firmsync has already synced this firm with %s, and its links (Zoom contacts, matter "+
				"folders in Box, call notes) point at %s records. Keep %s, or run Firmsync for %s with a new data "+
				"folder (--data or %s), so nothing is duplicated or written to the wrong client",
				ErrSwitchRefused, pms.Name(from), pms.Name(from), pms.Name(from), pms.Name(to), datadir.EnvVar)
		}
	}
	return nil
}
