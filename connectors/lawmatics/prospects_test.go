package lawmatics_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

// seedProspects creates n prospects a second apart, hiring every third one
// as it is created, and returns all ids and the hired ones.
func seedProspects(t *testing.T, e *env, n int) (all, hired []string) {
	t.Helper()
	types := lawmaticsfake.CaseTypes()
	for i := range n {
		in := lawmaticsfake.ProspectInput{
			FirstName: fmt.Sprintf("Pat%03d", i), LastName: "Prospect", Email: fmt.Sprintf("p%03d@example.com", i),
			Phone: "555-0200", CaseTitle: fmt.Sprintf("Matter %d", i), CaseBlurb: "blurb", CaseType: types[i%len(types)],
		}
		if i%3 == 0 {
			in.Status = lawmatics.StatusHired
		}
		p, err := e.fake.CreateProspect(in)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.ID)
		if i%3 == 0 {
			hired = append(hired, p.ID)
		}
		e.clock.Advance(time.Second)
	}
	return all, hired
}

func TestProspectsFilters(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	all, hired := seedProspects(t, e, 70)
	p39, _ := e.fake.Prospect(all[39])
	since := p39.Attributes.UpdatedAt.Time
	var hiredSince []string
	for _, id := range hired {
		if slices.Index(all, id) > 39 {
			hiredSince = append(hiredSince, id)
		}
	}
	cases := []struct {
		name string
		q    lawmatics.ProspectQuery
		want []string
	}{
		{"everything", lawmatics.ProspectQuery{}, all},
		{"hired", lawmatics.ProspectQuery{Status: lawmatics.StatusHired}, hired},
		{"updated since", lawmatics.ProspectQuery{UpdatedSince: since}, all[40:]},
		{"hired and updated since", lawmatics.ProspectQuery{Status: "Hired", UpdatedSince: since}, hiredSince},
		{"lost", lawmatics.ProspectQuery{Status: lawmatics.StatusLost}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := e.c.Prospects(context.Background(), tc.q, func(p lawmatics.Prospect) error {
				got = append(got, p.ID)
				a := p.Attributes
				if a.CaseTitle == "" || a.CaseNumber == "" || a.CaseBlurb == "" || a.Status == "" || a.CaseType() == "" ||
					a.FirstName == "" || a.Email == "" || a.Phone == "" || a.UpdatedAt.IsZero() || a.CreatedAt.IsZero() {
					t.Fatalf("prospect %s lacks fields: %+v", p.ID, a)
				}
				if (a.Status == lawmatics.StatusHired) != (a.ConvertedDate != nil) {
					t.Fatalf("prospect %s: status %s, converted %v", p.ID, a.Status, a.ConvertedDate)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestProspectsSeeAHireMadeAfterTheCursor(t *testing.T) {
	// The hire job's query: hired matters changed since the last run. A
	// matter hired later has a newer updated_at, so it shows up.
	e := newEnv(t, lawmaticsfake.Options{})
	all, _ := seedProspects(t, e, 30)
	since := e.clock.Now()
	e.clock.Advance(time.Minute)
	if err := e.fake.Hire(all[1]); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := e.c.Prospects(context.Background(), lawmatics.ProspectQuery{Status: lawmatics.StatusHired, UpdatedSince: since}, func(p lawmatics.Prospect) error {
		got = append(got, p.ID)
		return nil
	})
	if err != nil || !slices.Equal(got, []string{all[1]}) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestProspectReadsCaseFields(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	in, err := e.fake.CreateProspect(lawmaticsfake.ProspectInput{
		FirstName: "Ana", LastName: "Reyes", Email: "ana@example.com", CaseTitle: "Reyes divorce",
		CaseNumber: "2024-017", CaseBlurb: "Uncontested", CaseType: "divorce_standard", PracticeArea: "Family Law",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.fake.Hire(in.ID); err != nil {
		t.Fatal(err)
	}
	p, err := e.c.Prospect(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	a := p.Attributes
	if a.CaseTitle != "Reyes divorce" || a.CaseNumber != "2024-017" || a.CaseBlurb != "Uncontested" ||
		a.Status != lawmatics.StatusHired || a.ConvertedDate == nil || a.CaseType() != "divorce_standard" ||
		a.PracticeArea != "Family Law" || p.Relationships.Contact.Data == nil {
		t.Fatalf("prospect %+v", p)
	}
	if _, err := e.c.Prospect(context.Background(), "0"); httpx.KindOf(err) != httpx.KindNotFound {
		t.Fatalf("unknown prospect: %v", err)
	}
}
