package core

import (
	"context"
	"fmt"
	"strings"

	"github.com/firmsync/firmsync/core/engine"
	"github.com/firmsync/firmsync/core/store"
)

// Targets maps a verified webhook event to the jobs and object keys it
// affects. Keys follow each job's ledger keys (see core/jobs).
func Targets(ev store.WebhookEvent) map[string][]string {
	out := map[string][]string{}
	add := func(job, key string) {
		if key != "" && !strings.HasSuffix(key, ":") {
			out[job] = append(out[job], key)
		}
	}
	model, event, _ := strings.Cut(ev.Type, ".")
	switch ev.Platform {
	case Clio:
		if clioMatterStatusEvent(event) {
			// Only matter webhooks send these, so the event names the model
			// even when the webhook's registration is unknown ("clio.").
			model = "matter"
		}
		switch model {
		case "matter":
			// created, updated, deleted, and the status changes
			// matter_opened / matter_pended / matter_closed alike: the
			// folders job re-checks the matter's folders and the intake
			// job carries the new status back to the Lawmatics link.
			add(JobFolders, "matter:"+ev.Resource)
			add(JobIntake, "clio-matter:"+ev.Resource) // status flows back to the intake link
			if event == "created" {
				add(JobDocuments, "matter:"+ev.Resource)
			}
		case "contact":
			add(JobContacts, "clio:"+ev.Resource)
		case "document":
			add(JobDocuments, "doc:"+ev.Resource)
		}
	case MyCase:
		switch model {
		case "case":
			add(JobFolders, "matter:"+ev.Resource)
			add(JobIntake, MyCase+"-matter:"+ev.Resource)
			if event == "created" {
				add(JobDocuments, "matter:"+ev.Resource)
			}
		case "client":
			add(JobContacts, "mycase:"+ev.Resource)
		}
	case Smokeball:
		// The body of a Smokeball delivery is not signed: its ids only say
		// what to read again from Smokeball's API (see webhook/pms.go).
		switch model {
		case "matter":
			add(JobFolders, "matter:"+ev.Resource)
			add(JobIntake, Smokeball+"-matter:"+ev.Resource)
			if event == "created" {
				add(JobDocuments, "matter:"+ev.Resource)
			}
		case "contact":
			add(JobContacts, "sb:"+ev.Resource)
		case "files":
			add(JobDocuments, "matter:"+ev.Resource)
		}
	case Zoom:
		switch ev.Type {
		case "recording.completed", "recording.transcript_completed", "meeting.summary_completed":
			add(JobRecordings, "meeting:"+ev.Resource)
		}
	case Lawmatics:
		if ev.Type == "matter.converted" {
			add(JobIntake, "prospect:"+ev.Resource)
		}
	case Box:
		// A matter folder renamed, moved or trashed by a person: the folders
		// job re-checks its links (a trashed one is recreated).
		if strings.HasPrefix(ev.Type, "FOLDER.") {
			add(JobFolders, "boxfolder:"+strings.TrimPrefix(ev.Resource, "folder:"))
		}
	}
	return out
}

// clioMatterStatusEvent reports whether event is one of the matter-only
// events Clio sends when a matter's status changes (Clio API v4 spec,
// Webhooks tag).
func clioMatterStatusEvent(event string) bool {
	switch event {
	case "matter_opened", "matter_pended", "matter_closed":
		return true
	}
	return false
}

// processWebhook applies one stored event: it runs each affected job for
// just the affected objects and waits, so the event is marked processed
// only after the effect.
func (a *App) processWebhook(ctx context.Context, ev store.WebhookEvent) error {
	targets := Targets(ev)
	if len(targets) == 0 {
		a.Logger().Info("webhook event needs no action", "platform", ev.Platform, "type", ev.Type)
		return nil
	}
	var firstErr error
	for _, job := range Jobs() {
		keys := targets[job]
		if len(keys) == 0 {
			continue
		}
		r := a.engine.Run(ctx, job, engine.Trigger{Kind: engine.TriggerWebhook, ObjectIDs: keys}, engine.RunOptions{})
		if r.Err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", job, r.Err)
		}
	}
	return firstErr
}
