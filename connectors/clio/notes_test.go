package clio_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

func TestNotesCreateAndFindByMarker(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{PageSize: 2})
	ctx := t.Context()
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
	other, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Other", ClientName: "Kim Ortiz"})
	c, _ := e.fake.CreateContact(cliofake.ContactInput{FirstName: "Ana", LastName: "Ruiz"})
	day := time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		in   clio.NoteCreate
	}{
		{"matter", clio.NoteCreate{Type: "Matter", MatterID: m.ID, Subject: "Zoom call", Detail: "Summary\n[firmsync:zoom:abc]", Date: day}},
		{"second matter note", clio.NoteCreate{Type: "Matter", MatterID: m.ID, Subject: "Intake", Detail: "x"}},
		{"third matter note", clio.NoteCreate{Type: "Matter", MatterID: m.ID, Subject: "Call 2", Detail: "[firmsync:zoom:def]"}},
		{"other matter", clio.NoteCreate{Type: "Matter", MatterID: other.ID, Subject: "Elsewhere", Detail: "[firmsync:zoom:xyz]"}},
		{"contact", clio.NoteCreate{Type: "Contact", ContactID: c.ID, Subject: "Called back", Detail: "ok"}},
	} {
		n, err := e.c.CreateNote(ctx, tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		stored, ok := e.fake.Note(n.ID)
		if !ok || stored.Subject != tt.in.Subject || stored.Detail != tt.in.Detail || stored.Type != tt.in.Type || stored.DetailTextType != "plain_text" {
			t.Fatalf("%s: stored %+v", tt.name, stored)
		}
		if !tt.in.Date.IsZero() && stored.Date != "2025-03-09" {
			t.Fatalf("%s: date %q", tt.name, stored.Date)
		}
	}
	var marked []string
	err := e.c.Notes(ctx, "Matter", m.ID, func(n clio.Note) error {
		if n.Matter == nil || n.Matter.ID != m.ID {
			t.Errorf("note %d of matter %+v", n.ID, n.Matter)
		}
		if strings.Contains(n.Detail, "[firmsync:zoom:") {
			marked = append(marked, n.Subject)
		}
		return nil
	})
	if err != nil || strings.Join(marked, ",") != "Zoom call,Call 2" {
		t.Fatalf("marked notes %v, %v", marked, err)
	}
	var contactNotes []clio.Note
	if err := e.c.Notes(ctx, "Contact", c.ID, func(n clio.Note) error { contactNotes = append(contactNotes, n); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(contactNotes) != 1 || contactNotes[0].Subject != "Called back" {
		t.Fatalf("contact notes %+v", contactNotes)
	}
	if _, err := e.c.CreateNote(ctx, clio.NoteCreate{Type: "Task", Subject: "x"}); err == nil {
		t.Fatal("note of type Task accepted")
	}
}
