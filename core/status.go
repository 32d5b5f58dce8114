package core

import (
	"context"
	"fmt"
	"time"
)

// Status is what `firmsync status` and the GUI's overview show.
type Status struct {
	DataDir     string             `json:"data_dir"`
	Sandbox     *SandboxInfo       `json:"sandbox,omitempty"`
	Connections []ConnectionStatus `json:"connections"`
	Jobs        []JobStatus        `json:"jobs"`
	// SignInPort is the loopback port of the sign-in redirect, on which the
	// redirect URIs to register depend (see AppCredentials).
	SignInPort int `json:"sign_in_port,omitempty"`
	// NeedsAttention is the number of open problems: the same number as
	// the window's banner and the tray.
	NeedsAttention int `json:"needs_attention"`
}

// ConnectionStatus describes one platform's connection. It never carries a
// token: only whether one exists and when it expires.
type ConnectionStatus struct {
	Platform    string     `json:"platform"`
	Connected   bool       `json:"connected"`
	Status      string     `json:"status"`
	Account     string     `json:"account,omitempty"`
	AccountID   string     `json:"account_id,omitempty"`
	Email       string     `json:"email,omitempty"`
	Region      string     `json:"region,omitempty"`
	TokenExpiry *time.Time `json:"token_expiry,omitempty"`
	LastSync    *time.Time `json:"last_sync,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	// Webhooks are the registrations Firmsync keeps (or asks the user to
	// paste), with their expiry and the last verified event.
	Webhooks []WebhookStatus `json:"webhooks,omitempty"`
}

// WebhookStatus is one webhook registration as status shows it.
type WebhookStatus struct {
	Model       string     `json:"model,omitempty"`
	URL         string     `json:"url,omitempty"`
	Status      string     `json:"status,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	Expiring    bool       `json:"expiring,omitempty"` // under the renewal margin
	LastEventAt *time.Time `json:"last_event_at,omitempty"`
	Error       string     `json:"error,omitempty"`
}

// JobStatus describes one job's last and next run.
type JobStatus struct {
	Job        string     `json:"job"`
	LastRun    *time.Time `json:"last_run,omitempty"`
	LastStatus string     `json:"last_status,omitempty"`
	Created    int        `json:"created"`
	Updated    int        `json:"updated"`
	Failed     int        `json:"failed"`
	NextRun    *time.Time `json:"next_run,omitempty"`
	// WaitingFor lists the platforms that must be connected before the job
	// can run at all, and Waiting says so in words ("waiting for Clio to be
	// connected"). They describe now, whatever the last run said.
	WaitingFor []string `json:"waiting_for,omitempty"`
	Waiting    string   `json:"waiting,omitempty"`
	// LastTrigger says what started the last run ("schedule", "webhook",
	// "manual", "retry"), LastError why it failed or was skipped, and
	// Deleted completes its counts. LastChange is the newest recent run
	// that changed something, from any trigger (see fillActivity).
	LastTrigger string       `json:"last_trigger,omitempty"`
	LastError   string       `json:"last_error,omitempty"`
	Deleted     int          `json:"deleted,omitempty"`
	LastChange  *JobActivity `json:"last_change,omitempty"`
}

// SandboxInfo tells scripts where the sandbox's admin API and fake
// platforms listen.
type SandboxInfo struct {
	Admin     string            `json:"admin"`
	Platforms map[string]string `json:"platforms"`
}

// Status gathers the current status from the store.
func (a *App) Status(ctx context.Context) (Status, error) {
	st := Status{DataDir: a.opts.DataDir, SignInPort: a.Settings().OAuthPort}
	for _, p := range a.Platforms() {
		c, err := a.store.Connection(p)
		if err != nil {
			return Status{}, fmt.Errorf("reading %s connection: %w", p, err)
		}
		cs := ConnectionStatus{
			Platform: p, Status: c.Status, Account: c.AccountName, AccountID: c.AccountID,
			Email: c.AccountEmail, Region: c.Region, LastError: c.LastError,
			TokenExpiry: timePtr(c.TokenExpiry), LastSync: timePtr(c.LastSync),
		}
		for _, w := range c.Webhooks {
			ws := WebhookStatus{Model: w.Model, URL: w.URL, Status: w.Status, ExpiresAt: timePtr(w.ExpiresAt),
				LastEventAt: timePtr(w.LastEventAt), Error: w.LastError}
			ws.Expiring = !w.ExpiresAt.IsZero() && time.Until(w.ExpiresAt) < clioRenewWithin
			cs.Webhooks = append(cs.Webhooks, ws)
		}
		cs.Connected = c.Status != "" && c.Status != "disconnected"
		if cs.Status == "" {
			cs.Status = "disconnected"
		}
		if cs.Connected {
			// The keychain has the live expiry (refreshes rotate it).
			if exp := a.tokenExpiry(ctx, p); !exp.IsZero() {
				cs.TokenExpiry = &exp
			}
		}
		st.Connections = append(st.Connections, cs)
	}
	waits, err := a.jobWaits()
	if err != nil {
		return Status{}, err
	}
	for _, j := range Jobs() {
		js := JobStatus{Job: j, WaitingFor: waits[j].platforms, Waiting: waits[j].text}
		if err := a.fillActivity(&js); err != nil {
			return Status{}, err
		}
		if a.sched != nil {
			js.NextRun = timePtr(a.sched.NextRun(j))
		}
		st.Jobs = append(st.Jobs, js)
	}
	if a.inSandbox() {
		info := a.sandboxInfo()
		st.Sandbox = &SandboxInfo{Admin: info.Admin, Platforms: map[string]string{}}
		for _, p := range a.Platforms() {
			st.Sandbox.Platforms[p] = info.Platforms[p].APIBase
		}
	}
	n, err := a.NeedsAttention()
	if err != nil {
		return Status{}, fmt.Errorf("counting the items that need attention: %w", err)
	}
	st.NeedsAttention = n
	return st, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
