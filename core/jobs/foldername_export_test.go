package jobs

// FolderNameForTest exposes the matter folder name rule to the external
// tests.
var FolderNameForTest = folderName

// FolderNameCleanForTest exposes the name cleaning rule.
var FolderNameCleanForTest = folderNameClean

// DocsKeepBothNameForTest exposes the keep-both file name.
var DocsKeepBothNameForTest = docsKeepBothName

// RenamedDetailsForTest exposes the log details of a cleaned name.
var RenamedDetailsForTest = renamedDetails

// FolderNameDetailsForTest exposes the log details of a matter folder name.
var FolderNameDetailsForTest = folderNameDetails
