package smokeballfake_test

import (
	"net/http"
	"testing"

	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

func TestSnapshotRestore(t *testing.T) {
	f, _ := newFake(t, smokeballfake.Options{})
	c, _ := f.CreateContact(smokeballfake.PersonInput{FirstName: "Kim", Email: "kim@example.com"})
	m, err := f.CreateMatter(smokeballfake.MatterInput{Number: "S-1", ClientIDs: []string{c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	file, _ := f.AddFile(m.ID, "a.txt", []byte("abc"))
	tok := f.IssueToken()
	b, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	g, srv := newFake(t, smokeballfake.Options{})
	if err := g.Restore(b); err != nil {
		t.Fatal(err)
	}
	if got, ok := g.Contact(c.ID); !ok || got.Person.Email != "kim@example.com" {
		t.Fatalf("contact after restore %+v %v", got, ok)
	}
	if got, ok := g.Matter(m.ID); !ok || got.Number != "S-1" {
		t.Fatalf("matter after restore %+v", got)
	}
	if b, ok := g.FileContent(m.ID, file.ID); !ok || string(b) != "abc" {
		t.Fatalf("file after restore %q", b)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/matters/"+m.ID, nil)
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	req.Header.Set("x-api-key", g.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("token after restore: %d", resp.StatusCode)
	}
}

func TestUnmodelledRoutesAreRecorded(t *testing.T) {
	f, srv := newFake(t, smokeballfake.Options{})
	resp, err := http.Get(srv.URL + "/staff")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented || len(f.Unhandled()) != 1 || f.Unhandled()[0] != "GET /staff" {
		t.Fatalf("%d %v", resp.StatusCode, f.Unhandled())
	}
}
