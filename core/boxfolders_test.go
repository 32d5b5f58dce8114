package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/jobs"
	"github.com/firmsync/firmsync/core/secrets"
)

func TestBoxFoldersBrowsesTheDemoFirmsBox(t *testing.T) {
	ctx := context.Background()
	app := openSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer app.Close()
	root := app.Settings().Jobs.BoxRootFolderID // the demo firm's matters folder
	if root == "" || root == "0" {
		t.Fatalf("sandbox Box root = %q", root)
	}
	top, err := app.BoxFolders(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if top.Folder.ID != "0" || top.Folder.Name != "All Files" || len(top.Path) != 0 {
		t.Errorf("All Files listing = %+v", top)
	}
	var found core.BoxFolderRef
	for _, f := range top.Subfolders {
		if f.ID == root {
			found = f
		}
	}
	if found.Name == "" {
		t.Fatalf("the demo firm's matters folder %s is not among All Files' folders: %+v", root, top.Subfolders)
	}
	in, err := app.BoxFolders(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if in.Folder.ID != root || in.Folder.Name != found.Name || len(in.Path) == 0 || in.Path[0].ID != "0" {
		t.Errorf("listing of %s = %+v", root, in)
	}
	if _, err := app.BoxFolders(ctx, "999999999"); err == nil {
		t.Error("listing a folder that does not exist succeeded")
	}
}

func TestBoxFoldersNeedsBoxConnected(t *testing.T) {
	app, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.BoxFolders(context.Background(), "0"); !errors.Is(err, jobs.ErrNotConnected) {
		t.Errorf("BoxFolders without Box connected: %v", err)
	}
}
