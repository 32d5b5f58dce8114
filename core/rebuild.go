package core

import (
	"errors"
	"fmt"
	"time"

	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/store"
)

// RebuildState starts the state database of dataDir over: the old file,
// damaged or not, is moved aside (kept, never deleted), a fresh one is
// created, and the connections and settings the old one still lets it read
// are copied in. It must run while no App owns dataDir; afterwards Open the
// App and Sync, and the jobs find their earlier work on the platforms.
func RebuildState(dataDir string, now time.Time) (store.Rebuilt, error) {
	if dataDir == "" {
		return store.Rebuilt{}, errors.New("core: no data directory given")
	}
	// A running Firmsync answers on its control endpoint; its file is in
	// use and must not move from under it.
	if _, err := Dial(dataDir); err == nil {
		return store.Rebuilt{}, &AlreadyRunningError{Dir: dataDir}
	}
	if err := datadir.Prepare(dataDir); err != nil {
		return store.Rebuilt{}, err
	}
	res, err := store.RebuildFile(datadir.DBPath(dataDir), now, store.Options{})
	if errors.Is(err, store.ErrLocked) {
		return res, &AlreadyRunningError{Dir: dataDir}
	}
	if err != nil {
		return res, fmt.Errorf("rebuilding the state in %s: %w", dataDir, err)
	}
	return res, nil
}
