package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/core/store"
)

// MappingOptions are the choices the settings screen offers for the
// case-type → practice-area table: the firm's own Lawmatics case types and
// the practice areas of its practice-management system (Smokeball: its
// matter types), so a person picks what the intake job will meet instead
// of guessing spellings.
type MappingOptions struct {
	// CaseTypes are the labels of the firm's Lawmatics "Case Type"
	// picklist, in the order Lawmatics lists them: the keys of
	// jobs.Settings.CaseTypeMapping.
	CaseTypes []string
	// CaseTypesReason says, in words for the firm, why CaseTypes could not
	// be read ("" when they were).
	CaseTypesReason string
	// PracticeAreas are the names of the firm's practice areas (matter
	// types), sorted: the values of the mapping and the fallback.
	PracticeAreas []string
	// PracticeAreasReason says why PracticeAreas could not be read.
	PracticeAreasReason string
}

// MappingOptions reads the Lawmatics case types and the practice areas at
// the same time. Neither list fails the other: each one that cannot be
// read comes back empty with its reason, so the settings screen can still
// offer the other and let the person type.
//
// A platform that is not connected is not asked, even in sandbox mode
// where any other use of it connects it: opening the settings must not
// undo a disconnect the person chose.
func (a *App) MappingOptions(ctx context.Context) MappingOptions {
	var (
		o  MappingOptions
		wg sync.WaitGroup
	)
	wg.Go(func() { o.CaseTypes, o.CaseTypesReason = a.caseTypeOptions(ctx) })
	wg.Go(func() { o.PracticeAreas, o.PracticeAreasReason = a.practiceAreaOptions(ctx) })
	wg.Wait()
	return o
}

func (a *App) caseTypeOptions(ctx context.Context) ([]string, string) {
	const what = "pick from your case types"
	if reason := a.unusable(Lawmatics, "Lawmatics", what); reason != "" {
		return nil, reason
	}
	c, err := a.platforms.Lawmatics(ctx)
	if err != nil {
		return nil, a.optionsFailed("Lawmatics", "case types", err)
	}
	opts, err := c.CaseTypeOptions(ctx)
	if errors.Is(err, lawmatics.ErrNoCaseTypeField) {
		return nil, fmt.Sprintf("Lawmatics has no %q picklist on matters, so there are no case types to pick from. Type each case type exactly as Lawmatics shows it.", lawmatics.CaseTypeFieldName)
	}
	if err != nil {
		return nil, a.optionsFailed("Lawmatics", "case types", err)
	}
	var out []string
	for _, op := range opts {
		if !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, op.Label) }) {
			out = append(out, op.Label)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Sprintf("The %q picklist in Lawmatics has no options yet.", lawmatics.CaseTypeFieldName)
	}
	return out, ""
}

func (a *App) practiceAreaOptions(ctx context.Context) ([]string, string) {
	kind := a.PracticeManagement()
	name, list := PlatformTitle(kind), "practice areas"
	if kind == Smokeball {
		list = "matter types"
	}
	if reason := a.unusable(kind, name, "pick from your "+list); reason != "" {
		return nil, reason
	}
	sys, err := a.platforms.PMS(ctx)
	if err != nil {
		return nil, a.optionsFailed(name, list, err)
	}
	areas, err := sys.PracticeAreas(ctx)
	if err != nil {
		return nil, a.optionsFailed(name, list, err)
	}
	var out []string
	for _, pa := range areas {
		if n := strings.TrimSpace(pa.Name); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	if len(out) == 0 {
		return nil, fmt.Sprintf("%s has no %s yet. Add them in %s's settings, or type one here.", name, list, name)
	}
	return out, ""
}

// unusable says why a platform's lists cannot be asked for ("" when they
// can): it is not connected, or only signing in again would let it answer.
func (a *App) unusable(platform, name, what string) string {
	conn, err := a.store.Connection(platform)
	if err != nil {
		a.Logger().Error("reading a connection for the settings options", "platform", platform, "err", err)
		return fmt.Sprintf("Could not tell whether %s is connected: %v", name, err)
	}
	switch conn.Status {
	case "", store.ConnDisconnected:
		return fmt.Sprintf("Connect %s (Connections tab) to %s.", name, what)
	case store.ConnReconnectNeeded:
		return fmt.Sprintf("Reconnect %s (Connections tab) to %s.", name, what)
	}
	return ""
}

// optionsFailed logs why a list could not be read and says so in words:
// the platform's own message rather than our chain of wrapping, which
// means nothing to the person reading the settings.
func (a *App) optionsFailed(name, what string, err error) string {
	a.Logger().Warn("reading settings options", "platform", name, "list", what, "err", err)
	var he *httpx.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("Could not read the %s from %s: it took too long to answer.", what, name)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("Stopped reading the %s from %s.", what, name)
	case httpx.IsReconnect(err):
		return fmt.Sprintf("Reconnect %s (Connections tab) to pick from your %s.", name, what)
	case errors.As(err, &he) && he.Kind == httpx.KindNetwork:
		return fmt.Sprintf("Could not reach %s to read the %s; check the internet connection.", name, what)
	case errors.As(err, &he) && he.Kind == httpx.KindForbidden:
		return fmt.Sprintf("%s did not let Firmsync read the %s (a permission is missing): %s", name, what, strings.TrimSpace(he.Message))
	case errors.As(err, &he):
		msg := fmt.Sprintf("%d %s", he.Status, http.StatusText(he.Status))
		if m := strings.TrimSpace(he.Message); m != "" {
			msg += ", " + m
		}
		return fmt.Sprintf("Could not read the %s from %s (%s).", what, name, msg)
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return fmt.Sprintf("Could not read the %s from %s: %s", what, name, msg)
}
