package smokeball_test

import (
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/smokeball"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

func TestMemosCreateAndList(t *testing.T) {
	e := newEnv(t, smokeballfake.Options{}, smokeball.Options{PageSize: 1})
	m, err := e.fake.CreateMatter(smokeballfake.MatterInput{Number: "N-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.AddMemo(m.ID, "Intake", "Called the client."); err != nil {
		t.Fatal(err)
	}
	a, err := e.c.CreateMemo(t.Context(), m.ID, "Zoom call", "Recording saved.\nSee Box.")
	if err != nil || a.ID == "" {
		t.Fatalf("%+v %v", a, err)
	}
	e.fake.Flush()
	memos := collect(t, func(fn func(smokeball.Memo) error) error { return e.c.Memos(t.Context(), m.ID, fn) })
	if len(memos) != 2 || memos[1].ID != a.ID || memos[1].Title != "Zoom call" || memos[1].PlainText != "Recording saved.\nSee Box." ||
		!strings.HasPrefix(memos[1].Text, `{\rtf1`) || memos[1].MatterID != m.ID || memos[1].LastUpdated.IsZero() {
		t.Fatalf("memos %+v", memos)
	}
	if len(e.fake.Memos()) != 2 {
		t.Fatalf("fake memos %+v", e.fake.Memos())
	}
	if status, _, body := e.raw("POST", "/matters/"+m.ID+"/memos", map[string]string{"text": "no title"}, nil); status != 400 {
		t.Fatalf("memo without title: %d %s", status, body)
	}
}
