package core_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// TestSwitchingPracticeManagementIsRefusedOnceSynced: a new firm may pick
// its system freely; once a job has linked records, another system is
// refused with the reason, and the settings stay as they were.
func TestSwitchingPracticeManagementIsRefusedOnceSynced(t *testing.T) {
	ctx := context.Background()
	app := openFastSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()

	s := app.Settings()
	s.Jobs.PracticeManagement = core.MyCase
	if err := app.SaveSettings(s); err != nil {
		t.Fatalf("a firm that has not synced could not choose MyCase: %v", err)
	}
	if got := app.Platforms(); !slices.Equal(got, []string{core.MyCase, core.Lawmatics, core.Zoom, core.Box}) {
		t.Errorf("platforms of a MyCase firm: %v", got)
	}
	if got := app.Settings().Jobs.ContactSources; !slices.Equal(got, []string{core.MyCase}) {
		t.Errorf("contact sources of a MyCase firm: %v, want [mycase]", got)
	}
	s = app.Settings()
	s.Jobs.PracticeManagement = core.Clio
	if err := app.SaveSettings(s); err != nil {
		t.Fatalf("switching back before any sync: %v", err)
	}

	for _, p := range app.Platforms() {
		if _, err := app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if res := app.Sync(ctx, []string{core.JobContacts}, false); res.Failed != 0 || res.Jobs[0].Created == 0 {
		t.Fatalf("contacts sync: %+v", res)
	}
	s = app.Settings()
	s.Jobs.PracticeManagement = core.Smokeball
	err := app.SaveSettings(s)
	if !errors.Is(err, core.ErrSwitchRefused) || !strings.Contains(err.Error(), "already synced this firm with Clio") {
		t.Fatalf("switch after a sync: got %v, want ErrSwitchRefused naming Clio", err)
	}
	if got := app.PracticeManagement(); got != core.Clio {
		t.Errorf("after the refusal the firm is on %q, want clio", got)
	}
}
