package core_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// TestMappingOptions reads the demo firm's case types and practice areas
// over the sandbox, and says why a list is missing when its platform is
// not connected or does not answer.
func TestMappingOptions(t *testing.T) {
	ctx := context.Background()
	app := openFastSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	sb := app.SandboxInstance()
	connect := func(p string) {
		t.Helper()
		if _, err := app.Connect(ctx, p, core.ConnectOptions{}); err != nil {
			t.Fatalf("connecting %s: %v", p, err)
		}
	}
	seededAreas := []string{"Criminal Defense", "Estate Planning", "Family Law", "General", "Immigration", "Personal Injury"}

	t.Run("nothing connected", func(t *testing.T) {
		o := app.MappingOptions(ctx)
		if o.CaseTypes != nil || o.PracticeAreas != nil {
			t.Errorf("lists read from platforms that are not connected: %+v", o)
		}
		if !strings.Contains(o.CaseTypesReason, "Connect Lawmatics") || !strings.Contains(o.PracticeAreasReason, "Connect Clio") {
			t.Errorf("reasons = %q / %q, want them to ask to connect", o.CaseTypesReason, o.PracticeAreasReason)
		}
		// Asking must not connect the sandbox behind the person's back.
		st, err := app.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range st.Connections {
			if c.Connected {
				t.Errorf("%s got connected by reading the options", c.Platform)
			}
		}
	})

	connect(core.Clio)
	t.Run("only Clio connected", func(t *testing.T) {
		o := app.MappingOptions(ctx)
		if !slices.Equal(o.PracticeAreas, seededAreas) || o.PracticeAreasReason != "" {
			t.Errorf("practice areas = %q (%q), want %q", o.PracticeAreas, o.PracticeAreasReason, seededAreas)
		}
		if o.CaseTypes != nil || !strings.Contains(o.CaseTypesReason, "Connect Lawmatics") {
			t.Errorf("case types = %q (%q)", o.CaseTypes, o.CaseTypesReason)
		}
	})

	connect(core.Lawmatics)
	if _, err := sb.Lawmatics().AddCaseType("Adoption"); err != nil {
		t.Fatal(err)
	}
	t.Run("both connected", func(t *testing.T) {
		o := app.MappingOptions(ctx)
		want := append(lawmaticsfake.CaseTypes(), "Adoption")
		if !slices.Equal(o.CaseTypes, want) || o.CaseTypesReason != "" {
			t.Errorf("case types = %q (%q), want %q in Lawmatics' order", o.CaseTypes, o.CaseTypesReason, want)
		}
		if !slices.Equal(o.PracticeAreas, seededAreas) {
			t.Errorf("practice areas = %q", o.PracticeAreas)
		}
	})

	for _, tc := range []struct {
		status int
		want   string
	}{
		{http.StatusForbidden, "Lawmatics did not let Firmsync read the case types"},
		{http.StatusNotFound, "Could not read the case types from Lawmatics (404 Not Found"},
	} {
		t.Run("Lawmatics answers "+http.StatusText(tc.status), func(t *testing.T) {
			if err := sandbox.Admin(ctx, sb.AdminURL(), http.MethodPost, "/faults",
				sandbox.Fault{Platform: core.Lawmatics, PathPrefix: "/v1/custom_fields", Status: tc.status}, nil); err != nil {
				t.Fatal(err)
			}
			o := app.MappingOptions(ctx)
			if o.CaseTypes != nil || !strings.HasPrefix(o.CaseTypesReason, tc.want) {
				t.Errorf("case types = %q, reason %q, want it to start %q", o.CaseTypes, o.CaseTypesReason, tc.want)
			}
			if !slices.Equal(o.PracticeAreas, seededAreas) {
				t.Errorf("a Lawmatics failure cost the Clio list: %q (%q)", o.PracticeAreas, o.PracticeAreasReason)
			}
			t.Logf("reason shown: %s", o.CaseTypesReason)
		})
	}

	if err := app.Disconnect(ctx, core.Lawmatics); err != nil {
		t.Fatal(err)
	}
	t.Run("Lawmatics disconnected again", func(t *testing.T) {
		o := app.MappingOptions(ctx)
		if o.CaseTypes != nil || !strings.Contains(o.CaseTypesReason, "Connect Lawmatics") {
			t.Errorf("case types = %q (%q)", o.CaseTypes, o.CaseTypesReason)
		}
	})
}
