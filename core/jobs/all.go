package jobs

import "github.com/firmsync/firmsync/core/engine"

// All returns the five jobs.
func All(d Deps) []engine.Job {
	return []engine.Job{
		&Contacts{Deps: d},
		&Recordings{Deps: d},
		&Folders{Deps: d},
		&Documents{Deps: d},
		&Intake{Deps: d},
	}
}
