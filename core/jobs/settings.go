package jobs

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core/pms"
)

// Settings are the jobs' user-editable settings. The zero value of a field
// means "use the default" (see Defaults and Normalize).
type Settings struct {
	// PracticeManagement is the firm's practice-management system: "clio"
	// (the default), "mycase" or "smokeball" (see package pms). Contact
	// sources and note targets name it by its kind.
	PracticeManagement string `json:"practice_management"`

	// contacts
	ContactSources []string `json:"contact_sources"` // the practice-management kind and/or "lawmatics"
	DeleteRemoved  bool     `json:"delete_removed"`  // a contact deleted at the source is removed from Zoom
	PhoneRegion    string   `json:"phone_region"`    // default region for numbers without a country code

	// recordings
	NoteTargets      []string      `json:"note_targets"`       // the practice-management kind and/or "lawmatics"
	TranscriptLimit  int           `json:"transcript_limit"`   // characters of transcript in a note
	PostWithoutAfter time.Duration `json:"post_without_after"` // post a note without transcript/summary after this long
	Lookback         time.Duration `json:"lookback"`           // first recordings run: how far back to look

	// folders
	MatterStatuses    []string `json:"matter_statuses"`    // Clio statuses that get a folder: "open", "pending", "closed"
	BoxRootFolderID   string   `json:"box_root_folder_id"` // where matter folders go
	SubfolderTemplate []string `json:"subfolder_template"` // subfolders created in each matter folder
	FolderFieldName   string   `json:"folder_field_name"`  // Clio matter custom field holding the Box folder id

	// documents
	DocumentSubfolder string `json:"document_subfolder"` // subfolder of the matter folder for documents; "" = the matter folder
	NameClash         string `json:"name_clash"`         // "version" (upload as a new version) or "keep_both"

	// intake
	HiredSubStatus       string            `json:"hired_sub_status"`       // also take prospects with this sub-status; "" = status hired only
	CaseTypeMapping      map[string]string `json:"case_type_mapping"`      // Lawmatics case-type label (what a person picks, e.g. "Custody only") → Clio practice area name
	FallbackPracticeArea string            `json:"fallback_practice_area"` // for unmapped case types
}

// DefaultCaseTypeMapping is the seed firm's case-type → practice-area
// table, keyed by the labels of its Lawmatics "Case Type" picklist (the
// formatted_value a person sees, not the option id in value).
func DefaultCaseTypeMapping() map[string]string {
	return map[string]string{
		"Divorce (standard)":     "Family Law",
		"Custody only":           "Family Law",
		"Immigration — asylum":   "Immigration",
		"Personal injury — auto": "Personal Injury",
		"Estate planning — will": "Estate Planning",
	}
}

// legacyCaseTypeKeys maps the keys DefaultCaseTypeMapping had when case
// types were slugs to the labels that replaced them, so a firm whose saved
// table still says "divorce_standard" keeps its choices.
func legacyCaseTypeKeys() map[string]string {
	return map[string]string{
		"divorce_standard":     "Divorce (standard)",
		"custody_only":         "Custody only",
		"immigration_asylum":   "Immigration — asylum",
		"personal_injury_auto": "Personal injury — auto",
		"estate_planning_will": "Estate planning — will",
	}
}

// migrateCaseTypeMapping renames legacy slug keys to their labels. A label
// the firm already mapped wins over its old slug.
func migrateCaseTypeMapping(m map[string]string) map[string]string {
	legacy := legacyCaseTypeKeys()
	out := make(map[string]string, len(m))
	for k, v := range m {
		if _, old := legacy[k]; !old {
			out[k] = v
		}
	}
	for k, v := range m {
		if label, old := legacy[k]; old {
			if _, set := out[label]; !set {
				out[label] = v
			}
		}
	}
	return out
}

// DefaultSubfolders is the seed firm's subfolder template.
func DefaultSubfolders() []string {
	return []string{"Correspondence", "Pleadings", "Discovery", "Contracts", "Research", "Billing"}
}

// Defaults returns the settings a new firm starts with.
func Defaults() Settings {
	return Settings{
		ContactSources:       []string{"clio"},
		DeleteRemoved:        true,
		PhoneRegion:          "US",
		NoteTargets:          []string{"clio"},
		TranscriptLimit:      5000,
		PostWithoutAfter:     24 * time.Hour,
		Lookback:             30 * 24 * time.Hour,
		MatterStatuses:       []string{"open", "pending"},
		BoxRootFolderID:      "0",
		SubfolderTemplate:    DefaultSubfolders(),
		FolderFieldName:      "Box Folder ID",
		NameClash:            "version",
		CaseTypeMapping:      DefaultCaseTypeMapping(),
		FallbackPracticeArea: "General",
	}
}

// Normalize fills unset fields from Defaults (the case-type mapping only
// when the firm has none; old slug keys are renamed to labels).
func (s Settings) Normalize() Settings {
	d := Defaults()
	if s.PracticeManagement == "" {
		s.PracticeManagement = pms.Clio
	}
	if len(s.ContactSources) == 0 {
		s.ContactSources = d.ContactSources
	}
	s.ContactSources = onePMS(s.ContactSources, s.PracticeManagement)
	if s.PhoneRegion == "" {
		s.PhoneRegion = d.PhoneRegion
	}
	if len(s.NoteTargets) == 0 {
		s.NoteTargets = d.NoteTargets
	}
	s.NoteTargets = onePMS(s.NoteTargets, s.PracticeManagement)
	if s.TranscriptLimit == 0 {
		s.TranscriptLimit = d.TranscriptLimit
	}
	if s.PostWithoutAfter == 0 {
		s.PostWithoutAfter = d.PostWithoutAfter
	}
	if s.Lookback == 0 {
		s.Lookback = d.Lookback
	}
	if len(s.MatterStatuses) == 0 {
		s.MatterStatuses = d.MatterStatuses
	}
	if s.BoxRootFolderID == "" {
		s.BoxRootFolderID = d.BoxRootFolderID
	}
	if s.SubfolderTemplate == nil {
		s.SubfolderTemplate = d.SubfolderTemplate
	}
	if s.FolderFieldName == "" {
		s.FolderFieldName = d.FolderFieldName
	}
	if s.NameClash == "" {
		s.NameClash = d.NameClash
	}
	// The built-in table is only a starting point: once the firm has a
	// table of its own (even an empty one), a row it deleted stays deleted.
	if s.CaseTypeMapping == nil {
		s.CaseTypeMapping = DefaultCaseTypeMapping()
	} else {
		s.CaseTypeMapping = migrateCaseTypeMapping(s.CaseTypeMapping)
	}
	if s.FallbackPracticeArea == "" {
		s.FallbackPracticeArea = d.FallbackPracticeArea
	}
	return s
}

// onePMS returns list with every practice-management kind in it spelled
// as kind, once: a list saved as ["clio"] (the only system there was)
// means "the practice-management system", whichever the firm runs.
func onePMS(list []string, kind string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if pms.Valid(v) {
			v = kind
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Validate rejects settings a user could not mean, naming the field.
func (s Settings) Validate() error {
	if s.PracticeManagement != "" && !pms.Valid(s.PracticeManagement) {
		return fmt.Errorf("practice management: %q is not clio, mycase or smokeball", s.PracticeManagement)
	}
	for _, src := range s.ContactSources {
		if !pms.Valid(src) && src != "lawmatics" {
			return fmt.Errorf("contact sources: %q is not clio, mycase, smokeball or lawmatics", src)
		}
	}
	for _, t := range s.NoteTargets {
		if !pms.Valid(t) && t != "lawmatics" {
			return fmt.Errorf("note targets: %q is not clio, mycase, smokeball or lawmatics", t)
		}
	}
	if s.PhoneRegion != "" && (len(s.PhoneRegion) != 2 || strings.ToUpper(s.PhoneRegion) != s.PhoneRegion) {
		return fmt.Errorf("phone region: %q is not a two-letter country code such as US or GB", s.PhoneRegion)
	}
	if s.TranscriptLimit < 0 || s.TranscriptLimit > 1_000_000 {
		return fmt.Errorf("transcript limit: %d is not between 0 and 1,000,000 characters", s.TranscriptLimit)
	}
	for _, st := range s.MatterStatuses {
		if !slices.Contains([]string{"open", "pending", "closed"}, st) {
			return fmt.Errorf("matter statuses: %q is not open, pending or closed", st)
		}
	}
	for _, sf := range s.SubfolderTemplate {
		if strings.TrimSpace(sf) == "" || strings.ContainsAny(sf, `/\`) {
			return fmt.Errorf("subfolder template: %q is empty or contains a slash", sf)
		}
	}
	if s.NameClash != "" && s.NameClash != "version" && s.NameClash != "keep_both" {
		return fmt.Errorf("name clash: %q is not version or keep_both", s.NameClash)
	}
	return nil
}
