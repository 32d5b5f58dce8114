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
	for _, tc := range []struct {
		name string
		opts lawmaticsfake.Options
	}{
		// The newest vendor example writes custom-field ids as strings and
		// a Rails *_date renders as a plain date: both once failed to decode.
		{"string field ids, date-only converted_date", lawmaticsfake.Options{}},
		{"numeric field ids, date-time converted_date", lawmaticsfake.Options{NumericCustomFieldIDs: true, ConvertedDateTime: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts)
			in, err := e.fake.CreateProspect(lawmaticsfake.ProspectInput{
				FirstName: "Ana", LastName: "Reyes", Email: "ana@example.com", CaseTitle: "Reyes divorce",
				CaseNumber: "2024-017", CaseBlurb: "Uncontested", CaseType: "Custody only", PracticeArea: "Family Law",
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
				a.Status != lawmatics.StatusHired || a.SubStatus != "Hired" || a.ConvertedDate == nil ||
				a.ConvertedDate.DateOnly == tc.opts.ConvertedDateTime || a.ConvertedDate.Year() != 2024 ||
				p.Relationships.PracticeArea.Data == nil || p.Relationships.Contact.Data == nil {
				t.Fatalf("prospect %+v", p)
			}
			// The label a person picked, not the option id in value.
			cf, _ := a.CustomField(lawmatics.CaseTypeFieldName)
			if a.CaseType() != "Custody only" || cf.RawValue() != "3241" || cf.ID != lawmaticsfake.CaseTypeFieldID {
				t.Fatalf("case type %q from %+v", a.CaseType(), cf)
			}
			if _, err := e.c.Prospect(context.Background(), "0"); httpx.KindOf(err) != httpx.KindNotFound {
				t.Fatalf("unknown prospect: %v", err)
			}
		})
	}
}

func TestCaseTypeOptionsFromTheFake(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	opts, err := e.c.CaseTypeOptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, o := range opts {
		labels = append(labels, o.Label)
		if id, ok := lawmaticsfake.CaseTypeOptionID(o.Label); !ok || fmt.Sprint(id) != o.ID {
			t.Errorf("option %+v: fake id %d", o, id)
		}
	}
	if !slices.Equal(labels, lawmaticsfake.CaseTypes()) {
		t.Fatalf("labels %q, want %q", labels, lawmaticsfake.CaseTypes())
	}
}
