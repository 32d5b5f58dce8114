package zoom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/zoom"
	"github.com/firmsync/firmsync/connectors/zoom/zoomfake"
)

func TestExternalContactLifecycle(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	c, ctx := e.client, context.Background()
	jane := zoom.ExternalContactWrite{ID: "clio-77", Name: "Jane Client", Email: "jane@example.com", PhoneNumbers: []string{"+14155550123"}}

	zid, err := c.CreateExternalContact(ctx, jane)
	if err != nil || zid == "" {
		t.Fatalf("create: %q, %v", zid, err)
	}
	_, err = c.CreateExternalContact(ctx, jane)
	var ex *zoom.ExistsError
	if !errors.Is(err, zoom.ErrExists) || !errors.As(err, &ex) || ex.ID != "clio-77" {
		t.Fatalf("duplicate create: %v", err)
	}

	// Paths take the external_contact_id the create answered with; our
	// own key is the contact's id field.
	got, err := c.ExternalContact(ctx, zid)
	if err != nil {
		t.Fatal(err)
	}
	if got.ExternalContactID != zid || got.ID != "clio-77" || got.Name != "Jane Client" || got.Email != "jane@example.com" || len(got.PhoneNumbers) != 1 {
		t.Fatalf("contact %+v", got)
	}

	name := "Jane Q. Client"
	if err := c.UpdateExternalContact(ctx, zid, zoom.ExternalContactPatch{Name: &name, PhoneNumbers: []string{"+14155550123", "+442071838750"}}); err != nil {
		t.Fatal(err)
	}
	got, err = c.ExternalContact(ctx, zid)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || len(got.PhoneNumbers) != 2 || got.Email != "jane@example.com" {
		t.Fatalf("after update %+v", got)
	}

	if err := c.DeleteExternalContact(ctx, zid); err != nil {
		t.Fatal(err)
	}
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"get", func() error { _, err := c.ExternalContact(ctx, zid); return err }},
		{"update", func() error { return c.UpdateExternalContact(ctx, zid, zoom.ExternalContactPatch{Name: &name}) }},
		{"delete again", func() error { return c.DeleteExternalContact(ctx, zid) }},
	} {
		if err := op.do(); !errors.Is(err, zoom.ErrNotFound) || !strings.Contains(err.Error(), "External contact does not exist") {
			t.Fatalf("%s after delete: %v, want ErrNotFound with Zoom's message", op.name, err)
		}
	}
}

func TestExternalContactValidationSurfacesZoomsMessage(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	tests := []struct {
		name  string
		w     zoom.ExternalContactWrite
		wants string
	}{
		{"not E.164", zoom.ExternalContactWrite{ID: "x1", Name: "X", PhoneNumbers: []string{"(415) 555-0123"}}, "phone_numbers[0]: Invalid field. Phone number must be in E.164 format."},
		{"no number", zoom.ExternalContactWrite{ID: "x2", Name: "X"}, "Either phone_numbers or extension_number is required."},
		{"no name", zoom.ExternalContactWrite{ID: "x3", PhoneNumbers: []string{"+14155550123"}}, "name: Name is required."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.CreateExternalContact(context.Background(), tt.w)
			if httpx.KindOf(err) != httpx.KindValidation || !strings.Contains(err.Error(), tt.wants) {
				t.Fatalf("%v, want a validation error containing %q", err, tt.wants)
			}
		})
	}
	zid, err := e.client.CreateExternalContact(context.Background(), zoom.ExternalContactWrite{ID: "ok", Name: "OK", PhoneNumbers: []string{"+14155550199"}})
	if err != nil {
		t.Fatal(err)
	}
	err = e.client.UpdateExternalContact(context.Background(), zid, zoom.ExternalContactPatch{PhoneNumbers: []string{"555-0199"}})
	if !strings.Contains(err.Error(), "E.164") {
		t.Fatalf("update with a bad number: %v", err)
	}
}

func TestExternalContactsPages(t *testing.T) {
	e := newEnv(t, zoomfake.Options{}, nil)
	ctx := context.Background()
	const total = 305
	for i := range total {
		w := zoom.ExternalContactWrite{ID: fmt.Sprintf("clio-%03d", i), Name: fmt.Sprintf("Client %d", i), PhoneNumbers: []string{fmt.Sprintf("+1415555%04d", i)}}
		if _, err := e.client.CreateExternalContact(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	e.rec.Reset()
	seen := map[string]bool{}
	err := e.client.ExternalContacts(ctx, func(c zoom.ExternalContact) error {
		if seen[c.ExternalContactID] {
			t.Errorf("%s listed twice", c.ExternalContactID)
		}
		seen[c.ExternalContactID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != total {
		t.Fatalf("listed %d, want %d", len(seen), total)
	}
	reqs := e.rec.Sent()
	if len(reqs) != 2 || reqs[0].Query["page_size"][0] != "300" || reqs[1].Query["next_page_token"] == nil {
		t.Fatalf("requests %+v, want two pages of 300", reqs)
	}

	stop := errors.New("stop")
	n := 0
	if err := e.client.ExternalContacts(ctx, func(zoom.ExternalContact) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d calls", err, n)
	}
}
