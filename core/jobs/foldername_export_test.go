package jobs

import "strconv"

// FolderNameForTest exposes the matter folder name rule to the external
// tests.
var FolderNameForTest = folderName

// FolderNameCleanForTest exposes the name cleaning rule.
var FolderNameCleanForTest = folderNameClean

// DocsKeepBothNameForTest exposes the keep-both file name.
func DocsKeepBothNameForTest(name string, clioID int64) string {
	return docsKeepBothName(name, "Clio", strconv.FormatInt(clioID, 10))
}

// RenamedDetailsForTest exposes the log details of a cleaned name.
var RenamedDetailsForTest = renamedDetails

// FolderNameDetailsForTest exposes the log details of a matter folder name.
var FolderNameDetailsForTest = folderNameDetails
