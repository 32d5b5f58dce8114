// Command firmsync is the Firmsync desktop app and its headless commands.
// This file only wires the process to run; cli.go holds the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	// First among Firmsync's imports in initialisation order: it must act
	// before the GUI toolkit reads the locale (see the package comment).
	_ "github.com/firmsync/firmsync/cmd/firmsync/internal/cleanlocale"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}
