package core

import (
	"time"

	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/store"
)

// jobPlatforms lists the platforms each job reads or writes.
func jobPlatforms(job string) []string {
	switch job {
	case JobContacts:
		return []string{Clio, Lawmatics, Zoom}
	case JobRecordings:
		return []string{Zoom, Clio, Lawmatics}
	case JobFolders:
		return []string{Clio, Box}
	case JobDocuments:
		return []string{Clio, Box}
	case JobIntake:
		return []string{Lawmatics, Clio}
	}
	return nil
}

// trackLastSync records, per connected platform, when a run that used it
// last finished without a run-level error, until the App closes.
func (a *App) trackLastSync() {
	sub := a.bus.Subscribe(events.RunFinished)
	go func() {
		defer sub.Unsubscribe()
		for {
			select {
			case <-a.life.Done():
				return
			case ev, ok := <-sub.C():
				if !ok {
					return
				}
				d, _ := ev.Data.(events.RunData)
				if d.Status != "succeeded" && d.Status != "partial" {
					continue
				}
				for _, p := range jobPlatforms(d.Job) {
					_ = a.store.UpdateConnection(p, func(c *store.Connection) error {
						if c.Status == store.ConnConnected {
							c.LastSync = time.Now()
						}
						return nil
					})
				}
			}
		}
	}()
}
