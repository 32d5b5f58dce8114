package pms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
	"github.com/firmsync/firmsync/core/pms"
)

type token string

func (t token) Token(context.Context) (string, error) { return string(t), nil }
func (t token) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("static token: %w", httpx.ErrReconnect)
}

// TestSmokeballCreateThatIsNotAppliedYetSaysSoWithItsID: Smokeball answers
// a create with 202 and applies it later. When the wait ends first, the
// adapter returns a PendingError carrying the accepted id (so the caller
// records it and never creates twice), and the record is there later
// under that id.
func TestSmokeballCreateThatIsNotAppliedYetSaysSoWithItsID(t *testing.T) {
	fake := smokeballfake.New(smokeballfake.Options{WriteDelay: 1500 * time.Millisecond, RateLimit: 1_000_000})
	defer fake.Close()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	typ := fake.AddMatterType("Family Law", "Family", "US", []string{"Client"})
	client, err := fake.CreateContact(smokeballfake.PersonInput{FirstName: "Ada", LastName: "Pending"})
	if err != nil {
		t.Fatal(err)
	}
	c := smokeball.New(smokeball.Options{APIBase: srv.URL, AuthBase: srv.URL, APIKey: fake.APIKey(), Auth: token(fake.IssueToken().Access),
		Pacer: &httpx.Pacer{}, WriteWait: 200 * time.Millisecond})
	sys := pms.NewSmokeball(c)
	ctx := context.Background()

	_, err = sys.CreateMatter(ctx, pms.MatterCreate{Description: "Pending matter", ClientID: client.ID, PracticeAreaID: typ.ID, ExternalKey: "lawmatics:77"})
	var pe *pms.PendingError
	if !errors.As(err, &pe) || pe.ID == "" || pe.What != "matter" {
		t.Fatalf("create before it applies: %v, want a PendingError with the accepted id", err)
	}
	if _, err := sys.Matter(ctx, pe.ID); !errors.Is(err, pms.ErrNotFound) {
		t.Fatalf("the pending matter read at once: %v, want not found", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := sys.Matter(ctx, pe.ID)
		if err == nil {
			if m.ExternalKey != "lawmatics:77" {
				t.Errorf("the applied matter's external key = %q", m.ExternalKey)
			}
			break
		}
		if !errors.Is(err, pms.ErrNotFound) || time.Now().After(deadline) {
			t.Fatalf("the accepted matter never appeared under %s: %v", pe.ID, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ms, err := sys.MattersByKey(ctx, "", "lawmatics:77")
	if err != nil || len(ms) != 1 || ms[0].ID != pe.ID {
		t.Errorf("found by its key: %+v, %v; want the one accepted matter", ms, err)
	}
}
