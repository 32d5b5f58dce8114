package lawmatics_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/connectors/lawmatics/lawmaticsfake"
)

func TestFilesListsOneProspectsFilesAcrossPages(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	a, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "A", CaseTitle: "A"})
	b, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "B", CaseTitle: "B"})
	var want []string
	for i := range 27 {
		f, err := e.fake.AddFile(a.ID, fmt.Sprintf("doc%02d.pdf", i), []byte("%PDF-1.4 "+fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, f.ID)
	}
	if _, err := e.fake.AddFile(b.ID, "other.pdf", []byte("%PDF-1.4")); err != nil {
		t.Fatal(err)
	}
	files, err := e.c.Files(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Fatalf("%d files, want %d", len(files), len(want))
	}
	for i, f := range files {
		if f.ID != want[i] || f.Attributes.FileName != fmt.Sprintf("doc%02d.pdf", i) || f.Attributes.FileType != "application/pdf" || f.Attributes.FileSize == 0 {
			t.Fatalf("file %d: %+v", i, f)
		}
		if f.Relationships.Documentable.Data == nil || f.Relationships.Documentable.Data.ID != a.ID {
			t.Fatalf("file %s not on prospect %s: %+v", f.ID, a.ID, f.Relationships)
		}
	}
	if none, err := e.c.Files(context.Background(), "99999"); err != nil || len(none) != 0 {
		t.Fatalf("unknown prospect: %v, %v", none, err)
	}
}

func TestDownloadFileStreams(t *testing.T) {
	e := newEnv(t, lawmaticsfake.Options{})
	p, _ := e.fake.CreateProspect(lawmaticsfake.ProspectInput{FirstName: "A", CaseTitle: "A"})
	content := bytes.Repeat([]byte("recording-bytes "), 64<<10) // 1 MiB
	f, err := e.fake.AddFile(p.ID, "consult.mp4", content)
	if err != nil {
		t.Fatal(err)
	}
	body, size, ctype, err := e.c.DownloadFile(context.Background(), f.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) || size != int64(len(content)) || ctype != "video/mp4" {
		t.Fatalf("%d bytes (size %d), type %q", len(got), size, ctype)
	}
	if _, _, _, err := e.c.DownloadFile(context.Background(), "invalidId"); httpx.KindOf(err) != httpx.KindNotFound {
		t.Fatalf("unknown file: %v", err)
	}
}
