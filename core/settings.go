package core

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/events"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/schedule"
)

// DefaultWebhookPort is where the webhook receiver listens on 127.0.0.1;
// the tunnel (cloudflared, ngrok) forwards to it.
const DefaultWebhookPort = 8787

// Settings are everything a firm can change. Secrets are not here: they
// live in the keychain.
type Settings struct {
	Jobs            jobs.Settings            `json:"jobs"`
	Schedules       map[string]string        `json:"schedules"`        // job → cron or "every 15m"
	TimeZone        string                   `json:"time_zone"`        // IANA name; "" = the computer's
	SchedulesPaused bool                     `json:"schedules_paused"` // all schedules paused
	TunnelURL       string                   `json:"tunnel_url"`       // public HTTPS URL forwarding to the receiver
	WebhookPort     int                      `json:"webhook_port"`     // receiver port on 127.0.0.1
	OAuthPort       int                      `json:"oauth_port"`       // OAuth redirect listener port
	Retry           map[string]engine.Policy `json:"retry"`            // job → retry policy
	StartAtLogin    *bool                    `json:"start_at_login"`   // nil: not decided yet (on after first connect)
}

const settingsKey = "app"

// DefaultSettings is a new firm's configuration.
func DefaultSettings() Settings {
	return Settings{
		Jobs:        jobs.Defaults(),
		Schedules:   schedule.Defaults(),
		WebhookPort: DefaultWebhookPort,
		OAuthPort:   auth.DefaultPort,
		Retry:       engine.DefaultPolicies(),
	}
}

// normalize fills what a stored (possibly older) settings document lacks.
func (s Settings) normalize() Settings {
	d := DefaultSettings()
	s.Jobs = s.Jobs.Normalize()
	if s.Schedules == nil {
		s.Schedules = map[string]string{}
	}
	for j, v := range d.Schedules {
		if _, ok := s.Schedules[j]; !ok {
			s.Schedules[j] = v
		}
	}
	if s.WebhookPort == 0 {
		s.WebhookPort = d.WebhookPort
	}
	if s.OAuthPort == 0 {
		s.OAuthPort = d.OAuthPort
	}
	if s.Retry == nil {
		s.Retry = map[string]engine.Policy{}
	}
	for j, p := range d.Retry {
		if _, ok := s.Retry[j]; !ok {
			s.Retry[j] = p
		}
	}
	return s
}

// Validate checks every field a person can type, naming what is wrong.
func (s Settings) Validate() error {
	var errs []error
	if err := s.Jobs.Validate(); err != nil {
		errs = append(errs, err)
	}
	if _, err := schedule.ParseAll(s.Schedules); err != nil {
		errs = append(errs, err)
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			errs = append(errs, fmt.Errorf("time zone %q is not a known zone such as America/New_York", s.TimeZone))
		}
	}
	if s.TunnelURL != "" {
		if err := validateTunnel(s.TunnelURL); err != nil {
			errs = append(errs, err)
		}
	}
	for _, p := range []struct {
		name string
		v    int
	}{{"webhook port", s.WebhookPort}, {"sign-in port", s.OAuthPort}} {
		if p.v < 1024 || p.v > 65535 {
			errs = append(errs, fmt.Errorf("%s %d is not between 1024 and 65535", p.name, p.v))
		}
	}
	for j, p := range s.Retry {
		if err := p.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s retry policy: %w", j, err))
		}
	}
	return errors.Join(errs...)
}

func validateTunnel(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("tunnel URL %q is not a URL such as https://firm.example.trycloudflare.com", raw)
	}
	if u.Scheme != "https" && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("tunnel URL must start with https:// (the platforms only deliver webhooks over HTTPS)")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("tunnel URL must not carry a query or fragment")
	}
	return nil
}

func isLoopbackHost(h string) bool {
	return h == "127.0.0.1" || h == "localhost" || h == "::1"
}

// Settings returns the current settings.
func (a *App) Settings() Settings {
	var s Settings
	found, err := a.store.Setting(settingsKey, &s)
	if err != nil {
		a.Logger().Error("reading settings; using defaults", "err", err)
	}
	if !found || err != nil {
		s = DefaultSettings()
	}
	s = s.normalize()
	if a.inSandbox() && (s.Jobs.BoxRootFolderID == "" || s.Jobs.BoxRootFolderID == "0") {
		s.Jobs.BoxRootFolderID = a.sandboxInfo().BoxRoot
	}
	return s
}

// SaveSettings validates and stores settings, and applies them: schedules
// and retry policies change at once.
func (a *App) SaveSettings(s Settings) error {
	s = s.normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	s.TunnelURL = strings.TrimSuffix(s.TunnelURL, "/")
	if err := a.checkSwitch(a.PracticeManagement(), s.Jobs.PracticeManagement); err != nil {
		return err
	}
	if err := a.store.PutSetting(settingsKey, s); err != nil {
		return err
	}
	for j, p := range s.Retry {
		if err := a.engine.SetPolicy(j, p); err != nil {
			return err
		}
	}
	a.bgMu.Lock()
	sched := a.sched
	a.bgMu.Unlock()
	if sched != nil {
		specs, _ := schedule.ParseAll(s.Schedules)
		if err := sched.Apply(specs); err != nil {
			return err
		}
	}
	a.requestUpkeep() // the tunnel URL may have changed: re-register
	a.bus.Publish(events.SchedulesChanged, nil)
	return nil
}

// Location is the firm's time zone.
func (s Settings) Location() *time.Location {
	if s.TimeZone == "" {
		return time.Local
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.Local
	}
	return loc
}
