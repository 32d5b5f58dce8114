package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
)

// TestBaselineTokensAreRenewed: the baseline's tokens outlive a bench run
// longer than their hour, renewed before they lapse and when refused.
func TestBaselineTokensAreRenewed(t *testing.T) {
	minted := 0
	mint := func() sandbox.Info {
		minted++
		return sandbox.Info{Platforms: map[string]sandbox.PlatformInfo{
			sandbox.Box: {Token: fmt.Sprintf("tok-%d", minted), ExpiresIn: 3600},
		}}
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	a := &sandboxAuth{platform: sandbox.Box, mint: mint, now: func() time.Time { return now }}
	a.take(mint())
	ctx := context.Background()
	tok := func() string { s, _ := a.Token(ctx); return s }

	if got := tok(); got != "tok-1" {
		t.Fatalf("first token %q", got)
	}
	now = now.Add(50 * time.Minute)
	if got := tok(); got != "tok-1" {
		t.Errorf("at 50 min: %q, want the same token", got)
	}
	now = now.Add(6 * time.Minute) // within 5 minutes of the end
	if got := tok(); got != "tok-2" {
		t.Errorf("at 56 min: %q, want a fresh token", got)
	}
	if got, _ := a.Refresh(ctx, "tok-2"); got != "tok-3" {
		t.Errorf("refused token: Refresh gave %q, want a fresh one", got)
	}
	if got, _ := a.Refresh(ctx, "tok-2"); got != "tok-3" || minted != 3 {
		t.Errorf("a stale refusal: Refresh gave %q after %d mints, want the current token and no mint", got, minted)
	}
}
