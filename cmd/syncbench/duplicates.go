package main

// Duplicates: objects a side made twice, counted from the fakes' state
// after the sync and latency scenarios. Shown for MyCase and Smokeball
// (whose writes an integration can more easily repeat: Smokeball applies
// them after answering 202); Clio's table is kept as it was.

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/firmsync/firmsync/connectors/sandbox"
)

// DupCount is one side's duplicates, by kind of object.
type DupCount struct {
	Contacts int `json:"contacts"` // contacts sharing an email
	Matters  int `json:"matters"`  // matters sharing a number
	Notes    int `json:"notes"`    // call notes naming the same meeting
	Folders  int `json:"folders"`  // Box matter folders for one name
	Files    int `json:"files"`    // Box files for one name in one folder
}

// Total is every duplicate.
func (d DupCount) Total() int { return d.Contacts + d.Matters + d.Notes + d.Folders + d.Files }

func (d DupCount) String() string {
	return fmt.Sprintf("%d (%d contacts, %d matters, %d call notes, %d Box folders, %d Box files)", d.Total(), d.Contacts, d.Matters, d.Notes, d.Folders, d.Files)
}

// Duplicates is both sides' duplicates.
type Duplicates struct {
	Firmsync DupCount `json:"firmsync"`
	Baseline DupCount `json:"baseline"`
}

// extras counts how many keys repeat an earlier one ("" keys ignored).
func extras(keys []string) int {
	seen := map[string]bool{}
	n := 0
	for _, k := range keys {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	return n
}

var (
	meetingMarker = regexp.MustCompile(`Zoom meeting ID: (\S+)`)
	// copySuffix is the " (2)" a name gets when another item already has it.
	copySuffix = regexp.MustCompile(` \(\d+\)(\.[^.\s]*)?$`)
)

// countDuplicates reads one sandbox.
func countDuplicates(sb *sandbox.Sandbox, kind string) DupCount {
	fk := pmsOf(sb, kind)
	d := DupCount{Contacts: extras(fk.people()), Matters: extras(fk.matterNumbers())}
	var markers []string
	for _, n := range fk.notes() {
		for _, m := range meetingMarker.FindAllStringSubmatch(n, -1) {
			markers = append(markers, m[1])
		}
	}
	d.Notes = extras(markers)

	_, items, err := sb.Box().Folder(sb.BoxRoot())
	if err != nil {
		return d
	}
	var names []string
	for _, it := range items {
		if it.Type == "folder" {
			names = append(names, copySuffix.ReplaceAllString(it.Name, "$1"))
			d.Files += boxFileDuplicates(sb, it.ID, 0)
		}
	}
	d.Folders = extras(names)
	return d
}

// boxFileDuplicates counts, in a folder and its subfolders, files whose
// names differ only by a copy suffix from another's in the same folder.
func boxFileDuplicates(sb *sandbox.Sandbox, folder string, depth int) int {
	_, items, err := sb.Box().Folder(folder)
	if err != nil || depth > 4 {
		return 0
	}
	var names []string
	n := 0
	for _, it := range items {
		switch it.Type {
		case "file":
			names = append(names, copySuffix.ReplaceAllString(it.Name, "$1"))
		case "folder":
			n += boxFileDuplicates(sb, it.ID, depth+1)
		}
	}
	return n + extras(names)
}
