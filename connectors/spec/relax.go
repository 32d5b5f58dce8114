package spec

import (
	"net/http"
	"regexp"
	"strings"
)

// This file is the ONE place where the conformance check departs from the
// vendors' documents: the relaxations (a schema known to be wrong, each
// with its reason) and the endpoints with no schema to check (each with
// its reason). Nothing else in the package excuses a response.

// Relaxation excuses violations that come from a known error in a vendor's
// document, not from the fake.
type Relaxation struct {
	Name     string
	Platform string
	Reason   string                 // why the document, not the fake, is wrong
	Match    func(v Violation) bool // the violations it excuses
}

// Relaxations lists every deliberate relaxation.
var Relaxations = []Relaxation{
	{
		Name: "clio-nullable", Platform: Clio,
		Reason: "Clio's v4 document marks no property nullable, yet real records carry null for every unset " +
			"attribute (specs README, known quirks); a null is accepted where the document gives a type.",
		Match: func(v Violation) bool {
			// A null also fails an enum that does not list it.
			return v.Field == "nullable" || strings.Contains(v.Reason, "not nullable") || (v.Field == "enum" && v.Got == "null")
		},
	},
	{
		Name: "clio-delete-404", Platform: Clio,
		Reason: "Clio's document lists only 204 and 403 for its DELETE operations, while the GET and PATCH of the " +
			"same records list 404 and apis/clio.md gives 404 for an unknown id on every record endpoint.",
		Match: func(v Violation) bool {
			return strings.HasPrefix(v.Endpoint, "DELETE ") && v.Status == http.StatusNotFound && v.Path == "" &&
				v.Reason == "status is not supported"
		},
	},
	{
		Name: "clio-list-meta", Platform: Clio,
		Reason: "Clio's *_List schemas describe only data, but every list answers with meta.paging and " +
			"meta.records (specs README; apis/clio.md). The schemas do not forbid extra properties, so this " +
			"only matters if a later document closes them.",
		Match: func(v Violation) bool { return strings.HasPrefix(v.Path, "/meta") },
	},
	{
		Name: "box-error-codes", Platform: Box,
		Reason: "Box's ClientError.code enum lists only generic codes; item_name_in_use, trashed, bad_digest, " +
			"name_temporarily_reserved and the other codes of Box's error guide are real (specs README; apis/box.md §6).",
		Match: func(v Violation) bool { return v.Status >= 400 && v.Path == "/code" && v.Field == "enum" },
	},
	{
		Name: "box-file-conflict-object", Platform: Box,
		Reason: "Box's ConflictError types context_info.conflicts as an array, but a file's 409 carries one " +
			"object (apis/box.md §3, from Box's .NET SDK; specs README): both shapes are accepted.",
		Match: func(v Violation) bool {
			return v.Status == http.StatusConflict && v.Path == "/context_info/conflicts" && v.Field == "type" &&
				strings.HasPrefix(v.Got, "{")
		},
	},
	{
		Name: "zoom-recording-meeting-type", Platform: Zoom,
		Reason: "Zoom's 2024 Meetings document types a recording's meeting type as an integer; Zoom's 2026 " +
			"types say string (specs README): both are accepted.",
		Match: func(v Violation) bool {
			return strings.Contains(v.Endpoint, "/recordings") && (v.Field == "type" || v.Field == "enum") &&
				(v.Path == "/type" || v.Path == "/meetings/*/type") && digits.MatchString(v.Got)
		},
	},
}

// digits matches a JSON string holding an integer, as "2".
var digits = regexp.MustCompile(`^"[0-9]+"$`)

// excused returns the name of the relaxation that excuses v, or "".
func excused(v Violation) string {
	for _, r := range Relaxations {
		if r.Platform == v.Platform && r.Match(v) {
			return r.Name
		}
	}
	return ""
}

// Skip is an endpoint the fakes serve that has no vendor schema to check.
type Skip struct {
	Platform string
	Path     *regexp.Regexp // matched against the request's escaped path
	Reason   string
}

// Skips lists every endpoint answered without a schema check.
var Skips = []Skip{
	{Lawmatics, regexp.MustCompile(`.`), "Lawmatics publishes no schema (its collection's examples are decoded into the client's types instead)"},
	{Zoom, regexp.MustCompile(`^/v2/meetings/[^/]+/meeting_summary$`), "Zoom's meeting summary has no OAS document (only TypeScript types)"},
	{Zoom, regexp.MustCompile(`^/rec/`), "recording file download: bytes, not a JSON API response"},
	{Zoom, regexp.MustCompile(`^/oauth/`), "Zoom OAuth is not in Zoom's API documents"},
	{Clio, regexp.MustCompile(`^/oauth/`), "Clio OAuth is not in Clio's v4 document"},
	{Clio, regexp.MustCompile(`^/_s3/`), "document bytes at the signed storage URL Clio hands out, not Clio's API"},
	{Box, regexp.MustCompile(`^/api/oauth2/authorize`), "the consent page is HTML for a browser"},
}

// skip returns why r has no schema to check, or "".
func skip(platform string, r *http.Request) string {
	for _, s := range Skips {
		if s.Platform == platform && s.Path.MatchString(r.URL.EscapedPath()) {
			return s.Reason
		}
	}
	return ""
}
