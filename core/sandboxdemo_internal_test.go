package core

import (
	"testing"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

func TestSandboxProspectLabel(t *testing.T) {
	p := func(id, first, last, title string) lawmatics.Prospect {
		var pr lawmatics.Prospect
		pr.ID = id
		pr.Attributes.FirstName, pr.Attributes.LastName, pr.Attributes.CaseTitle = first, last, title
		return pr
	}
	tests := []struct {
		in   lawmatics.Prospect
		want string
	}{
		{p("12", "Sofia", "Walsh", "Sofia Walsh — estate planning"), "Sofia Walsh — estate planning (#12)"},
		{p("13", "Sofia", "Walsh", "Estate planning"), "Sofia Walsh — Estate planning (#13)"},
		{p("14", "Sofia", "Walsh", "Sofia Walsh"), "Sofia Walsh (#14)"},
		{p("15", "Sofia", "Walsh", ""), "Sofia Walsh (#15)"},
		{p("16", "", "", "Walk-in"), "Walk-in (#16)"},
	}
	for _, tc := range tests {
		if got := sandboxProspectLabel(tc.in); got != tc.want {
			t.Errorf("sandboxProspectLabel(%+v) = %q, want %q", tc.in.Attributes, got, tc.want)
		}
	}
}
