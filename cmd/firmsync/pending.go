package main

import (
	"context"
	"errors"
)

// These commands parse and validate today; their behaviour arrives with the
// connectors, jobs and sandbox (see the issues). They fail loudly rather
// than pretend to work.
var errNotYet = errors.New("not available in this build yet")

func cmdSync(ctx context.Context, e env, o *opts) error       { return errNotYet }
func cmdConnect(ctx context.Context, e env, o *opts) error    { return errNotYet }
func cmdDisconnect(ctx context.Context, e env, o *opts) error { return errNotYet }
func cmdRetry(ctx context.Context, e env, o *opts) error      { return errNotYet }
