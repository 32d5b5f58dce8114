package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// The words the Overview and the tray use for what a job did. A run is
// told by when it was, what started it and what it did to the firm's
// data, in the job's own nouns: "2 min ago (webhook) · 1 folder created".

// runSkipped is the engine's status of a run that did not get to look at
// anything (a platform it needs was not connected, say).
const runSkipped = "skipped"

// agoText says when t was, relative to now, in a few words.
func agoText(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case sameDay(t, now):
		return "today " + t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return "yesterday " + t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}

// triggerWord names what started a run.
func triggerWord(trigger string) string {
	switch trigger {
	case "schedule":
		return "scheduled"
	case "webhook":
		return "webhook"
	case "manual":
		return "Sync Now"
	case "retry":
		return "retry"
	case "startup":
		return "at start"
	case "catch-up":
		return "webhook catch-up"
	}
	return trigger
}

// jobNouns are the things a job makes, singular and plural, in the words
// of the firm's practice-management system (MyCase's matters are cases).
func jobNouns(job string, w wording) (one, many string) {
	switch job {
	case core.JobContacts:
		return "contact", "contacts"
	case core.JobRecordings:
		return "call note", "call notes"
	case core.JobFolders:
		return "folder", "folders"
	case core.JobDocuments:
		return "document", "documents"
	case core.JobIntake:
		return w.matter(), w.matters()
	}
	return "item", "items"
}

// didText says what a run did in the job's nouns: "1 folder created ·
// 2 updated", or "nothing to change".
func didText(job string, w wording, created, updated, deleted, failed int) string {
	one, many := jobNouns(job, w)
	noun := func(n int) string {
		if n == 1 {
			return one
		}
		return many
	}
	var parts []string
	first := true
	add := func(n int, verb string) {
		if n <= 0 {
			return
		}
		if first {
			// The noun once, on the first count: "3 folders created · 1 updated".
			parts = append(parts, fmt.Sprintf("%d %s %s", n, noun(n), verb))
			first = false
			return
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, verb))
	}
	add(created, "created")
	add(updated, "updated")
	add(deleted, "removed")
	if failed > 0 {
		if first {
			parts = append(parts, fmt.Sprintf("%d %s failed", failed, noun(failed)))
		} else {
			parts = append(parts, fmt.Sprintf("%d failed", failed))
		}
	}
	if len(parts) == 0 {
		return "nothing to change"
	}
	return strings.Join(parts, " · ")
}

// runText is one run in a line: "2 min ago (webhook) · 1 folder created".
func runText(job string, w wording, at time.Time, trigger, status string, created, updated, deleted, failed int, now time.Time) string {
	when := agoText(at, now)
	if w := triggerWord(trigger); w != "" {
		when += " (" + w + ")"
	}
	switch status {
	case store.RunRunning:
		return when + " · still running"
	case runSkipped:
		return when + " · did not run"
	case store.RunCancelled:
		return when + " · stopped before the end"
	case store.RunFailed:
		if created+updated+deleted == 0 {
			return when + " · failed"
		}
	}
	return when + " · " + didText(job, w, created, updated, deleted, failed)
}

// lastActivityText is the Overview's "Last activity" cell: the last run,
// whatever started it, and, when that run changed nothing, the last run
// that did, so webhook work is not hidden behind a later empty run.
func lastActivityText(js core.JobStatus, w wording, now time.Time) string {
	if js.LastRun == nil {
		return "Never run yet"
	}
	s := runText(js.Job, w, *js.LastRun, js.LastTrigger, js.LastStatus, js.Created, js.Updated, js.Deleted, js.Failed, now)
	if c := js.LastChange; c != nil && !c.At.Equal(*js.LastRun) {
		s += "\nLast change " + runText(js.Job, w, c.At, c.Trigger, c.Status, c.Created, c.Updated, c.Deleted, c.Failed, now)
	}
	return s
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// needWord is "needs" for one and "need" for more.
func needWord(n int) string {
	if n == 1 {
		return "needs"
	}
	return "need"
}

// attentionText is "1 item needs attention" / "3 items need attention".
func attentionText(n int) string {
	return fmt.Sprintf("%d item%s %s attention", n, plural(n), needWord(n))
}
