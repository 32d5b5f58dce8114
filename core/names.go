package core

import "slices"

// Platform names, as used on the command line, in the store and in keychain keys.
const (
	Clio      = "clio"
	Lawmatics = "lawmatics"
	Zoom      = "zoom"
	Box       = "box"
)

// Job names.
const (
	JobContacts   = "contacts"
	JobRecordings = "recordings"
	JobFolders    = "folders"
	JobDocuments  = "documents"
	JobIntake     = "intake"
)

// Platforms lists every platform Firmsync connects to, in display order.
func Platforms() []string { return []string{Clio, Lawmatics, Zoom, Box} }

// Jobs lists every sync job, in the order a full sync runs them: intake
// first so a hired prospect's matter exists before folders and documents
// look for matters.
func Jobs() []string {
	return []string{JobIntake, JobContacts, JobFolders, JobDocuments, JobRecordings}
}

// Regions lists Clio's data regions.
func Regions() []string { return []string{"us", "eu", "ca", "au"} }

// LogStatuses lists the statuses a per-item log record can have.
func LogStatuses() []string {
	return []string{"pending", "success", "failed", "skipped", "needs_attention"}
}

// IsPlatform reports whether p names a platform.
func IsPlatform(p string) bool { return slices.Contains(Platforms(), p) }

// IsJob reports whether j names a job.
func IsJob(j string) bool { return slices.Contains(Jobs(), j) }
