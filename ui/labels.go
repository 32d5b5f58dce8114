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

// jobLabel names a job in plain English. The words that name the
// practice-management system follow the firm's (see wording).
func (w wording) jobLabel(job string) string {
	switch job {
	case core.JobContacts:
		return "Contacts → Zoom Phone"
	case core.JobRecordings:
		return "Zoom recordings → call notes"
	case core.JobFolders:
		return "New " + w.matters() + " → Box folders"
	case core.JobDocuments:
		return capitalize(w.matter()) + " documents → Box"
	case core.JobIntake:
		return "Hired leads → " + w.pms() + " " + w.matters()
	case "":
		return ""
	}
	return job
}

// jobHint says in one line what a job does.
func (w wording) jobHint(job string) string {
	switch job {
	case core.JobContacts:
		return w.pms() + " and Lawmatics contacts appear in Zoom Phone"
	case core.JobRecordings:
		return "Call summaries and transcripts become notes"
	case core.JobFolders:
		return "Each new " + w.pms() + " " + w.matter() + " gets a Box folder"
	case core.JobDocuments:
		return w.pms() + " " + w.matter() + " documents are copied to Box"
	case core.JobIntake:
		return "Hired Lawmatics leads become " + w.pms() + " " + w.matters()
	}
	return ""
}

// platformName is a platform's proper name; core spells every platform
// it can connect to, MyCase and Smokeball included.
func platformName(p string) string { return core.PlatformTitle(p) }

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

// jobShort names a job in a word or two, for the Activity table's narrow
// Job column (the details pane and the CSV use jobLabel).
func jobShort(job string) string {
	switch job {
	case core.JobContacts:
		return "Contacts"
	case core.JobRecordings:
		return "Call notes"
	case core.JobFolders:
		return "Box folders"
	case core.JobDocuments:
		return "Documents"
	case core.JobIntake:
		return "Intake"
	}
	return job
}

// Row status words beyond logStatusLabel: a needs-attention row is only
// "Needs attention" while its item's problem is open and it is the
// item's latest attempt.
const (
	statusTriedAgain  = "Tried again later"
	statusFixedLater  = "Fixed later"
	statusDismissed   = "Dismissed"
	statusNeedsAction = "Needs attention"
)

// rowStatus says what a log row's status means now, given its item's
// problem (found is false when the item never had one).
func rowStatus(rec store.LogRecord, p store.Problem, found bool) string {
	if rec.Action == "dismiss" && rec.Status == store.LogSkipped {
		return statusDismissed
	}
	if !found || (rec.Status != store.LogNeedsAttention && rec.Status != store.LogFailed) {
		return logStatusLabel(rec.Status)
	}
	switch {
	case p.State == store.ProblemOpen && p.LogID == rec.ID:
		if rec.Status == store.LogFailed {
			return "Failed again (will retry)"
		}
		return statusNeedsAction
	case p.State == store.ProblemOpen && rec.ID < p.LogID:
		return statusTriedAgain
	case p.State == store.ProblemFixed && (p.ClosedBy == 0 || rec.ID < p.ClosedBy):
		return statusFixedLater
	case p.State == store.ProblemDismissed && (p.ClosedBy == 0 || rec.ID < p.ClosedBy):
		return statusDismissed
	}
	return logStatusLabel(rec.Status)
}

// nextStep says, first in the details pane, what a person can do about a
// record, per known cause; "" when nothing is needed. w names the
// practice-management system where a contact may be missing.
func nextStep(w wording, rec store.LogRecord, status string, canAttach bool) string {
	switch status {
	case statusFixedLater:
		return "Nothing to do: a later attempt for this item succeeded."
	case statusDismissed:
		return "Nothing to do: this item was dismissed. Press Retry if it should be synced after all."
	case statusTriedAgain:
		return "A newer row for this item says where it stands now; select it, or press Retry."
	}
	if rec.Status != store.LogNeedsAttention && rec.Status != store.LogFailed {
		return ""
	}
	msg := strings.ToLower(rec.Message)
	errText := strings.ToLower(rec.Error)
	switch {
	case rec.Job == core.JobRecordings && strings.Contains(errText, "no ") && strings.Contains(errText, "contact matches"):
		emails := rec.Details["emails"]
		where := w.pms()
		if strings.Contains(errText, "lawmatics") && !strings.Contains(errText, strings.ToLower(where)) {
			where = "Lawmatics"
		}
		var b strings.Builder
		if emails == "" {
			fmt.Fprintf(&b, "Nobody on this call besides your own Zoom account gave an email, so Firmsync cannot tell whose call it was.")
		} else {
			fmt.Fprintf(&b, "No %s contact has %s. Add that email to the right contact in %s, then press Retry", where, emailList(emails), where)
		}
		if canAttach {
			if emails == "" {
				b.WriteString(" Press Attach to a contact… to put its note on a contact you choose.")
			} else {
				b.WriteString(", or press Attach to a contact… to put this call's note on a contact you choose.")
			}
		} else if emails != "" {
			b.WriteString(".")
		}
		return b.String()
	case strings.Contains(msg, "reconnect the platform"):
		return fmt.Sprintf("%s no longer accepts Firmsync's sign-in. Go to Connections, click Connect for %s, then press Retry.",
			cmpOr(platformName(rec.Platform), "The platform"), cmpOr(platformName(rec.Platform), "it"))
	case strings.Contains(msg, "missing permission"):
		return fmt.Sprintf("The %s account Firmsync signed in with may not do this. Reconnect %s with an administrator, then press Retry.",
			cmpOr(platformName(rec.Platform), "platform"), cmpOr(platformName(rec.Platform), "it"))
	case strings.Contains(msg, "refused the data"):
		return fmt.Sprintf("%s refused the data. Correct %s at its source (the error above says what is wrong), then press Retry.",
			cmpOr(platformName(rec.Platform), "The platform"), cmpOr(rec.Object, "the item"))
	case rec.Job == core.JobIntake && strings.Contains(errText, "no first or last name"):
		return "Give the prospect a first or last name in Lawmatics, then press Retry."
	case rec.Status == store.LogFailed:
		return "Firmsync tries again on its own. Press Retry to try now."
	}
	return "Firmsync tried several times and gave up. Fix what the error above says, then press Retry; or Dismiss it if it does not matter."
}

// emailList says "a@x.com" or "a@x.com or b@y.com".
func emailList(s string) string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}
