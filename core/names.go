package core

import "slices"

// Platform names, as used on the command line, in the store and in keychain keys.
const (
	Clio      = "clio"
	MyCase    = "mycase"
	Smokeball = "smokeball"
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

// Platforms lists the platforms of a Clio firm (the default), in display
// order; App.Platforms lists the firm's own.
func Platforms() []string { return PlatformsFor(Clio) }

// PlatformsFor lists the platforms of a firm on the practice-management
// system pmsKind, in display order.
func PlatformsFor(pmsKind string) []string {
	if pmsKind == "" {
		pmsKind = Clio
	}
	return []string{pmsKind, Lawmatics, Zoom, Box}
}

// AllPlatforms lists every platform Firmsync can connect to.
func AllPlatforms() []string { return []string{Clio, MyCase, Smokeball, Lawmatics, Zoom, Box} }

// Jobs lists every sync job, in the order a full sync runs them: intake
// first so a hired prospect's matter exists before folders and documents
// look for matters.
func Jobs() []string {
	return []string{JobIntake, JobContacts, JobFolders, JobDocuments, JobRecordings}
}

// Regions lists Clio's data regions.
func Regions() []string { return []string{"us", "eu", "ca", "au"} }

// RegionsFor lists a platform's regions, each its own instance with its
// own developer app and tokens (nil for a platform without regions).
func RegionsFor(platform string) []string {
	switch platform {
	case Clio:
		return Regions()
	case Smokeball:
		return []string{"us", "au", "uk"}
	}
	return nil
}

// LogStatuses lists the statuses a per-item log record can have.
func LogStatuses() []string {
	return []string{"pending", "success", "failed", "skipped", "needs_attention"}
}

// IsPlatform reports whether p names a platform.
func IsPlatform(p string) bool { return slices.Contains(AllPlatforms(), p) }

// IsJob reports whether j names a job.
func IsJob(j string) bool { return slices.Contains(Jobs(), j) }
