package pms

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

type staticToken string

func (t staticToken) Token(context.Context) (string, error) { return string(t), nil }
func (t staticToken) Refresh(context.Context, string) (string, error) {
	return "", fmt.Errorf("static token: %w", httpx.ErrReconnect)
}

// TestSmokeballFilesOfQuietMattersAreListedWithinADay: Smokeball lists
// files per matter only, so a changed-since listing reads the files of the
// matters Smokeball reports changed, plus the matters of the current
// quarter-hour slot, in full. Over a day's 96 slots every matter comes up
// once, so a file added without its matter changing (and whose webhook
// was lost) is found within a day, whatever its age.
func TestSmokeballFilesOfQuietMattersAreListedWithinADay(t *testing.T) {
	fake := smokeballfake.New(smokeballfake.Options{RateLimit: 1_000_000})
	defer fake.Close()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	typ := fake.AddMatterType("General", "General", "US", []string{"Client"})
	var ids []string
	for i := range 20 {
		m, err := fake.CreateMatter(smokeballfake.MatterInput{Number: fmt.Sprintf("M-%02d", i), MatterTypeID: typ.ID, ClientName: "Quiet Client"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.AddFile(m.ID, fmt.Sprintf("File %02d.pdf", i), []byte("old content")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	c := smokeball.New(smokeball.Options{APIBase: srv.URL, AuthBase: srv.URL, APIKey: fake.APIKey(), Auth: staticToken(fake.IssueToken().Access),
		Pacer: &httpx.Pacer{}})
	ctx := context.Background()
	// "Since" is an hour from now: no matter changed since, and every file
	// is older than it. Only the slot's matters are read, and in full.
	since := time.Now().Add(time.Hour)
	seen := map[string]int{}
	day := time.Now().Truncate(24 * time.Hour)
	for slot := range smokeballSlots {
		now := day.Add(time.Duration(slot) * 15 * time.Minute)
		sys := &SmokeballSystem{c: c, clock: func() time.Time { return now }}
		var got []string
		err := sys.Documents(ctx, DocumentQuery{MatterIDs: ids, UpdatedSince: since}, func(d Document) error {
			got = append(got, d.MatterID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			if smokeballMatterSlot(m) != smokeballSlot(now) {
				t.Errorf("slot %d listed matter %s of slot %d", slot, m, smokeballMatterSlot(m))
			}
			seen[m]++
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("over a day, matter %s's file was listed %d times, want once", id, seen[id])
		}
	}
}
