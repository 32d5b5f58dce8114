package core

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/firmsync/firmsync/connectors/box"
)

// maxBoxSubfolders caps one listing for the folder picker: a folder with
// more subfolders than a person can scroll through is named by typing its
// id under Advanced.
const maxBoxSubfolders = 500

// BoxFolderRef names one Box folder.
type BoxFolderRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// BoxFolderListing is one Box folder as the folder picker shows it: where
// it is, and the folders in it.
type BoxFolderListing struct {
	Folder     BoxFolderRef   `json:"folder"`
	Path       []BoxFolderRef `json:"path"`       // from "All Files" down to the folder's parent
	Subfolders []BoxFolderRef `json:"subfolders"` // by name
	Truncated  bool           `json:"truncated"`  // more than maxBoxSubfolders
}

// errEnoughFolders stops a listing once it holds what the picker shows.
var errEnoughFolders = errors.New("enough folders")

// BoxFolders lists the subfolders of a Box folder ("0" or "" is All
// Files) through the connected Box account, for picking the folder new
// matter folders go in. In the sandbox it browses the demo firm's Box.
func (a *App) BoxFolders(ctx context.Context, folderID string) (BoxFolderListing, error) {
	if folderID = strings.TrimSpace(folderID); folderID == "" {
		folderID = "0"
	}
	c, err := a.platforms.Box(ctx)
	if err != nil {
		return BoxFolderListing{}, fmt.Errorf("browsing Box: %w", err)
	}
	f, err := c.Folder(ctx, folderID)
	if err != nil {
		return BoxFolderListing{}, fmt.Errorf("browsing Box folder %s: %w", folderID, err)
	}
	out := BoxFolderListing{Folder: BoxFolderRef{ID: f.ID, Name: boxFolderName(f.ID, f.Name)}}
	for _, p := range f.PathCollection.Entries {
		out.Path = append(out.Path, BoxFolderRef{ID: p.ID, Name: boxFolderName(p.ID, p.Name)})
	}
	// Box lists folders before files: the first file ends the folders.
	err = c.Items(ctx, folderID, func(it box.Item) error {
		if it.Type != "folder" {
			return errEnoughFolders
		}
		if len(out.Subfolders) == maxBoxSubfolders {
			out.Truncated = true
			return errEnoughFolders
		}
		out.Subfolders = append(out.Subfolders, BoxFolderRef{ID: it.ID, Name: it.Name})
		return nil
	})
	if err != nil && !errors.Is(err, errEnoughFolders) {
		return BoxFolderListing{}, fmt.Errorf("listing the folders in Box folder %s: %w", folderID, err)
	}
	sort.SliceStable(out.Subfolders, func(i, j int) bool {
		return strings.ToLower(out.Subfolders[i].Name) < strings.ToLower(out.Subfolders[j].Name)
	})
	return out, nil
}

// boxFolderName is what Box's web app calls a folder: the root is "All
// Files" (the API names it "All Files" too, but an empty name must not
// show as nothing).
func boxFolderName(id, name string) string {
	if id == "0" && name == "" {
		return "All Files"
	}
	return name
}
