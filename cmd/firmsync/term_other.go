//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly || windows)

package main

import (
	"errors"
	"os"
)

// isTerminal cannot tell here; saying no makes secrets come from a pipe.
func isTerminal(*os.File) bool { return false }

func echoOff(*os.File) (func(), error) {
	return nil, errors.New("hiding typed input is not supported on this system")
}
