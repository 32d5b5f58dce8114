package sandbox

import (
	"fmt"
	"strings"

	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

// seedAreas are the practice areas (Smokeball: matter types) every demo
// system has: those of the demo matters, the intake mapping's, and the
// fallback for unmapped case types.
func seedAreas(plan firmPlan) []string {
	areas := []string{"Family Law", "Immigration", "Personal Injury", "Estate Planning", "Criminal Defense", "General"}
	for _, m := range plan.matters {
		if !containsFold(areas, m.area) {
			areas = append(areas, m.area)
		}
	}
	return areas
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// seedNumber is a demo matter's number in MyCase and Smokeball, shaped as
// Clio's display numbers are ("00003-Khan").
func seedNumber(i int, p person) string {
	return fmt.Sprintf("%05d-%s", i+1, strings.ReplaceAll(p.last, " ", ""))
}

// seedPMSLocked files the planned firm in the MyCase or Smokeball fake.
func (s *Sandbox) seedPMSLocked(platform string, plan firmPlan) error {
	switch platform {
	case MyCase:
		return s.seedMyCaseLocked(plan)
	case Smokeball:
		return s.seedSmokeballLocked(plan)
	}
	return fmt.Errorf("sandbox: %s is not a practice-management system", platform)
}

func (s *Sandbox) seedMyCaseLocked(plan firmPlan) error {
	for _, a := range seedAreas(plan) {
		s.mycase.AddPracticeArea(a)
	}
	ids := make([]int64, len(plan.people))
	for i, p := range plan.people {
		c, err := s.mycase.CreatePerson(mycasefake.PersonInput{FirstName: p.first, LastName: p.last, Email: p.email, CellPhone: p.phone})
		if err != nil {
			return fmt.Errorf("creating MyCase client %d: %w", i, err)
		}
		ids[i] = c.ID
	}
	names := map[string]bool{}
	for i, pm := range plan.matters {
		// MyCase case names are unique: a second "Khan — Divorce" gets its
		// number after it, as a person would tell them apart.
		name := pm.desc
		var number string
		if len(plan.people) > 0 {
			number = seedNumber(i, plan.people[pm.client])
		}
		if names[strings.ToLower(name)] {
			name += " (" + number + ")"
		}
		names[strings.ToLower(name)] = true
		status := "open" // MyCase has no pending status
		if pm.status == "Closed" {
			status = "closed"
		}
		in := mycasefake.CaseInput{Name: name, CaseNumber: number, Status: status, PracticeArea: pm.area}
		if len(ids) > 0 {
			in.ClientIDs = []int64{ids[pm.client]}
		}
		c, err := s.mycase.CreateCase(in)
		if err != nil {
			return fmt.Errorf("creating MyCase case %d: %w", i, err)
		}
		for _, d := range pm.docs {
			if _, err := s.mycase.AddDocument(c.ID, d.name, d.body(number, pm.desc)); err != nil {
				return fmt.Errorf("adding a document to MyCase case %d: %w", c.ID, err)
			}
		}
	}
	if _, err := s.mycase.AddCustomField(SeedCustomFieldName, "case", "short_text"); err != nil {
		return fmt.Errorf("creating the MyCase case custom field %q: %w", SeedCustomFieldName, err)
	}
	return nil
}

func (s *Sandbox) seedSmokeballLocked(plan firmPlan) error {
	// The fake ships some matter types already (Illinois's); the demo
	// firm's areas reuse a type of that name and add the missing ones.
	types := map[string]string{}
	for _, t := range s.smokeball.MatterTypes() {
		if _, ok := types[strings.ToLower(t.Name)]; !ok {
			types[strings.ToLower(t.Name)] = t.ID
		}
	}
	for _, a := range seedAreas(plan) {
		if _, ok := types[strings.ToLower(a)]; !ok {
			types[strings.ToLower(a)] = s.smokeball.AddMatterType(a, a, "US", []string{"Client"}).ID
		}
	}
	ids := make([]string, len(plan.people))
	for i, p := range plan.people {
		c, err := s.smokeball.CreateContact(smokeballfake.PersonInput{FirstName: p.first, LastName: p.last, Email: p.email, Cell: p.phone})
		if err != nil {
			return fmt.Errorf("creating Smokeball contact %d: %w", i, err)
		}
		ids[i] = c.ID
	}
	for i, pm := range plan.matters {
		var number string
		in := smokeballfake.MatterInput{Description: pm.desc, MatterTypeID: types[strings.ToLower(pm.area)], Status: pm.status}
		if len(ids) > 0 {
			number = seedNumber(i, plan.people[pm.client])
			in.Number, in.ClientIDs = number, []string{ids[pm.client]}
		}
		m, err := s.smokeball.CreateMatter(in)
		if err != nil {
			return fmt.Errorf("creating Smokeball matter %d: %w", i, err)
		}
		for _, d := range pm.docs {
			if _, err := s.smokeball.AddFile(m.ID, d.name, d.body(number, pm.desc)); err != nil {
				return fmt.Errorf("adding a file to Smokeball matter %s: %w", m.ID, err)
			}
		}
	}
	return nil
}
