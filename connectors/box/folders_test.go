package box_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
	"github.com/firmsync/firmsync/connectors/httpx"
)

func TestEnsureFolderAdoptsTheExistingFolder(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	id, created, err := e.c.EnsureFolder(ctx, "0", "Smith v. Jones")
	if err != nil || !created || id == "" {
		t.Fatalf("first EnsureFolder: %q %v %v", id, created, err)
	}
	for _, name := range []string{"Smith v. Jones", "SMITH V. JONES"} {
		again, created, err := e.c.EnsureFolder(ctx, "0", name)
		if err != nil || created || again != id {
			t.Fatalf("EnsureFolder(%q) = %q %v %v, want adopted %q", name, again, created, err, id)
		}
	}
	_, items, _ := e.fake.Folder("0")
	if len(items) != 1 {
		t.Fatalf("root holds %d items, want 1", len(items))
	}
}

func TestEnsureFolderRefusesAFileOfThatName(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	f, err := e.fake.UploadFile("0", "Engagement", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.c.EnsureFolder(context.Background(), "0", "engagement")
	var ce *box.ConflictError
	if !errors.As(err, &ce) || ce.Type != "file" || ce.ID != f.ID || !errors.Is(err, box.ErrExists) {
		t.Fatalf("got %v (%+v), want a conflict with file %s", err, ce, f.ID)
	}
}

func TestCreateFolderConflictNamesTheFolder(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	f, err := e.c.CreateFolder(ctx, "0", "Clients")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CreateFolder(ctx, "0", "clients")
	var ce *box.ConflictError
	if !errors.As(err, &ce) || ce.Code != "item_name_in_use" || ce.Type != "folder" || ce.ID != f.ID {
		t.Fatalf("got %v (%+v)", err, ce)
	}
	if httpx.KindOf(err) != httpx.KindConflict || !strings.Contains(err.Error(), "Item with the same name already exists") {
		t.Fatalf("error lost its kind or message: %v", err)
	}
}

func TestItemsPagesByMarker(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	parent, err := e.fake.CreateFolder("0", "Big")
	if err != nil {
		t.Fatal(err)
	}
	const folders, files = 100, 1000
	for i := range folders {
		if _, err := e.fake.CreateFolder(parent.ID, fmt.Sprintf("dir %04d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range files {
		if _, err := e.fake.UploadFile(parent.ID, fmt.Sprintf("doc %04d.txt", i), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	before := e.c.HTTP().Requests()
	seen := map[string]bool{}
	var nFolders, nFiles int
	err = e.c.Items(context.Background(), parent.ID, func(it box.Item) error {
		if seen[it.ID] {
			return fmt.Errorf("item %s listed twice", it.ID)
		}
		seen[it.ID] = true
		switch it.Type {
		case "folder":
			nFolders++
		case "file":
			nFiles++
			if it.SHA1 == "" || it.Size == nil || it.FileVersion == nil || it.Name == "" || it.Etag == "" {
				return fmt.Errorf("file entry lacks fields: %+v", it)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if nFolders != folders || nFiles != files {
		t.Fatalf("listed %d folders and %d files, want %d and %d", nFolders, nFiles, folders, files)
	}
	if got := e.c.HTTP().Requests() - before; got != 2 {
		t.Fatalf("%d requests for 1100 items, want 2 pages of 1000", got)
	}
}

func TestItemsStopsWhenFnFails(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	for i := range 3 {
		if _, err := e.fake.CreateFolder("0", fmt.Sprint("f", i)); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	n := 0
	err := e.c.Items(context.Background(), "0", func(box.Item) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d calls", err, n)
	}
}

func TestSetFolderDescription(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	id, _, err := e.c.EnsureFolder(ctx, "0", "Matter")
	if err != nil {
		t.Fatal(err)
	}
	desc := "clio:matter:" + strings.Repeat("é", 200)
	if err := e.c.SetFolderDescription(ctx, id, desc); err != nil {
		t.Fatal(err)
	}
	f, err := e.c.Folder(ctx, id)
	if err != nil || f.Description != desc || f.Name != "Matter" {
		t.Fatalf("Folder = %+v, %v", f, err)
	}
	before := e.c.HTTP().Requests()
	if err := e.c.SetFolderDescription(ctx, id, strings.Repeat("x", 257)); err == nil {
		t.Fatal("a 257-character description was accepted")
	}
	if e.c.HTTP().Requests() != before {
		t.Fatal("a too long description was sent")
	}
}

func TestDeletedFolderIsNotFound(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	id, _, err := e.c.EnsureFolder(ctx, "0", "Old matter")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.c.EnsureFolder(ctx, id, "Correspondence"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteFolder(ctx, id, false); httpx.KindOf(err) != httpx.KindValidation {
		t.Fatalf("non-recursive delete of a non-empty folder: %v", err)
	}
	if err := e.c.DeleteFolder(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Folder(ctx, id)
	if !errors.Is(err, box.ErrNotFound) {
		t.Fatalf("Folder after delete: %v, want ErrNotFound", err)
	}
	if err := e.c.DeleteFolder(ctx, id, true); !errors.Is(err, box.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := e.c.Folder(ctx, "123456"); !errors.Is(err, box.ErrNotFound) {
		t.Fatalf("unknown folder: %v", err)
	}
}

func TestSanitizedNamesAreAcceptedByBox(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	nasty := []string{
		"  Smith/Jones: \"Deposition\" <draft>?  ",
		"..",
		".",
		"   ",
		"",
		"tab\there\nnewline\x7f",
		"C:\\Users\\paralegal\\notes*.docx",
		strings.Repeat("日本語", 120),
		strings.Repeat("😀", 70) + ".pdf",
		strings.Repeat("a", 300),
		"trailing space ",
		"bad\xffutf8",
		"\u0085next line",
	}
	for i, raw := range nasty {
		name := box.SanitizeName(raw)
		dir, err := e.fake.CreateFolder("0", fmt.Sprint("folders ", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.CreateFolder(ctx, dir.ID, name); err != nil {
			t.Errorf("folder %q (from %q) refused: %v", name, raw, err)
		}
		dir, err = e.fake.CreateFolder("0", fmt.Sprint("files ", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.UploadFile(ctx, dir.ID, name, 2, strings.NewReader("hi"), ""); err != nil {
			t.Errorf("file %q (from %q) refused: %v", name, raw, err)
		}
	}
}
