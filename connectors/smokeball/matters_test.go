package smokeball_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

func TestMattersPageFilterAndDecode(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{PageSize: 2})
	client, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Ed", LastName: "Smith"})
	var ids []string
	for i := range 5 {
		m, err := e.fake.CreateMatter(smokeballfake.MatterInput{Number: fmt.Sprintf("M-%03d", i), ClientIDs: []string{client.ID}, MatterType: "Financing"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	time.Sleep(2 * time.Millisecond)
	since := time.Now()
	time.Sleep(2 * time.Millisecond)
	if _, err := e.fake.UpdateMatter(ids[1], smokeballfake.MatterPatch{Status: "Closed"}); err != nil {
		t.Fatal(err)
	}
	all := collect(t, func(fn func(smokeball.Matter) error) error {
		return e.c.Matters(t.Context(), smokeball.MatterQuery{}, fn)
	})
	if len(all) != 5 {
		t.Fatalf("%d matters, want 5", len(all))
	}
	m := all[0]
	if m.Number != "M-000" || m.Title != "M-000 - Smith - Financing" || len(m.ClientIDs) != 1 || m.ClientIDs[0] != client.ID ||
		!strings.HasSuffix(m.MatterTypeID, "_IL") || m.Status != "Open" || m.LastUpdated.IsZero() {
		t.Fatalf("matter %+v", m)
	}
	recent := collect(t, func(fn func(smokeball.Matter) error) error {
		return e.c.Matters(t.Context(), smokeball.MatterQuery{UpdatedSince: since}, fn)
	})
	closed := collect(t, func(fn func(smokeball.Matter) error) error {
		return e.c.Matters(t.Context(), smokeball.MatterQuery{Status: "Closed"}, fn)
	})
	if len(recent) != 1 || recent[0].ID != ids[1] || len(closed) != 1 || closed[0].ID != ids[1] {
		t.Fatalf("recent %v closed %v, want only %s", recent, closed, ids[1])
	}
	r := e.requests("/matters")
	if q := r[len(r)-1].Query; q.Get("Status") != "Closed" {
		t.Fatalf("query %v", q)
	}
	if status, _, _ := e.raw("GET", "/matters?UpdatedSince=1&LastUpdated=2022-04-23T14:00:00Z", nil, nil); status != 400 {
		t.Fatalf("UpdatedSince with LastUpdated: %d, want 400", status)
	}
}

func TestCreateMatterThenWaitSeesItAfterTheDelay(t *testing.T) {
	const delay = 200 * time.Millisecond
	e := newEnv(t, smokeballfake.Options{WriteDelay: delay}, smokeball.Options{})
	client, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Fay", LastName: "Ito"})
	types, err := e.c.MatterTypes(t.Context(), "IL")
	if err != nil || len(types) == 0 {
		t.Fatalf("matter types %v, %v", types, err)
	}
	mt := types[0]
	start := time.Now()
	a, err := e.c.CreateMatter(t.Context(), smokeball.MatterWrite{Number: "FI-1", MatterTypeID: mt.ID, ClientIDs: []string{client.ID},
		ClientRole: mt.RepresentativeOptions[0], Status: "Open", Description: "Loan"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Matter(t.Context(), a.ID); !errors.Is(err, smokeball.ErrNotFound) {
		t.Fatalf("visible at once: %v", err)
	}
	m, err := e.c.WaitMatter(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < delay || m.Number != "FI-1" || m.MatterTypeID != mt.ID || m.Description != "Loan" {
		t.Fatalf("after %v: %+v", time.Since(start), m)
	}
}

func TestWaitGivesUpAfterWriteWait(t *testing.T) {
	clk := newClock()
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{Sleep: clk.Sleep, WriteWait: 3 * time.Second})
	start := clk.Now()
	_, err := e.c.WaitMatter(t.Context(), "5b0c59a8-0000-4000-8000-000000000000")
	if !errors.Is(err, smokeball.ErrNotFound) || clk.Now().Sub(start) != 3*time.Second {
		t.Fatalf("err %v after %v", err, clk.Now().Sub(start))
	}
}

func TestBadMatterCreates(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{})
	sink := newSink(t)
	if _, err := e.c.CreateWebhook(t.Context(), "errors", sink.srv.URL, "k3y", []string{"error"}); err != nil {
		t.Fatal(err)
	}
	client, _ := e.fake.CreateContact(smokeballfake.PersonInput{FirstName: "Gus", LastName: "Ho"})
	// Missing matter type: refused at once, as the spec says.
	_, err := e.c.CreateMatter(t.Context(), smokeball.MatterWrite{ClientIDs: []string{client.ID}, Status: "Open"})
	if httpx.StatusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "matter type is required") {
		t.Fatalf("missing matter type: %v", err)
	}
	// An unknown matter type is accepted and fails later.
	a, err := e.c.CreateMatter(t.Context(), smokeball.MatterWrite{MatterTypeID: "7d5a1f1e-0000-4000-8000-000000000000_IL", ClientIDs: []string{client.ID}, Status: "Open"})
	if err != nil {
		t.Fatal(err)
	}
	d, ev := e.awaitEvent(sink, "error")
	if ev.ID != a.ID || !smokeball.VerifySignature("k3y", e.fake.ClientID(), d.Header) || !strings.Contains(string(ev.Payload), "matterTypeId") {
		t.Fatalf("error event %+v %s", ev, ev.Payload)
	}
	if _, err := e.c.Matter(t.Context(), a.ID); !errors.Is(err, smokeball.ErrNotFound) {
		t.Fatalf("failed matter exists: %v", err)
	}
}

func TestMatterTypesByLocation(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{PageSize: 1})
	tx := e.fake.AddMatterType("Probate", "Estates", "TX", []string{"Executor"})
	got, err := e.c.MatterTypes(t.Context(), "TX")
	if err != nil || len(got) != 1 || got[0].ID != tx.ID || got[0].ID != got[0].ID[:36]+"_TX" || got[0].RepresentativeOptions[0] != "Executor" {
		t.Fatalf("TX types %+v %v", got, err)
	}
	all, err := e.c.MatterTypes(t.Context(), "")
	if err != nil || len(all) != 5 {
		t.Fatalf("%d types, %v", len(all), err)
	}
}
