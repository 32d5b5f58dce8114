package clio_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/httpx"
)

func collectMatters(t *testing.T, e *env, q clio.MatterQuery) []clio.Matter {
	t.Helper()
	var out []clio.Matter
	if err := e.c.Matters(t.Context(), q, func(m clio.Matter) error { out = append(out, m); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func matterIDs(ms []clio.Matter) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestMattersFilterByStatusAndCustomField(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{PageSize: 2})
	ctx := t.Context()
	var ids []int64
	for _, st := range []string{"Open", "Pending", "Closed", "Open", "Closed", "Pending"} {
		m, err := e.fake.CreateMatter(cliofake.MatterInput{Description: "M " + st, ClientName: "Kim Ortiz", Status: st})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	cf, err := e.c.CreateCustomField(ctx, "Lawmatics ID", "Matter", "text_line")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.SetMatterCustomField(ctx, ids[3], cf.ID, "LM-42"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.SetMatterCustomField(ctx, ids[4], cf.ID, "LM-43"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		q    clio.MatterQuery
		want []int64
	}{
		{"open and pending", clio.MatterQuery{Status: []string{"Open", "pending"}}, []int64{ids[0], ids[1], ids[3], ids[5]}},
		{"closed", clio.MatterQuery{Status: []string{"closed"}}, []int64{ids[2], ids[4]}},
		{"custom field", clio.MatterQuery{CustomFieldValue: map[int64]string{cf.ID: "LM-42"}}, []int64{ids[3]}},
		{"ids and status", clio.MatterQuery{IDs: []int64{ids[0], ids[2]}, Status: []string{"open"}}, []int64{ids[0]}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := matterIDs(collectMatters(t, e, tt.q)); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	all := collectMatters(t, e, clio.MatterQuery{})
	if len(all) != 6 || all[3].Client == nil || all[3].Client.Name != "Kim Ortiz" || all[3].DisplayNumber == "" || all[3].Status != "Open" {
		t.Fatalf("matter fields missing: %+v", all[3])
	}
}

func TestCreateContactAndMatter(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	ctx := t.Context()
	pas, err := e.c.PracticeAreas(ctx)
	if err != nil || len(pas) == 0 || pas[0].Name == "" {
		t.Fatalf("PracticeAreas = %+v, %v", pas, err)
	}
	c, err := e.c.CreateContact(ctx, clio.ContactWrite{FirstName: ptr("Lee"), LastName: ptr("Park")})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.c.CreateMatter(ctx, clio.MatterCreate{Description: "Estate plan", ClientID: c.ID, CustomNumber: "LM-7", PracticeAreaID: pas[0].ID, Status: "Pending"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Description != "Estate plan" || m.Status != "Pending" || m.CustomNumber != "LM-7" || m.Client == nil || m.Client.ID != c.ID ||
		m.PracticeArea == nil || m.PracticeArea.Name != pas[0].Name || m.Etag == "" {
		t.Fatalf("CreateMatter = %+v", m)
	}
	got, err := e.c.Matter(ctx, m.ID)
	if err != nil || got.DisplayNumber != m.DisplayNumber {
		t.Fatalf("Matter = %+v, %v", got, err)
	}
	_, err = e.c.CreateMatter(ctx, clio.MatterCreate{Description: "No client"})
	if httpx.KindOf(err) != httpx.KindValidation || !strings.Contains(err.Error(), "client") {
		t.Fatalf("create without client: %v", err)
	}
}

// valuesOf returns the stored (non-null id) values of field on a matter.
func valuesOf(t *testing.T, e *env, matterID, fieldID int64) []clio.CustomFieldValue {
	t.Helper()
	m, ok := e.fake.Matter(matterID)
	if !ok {
		t.Fatalf("matter %d gone", matterID)
	}
	var out []clio.CustomFieldValue
	for _, v := range m.CustomFieldValues {
		if v.ID != nil && v.CustomField.ID == fieldID {
			out = append(out, v)
		}
	}
	return out
}

func TestSetMatterCustomFieldUpdatesTheOneValue(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	ctx := t.Context()
	m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
	cf, err := e.c.CreateCustomField(ctx, "Lawmatics ID", "Matter", "text_line")
	if err != nil {
		t.Fatal(err)
	}
	fields, err := e.c.CustomFields(ctx, "Matter")
	if err != nil || len(fields) != 1 || fields[0].ID != cf.ID || fields[0].FieldType != "text_line" {
		t.Fatalf("CustomFields = %+v, %v", fields, err)
	}
	for _, v := range []string{"LM-1", "LM-2"} {
		etag, err := e.c.SetMatterCustomFieldEtag(ctx, m.ID, cf.ID, v)
		if err != nil {
			t.Fatal(err)
		}
		// The etag the PATCH answered with is the matter's etag now.
		if now, err := e.c.Matter(ctx, m.ID); err != nil || etag == "" || now.Etag != etag {
			t.Fatalf("after writing %s: returned etag %q, matter's etag %q (%v)", v, etag, now.Etag, err)
		}
	}
	vals := valuesOf(t, e, m.ID, cf.ID)
	if len(vals) != 1 || vals[0].Value != "LM-2" {
		t.Fatalf("values %+v, want one value LM-2", vals)
	}
	patches := len(e.requests("/api/v4/matters/"))
	if err := e.c.SetMatterCustomField(ctx, m.ID, cf.ID, "LM-2"); err != nil {
		t.Fatal(err)
	}
	if got := e.requests("/api/v4/matters/"); len(got) != patches+1 || got[len(got)-1].Method != http.MethodGet {
		t.Fatal("an unchanged value was written again")
	}
	if err := e.c.SetMatterCustomField(ctx, m.ID, cf.ID, ""); err != nil {
		t.Fatal(err)
	}
	if vals := valuesOf(t, e, m.ID, cf.ID); len(vals) != 0 {
		t.Fatalf("values after clearing %+v", vals)
	}
	read, err := e.c.Matter(ctx, m.ID)
	if err != nil || len(read.CustomFieldValues) != 1 || read.CustomFieldValues[0].ID != nil || read.CustomFieldValues[0].CustomField.ID != cf.ID {
		t.Fatalf("Matter custom_field_values %+v, %v", read.CustomFieldValues, err)
	}
}

func TestSetMatterCustomFieldRereadsAfterStaleEtag(t *testing.T) {
	for _, tt := range []struct {
		name    string
		changes int32 // concurrent edits, one before each PATCH
		wantErr bool
	}{
		{"one concurrent edit is retried", 1, false},
		{"a second one gives up", 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, cliofake.Options{}, clio.Options{})
			ctx := t.Context()
			m, _ := e.fake.CreateMatter(cliofake.MatterInput{Description: "Lease", ClientName: "Kim Ortiz"})
			cf, _ := e.fake.CreateCustomField(clio.CustomFieldWrite{Name: "Ref", ParentType: "Matter", FieldType: "text_line"})
			if err := e.c.SetMatterCustomField(ctx, m.ID, cf.ID, "A"); err != nil {
				t.Fatal(err)
			}
			var left, patches atomic.Int32
			left.Store(tt.changes)
			e.setBefore(func(r *http.Request) error {
				if r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/api/v4/matters/") {
					patches.Add(1)
					if left.Add(-1) >= 0 {
						_, err := e.fake.UpdateMatter(m.ID, cliofake.MatterPatch{Description: "edited in Clio"})
						return err
					}
				}
				return nil
			})
			err := e.c.SetMatterCustomField(ctx, m.ID, cf.ID, "B")
			if tt.wantErr {
				if httpx.KindOf(err) != httpx.KindPrecondition || patches.Load() != 2 {
					t.Fatalf("err %v after %d PATCHes, want a 412 after 2", err, patches.Load())
				}
				return
			}
			if err != nil || patches.Load() != 2 {
				t.Fatalf("err %v after %d PATCHes", err, patches.Load())
			}
			if vals := valuesOf(t, e, m.ID, cf.ID); len(vals) != 1 || vals[0].Value != "B" {
				t.Fatalf("values %+v", vals)
			}
			if got, _ := e.fake.Matter(m.ID); got.Description != "edited in Clio" {
				t.Fatalf("the concurrent edit was lost: %q", got.Description)
			}
		})
	}
}

func TestCustomFieldNameClashSurfacesClioMessage(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	if _, err := e.c.CreateCustomField(t.Context(), "Ref", "Contact", "text_line"); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.CreateCustomField(t.Context(), "Ref", "Contact", "text_line")
	var he *httpx.Error
	if !errors.As(err, &he) || he.Status != 422 || !strings.Contains(err.Error(), "already been taken") {
		t.Fatalf("err = %v", err)
	}
}

// Clio sends null for an unset practice area code or category; the client
// reads it as "" and a set category (from Clio's enum) as itself.
func TestPracticeAreasReadNullCodeAndCategory(t *testing.T) {
	e := newEnv(t, cliofake.Options{}, clio.Options{})
	resp, b := e.raw("/api/v4/practice_areas.json?fields=name,code,category&limit=1")
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"category":null`) || !strings.Contains(string(b), `"code":null`) {
		t.Fatalf("raw reply %d %s", resp.StatusCode, b)
	}
	resp, b = e.post("/api/v4/practice_areas.json", `{"data":{"name":"Fam","code":"FAM","category":"family"}}`)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	areas, err := e.c.PracticeAreas(t.Context())
	if err != nil || len(areas) < 2 {
		t.Fatalf("PracticeAreas = %+v, %v", areas, err)
	}
	first, last := areas[0], areas[len(areas)-1]
	if first.Category != "" || first.Code != "" || last.Name != "Fam" || last.Category != "family" || last.Code != "FAM" {
		t.Fatalf("first %+v, last %+v", first, last)
	}
}
