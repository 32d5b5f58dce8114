package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/store"
)

// jobLabel names a job in plain English.
func jobLabel(job string) string {
	switch job {
	case core.JobContacts:
		return "Contacts → Zoom Phone"
	case core.JobRecordings:
		return "Zoom recordings → call notes"
	case core.JobFolders:
		return "New matters → Box folders"
	case core.JobDocuments:
		return "Matter documents → Box"
	case core.JobIntake:
		return "Hired leads → Clio matters"
	case "":
		return ""
	}
	return job
}

// jobHint says in one line what a job does.
func jobHint(job string) string {
	switch job {
	case core.JobContacts:
		return "Clio and Lawmatics contacts appear in Zoom Phone"
	case core.JobRecordings:
		return "Call summaries and transcripts become notes"
	case core.JobFolders:
		return "Each new Clio matter gets a Box folder"
	case core.JobDocuments:
		return "Clio matter documents are copied to Box"
	case core.JobIntake:
		return "Hired Lawmatics leads become Clio matters"
	}
	return ""
}

// platformName is a platform's proper name.
func platformName(p string) string {
	switch p {
	case core.Clio:
		return "Clio"
	case core.Lawmatics:
		return "Lawmatics"
	case core.Zoom:
		return "Zoom"
	case core.Box:
		return "Box"
	}
	return p
}

// logStatusLabel names a log record status.
func logStatusLabel(s string) string {
	switch s {
	case store.LogSuccess:
		return "Done"
	case store.LogFailed:
		return "Failed (will retry)"
	case store.LogNeedsAttention:
		return "Needs attention"
	case store.LogSkipped:
		return "Skipped"
	case store.LogPending:
		return "In progress"
	}
	return s
}

// runStatusLabel names a run status.
func runStatusLabel(s string) string {
	switch s {
	case store.RunSucceeded:
		return "Succeeded"
	case store.RunFailed:
		return "Failed"
	case store.RunPartial:
		return "Finished, some items failed"
	case store.RunCancelled:
		return "Stopped"
	case store.RunRunning:
		return "Running"
	case "skipped":
		return "Skipped"
	case "":
		return "Not run yet"
	}
	return s
}

// whenText says when t was, relative to now, in words.
func whenText(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	clock := t.Format("15:04")
	switch {
	case d < 0:
		return untilText(t, now)
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago (%s)", int(d.Minutes()), clock)
	case sameDay(t, now):
		return "today " + clock
	case sameDay(t, now.AddDate(0, 0, -1)):
		return "yesterday " + clock
	}
	return t.Format("Jan 2 15:04")
}

// untilText says when a future t is.
func untilText(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "not scheduled"
	}
	d := t.Sub(now)
	clock := t.Format("15:04")
	switch {
	case d < time.Minute:
		return "in under a minute"
	case d < time.Hour:
		return fmt.Sprintf("in %d min (%s)", int(d.Minutes()+0.5), clock)
	case sameDay(t, now):
		return "today " + clock
	case sameDay(t, now.AddDate(0, 0, 1)):
		return "tomorrow " + clock
	}
	return t.Format("Jan 2 15:04")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// durationText says how long d is in a few words ("3 h 20 min").
func durationText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// plainError turns an error into words a person can act on.
func plainError(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "stopped because Firmsync is closing"
	case errors.Is(err, context.DeadlineExceeded):
		return "took too long; check the internet connection and try again"
	}
	return firstLine(err.Error())
}

// firstLine keeps the first line of s.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// countsText says what a run did: "12 created · 3 updated · 1 failed".
func countsText(created, updated, failed int) string {
	var parts []string
	if created > 0 {
		parts = append(parts, fmt.Sprintf("%d created", created))
	}
	if updated > 0 {
		parts = append(parts, fmt.Sprintf("%d updated", updated))
	}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", failed))
	}
	if len(parts) == 0 {
		return "nothing to change"
	}
	return strings.Join(parts, " · ")
}
