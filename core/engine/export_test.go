package engine

// OnQueued makes e call f each time a trigger joins a follow-up run, so a
// test can order "a trigger waits behind the running run" without sleeps.
// Set it before the first Run or Trigger.
func OnQueued(e *Engine, f func(job string, t Trigger)) { e.queued = f }
