package core

// ClioHandshakeChecksForTest is how many Clio calls were made on behalf of
// webhook handshakes.
func (a *App) ClioHandshakeChecksForTest() int64 { return a.webhookKeys.handshakeChecks.Load() }
