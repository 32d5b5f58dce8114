package core_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

func TestTargets(t *testing.T) {
	matter := map[string][]string{core.JobFolders: {"matter:42"}, core.JobIntake: {"clio-matter:42"}}
	tests := []struct {
		name string
		ev   store.WebhookEvent
		want map[string][]string
	}{
		{"clio matter created", store.WebhookEvent{Platform: core.Clio, Type: "matter.created", Resource: "42"},
			map[string][]string{core.JobFolders: {"matter:42"}, core.JobIntake: {"clio-matter:42"}, core.JobDocuments: {"matter:42"}}},
		{"clio matter updated", store.WebhookEvent{Platform: core.Clio, Type: "matter.updated", Resource: "42"}, matter},
		{"clio matter_opened", store.WebhookEvent{Platform: core.Clio, Type: "matter.matter_opened", Resource: "42"}, matter},
		{"clio matter_pended", store.WebhookEvent{Platform: core.Clio, Type: "matter.matter_pended", Resource: "42"}, matter},
		{"clio matter_closed", store.WebhookEvent{Platform: core.Clio, Type: "matter.matter_closed", Resource: "42"}, matter},
		// A webhook whose registration Firmsync lost: the receiver types it
		// "clio.<event>", and a status event still names its model.
		{"clio matter_closed from an unknown webhook", store.WebhookEvent{Platform: core.Clio, Type: "clio.matter_closed", Resource: "42"}, matter},
		{"clio updated from an unknown webhook", store.WebhookEvent{Platform: core.Clio, Type: "clio.updated", Resource: "42"}, map[string][]string{}},
		{"clio contact", store.WebhookEvent{Platform: core.Clio, Type: "contact.updated", Resource: "7"}, map[string][]string{core.JobContacts: {"clio:7"}}},
		{"clio document", store.WebhookEvent{Platform: core.Clio, Type: "document.created", Resource: "9"}, map[string][]string{core.JobDocuments: {"doc:9"}}},
		{"clio matter without an id", store.WebhookEvent{Platform: core.Clio, Type: "matter.matter_opened"}, map[string][]string{}},
		{"lawmatics matter.converted", store.WebhookEvent{Platform: core.Lawmatics, Type: "matter.converted", Resource: "456"},
			map[string][]string{core.JobIntake: {"prospect:456"}}},
		{"lawmatics matter.converted without matter_id", store.WebhookEvent{Platform: core.Lawmatics, Type: "matter.converted"}, map[string][]string{}},
		{"lawmatics other event", store.WebhookEvent{Platform: core.Lawmatics, Type: "invoice.paid"}, map[string][]string{}},
		{"zoom recording", store.WebhookEvent{Platform: core.Zoom, Type: "recording.completed", Resource: "u=="},
			map[string][]string{core.JobRecordings: {"meeting:u=="}}},
		{"box folder", store.WebhookEvent{Platform: core.Box, Type: "FOLDER.RENAMED", Resource: "folder:5"},
			map[string][]string{core.JobFolders: {"boxfolder:5"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := core.Targets(tc.ev)
			if !maps.EqualFunc(got, tc.want, slices.Equal) {
				t.Fatalf("Targets = %v, want %v", got, tc.want)
			}
		})
	}
}
