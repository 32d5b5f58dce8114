package lawmatics_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

func TestCreateNoteThenFindItByMarker(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	ctx := context.Background()
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Ana", Email: "ana@example.com", CaseTitle: "A"})
	other, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "Ben", CaseTitle: "B"})
	contactID := p.Relationships.Contact.Data.ID

	n, err := e.c.CreateNote(ctx, lawmatics.NotableProspect, p.ID, "Consult recording", "Saved to Box. [firmsync:rec:abc123]")
	if err != nil {
		t.Fatal(err)
	}
	if n.ID == "" || n.Attributes.Name != "Consult recording" {
		t.Fatalf("note %+v", n)
	}
	if _, err := e.c.CreateNote(ctx, "prospect", other.ID, "Other", "not ours"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateNote(ctx, lawmatics.NotableContact, contactID, "Contact note", "on the person"); err != nil {
		t.Fatal(err)
	}

	notes, err := e.c.Notes(ctx, lawmatics.NotableProspect, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0].ID != n.ID || !strings.Contains(notes[0].Attributes.Body, "[firmsync:rec:abc123]") {
		t.Fatalf("prospect notes %+v", notes)
	}
	if r := notes[0].Relationships.Notable; r == nil || r.Data == nil || r.Data.ID != p.ID || r.Data.Type != lawmatics.TypeProspect {
		t.Fatalf("notable %+v", notes[0].Relationships)
	}
	cn, err := e.c.Notes(ctx, lawmatics.NotableContact, contactID)
	if err != nil || len(cn) != 1 || cn[0].Attributes.Name != "Contact note" {
		t.Fatalf("contact notes %+v, %v", cn, err)
	}
}

func TestCreateNoteRefusals(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	ctx := context.Background()
	cases := []struct {
		name, typ, id string
		apiKind       httpx.Kind // KindOther: refused before any request
	}{
		{"unknown type", "Company", "1", httpx.KindOther},
		{"id not a number", lawmatics.NotableProspect, "abc", httpx.KindOther},
		{"no such prospect", lawmatics.NotableProspect, "4242", httpx.KindValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateNote(ctx, tc.typ, tc.id, "n", "b")
			if err == nil || httpx.KindOf(err) != tc.apiKind {
				t.Fatalf("got %v", err)
			}
			if tc.apiKind == httpx.KindValidation && !strings.Contains(err.Error(), "Notable must exist") {
				t.Fatalf("platform message missing: %v", err)
			}
		})
	}
}
