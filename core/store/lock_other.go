//go:build !unix

package store

import "time"

// lockFile is a no-op where bbolt does not use flock: on Windows the file
// another Firmsync has open cannot be renamed, so moveAside fails on its
// own with the reason.
func lockFile(string, time.Duration) (unlock func(), err error) { return func() {}, nil }
